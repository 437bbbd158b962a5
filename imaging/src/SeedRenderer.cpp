#include "seedplan/imaging/SeedRenderer.h"

#include "seedplan/core/Error.h"

#include <Eigen/Core>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <map>
#include <numbers>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>

namespace seedplan::imaging {
namespace {

constexpr double kScannerMinHu = -1024.0;
/// Supersampling step inside a voxel the capsule surface crosses: 0.1 mm is 1/8 of the capsule
/// diameter, so the fill fraction is right to about 1 % of a voxel.
constexpr double kSampleStepMm = 0.1;
constexpr int kMaxSamplesPerAxis = 32;
constexpr double kStreakWidthSigmaMm = 0.6;
constexpr double kStreakDecayMm = 25.0;
/// Beyond this distance a streak has decayed below exp(-3), about 5 % of its amplitude.
constexpr double kStreakReachMm = 3.0 * kStreakDecayMm;
constexpr int kMinStreaks = 3;
constexpr int kMaxStreaks = 5;

double DistanceToSegment(const Eigen::Vector3d& point, const Eigen::Vector3d& a,
                         const Eigen::Vector3d& b) {
  const Eigen::Vector3d ab = b - a;
  const double lengthSquared = ab.squaredNorm();
  double t = lengthSquared > 0.0 ? (point - a).dot(ab) / lengthSquared : 0.0;
  t = std::clamp(t, 0.0, 1.0);
  return (point - (a + t * ab)).norm();
}

/// One voxel touched by one seed: grid index, the fraction of the voxel inside the capsule and,
/// for a voxel the capsule's surface crosses, that fraction per sub-sample column (u, v) of the
/// i-j plane (u fastest; empty for a voxel wholly inside), which the in-plane blur needs: metal
/// near a pixel's edge spreads more into the neighbour than metal at its centre.
struct Fill {
  std::array<std::int64_t, 3> index;
  double fraction;
  std::vector<float> columns;
};

/// Supersamples per voxel along each grid axis.
std::array<int, 3> SamplesPerAxis(const Eigen::Vector3d& spacingMm) {
  std::array<int, 3> samples{};
  for (int axis = 0; axis < 3; ++axis) {
    samples[axis] = std::clamp(static_cast<int>(std::ceil(spacingMm[axis] / kSampleStepMm)), 3,
                               kMaxSamplesPerAxis);
  }
  return samples;
}

/// Fraction of every voxel inside the capsule of one seed.
std::vector<Fill> CapsuleFill(const GridGeometry& geometry, const Eigen::Vector3d& centreMm,
                              const Eigen::Vector3d& direction, double lengthMm,
                              double diameterMm) {
  const double radiusMm = 0.5 * diameterMm;
  const double halfAxisMm = 0.5 * lengthMm - radiusMm;
  const Eigen::Vector3d a = centreMm - halfAxisMm * direction;
  const Eigen::Vector3d b = centreMm + halfAxisMm * direction;
  const Eigen::Vector3d lowMm = a.cwiseMin(b).array() - radiusMm;
  const Eigen::Vector3d highMm = a.cwiseMax(b).array() + radiusMm;

  Eigen::Vector3d lowIndex = Eigen::Vector3d::Constant(1e300);
  Eigen::Vector3d highIndex = Eigen::Vector3d::Constant(-1e300);
  for (int corner = 0; corner < 8; ++corner) {
    const Eigen::Vector3d point((corner & 1) ? highMm.x() : lowMm.x(),
                                (corner & 2) ? highMm.y() : lowMm.y(),
                                (corner & 4) ? highMm.z() : lowMm.z());
    const Eigen::Vector3d index = geometry.PointToContinuousIndex(point);
    lowIndex = lowIndex.cwiseMin(index);
    highIndex = highIndex.cwiseMax(index);
  }
  std::array<std::int64_t, 3> first{};
  std::array<std::int64_t, 3> last{};
  for (int axis = 0; axis < 3; ++axis) {
    first[axis] = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::floor(lowIndex[axis])));
    last[axis] = std::min<std::int64_t>(geometry.Size()[axis] - 1,
                                        static_cast<std::int64_t>(std::ceil(highIndex[axis])));
  }

  const Eigen::Vector3d& spacing = geometry.SpacingMm();
  const double halfDiagonalMm = 0.5 * spacing.norm();
  const std::array<int, 3> samples = SamplesPerAxis(spacing);
  // Sample offsets in patient mm, relative to a voxel centre.
  std::vector<Eigen::Vector3d> offsets;
  offsets.reserve(static_cast<std::size_t>(samples[0] * samples[1] * samples[2]));
  for (int w = 0; w < samples[2]; ++w) {
    for (int v = 0; v < samples[1]; ++v) {
      for (int u = 0; u < samples[0]; ++u) {
        const Eigen::Vector3d local((u + 0.5) / samples[0] - 0.5, (v + 0.5) / samples[1] - 0.5,
                                    (w + 0.5) / samples[2] - 0.5);
        offsets.push_back(geometry.Direction() * local.cwiseProduct(spacing));
      }
    }
  }

  std::vector<Fill> fills;
  for (std::int64_t k = first[2]; k <= last[2]; ++k) {
    for (std::int64_t j = first[1]; j <= last[1]; ++j) {
      for (std::int64_t i = first[0]; i <= last[0]; ++i) {
        const Eigen::Vector3d centre = geometry.IndexToPoint(
            static_cast<double>(i), static_cast<double>(j), static_cast<double>(k));
        const double distanceMm = DistanceToSegment(centre, a, b);
        if (distanceMm >= radiusMm + halfDiagonalMm) {
          continue;
        }
        double fraction = 1.0;
        std::vector<float> columns;
        if (distanceMm > radiusMm - halfDiagonalMm) {
          int inside = 0;
          columns.assign(static_cast<std::size_t>(samples[0] * samples[1]), 0.0F);
          const float share = 1.0F / static_cast<float>(offsets.size());
          for (std::size_t n = 0; n < offsets.size(); ++n) {
            if (DistanceToSegment(centre + offsets[n], a, b) <= radiusMm) {
              ++inside;
              columns[n % columns.size()] += share;
            }
          }
          fraction = static_cast<double>(inside) / static_cast<double>(offsets.size());
        }
        if (fraction > 0.0) {
          fills.push_back({{i, j, k}, fraction, std::move(columns)});
        }
      }
    }
  }
  return fills;
}

/// In-plane blur weights along one grid axis, for metal at `samples` sub-pixel positions of a
/// pixel (rows) and for metal spread evenly over the pixel (last row): the Gaussian PSF
/// integrated over each target pixel, from the metal's own position. Index halfWidth + m is the
/// pixel m away.
struct BlurKernel {
  int halfWidth = 0;
  std::vector<std::vector<double>> weights;
};

BlurKernel MakeBlurKernel(double sigmaMm, double spacingMm, int samples) {
  BlurKernel kernel;
  if (!(sigmaMm > 0.0)) {
    kernel.weights.assign(static_cast<std::size_t>(samples) + 1, std::vector<double>{1.0});
    return kernel;
  }
  kernel.halfWidth = std::max(1, static_cast<int>(std::ceil(3.0 * sigmaMm / spacingMm + 0.5)));
  const auto cdf = [sigmaMm](double xMm) {
    return 0.5 * std::erfc(-xMm / (sigmaMm * std::numbers::sqrt2));
  };
  const auto width = static_cast<std::size_t>(2 * kernel.halfWidth + 1);
  std::vector<double> mean(width, 0.0);
  for (int u = 0; u < samples; ++u) {
    const double offsetMm = ((u + 0.5) / samples - 0.5) * spacingMm;
    std::vector<double> row(width);
    for (int m = -kernel.halfWidth; m <= kernel.halfWidth; ++m) {
      row[static_cast<std::size_t>(m + kernel.halfWidth)] =
          cdf((m + 0.5) * spacingMm - offsetMm) - cdf((m - 0.5) * spacingMm - offsetMm);
      mean[static_cast<std::size_t>(m + kernel.halfWidth)] +=
          row[static_cast<std::size_t>(m + kernel.halfWidth)] / samples;
    }
    kernel.weights.push_back(std::move(row));
  }
  kernel.weights.push_back(std::move(mean));
  return kernel;
}

void CheckOptions(const SeedRenderOptions& options) {
  const auto fail = [](const std::string& field, double value, const std::string& expected) {
    throw InvalidInput("seed rendering option " + field + " is " + std::to_string(value) +
                       "; expected " + expected);
  };
  if (!(options.seedDiameterMm > 0.0) || !std::isfinite(options.seedDiameterMm)) {
    fail("seedDiameterMm", options.seedDiameterMm, "a positive length in mm");
  }
  if (!(options.seedLengthMm >= options.seedDiameterMm) || !std::isfinite(options.seedLengthMm)) {
    fail("seedLengthMm", options.seedLengthMm, "a length in mm at least the diameter");
  }
  if (!(options.metalHu > kScannerMinHu && options.metalHu <= 32767.0)) {
    fail("metalHu", options.metalHu, "a value in (-1024, 32767] HU");
  }
  if (!(options.seedAttenuationHu >= options.metalHu) ||
      !std::isfinite(options.seedAttenuationHu)) {
    fail("seedAttenuationHu", options.seedAttenuationHu, "a finite value of at least metalHu");
  }
  if (!(options.noiseSigmaHu >= 0.0) || !std::isfinite(options.noiseSigmaHu)) {
    fail("noiseSigmaHu", options.noiseSigmaHu, "a non-negative value in HU");
  }
  if (!std::isfinite(options.streakAmplitudeHu)) {
    fail("streakAmplitudeHu", options.streakAmplitudeHu, "a finite value in HU");
  }
  if (!(options.psfFwhmMm >= 0.0) || !std::isfinite(options.psfFwhmMm)) {
    fail("psfFwhmMm", options.psfFwhmMm, "a non-negative length in mm");
  }
}

} // namespace

void SeedRenderer::Render(Volume<short>& ct, const std::vector<Seed>& seeds,
                          const SeedRenderOptions& options) {
  CheckOptions(options);
  const GridGeometry& geometry = ct.Geometry();
  if (ct.NumberOfVoxels() == 0) {
    throw InvalidInput("seed rendering: the CT volume is empty");
  }
  const Eigen::Vector3d& spacing = geometry.SpacingMm();
  const auto& size = geometry.Size();
  std::mt19937 random(options.randomSeed);

  // Metal fill fraction, summed over seeds, and additive streak values, both sparse (by linear
  // index): only voxels near seeds carry them.
  std::unordered_map<std::int64_t, double> fillByVoxel;
  std::unordered_map<std::int64_t, double> streakByVoxel;

  const double psfSigmaMm = options.psfFwhmMm / (2.0 * std::sqrt(2.0 * std::numbers::ln2));
  const std::array<int, 3> samples = SamplesPerAxis(spacing);
  const BlurKernel kernelI = MakeBlurKernel(psfSigmaMm, spacing[0], samples[0]);
  const BlurKernel kernelJ = MakeBlurKernel(psfSigmaMm, spacing[1], samples[1]);
  const int halfI = kernelI.halfWidth;
  const int halfJ = kernelJ.halfWidth;

  std::uniform_real_distribution<double> uniform(0.0, 1.0);
  std::uniform_int_distribution<int> streakCount(kMinStreaks, kMaxStreaks);
  const double metalAreaMm2 =
      std::numbers::pi * 0.25 * options.seedDiameterMm * options.seedDiameterMm;

  for (std::size_t s = 0; s < seeds.size(); ++s) {
    const Seed& seed = seeds[s];
    Eigen::Vector3d direction = Eigen::Vector3d::UnitZ();
    if (seed.direction) {
      const double norm = seed.direction->norm();
      if (!(norm > 1e-9) || !std::isfinite(norm)) {
        throw InvalidInput("seed rendering: seed " + std::to_string(s + 1) +
                           " has a direction of zero or non-finite length; expected a vector "
                           "along the seed's long axis");
      }
      direction = *seed.direction / norm;
    }
    const std::vector<Fill> fills = CapsuleFill(geometry, seed.positionMm, direction,
                                                options.seedLengthMm, options.seedDiameterMm);

    // Blurred fill of this seed, and the metal per slice (for the streaks).
    std::unordered_map<std::int64_t, double> blurred;
    std::map<std::int64_t, std::pair<double, Eigen::Vector2d>> metalBySlice;
    for (const Fill& fill : fills) {
      const auto [i, j, k] = fill.index;
      // Eigen vectors are not zeroed by default construction: start the sums explicitly.
      auto& slice = metalBySlice.try_emplace(k, 0.0, Eigen::Vector2d::Zero()).first->second;
      slice.first += fill.fraction;
      slice.second +=
          fill.fraction * Eigen::Vector2d(static_cast<double>(i), static_cast<double>(j));
      // Blur weights of this voxel's metal: per sub-sample column where the surface crosses it,
      // the pixel-averaged kernel where it is wholly metal.
      std::vector<double> weights(static_cast<std::size_t>((2 * halfI + 1) * (2 * halfJ + 1)), 0.0);
      const auto addColumn = [&](const std::vector<double>& rowI, const std::vector<double>& rowJ,
                                 double amount) {
        for (int dj = -halfJ; dj <= halfJ; ++dj) {
          const double wj = amount * rowJ[static_cast<std::size_t>(dj + halfJ)];
          for (int di = -halfI; di <= halfI; ++di) {
            weights[static_cast<std::size_t>((dj + halfJ) * (2 * halfI + 1) + di + halfI)] +=
                wj * rowI[static_cast<std::size_t>(di + halfI)];
          }
        }
      };
      if (fill.columns.empty()) {
        addColumn(kernelI.weights.back(), kernelJ.weights.back(), fill.fraction);
      } else {
        for (int v = 0; v < samples[1]; ++v) {
          for (int u = 0; u < samples[0]; ++u) {
            const float amount = fill.columns[static_cast<std::size_t>(v * samples[0] + u)];
            if (amount > 0.0F) {
              addColumn(kernelI.weights[static_cast<std::size_t>(u)],
                        kernelJ.weights[static_cast<std::size_t>(v)], amount);
            }
          }
        }
      }
      for (int dj = -halfJ; dj <= halfJ; ++dj) {
        const std::int64_t jj = j + dj;
        if (jj < 0 || jj >= size[1]) {
          continue;
        }
        for (int di = -halfI; di <= halfI; ++di) {
          const std::int64_t ii = i + di;
          if (ii < 0 || ii >= size[0]) {
            continue;
          }
          blurred[geometry.LinearIndex(ii, jj, k)] +=
              weights[static_cast<std::size_t>((dj + halfJ) * (2 * halfI + 1) + di + halfI)];
        }
      }
    }
    for (const auto& [linear, fraction] : blurred) {
      fillByVoxel[linear] += fraction;
    }

    if (!options.streaks || options.streakAmplitudeHu == 0.0) {
      continue;
    }
    const int lines = streakCount(random);
    std::vector<Eigen::Vector2d> lineDirections;
    const double firstAngle = std::numbers::pi * uniform(random);
    for (int line = 0; line < lines; ++line) {
      // Spread the lines over the half circle with some jitter, so that they do not coincide.
      const double angle =
          firstAngle + std::numbers::pi * (line + 0.6 * (uniform(random) - 0.5)) / lines;
      lineDirections.emplace_back(std::cos(angle), std::sin(angle));
    }
    const double amplitudeJitter = 0.75 + 0.5 * uniform(random);
    const int reachI = static_cast<int>(std::ceil(kStreakReachMm / spacing[0]));
    const int reachJ = static_cast<int>(std::ceil(kStreakReachMm / spacing[1]));
    for (const auto& [k, slice] : metalBySlice) {
      // The metal a ray crosses in this slice, relative to a seed crossing it lengthwise.
      const double metalMm3 = slice.first * geometry.VoxelVolumeMm3();
      const double strength = std::min(1.0, metalMm3 / (metalAreaMm2 * spacing[2]));
      const Eigen::Vector2d centre = slice.second / slice.first;
      const double amplitude = options.streakAmplitudeHu * amplitudeJitter * strength;
      const auto ci = static_cast<std::int64_t>(std::lround(centre.x()));
      const auto cj = static_cast<std::int64_t>(std::lround(centre.y()));
      for (std::int64_t j = std::max<std::int64_t>(0, cj - reachJ);
           j <= std::min<std::int64_t>(size[1] - 1, cj + reachJ); ++j) {
        for (std::int64_t i = std::max<std::int64_t>(0, ci - reachI);
             i <= std::min<std::int64_t>(size[0] - 1, ci + reachI); ++i) {
          const Eigen::Vector2d offsetMm((static_cast<double>(i) - centre.x()) * spacing[0],
                                         (static_cast<double>(j) - centre.y()) * spacing[1]);
          const double distanceMm = offsetMm.norm();
          if (distanceMm > kStreakReachMm) {
            continue;
          }
          double value = 0.0;
          for (std::size_t line = 0; line < lineDirections.size(); ++line) {
            const Eigen::Vector2d& u = lineDirections[line];
            const double across = u.x() * offsetMm.y() - u.y() * offsetMm.x();
            if (std::abs(across) > 3.0 * kStreakWidthSigmaMm) {
              continue;
            }
            const double sign = (line % 2 == 0) ? 1.0 : -1.0;
            value +=
                sign *
                std::exp(-0.5 * across * across / (kStreakWidthSigmaMm * kStreakWidthSigmaMm)) *
                std::exp(-distanceMm / kStreakDecayMm);
          }
          if (value != 0.0) {
            streakByVoxel[geometry.LinearIndex(i, j, k)] += amplitude * value;
          }
        }
      }
    }
  }

  // Everything that changes a voxel besides noise, sorted by linear index for one pass.
  std::vector<std::pair<std::int64_t, std::pair<double, double>>> changes;
  changes.reserve(fillByVoxel.size() + streakByVoxel.size());
  for (const auto& [linear, fraction] : fillByVoxel) {
    const auto streak = streakByVoxel.find(linear);
    changes.push_back(
        {linear, {std::min(1.0, fraction), streak == streakByVoxel.end() ? 0.0 : streak->second}});
  }
  for (const auto& [linear, streak] : streakByVoxel) {
    if (!fillByVoxel.contains(linear)) {
      changes.push_back({linear, {0.0, streak}});
    }
  }
  std::sort(changes.begin(), changes.end(),
            [](const auto& left, const auto& right) { return left.first < right.first; });

  std::normal_distribution<double> noise(0.0,
                                         options.noiseSigmaHu > 0.0 ? options.noiseSigmaHu : 1.0);
  const bool addNoise = options.noiseSigmaHu > 0.0;
  std::vector<short>& data = ct.Data();
  std::size_t next = 0;
  for (std::size_t linear = 0; linear < data.size(); ++linear) {
    const double background = data[linear];
    double value = background;
    if (next < changes.size() && changes[next].first == static_cast<std::int64_t>(linear)) {
      const auto [fraction, streak] = changes[next].second;
      value = (1.0 - fraction) * background + fraction * options.seedAttenuationHu + streak;
      ++next;
    } else if (!addNoise) {
      continue;
    }
    if (addNoise) {
      value += noise(random);
    }
    data[linear] =
        static_cast<short>(std::lround(std::clamp(value, kScannerMinHu, options.metalHu)));
  }
}

} // namespace seedplan::imaging
