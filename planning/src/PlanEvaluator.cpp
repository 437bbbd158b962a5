#include "seedplan/planning/PlanEvaluator.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/MaskIndexBox.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/dosimetry/DvhCalculator.h"
#include "seedplan/dosimetry/ImplantDose.h"
#include "seedplan/dosimetry/PermanentImplantDecay.h"
#include "seedplan/imaging/StructureRole.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace seedplan::planning {

namespace {

dosimetry::DoseCalculationOptions CalculationOf(const Plan& plan) {
  dosimetry::DoseCalculationOptions calculation;
  calculation.formalism = dosimetry::ParseFormalism(plan.engine.formalism, "plan formalism");
  calculation.cutoffCm = plan.engine.cutoffCm;
  return calculation;
}

/// Refuses targets and limits the structure set cannot serve (issue 13: refuse, do not skip).
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

std::int64_t InsideVoxels(const Mask& mask) {
  return static_cast<std::int64_t>(
      std::count_if(mask.Data().begin(), mask.Data().end(), [](std::uint8_t v) { return v != 0; }));
}

/// What evaluating one structure needs.
struct StructureContext {
  const Plan& plan;
  const imaging::StructureSet& structures;
  const EvaluationOptions& options;
  const dosimetry::DoseCalculator& calculator;
  double gyPerCGyPerH;
  const Volume<float>& doseGy;
};

std::optional<double> PrescriptionOf(const Plan& plan, const std::string& structureName) {
  std::optional<double> rx;
  for (const auto& target : plan.targets) {
    if (target.structureName == structureName) {
      rx = target.prescriptionGy;
    }
  }
  return rx;
}

/// The DVH of one structure: the one sampling every output takes (metrics, curves, RT Dose DVHs).
dosimetry::Dvh DvhOf(const StructureContext& context, std::size_t index) {
  const imaging::Structure& structure = context.structures.structures[index];
  dosimetry::ImplantDvhOptions sampling = context.options.sampling;
  sampling.exactEverywhere = PrescriptionOf(context.plan, structure.name).has_value() ||
                             InsideVoxels(structure.mask) <= context.options.exactVoxelLimit;
  try {
    return dosimetry::DvhCalculator::ComputeForImplant(structure.mask, context.plan.seeds,
                                                       context.calculator, context.gyPerCGyPerH,
                                                       &context.doseGy, sampling);
  } catch (const InvalidInput& error) {
    throw InvalidInput("structure '" + structure.name + "': " + error.what());
  }
}

/// The one evaluation of one structure (both PlanEvaluator::Evaluate and LivePlanEvaluation).
void EvaluateStructure(const StructureContext& context, std::size_t index,
                       StructureMetrics& metricsOut, StructureDvhCurve& curveOut) {
  const imaging::Structure& structure = context.structures.structures[index];
  const std::optional<double> rx = PrescriptionOf(context.plan, structure.name);
  // Organs are reported against the first target's prescription for the V-metrics, which are then
  // not shown (null); their absolute doses do not depend on it.
  const double rxGy =
      rx ? *rx : (context.plan.targets.empty() ? 1.0 : context.plan.targets.front().prescriptionGy);
  const dosimetry::Dvh dvh = DvhOf(context, index);
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

} // namespace

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
      plan, structures, options, *engine.calculator, TotalDoseFactor(engine.halfLifeDays), doseGy};
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
      plan, structures, options, *engine.calculator, TotalDoseFactor(engine.halfLifeDays), doseGy};
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

// ----------------------------------------------------------------------------------------------
// LivePlanEvaluation

LivePlanEvaluation::LivePlanEvaluation(Plan plan, const imaging::StructureSet& structures,
                                       const GridGeometry& grid,
                                       const dosimetry::SourceLibrary& library,
                                       EvaluationOptions options)
    : m_Plan(std::move(plan)), m_Structures(structures), m_Library(library),
      m_Options(std::move(options)) {
  CheckPrescriptions(m_Plan, m_Structures);
  auto engine = dosimetry::ImplantDose::MakeEngine(m_Plan.seeds, m_Library, m_Plan.seedModel,
                                                   CalculationOf(m_Plan));
  m_Calculator = std::move(engine.calculator);
  m_GyPerCGyPerH = TotalDoseFactor(engine.halfLifeDays);
  m_DoseGy = PlanEvaluator::TotalDose(m_Plan, grid, m_Library);
  m_Cache.resize(m_Structures.structures.size());
}

LivePlanEvaluation::~LivePlanEvaluation() = default;

void LivePlanEvaluation::ReplaceSeed(std::size_t index, const Seed& seed) {
  if (index >= m_Plan.seeds.size()) {
    throw InvalidInput("seed " + std::to_string(index + 1) + " does not exist; the plan has " +
                       std::to_string(m_Plan.seeds.size()) + " seeds");
  }
  m_Calculator->ValidateSeeds({seed});
  const Seed old = m_Plan.seeds[index];
  m_Plan.seeds[index] = seed;
  Changed({old}, {seed});
}

void LivePlanEvaluation::AddSeed(const Seed& seed) {
  m_Calculator->ValidateSeeds({seed});
  m_Plan.seeds.push_back(seed);
  Changed({}, {seed});
}

void LivePlanEvaluation::RemoveSeed(std::size_t index) {
  if (index >= m_Plan.seeds.size()) {
    throw InvalidInput("seed " + std::to_string(index + 1) + " does not exist; the plan has " +
                       std::to_string(m_Plan.seeds.size()) + " seeds");
  }
  const Seed old = m_Plan.seeds[index];
  m_Plan.seeds.erase(m_Plan.seeds.begin() + static_cast<std::ptrdiff_t>(index));
  Changed({old}, {});
}

void LivePlanEvaluation::Changed(const std::vector<Seed>& removed, const std::vector<Seed>& added) {
  // The grid: only the voxels within the cutoff of the old and new positions.
  if (!removed.empty()) {
    m_Calculator->AddDoseRate(m_DoseGy, removed, -m_GyPerCGyPerH);
  }
  if (!added.empty()) {
    m_Calculator->AddDoseRate(m_DoseGy, added, m_GyPerCGyPerH);
  }
  // A structure's metrics depend on the seeds within the cutoff of it (its samples) and on the
  // grid within the isodose reach of it (V_ref): keep those of structures beyond both.
  const double reachMm = m_Plan.engine.cutoffCm * 10.0 + m_Options.isodoseReachMm;
  for (std::size_t s = 0; s < m_Cache.size(); ++s) {
    if (!m_Cache[s]) {
      continue;
    }
    const Mask& mask = m_Structures.structures[s].mask;
    const auto box = MaskIndexBox::Of(mask);
    bool affected = !box.has_value();
    for (const auto* seeds : {&removed, &added}) {
      for (const Seed& seed : *seeds) {
        if (affected || !box) {
          break;
        }
        // Distance from the seed to the mask's box (in the mask's index frame, scaled to mm).
        const Eigen::Vector3d index = mask.Geometry().PointToContinuousIndex(seed.positionMm);
        double distance2 = 0.0;
        for (int a = 0; a < 3; ++a) {
          const double below = double(box->lower[static_cast<std::size_t>(a)]) - 0.5 - index[a];
          const double above = index[a] - double(box->upper[static_cast<std::size_t>(a)]) - 0.5;
          const double outside = std::max({0.0, below, above}) * mask.Geometry().SpacingMm()[a];
          distance2 += outside * outside;
        }
        affected = distance2 <= reachMm * reachMm;
      }
    }
    if (affected) {
      m_Cache[s].reset();
    }
  }
}

std::size_t LivePlanEvaluation::IndexOf(const std::string& structureName) const {
  for (std::size_t s = 0; s < m_Structures.structures.size(); ++s) {
    if (m_Structures.structures[s].name == structureName) {
      return s;
    }
  }
  throw InvalidInput("structure '" + structureName + "' is not in the structure set");
}

const LivePlanEvaluation::Cached& LivePlanEvaluation::Ensure(std::size_t structure) {
  if (!m_Cache[structure]) {
    const StructureContext context{m_Plan,        m_Structures,   m_Options,
                                   *m_Calculator, m_GyPerCGyPerH, m_DoseGy};
    Cached entry;
    EvaluateStructure(context, structure, entry.metrics, entry.curve);
    m_Cache[structure] = std::move(entry);
  }
  return *m_Cache[structure];
}

StructureMetrics LivePlanEvaluation::Metrics(const std::string& structureName) {
  return Ensure(IndexOf(structureName)).metrics;
}

StructureDvhCurve LivePlanEvaluation::Curve(const std::string& structureName) {
  return Ensure(IndexOf(structureName)).curve;
}

PlanEvaluation LivePlanEvaluation::EvaluateAll() {
  PlanEvaluation evaluation;
  for (std::size_t s = 0; s < m_Structures.structures.size(); ++s) {
    const Cached& entry = Ensure(s);
    evaluation.metrics.push_back(entry.metrics);
    evaluation.curves.push_back(entry.curve);
  }
  evaluation.limits = PlanEvaluator::CheckLimits(evaluation.metrics, m_Plan.limits);
  return evaluation;
}

} // namespace seedplan::planning
