#include "seedplan/planning/PlanEvaluator.h"

#include "seedplan/core/Error.h"
#include "seedplan/dosimetry/DvhCalculator.h"
#include "seedplan/dosimetry/ImplantDose.h"
#include "seedplan/imaging/StructureRole.h"

#include <map>

namespace seedplan::planning {

Volume<float> PlanEvaluator::TotalDose(const Plan& plan, const GridGeometry& grid,
                                       const dosimetry::SourceLibrary& library) {
  dosimetry::DoseCalculationOptions calculation;
  calculation.formalism = dosimetry::ParseFormalism(plan.engine.formalism, "plan formalism");
  calculation.cutoffCm = plan.engine.cutoffCm;
  return dosimetry::ImplantDose::Compute(grid, plan.seeds, library, plan.seedModel, calculation,
                                         dosimetry::DoseQuantity{});
}

namespace {

/// V_ref for one lesion of several: the volume (cc) inside the prescription isodose within
/// kIsodoseReachMm of the lesion's bounding box, so that another lesion's isodose does not count
/// (DESIGN.md takes V_ref over the whole grid, which is right for one lesion only; see
/// docs/ARCHITECTURE.md). 20 mm: the 100 % isodose of a conformal 125I implant lies within a few
/// mm of the target, and the sample patient's lesions are > 40 mm apart.
constexpr double kIsodoseReachMm = 20.0;

double LocalPrescriptionIsodoseVolumeCc(const Volume<float>& doseGy, const Mask& target,
                                        double rxGy) {
  Eigen::Vector3d low = Eigen::Vector3d::Constant(1e300), high = -low;
  const auto& size = target.Geometry().Size();
  for (std::int64_t k = 0; k < size[2]; ++k) {
    for (std::int64_t j = 0; j < size[1]; ++j) {
      for (std::int64_t i = 0; i < size[0]; ++i) {
        if (target.At(i, j, k)) {
          const Eigen::Vector3d p = target.Geometry().IndexToPoint(double(i), double(j), double(k));
          low = low.cwiseMin(p);
          high = high.cwiseMax(p);
        }
      }
    }
  }
  low.array() -= kIsodoseReachMm;
  high.array() += kIsodoseReachMm;
  const GridGeometry& grid = doseGy.Geometry();
  std::int64_t count = 0;
  for (std::int64_t k = 0; k < grid.Size()[2]; ++k) {
    for (std::int64_t j = 0; j < grid.Size()[1]; ++j) {
      for (std::int64_t i = 0; i < grid.Size()[0]; ++i) {
        if (doseGy.At(i, j, k) < rxGy) {
          continue;
        }
        const Eigen::Vector3d p = grid.IndexToPoint(double(i), double(j), double(k));
        if ((p.array() >= low.array()).all() && (p.array() <= high.array()).all()) {
          ++count;
        }
      }
    }
  }
  return double(count) * grid.VoxelVolumeMm3() / 1000.0;
}

} // namespace

std::vector<StructureMetrics>
PlanEvaluator::Evaluate(const Volume<float>& doseGy, const imaging::StructureSet& structures,
                        const std::vector<TargetPrescription>& targets) {
  std::map<std::string, double> rxOf;
  for (const auto& target : targets) {
    rxOf[target.structureName] = target.prescriptionGy;
  }
  // Organs are reported against the first target's prescription for the V-metrics, which are
  // then not shown (null); their absolute doses do not depend on it.
  const double referenceRx = targets.empty() ? 1.0 : targets.front().prescriptionGy;
  std::vector<StructureMetrics> all(structures.structures.size());
#pragma omp parallel for schedule(dynamic, 1)
  for (std::size_t s = 0; s < structures.structures.size(); ++s) {
    const imaging::Structure& structure = structures.structures[s];
    const auto rx = rxOf.find(structure.name);
    const bool target = rx != rxOf.end();
    const double rxGy = target ? rx->second : referenceRx;
    const auto dvh = dosimetry::DvhCalculator::Compute(structure.mask, doseGy);
    StructureMetrics entry;
    entry.structureName = structure.name;
    entry.role = imaging::RoleName(structure.role);
    if (target) {
      entry.rxGy = rxGy;
    }
    entry.metrics = dosimetry::DoseMetrics::Compute(
        dvh, rxGy,
        target
            ? std::optional<double>(LocalPrescriptionIsodoseVolumeCc(doseGy, structure.mask, rxGy))
            : std::nullopt);
    all[s] = std::move(entry);
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
