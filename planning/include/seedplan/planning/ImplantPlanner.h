#pragma once

#include "seedplan/dosimetry/SourceLibrary.h"
#include "seedplan/imaging/CtImage.h"
#include "seedplan/imaging/StructureSet.h"
#include "seedplan/planning/LoadingOptimizer.h"
#include "seedplan/planning/NeedlePlanner.h"
#include "seedplan/planning/Plan.h"
#include "seedplan/planning/TrajectoryCheck.h"

#include <functional>
#include <string>
#include <vector>

namespace seedplan::planning {

/// What the physicist asks of a plan (the `seedplan plan` options).
struct ImplantPlanningRequest {
  std::vector<TargetPrescription> targets;
  std::vector<OrganLimitSpec> limits;
  std::string modelId = "6711";
  double strengthU = 0.0; ///< S_K per seed at the implant (U)
  double seedSpacingMm = 5.0;
  double needleSpacingMm = 10.0;
  std::string needleMode = "free"; ///< "template" or "free"
  Eigen::Vector3d templateNormal = Eigen::Vector3d::UnitZ();
  TrajectoryOptions trajectory;
  /// prescriptionGy is set per target. V100 is planned to 97 %: the exact recomputation samples
  /// the target more finely than the optimiser's points and differs by up to ~1.5 %, and the plan
  /// must reach V100 >= 95 % there.
  LoadingGoals goals = [] {
    LoadingGoals g;
    g.v100GoalPct = 97.0;
    return g;
  }();
};

/// How one lesion was planned.
struct LesionPlanReport {
  std::string targetName;
  NeedlePlan needles;
  std::size_t candidateCount = 0;
  LoadingResult loading;
  std::size_t needlesUsed = 0;
};

/// Plans every target lesion of a patient separately, each with its own prescription, in the order
/// given: needles (template or free), candidate positions along the accepted needles, the dose
/// influence matrix over the target's and the limited organs' sample points with the dose of the
/// seeds already placed for the other lesions as background, and the seed loading optimisation.
/// The metrics that count are recomputed afterwards from the exact dose of all seeds
/// (PlanEvaluator). Progress messages go to `progress` (may be empty).
class ImplantPlanner {
public:
  static std::vector<LesionPlanReport>
  PlanAll(const imaging::StructureSet& structures, const ImplantPlanningRequest& request,
          const dosimetry::SourceLibrary& library, Plan& plan,
          const std::function<void(const std::string&)>& progress = {});
};

} // namespace seedplan::planning
