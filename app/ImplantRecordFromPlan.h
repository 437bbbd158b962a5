#pragma once
// app/ turns a planning::Plan into the study record's plain study::ImplantRecord, so that study/
// links no planning, imaging or toolkit code (DESIGN.md, Study record). The metrics are the plan's
// own (planning::PlanEvaluator's, as the plan holds them): nothing is recomputed here.

#include "seedplan/planning/Plan.h"
#include "seedplan/study/ImplantRecord.h"

#include <map>
#include <optional>
#include <string>

namespace seedplan::app {

/// What a command knows beyond the plan file: per-target counts when the plan's needles do not
/// say (forward mode), and the procedure's counts.
struct ImplantFacts {
  std::map<std::string, int> seedsPerTarget; ///< overrides the count from the plan's needles
  std::map<std::string, int> needlesPerTarget;
  std::optional<int> seedsOrdered;
  std::string seedLot;
  // Post-implant only:
  std::optional<int> seedsImplanted;
  std::optional<int> seedsFound;
  std::map<std::string, int> foundPerTarget; ///< detected seeds matched to the target's seeds
  std::string postCtDate;
};

/// The implant of `target` (a target of `plan`) into lesion `lesionId` of `patientId`, with the
/// plan's file and fingerprint. Throws InvalidInput if the plan has no implant date, no metrics of
/// the target, or its seed model is not in the source library (its U/mCi factor is needed).
study::ImplantRecord ImplantRecordFromPlan(const planning::Plan& plan,
                                           const planning::TargetPrescription& target,
                                           const std::string& patientId,
                                           const std::string& lesionId, const std::string& planFile,
                                           const std::string& planSha256,
                                           const ImplantFacts& facts);

/// Adds the post-implant values of `target` from the post-implant plan `post` (post_* fields, the
/// organs' post-implant doses, the procedure's seed counts).
void AddPostImplant(study::ImplantRecord& record, const planning::Plan& post,
                    const planning::TargetPrescription& target, const std::string& postPlanFile,
                    const std::string& postPlanSha256, const ImplantFacts& facts);

} // namespace seedplan::app
