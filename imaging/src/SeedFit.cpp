#include "SeedFit.h"

#include <Eigen/Cholesky>
#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace seedplan::imaging {
namespace {

/// Huber threshold on residuals scaled by each voxel's expected misfit (noise and model error):
/// beyond 2.5 scales a residual counts linearly (streaks, a neighbour's tail, bone edges), while
/// up to it the fit is least squares (Huber 1964; 2.5 keeps ~99 % efficiency on Gaussian data).
constexpr double kHuberScale = 2.5;
/// Discs a capsule is cut into along its axis (0.19 mm each for a 4.5 mm seed); their blobs are
/// spread along the axis by half a disc so that their sum has no ripple (< 1 %).
constexpr int kDiscs = 24;
/// Two capsules may not come closer (axis to axis) than this share of the diameter: seeds are
/// solid; the margin allows for their rounded outline.
constexpr double kMinSeparationShare = 0.9;
/// Overlap penalty per sample point: 1 mm of overlap weighs like a residual of this many scales,
/// so that overlapping by a tenth of the diameter costs as much as a few badly predicted voxels;
/// no fit gains by hiding a second seed inside the first, and overlapping starts slide apart.
constexpr double kOverlapWeightPerMm = 300.0;
/// Points along each capsule's axis where the overlap is measured.
constexpr int kOverlapSamples = 7;
/// Rows of a fit: the voxels the capsules touch and this many around (a step moves a capsule by
/// well under a voxel).
constexpr std::int64_t kActiveMarginVoxels = 2;
/// The fit stops when an iteration gains less than this (the cost is ~0.5 per voxel: 0.01 is a
/// hundredth of a voxel's misfit, far below what moves a centre by 0.01 mm).
constexpr double kRelativeGain = 1e-5;
constexpr double kAbsoluteGain = 0.01;
constexpr double kPositionStepMm = 0.01;
constexpr double kAngleStepRad = 0.003;
constexpr double kMinSigmaVoxels = 1e-3;
/// A capsule's core: the voxels holding at least this share of its fullest voxel's metal; each
/// must show at least this share of the excess the model predicts there, less kCoreMarginScales
/// of its scale (noise, model error).
constexpr double kCoreShare = 0.5;
constexpr double kCoreMarginScales = 3.0;
/// A core voxel the model puts at the ceiling must come within this share of its excess of it,
/// less kCoreMarginScales of the noise and of its background's uncertainty: clipping is exact,
/// but a dark streak or the far side of an edge under the voxel lowers what reaches the ceiling
/// (on a scan whose seeds stand in lung beside streaks of +-900 HU, a seed's core voxels near the
/// knee show 1900-2600 HU where the model clips them at 3071). A voxel whose linear value lies
/// above the ceiling by less than this share of its excess is not surely clipped: a model that
/// errs by that share on it would leave it below the ceiling (a seed in 3 mm slices of lung had
/// a partial-volume core voxel at 2424 HU where the model put it at 3071; it was refused as
/// having no metal core and lost).
constexpr double kSaturatedCoreShare = 0.1;
/// A ceiling softer than this share of the excess compresses rather than clips: the rule above
/// is for clipping only.
constexpr double kHardCeilingShare = 0.05;
/// A weak pull (scales per mm) of each seed's centre across the slices towards the middle of the
/// range the slice profile cannot tell apart. A seed lying flat wholly inside one box-like slice
/// profile looks the same wherever it lies inside it; the middle of that range halves the worst
/// error, and with two such seeds it keeps their layout side by side rather than stacked. Where
/// the image pins the position (any metal reaching the next profile changes the cost by tens of
/// units per 0.1 mm), the pull's cost (0.5 x (0.5 mm x 0.5)^2 = 0.03 units) moves nothing.
constexpr double kSliceMiddlePullPerMm = 0.5;
/// Largest number of voxels one disc's blob covers along one grid axis.
constexpr std::int64_t kMaxBlobVoxels = 40;
/// Blur relative to a disc's projected radius beyond which the blurred disc is a Gaussian of the
/// same variance (the tabulated profile covers up to kMaxRho).
constexpr double kMaxRho = 4.0;
/// A blurred profile is cut this many sigmas (of blur) beyond the disc: < 0.1 % of it is lost.
constexpr double kReachSigmas = 3.2;
constexpr double kMinRadiusOverSigma = 1.0 / kMaxRho;

/// Standard normal cumulative distribution.
double Phi(double x) {
  return 0.5 * std::erfc(-x * (0.5 * std::numbers::sqrt2));
}

/// Cumulative distribution of a uniform disc of radius 1 projected on a line (semicircle law).
double Semicircle(double u) {
  if (u <= -1.0) {
    return 0.0;
  }
  if (u >= 1.0) {
    return 1.0;
  }
  return 0.5 + (u * std::sqrt(1.0 - u * u) + std::asin(u)) / std::numbers::pi;
}

/// Cumulative distribution of (semicircle of radius 1) + N(0, rho^2), tabulated once over
/// rho in [0, kMaxRho] and u scaled to the support, bilinear in between (error < 1e-3). One
/// object per rho: the two table rows and their weights are found once, then each u is a lookup.
class BlurredSemicircle {
public:
  explicit BlurredSemicircle(double rho) {
    const std::vector<double>& table = Table();
    const double rScaled = std::clamp(rho / kMaxRho * kRhoSteps, 0.0, kRhoSteps - 1e-9);
    const int r0 = static_cast<int>(rScaled);
    m_Weight1 = rScaled - r0;
    for (int dr = 0; dr < 2; ++dr) {
      m_Rows[dr] = table.data() + static_cast<std::size_t>((r0 + dr) * (kUSteps + 1));
      const double rhoAt = kMaxRho * (r0 + dr) / kRhoSteps;
      m_Scale[dr] = 0.5 * kUSteps / (1.0 + 4.0 * rhoAt);
    }
  }

  double operator()(double u) const {
    return (1.0 - m_Weight1) * Row(0, u) + m_Weight1 * Row(1, u);
  }

private:
  static constexpr int kRhoSteps = 80;
  static constexpr int kUSteps = 400;

  double Row(int dr, double u) const {
    const double nScaled = u * m_Scale[dr] + 0.5 * kUSteps;
    if (nScaled <= 0.0) {
      return 0.0;
    }
    if (nScaled >= kUSteps) {
      return 1.0;
    }
    const int n0 = static_cast<int>(nScaled);
    const double fn = nScaled - n0;
    return (1.0 - fn) * m_Rows[dr][n0] + fn * m_Rows[dr][n0 + 1];
  }

  static const std::vector<double>& Table() {
    static const std::vector<double> table = [] {
      std::vector<double> values(static_cast<std::size_t>((kRhoSteps + 1) * (kUSteps + 1)));
      for (int r = 0; r <= kRhoSteps; ++r) {
        const double rhoAt = kMaxRho * r / kRhoSteps;
        // The integrand is a step of width rho in theta: fine steps for small rho only.
        const int thetaSteps = rhoAt < 0.5 ? 160 : 48;
        for (int n = 0; n <= kUSteps; ++n) {
          const double uAt = (2.0 * n / kUSteps - 1.0) * (1.0 + 4.0 * rhoAt);
          double value = Semicircle(uAt);
          if (r > 0) {
            // (2 / pi) * integral over theta in (0, pi) of sin^2 theta Phi((u - cos theta) / rho).
            value = 0.0;
            for (int t = 0; t < thetaSteps; ++t) {
              const double theta = std::numbers::pi * (t + 0.5) / thetaSteps;
              const double sine = std::sin(theta);
              value += sine * sine * Phi((uAt - std::cos(theta)) / rhoAt);
            }
            value *= 2.0 / thetaSteps;
          }
          values[static_cast<std::size_t>(r * (kUSteps + 1) + n)] = value;
        }
      }
      return values;
    }();
    return table;
  }

  const double* m_Rows[2] = {nullptr, nullptr};
  double m_Scale[2] = {0.0, 0.0};
  double m_Weight1 = 0.0;
};

double HuberWeight(double r) {
  const double a = std::abs(r);
  return a <= kHuberScale ? 1.0 : kHuberScale / a;
}

/// Two unit vectors perpendicular to `axis` and to each other.
void Perpendiculars(const Eigen::Vector3d& axis, Eigen::Vector3d& e1, Eigen::Vector3d& e2) {
  Eigen::Index smallest = 0;
  axis.cwiseAbs().minCoeff(&smallest);
  e1 = axis.cross(Eigen::Vector3d::Unit(smallest)).normalized();
  e2 = axis.cross(e1).normalized();
}

/// Capsule `c` moved by the 5 parameters at `delta` (centre mm, then two tilt angles).
Capsule Moved(const Capsule& capsule, const double* delta) {
  Eigen::Vector3d e1;
  Eigen::Vector3d e2;
  Perpendiculars(capsule.axis, e1, e2);
  Capsule moved;
  moved.centreMm = capsule.centreMm + Eigen::Vector3d(delta[0], delta[1], delta[2]);
  moved.axis = (capsule.axis + std::tan(delta[3]) * e1 + std::tan(delta[4]) * e2).normalized();
  return moved;
}

} // namespace

double CapsuleModel::Saturate(double u) const {
  const double knee = ceilingHu - ceilingSoftnessHu;
  if (!(u > knee)) {
    return u;
  }
  if (ceilingSoftnessHu <= 0.0) {
    return ceilingHu;
  }
  return ceilingHu - ceilingSoftnessHu * std::exp(-(u - knee) / ceilingSoftnessHu);
}

double SeedFit::Rho(double r) {
  const double a = std::abs(r);
  return a <= kHuberScale ? 0.5 * r * r : kHuberScale * (a - 0.5 * kHuberScale);
}

SeedFit::SeedFit(const GridGeometry& geometry, const FitWindow& window, const CapsuleModel& model)
    : m_Geometry(geometry), m_Window(window), m_Model(model),
      m_SliceBoxMm(model.sliceBoxMm > 0.0 ? model.sliceBoxMm : geometry.SpacingMm()[2]) {
  for (std::size_t n = 0; n < window.used.size(); ++n) {
    if (window.used[n] != 0) {
      m_UsedVoxels.push_back(n);
    }
  }
  m_NullRho.assign(window.observedHu.size(), 0.0);
  for (std::size_t n : m_UsedVoxels) {
    m_NullRho[n] = Rho((window.observedHu[n] - PredictedAt(n, 0.0)) / window.scaleHu[n]);
    m_NullCost += m_NullRho[n];
  }
  const double radius = 0.5 * model.diameterMm;
  const double halfAxis = 0.5 * model.lengthMm - radius;
  m_DiscStepMm = model.lengthMm / kDiscs;
  for (int d = 0; d < kDiscs; ++d) {
    const double t = -0.5 * model.lengthMm + (d + 0.5) * m_DiscStepMm;
    const double beyond = std::max(0.0, std::abs(t) - halfAxis);
    const double discRadius = std::sqrt(std::max(0.0, radius * radius - beyond * beyond));
    m_DiscT.push_back(t);
    m_DiscRadius.push_back(discRadius);
    m_DiscVolume.push_back(std::numbers::pi * discRadius * discRadius * m_DiscStepMm);
  }
}

Eigen::Vector3d SeedFit::PointOf(std::size_t n) const {
  const auto nx = static_cast<std::size_t>(m_Window.size[0]);
  const auto ny = static_cast<std::size_t>(m_Window.size[1]);
  const auto i = static_cast<double>(n % nx) + static_cast<double>(m_Window.first[0]);
  const auto j = static_cast<double>((n / nx) % ny) + static_cast<double>(m_Window.first[1]);
  const auto k = static_cast<double>(n / (nx * ny)) + static_cast<double>(m_Window.first[2]);
  return m_Geometry.IndexToPoint(i, j, k);
}

void SeedFit::VoxelBox::Add(const VoxelBox& other) {
  if (other.Empty()) {
    return;
  }
  if (Empty()) {
    *this = other;
    return;
  }
  for (int axis = 0; axis < 3; ++axis) {
    low[axis] = std::min(low[axis], other.low[axis]);
    high[axis] = std::max(high[axis], other.high[axis]);
  }
}

double SeedFit::PredictedAt(std::size_t n, double fill) const {
  const double b = m_Window.backgroundHu[n];
  return m_Model.Saturate(b + std::min(1.0, fill) * (m_Model.amplitudeHu - b));
}

void SeedFit::Splat(const Capsule& capsule, std::vector<double>& field, VoxelBox* box) const {
  const Eigen::Vector3d& spacing = m_Geometry.SpacingMm();
  const Eigen::Vector3d axisGrid = m_Geometry.Direction().transpose() * capsule.axis;
  // A voxel's footprint: the pixel in plane, the slice profile's box across (its Gaussian part
  // joins the blur below). The fill is the metal volume over the footprint's volume.
  const double footprintMm3 = spacing[0] * spacing[1] * m_SliceBoxMm;
  const std::array<double, 3> halfBox{0.5, 0.5, 0.5 * m_SliceBoxMm / spacing[2]};
  const std::int64_t nx = m_Window.size[0];
  const std::int64_t ny = m_Window.size[1];
  std::array<std::array<double, kMaxBlobVoxels>, 3> weights{};
  std::array<std::int64_t, 3> low{};
  std::array<std::int64_t, 3> high{};
  const double psfVariance = m_Model.psfSigmaMm * m_Model.psfSigmaMm;
  const double sliceVariance = m_Model.sliceSigmaMm * m_Model.sliceSigmaMm;
  const double axialVariance = 0.25 * m_DiscStepMm * m_DiscStepMm;
  for (std::size_t d = 0; d < m_DiscT.size(); ++d) {
    const Eigen::Vector3d point = capsule.centreMm + m_DiscT[d] * capsule.axis;
    const Eigen::Vector3d index = m_Geometry.PointToContinuousIndex(point);
    bool empty = false;
    for (int axis = 0; axis < 3; ++axis) {
      const double along = axisGrid[axis] * axisGrid[axis];
      const double q = index[axis] - static_cast<double>(m_Window.first[axis]);
      // The disc's profile along this grid axis is a semicircle of the projected radius, blurred
      // by the PSF (in plane) or the profile's Gaussian (across) and by the disc's thickness
      // along the seed axis (a Gaussian of half a disc, so that the stack of discs sums without
      // ripple); integrated over the footprint's box.
      const double radius = m_DiscRadius[d] * std::sqrt(std::max(0.0, 1.0 - along)) / spacing[axis];
      const double sigma =
          std::sqrt((axis < 2 ? psfVariance : sliceVariance) + axialVariance * along) /
          spacing[axis];
      const bool gaussian = radius < kMinRadiusOverSigma * sigma || radius < kMinSigmaVoxels;
      const double gaussianSigma =
          std::max(kMinSigmaVoxels, std::sqrt(sigma * sigma + 0.25 * radius * radius));
      const double rho = gaussian ? 0.0 : sigma / radius;
      const double reach =
          (gaussian ? kReachSigmas * gaussianSigma : radius * (1.0 + kReachSigmas * rho)) +
          halfBox[axis];
      const BlurredSemicircle semicircle(rho);
      const auto cdf = [&](double x) {
        return gaussian ? Phi(x / gaussianSigma) : semicircle(x / radius);
      };
      low[axis] = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::floor(q - reach)));
      high[axis] = std::min<std::int64_t>({m_Window.size[axis] - 1,
                                           static_cast<std::int64_t>(std::ceil(q + reach)),
                                           low[axis] + kMaxBlobVoxels - 1});
      if (high[axis] < low[axis]) {
        empty = true;
        break;
      }
      if (halfBox[axis] == 0.5) {
        // Pixel boxes share their edges: one evaluation per edge.
        double previous = cdf(static_cast<double>(low[axis]) - 0.5 - q);
        for (std::int64_t v = low[axis]; v <= high[axis]; ++v) {
          const double next = cdf(static_cast<double>(v) + 0.5 - q);
          weights[axis][static_cast<std::size_t>(v - low[axis])] = next - previous;
          previous = next;
        }
      } else {
        for (std::int64_t v = low[axis]; v <= high[axis]; ++v) {
          const double centre = static_cast<double>(v) - q;
          weights[axis][static_cast<std::size_t>(v - low[axis])] =
              cdf(centre + halfBox[axis]) - cdf(centre - halfBox[axis]);
        }
      }
    }
    if (empty) {
      continue;
    }
    const double share = m_DiscVolume[d] / footprintMm3;
    if (box != nullptr) {
      VoxelBox disc;
      disc.low = low;
      disc.high = high;
      box->Add(disc);
    }
    for (std::int64_t k = low[2]; k <= high[2]; ++k) {
      const double wk = share * weights[2][static_cast<std::size_t>(k - low[2])];
      if (wk == 0.0) {
        continue;
      }
      for (std::int64_t j = low[1]; j <= high[1]; ++j) {
        const double wjk = wk * weights[1][static_cast<std::size_t>(j - low[1])];
        double* row = field.data() + (j + ny * k) * nx;
        for (std::int64_t i = low[0]; i <= high[0]; ++i) {
          row[i] += wjk * weights[0][static_cast<std::size_t>(i - low[0])];
        }
      }
    }
  }
}

void SeedFit::Residuals(const std::vector<double>& fill, std::vector<double>& residuals) const {
  residuals.resize(m_UsedVoxels.size());
  for (std::size_t u = 0; u < m_UsedVoxels.size(); ++u) {
    const std::size_t n = m_UsedVoxels[u];
    residuals[u] = (m_Window.observedHu[n] - PredictedAt(n, fill[n])) / m_Window.scaleHu[n];
  }
}

std::pair<double, double> SeedFit::SliceCell(double q) const {
  // Box edges lie at k +- h (continuous index), h = half the box in slices: per unit period at
  // frac(h) and frac(-h). The cell between consecutive edges that holds q is what the image
  // cannot resolve for a seed wholly inside it.
  const double h = 0.5 * m_SliceBoxMm / m_Geometry.SpacingMm()[2];
  double a = h - std::floor(h);
  double b = 1.0 - a;
  if (a > b) {
    std::swap(a, b);
  }
  const double base = std::floor(q);
  const double f = q - base;
  if (b - a < 1e-9) {
    // One edge per period (a box of an odd number of half slices): cells are whole periods.
    return f < a ? std::pair{base - 1.0 + a, base + a} : std::pair{base + a, base + 1.0 + a};
  }
  if (f < a) {
    return {base - 1.0 + b, base + a};
  }
  if (f < b) {
    return {base + a, base + b};
  }
  return {base + b, base + 1.0 + a};
}

double SeedFit::SliceTarget(double q) const {
  const auto [low, high] = SliceCell(q);
  return 0.5 * (low + high);
}

void SeedFit::Penalties(const std::vector<Capsule>& capsules,
                        std::vector<double>& penalties) const {
  penalties.clear();
  const double halfAxis = 0.5 * m_Model.lengthMm - 0.5 * m_Model.diameterMm;
  const double minDistance = kMinSeparationShare * m_Model.diameterMm;
  // Overlap: how deep points along each capsule's axis lie inside the other's keep-out distance;
  // sampled along the axis so that two collinear capsules sliding into each other feel it too.
  const auto depth = [&](const Capsule& from, const Capsule& to, double t) {
    const Eigen::Vector3d point = from.centreMm + t * from.axis;
    const double along = std::clamp((point - to.centreMm).dot(to.axis), -halfAxis, halfAxis);
    const double distance = (point - (to.centreMm + along * to.axis)).norm();
    return kOverlapWeightPerMm * std::max(0.0, minDistance - distance);
  };
  for (std::size_t a = 0; a < capsules.size(); ++a) {
    for (std::size_t b = a + 1; b < capsules.size(); ++b) {
      for (int n = 0; n < kOverlapSamples; ++n) {
        const double t = halfAxis * (2.0 * n / (kOverlapSamples - 1) - 1.0);
        penalties.push_back(depth(capsules[a], capsules[b], t));
        penalties.push_back(depth(capsules[b], capsules[a], t));
      }
    }
  }
  for (const Capsule& capsule : capsules) {
    const double across = m_Geometry.PointToContinuousIndex(capsule.centreMm).z();
    penalties.push_back(kSliceMiddlePullPerMm * (across - SliceTarget(across)) *
                        m_Geometry.SpacingMm()[2]);
  }
  // A centre outside the box of the metal it explains has left the data (no gradient brings it
  // back): it is pulled in.
  const Eigen::Vector3d& spacing = m_Geometry.SpacingMm();
  for (const Capsule& capsule : capsules) {
    const Eigen::Vector3d index = m_Geometry.PointToContinuousIndex(capsule.centreMm);
    for (int axis = 0; axis < 3; ++axis) {
      const double q = index[axis] - static_cast<double>(m_Window.first[axis]);
      const double outside =
          std::max({0.0, m_Window.centreLow[axis] - q, q - m_Window.centreHigh[axis]});
      penalties.push_back(kOverlapWeightPerMm * outside * spacing[axis]);
    }
  }
}

std::vector<double> SeedFit::Predicted(const std::vector<Capsule>& capsules) const {
  std::vector<double> fill(m_Window.observedHu.size(), 0.0);
  for (const Capsule& capsule : capsules) {
    Splat(capsule, fill);
  }
  std::vector<double> predicted(fill.size());
  for (std::size_t n = 0; n < fill.size(); ++n) {
    const double b = m_Window.backgroundHu[n];
    predicted[n] = m_Model.Saturate(b + std::min(1.0, fill[n]) * (m_Model.amplitudeHu - b));
  }
  return predicted;
}

std::vector<double> SeedFit::Residual(const std::vector<Capsule>& capsules) const {
  const std::vector<double> predicted = Predicted(capsules);
  std::vector<double> residual(m_Window.observedHu.size(), 0.0);
  for (std::size_t n : m_UsedVoxels) {
    residual[n] = m_Window.observedHu[n] - predicted[n];
  }
  return residual;
}

std::vector<double> SeedFit::ScaledResiduals(const std::vector<Capsule>& capsules) const {
  std::vector<double> fill(m_Window.observedHu.size(), 0.0);
  for (const Capsule& capsule : capsules) {
    Splat(capsule, fill);
  }
  std::vector<double> residuals;
  Residuals(fill, residuals);
  return residuals;
}

double SeedFit::CoreSupport(const Capsule& capsule) const {
  std::vector<double> fill(m_Window.observedHu.size(), 0.0);
  Splat(capsule, fill);
  double most = 0.0;
  for (std::size_t n : m_UsedVoxels) {
    most = std::max(most, fill[n]);
  }
  int core = 0;
  int supported = 0;
  for (std::size_t n : m_UsedVoxels) {
    if (fill[n] < kCoreShare * most || !(most > 0.0)) {
      continue;
    }
    ++core;
    const double b = m_Window.backgroundHu[n];
    const double linear = b + std::min(1.0, fill[n]) * (m_Model.amplitudeHu - b);
    const double predicted = m_Model.Saturate(linear);
    double required = b + kCoreShare * (predicted - b) - kCoreMarginScales * m_Window.scaleHu[n];
    const double knee = m_Model.ceilingHu - m_Model.ceilingSoftnessHu;
    const bool clipped = m_Model.ceilingSoftnessHu <= kHardCeilingShare * (m_Model.ceilingHu - b);
    // Clipping is exact only for a voxel the model puts above the ceiling by more than the
    // share of its excess the rule below allows: one barely above it (a seed's partial-volume
    // voxel) may, within that share, not reach the ceiling at all, and is held to the rule of
    // unclipped voxels.
    const bool surelyClipped = linear - knee > kSaturatedCoreShare * (linear - b);
    if (std::isfinite(knee) && clipped && predicted >= knee && surelyClipped) {
      const double spread =
          n < m_Window.backgroundSpreadHu.size() ? m_Window.backgroundSpreadHu[n] : 0.0;
      const double uncertainty = std::hypot(m_Window.noiseSigmaHu, spread);
      required = std::max(required, knee - kSaturatedCoreShare * (knee - b) -
                                        kCoreMarginScales * uncertainty);
    }
    supported += m_Window.observedHu[n] >= required ? 1 : 0;
  }
  return core > 0 ? static_cast<double>(supported) / core : 0.0;
}

double SeedFit::Cost(const std::vector<Capsule>& capsules) const {
  std::vector<double> fill(m_Window.observedHu.size(), 0.0);
  VoxelBox box;
  for (const Capsule& capsule : capsules) {
    Splat(capsule, fill, &box);
  }
  double cost = m_NullCost;
  const std::int64_t nx = m_Window.size[0];
  const std::int64_t ny = m_Window.size[1];
  for (std::int64_t k = box.low[2]; k <= box.high[2]; ++k) {
    for (std::int64_t j = box.low[1]; j <= box.high[1]; ++j) {
      for (std::int64_t i = box.low[0]; i <= box.high[0]; ++i) {
        const auto n = static_cast<std::size_t>(i + nx * (j + ny * k));
        if (m_Window.used[n] != 0 && fill[n] != 0.0) {
          cost += Rho((m_Window.observedHu[n] - PredictedAt(n, fill[n])) / m_Window.scaleHu[n]) -
                  m_NullRho[n];
        }
      }
    }
  }
  std::vector<double> penalties;
  Penalties(capsules, penalties);
  for (double p : penalties) {
    cost += 0.5 * p * p;
  }
  return cost;
}

FitResult SeedFit::Fit(const std::vector<Capsule>& start, int maxIterations) const {
  const std::size_t count = start.size();
  const auto parameters = static_cast<Eigen::Index>(5 * count);
  const std::size_t voxels = m_Window.observedHu.size();
  FitResult result;
  result.capsules = start;
  for (Capsule& capsule : result.capsules) {
    capsule.axis.normalize();
  }
  double cost = Cost(result.capsules);
  if (count == 0) {
    result.cost = cost;
    return result;
  }

  // Per-capsule fill fields and boxes, kept so that a Jacobian column recomputes one capsule.
  std::vector<std::vector<double>> fields(count, std::vector<double>(voxels, 0.0));
  std::vector<VoxelBox> boxes(count);
  std::vector<double> sum(voxels, 0.0);
  const auto refresh = [&]() {
    std::fill(sum.begin(), sum.end(), 0.0);
    for (std::size_t c = 0; c < count; ++c) {
      std::fill(fields[c].begin(), fields[c].end(), 0.0);
      boxes[c] = VoxelBox{};
      Splat(result.capsules[c], fields[c], &boxes[c]);
      for (std::size_t n = 0; n < voxels; ++n) {
        sum[n] += fields[c][n];
      }
    }
  };
  const std::int64_t nx = m_Window.size[0];
  const std::int64_t ny = m_Window.size[1];
  // Only voxels near the capsules change with them: the rows of the least-squares problem are
  // the used voxels of the capsules' boxes widened by kActiveMarginVoxels (the exact cost, over
  // every voxel, decides each step).
  std::vector<std::size_t> rows;
  const auto activeRows = [&]() {
    VoxelBox active;
    for (const VoxelBox& box : boxes) {
      active.Add(box);
    }
    rows.clear();
    if (active.Empty()) {
      return;
    }
    for (int axis = 0; axis < 3; ++axis) {
      active.low[axis] = std::max<std::int64_t>(0, active.low[axis] - kActiveMarginVoxels);
      active.high[axis] =
          std::min<std::int64_t>(m_Window.size[axis] - 1, active.high[axis] + kActiveMarginVoxels);
    }
    for (std::int64_t k = active.low[2]; k <= active.high[2]; ++k) {
      for (std::int64_t j = active.low[1]; j <= active.high[1]; ++j) {
        for (std::int64_t i = active.low[0]; i <= active.high[0]; ++i) {
          const auto n = static_cast<std::size_t>(i + nx * (j + ny * k));
          if (m_Window.used[n] != 0) {
            rows.push_back(n);
          }
        }
      }
    }
  };
  std::vector<double> column(voxels, 0.0);
  std::vector<double> penalties;
  std::vector<double> trialPenalties;
  double lambda = 1e-3;
  Eigen::MatrixXd normal;
  double activeCost = 0.0;
  std::size_t activeRowsCount = 0;
  for (int iteration = 0; iteration < maxIterations; ++iteration) {
    refresh();
    activeRows();
    Penalties(result.capsules, penalties);
    const auto rowCount = static_cast<Eigen::Index>(rows.size() + penalties.size());
    Eigen::MatrixXd jacobian(rowCount, parameters);
    Eigen::VectorXd weights(rowCount);
    Eigen::VectorXd current(rowCount);
    activeCost = 0.0;
    for (std::size_t r = 0; r < rows.size(); ++r) {
      const std::size_t n = rows[r];
      const double residual =
          (m_Window.observedHu[n] - PredictedAt(n, sum[n])) / m_Window.scaleHu[n];
      current[static_cast<Eigen::Index>(r)] = residual;
      weights[static_cast<Eigen::Index>(r)] = HuberWeight(residual);
      activeCost += Rho(residual);
    }
    activeRowsCount = rows.size();
    for (std::size_t p = 0; p < penalties.size(); ++p) {
      current[static_cast<Eigen::Index>(rows.size() + p)] = -penalties[p];
      weights[static_cast<Eigen::Index>(rows.size() + p)] = 1.0;
    }
    for (std::size_t c = 0; c < count; ++c) {
      for (int p = 0; p < 5; ++p) {
        double delta[5] = {0, 0, 0, 0, 0};
        const double step = p < 3 ? kPositionStepMm : kAngleStepRad;
        delta[p] = step;
        std::vector<Capsule> moved = result.capsules;
        moved[c] = Moved(result.capsules[c], delta);
        VoxelBox touched;
        Splat(moved[c], column, &touched);
        const auto col = static_cast<Eigen::Index>(5 * c + static_cast<std::size_t>(p));
        for (std::size_t r = 0; r < rows.size(); ++r) {
          const std::size_t n = rows[r];
          const double fill = sum[n] - fields[c][n] + column[n];
          const double residual =
              (m_Window.observedHu[n] - PredictedAt(n, fill)) / m_Window.scaleHu[n];
          jacobian(static_cast<Eigen::Index>(r), col) =
              (residual - current[static_cast<Eigen::Index>(r)]) / step;
        }
        // Clear what the moved capsule wrote.
        for (std::int64_t k = touched.low[2]; k <= touched.high[2]; ++k) {
          for (std::int64_t j = touched.low[1]; j <= touched.high[1]; ++j) {
            double* row = column.data() + (j + ny * k) * nx;
            std::fill(row + touched.low[0], row + touched.high[0] + 1, 0.0);
          }
        }
        Penalties(moved, trialPenalties);
        for (std::size_t q = 0; q < trialPenalties.size(); ++q) {
          // Residual of a penalty is -penalty (it wants to be 0).
          jacobian(static_cast<Eigen::Index>(rows.size() + q), col) =
              -(trialPenalties[q] - penalties[q]) / step;
        }
      }
    }
    normal = jacobian.transpose() * weights.asDiagonal() * jacobian;
    const Eigen::VectorXd gradient = jacobian.transpose() * (weights.cwiseProduct(current));
    bool improved = false;
    double newCost = cost;
    while (lambda < 1e8) {
      Eigen::MatrixXd damped = normal;
      for (Eigen::Index d = 0; d < parameters; ++d) {
        damped(d, d) += lambda * std::max(normal(d, d), 1e-9) + 1e-9;
      }
      const Eigen::VectorXd step = damped.ldlt().solve(-gradient);
      std::vector<Capsule> trial = result.capsules;
      for (std::size_t c = 0; c < count; ++c) {
        trial[c] = Moved(result.capsules[c], step.data() + 5 * c);
      }
      newCost = Cost(trial);
      if (newCost < cost) {
        result.capsules = trial;
        lambda = std::max(1e-7, lambda / 3.0);
        improved = true;
        break;
      }
      lambda *= 4.0;
    }
    if (!improved) {
      break;
    }
    const double gain = cost - newCost;
    cost = newCost;
    if (gain < kRelativeGain * cost + kAbsoluteGain) {
      break;
    }
  }
  result.cost = cost;

  // Axis uncertainty: covariance ~ s^2 (J^T W J)^-1 with s^2 the robust residual variance of
  // the voxels near the seeds.
  const double dof =
      std::max(1.0, static_cast<double>(activeRowsCount) - static_cast<double>(parameters));
  const double variance = std::max(1.0, 2.0 * activeCost / dof);
  if (normal.rows() != parameters) {
    normal = Eigen::MatrixXd::Identity(parameters, parameters);
  }
  normal.diagonal().array() += 1e-9;
  const Eigen::MatrixXd covariance =
      variance * normal.ldlt().solve(Eigen::MatrixXd::Identity(parameters, parameters));
  for (std::size_t c = 0; c < count; ++c) {
    const auto a = static_cast<Eigen::Index>(5 * c + 3);
    result.axisSigmaRad.push_back(
        std::sqrt(std::max(0.0, covariance(a, a)) + std::max(0.0, covariance(a + 1, a + 1))));
  }
  return result;
}

} // namespace seedplan::imaging
