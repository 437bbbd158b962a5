#pragma once
// The work `seedplan plan` and `seedplan demo` share: load the CT and structures, plan every
// target, recompute the exact dose of all seeds, evaluate every structure, and print the table.

#include "seedplan/core/Volume.h"
#include "seedplan/dosimetry/SourceLibrary.h"
#include "seedplan/imaging/CtImage.h"
#include "seedplan/imaging/StructureSet.h"
#include "seedplan/planning/ImplantPlanner.h"
#include "seedplan/planning/Plan.h"
#include "seedplan/planning/PlanEvaluator.h"

#include <map>
#include <string>
#include <vector>

namespace seedplan::app {

/// A planning run and what it produced.
class PlanningSession {
public:
  imaging::CtImage ct;
  imaging::StructureSet structures;
  planning::Plan plan;
  std::vector<planning::LesionPlanReport> lesions;
  Volume<float> doseGy;
  std::vector<planning::LimitCheck> limitChecks;
  std::vector<planning::StructureDvhCurve> curves; ///< every structure's DVH, as plan.metrics

  /// Loads the CT and structures (roles from the file, the naming rule and `roles`). Refuses a
  /// structure set with a StructureDefect (every structure of a plan is used) and, when `plan`
  /// already names targets and limits (read from a plan file), any of them that names a
  /// structure the set does not hold; refusals about paths read from a plan file name it.
  void Load(const std::string& ctPath, const std::string& seriesUid,
            const std::string& structuresPath,
            const std::map<std::string, imaging::StructureRole>& roles);
  /// Plans every target, then computes the exact total dose of all seeds on the CT grid and the
  /// metrics of every structure; progress on stderr for steps longer than a second.
  void Run(const planning::ImplantPlanningRequest& request,
           const dosimetry::SourceLibrary& library);
  /// Forward mode: the physicist's seeds (and no needle planning); the same exact dose and metrics.
  void RunForward(const std::vector<Seed>& seeds,
                  const std::vector<planning::TargetPrescription>& targets,
                  const std::vector<planning::OrganLimitSpec>& limits, const std::string& modelId,
                  const dosimetry::SourceLibrary& library);
  /// The metrics, DVH curves and limit checks of `plan` under `doseGy` (its total dose):
  /// PlanEvaluator::Evaluate, the one evaluation every command uses.
  void Evaluate(const dosimetry::SourceLibrary& library);
  /// One row per lesion (name, site, volume, Rx, needles, seeds, total activity, D90, D100, V100,
  /// V150, V200, CI, EI, HI) and the organ doses against their limits.
  void PrintSummary(double strengthPerActivityUPerMCi) const;
  /// "  SpinalCord D0_1cc 17.3 Gy, limit 30 Gy: within", one line per limit.
  static void PrintLimitChecks(const std::vector<planning::LimitCheck>& checks);

private:
  void RequirePlannedStructures() const;
};

} // namespace seedplan::app
