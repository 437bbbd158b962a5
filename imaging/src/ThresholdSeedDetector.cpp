#include "ThresholdSeedDetector.h"

#include "ThresholdSeedFit.h"

#include "seedplan/core/Error.h"

#include <Eigen/Core>
#include <Eigen/Eigenvalues>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <deque>
#include <limits>
#include <numbers>
#include <random>
#include <sstream>
#include <unordered_map>
#include <utility>

namespace seedplan::imaging {
namespace {

using namespace seedplan::imaging::threshold;

/// The options of the fixed-appearance detector: SeedDetectionOptions with this detector's
/// defaults where the learned detector measures the value on the scan.
struct ThresholdOptions {
  double thresholdHu = ThresholdSeedDetector::kDefaultThresholdHu;
  std::optional<int> expectedCount;
  double seedLengthMm = 4.5;
  double seedDiameterMm = 0.8;
  double seedAttenuationHu = ThresholdSeedDetector::kDefaultAttenuationHu;
  double psfFwhmMm = ThresholdSeedDetector::kDefaultPsfFwhmMm;
};

/// Window margin around a component's bounding box, in voxels: in plane the partial-volume and
/// blur tail of a seed dies out within two pixels, and a third gives the background; along the
/// slice axis the tip of a seed reaches at most into the next slice.
constexpr std::int64_t kMarginInPlane = 3;
constexpr std::int64_t kMarginAcross = 1;
/// Every seed has voxels at least this bright (a voxel ~6 % seed reaches ~3000 HU), while dense
/// bone (<= ~1900 HU) with a streak over it (<= ~750 HU) does not: components grow from such
/// cores only, plus the metal voxels touching them, so streak lines over bone that cross the
/// metal threshold neither form components nor join a seed's.
constexpr double kSeedCoreHu = 2800.0;
/// At most this many seeds are fitted in one component (the clusters have 2-3 seeds).
constexpr int kMaxSeedsPerComponent = 4;
/// A further seed is accepted when the fit with it leaves at most this share of the robust cost
/// of one seed fewer and every fitted seed has a metal core (kMinCoreSupport). Measured
/// (0.8 x 0.8 x 2.5 mm, streaks and noise on): a real second or third seed leaves 13-65 % (side
/// by side seeds saturate like one fat one, so fewer capsules already explain much of them); a
/// lone seed's second capsule has nowhere to go and leaves >= 98 %; a capsule fitted to streaks
/// over dense bone next to a seed leaves 54-67 % and mostly has no saturated core (where it
/// has one, it explains no saturated metal of its own: kMinOwnSaturatedMm3).
constexpr double kSplitCostRatio = 0.8;
/// Gap (mm) between the capsules of a side-by-side start.
constexpr double kSideBySideGapMm = 0.05;
/// With an expected count, a further seed may be accepted up to this share.
constexpr double kExpectedSplitCostRatio = 0.8;
/// A fitted capsule is a seed only if this share of its core shows metal
/// (ThresholdSeedFit::CoreSupport). A seed whose axis makes less than this cosine with the slice
/// normal (about 80-90 degrees: within 10 degrees of the slice plane) lies flat in its slice.
constexpr double kFlatSeedMaxAxisCosine = 0.17;
constexpr double kMinCoreSupport = 0.8;
/// Each seed of a split must alone explain at least this volume of saturated (>= kSeedCoreHu)
/// metal. Measured (0.8 x 0.8 x 2.5 mm, 1.6 mm^3 voxels, streaks and noise on): every seed of the
/// touching pairs and triples explains 2-21 voxels of its own (3.2-34 mm^3; 2 for seeds side by
/// side along z, whose saturated pixels they share); the second capsule fitted to the streaks
/// over a 1900 HU bone block beside a lone seed explains 1 (1.6 mm^3). Two flat seeds stacked
/// within one slice explain 0-2 each and are then left to the expected count (step 6).
constexpr double kMinOwnSaturatedMm3 = 3.0;
/// Residual (HU) above which a voxel holds metal that the current seeds do not explain.
constexpr double kUnexplainedHu = 1000.0;
/// The axis is reported when its 1-sigma uncertainty is below this (15 degrees).
constexpr double kMaxAxisSigmaRad = 15.0 * std::numbers::pi / 180.0;
constexpr double kSplitConfidenceFactor = 0.9;
constexpr double kNoDirectionConfidenceFactor = 0.8;
constexpr int kKMeansStarts = 2;
/// Partition starts refined by Levenberg-Marquardt for k >= 2 seeds, the cheapest first.
constexpr std::size_t kRefinedPartitions = 2;
/// Directions tried (cost only) for one seed, and how many of the best are fitted: a Fibonacci
/// set of 64 over the hemisphere is ~13 degrees apart, inside the fit's basin.
constexpr int kScanDirections = 64;
constexpr int kScanStarts = 3;
/// Offsets of the scanned centres across the slices, in slices: the blob's centroid can lie a
/// third of a slice off (a seed filling one slice fully and the next barely).
constexpr std::array<double, 3> kScanOffsets{-1.0 / 3.0, 0.0, 1.0 / 3.0};
constexpr int kKMeansIterations = 20;

struct MetalVoxel {
  std::array<std::int64_t, 3> index;
  Eigen::Vector3d pointMm;
  double hu;
};

/// Weighted centroid and principal axes (columns, by decreasing variance) of some points.
struct PrincipalAxes {
  Eigen::Vector3d centroid = Eigen::Vector3d::Zero();
  Eigen::Matrix3d axes = Eigen::Matrix3d::Identity();
  Eigen::Vector3d variances = Eigen::Vector3d::Zero();
};

PrincipalAxes Principal(const std::vector<Eigen::Vector3d>& points,
                        const std::vector<double>& weights) {
  PrincipalAxes result;
  double total = 0.0;
  for (std::size_t n = 0; n < points.size(); ++n) {
    result.centroid += weights[n] * points[n];
    total += weights[n];
  }
  if (total <= 0.0) {
    return result;
  }
  result.centroid /= total;
  Eigen::Matrix3d covariance = Eigen::Matrix3d::Zero();
  for (std::size_t n = 0; n < points.size(); ++n) {
    const Eigen::Vector3d offset = points[n] - result.centroid;
    covariance += weights[n] * offset * offset.transpose();
  }
  covariance /= total;
  const Eigen::SelfAdjointEigenSolver<Eigen::Matrix3d> solver(covariance);
  for (int c = 0; c < 3; ++c) {
    result.axes.col(c) = solver.eigenvectors().col(2 - c);
    result.variances[c] = std::max(0.0, solver.eigenvalues()[2 - c]);
  }
  return result;
}

/// kScanDirections unit vectors spread evenly over the upper hemisphere (a Fibonacci lattice).
const std::vector<Eigen::Vector3d>& ScanDirections() {
  static const std::vector<Eigen::Vector3d> directions = [] {
    std::vector<Eigen::Vector3d> result;
    for (int d = 0; d < kScanDirections; ++d) {
      const double z = (d + 0.5) / kScanDirections;
      const double ring = std::sqrt(1.0 - z * z);
      const double angle = d * std::numbers::pi * (3.0 - std::sqrt(5.0));
      result.emplace_back(ring * std::cos(angle), ring * std::sin(angle), z);
    }
    return result;
  }();
  return directions;
}

/// The unit vector with its largest component positive (a seed's axis has no sign).
Eigen::Vector3d CanonicalAxis(const Eigen::Vector3d& axis) {
  Eigen::Index largest = 0;
  axis.cwiseAbs().maxCoeff(&largest);
  return axis[largest] < 0.0 ? Eigen::Vector3d(-axis) : axis;
}

/// Starting capsules for k seeds in one component: a partition of its metal voxels, each part a
/// capsule at its weighted centroid along its principal axis.
std::vector<Capsule> CapsulesOf(const std::vector<Eigen::Vector3d>& points,
                                const std::vector<double>& weights,
                                const std::vector<int>& assignment, int k) {
  std::vector<Capsule> capsules;
  for (int c = 0; c < k; ++c) {
    std::vector<Eigen::Vector3d> partPoints;
    std::vector<double> partWeights;
    for (std::size_t n = 0; n < points.size(); ++n) {
      if (assignment[n] == c) {
        partPoints.push_back(points[n]);
        partWeights.push_back(weights[n]);
      }
    }
    if (partPoints.empty()) {
      return {};
    }
    const PrincipalAxes axes = Principal(partPoints, partWeights);
    capsules.push_back({axes.centroid, axes.axes.col(0)});
  }
  return capsules;
}

/// Weighted k-means of the points (k-means++ start from `random`).
std::vector<int> KMeans(const std::vector<Eigen::Vector3d>& points,
                        const std::vector<double>& weights, int k, std::mt19937& random) {
  std::vector<Eigen::Vector3d> centres;
  std::vector<double> chance = weights;
  for (int c = 0; c < k; ++c) {
    std::discrete_distribution<std::size_t> draw(chance.begin(), chance.end());
    centres.push_back(points[draw(random)]);
    for (std::size_t n = 0; n < points.size(); ++n) {
      double nearest = std::numeric_limits<double>::infinity();
      for (const Eigen::Vector3d& centre : centres) {
        nearest = std::min(nearest, (points[n] - centre).squaredNorm());
      }
      chance[n] = weights[n] * nearest + 1e-12;
    }
  }
  std::vector<int> assignment(points.size(), 0);
  for (int iteration = 0; iteration < kKMeansIterations; ++iteration) {
    for (std::size_t n = 0; n < points.size(); ++n) {
      double nearest = std::numeric_limits<double>::infinity();
      for (int c = 0; c < k; ++c) {
        const double d = (points[n] - centres[static_cast<std::size_t>(c)]).squaredNorm();
        if (d < nearest) {
          nearest = d;
          assignment[n] = c;
        }
      }
    }
    std::vector<Eigen::Vector3d> sums(static_cast<std::size_t>(k), Eigen::Vector3d::Zero());
    std::vector<double> totals(static_cast<std::size_t>(k), 0.0);
    for (std::size_t n = 0; n < points.size(); ++n) {
      sums[static_cast<std::size_t>(assignment[n])] += weights[n] * points[n];
      totals[static_cast<std::size_t>(assignment[n])] += weights[n];
    }
    for (std::size_t c = 0; c < centres.size(); ++c) {
      if (totals[c] > 0.0) {
        centres[c] = sums[c] / totals[c];
      }
    }
  }
  return assignment;
}

/// k slabs of equal weight along `axis`.
std::vector<int> Slabs(const std::vector<Eigen::Vector3d>& points,
                       const std::vector<double>& weights, int k, const Eigen::Vector3d& axis) {
  std::vector<std::size_t> order(points.size());
  for (std::size_t n = 0; n < order.size(); ++n) {
    order[n] = n;
  }
  std::sort(order.begin(), order.end(), [&](std::size_t left, std::size_t right) {
    return points[left].dot(axis) < points[right].dot(axis);
  });
  double total = 0.0;
  for (double w : weights) {
    total += w;
  }
  std::vector<int> assignment(points.size(), 0);
  double running = 0.0;
  for (std::size_t n : order) {
    assignment[n] = std::min(k - 1, static_cast<int>((running + 0.5 * weights[n]) / total * k));
    running += weights[n];
  }
  return assignment;
}

/// Voxels of the window at least coreHu bright that capsule `which` alone explains: the residual
/// without it exceeds kUnexplainedHu there (the other capsules leave that metal unexplained).
int OwnSaturatedVoxels(const ThresholdSeedFit& fit, const std::vector<Capsule>& capsules,
                       std::size_t which, const std::vector<double>& windowHu, double coreHu) {
  std::vector<Capsule> others = capsules;
  others.erase(others.begin() + static_cast<std::ptrdiff_t>(which));
  const std::vector<double> residual = fit.Residual(others);
  int own = 0;
  for (std::size_t n = 0; n < windowHu.size(); ++n) {
    if (windowHu[n] >= coreHu && residual[n] > kUnexplainedHu) {
      ++own;
    }
  }
  return own;
}

/// Everything fitted in one component.
/// True if no voxel of the slices next to a one-slice component, beside its metal, reaches
/// kNeighbourSliceMetalHu: then the seed's metal lies wholly in its slice and its position across
/// the slice is not in the image. 600 HU: a 2 % metal fill at the capsule's ~50000 HU already
/// gives ~1000 HU, while soft tissue, lesion edges and streaks over them stay well below (an
/// excess over the local background is not used: at a lesion/lung edge it reaches 800 HU).
constexpr double kNeighbourSliceMetalHu = 600.0;
bool NoMetalInNeighbourSlices(const FitWindow& window, double thresholdHu) {
  const std::int64_t nx = window.size[0], ny = window.size[1], nz = window.size[2];
  const auto metalSlice = static_cast<std::int64_t>(std::lround(window.centreLow.z() + 0.5));
  auto at = [&](std::int64_t i, std::int64_t j, std::int64_t k) {
    return static_cast<std::size_t>(i + nx * (j + ny * k));
  };
  for (std::int64_t j = 0; j < ny; ++j) {
    for (std::int64_t i = 0; i < nx; ++i) {
      if (metalSlice < 0 || metalSlice >= nz ||
          window.observedHu[at(i, j, metalSlice)] < thresholdHu) {
        continue;
      }
      for (std::int64_t k : {metalSlice - 1, metalSlice + 1}) {
        if (k < 0 || k >= nz) {
          continue;
        }
        const std::size_t n = at(i, j, k);
        if (window.used[n] && window.observedHu[n] > kNeighbourSliceMetalHu) {
          return false;
        }
      }
    }
  }
  return true;
}

struct ComponentFit {
  double nullCost = 0.0;
  /// fits[k - 1]: the best fit with k seeds (as many as were tried).
  std::vector<FitResult> fits;
  int count = 0; ///< seeds accepted (0: not a seed)
};

/// Fits 1, 2, ... seeds to one component's window (SeedDetector, steps 4-5): each count from
/// several starts, keeping the lowest cost; stops one count beyond the last accepted one.
ComponentFit FitComponent(const ThresholdSeedFit& fit, const std::vector<Eigen::Vector3d>& points,
                          const std::vector<double>& weights, std::size_t windowVoxels,
                          const std::vector<double>& windowHu, double thresholdHu, double coreHu,
                          double voxelVolumeMm3, double seedDiameterMm,
                          const Eigen::Vector3d& sliceStep) {
  ComponentFit result;
  result.nullCost = fit.Cost({});
  std::mt19937 random(7u);
  const PrincipalAxes whole = Principal(points, weights);
  const int minOwnVoxels = static_cast<int>(std::ceil(kMinOwnSaturatedMm3 / voxelVolumeMm3));

  const auto best = [&fit](const std::vector<std::vector<Capsule>>& starts) {
    FitResult kept;
    kept.cost = std::numeric_limits<double>::infinity();
    for (const auto& start : starts) {
      if (start.empty()) {
        continue;
      }
      FitResult candidate = fit.Fit(start);
      if (candidate.cost < kept.cost) {
        kept = std::move(candidate);
      }
    }
    return kept;
  };

  // One seed: the blob's principal axis, and the best few of kScanDirections spread over the
  // hemisphere (on thick slices a small blob's principal axis can be far off).
  std::vector<std::pair<double, Capsule>> scanned;
  for (const Eigen::Vector3d& axis : ScanDirections()) {
    for (double offset : kScanOffsets) {
      const Capsule capsule{whole.centroid + offset * sliceStep, axis};
      scanned.emplace_back(fit.Cost({capsule}), capsule);
    }
  }
  std::partial_sort(scanned.begin(), scanned.begin() + kScanStarts, scanned.end(),
                    [](const auto& left, const auto& right) { return left.first < right.first; });
  std::vector<std::vector<Capsule>> starts{{{whole.centroid, whole.axes.col(0)}}};
  for (int d = 0; d < kScanStarts; ++d) {
    starts.push_back({scanned[static_cast<std::size_t>(d)].second});
  }
  result.fits.push_back(best(starts));
  // A component that one capsule explains no better than the background is not a seed.
  if (!(result.fits[0].cost < result.nullCost)) {
    return result;
  }
  result.count = 1;

  const int maxSeeds = std::min<int>(kMaxSeedsPerComponent,
                                     static_cast<int>(std::max<std::size_t>(1, points.size())));
  for (int k = 2; k <= maxSeeds; ++k) {
    const FitResult previous = result.fits[static_cast<std::size_t>(k - 2)];
    starts.clear();
    // Greedy: the metal the k - 1 seeds leave unexplained is where the next seed lies.
    const std::vector<double> residual = fit.Residual(previous.capsules);
    std::vector<Eigen::Vector3d> leftPoints;
    std::vector<double> leftWeights;
    for (std::size_t n = 0; n < windowVoxels; ++n) {
      if (residual[n] > kUnexplainedHu && windowHu[n] >= thresholdHu) {
        leftPoints.push_back(fit.PointOf(n));
        leftWeights.push_back(residual[n]);
      }
    }
    if (!leftPoints.empty()) {
      // Its axis: the best of the scanned directions, the other seeds in place.
      const PrincipalAxes left = Principal(leftPoints, leftWeights);
      std::vector<Capsule> greedy = previous.capsules;
      greedy.push_back({left.centroid, left.axes.col(0)});
      double lowest = fit.Cost(greedy);
      Eigen::Vector3d chosen = greedy.back().axis;
      for (const Eigen::Vector3d& axis : ScanDirections()) {
        greedy.back().axis = axis;
        const double cost = fit.Cost(greedy);
        if (cost < lowest) {
          lowest = cost;
          chosen = axis;
        }
      }
      greedy.back().axis = chosen;
      starts.push_back(greedy);
    }
    // Side by side: k capsules along the blob's long axis, a seed's diameter (plus a gap) apart
    // across it, along its second or third principal axis (on thick slices either can be the
    // width). Partitions of a blob of parallel seeds lying side by side rarely separate them.
    // As for one seed, the centre is also tried a third of a slice above and below the
    // centroid: flat seeds between two slice centres weigh the brighter slice more.
    if (k >= 3) {
      for (int across = 1; across <= 2; ++across) {
        for (double shift : kScanOffsets) {
          std::vector<Capsule> sideBySide;
          for (int c = 0; c < k; ++c) {
            const double offset = (c - 0.5 * (k - 1)) * (seedDiameterMm + kSideBySideGapMm);
            sideBySide.push_back(
                {whole.centroid + offset * whole.axes.col(across) + shift * sliceStep,
                 whole.axes.col(0)});
          }
          starts.push_back(sideBySide);
        }
      }
    }
    const std::size_t partitionsFrom = starts.size();
    // Stacked: the one-seed fit doubled, the two a seed's diameter apart across its axis, along
    // the slice axis: two flat seeds within one slice fill it like one, and no partition of the
    // blob separates them. Ranked with the partitions (an isolated seed's needs no extra fit).
    if (k == 2) {
      const Capsule& single = result.fits[0].capsules[0];
      const Eigen::Vector3d across = sliceStep - sliceStep.dot(single.axis) * single.axis;
      if (across.norm() > 1e-6 * sliceStep.norm()) {
        const Eigen::Vector3d half =
            0.5 * (seedDiameterMm + kSideBySideGapMm) * across.normalized();
        starts.push_back(
            {{single.centreMm - half, single.axis}, {single.centreMm + half, single.axis}});
      }
    }
    for (int s = 0; s < kKMeansStarts; ++s) {
      starts.push_back(CapsulesOf(points, weights, KMeans(points, weights, k, random), k));
    }
    for (int c = 0; c < 3; ++c) {
      starts.push_back(
          CapsulesOf(points, weights, Slabs(points, weights, k, whole.axes.col(c)), k));
    }
    // Each start capsule takes the best of a few axes (its part's principal axes, the blob's):
    // a seed lying between two thick slices spreads as much across them as along itself, so its
    // part's first principal axis can be off by 90 degrees, beyond any fit's reach.
    for (std::size_t n = partitionsFrom; n < starts.size(); ++n) {
      std::vector<Capsule>& start = starts[n];
      if (start.size() != static_cast<std::size_t>(k)) {
        continue;
      }
      for (std::size_t c = 0; c < start.size(); ++c) {
        std::vector<Eigen::Vector3d> candidates{start[c].axis, whole.axes.col(0), whole.axes.col(1),
                                                whole.axes.col(2)};
        double lowest = std::numeric_limits<double>::infinity();
        Eigen::Vector3d chosen = start[c].axis;
        for (const Eigen::Vector3d& axis : candidates) {
          start[c].axis = axis;
          const double cost = fit.Cost(start);
          if (cost < lowest) {
            lowest = cost;
            chosen = axis;
          }
        }
        start[c].axis = chosen;
      }
    }
    // The greedy start is refined, and the most promising partitions (a start's cost before
    // fitting ranks them well).
    std::vector<std::pair<double, std::size_t>> ranked;
    for (std::size_t n = partitionsFrom; n < starts.size(); ++n) {
      if (!starts[n].empty()) {
        ranked.emplace_back(fit.Cost(starts[n]), n);
      }
    }
    std::sort(ranked.begin(), ranked.end());
    std::vector<std::vector<Capsule>> kept(
        starts.begin(), starts.begin() + static_cast<std::ptrdiff_t>(partitionsFrom));
    for (std::size_t n = 0; n < std::min<std::size_t>(kRefinedPartitions, ranked.size()); ++n) {
      kept.push_back(starts[ranked[n].second]);
    }
    result.fits.push_back(best(kept));
    const auto accepted = [&] {
      const double more = result.fits[static_cast<std::size_t>(k - 1)].cost;
      const double fewer = result.fits[static_cast<std::size_t>(k - 2)].cost;
      if (!(more <= kSplitCostRatio * fewer)) {
        return false;
      }
      const std::vector<Capsule>& capsules = result.fits[static_cast<std::size_t>(k - 1)].capsules;
      for (const Capsule& capsule : capsules) {
        if (fit.CoreSupport(capsule) < kMinCoreSupport) {
          return false;
        }
      }
      // Each seed must explain saturated metal of its own (that the others leave unexplained):
      // a capsule fitted to the streaks over dense bone beside a seed shares that seed's core.
      for (std::size_t c = 0; c < capsules.size(); ++c) {
        if (OwnSaturatedVoxels(fit, capsules, c, windowHu, coreHu) < minOwnVoxels) {
          return false;
        }
      }
      return true;
    };
    if (accepted()) {
      // Before accepting, the k - 1 fit gets another chance from the k fit minus each of its
      // seeds: a k - 1 fit stuck in a poor minimum would let k look better than it is.
      const FitResult more = result.fits[static_cast<std::size_t>(k - 1)];
      for (std::size_t drop = 0; drop < more.capsules.size(); ++drop) {
        std::vector<Capsule> fewer = more.capsules;
        fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(drop));
        FitResult candidate = fit.Fit(fewer);
        FitResult& current = result.fits[static_cast<std::size_t>(k - 2)];
        if (candidate.cost < current.cost) {
          current = std::move(candidate);
        }
      }
    }
    if (!accepted()) {
      break;
    }
    result.count = k;
  }
  return result;
}

/// Median of `values` (reordered); `fallback` when empty.
double Median(std::vector<float>& values, double fallback) {
  if (values.empty()) {
    return fallback;
  }
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

/// The background HU under every window voxel, slice by slice, from the ring voxels (away from
/// the metal, where a seed adds < 50 HU): on the ring, its own value (it then only says "no
/// metal here"); inside, the median of the 8 nearest ring voxels of its slice (streaks and noise
/// out), so a seed at a lung edge sees the tissue on each side of it.
void EstimateBackground(FitWindow& window, const std::vector<std::uint8_t>& ring) {
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
              if (ring[m] != 0) {
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
        window.backgroundHu[n] = static_cast<float>(Median(values, fallback));
      }
    }
  }
}

std::string Format(double value, int precision = 1) {
  std::ostringstream stream;
  stream.setf(std::ios::fixed);
  stream.precision(precision);
  stream << value;
  return stream.str();
}

std::string FormatPoint(const Eigen::Vector3d& pointMm) {
  std::ostringstream stream;
  stream.setf(std::ios::fixed);
  stream.precision(1);
  stream << '(' << pointMm.x() << ", " << pointMm.y() << ", " << pointMm.z() << ") mm";
  return stream.str();
}

void CheckOptions(const Volume<short>& ct, const ThresholdOptions& options) {
  if (ct.NumberOfVoxels() == 0) {
    throw InvalidInput("seed detection: the CT volume is empty");
  }
  ct.Geometry().Validate("seed detection CT");
  if (!std::isfinite(options.thresholdHu)) {
    throw InvalidInput("seed detection: thresholdHu is not finite; expected a value in HU");
  }
  if (!(options.seedDiameterMm > 0.0) || !std::isfinite(options.seedDiameterMm)) {
    throw InvalidInput("seed detection: seedDiameterMm is " + Format(options.seedDiameterMm, 3) +
                       "; expected a positive length in mm");
  }
  if (!(options.seedLengthMm >= options.seedDiameterMm) || !std::isfinite(options.seedLengthMm)) {
    throw InvalidInput("seed detection: seedLengthMm is " + Format(options.seedLengthMm, 3) +
                       "; expected a length in mm of at least the diameter");
  }
  if (!(options.seedAttenuationHu > options.thresholdHu) ||
      !std::isfinite(options.seedAttenuationHu)) {
    throw InvalidInput("seed detection: seedAttenuationHu is " +
                       Format(options.seedAttenuationHu, 0) +
                       "; expected a finite value in HU above the threshold");
  }
  if (!(options.psfFwhmMm >= 0.0) || !std::isfinite(options.psfFwhmMm)) {
    throw InvalidInput("seed detection: psfFwhmMm is " + Format(options.psfFwhmMm, 3) +
                       "; expected a non-negative length in mm");
  }
  if (options.expectedCount && *options.expectedCount < 0) {
    throw InvalidInput("seed detection: expected seed count is " +
                       std::to_string(*options.expectedCount) + "; expected 0 or more");
  }
}

} // namespace

SeedDetectionReport ThresholdSeedDetector::Detect(const Volume<short>& ct,
                                                  const SeedDetectionOptions& given) {
  ThresholdOptions options;
  options.thresholdHu = given.thresholdHu.value_or(kDefaultThresholdHu);
  options.expectedCount = given.expectedCount;
  options.seedLengthMm = given.seedLengthMm;
  options.seedDiameterMm = given.seedDiameterMm;
  options.seedAttenuationHu = given.seedAttenuationHu.value_or(kDefaultAttenuationHu);
  options.psfFwhmMm = given.psfFwhmMm.value_or(kDefaultPsfFwhmMm);
  CheckOptions(ct, options);
  SeedDetectionReport report;
  const GridGeometry& geometry = ct.Geometry();
  const auto& size = geometry.Size();
  const std::vector<short>& data = ct.Data();

  // 1. Threshold (the only full pass over the CT) and the scanner's ceiling.
  std::vector<MetalVoxel> voxels;
  std::unordered_map<std::int64_t, int> slotOf;
  short highest = std::numeric_limits<short>::min();
  std::size_t atHighest = 0;
  for (std::int64_t k = 0; k < size[2]; ++k) {
    for (std::int64_t j = 0; j < size[1]; ++j) {
      const std::int64_t rowStart = geometry.LinearIndex(0, j, k);
      for (std::int64_t i = 0; i < size[0]; ++i) {
        const short hu = data[static_cast<std::size_t>(rowStart + i)];
        if (hu > highest) {
          highest = hu;
          atHighest = 0;
        }
        atHighest += hu == highest ? 1 : 0;
        if (hu >= options.thresholdHu) {
          slotOf.emplace(rowStart + i, static_cast<int>(voxels.size()));
          voxels.push_back({{i, j, k},
                            geometry.IndexToPoint(static_cast<double>(i), static_cast<double>(j),
                                                  static_cast<double>(k)),
                            static_cast<double>(hu)});
        }
      }
    }
  }
  CapsuleModel model;
  model.lengthMm = options.seedLengthMm;
  model.diameterMm = options.seedDiameterMm;
  model.attenuationHu = options.seedAttenuationHu;
  model.psfSigmaMm = options.psfFwhmMm / (2.0 * std::sqrt(2.0 * std::numbers::ln2));
  // Many metal voxels sharing the CT's highest value: the scale saturates there.
  const bool saturated = highest >= options.thresholdHu && atHighest >= 3;
  model.ceilingHu = saturated ? static_cast<double>(highest) : std::numeric_limits<double>::max();
  model.floorHu = std::numeric_limits<double>::lowest();
  if (saturated) {
    report.notes.push_back("metal saturates at " + Format(highest, 0) + " HU (" +
                           std::to_string(atHighest) + " voxels): fitted as a lower bound");
  }

  // 2. 26-connected components of seed cores (voxels of at least coreHu), each with the metal
  // voxels touching it (breadth first over the metal voxels only).
  const double coreHu = std::max(options.thresholdHu, kSeedCoreHu);
  std::vector<std::vector<int>> components;
  std::vector<int> componentOf(voxels.size(), -1);
  for (std::size_t start = 0; start < voxels.size(); ++start) {
    if (componentOf[start] >= 0 || voxels[start].hu < coreHu) {
      continue;
    }
    const int id = static_cast<int>(components.size());
    std::vector<int> component;
    std::deque<int> queue{static_cast<int>(start)};
    componentOf[start] = id;
    while (!queue.empty()) {
      const int current = queue.front();
      queue.pop_front();
      component.push_back(current);
      if (voxels[static_cast<std::size_t>(current)].hu < coreHu) {
        continue; // the rim of a core: it does not grow the component further
      }
      const auto& index = voxels[static_cast<std::size_t>(current)].index;
      for (int dk = -1; dk <= 1; ++dk) {
        for (int dj = -1; dj <= 1; ++dj) {
          for (int di = -1; di <= 1; ++di) {
            const std::int64_t i = index[0] + di;
            const std::int64_t j = index[1] + dj;
            const std::int64_t k = index[2] + dk;
            if (i < 0 || j < 0 || k < 0 || i >= size[0] || j >= size[1] || k >= size[2]) {
              continue;
            }
            const auto found = slotOf.find(geometry.LinearIndex(i, j, k));
            if (found != slotOf.end() && componentOf[static_cast<std::size_t>(found->second)] < 0) {
              componentOf[static_cast<std::size_t>(found->second)] = id;
              queue.push_back(found->second);
            }
          }
        }
      }
    }
    components.push_back(std::move(component));
  }

  // 3-5. A window per component; 1, 2, ... seeds fitted in it.
  const auto otherMetalNear = [&](std::int64_t i, std::int64_t j, std::int64_t k, int id) {
    for (int dk = -1; dk <= 1; ++dk) {
      for (int dj = -1; dj <= 1; ++dj) {
        for (int di = -1; di <= 1; ++di) {
          const std::int64_t ii = i + di;
          const std::int64_t jj = j + dj;
          const std::int64_t kk = k + dk;
          if (ii < 0 || jj < 0 || kk < 0 || ii >= size[0] || jj >= size[1] || kk >= size[2]) {
            continue;
          }
          const auto found = slotOf.find(geometry.LinearIndex(ii, jj, kk));
          if (found != slotOf.end() && componentOf[static_cast<std::size_t>(found->second)] != id) {
            return true;
          }
        }
      }
    }
    return false;
  };
  std::vector<FitWindow> windows(components.size());
  std::vector<ComponentFit> fits(components.size());
#pragma omp parallel for schedule(dynamic)
  for (std::size_t c = 0; c < components.size(); ++c) {
    const std::vector<int>& component = components[c];
    std::array<std::int64_t, 3> low{size[0], size[1], size[2]};
    std::array<std::int64_t, 3> high{-1, -1, -1};
    std::vector<Eigen::Vector3d> points;
    std::vector<double> weights;
    for (int v : component) {
      const MetalVoxel& voxel = voxels[static_cast<std::size_t>(v)];
      for (int axis = 0; axis < 3; ++axis) {
        low[axis] = std::min(low[axis], voxel.index[axis]);
        high[axis] = std::max(high[axis], voxel.index[axis]);
      }
      points.push_back(voxel.pointMm);
      weights.push_back(voxel.hu - options.thresholdHu + 1.0);
    }
    FitWindow& window = windows[c];
    for (int axis = 0; axis < 3; ++axis) {
      const std::int64_t margin = axis < 2 ? kMarginInPlane : kMarginAcross;
      window.first[axis] = std::max<std::int64_t>(0, low[axis] - margin);
      window.size[axis] =
          std::min<std::int64_t>(size[axis] - 1, high[axis] + margin) - window.first[axis] + 1;
    }
    const auto count = static_cast<std::size_t>(window.size[0] * window.size[1] * window.size[2]);
    window.observedHu.resize(count);
    window.used.assign(count, 1);
    std::vector<std::uint8_t> ring(count, 0);
    std::size_t n = 0;
    for (std::int64_t k = 0; k < window.size[2]; ++k) {
      for (std::int64_t j = 0; j < window.size[1]; ++j) {
        for (std::int64_t i = 0; i < window.size[0]; ++i, ++n) {
          const std::int64_t gi = window.first[0] + i;
          const std::int64_t gj = window.first[1] + j;
          const std::int64_t gk = window.first[2] + k;
          const std::int64_t linear = geometry.LinearIndex(gi, gj, gk);
          const float hu = data[static_cast<std::size_t>(linear)];
          window.observedHu[n] = hu;
          const auto found = slotOf.find(linear);
          const bool own =
              found != slotOf.end() &&
              componentOf[static_cast<std::size_t>(found->second)] == static_cast<int>(c);
          if (!own && otherMetalNear(gi, gj, gk, static_cast<int>(c))) {
            window.used[n] = 0;
            continue;
          }
          // The background ring: voxels beyond the metal's partial-volume rim.
          const bool nearOwn =
              gi >= low[0] - 1 && gi <= high[0] + 1 && gj >= low[1] - 1 && gj <= high[1] + 1;
          ring[n] = !nearOwn && hu < options.thresholdHu ? 1 : 0;
        }
      }
    }
    for (int axis = 0; axis < 3; ++axis) {
      window.centreLow[axis] = static_cast<double>(low[axis] - window.first[axis]) - 0.5;
      window.centreHigh[axis] = static_cast<double>(high[axis] - window.first[axis]) + 0.5;
    }
    EstimateBackground(window, ring);
    const ThresholdSeedFit fit(geometry, window, model);
    fits[c] =
        FitComponent(fit, points, weights, count,
                     std::vector<double>(window.observedHu.begin(), window.observedHu.end()),
                     options.thresholdHu, coreHu, geometry.VoxelVolumeMm3(), options.seedDiameterMm,
                     geometry.Direction().col(2) * geometry.SpacingMm()[2]);
  }

  // Components that no capsule explains (specks of streak over dense tissue) are dropped.
  int total = 0;
  std::size_t specks = 0;
  for (const ComponentFit& fit : fits) {
    total += fit.count;
    specks += fit.count == 0 ? 1 : 0;
  }
  if (specks > 0) {
    report.notes.push_back("dropped " + std::to_string(specks) +
                           " metal speck(s) that no seed explains");
  }

  // 6. The expected count settles the closest calls: one seed more where the fit with it left
  // the smallest share of the cost (at most kExpectedSplitCostRatio, every seed with a metal
  // core), components seen as one seed first; one fewer where the last accepted seed left the
  // largest.
  if (options.expectedCount && total != *options.expectedCount) {
    const int found = total;
    while (total != *options.expectedCount) {
      const bool more = *options.expectedCount > total;
      double bestRatio = more ? kExpectedSplitCostRatio : 0.0;
      int bestCount = std::numeric_limits<int>::max();
      std::size_t chosen = fits.size();
      for (std::size_t c = 0; c < fits.size(); ++c) {
        const ComponentFit& fit = fits[c];
        const auto costOf = [&fit](int k) {
          return fit.fits[static_cast<std::size_t>(k - 1)].cost;
        };
        if (more && fit.count >= 1 && fit.count < static_cast<int>(fit.fits.size())) {
          const double ratio = costOf(fit.count + 1) / costOf(fit.count);
          // Only a split whose every seed has a metal core: a further capsule squeezed into an
          // already explained cluster lies on its rim.
          const auto cored = [&] {
            const ThresholdSeedFit seedFit(geometry, windows[c], model);
            for (const Capsule& capsule : fit.fits[static_cast<std::size_t>(fit.count)].capsules) {
              if (seedFit.CoreSupport(capsule) < kMinCoreSupport) {
                return false;
              }
            }
            return true;
          };
          // Components seen as one seed first: two flat seeds stacked within one slice are what
          // the fits cannot split on their own, while touching pairs and triples they split.
          const bool fewerSeeds = fit.count < bestCount;
          const bool sameSeeds = fit.count == bestCount;
          if ((fewerSeeds ? ratio <= kExpectedSplitCostRatio : sameSeeds && ratio < bestRatio) &&
              cored()) {
            bestCount = fit.count;
            bestRatio = ratio;
            chosen = c;
          }
        } else if (!more && fit.count >= 2) {
          const double ratio = costOf(fit.count) / costOf(fit.count - 1);
          if (ratio > bestRatio) {
            bestRatio = ratio;
            chosen = c;
          }
        }
      }
      if (chosen == fits.size()) {
        break;
      }
      fits[chosen].count += more ? 1 : -1;
      total += more ? 1 : -1;
      report.notes.push_back(
          "component at " + FormatPoint(fits[chosen].fits[0].capsules[0].centreMm) +
          " counted as " + std::to_string(fits[chosen].count) +
          " seeds to match the expected count (cost ratio " + Format(bestRatio, 2) + ")");
    }
    if (total != found) {
      report.notes.push_back("the fits gave " + std::to_string(found) +
                             " seeds; the expected count settled the closest calls");
    }
  }

  // 7. Seeds: the fitted capsules whose core shows metal, with direction and confidence.
  std::size_t unsupported = 0;
  for (std::size_t c = 0; c < fits.size(); ++c) {
    const ComponentFit& fit = fits[c];
    if (fit.count == 0) {
      continue;
    }
    const FitResult& chosen = fit.fits[static_cast<std::size_t>(fit.count - 1)];
    const ThresholdSeedFit seedFit(geometry, windows[c], model);
    if (fit.count > 1) {
      report.notes.push_back("component at " + FormatPoint(fit.fits[0].capsules[0].centreMm) +
                             " split into " + std::to_string(fit.count) + " seeds");
    }
    const double explained =
        fit.nullCost > 0.0 ? std::clamp(1.0 - chosen.cost / fit.nullCost, 0.0, 1.0) : 0.0;
    for (std::size_t s = 0; s < chosen.capsules.size(); ++s) {
      if (seedFit.CoreSupport(chosen.capsules[s]) < kMinCoreSupport) {
        ++unsupported;
        continue;
      }
      Seed seed;
      seed.positionMm = chosen.capsules[s].centreMm;
      const bool oneSlice = windows[c].centreHigh.z() - windows[c].centreLow.z() <= 1.0 + 1e-9 &&
                            NoMetalInNeighbourSlices(windows[c], options.thresholdHu);
      const double tilt = std::abs(chosen.capsules[s].axis.dot(geometry.Direction().col(2)));
      if (fit.count == 1 && oneSlice && tilt < kFlatSeedMaxAxisCosine) {
        // A seed lying flat with all its metal in one slice looks the same wherever it lies
        // across that slice (the slice profile is a box): the slice's middle is the estimate with
        // the smallest worst-case error, (slice - diameter) / 2. The fit's own choice within that
        // range is decided by noise and streaks (seen up to 1.5 mm off on the sample patient).
        Eigen::Vector3d index = geometry.PointToContinuousIndex(seed.positionMm);
        index.z() = static_cast<double>(windows[c].first[2]) + windows[c].centreLow.z() + 0.5;
        seed.positionMm = geometry.IndexToPoint(index.x(), index.y(), index.z());
      }
      double confidence = explained * (fit.count > 1 ? kSplitConfidenceFactor : 1.0);
      if (chosen.axisSigmaRad[s] <= kMaxAxisSigmaRad) {
        seed.direction = CanonicalAxis(chosen.capsules[s].axis);
      } else {
        confidence *= kNoDirectionConfidenceFactor;
      }
      seed.confidence = std::clamp(confidence, 0.0, 1.0);
      report.seeds.push_back(std::move(seed));
    }
  }

  if (unsupported > 0) {
    report.notes.push_back("dropped " + std::to_string(unsupported) +
                           " fitted seed(s) whose core shows no metal (streaks over dense tissue)");
  }
  if (options.expectedCount && static_cast<int>(report.seeds.size()) != *options.expectedCount) {
    report.notes.push_back("expected " + std::to_string(*options.expectedCount) + ", found " +
                           std::to_string(report.seeds.size()));
  }
  return report;
}

} // namespace seedplan::imaging
