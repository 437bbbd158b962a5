#pragma once

#include "seedplan/core/Seed.h"
#include "seedplan/dosimetry/DoseMetrics.h"

#include <Eigen/Core>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace seedplan::planning {

/// One target lesion's prescription: total dose of the permanent implant (Gy) that D90 must reach,
/// and a margin (mm) grown around the lesion for planning (0 = the lesion itself).
struct TargetPrescription {
  std::string structureName;
  std::string site; ///< "lung", "bone", "lymph node", "adrenal", "liver", ... (may be empty)
  double prescriptionGy = 0.0;
  double marginMm = 0.0;
};

/// An organ-at-risk limit on the patient's total dose: `metric` ("Dmax", "D0_1cc", "D1cc" or
/// "D2cc") must be at most `limitGy`.
struct OrganLimitSpec {
  std::string structureName;
  std::string metric;
  double limitGy = 0.0;
};

/// A needle trajectory in patient coordinates (LPS, mm): from the skin entry to the tip, with what
/// it crosses (reported by the trajectory check).
struct Needle {
  std::string id;
  std::string targetName; ///< the lesion it serves
  Eigen::Vector3d entryMm = Eigen::Vector3d::Zero();
  Eigen::Vector3d tipMm = Eigen::Vector3d::Zero();
  double depthMm = 0.0;                    ///< |tip − entry|
  std::vector<std::string> tissuesCrossed; ///< structure names in order of crossing
  double passThroughLengthMm = 0.0;        ///< length inside pass-through structures
  int pleuralCrossings = 0;
  Eigen::Vector3d Direction() const { return (tipMm - entryMm).normalized(); }
};

/// The metrics of one structure under the plan's total dose (all seeds of the patient).
struct StructureMetrics {
  std::string structureName;
  std::string role;           ///< imaging::RoleName
  std::optional<double> rxGy; ///< targets only
  dosimetry::DoseMetrics metrics;
};

/// How the dose was computed, so that it can be recomputed exactly.
struct EngineSettings {
  std::string formalism = "auto";
  double cutoffCm = 10.0;
  double doseGridSpacingMm = 0.0; ///< 0 = the CT grid
  std::string programVersion;
};

/// Where a plan was logged in a study record (issue 9), so that a later edit or post-implant
/// evaluation of the plan logs to the same place without anyone retyping an id.
struct StudyLogLink {
  std::string studyFile; ///< absolute path of the study record
  std::string studyId;
  std::string patientId; ///< the record's pseudonymous patient id
  /// Each target structure and the record's lesion it was logged as.
  std::vector<std::pair<std::string, std::string>> lesions;
};

/// One editing session of the plan's seeds by hand (issue 14: `seedplan edit`, the viewer's live
/// editing): when (UTC), by whom, which plan file was edited and what was done. A plan carries
/// every such session in order, so a reviewer sees that the plan is no longer the optimiser's.
struct HandEdit {
  std::string utc;      ///< YYYY-MM-DDTHH:MM:SSZ
  std::string user;     ///< may be empty
  std::string fromPlan; ///< the plan file the edit started from; may be empty
  std::string summary;  ///< e.g. "moved seed 3 by (0, 2, 0) mm; added 1 seed; deleted seed 7"
};

/// A seed implant plan (DESIGN.md, Planning): who and what it is for, what it is made of and what
/// it achieves. Strength is S_K in U at the implant date, decayed from the assay date.
struct Plan {
  std::string
      sourceFile; ///< the file it was read from, for messages ("" if made here); not written
  std::string kind = "plan"; ///< "plan" or "post-implant"
  std::string evaluatesPlan; ///< for a post-implant plan: the plan file it evaluates
  std::string patientId;
  std::string studyId;
  std::string ctPath;
  std::string ctStudyUid;
  std::string ctSeriesUid;
  std::string frameOfReferenceUid;
  std::string structuresPath;
  std::vector<TargetPrescription> targets;
  std::vector<OrganLimitSpec> limits;
  std::string seedModel = "6711";
  double assayStrengthU = 0.0;     ///< at the assay (reference) date
  std::string assayDate;           ///< YYYY-MM-DD
  std::string implantDate;         ///< YYYY-MM-DD
  double strengthAtImplantU = 0.0; ///< decayed from assayDate to implantDate
  double seedSpacingMm = 0.0;
  std::vector<Needle> needles;
  std::vector<Seed> seeds; ///< position, direction (along the needle), strength, needle id
  std::vector<StructureMetrics> metrics;
  EngineSettings engine;
  std::optional<StudyLogLink> studyLog; ///< set when the plan was logged in a study record
  std::vector<HandEdit> handEdits;      ///< empty: not edited by hand
};

} // namespace seedplan::planning
