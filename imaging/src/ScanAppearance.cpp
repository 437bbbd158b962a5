#include "ScanAppearance.h"

#include "ClusterSplitter.h"
#include "FitWindowBuilder.h"

#include <Eigen/Cholesky>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <limits>
#include <numbers>

namespace seedplan::imaging {
namespace {

/// A measured seed has no other blob within this distance of its box (its window is its own).
constexpr double kIsolationMm = 5.0;
constexpr double kIsolationContrastShare = 0.3;
/// Blobs the appearance is measured on stand at least this share of the clearest blob's contrast
/// above their surroundings (seeds of one scan differ by partial volume, ~30 %, not by half).
constexpr double kPoolContrastShare = 0.5;
constexpr std::size_t kPoolReferenceRank = 5;
/// The compressed (soft) ceiling is fitted only on at least this many seeds: with fewer, any
/// seed's peak looks like a ceiling.
constexpr std::size_t kMinSeedsForSoftCeiling = 3;
/// Blobs with more voxels than this share of the median are pairs or clusters, not measured.
constexpr double kMaxVoxelsOverMedian = 1.6;
/// Misfit share assumed while measuring (the measured one replaces it afterwards).
constexpr double kLearningModelError = 0.1;
/// The blur assumed for the measuring windows: a 1.2 mm in-plane sigma, a slice profile of two
/// slice spacings (overlapping reconstruction) with 1 mm edges.
constexpr double kGenerousSigmaMm = 1.2;
constexpr double kGenerousBoxSlices = 2.0;
constexpr double kGenerousSliceSigmaMm = 1.0;
/// Backgrounds (HU) at which the faintest seed peak is tabulated: lung to dense bone.
constexpr std::array<double, 8> kFaintBackgroundsHu{-1000, -500, 0, 500, 1000, 1500, 2000, 2500};
/// A compressed ceiling starts soft: metal-artefact reduction compresses from well below its
/// cap (tanh-like), which a knee this share of the excess below the ceiling approximates.
constexpr double kSoftnessStartShare = 0.6;
/// Bounds of the shared parameters (mm): the in-plane sigma of a kernel beyond the pixel box,
/// the slice profile's box (in slices) and its Gaussian.
constexpr double kMinSigmaMm = 0.01;
constexpr double kMaxSigmaMm = 2.5;
constexpr double kMinBoxSlices = 0.25;
constexpr double kMaxBoxSlices = 6.0;
constexpr double kMaxSliceSigmaMm = 3.0;
/// Alternations of pose fits and appearance fits, and Levenberg-Marquardt iterations per
/// appearance fit.
constexpr int kAlternations = 2;
/// The coarse grid: slice boxes (in slice spacings) and in-plane sigmas (mm), two rounds.
constexpr std::array<double, 4> kGridBoxSlices{1.0, 1.4, 2.0, 2.6};
constexpr std::array<double, 3> kGridSigmasMm{0.3, 0.6, 1.0};
constexpr int kGridPoseIterations = 6;
constexpr std::size_t kGridSeeds = 4;
constexpr int kAppearanceIterations = 15;
constexpr double kDerivativeStep = 0.01;
/// Seed-like excess (in noise sigmas) of voxels used to measure the model error.
constexpr double kErrorSampleSigmas = 5.0;
/// ... where the model predicts at least this share of a seed's typical contrast.
constexpr double kErrorSampleShare = 0.1;
constexpr double kMinModelError = 0.03;
constexpr double kMinWeightingError = 0.05;
constexpr double kMaxWeightingError = 0.15;
constexpr double kMaxModelError = 0.4;
/// FWHM of a Gaussian over its sigma, 2 sqrt(2 ln 2).
const double kFwhmPerSigma = 2.0 * std::sqrt(2.0 * std::numbers::ln2);

enum class Ceiling { None, Clipped, Soft };

double Median(std::vector<double> values) {
  if (values.empty()) {
    return 0.0;
  }
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

double SpanMm(const MetalRegion& region, const Eigen::Vector3d& spacing) {
  double sum = 0.0;
  for (int axis = 0; axis < 3; ++axis) {
    const double span = static_cast<double>(region.high[axis] - region.low[axis]) * spacing[axis];
    sum += span * span;
  }
  return std::sqrt(sum);
}

/// FWHM of a box of width w convolved with a Gaussian of sigma s.
double BoxGaussianFwhm(double w, double s) {
  if (s <= 1e-6) {
    return w;
  }
  const auto profile = [&](double x) {
    const auto phi = [](double t) { return 0.5 * std::erfc(-t / std::numbers::sqrt2); };
    return phi((x + 0.5 * w) / s) - phi((x - 0.5 * w) / s);
  };
  const double half = 0.5 * profile(0.0);
  double low = 0.0;
  double high = w + 10.0 * s;
  for (int n = 0; n < 60; ++n) {
    const double middle = 0.5 * (low + high);
    (profile(middle) > half ? low : high) = middle;
  }
  return 2.0 * low;
}

/// One measured seed: its window, metal points and current pose.
struct Measured {
  int region = 0;
  FitWindow window;
  std::vector<Eigen::Vector3d> points;
  std::vector<double> weights;
  Capsule pose;
};

/// The shared parameters in the log domain and the model they make.
struct Parameters {
  Ceiling ceiling = Ceiling::None;
  double backgroundHu = 0.0; ///< reference background (amplitude is above it)
  double highestHu = 0.0;    ///< the highest value the seeds show
  /// The lowest a compressed ceiling may lie: the seeds' median peak less three noise sigmas
  /// (a noisy peak may stand above the ceiling it was compressed into).
  double lowestCeilingHu = 0.0;
  /// ... and the highest: the highest value seen plus three noise sigmas (a ceiling above every
  /// value is no ceiling the data can show).
  double highestCeilingHu = 0.0;
  std::vector<double> values; ///< ln(A - b), ln sigma, ln box, ln sliceSigma [, ln s, ln dC]
  std::vector<bool> free;

  CapsuleModel Model(const CapsuleModel& base, double sliceSpacing) const {
    CapsuleModel model = base;
    model.amplitudeHu = backgroundHu + std::exp(values[0]);
    model.psfSigmaMm = std::clamp(std::exp(values[1]), kMinSigmaMm, kMaxSigmaMm);
    model.sliceBoxMm =
        std::clamp(std::exp(values[2]), kMinBoxSlices * sliceSpacing, kMaxBoxSlices * sliceSpacing);
    model.sliceSigmaMm = std::clamp(std::exp(values[3]), kMinSigmaMm, kMaxSliceSigmaMm);
    switch (ceiling) {
    case Ceiling::None:
      model.ceilingHu = std::numeric_limits<double>::infinity();
      model.ceilingSoftnessHu = 0.0;
      break;
    case Ceiling::Clipped:
      model.ceilingHu = highestHu;
      model.ceilingSoftnessHu = 0.0;
      break;
    case Ceiling::Soft:
      model.ceilingSoftnessHu = std::exp(values[4]);
      // Between the two bounds, through a logistic function of the parameter.
      model.ceilingHu =
          lowestCeilingHu + (highestCeilingHu - lowestCeilingHu) / (1.0 + std::exp(-values[5]));
      break;
    }
    return model;
  }
};

class Learner {
public:
  Learner(const GridGeometry& geometry, std::vector<Measured>& seeds, const CapsuleModel& base)
      : m_Geometry(geometry), m_Seeds(seeds), m_Base(base) {}

  double Cost(const Parameters& parameters) const {
    double cost = 0.0;
    for (double r : Residuals(parameters)) {
      cost += SeedFit::Rho(r);
    }
    return cost;
  }

  std::vector<double> Residuals(const Parameters& parameters) const {
    const CapsuleModel model = parameters.Model(m_Base, m_Geometry.SpacingMm()[2]);
    std::vector<double> all;
    for (const Measured& seed : m_Seeds) {
      const SeedFit fit(m_Geometry, seed.window, model);
      const std::vector<double> residuals = fit.ScaledResiduals({seed.pose});
      all.insert(all.end(), residuals.begin(), residuals.end());
    }
    return all;
  }

  void FitPoses(const Parameters& parameters, int iterations = 40) {
    const CapsuleModel model = parameters.Model(m_Base, m_Geometry.SpacingMm()[2]);
    for (Measured& seed : m_Seeds) {
      const SeedFit fit(m_Geometry, seed.window, model);
      seed.pose = fit.Fit({seed.pose}, iterations).capsules[0];
    }
  }

  std::vector<Capsule> Poses() const {
    std::vector<Capsule> poses;
    for (const Measured& seed : m_Seeds) {
      poses.push_back(seed.pose);
    }
    return poses;
  }

  void SetPoses(const std::vector<Capsule>& poses) {
    for (std::size_t s = 0; s < m_Seeds.size(); ++s) {
      m_Seeds[s].pose = poses[s];
    }
  }

  /// Levenberg-Marquardt over the free shared parameters (iteratively reweighted Huber), or
  /// over the amplitude alone.
  double FitShared(Parameters& parameters, bool amplitudeOnly = false) const {
    std::vector<std::size_t> freeIndex;
    for (std::size_t p = 0; p < parameters.values.size(); ++p) {
      if (parameters.free[p] && (!amplitudeOnly || p == 0)) {
        freeIndex.push_back(p);
      }
    }
    std::vector<double> residuals = Residuals(parameters);
    double cost = 0.0;
    for (double r : residuals) {
      cost += SeedFit::Rho(r);
    }
    if (freeIndex.empty()) {
      return cost;
    }
    const auto rows = static_cast<Eigen::Index>(residuals.size());
    const auto columns = static_cast<Eigen::Index>(freeIndex.size());
    double lambda = 1e-2;
    for (int iteration = 0; iteration < kAppearanceIterations; ++iteration) {
      Eigen::MatrixXd jacobian(rows, columns);
      Eigen::VectorXd weights(rows);
      Eigen::VectorXd current(rows);
      for (Eigen::Index r = 0; r < rows; ++r) {
        const double value = residuals[static_cast<std::size_t>(r)];
        current[r] = value;
        weights[r] = std::abs(value) <= 2.5 ? 1.0 : 2.5 / std::abs(value);
      }
      for (Eigen::Index c = 0; c < columns; ++c) {
        Parameters moved = parameters;
        moved.values[freeIndex[static_cast<std::size_t>(c)]] += kDerivativeStep;
        const std::vector<double> shifted = Residuals(moved);
        for (Eigen::Index r = 0; r < rows; ++r) {
          jacobian(r, c) =
              (shifted[static_cast<std::size_t>(r)] - residuals[static_cast<std::size_t>(r)]) /
              kDerivativeStep;
        }
      }
      const Eigen::MatrixXd normal = jacobian.transpose() * weights.asDiagonal() * jacobian;
      const Eigen::VectorXd gradient = jacobian.transpose() * weights.cwiseProduct(current);
      bool improved = false;
      double newCost = cost;
      Parameters trial = parameters;
      while (lambda < 1e8) {
        Eigen::MatrixXd damped = normal;
        for (Eigen::Index d = 0; d < columns; ++d) {
          damped(d, d) += lambda * std::max(normal(d, d), 1e-9) + 1e-9;
        }
        const Eigen::VectorXd step = damped.ldlt().solve(-gradient);
        trial = parameters;
        for (Eigen::Index c = 0; c < columns; ++c) {
          // Steps in the log domain are kept below a factor e per iteration.
          trial.values[freeIndex[static_cast<std::size_t>(c)]] += std::clamp(step[c], -1.0, 1.0);
        }
        newCost = Cost(trial);
        if (newCost < cost) {
          improved = true;
          lambda = std::max(1e-7, lambda / 3.0);
          break;
        }
        lambda *= 4.0;
      }
      if (!improved) {
        break;
      }
      const double gain = cost - newCost;
      parameters = trial;
      cost = newCost;
      residuals = Residuals(parameters);
      if (gain < 1e-4 * cost + 1e-3) {
        break;
      }
    }
    return cost;
  }

private:
  const GridGeometry& m_Geometry;
  std::vector<Measured>& m_Seeds;
  const CapsuleModel& m_Base;
};

} // namespace

double LearnedAppearance::FaintestPeakOn(double backgroundHu) const {
  if (faintestByBackground.empty()) {
    return faintestPeakHu;
  }
  if (backgroundHu <= faintestByBackground.front().first) {
    return faintestByBackground.front().second;
  }
  for (std::size_t n = 1; n < faintestByBackground.size(); ++n) {
    const auto& [b1, f1] = faintestByBackground[n];
    if (backgroundHu <= b1) {
      const auto& [b0, f0] = faintestByBackground[n - 1];
      return f0 + (f1 - f0) * (backgroundHu - b0) / (b1 - b0);
    }
  }
  return faintestByBackground.back().second;
}

double ScanAppearance::FaintestPeakHu(const GridGeometry& geometry, const CapsuleModel& model,
                                      double backgroundHu) {
  const Eigen::Vector3d& spacing = geometry.SpacingMm();
  const double box = model.sliceBoxMm > 0.0 ? model.sliceBoxMm : spacing[2];
  FitWindow window;
  for (int axis = 0; axis < 3; ++axis) {
    const double blur = axis < 2 ? model.psfSigmaMm : model.sliceSigmaMm + 0.5 * box;
    const double reachMm = 0.5 * model.lengthMm + 3.0 * blur + spacing[axis];
    window.size[axis] = 2 * static_cast<std::int64_t>(std::ceil(reachMm / spacing[axis])) + 1;
  }
  const auto count = static_cast<std::size_t>(window.size[0] * window.size[1] * window.size[2]);
  window.observedHu.assign(count, static_cast<float>(backgroundHu));
  window.backgroundHu.assign(count, static_cast<float>(backgroundHu));
  window.used.assign(count, 1);
  window.scaleHu.assign(count, 1.0F);
  window.centreHigh =
      Eigen::Vector3d(static_cast<double>(window.size[0]), static_cast<double>(window.size[1]),
                      static_cast<double>(window.size[2]));
  const SeedFit fit(geometry, window, model);
  const Eigen::Vector3d middle(static_cast<double>(window.size[0] / 2),
                               static_cast<double>(window.size[1] / 2),
                               static_cast<double>(window.size[2] / 2));
  const Eigen::Matrix3d& direction = geometry.Direction();
  const std::array<Eigen::Vector3d, 4> axes{direction.col(0), direction.col(1), direction.col(2),
                                            (direction * Eigen::Vector3d(1, 1, 1)).normalized()};
  double faintest = std::numeric_limits<double>::infinity();
  for (const Eigen::Vector3d& axis : axes) {
    for (double shift : {0.0, 0.5}) {
      const Eigen::Vector3d index = middle + Eigen::Vector3d::Constant(shift);
      const Capsule capsule{geometry.IndexToPoint(index.x(), index.y(), index.z()), axis};
      const std::vector<double> predicted = fit.Predicted({capsule});
      double peak = 0.0;
      for (double value : predicted) {
        peak = std::max(peak, value - backgroundHu);
      }
      faintest = std::min(faintest, peak);
    }
  }
  return faintest;
}

LearnedAppearance ScanAppearance::Learn(const Volume<short>& ct,
                                        const std::vector<MetalRegion>& regions,
                                        const std::unordered_map<std::int64_t, int>& regionOf,
                                        double noiseSigmaHu, const SeedDetectionOptions& options) {
  const GridGeometry& geometry = ct.Geometry();
  const Eigen::Vector3d& spacing = geometry.SpacingMm();
  const auto& size = geometry.Size();
  LearnedAppearance learned;
  CapsuleModel base;
  base.lengthMm = options.seedLengthMm;
  base.diameterMm = options.seedDiameterMm;
  base.psfSigmaMm = 0.5;
  base.sliceBoxMm = spacing[2];
  base.sliceSigmaMm = 0.3;
  learned.model = base;
  learned.summary.noiseSigmaHu = noiseSigmaHu;

  // 1. The clearest isolated blobs of about one seed's size, away from the CT's border.
  // Windows wide enough for the softest kernel and the thickest overlapping slices measured
  // (the blur's reach decides where the background ring starts).
  CapsuleModel generous = base;
  generous.psfSigmaMm = kGenerousSigmaMm;
  generous.sliceBoxMm = kGenerousBoxSlices * spacing[2];
  generous.sliceSigmaMm = kGenerousSliceSigmaMm;
  const std::array<std::int64_t, 3> reach = FitWindowBuilder::Reach(geometry, generous);
  // Only blobs about as clear as the clearest few count: seeds implanted ~1 cm apart are rarely
  // isolated, and lumps of bone far from them would otherwise be all the pool holds. The
  // kPoolReferenceRank-th clearest blob is the reference, so that a few overlapping pairs on an
  // unclipped scale do not raise it.
  std::vector<double> compactContrasts;
  for (const MetalRegion& region : regions) {
    if (!region.extended && !region.voxels.empty()) {
      compactContrasts.push_back(region.ContrastHu());
    }
  }
  std::sort(compactContrasts.begin(), compactContrasts.end(), std::greater<>());
  const double clearestContrast =
      compactContrasts.empty()
          ? 0.0
          : compactContrasts[std::min(compactContrasts.size() - 1, kPoolReferenceRank - 1)];
  const double poolContrastHu = kPoolContrastShare * clearestContrast;
  std::vector<int> pool;
  for (std::size_t r = 0; r < regions.size(); ++r) {
    const MetalRegion& region = regions[r];
    if (region.extended || region.voxels.empty() || region.ContrastHu() < poolContrastHu) {
      continue;
    }
    bool inside = true;
    for (int axis = 0; axis < 3; ++axis) {
      inside = inside && region.low[axis] - reach[axis] >= 0 &&
               region.high[axis] + reach[axis] < size[axis];
    }
    bool isolated = true;
    for (std::size_t o = 0; o < regions.size() && isolated; ++o) {
      // Only blobs of comparable brightness count: streak crossings and bone corners near a
      // seed do not make it less clear.
      if (o == r || regions[o].ContrastHu() < kIsolationContrastShare * region.ContrastHu()) {
        continue;
      }
      double gap2 = 0.0;
      for (int axis = 0; axis < 3; ++axis) {
        const double gap =
            std::max<double>({0.0, static_cast<double>(regions[o].low[axis] - region.high[axis]),
                              static_cast<double>(region.low[axis] - regions[o].high[axis])});
        gap2 += gap * gap * spacing[axis] * spacing[axis];
      }
      isolated = gap2 >= kIsolationMm * kIsolationMm;
    }
    if (inside && isolated) {
      pool.push_back(static_cast<int>(r));
    }
  }
  if (pool.empty()) {
    for (std::size_t r = 0; r < regions.size(); ++r) {
      if (!regions[r].extended && !regions[r].voxels.empty() &&
          regions[r].ContrastHu() >= poolContrastHu) {
        pool.push_back(static_cast<int>(r));
      }
    }
  }
  // Clearest against how much the surroundings vary: on a clipped scale every seed peaks at the
  // ceiling, and the highest contrast would pick those beside lung or in streaks, whose flanks
  // are least like the seed's own blur.
  const auto clarity = [&](int r) {
    const MetalRegion& region = regions[static_cast<std::size_t>(r)];
    return region.ContrastHu() /
           std::sqrt(noiseSigmaHu * noiseSigmaHu + region.ring.spreadHu * region.ring.spreadHu);
  };
  std::sort(pool.begin(), pool.end(),
            [&](int left, int right) { return clarity(left) > clarity(right); });
  if (pool.size() > 3 * static_cast<std::size_t>(kMaxSeeds)) {
    pool.resize(3 * static_cast<std::size_t>(kMaxSeeds));
  }
  std::vector<double> voxelCounts;
  for (int r : pool) {
    voxelCounts.push_back(static_cast<double>(regions[static_cast<std::size_t>(r)].voxels.size()));
  }
  const double medianVoxels = Median(voxelCounts);
  std::vector<Measured> seeds;
  for (int r : pool) {
    const MetalRegion& region = regions[static_cast<std::size_t>(r)];
    if (static_cast<double>(region.voxels.size()) > kMaxVoxelsOverMedian * medianVoxels ||
        seeds.size() >= static_cast<std::size_t>(kMaxSeeds)) {
      continue;
    }
    Measured seed;
    seed.region = r;
    seed.window = FitWindowBuilder::Build(ct, {&region}, regionOf, {r}, generous, noiseSigmaHu,
                                          kLearningModelError);
    for (std::int64_t v : region.voxels) {
      const std::int64_t i = v % size[0];
      const std::int64_t j = (v / size[0]) % size[1];
      const std::int64_t k = v / (size[0] * size[1]);
      seed.points.push_back(geometry.IndexToPoint(static_cast<double>(i), static_cast<double>(j),
                                                  static_cast<double>(k)));
      seed.weights.push_back(std::max(
          1.0, static_cast<double>(ct.Data()[static_cast<std::size_t>(v)]) - region.ring.medianHu));
    }
    seeds.push_back(std::move(seed));
  }
  if (seeds.empty()) {
    learned.notes.push_back("no seed-like blob to measure the scanner on");
    return learned;
  }

  // 2. Starting values: the ceiling the seeds share, an amplitude from the peaks.
  std::vector<double> backgrounds;
  std::vector<double> peaks;
  std::vector<double> contrasts;
  double highest = -std::numeric_limits<double>::infinity();
  for (const Measured& seed : seeds) {
    const MetalRegion& region = regions[static_cast<std::size_t>(seed.region)];
    backgrounds.push_back(region.ring.medianHu);
    peaks.push_back(region.peakHu);
    contrasts.push_back(region.ContrastHu());
    highest = std::max(highest, region.peakHu);
  }
  const double backgroundHu = Median(backgrounds);
  // Clipped: several voxels of several seeds at exactly the highest value.
  int seedsAtCeiling = 0;
  for (const Measured& seed : seeds) {
    int atHighest = 0;
    for (std::size_t n = 0; n < seed.window.observedHu.size(); ++n) {
      atHighest += seed.window.observedHu[n] >= highest - 0.5 ? 1 : 0;
    }
    seedsAtCeiling += atHighest >= 2 ? 1 : 0;
  }
  const bool clipped =
      seedsAtCeiling >=
      std::max(1, static_cast<int>(std::ceil(0.3 * static_cast<double>(seeds.size()))));

  const double sliceSpacing = spacing[2];
  Parameters start;
  start.backgroundHu = backgroundHu;
  start.highestHu = highest;
  const double contrast = std::max(100.0, Median(contrasts));
  // A seed's fullest voxel is roughly a quarter metal at ordinary resolutions.
  start.values = {std::log(clipped ? 50000.0 : contrast / 0.25), std::log(0.5),
                  std::log(sliceSpacing), std::log(0.3)};
  start.free = {!options.seedAttenuationHu.has_value(), !options.psfFwhmMm.has_value(), true, true};
  if (options.seedAttenuationHu) {
    start.values[0] = std::log(std::max(1.0, *options.seedAttenuationHu - backgroundHu));
  }
  if (options.psfFwhmMm) {
    start.values[1] = std::log(std::max(kMinSigmaMm, *options.psfFwhmMm / kFwhmPerSigma));
  }

  // 3. Poses with the starting model, then each ceiling family by alternation; Schwarz's
  // criterion chooses.
  start.ceiling = clipped ? Ceiling::Clipped : Ceiling::None;
  {
    const CapsuleModel model = start.Model(base, sliceSpacing);
    for (Measured& seed : seeds) {
      const SeedFit fit(geometry, seed.window, model);
      const Eigen::Vector3d sliceStep = geometry.Direction().col(2) * spacing[2];
      seed.pose = ClusterSplitter::FitOne(fit, seed.points, seed.weights, sliceStep).capsules[0];
    }
  }
  Learner learner(geometry, seeds, base);
  // A coarse grid over the spreads first, each point with its amplitude and the poses refitted
  // briefly: the alternation below only refines, and from a slice box or kernel far from the
  // truth it settles in a poorer minimum.
  // The grid is judged on the clearest few seeds.
  {
    std::vector<Measured> clearest(
        seeds.begin(),
        seeds.begin() + static_cast<std::ptrdiff_t>(std::min(seeds.size(), kGridSeeds)));
    Learner gridLearner(geometry, clearest, base);
    double lowest = std::numeric_limits<double>::infinity();
    Parameters chosenStart = start;
    const std::vector<Capsule> initialPoses = gridLearner.Poses();
    for (double box : kGridBoxSlices) {
      for (double sigma : kGridSigmasMm) {
        if (options.psfFwhmMm && sigma != kGridSigmasMm[0]) {
          continue;
        }
        Parameters trial = start;
        trial.values[2] = std::log(box * sliceSpacing);
        if (!options.psfFwhmMm) {
          trial.values[1] = std::log(sigma);
        }
        gridLearner.SetPoses(initialPoses);
        gridLearner.FitShared(trial, true);
        gridLearner.FitPoses(trial, kGridPoseIterations);
        const double cost = gridLearner.FitShared(trial, true);
        if (cost < lowest) {
          lowest = cost;
          chosenStart = trial;
        }
      }
    }
    start = chosenStart;
    learner.FitPoses(start, kGridPoseIterations);
  }
  std::size_t usedVoxels = 0;
  for (const Measured& seed : seeds) {
    usedVoxels += static_cast<std::size_t>(
        std::count(seed.window.used.begin(), seed.window.used.end(), std::uint8_t{1}));
  }
  const double perParameter = 0.5 * std::log(std::max<double>(2.0, usedVoxels));
  struct Candidate {
    Parameters parameters;
    std::vector<Capsule> poses;
    double score = std::numeric_limits<double>::infinity();
  };
  std::vector<Candidate> candidates;
  const auto runFamily = [&](Parameters parameters, int alternations) {
    double cost = 0.0;
    for (int a = 0; a < alternations; ++a) {
      cost = learner.FitShared(parameters);
      learner.FitPoses(parameters);
    }
    cost = learner.FitShared(parameters);
    int freeCount = 0;
    for (bool f : parameters.free) {
      freeCount += f ? 1 : 0;
    }
    Candidate candidate;
    candidate.parameters = parameters;
    for (const Measured& seed : seeds) {
      candidate.poses.push_back(seed.pose);
    }
    candidate.score = cost + perParameter * freeCount;
    candidates.push_back(candidate);
  };
  runFamily(start, kAlternations);
  // The soft ceiling (compressed metal) from the first family's result.
  Parameters soft = candidates.front().parameters;
  soft.ceiling = Ceiling::Soft;
  soft.values.resize(6);
  soft.free.resize(6);
  soft.lowestCeilingHu = Median(peaks) - 3.0 * noiseSigmaHu;
  soft.values[4] = std::log(std::max(20.0, kSoftnessStartShare * (highest - backgroundHu)));
  soft.highestCeilingHu = highest + 3.0 * noiseSigmaHu;
  soft.values[5] = 0.0;
  soft.free[4] = true;
  soft.free[5] = true;
  if (seeds.size() >= kMinSeedsForSoftCeiling) {
    runFamily(soft, kAlternations - 1);
  }
  const auto best = std::min_element(
      candidates.begin(), candidates.end(),
      [](const Candidate& left, const Candidate& right) { return left.score < right.score; });
  for (std::size_t s = 0; s < seeds.size(); ++s) {
    seeds[s].pose = best->poses[s];
  }
  const Parameters& chosen = best->parameters;
  learned.model = chosen.Model(base, sliceSpacing);

  // 4. The model's relative error: the share e of a voxel's excess with which
  // sqrt(noise^2 + (e excess)^2) makes the robust spread of the residuals 1.
  std::vector<std::pair<double, double>> samples; // (residual, excess)
  std::vector<double> excessSums;
  double fullest = 0.0;
  for (const Measured& seed : seeds) {
    const SeedFit fit(geometry, seed.window, learned.model);
    const std::vector<double> residual = fit.Residual({seed.pose});
    double excessSum = 0.0;
    const std::vector<double> prediction = fit.Predicted({seed.pose});
    for (std::size_t n : fit.UsedVoxels()) {
      const double excess =
          static_cast<double>(seed.window.observedHu[n]) - seed.window.backgroundHu[n];
      // Only where the model puts metal: a streak's voxels say nothing of the seed model.
      const double predictedExcess = prediction[n] - seed.window.backgroundHu[n];
      if (predictedExcess > kErrorSampleSigmas * noiseSigmaHu) {
        excessSum += std::max(0.0, excess);
      }
      if (excess > kErrorSampleSigmas * noiseSigmaHu &&
          predictedExcess > kErrorSampleShare * contrast) {
        samples.emplace_back(residual[n], excess);
      }
    }
    excessSums.push_back(excessSum);
    // The fullest voxel's fill (from the model without its ceiling), for "is the amplitude
    // only a lower bound".
    CapsuleModel linear = learned.model;
    linear.ceilingHu = std::numeric_limits<double>::infinity();
    const SeedFit linearFit(geometry, seed.window, linear);
    const std::vector<double> predicted = linearFit.Predicted({seed.pose});
    for (std::size_t n : fit.UsedVoxels()) {
      const double b = seed.window.backgroundHu[n];
      if (linear.amplitudeHu > b) {
        fullest = std::max(fullest, (predicted[n] - b) / (linear.amplitudeHu - b));
      }
    }
  }
  double modelError = kLearningModelError;
  if (samples.size() >= 10) {
    const auto spread = [&](double e) {
      std::vector<double> scaled;
      for (const auto& [r, excess] : samples) {
        scaled.push_back(std::abs(r) /
                         std::sqrt(noiseSigmaHu * noiseSigmaHu + e * e * excess * excess));
      }
      return 1.4826 * Median(scaled);
    };
    double low = kMinModelError;
    double high = kMaxModelError;
    if (spread(low) <= 1.0) {
      modelError = low;
    } else if (spread(high) >= 1.0) {
      modelError = high;
    } else {
      for (int n = 0; n < 40; ++n) {
        const double middle = 0.5 * (low + high);
        (spread(middle) > 1.0 ? low : high) = middle;
      }
      modelError = 0.5 * (low + high);
    }
  }
  learned.modelError = modelError;
  // Residuals are weighed with the misfit share bounded to [5, 15] %: the scale of a voxel
  // comes from its observed excess (fixed during fits), so "no seed here" costs at most ~1 /
  // share per bright voxel; a larger share would make a seed's evidence vanish, a smaller one
  // would make the rim misfit of a good fit look like unexplained metal.
  learned.weightingError = std::clamp(modelError, kMinWeightingError, kMaxWeightingError);

  // 5. Figures for comparing other blobs, and the summary.
  std::vector<double> regionVoxels;
  double bloom = 0.0;
  for (const Measured& seed : seeds) {
    const MetalRegion& region = regions[static_cast<std::size_t>(seed.region)];
    regionVoxels.push_back(static_cast<double>(region.voxels.size()));
    bloom = std::max(bloom, SpanMm(region, spacing) - options.seedLengthMm);
    learned.typicalSpanMm = std::max(learned.typicalSpanMm, SpanMm(region, spacing));
    learned.measured.push_back(seed.region);
  }
  learned.typicalPeakHu = Median(peaks);
  learned.typicalContrastHu = Median(contrasts);
  learned.typicalExcessSum = Median(excessSums);
  learned.typicalRegionVoxels = Median(regionVoxels);
  learned.bloomMm = std::max(0.0, bloom);
  learned.faintestPeakHu = FaintestPeakHu(geometry, learned.model, backgroundHu);
  for (double background : kFaintBackgroundsHu) {
    learned.faintestByBackground.emplace_back(background,
                                              FaintestPeakHu(geometry, learned.model, background));
  }

  ScannerAppearance& summary = learned.summary;
  summary.seedsMeasured = static_cast<int>(seeds.size());
  summary.amplitudeHu = learned.model.amplitudeHu;
  summary.psfSigmaMm = learned.model.psfSigmaMm;
  summary.inPlaneFwhmMm =
      kFwhmPerSigma * std::sqrt(learned.model.psfSigmaMm * learned.model.psfSigmaMm +
                                spacing[0] * spacing[1] / 12.0);
  summary.sliceBoxMm = learned.model.sliceBoxMm;
  summary.sliceSigmaMm = learned.model.sliceSigmaMm;
  summary.sliceProfileFwhmMm =
      BoxGaussianFwhm(learned.model.sliceBoxMm, learned.model.sliceSigmaMm);
  if (std::isfinite(learned.model.ceilingHu)) {
    summary.ceilingHu = learned.model.ceilingHu;
    summary.ceilingSoftnessHu = learned.model.ceilingSoftnessHu;
    // Where the fullest voxel's linear value would far exceed the ceiling, the amplitude is
    // seen only through the partial-volume rim: a lower bound rather than a measurement.
    const double linearPeak = backgroundHu + fullest * (learned.model.amplitudeHu - backgroundHu);
    summary.amplitudeIsLowerBound =
        linearPeak > learned.model.ceilingHu + 2.0 * learned.model.ceilingSoftnessHu;
  }
  summary.noiseSigmaHu = noiseSigmaHu;
  summary.modelErrorShare = modelError;
  summary.typicalContrastHu = learned.typicalContrastHu;
  return learned;
}

} // namespace seedplan::imaging
