#include "ClusterSplitter.h"

#include <Eigen/Eigenvalues>
#include <Eigen/Geometry>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numbers>
#include <utility>

namespace seedplan::imaging {
namespace {

/// A fitted capsule is a seed only if this share of its core shows metal (SeedFit::CoreSupport).
constexpr double kMinCoreSupport = 0.8;
/// Gaps (mm) between the capsules of side-by-side starts: touching, and the 1.0-1.6 mm
/// axis-to-axis pairs.
constexpr std::array<double, 2> kSideBySideGapsMm{0.05, 0.5};
constexpr int kKMeansStarts = 2;
/// Restarts of a cluster's fit from its best layout moved at random: how many, by how much (mm)
/// and turned by how much (a random vector of this length added to the unit axis, ~25 degrees).
constexpr int kHops = 6;
constexpr double kHopShiftMm = 0.6;
constexpr double kHopTurn = 0.45;
/// Directions around a single seed's axis in which it is tried as two seeds side by side.
constexpr int kDoubledDirections = 4;
constexpr int kKMeansIterations = 20;
/// Starts refined by Levenberg-Marquardt for k = 2 seeds (one more per further seed), the
/// cheapest first.
constexpr std::size_t kRefinedPartitions = 3;
/// A seed's start is also sought within this distance (mm) of the blob's brightest voxel.
constexpr double kNearBrightestMm = 3.0;
/// Directions tried (cost only) for one seed, and how many of the best are fitted: a Fibonacci
/// set of 64 over the hemisphere is ~13 degrees apart, inside the fit's basin.
constexpr int kScanDirections = 64;
constexpr int kScanStarts = 3;
/// Offsets of the scanned centres across the slices, in slices: the blob's centroid can lie a
/// third of a slice off (a seed filling one slice fully and the next barely).
constexpr std::array<double, 3> kScanOffsets{-1.0 / 3.0, 0.0, 1.0 / 3.0};
/// Iterations of each start's trial, and of the chosen starts' refinement.
constexpr int kTrialIterations = 6;
constexpr std::size_t kRefinedTrials = 2;
constexpr int kFullIterations = 40;
/// A k + 1 fit is tried when the k fit leaves at least this share of one seed's excess (HU x
/// voxels) unexplained: a touching seed leaves a third or more of its own, a lone seed's rim
/// misfit a few percent.
constexpr double kLumpShare = 0.15;
/// Points along each capsule's axis where the closest approach of two seeds is measured (every
/// ~0.3 mm of a 4.5 mm seed's core).
constexpr int kCrowdingSamples = 13;
/// A seed lying wholly inside one cell of the slice profiles is moved to the cell's middle (which
/// halves the worst error across the slices) unless that raises the cost by more than this: the
/// likelihood-ratio test of one parameter at 95 % (chi-square 3.84, halved: the cost is half the
/// sum of squared scaled residuals).
constexpr double kCentringCost = 1.92;
/// A residual this many scales (noise and model error) above the prediction is not misfit.
constexpr double kUnexplainedScales = 2.0;

/// Weighted centroid and principal axes (columns, by decreasing variance) of some points.
struct PrincipalAxes {
  Eigen::Vector3d centroid = Eigen::Vector3d::Zero();
  Eigen::Matrix3d axes = Eigen::Matrix3d::Identity();
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

/// Starting capsules for k seeds: a partition of the metal voxels, each part a capsule at its
/// weighted centroid along its principal axis.
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

/// A voxel of bright metal that the fit leaves unexplained: its excess over the background is at
/// least `minExcessHu`, and at least half of it is left as residual, well above the voxel's
/// expected misfit.
bool Unexplained(double excessHu, double residualHu, double scaleHu, double minExcessHu) {
  return excessHu >= minExcessHu && residualHu >= 0.5 * excessHu &&
         residualHu >= kUnexplainedScales * scaleHu;
}

/// The lowest-cost fit from several starts: each refined for a few iterations, the best then to
/// convergence (starts in different basins separate within a few steps).
FitResult BestOf(const SeedFit& fit, const std::vector<std::vector<Capsule>>& starts) {
  std::vector<FitResult> trials;
  for (const auto& start : starts) {
    if (!start.empty()) {
      trials.push_back(fit.Fit(start, starts.size() > 1 ? kTrialIterations : kFullIterations));
    }
  }
  std::sort(trials.begin(), trials.end(),
            [](const FitResult& left, const FitResult& right) { return left.cost < right.cost; });
  FitResult kept;
  kept.cost = std::numeric_limits<double>::infinity();
  if (starts.size() <= 1) {
    return trials.empty() ? kept : trials.front();
  }
  for (std::size_t t = 0; t < std::min(kRefinedTrials, trials.size()); ++t) {
    FitResult refined = fit.Fit(trials[t].capsules, kFullIterations);
    if (refined.cost < kept.cost) {
      kept = std::move(refined);
    }
  }
  return kept;
}

} // namespace

FitResult ClusterSplitter::FitOne(const SeedFit& fit, const std::vector<Eigen::Vector3d>& points,
                                  const std::vector<double>& weights,
                                  const Eigen::Vector3d& sliceStepMm) {
  const PrincipalAxes whole = Principal(points, weights);
  // Directions at the centroid; the best few also a third of a slice above and below.
  std::vector<std::pair<double, Capsule>> scanned;
  for (const Eigen::Vector3d& axis : ScanDirections()) {
    const Capsule capsule{whole.centroid, axis};
    scanned.emplace_back(fit.Cost({capsule}), capsule);
  }
  const auto byCost = [](const auto& left, const auto& right) { return left.first < right.first; };
  std::partial_sort(scanned.begin(), scanned.begin() + kScanStarts, scanned.end(), byCost);
  for (int d = 0; d < kScanStarts; ++d) {
    const Eigen::Vector3d axis = scanned[static_cast<std::size_t>(d)].second.axis;
    for (double offset : kScanOffsets) {
      if (offset != 0.0) {
        const Capsule capsule{whole.centroid + offset * sliceStepMm, axis};
        scanned.emplace_back(fit.Cost({capsule}), capsule);
      }
    }
  }
  std::partial_sort(scanned.begin(), scanned.begin() + kScanStarts, scanned.end(), byCost);
  std::vector<std::vector<Capsule>> starts{{{whole.centroid, whole.axes.col(0)}}};
  // Also around the brightest voxel, in case the blob carries streaks or bone off centre.
  if (!points.empty()) {
    const auto brightest = static_cast<std::size_t>(
        std::max_element(weights.begin(), weights.end()) - weights.begin());
    std::vector<Eigen::Vector3d> nearPoints;
    std::vector<double> nearWeights;
    for (std::size_t n = 0; n < points.size(); ++n) {
      if ((points[n] - points[brightest]).norm() <= kNearBrightestMm) {
        nearPoints.push_back(points[n]);
        nearWeights.push_back(weights[n]);
      }
    }
    const PrincipalAxes near = Principal(nearPoints, nearWeights);
    if ((near.centroid - whole.centroid).norm() > kNearBrightestMm / 2.0) {
      std::vector<std::pair<double, Capsule>> nearScan;
      for (const Eigen::Vector3d& axis : ScanDirections()) {
        const Capsule capsule{near.centroid, axis};
        nearScan.emplace_back(fit.Cost({capsule}), capsule);
      }
      const auto lowest = std::min_element(
          nearScan.begin(), nearScan.end(),
          [](const auto& left, const auto& right) { return left.first < right.first; });
      starts.push_back({lowest->second});
    }
  }
  for (int d = 0; d < kScanStarts; ++d) {
    starts.push_back({scanned[static_cast<std::size_t>(d)].second});
  }
  return BestOf(fit, starts);
}

ClusterSplitter::ClusterSplitter(const SeedFit& fit, const std::vector<Eigen::Vector3d>& points,
                                 const std::vector<double>& weights,
                                 const Eigen::Vector3d& sliceStepMm, const Options& options)
    : m_Fit(fit), m_Points(points), m_Weights(weights), m_SliceStep(sliceStepMm),
      m_Options(options) {
  m_NullCost = fit.Cost({});
  const FitWindow& window = fit.Window();
  m_ObservedExcess.resize(window.observedHu.size());
  for (std::size_t n = 0; n < window.observedHu.size(); ++n) {
    m_ObservedExcess[n] = static_cast<double>(window.observedHu[n]) - window.backgroundHu[n];
  }
  m_Fits.resize(static_cast<std::size_t>(options.maxSeeds));
  m_Valid.resize(static_cast<std::size_t>(options.maxSeeds));
  m_Reported.resize(static_cast<std::size_t>(options.maxSeeds));
}

const FitResult& ClusterSplitter::Reported(int k) {
  if (k == 1) {
    // A lone seed's fit has only the pull to its cell's middle across the slices, no neighbour
    // pressing on it: it is reported as fitted.
    return Best(1);
  }
  auto& slot = m_Reported[static_cast<std::size_t>(k - 1)];
  if (!slot) {
    FitResult fit = Best(k);
    CentreWithinSlices(fit);
    slot = std::move(fit);
  }
  return *slot;
}

const FitResult& ClusterSplitter::Best(int k) {
  FitCount(k);
  return *m_Fits[static_cast<std::size_t>(k - 1)];
}

double ClusterSplitter::Cost(int k) {
  return k == 0 ? m_NullCost : Best(k).cost;
}

double ClusterSplitter::Evidence(const FitResult& fit, std::size_t which) const {
  std::vector<Capsule> others = fit.capsules;
  others.erase(others.begin() + static_cast<std::ptrdiff_t>(which));
  return m_Fit.Cost(others) - fit.cost;
}

double ClusterSplitter::WeakestEvidence(int k) {
  const FitResult& fit = Best(k);
  double weakest = std::numeric_limits<double>::infinity();
  for (std::size_t c = 0; c < fit.capsules.size(); ++c) {
    weakest = std::min(weakest, Evidence(fit, c));
  }
  return weakest;
}

bool ClusterSplitter::Cored(int k) {
  for (const Capsule& capsule : Best(k).capsules) {
    if (m_Fit.CoreSupport(capsule) < kMinCoreSupport) {
      return false;
    }
  }
  return true;
}

double ClusterSplitter::ClosestApproachMm(int k) {
  const std::vector<Capsule>& capsules = Best(k).capsules;
  const CapsuleModel& model = m_Fit.Model();
  // The closest approach of two axis segments (the capsules' cores), sampled along each axis
  // like the fit's overlap penalty.
  const double halfAxis = 0.5 * (model.lengthMm - model.diameterMm);
  const auto distance = [halfAxis](const Capsule& from, const Capsule& to, double t) {
    const Eigen::Vector3d point = from.centreMm + t * from.axis;
    const double along = std::clamp((point - to.centreMm).dot(to.axis), -halfAxis, halfAxis);
    return (point - (to.centreMm + along * to.axis)).norm();
  };
  double closest = std::numeric_limits<double>::infinity();
  for (std::size_t a = 0; a < capsules.size(); ++a) {
    for (std::size_t b = a + 1; b < capsules.size(); ++b) {
      for (int n = 0; n < kCrowdingSamples; ++n) {
        const double t = halfAxis * (2.0 * n / (kCrowdingSamples - 1) - 1.0);
        closest = std::min({closest, distance(capsules[a], capsules[b], t),
                            distance(capsules[b], capsules[a], t)});
      }
    }
  }
  return closest;
}

void ClusterSplitter::CentreWithinSlices(FitResult& fit) const {
  const GridGeometry& geometry = m_Fit.Geometry();
  const CapsuleModel& model = m_Fit.Model();
  const double slice = geometry.SpacingMm()[2];
  const Eigen::Vector3d normal = geometry.Direction().col(2);
  for (Capsule& capsule : fit.capsules) {
    const double extentMm =
        (model.lengthMm - model.diameterMm) * std::abs(capsule.axis.dot(normal)) + model.diameterMm;
    const double index = geometry.PointToContinuousIndex(capsule.centreMm).z();
    const auto [low, high] = m_Fit.SliceCell(index);
    const double half = 0.5 * extentMm / slice;
    if (index - half < low || index + half > high) {
      continue;
    }
    const Capsule before = capsule;
    capsule.centreMm += (0.5 * (low + high) - index) * slice * normal;
    const double cost = m_Fit.Cost(fit.capsules);
    if (cost <= fit.cost + kCentringCost) {
      fit.cost = cost;
    } else {
      capsule = before;
    }
  }
}

bool ClusterSplitter::Valid(int k) {
  if (k == 0) {
    return true;
  }
  auto& cached = m_Valid[static_cast<std::size_t>(k - 1)];
  FitCount(k);
  if (cached) {
    return *cached;
  }
  const FitResult& fit = *m_Fits[static_cast<std::size_t>(k - 1)];
  const std::vector<Capsule>& capsules = fit.capsules;
  bool valid = capsules.size() == static_cast<std::size_t>(k);
  for (std::size_t c = 0; valid && c < capsules.size(); ++c) {
    valid = m_Fit.CoreSupport(capsules[c]) >= kMinCoreSupport &&
            (k == 1 || Evidence(fit, c) > m_Options.penaltyPerSeed);
  }
  cached = valid;
  return valid;
}

bool ClusterSplitter::LeavesMetal(int k) {
  const std::vector<double> residual = m_Fit.Residual(Best(k).capsules);
  const FitWindow& window = m_Fit.Window();
  int left = 0;
  double leftExcess = 0.0;
  for (std::size_t n : m_Fit.UsedVoxels()) {
    if (Unexplained(m_ObservedExcess[n], residual[n], window.scaleHu[n],
                    0.5 * m_Options.ownExcessHu)) {
      ++left;
      leftExcess += residual[n];
    }
  }
  return left >= m_Options.minOwnVoxels && leftExcess >= kLumpShare * m_Options.seedExcessSum;
}

bool ClusterSplitter::SplitsOneSeed(int k) {
  // Solid seeds do not interpenetrate, so two seeds of a fit whose axes come within a diameter
  // share metal; that is a touching pair only if the blob holds the metal of more than one seed.
  // Its summed excess over the background (in the clearest isolated seeds' worth) grows less than
  // linearly with the seeds on a clipped scale, but a touching pair's stays above one seed's
  // (measured on the matrix: lone seeds 0.7-1.1, side-by-side pairs on a 12-bit scale 1.2-1.4,
  // clusters of 4 2.5-3.9). A blob below one seed's metal fitted better by two crowded capsules
  // is a lone seed whose one-capsule fit is tilted by a wrong background under part of it (a
  // lung edge beside the seed, soft tissue taken for lung), the second capsule taking the misfit;
  // the cost it saves measures the background's error, not metal.
  return k >= 2 && m_Options.metalSeeds < 1.0 && ClosestApproachMm(k) < m_Options.seedDiameterMm;
}

int ClusterSplitter::ChooseCount() {
  // The count with the lowest cost plus penalty among fits whose every seed is valid; counts are
  // tried upwards while each lowers the cost by more than the penalty, from one seed to two only
  // when one leaves metal unexplained or is not valid itself (a cluster no single capsule
  // explains), which keeps lone seeds cheap.
  int chosen = 0;
  double chosenScore = Cost(0);
  double previous = Cost(0);
  for (int k = 1; k <= m_Options.maxSeeds; ++k) {
    const double cost = Cost(k);
    const double score = cost + m_Options.penaltyPerSeed * k;
    if (score < chosenScore && Valid(k) && !SplitsOneSeed(k)) {
      chosen = k;
      chosenScore = score;
    }
    const bool worthMore =
        previous - cost > m_Options.penaltyPerSeed && (k >= 2 || !Valid(k) || LeavesMetal(k));
    if (!worthMore) {
      break;
    }
    previous = cost;
  }
  return chosen;
}

void ClusterSplitter::FitCount(int k) {
  auto& slot = m_Fits[static_cast<std::size_t>(k - 1)];
  if (slot) {
    return;
  }
  if (k == 1) {
    slot = FitOne(m_Fit, m_Points, m_Weights, m_SliceStep);
    return;
  }
  FitCount(k - 1);
  const FitResult previous = *m_Fits[static_cast<std::size_t>(k - 2)];
  const PrincipalAxes whole = Principal(m_Points, m_Weights);
  std::vector<std::vector<Capsule>> starts;
  // Greedy: the metal the k - 1 seeds leave unexplained is where the next seed lies; its axis
  // the best of the scanned directions, the other seeds in place.
  const std::vector<double> residual = m_Fit.Residual(previous.capsules);
  const FitWindow& window = m_Fit.Window();
  std::vector<Eigen::Vector3d> leftPoints;
  std::vector<double> leftWeights;
  for (std::size_t n : m_Fit.UsedVoxels()) {
    if (Unexplained(m_ObservedExcess[n], residual[n], window.scaleHu[n],
                    0.5 * m_Options.ownExcessHu)) {
      leftPoints.push_back(m_Fit.PointOf(n));
      leftWeights.push_back(residual[n]);
    }
  }
  // The next seed where the unexplained metal is, once at its centroid and once around its
  // brightest voxel (it may lie in several lumps).
  const auto addGreedy = [&](const std::vector<Eigen::Vector3d>& lumpPoints,
                             const std::vector<double>& lumpWeights) {
    const PrincipalAxes left = Principal(lumpPoints, lumpWeights);
    std::vector<Capsule> greedy = previous.capsules;
    greedy.push_back({left.centroid, left.axes.col(0)});
    double lowest = m_Fit.Cost(greedy);
    Eigen::Vector3d chosen = greedy.back().axis;
    for (const Eigen::Vector3d& axis : ScanDirections()) {
      greedy.back().axis = axis;
      const double cost = m_Fit.Cost(greedy);
      if (cost < lowest) {
        lowest = cost;
        chosen = axis;
      }
    }
    greedy.back().axis = chosen;
    starts.push_back(greedy);
  };
  if (!leftPoints.empty()) {
    addGreedy(leftPoints, leftWeights);
    const auto brightest = static_cast<std::size_t>(
        std::max_element(leftWeights.begin(), leftWeights.end()) - leftWeights.begin());
    std::vector<Eigen::Vector3d> lumpPoints;
    std::vector<double> lumpWeights;
    for (std::size_t n = 0; n < leftPoints.size(); ++n) {
      if ((leftPoints[n] - leftPoints[brightest]).norm() <= kNearBrightestMm) {
        lumpPoints.push_back(leftPoints[n]);
        lumpWeights.push_back(leftWeights[n]);
      }
    }
    if (lumpPoints.size() < leftPoints.size()) {
      addGreedy(lumpPoints, lumpWeights);
    }
  }
  const std::size_t partitionsFrom = starts.size();
  // Side by side: k parallel capsules along the blob's long axis, a diameter (plus a gap) apart
  // across it, along its second or third principal axis; also a third of a slice above and
  // below (flat seeds between two slice centres weigh the brighter slice more).
  for (double gap : kSideBySideGapsMm) {
    for (int across = 1; across <= 2; ++across) {
      for (double shift : kScanOffsets) {
        std::vector<Capsule> sideBySide;
        for (int c = 0; c < k; ++c) {
          const double offset = (c - 0.5 * (k - 1)) * (m_Options.seedDiameterMm + gap);
          sideBySide.push_back(
              {whole.centroid + offset * whole.axes.col(across) + shift * m_SliceStep,
               whole.axes.col(0)});
        }
        starts.push_back(sideBySide);
      }
    }
  }
  // Doubled: the one-seed fit split into two parallel seeds a diameter (plus a gap) apart, in
  // four directions around its axis (the slice normal among them): a touching pair side by side
  // looks like one fat seed, and two flat seeds within one slice fill it like one; no partition
  // of the blob separates them.
  // For more seeds, each seed of the k - 1 fit is tried as two likewise (two seeds of a cluster
  // fitted as one).
  for (std::size_t split = 0; split < previous.capsules.size(); ++split) {
    const Capsule& single = previous.capsules[split];
    Eigen::Vector3d first = m_SliceStep - m_SliceStep.dot(single.axis) * single.axis;
    if (first.norm() < 1e-6 * m_SliceStep.norm()) {
      first = single.axis.unitOrthogonal();
    }
    first.normalize();
    const Eigen::Vector3d second = single.axis.cross(first).normalized();
    for (int turn = 0; turn < kDoubledDirections; ++turn) {
      const double angle = std::numbers::pi * turn / kDoubledDirections;
      const Eigen::Vector3d across = std::cos(angle) * first + std::sin(angle) * second;
      for (double gap : kSideBySideGapsMm) {
        const Eigen::Vector3d half = 0.5 * (m_Options.seedDiameterMm + gap) * across;
        std::vector<Capsule> doubled = previous.capsules;
        doubled[split] = {single.centreMm - half, single.axis};
        doubled.push_back({single.centreMm + half, single.axis});
        starts.push_back(doubled);
      }
    }
  }
  for (int s = 0; s < kKMeansStarts; ++s) {
    starts.push_back(CapsulesOf(m_Points, m_Weights, KMeans(m_Points, m_Weights, k, m_Random), k));
  }
  for (int c = 0; c < 3; ++c) {
    starts.push_back(
        CapsulesOf(m_Points, m_Weights, Slabs(m_Points, m_Weights, k, whole.axes.col(c)), k));
  }
  // Each partition capsule takes the best of a few axes (its part's, the blob's principal
  // axes): a seed lying between two thick slices spreads as much across them as along itself.
  for (std::size_t n = partitionsFrom; n < starts.size(); ++n) {
    std::vector<Capsule>& start = starts[n];
    if (start.size() != static_cast<std::size_t>(k)) {
      continue;
    }
    for (std::size_t c = 0; c < start.size(); ++c) {
      const std::array<Eigen::Vector3d, 4> candidates{start[c].axis, whole.axes.col(0),
                                                      whole.axes.col(1), whole.axes.col(2)};
      double lowest = std::numeric_limits<double>::infinity();
      Eigen::Vector3d chosen = start[c].axis;
      for (const Eigen::Vector3d& axis : candidates) {
        start[c].axis = axis;
        const double cost = m_Fit.Cost(start);
        if (cost < lowest) {
          lowest = cost;
          chosen = axis;
        }
      }
      start[c].axis = chosen;
    }
  }
  // The greedy start is refined, and the most promising others (a start's cost before fitting
  // ranks them well).
  std::vector<std::pair<double, std::size_t>> ranked;
  for (std::size_t n = partitionsFrom; n < starts.size(); ++n) {
    if (starts[n].size() == static_cast<std::size_t>(k)) {
      ranked.emplace_back(m_Fit.Cost(starts[n]), n);
    }
  }
  std::sort(ranked.begin(), ranked.end());
  std::vector<std::vector<Capsule>> kept(
      starts.begin(), starts.begin() + static_cast<std::ptrdiff_t>(partitionsFrom));
  const std::size_t refined = kRefinedPartitions + static_cast<std::size_t>(k - 2);
  for (std::size_t n = 0; n < std::min(refined, ranked.size()); ++n) {
    kept.push_back(starts[ranked[n].second]);
  }
  slot = BestOf(m_Fit, kept);
  // Clusters: a few restarts from the best fit with every seed moved and turned at random
  // (basin hopping), since touching seeds of a saturated cluster have many near-equal layouts.
  if (k >= 3) {
    std::normal_distribution<double> gauss(0.0, 1.0);
    std::vector<std::vector<Capsule>> hops;
    for (int hop = 0; hop < kHops; ++hop) {
      std::vector<Capsule> moved = slot->capsules;
      for (Capsule& capsule : moved) {
        capsule.centreMm +=
            kHopShiftMm * Eigen::Vector3d(gauss(m_Random), gauss(m_Random), gauss(m_Random));
        capsule.axis = (capsule.axis + kHopTurn * Eigen::Vector3d(gauss(m_Random), gauss(m_Random),
                                                                  gauss(m_Random)))
                           .normalized();
      }
      hops.push_back(moved);
    }
    FitResult hopped = BestOf(m_Fit, hops);
    if (hopped.cost < slot->cost) {
      slot = std::move(hopped);
    }
  }
  // The k - 1 fit gets another chance from this fit minus each of its seeds: a k - 1 fit stuck
  // in a poor minimum would make k look better than it is.
  const FitResult more = *slot;
  for (std::size_t drop = 0; drop < more.capsules.size(); ++drop) {
    std::vector<Capsule> fewer = more.capsules;
    fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(drop));
    FitResult candidate = m_Fit.Fit(fewer);
    auto& current = m_Fits[static_cast<std::size_t>(k - 2)];
    if (candidate.cost < current->cost) {
      current = std::move(candidate);
      m_Valid[static_cast<std::size_t>(k - 2)].reset();
    }
  }
}

} // namespace seedplan::imaging
