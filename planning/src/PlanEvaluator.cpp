#include "seedplan/planning/PlanEvaluator.h"

#include "StructureEvaluation.h"

#include "seedplan/core/Error.h"
#include "seedplan/dosimetry/DvhCalculator.h"
#include "seedplan/dosimetry/ImplantDose.h"
#include "seedplan/imaging/StructureRole.h"

#include <algorithm>
#include <cmath>
#include <map>

namespace seedplan::planning {

using detail::CalculationOf;
using detail::CheckPrescriptions;
using detail::DvhOf;
using detail::EvaluateStructure;
using detail::StructureContext;
using detail::TotalDoseFactor;

Volume<float> PlanEvaluator::TotalDose(const Plan& plan, const GridGeometry& grid,
                                       const dosimetry::SourceLibrary& library) {
  return dosimetry::ImplantDose::Compute(grid, plan.seeds, library, plan.seedModel,
                                         CalculationOf(plan), dosimetry::DoseQuantity{});
}

PlanEvaluation PlanEvaluator::Evaluate(const Plan& plan, const Volume<float>& doseGy,
                                       const imaging::StructureSet& structures,
                                       const dosimetry::SourceLibrary& library,
                                       const EvaluationOptions& options) {
  CheckPrescriptions(plan, structures);
  const auto engine =
      dosimetry::ImplantDose::MakeEngine(plan.seeds, library, plan.seedModel, CalculationOf(plan));
  engine.calculator->ValidateSeeds(plan.seeds);
  const StructureContext context{
      plan,   structures, options, *engine.calculator, TotalDoseFactor(engine.halfLifeDays),
      doseGy, nullptr};
  PlanEvaluation evaluation;
  evaluation.metrics.resize(structures.structures.size());
  evaluation.curves.resize(structures.structures.size());
  // One structure after the other: each one's sampling and dose run in parallel inside, and its
  // samples are freed before the next (the memory of the largest structure, not of all).
  for (std::size_t s = 0; s < structures.structures.size(); ++s) {
    EvaluateStructure(context, s, evaluation.metrics[s], evaluation.curves[s]);
  }
  evaluation.limits = CheckLimits(evaluation.metrics, plan.limits);
  return evaluation;
}

dosimetry::Dvh PlanEvaluator::StructureDvh(const Plan& plan, const Volume<float>& doseGy,
                                           const imaging::StructureSet& structures,
                                           std::size_t structure,
                                           const dosimetry::SourceLibrary& library,
                                           const EvaluationOptions& options) {
  if (structure >= structures.structures.size()) {
    throw InvalidInput("structure " + std::to_string(structure + 1) +
                       " does not exist; the structure set has " +
                       std::to_string(structures.structures.size()));
  }
  CheckPrescriptions(plan, structures);
  const auto engine =
      dosimetry::ImplantDose::MakeEngine(plan.seeds, library, plan.seedModel, CalculationOf(plan));
  engine.calculator->ValidateSeeds(plan.seeds);
  const StructureContext context{
      plan,   structures, options, *engine.calculator, TotalDoseFactor(engine.halfLifeDays),
      doseGy, nullptr};
  return DvhOf(context, structure);
}

std::vector<StructureMetrics>
PlanEvaluator::Evaluate(const Volume<float>& doseGy, const imaging::StructureSet& structures,
                        const std::vector<TargetPrescription>& targets) {
  std::map<std::string, double> rxOf;
  for (const auto& target : targets) {
    rxOf[target.structureName] = target.prescriptionGy;
  }
  const double referenceRx = targets.empty() ? 1.0 : targets.front().prescriptionGy;
  std::vector<StructureMetrics> all(structures.structures.size());
  for (std::size_t s = 0; s < structures.structures.size(); ++s) {
    const imaging::Structure& structure = structures.structures[s];
    const auto rx = rxOf.find(structure.name);
    const bool target = rx != rxOf.end();
    const double rxGy = target ? rx->second : referenceRx;
    const auto dvh = dosimetry::DvhCalculator::Compute(structure.mask, doseGy);
    StructureMetrics& entry = all[s];
    entry.structureName = structure.name;
    entry.role = imaging::RoleName(structure.role);
    if (target) {
      entry.rxGy = rxGy;
    }
    entry.metrics = dosimetry::DoseMetrics::Compute(
        dvh, rxGy,
        target ? std::optional<double>(dosimetry::PrescriptionIsodoseVolumeCc(
                     doseGy, rxGy, structure.mask, dosimetry::kDefaultIsodoseReachMm))
               : std::nullopt);
  }
  return all;
}

std::optional<double> PlanEvaluator::MetricValue(const dosimetry::DoseMetrics& metrics,
                                                 const std::string& metric) {
  if (metric == "Dmax") {
    return metrics.DmaxGy;
  }
  if (metric == "D0_1cc") {
    return metrics.D0_1ccGy;
  }
  if (metric == "D1cc") {
    return metrics.D1ccGy;
  }
  if (metric == "D2cc") {
    return metrics.D2ccGy;
  }
  throw InvalidInput("organ limit metric '" + metric + "'; expected Dmax, D0_1cc, D1cc or D2cc");
}

std::vector<LimitCheck> PlanEvaluator::CheckLimits(const std::vector<StructureMetrics>& metrics,
                                                   const std::vector<OrganLimitSpec>& limits) {
  std::vector<LimitCheck> checks;
  for (const auto& limit : limits) {
    LimitCheck check;
    check.limit = limit;
    for (const auto& entry : metrics) {
      if (entry.structureName == limit.structureName) {
        check.valueGy = MetricValue(entry.metrics, limit.metric);
      }
    }
    // An undefined metric (D2cc of a 1 cc organ) cannot exceed its limit; Dmax always exists.
    check.met = !check.valueGy || *check.valueGy <= limit.limitGy;
    checks.push_back(check);
  }
  return checks;
}

} // namespace seedplan::planning
