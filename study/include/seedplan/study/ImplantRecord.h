#pragma once

#include "seedplan/study/RecordFields.h"

#include <optional>
#include <string>
#include <vector>

namespace seedplan::study {

/// One implanted lesion as the study records it: which plan (file, fingerprint, CT), the seeds
/// (model, strength in U and apparent mCi at implant and at assay, lot, counts), the prescription
/// and every metric of the lesion under the patient's total dose, planned and post-implant side by
/// side, and the organ doses against their limits. A plain struct: app/ fills it from a
/// planning::Plan, so that study/ links no planning, imaging or toolkit code. Doses are total
/// doses of the permanent implant (Gy, TG-43 in water); strengths S_K in U.
/// Identified by patient, lesion and implant date: logging the same implant again (a re-planned or
/// edited plan) updates it, with every changed value in the audit trail.
struct ImplantRecord {
  /// One organ-at-risk limit and the organ's dose under the plan (all seeds of the patient).
  struct OrganDose {
    std::string structure;
    std::string metric; ///< Dmax, D0_1cc, D1cc or D2cc
    std::optional<double> limitGy;
    std::optional<double> plannedGy; ///< null: undefined (organ smaller than the metric)
    std::optional<double> postGy;
  };

  std::string patientId;
  std::string lesionId;
  std::string targetStructure;
  std::string implantDate;

  std::optional<std::string> planFile;
  std::optional<std::string> planSha256;
  std::optional<std::string> ctStudyUid;
  std::optional<std::string> ctSeriesUid;
  std::optional<std::string> ctFrameOfReferenceUid;
  std::optional<std::string> programVersion;

  std::optional<std::string> seedModel;
  std::optional<double> seedStrengthU;   ///< per seed, at the implant date
  std::optional<double> seedActivityMCi; ///< apparent activity per seed, at the implant date
  std::optional<double> assayStrengthU;  ///< per seed, at the assay date
  std::optional<double> assayActivityMCi;
  std::optional<std::string> assayDate;
  std::optional<double> strengthPerActivityUPerMCi;
  std::optional<std::string> seedLot;     ///< lot or certificate number
  std::optional<int> nSeeds;              ///< planned in this lesion
  std::optional<int> nNeedles;            ///< planned in this lesion
  std::optional<double> totalActivityMCi; ///< of this lesion's seeds, at implant
  std::optional<double> seedSpacingMm;
  std::optional<int> seedsOrdered; ///< for the whole procedure

  std::optional<double> prescribedDoseGy;
  std::optional<double> marginMm;
  std::optional<double> volumeCc;
  std::optional<double> d90Gy, d98Gy, d100Gy, dmeanGy, dminGy, dmaxGy;
  std::optional<double> v100Pct, v150Pct, v200Pct;
  std::optional<double> ci, ei, hi;

  std::optional<std::string> postPlanFile;
  std::optional<std::string> postPlanSha256;
  std::optional<std::string> postCtSeriesUid;
  std::optional<std::string> postCtDate;
  std::optional<int> seedsImplanted; ///< for the whole procedure
  std::optional<int> postSeedsFound; ///< on the post-implant CT, whole procedure
  std::optional<int> postNSeeds;     ///< detected seeds matched to this lesion's seeds
  std::optional<double> postVolumeCc;
  std::optional<double> postD90Gy, postD98Gy, postD100Gy, postDmeanGy, postDminGy, postDmaxGy;
  std::optional<double> postV100Pct, postV150Pct, postV200Pct;
  std::optional<double> postCi, postEi, postHi;

  std::vector<OrganDose> organDoses;

  /// Every field above but the organ doses, named as in the cohort CSV: planned metrics as
  /// d90_gy, v100_pct, ..., post-implant ones as post_d90_gy, post_v100_pct, ... File paths and
  /// DICOM UIDs are marked identifying (never exported).
  static const RecordFields<ImplantRecord>& Fields();
  /// True for the fields postplan fills (post_*, seeds_implanted).
  static bool IsPostImplantField(const std::string& name);
  /// True for the fields a person gives rather than a plan (seed_lot, seeds_ordered,
  /// seeds_implanted, post_ct_date): logging again without them keeps the recorded value.
  static bool IsEnteredField(const std::string& name);
};

} // namespace seedplan::study
