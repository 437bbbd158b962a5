#include "seedplan/dosimetry/GammaIndex.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/dosimetry/GridDoseSampler.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <exception>
#include <limits>

namespace seedplan::dosimetry {

namespace {

/// Beyond a million lattice offsets the search costs seconds per point: a misconfiguration.
constexpr double kMaxOffsets = 1.0e6;
/// Sample points this close (in voxels) beyond the outer voxel centres still count as inside.
constexpr double kEdgeToleranceVoxels = 1e-9;

struct Offset {
  double di = 0.0;
  double dj = 0.0;
  double dk = 0.0;
  double scaledDistanceSquared = 0.0; ///< |o|² / Δd²
};

void CheckPositive(double value, const char* what) {
  if (!(value > 0.0) || !std::isfinite(value)) {
    throw InvalidInput(std::string("gamma index: ") + what + " is " + FormatNumber(value) +
                       "; expected a positive finite value");
  }
}

/// Trilinear interpolation at a continuous index (GridDoseSampler's); false if it lies outside
/// the voxel centres by more than kEdgeToleranceVoxels.
bool Sample(const Volume<float>& dose, double x, double y, double z, double& value) {
  const auto& size = dose.Geometry().Size();
  const Eigen::Vector3d position(x, y, z);
  for (int axis = 0; axis < 3; ++axis) {
    const double last = static_cast<double>(size[axis] - 1);
    if (!(position[axis] >= -kEdgeToleranceVoxels &&
          position[axis] <= last + kEdgeToleranceVoxels)) {
      return false;
    }
  }
  value = GridDoseSampler::DoseAtIndex(dose, position);
  return true;
}

std::vector<Offset> SearchLattice(const GridGeometry& grid, const GammaOptions& options) {
  const double step = options.distanceToAgreementMm / options.stepsPerDistance;
  const double radius = options.maxGamma * options.distanceToAgreementMm;
  const auto n = static_cast<std::int64_t>(std::ceil(radius / step));
  if (std::pow(2.0 * static_cast<double>(n) + 1.0, 3.0) > kMaxOffsets * 2.0) {
    throw InvalidInput("gamma index: a search of radius " + FormatNumber(radius) +
                       " mm in steps of " + FormatNumber(step) +
                       " mm; expected at most 10^6 "
                       "offsets (lower maxGamma or stepsPerDistance)");
  }
  const double dtaSquared = options.distanceToAgreementMm * options.distanceToAgreementMm;
  std::vector<Offset> offsets;
  for (std::int64_t c = -n; c <= n; ++c) {
    for (std::int64_t b = -n; b <= n; ++b) {
      for (std::int64_t a = -n; a <= n; ++a) {
        const Eigen::Vector3d mm = step * Eigen::Vector3d(double(a), double(b), double(c));
        if (mm.norm() > radius + 1e-12) {
          continue;
        }
        Offset offset;
        offset.di = mm.x() / grid.SpacingMm()[0];
        offset.dj = mm.y() / grid.SpacingMm()[1];
        offset.dk = mm.z() / grid.SpacingMm()[2];
        offset.scaledDistanceSquared = mm.squaredNorm() / dtaSquared;
        offsets.push_back(offset);
      }
    }
  }
  std::sort(offsets.begin(), offsets.end(), [](const Offset& x, const Offset& y) {
    return x.scaledDistanceSquared < y.scaledDistanceSquared;
  });
  return offsets;
}

/// 1 for voxels whose centre lies within the radius of an excluded centre.
std::vector<std::uint8_t> ExcludedVoxels(const GridGeometry& grid, const GammaOptions& options) {
  std::vector<std::uint8_t> excluded(static_cast<std::size_t>(grid.NumberOfVoxels()), 0);
  if (!(options.excludedRadiusMm > 0.0)) {
    return excluded;
  }
  const auto& size = grid.Size();
  for (const Eigen::Vector3d& centre : options.excludedCentresMm) {
    if (!centre.allFinite()) {
      throw InvalidInput("gamma index: an excluded centre is not finite");
    }
    const Eigen::Vector3d index = grid.PointToContinuousIndex(centre);
    std::int64_t low[3];
    std::int64_t high[3];
    bool overlaps = true;
    for (int axis = 0; axis < 3; ++axis) {
      const double reach = options.excludedRadiusMm / grid.SpacingMm()[axis];
      const double last = static_cast<double>(size[axis] - 1);
      const double from = std::ceil(index[axis] - reach);
      const double to = std::floor(index[axis] + reach);
      if (!(to >= 0.0 && from <= last)) {
        overlaps = false;
        break;
      }
      low[axis] = static_cast<std::int64_t>(std::clamp(from, 0.0, last));
      high[axis] = static_cast<std::int64_t>(std::clamp(to, 0.0, last));
    }
    if (!overlaps) {
      continue;
    }
    const double radiusSquared = options.excludedRadiusMm * options.excludedRadiusMm;
    for (std::int64_t k = low[2]; k <= high[2]; ++k) {
      for (std::int64_t j = low[1]; j <= high[1]; ++j) {
        for (std::int64_t i = low[0]; i <= high[0]; ++i) {
          const Eigen::Vector3d p = grid.IndexToPoint(double(i), double(j), double(k));
          if ((p - centre).squaredNorm() <= radiusSquared) {
            excluded[static_cast<std::size_t>(grid.LinearIndex(i, j, k))] = 1;
          }
        }
      }
    }
  }
  return excluded;
}

/// Minimum and maximum of `dose` over the box of ±reach[axis] voxels around every voxel
/// (separable running minimum and maximum). Every sample of the search interpolates voxels of
/// that box, so a reference dose farther than maxGamma x ΔD from [low, high] has gamma >= maxGamma
/// and needs no search: this keeps a comparison of two very different doses fast.
void LocalRange(const Volume<float>& dose, const std::array<std::int64_t, 3>& reach,
                std::vector<float>& low, std::vector<float>& high) {
  const auto& size = dose.Geometry().Size();
  low = dose.Data();
  high = dose.Data();
  for (int axis = 0; axis < 3; ++axis) {
    const std::int64_t n = size[static_cast<std::size_t>(axis)];
    const std::int64_t r = reach[static_cast<std::size_t>(axis)];
    const std::int64_t stride = axis == 0 ? 1 : axis == 1 ? size[0] : size[0] * size[1];
    const std::int64_t lines = dose.NumberOfVoxels() / n;
#pragma omp parallel
    {
      std::vector<float> lineLow(static_cast<std::size_t>(n));
      std::vector<float> lineHigh(static_cast<std::size_t>(n));
#pragma omp for schedule(static)
      for (std::int64_t line = 0; line < lines; ++line) {
        // The first voxel of this line: lines enumerate the other two axes.
        std::int64_t start = 0;
        if (axis == 0) {
          start = line * size[0];
        } else if (axis == 1) {
          start = (line % size[0]) + (line / size[0]) * size[0] * size[1];
        } else {
          start = line;
        }
        for (std::int64_t i = 0; i < n; ++i) {
          float lo = std::numeric_limits<float>::max();
          float hi = std::numeric_limits<float>::lowest();
          for (std::int64_t m = std::max<std::int64_t>(0, i - r); m <= std::min(n - 1, i + r);
               ++m) {
            const auto at = static_cast<std::size_t>(start + m * stride);
            lo = std::min(lo, low[at]);
            hi = std::max(hi, high[at]);
          }
          lineLow[static_cast<std::size_t>(i)] = lo;
          lineHigh[static_cast<std::size_t>(i)] = hi;
        }
        for (std::int64_t i = 0; i < n; ++i) {
          const auto at = static_cast<std::size_t>(start + i * stride);
          low[at] = lineLow[static_cast<std::size_t>(i)];
          high[at] = lineHigh[static_cast<std::size_t>(i)];
        }
      }
    }
  }
}

} // namespace

GammaResult GammaIndex::Compute(const Volume<float>& reference, const Volume<float>& evaluated,
                                const GammaOptions& options) {
  const GridGeometry& grid = reference.Geometry();
  grid.Validate("gamma index: reference dose grid");
  if (!grid.SameAs(evaluated.Geometry()) || reference.NumberOfVoxels() != grid.NumberOfVoxels() ||
      evaluated.NumberOfVoxels() != grid.NumberOfVoxels()) {
    throw InvalidInput("gamma index: the evaluated dose grid (" + evaluated.Geometry().Describe() +
                       ") is not the reference grid (" + grid.Describe() +
                       "); expected both on one grid");
  }
  CheckPositive(options.doseDifferenceFraction, "the dose-difference criterion");
  CheckPositive(options.distanceToAgreementMm, "the distance to agreement (mm)");
  CheckPositive(options.normalisationDoseGy, "the normalisation dose (Gy)");
  if (!(options.lowDoseThresholdFraction >= 0.0) ||
      !std::isfinite(options.lowDoseThresholdFraction)) {
    throw InvalidInput("gamma index: the low-dose threshold is " +
                       FormatNumber(options.lowDoseThresholdFraction) + "; expected >= 0");
  }
  if (!(options.maxGamma >= 1.0) || !std::isfinite(options.maxGamma) ||
      options.stepsPerDistance < 1) {
    throw InvalidInput("gamma index: maxGamma " + FormatNumber(options.maxGamma) +
                       " and steps per distance " + std::to_string(options.stepsPerDistance) +
                       "; expected maxGamma >= 1 and at least one step");
  }
  const std::vector<Offset> offsets = SearchLattice(grid, options);
  const std::vector<std::uint8_t> excluded = ExcludedVoxels(grid, options);
  std::array<std::int64_t, 3> reach{};
  for (int axis = 0; axis < 3; ++axis) {
    // The search radius in voxels, plus the next voxel that trilinear interpolation reads.
    reach[static_cast<std::size_t>(axis)] =
        static_cast<std::int64_t>(
            std::ceil(options.maxGamma * options.distanceToAgreementMm / grid.SpacingMm()[axis])) +
        1;
  }
  std::vector<float> localLow;
  std::vector<float> localHigh;
  LocalRange(evaluated, reach, localLow, localHigh);
  const double doseCriterionGy = options.doseDifferenceFraction * options.normalisationDoseGy;
  const double thresholdGy = options.lowDoseThresholdFraction * options.normalisationDoseGy;
  const double capSquared = options.maxGamma * options.maxGamma;
  const auto& size = grid.Size();

  std::int64_t evaluatedPoints = 0, passed = 0, below = 0, nearSeeds = 0;
  double gammaSum = 0.0;
  double gammaMax = 0.0;
  std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic, 1) reduction(+ : evaluatedPoints, passed, below, nearSeeds, gammaSum) reduction(max : gammaMax)
  for (std::int64_t k = 0; k < size[2]; ++k) {
    try {
      for (std::int64_t j = 0; j < size[1]; ++j) {
        for (std::int64_t i = 0; i < size[0]; ++i) {
          const std::int64_t linear = grid.LinearIndex(i, j, k);
          const double referenceGy = reference.Data()[static_cast<std::size_t>(linear)];
          if (referenceGy < thresholdGy) {
            ++below;
            continue;
          }
          if (excluded[static_cast<std::size_t>(linear)] != 0) {
            ++nearSeeds;
            continue;
          }
          double best = capSquared;
          const double gap =
              std::max({0.0, referenceGy - localHigh[static_cast<std::size_t>(linear)],
                        localLow[static_cast<std::size_t>(linear)] - referenceGy}) /
              doseCriterionGy;
          // No evaluated dose within reach comes close enough: gamma is at least the cap.
          for (std::size_t o = 0; gap * gap < best && o < offsets.size(); ++o) {
            const Offset& offset = offsets[o];
            if (offset.scaledDistanceSquared >= best) {
              break;
            }
            double evaluatedGy = 0.0;
            if (!Sample(evaluated, double(i) + offset.di, double(j) + offset.dj,
                        double(k) + offset.dk, evaluatedGy)) {
              continue;
            }
            const double difference = (evaluatedGy - referenceGy) / doseCriterionGy;
            best = std::min(best, offset.scaledDistanceSquared + difference * difference);
          }
          const double gamma = std::sqrt(best);
          ++evaluatedPoints;
          if (gamma <= 1.0) {
            ++passed;
          }
          gammaSum += gamma;
          gammaMax = std::max(gammaMax, gamma);
        }
      }
    } catch (...) {
#pragma omp critical(seedplan_gamma_failure)
      if (!failure) {
        failure = std::current_exception();
      }
    }
  }
  if (failure) {
    std::rethrow_exception(failure);
  }
  GammaResult result;
  result.evaluatedPoints = evaluatedPoints;
  result.passedPoints = passed;
  result.belowThresholdPoints = below;
  result.nearExcludedPoints = nearSeeds;
  if (evaluatedPoints > 0) {
    result.passRatePct = 100.0 * static_cast<double>(passed) / static_cast<double>(evaluatedPoints);
    result.meanGamma = gammaSum / static_cast<double>(evaluatedPoints);
  }
  result.maxGamma = gammaMax;
  return result;
}

} // namespace seedplan::dosimetry
