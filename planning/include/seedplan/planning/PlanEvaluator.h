#pragma once

#include "seedplan/core/Volume.h"
#include "seedplan/dosimetry/SourceLibrary.h"
#include "seedplan/imaging/StructureSet.h"
#include "seedplan/planning/Plan.h"

#include <string>
#include <vector>

namespace seedplan::planning {

/// Whether an organ limit holds under a plan's dose.
struct LimitCheck {
  OrganLimitSpec limit;
  std::optional<double> valueGy; ///< nullopt: the metric is undefined (organ smaller than it)
  bool met = true;
};

/// The dose of a plan and its metrics: the total dose (Gy, decay to infinity) of all the plan's
/// seeds on a grid (the CT's, by default), then the DVH metrics of every structure (DESIGN.md
/// DVH rules; V_ref for CI/EI over the whole grid) with each target's prescription, and each organ
/// limit checked. Every dose includes all seeds of the patient.
class PlanEvaluator {
public:
  static Volume<float> TotalDose(const Plan& plan, const GridGeometry& grid,
                                 const dosimetry::SourceLibrary& library);

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
