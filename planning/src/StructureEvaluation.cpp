#include "StructureEvaluation.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/dosimetry/DoseMetrics.h"
#include "seedplan/dosimetry/DvhCalculator.h"
#include "seedplan/dosimetry/PermanentImplantDecay.h"
#include "seedplan/imaging/StructureRole.h"

#include <algorithm>
#include <cmath>
#include <optional>
#include <set>
#include <string>

namespace seedplan::planning::detail {

namespace {

std::optional<double> PrescriptionOf(const Plan& plan, const std::string& structureName) {
  std::optional<double> rx;
  for (const auto& target : plan.targets) {
    if (target.structureName == structureName) {
      rx = target.prescriptionGy;
    }
  }
  return rx;
}

} // namespace

std::int64_t InsideVoxels(const Mask& mask) {
  return static_cast<std::int64_t>(
      std::count_if(mask.Data().begin(), mask.Data().end(), [](std::uint8_t v) { return v != 0; }));
}

dosimetry::DoseCalculationOptions CalculationOf(const Plan& plan) {
  dosimetry::DoseCalculationOptions calculation;
  calculation.formalism = dosimetry::ParseFormalism(plan.engine.formalism, "plan formalism");
  calculation.cutoffCm = plan.engine.cutoffCm;
  return calculation;
}

void CheckPrescriptions(const Plan& plan, const imaging::StructureSet& structures) {
  std::set<std::string> seen;
  for (const auto& target : plan.targets) {
    if (!structures.Find(target.structureName)) {
      throw InvalidInput("plan target '" + target.structureName +
                         "' names no structure of the structure set; expected one of its names");
    }
    if (!seen.insert(target.structureName).second) {
      throw InvalidInput("plan target '" + target.structureName +
                         "' is prescribed twice; expected one prescription per target");
    }
    if (!(target.prescriptionGy > 0.0) || !std::isfinite(target.prescriptionGy)) {
      throw InvalidInput("plan target '" + target.structureName + "': prescription is " +
                         FormatNumber(target.prescriptionGy) + " Gy; expected a dose > 0 Gy");
    }
  }
  for (const auto& limit : plan.limits) {
    if (!structures.Find(limit.structureName)) {
      throw InvalidInput("plan organ limit on '" + limit.structureName +
                         "' names no structure of the structure set; expected one of its names");
    }
    if (!(limit.limitGy > 0.0) || !std::isfinite(limit.limitGy)) {
      throw InvalidInput("plan organ limit on '" + limit.structureName + "': " + limit.metric +
                         " limit is " + FormatNumber(limit.limitGy) +
                         " Gy; expected a dose > 0 Gy");
    }
    if (limit.metric != "Dmax" && limit.metric != "D0_1cc" && limit.metric != "D1cc" &&
        limit.metric != "D2cc") {
      throw InvalidInput("plan organ limit on '" + limit.structureName + "': metric '" +
                         limit.metric + "'; expected Dmax, D0_1cc, D1cc or D2cc");
    }
  }
}

dosimetry::ImplantDvhOptions SamplingOf(const StructureContext& context, std::size_t index) {
  const imaging::Structure& structure = context.structures.structures[index];
  dosimetry::ImplantDvhOptions sampling = context.options.sampling;
  const std::int64_t insideVoxels = context.insideVoxels != nullptr ? (*context.insideVoxels)[index]
                                                                    : InsideVoxels(structure.mask);
  sampling.exactEverywhere = PrescriptionOf(context.plan, structure.name).has_value() ||
                             insideVoxels <= context.options.exactVoxelLimit;
  return sampling;
}

dosimetry::Dvh DvhOf(const StructureContext& context, std::size_t index) {
  const imaging::Structure& structure = context.structures.structures[index];
  const dosimetry::ImplantDvhOptions sampling = SamplingOf(context, index);
  try {
    return dosimetry::DvhCalculator::ComputeForImplant(structure.mask, context.plan.seeds,
                                                       context.calculator, context.gyPerCGyPerH,
                                                       &context.doseGy, sampling);
  } catch (const InvalidInput& error) {
    throw InvalidInput("structure '" + structure.name + "': " + error.what());
  }
}

void EvaluateStructure(const StructureContext& context, std::size_t index,
                       StructureMetrics& metricsOut, StructureDvhCurve& curveOut) {
  EvaluateStructureFrom(context, index, DvhOf(context, index), metricsOut, curveOut);
}

void EvaluateStructureFrom(const StructureContext& context, std::size_t index,
                           const dosimetry::Dvh& dvh, StructureMetrics& metricsOut,
                           StructureDvhCurve& curveOut) {
  const imaging::Structure& structure = context.structures.structures[index];
  const std::optional<double> rx = PrescriptionOf(context.plan, structure.name);
  // Organs are reported against the first target's prescription for the V-metrics, which are then
  // not shown (null); their absolute doses do not depend on it.
  const double rxGy =
      rx ? *rx : (context.plan.targets.empty() ? 1.0 : context.plan.targets.front().prescriptionGy);
  metricsOut.structureName = structure.name;
  metricsOut.role = imaging::RoleName(structure.role);
  metricsOut.rxGy = rx;
  metricsOut.metrics = dosimetry::DoseMetrics::Compute(
      dvh, rxGy,
      rx ? std::optional<double>(dosimetry::PrescriptionIsodoseVolumeCc(
               context.doseGy, rxGy, structure.mask, context.options.isodoseReachMm))
         : std::nullopt);
  curveOut.structureName = structure.name;
  curveOut.volumeCc = dvh.VolumeCc();
  curveOut.points = dvh.Curve(context.options.curvePoints);
}

double TotalDoseFactor(double halfLifeDays) {
  return dosimetry::PermanentImplantDecay(halfLifeDays).TotalDoseGyPerCGyPerH();
}

} // namespace seedplan::planning::detail
