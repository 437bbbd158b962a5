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
  /// liver in a large scan) take it within dosimetry::ImplantDvhOptions::exactReachMm of a seed
  /// and the dose grid's interpolation beyond, where the grid is smooth.
  std::int64_t exactVoxelLimit = 1500000;
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

/// A plan's evaluation kept live for editing (issue 14): the total-dose grid is updated
/// incrementally when a seed is added, removed or changed (only the voxels within the cutoff of
/// its old and new positions: DoseCalculator::AddDoseRate), and a structure's metrics are
/// recomputed on demand by exactly the code PlanEvaluator::Evaluate runs (its samples re-split
/// around the current seeds and their exact dose recomputed: a few ms for a lesion), so the
/// numbers equal a fresh evaluation of the edited plan. Structures farther than the cutoff (plus
/// their own extent) from every changed seed keep their cached metrics.
///
/// Measured on the sample plan (bench/PlanningBenchmark): one seed move with the dose and the
/// edited lesion's metrics, and with every structure's metrics; see docs/ARCHITECTURE.md.
/// Not thread-safe; the structure set and library must outlive it.
class LivePlanEvaluation {
public:
  LivePlanEvaluation(Plan plan, const imaging::StructureSet& structures, const GridGeometry& grid,
                     const dosimetry::SourceLibrary& library, EvaluationOptions options = {});
  ~LivePlanEvaluation();
  LivePlanEvaluation(const LivePlanEvaluation&) = delete;
  LivePlanEvaluation& operator=(const LivePlanEvaluation&) = delete;

  const Plan& CurrentPlan() const { return m_Plan; }
  const Volume<float>& DoseGy() const { return m_DoseGy; }

  /// Replaces seed `index` (position, direction, strength, model: any change). InvalidInput for
  /// an index out of range or a bad seed (nothing is changed then).
  void ReplaceSeed(std::size_t index, const Seed& seed);
  void AddSeed(const Seed& seed);
  void RemoveSeed(std::size_t index);

  /// The metrics of one structure under the current seeds (InvalidInput for an unknown name).
  StructureMetrics Metrics(const std::string& structureName);
  /// Its DVH curve, from the same samples.
  StructureDvhCurve Curve(const std::string& structureName);
  /// Every structure, the curves and the limits: what PlanEvaluator::Evaluate gives for the
  /// current plan.
  PlanEvaluation EvaluateAll();

private:
  struct Cached {
    StructureMetrics metrics;
    StructureDvhCurve curve;
  };
  void Changed(const std::vector<Seed>& removed, const std::vector<Seed>& added);
  std::size_t IndexOf(const std::string& structureName) const;
  const Cached& Ensure(std::size_t structure);

  Plan m_Plan;
  const imaging::StructureSet& m_Structures;
  const dosimetry::SourceLibrary& m_Library;
  EvaluationOptions m_Options;
  std::unique_ptr<dosimetry::DoseCalculator> m_Calculator;
  double m_GyPerCGyPerH = 0.0;
  Volume<float> m_DoseGy;
  std::vector<std::optional<Cached>> m_Cache;
};

} // namespace seedplan::planning
