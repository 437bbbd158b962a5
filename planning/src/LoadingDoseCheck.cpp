#include "seedplan/planning/LoadingDoseCheck.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/dosimetry/ImplantDose.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>

namespace seedplan::planning {

namespace {

/// Extends [low, high] (mm) by the outer faces of the mask's inside voxels; false if empty.
bool ExtendByMask(const Mask& mask, Eigen::Vector3d& low, Eigen::Vector3d& high) {
  const GridGeometry& geometry = mask.Geometry();
  const auto& size = geometry.Size();
  std::array<std::int64_t, 3> lower = size;
  std::array<std::int64_t, 3> upper = {-1, -1, -1};
  for (std::int64_t k = 0; k < size[2]; ++k) {
    for (std::int64_t j = 0; j < size[1]; ++j) {
      for (std::int64_t i = 0; i < size[0]; ++i) {
        if (mask.At(i, j, k) != 0) {
          lower = {std::min(lower[0], i), std::min(lower[1], j), std::min(lower[2], k)};
          upper = {std::max(upper[0], i), std::max(upper[1], j), std::max(upper[2], k)};
        }
      }
    }
  }
  if (upper[0] < 0) {
    return false;
  }
  for (int corner = 0; corner < 8; ++corner) {
    const Eigen::Vector3d point =
        geometry.IndexToPoint(corner & 1 ? double(upper[0]) + 0.5 : double(lower[0]) - 0.5,
                              corner & 2 ? double(upper[1]) + 0.5 : double(lower[1]) - 0.5,
                              corner & 4 ? double(upper[2]) + 0.5 : double(lower[2]) - 0.5);
    low = low.cwiseMin(point);
    high = high.cwiseMax(point);
  }
  return true;
}

std::optional<double> OrganMetric(const dosimetry::Dvh& dvh, const std::string& metric) {
  if (metric == "Dmax") {
    return dvh.MaxDoseGy();
  }
  if (metric == "D0_1cc") {
    return dvh.DoseAtVolumeCc(0.1);
  }
  if (metric == "D1cc") {
    return dvh.DoseAtVolumeCc(1.0);
  }
  if (metric == "D2cc") {
    return dvh.DoseAtVolumeCc(2.0);
  }
  throw InvalidInput("organ limit metric is '" + metric +
                     "'; expected one of Dmax, D0_1cc, D1cc, D2cc");
}

} // namespace

LoadingDoseCheckResult LoadingDoseCheck::Compute(
    const Mask& planningTargetMask, double prescriptionGy, double v100GoalPct,
    const std::vector<OrganAtRiskMask>& organs, const std::vector<OrganLimitSpec>& limits,
    const std::vector<Seed>& seeds, const dosimetry::SourceLibrary& library,
    const std::string& defaultModelId, const LoadingDoseCheckOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  if (!(options.gridSpacingMm > 0.0) || !std::isfinite(options.gridSpacingMm)) {
    throw InvalidInput("exact dose check: grid spacing is " + FormatNumber(options.gridSpacingMm) +
                       " mm; expected a spacing > 0 mm");
  }
  std::vector<const Mask*> organMasks;
  for (const OrganLimitSpec& limit : limits) {
    const auto found = std::find_if(organs.begin(), organs.end(), [&](const OrganAtRiskMask& o) {
      return o.name == limit.structureName;
    });
    if (found == organs.end() || found->mask == nullptr) {
      throw InvalidInput("exact dose check: no mask for organ '" + limit.structureName +
                         "' of a limit; expected it among the organs given");
    }
    organMasks.push_back(found->mask);
  }

  Eigen::Vector3d low = Eigen::Vector3d::Constant(std::numeric_limits<double>::infinity());
  Eigen::Vector3d high = -low;
  if (!ExtendByMask(planningTargetMask, low, high)) {
    throw InvalidInput("exact dose check: the target mask is empty; expected a structure with "
                       "volume");
  }
  for (const Mask* mask : organMasks) {
    ExtendByMask(*mask, low, high);
  }
  std::array<std::int64_t, 3> size{};
  for (int axis = 0; axis < 3; ++axis) {
    size[axis] =
        static_cast<std::int64_t>(std::ceil((high[axis] - low[axis]) / options.gridSpacingMm)) + 1;
  }
  LoadingDoseCheckResult result;
  result.grid = GridGeometry(low, Eigen::Vector3d::Constant(options.gridSpacingMm), size);
  dosimetry::DoseQuantity quantity;
  quantity.kind = dosimetry::DoseQuantity::Kind::Total;
  const Volume<float> dose = dosimetry::ImplantDose::Compute(
      result.grid, seeds, library, defaultModelId, options.calculation, quantity);

  const dosimetry::Dvh targetDvh =
      dosimetry::DvhCalculator::Compute(planningTargetMask, dose, options.borderSubdivisions);
  result.target = dosimetry::DoseMetrics::Compute(
      targetDvh, prescriptionGy, dosimetry::PrescriptionIsodoseVolumeCc(dose, prescriptionGy));
  result.feasible = result.target.D90Gy >= prescriptionGy && result.target.V100Pct >= v100GoalPct;
  for (std::size_t l = 0; l < limits.size(); ++l) {
    OrganCheck check;
    check.limit = limits[l];
    const dosimetry::Dvh dvh =
        dosimetry::DvhCalculator::Compute(*organMasks[l], dose, options.borderSubdivisions);
    check.exactGy = OrganMetric(dvh, limits[l].metric);
    check.met = !check.exactGy || *check.exactGy <= limits[l].limitGy;
    result.feasible = result.feasible && check.met;
    result.organs.push_back(check);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

LoadingDoseCheckResult LoadingDoseCheck::Compute(const DoseInfluenceMatrix& matrix,
                                                 const LoadingOptimizer& optimizer,
                                                 const LoadingResult& result,
                                                 const std::vector<OrganAtRiskMask>& organs,
                                                 const std::vector<Seed>& backgroundSeeds,
                                                 const dosimetry::SourceLibrary& library,
                                                 const LoadingDoseCheckOptions& options) {
  std::vector<Seed> seeds = result.seeds;
  seeds.insert(seeds.end(), backgroundSeeds.begin(), backgroundSeeds.end());
  LoadingDoseCheckOptions sameEngine = options;
  sameEngine.calculation = matrix.Options().calculation;
  LoadingDoseCheckResult check = Compute(
      matrix.PlanningTargetMask(), optimizer.Goals().prescriptionGy, optimizer.Goals().v100GoalPct,
      organs, optimizer.Limits(), seeds, library, matrix.Options().modelId, sameEngine);
  for (std::size_t l = 0; l < check.organs.size() && l < result.predicted.organs.size(); ++l) {
    check.organs[l].predictedGy = result.predicted.organs[l].value;
  }
  return check;
}

} // namespace seedplan::planning
