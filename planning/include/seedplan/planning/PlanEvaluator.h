#pragma once

#include "seedplan/core/Volume.h"
#include "seedplan/dosimetry/DoseCalculator.h"
#include "seedplan/dosimetry/DoseMetrics.h"
#include "seedplan/dosimetry/Dvh.h"
#include "seedplan/dosimetry/DvhCalculator.h"
#include "seedplan/dosimetry/SourceLibrary.h"
#include "seedplan/imaging/StructureSet.h"
#include "seedplan/planning/Plan.h"

#include <cstddef>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace seedplan::planning {

/// Whether an organ limit holds under a plan's dose.
struct LimitCheck {
  OrganLimitSpec limit;
  std::optional<double> valueGy; ///< nullopt: the metric is undefined (organ smaller than it)
  bool met = true;
};

/// One structure's cumulative DVH as a curve (the viewer's DVH chart, the RT Dose DVH Sequence):
/// `points` doses evenly spaced from 0 to Dmax (Gy, total dose) with the % of the structure's
/// volume receiving at least each, from the same samples as the metrics.
struct StructureDvhCurve {
  std::string structureName;
  double volumeCc = 0.0;
  std::vector<dosimetry::Dvh::CurvePoint> points;
};

/// How a plan is evaluated. The defaults are what every command uses.
struct EvaluationOptions {
  /// V_ref for CI/EI: the prescription isodose within this distance of the lesion's box
  /// (docs/ARCHITECTURE.md).
  double isodoseReachMm = dosimetry::kDefaultIsodoseReachMm;
  /// Points per DVH curve.
  int curvePoints = 201;
  /// Targets, and organs of at most this many mask voxels (the small ones, near which the dose
  /// matters), take the exact TG-43 dose at every sample point. Larger structures (body, lungs,
  /// liver, heart: ~200 cc and more at CT voxels of 2 mm^3) take it within
  /// dosimetry::ImplantDvhOptions::exactReachMm of a seed and the dose grid's interpolation
  /// beyond, where the grid is smooth, and their samples go into fine dose bins (DvhCalculator);
  /// on the sample plan this moved no organ metric by more than 0.02 % (issue 12: 2.4 million
  /// exact samples fewer in `evaluate`).
  std::int64_t exactVoxelLimit = 100000;
  /// The sampling of every structure (distance rule near seeds).
  dosimetry::ImplantDvhOptions sampling;
};

/// Everything one evaluation of a plan gives, in the structure set's order.
struct PlanEvaluation {
  std::vector<StructureMetrics> metrics;
  std::vector<StructureDvhCurve> curves;
  std::vector<LimitCheck> limits;
};

/// The one place every command takes a plan's dose and metrics from (plan, demo, postplan,
/// evaluate; edit, the report, the study log and the viewer's DVH), so that a number never
/// differs between two commands for the same plan.
///
/// The dose is the total dose (Gy, decay to infinity) of all the plan's seeds: on a grid (the
/// CT's, by default) for isodoses, files and V_ref, and exactly (TG-43 at the point, no grid) at
/// each structure's DVH sample points (DvhCalculator::ComputeForImplant). Targets get their
/// prescription, CI/EI take V_ref within isodoseReachMm of the lesion, organ limits are checked.
class PlanEvaluator {
public:
  /// The total dose (Gy) of all the plan's seeds on `grid`, with the plan's formalism and cutoff.
  static Volume<float> TotalDose(const Plan& plan, const GridGeometry& grid,
                                 const dosimetry::SourceLibrary& library);

  /// The evaluation of `plan` (its seeds, targets and limits) under its total dose `doseGy`
  /// (TotalDose on the grid the caller shows or writes). Throws InvalidInput for a target or
  /// limit that names a missing structure, a prescription <= 0, bad seeds or a grid that does not
  /// cover a structure sampled from it.
  static PlanEvaluation Evaluate(const Plan& plan, const Volume<float>& doseGy,
                                 const imaging::StructureSet& structures,
                                 const dosimetry::SourceLibrary& library,
                                 const EvaluationOptions& options = {});

  /// The DVH of structure `structure` (index into structures.structures) exactly as Evaluate
  /// computes it for its metrics and curve (same samples, same exact dose): for outputs that need
  /// the whole DVH (the RT Dose's DVH Sequence). Same refusals as Evaluate.
  static dosimetry::Dvh StructureDvh(const Plan& plan, const Volume<float>& doseGy,
                                     const imaging::StructureSet& structures, std::size_t structure,
                                     const dosimetry::SourceLibrary& library,
                                     const EvaluationOptions& options = {});

  /// Metrics from a dose grid alone, without seeds (an imported dose): DvhCalculator's border rule
  /// and the grid's trilinear interpolation. Plans are evaluated with the overload above.
  static std::vector<StructureMetrics> Evaluate(const Volume<float>& doseGy,
                                                const imaging::StructureSet& structures,
                                                const std::vector<TargetPrescription>& targets);

  static std::vector<LimitCheck> CheckLimits(const std::vector<StructureMetrics>& metrics,
                                             const std::vector<OrganLimitSpec>& limits);

  /// The value of "Dmax", "D0_1cc", "D1cc" or "D2cc"; InvalidInput for another metric name.
  static std::optional<double> MetricValue(const dosimetry::DoseMetrics& metrics,
                                           const std::string& metric);
};

} // namespace seedplan::planning
