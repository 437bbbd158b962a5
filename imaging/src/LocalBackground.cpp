#include "LocalBackground.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <utility>

namespace seedplan::imaging {
namespace {

/// At most this many voxel pairs are sampled for the noise (enough for a 1 % estimate).
constexpr std::size_t kNoiseSamples = 400000;
constexpr std::size_t kMinNoiseSamples = 1000;
constexpr int kRingDirections = 16;
/// 1.4826: the median absolute deviation of a Gaussian is 0.6745 sigma.
constexpr double kMadToSigma = 1.4826;

/// Median of `values` (reordered); `fallback` when empty.
double Median(std::vector<float>& values, double fallback) {
  if (values.empty()) {
    return fallback;
  }
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

} // namespace

double LocalBackground::NoiseSigma(const Volume<short>& ct) {
  const GridGeometry& geometry = ct.Geometry();
  const auto& size = geometry.Size();
  const std::vector<short>& data = ct.Data();
  if (size[0] < 3) {
    return 0.0;
  }
  const double pairs = static_cast<double>(size[0] - 2) * static_cast<double>(size[1] * size[2]);
  const auto stride = static_cast<std::int64_t>(std::max(1.0, std::floor(pairs / kNoiseSamples)));
  std::vector<float> tissue;
  std::vector<float> any;
  std::int64_t n = 0;
  for (std::int64_t k = 0; k < size[2]; ++k) {
    for (std::int64_t j = 0; j < size[1]; ++j) {
      const std::int64_t row = geometry.LinearIndex(0, j, k);
      for (std::int64_t i = n % stride; i + 2 < size[0]; i += stride) {
        const short a = data[static_cast<std::size_t>(row + i)];
        const short b = data[static_cast<std::size_t>(row + i + 2)];
        const auto difference = static_cast<float>(a - b);
        if (a > -300 && a < 300 && b > -300 && b < 300) {
          tissue.push_back(difference);
        } else if (a < 3000 && b < 3000 && any.size() < kNoiseSamples) {
          any.push_back(difference);
        }
      }
      n += size[0];
    }
  }
  std::vector<float>& sample = tissue.size() >= kMinNoiseSamples ? tissue : any;
  if (&sample == &any) {
    sample.insert(sample.end(), tissue.begin(), tissue.end());
  }
  if (sample.empty()) {
    return 0.0;
  }
  for (float& value : sample) {
    value = std::abs(value);
  }
  return kMadToSigma * Median(sample, 0.0) / std::numbers::sqrt2;
}

RingStatistics LocalBackground::Ring(const Volume<short>& ct, std::int64_t i, std::int64_t j,
                                     std::int64_t k, double radiusMm) {
  const GridGeometry& geometry = ct.Geometry();
  const auto& size = geometry.Size();
  const Eigen::Vector3d& spacing = geometry.SpacingMm();
  // The ring's offsets, for the last spacing and radius asked for (one scan at a time per
  // thread).
  thread_local std::array<std::array<std::int64_t, 2>, kRingDirections> offsets{};
  thread_local Eigen::Vector3d offsetsFor = Eigen::Vector3d::Zero();
  const Eigen::Vector3d key(spacing[0], spacing[1], radiusMm);
  if (key != offsetsFor) {
    for (int d = 0; d < kRingDirections; ++d) {
      const double angle = 2.0 * std::numbers::pi * d / kRingDirections;
      offsets[static_cast<std::size_t>(d)] = {std::lround(radiusMm * std::cos(angle) / spacing[0]),
                                              std::lround(radiusMm * std::sin(angle) / spacing[1])};
    }
    offsetsFor = key;
  }
  std::array<float, 3 * kRingDirections> storage{};
  std::size_t count = 0;
  for (std::int64_t kk = std::max<std::int64_t>(0, k - 1);
       kk <= std::min<std::int64_t>(size[2] - 1, k + 1); ++kk) {
    for (int d = 0; d < kRingDirections; ++d) {
      const std::int64_t ii = i + offsets[static_cast<std::size_t>(d)][0];
      const std::int64_t jj = j + offsets[static_cast<std::size_t>(d)][1];
      if (ii >= 0 && jj >= 0 && ii < size[0] && jj < size[1]) {
        storage[count++] = ct.Data()[static_cast<std::size_t>(geometry.LinearIndex(ii, jj, kk))];
      }
    }
  }
  RingStatistics result;
  if (count == 0) {
    return result;
  }
  float* first = storage.data();
  float* last = storage.data() + count;
  const auto at = [&](double quantile) {
    float* nth =
        first + static_cast<std::ptrdiff_t>(std::lround(quantile * static_cast<double>(count - 1)));
    std::nth_element(first, nth, last);
    return static_cast<double>(*nth);
  };
  result.highHu = at(0.75);
  result.medianHu = at(0.5);
  for (float* value = first; value != last; ++value) {
    *value = static_cast<float>(std::abs(*value - result.medianHu));
  }
  result.spreadHu = kMadToSigma * at(0.5);
  return result;
}

void LocalBackground::Estimate(FitWindow& window, const std::vector<std::uint8_t>& ring) {
  constexpr std::size_t kNearest = 8;
  const std::int64_t nx = window.size[0];
  const std::int64_t ny = window.size[1];
  std::vector<float> all;
  for (std::size_t n = 0; n < ring.size(); ++n) {
    if (ring[n] != 0 && window.used[n] != 0) {
      all.push_back(window.observedHu[n]);
    }
  }
  const double fallback = Median(all, 0.0);
  window.backgroundHu.assign(window.observedHu.size(), static_cast<float>(fallback));
  window.backgroundSpreadHu.assign(window.observedHu.size(), 0.0F);
  std::vector<float> values;
  std::vector<std::pair<std::int64_t, float>> nearest;
  for (std::int64_t k = 0; k < window.size[2]; ++k) {
    const std::int64_t sliceStart = nx * ny * k;
    for (std::int64_t j = 0; j < ny; ++j) {
      for (std::int64_t i = 0; i < nx; ++i) {
        const auto n = static_cast<std::size_t>(sliceStart + i + nx * j);
        values.clear();
        if (ring[n] != 0) {
          values.push_back(window.observedHu[n]);
        } else {
          nearest.clear();
          for (std::int64_t jj = 0; jj < ny; ++jj) {
            for (std::int64_t ii = 0; ii < nx; ++ii) {
              const auto m = static_cast<std::size_t>(sliceStart + ii + nx * jj);
              if (ring[m] != 0 && window.used[m] != 0) {
                nearest.emplace_back((ii - i) * (ii - i) + (jj - j) * (jj - j),
                                     window.observedHu[m]);
              }
            }
          }
          const std::size_t keep = std::min(kNearest, nearest.size());
          std::partial_sort(
              nearest.begin(), nearest.begin() + static_cast<std::ptrdiff_t>(keep), nearest.end(),
              [](const auto& left, const auto& right) { return left.first < right.first; });
          for (std::size_t q = 0; q < keep; ++q) {
            values.push_back(nearest[q].second);
          }
        }
        const double median = Median(values, fallback);
        window.backgroundHu[n] = static_cast<float>(median);
        if (values.size() > 1) {
          for (float& value : values) {
            value = static_cast<float>(std::abs(value - median));
          }
          window.backgroundSpreadHu[n] = static_cast<float>(kMadToSigma * Median(values, 0.0));
        }
      }
    }
  }
}

} // namespace seedplan::imaging
