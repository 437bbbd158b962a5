#include "ThresholdSeedFit.h"

#include <Eigen/Cholesky>
#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>

namespace seedplan::imaging::threshold {
namespace {

/// Huber scale: residuals beyond it (streaks reach several hundred HU next to a seed) count
/// linearly. Well above the noise (~10-20 HU), well below a seed's partial-volume signal where it
/// matters (a voxel 10 % metal shows thousands of HU).
constexpr double kHuberScaleHu = 150.0;
/// Discs a capsule is cut into along its axis (0.19 mm each for a 4.5 mm seed); their blobs are
/// spread along the axis by half a disc so that their sum has no ripple (< 1 %).
constexpr int kDiscs = 24;
/// Two capsules may not come closer (axis to axis) than this share of the diameter: seeds are
/// solid; the margin allows for their rounded outline.
constexpr double kMinSeparationShare = 0.9;
/// Overlap penalty per sample point: 1 mm of overlap weighs like a residual of this many HU, so
/// that overlapping by a tenth of the diameter costs as much as a few badly predicted voxels; no
/// fit gains by hiding a second seed inside the first, and overlapping starts slide apart.
constexpr double kOverlapWeightHuPerMm = 1.0e4;
/// Points along each capsule's axis where the overlap is measured.
constexpr int kOverlapSamples = 7;
constexpr int kMaxIterations = 40;
constexpr double kPositionStepMm = 0.01;
constexpr double kAngleStepRad = 0.003;
constexpr double kMinSigmaVoxels = 1e-3;
/// A capsule's core: the voxels holding at least this share of its fullest voxel's metal; each
/// must show at least this share of the metal the model puts there (saturated, for a seed far
/// beyond the scale), less kCoreMarginHu (noise, reconstruction).
constexpr double kCoreShare = 0.5;
constexpr double kCoreMarginHu = 200.0;
/// A weak pull (HU per mm) of each seed's centre towards the middle of its slice. A seed lying
/// flat wholly inside one thick slice looks the same wherever it lies across that slice (the
/// slice profile is a box); the middle of that range halves the worst error, and with two such
/// seeds it keeps their layout side by side rather than stacked. Where the image does pin the
/// position (any metal in the next slice changes the cost by ~1e5 per 0.1 mm), the pull moves a
/// seed by less than 0.01 mm.
constexpr double kSliceMiddlePullHuPerMm = 250.0;
/// Blur relative to a disc's projected radius beyond which the blurred disc is a Gaussian of the
/// same variance (the tabulated profile covers up to kMaxRho).
constexpr double kMaxRho = 4.0;
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
/// rho in [0, kMaxRho] and u scaled to the support, bilinear in between (error < 1e-3).
double BlurredSemicircle(double u, double rho) {
  constexpr int kRhoSteps = 80;
  constexpr int kUSteps = 400;
  constexpr int kThetaSteps = 160;
  static const std::vector<double> table = [] {
    std::vector<double> values(static_cast<std::size_t>((kRhoSteps + 1) * (kUSteps + 1)));
    for (int r = 0; r <= kRhoSteps; ++r) {
      const double rhoAt = kMaxRho * r / kRhoSteps;
      for (int n = 0; n <= kUSteps; ++n) {
        const double uAt = (2.0 * n / kUSteps - 1.0) * (1.0 + 4.0 * rhoAt);
        double value = Semicircle(uAt);
        if (r > 0) {
          // (2 / pi) * integral over theta in (0, pi) of sin^2 theta Phi((u - cos theta) / rho).
          value = 0.0;
          for (int t = 0; t < kThetaSteps; ++t) {
            const double theta = std::numbers::pi * (t + 0.5) / kThetaSteps;
            const double sine = std::sin(theta);
            value += sine * sine * Phi((uAt - std::cos(theta)) / rhoAt);
          }
          value *= 2.0 / kThetaSteps;
        }
        values[static_cast<std::size_t>(r * (kUSteps + 1) + n)] = value;
      }
    }
    return values;
  }();
  const double rScaled = std::clamp(rho / kMaxRho * kRhoSteps, 0.0, kRhoSteps - 1e-9);
  const int r0 = static_cast<int>(rScaled);
  const double fr = rScaled - r0;
  double result = 0.0;
  for (int dr = 0; dr < 2; ++dr) {
    const double rhoAt = kMaxRho * (r0 + dr) / kRhoSteps;
    const double nScaled = (u / (1.0 + 4.0 * rhoAt) + 1.0) * 0.5 * kUSteps;
    double value = 0.0;
    if (nScaled <= 0.0) {
      value = 0.0;
    } else if (nScaled >= kUSteps) {
      value = 1.0;
    } else {
      const int n0 = static_cast<int>(nScaled);
      const double fn = nScaled - n0;
      const std::size_t row = static_cast<std::size_t>((r0 + dr) * (kUSteps + 1));
      value = (1.0 - fn) * table[row + static_cast<std::size_t>(n0)] +
              fn * table[row + static_cast<std::size_t>(n0) + 1];
    }
    result += (dr == 0 ? 1.0 - fr : fr) * value;
  }
  return result;
}

double HuberRho(double r) {
  const double a = std::abs(r);
  return a <= kHuberScaleHu ? 0.5 * r * r : kHuberScaleHu * (a - 0.5 * kHuberScaleHu);
}

double HuberWeight(double r) {
  const double a = std::abs(r);
  return a <= kHuberScaleHu ? 1.0 : kHuberScaleHu / a;
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

ThresholdSeedFit::ThresholdSeedFit(const GridGeometry& geometry, const FitWindow& window,
                                   const CapsuleModel& model)
    : m_Geometry(geometry), m_Window(window), m_Model(model) {
  for (std::size_t n = 0; n < window.used.size(); ++n) {
    if (window.used[n] != 0) {
      m_UsedVoxels.push_back(n);
    }
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

Eigen::Vector3d ThresholdSeedFit::PointOf(std::size_t n) const {
  const auto nx = static_cast<std::size_t>(m_Window.size[0]);
  const auto ny = static_cast<std::size_t>(m_Window.size[1]);
  const auto i = static_cast<double>(n % nx) + static_cast<double>(m_Window.first[0]);
  const auto j = static_cast<double>((n / nx) % ny) + static_cast<double>(m_Window.first[1]);
  const auto k = static_cast<double>(n / (nx * ny)) + static_cast<double>(m_Window.first[2]);
  return m_Geometry.IndexToPoint(i, j, k);
}

void ThresholdSeedFit::Splat(const Capsule& capsule, std::vector<double>& field) const {
  const Eigen::Vector3d& spacing = m_Geometry.SpacingMm();
  const Eigen::Vector3d axisGrid = m_Geometry.Direction().transpose() * capsule.axis;
  const double voxelMm3 = m_Geometry.VoxelVolumeMm3();
  const std::int64_t nx = m_Window.size[0];
  const std::int64_t ny = m_Window.size[1];
  std::array<std::array<double, 16>, 3> weights{};
  std::array<std::int64_t, 3> low{};
  std::array<std::int64_t, 3> high{};
  const double psfVariance = m_Model.psfSigmaMm * m_Model.psfSigmaMm;
  const double axialVariance = 0.25 * m_DiscStepMm * m_DiscStepMm;
  for (std::size_t d = 0; d < m_DiscT.size(); ++d) {
    const Eigen::Vector3d point = capsule.centreMm + m_DiscT[d] * capsule.axis;
    const Eigen::Vector3d index = m_Geometry.PointToContinuousIndex(point);
    bool empty = false;
    for (int axis = 0; axis < 3; ++axis) {
      const double along = axisGrid[axis] * axisGrid[axis];
      const double q = index[axis] - static_cast<double>(m_Window.first[axis]);
      // The disc's profile along this grid axis is a semicircle of the projected radius, blurred
      // by the PSF (in plane only) and by the disc's thickness along the seed axis (a Gaussian of
      // half a disc, so that the stack of discs sums without ripple).
      const double radius = m_DiscRadius[d] * std::sqrt(std::max(0.0, 1.0 - along)) / spacing[axis];
      const double sigma =
          std::sqrt((axis < 2 ? psfVariance : 0.0) + axialVariance * along) / spacing[axis];
      const bool gaussian = radius < kMinRadiusOverSigma * sigma || radius < kMinSigmaVoxels;
      const double gaussianSigma =
          std::max(kMinSigmaVoxels, std::sqrt(sigma * sigma + 0.25 * radius * radius));
      const double rho = gaussian ? 0.0 : sigma / radius;
      const double reach = gaussian ? 4.0 * gaussianSigma : radius * (1.0 + 4.0 * rho);
      const auto cdf = [&](double x) {
        return gaussian ? Phi(x / gaussianSigma) : BlurredSemicircle(x / radius, rho);
      };
      low[axis] = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::floor(q - reach + 0.5)));
      high[axis] = std::min<std::int64_t>({m_Window.size[axis] - 1,
                                           static_cast<std::int64_t>(std::ceil(q + reach - 0.5)),
                                           low[axis] + 15});
      if (high[axis] < low[axis]) {
        empty = true;
        break;
      }
      double previous = cdf(static_cast<double>(low[axis]) - 0.5 - q);
      for (std::int64_t v = low[axis]; v <= high[axis]; ++v) {
        const double next = cdf(static_cast<double>(v) + 0.5 - q);
        weights[axis][static_cast<std::size_t>(v - low[axis])] = next - previous;
        previous = next;
      }
    }
    if (empty) {
      continue;
    }
    const double share = m_DiscVolume[d] / voxelMm3;
    for (std::int64_t k = low[2]; k <= high[2]; ++k) {
      const double wk = share * weights[2][static_cast<std::size_t>(k - low[2])];
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

void ThresholdSeedFit::Residuals(const std::vector<double>& fill,
                                 std::vector<double>& residuals) const {
  residuals.resize(m_UsedVoxels.size());
  for (std::size_t u = 0; u < m_UsedVoxels.size(); ++u) {
    const std::size_t n = m_UsedVoxels[u];
    const double b = m_Window.backgroundHu[n];
    const double predicted = std::clamp(b + std::min(1.0, fill[n]) * (m_Model.attenuationHu - b),
                                        m_Model.floorHu, m_Model.ceilingHu);
    residuals[u] = m_Window.observedHu[n] - predicted;
  }
}

void ThresholdSeedFit::Penalties(const std::vector<Capsule>& capsules,
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
    return kOverlapWeightHuPerMm * std::max(0.0, minDistance - distance);
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
    penalties.push_back(kSliceMiddlePullHuPerMm * (across - std::round(across)) *
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
      penalties.push_back(kOverlapWeightHuPerMm * outside * spacing[axis]);
    }
  }
}

double ThresholdSeedFit::RobustCost(const std::vector<double>& residuals,
                                    const std::vector<double>& penalties) const {
  double cost = 0.0;
  for (double r : residuals) {
    cost += HuberRho(r);
  }
  for (double p : penalties) {
    cost += 0.5 * p * p;
  }
  return cost;
}

std::vector<double> ThresholdSeedFit::Residual(const std::vector<Capsule>& capsules) const {
  std::vector<double> fill(m_Window.observedHu.size(), 0.0);
  for (const Capsule& capsule : capsules) {
    Splat(capsule, fill);
  }
  std::vector<double> used;
  Residuals(fill, used);
  std::vector<double> residual(m_Window.observedHu.size(), 0.0);
  for (std::size_t u = 0; u < m_UsedVoxels.size(); ++u) {
    residual[m_UsedVoxels[u]] = used[u];
  }
  return residual;
}

double ThresholdSeedFit::CoreSupport(const Capsule& capsule) const {
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
    const double expected =
        std::min(m_Model.ceilingHu, b + kCoreShare * fill[n] * (m_Model.attenuationHu - b));
    supported += m_Window.observedHu[n] >= expected - kCoreMarginHu ? 1 : 0;
  }
  return core > 0 ? static_cast<double>(supported) / core : 0.0;
}

double ThresholdSeedFit::Cost(const std::vector<Capsule>& capsules) const {
  std::vector<double> fill(m_Window.observedHu.size(), 0.0);
  for (const Capsule& capsule : capsules) {
    Splat(capsule, fill);
  }
  std::vector<double> residuals;
  std::vector<double> penalties;
  Residuals(fill, residuals);
  Penalties(capsules, penalties);
  return RobustCost(residuals, penalties);
}

FitResult ThresholdSeedFit::Fit(const std::vector<Capsule>& start) const {
  const std::size_t count = start.size();
  const auto parameters = static_cast<Eigen::Index>(5 * count);
  const std::size_t voxels = m_Window.observedHu.size();
  FitResult result;
  result.capsules = start;
  for (Capsule& capsule : result.capsules) {
    capsule.axis.normalize();
  }

  // Per-capsule fill fields, kept so that a Jacobian column recomputes one capsule only.
  std::vector<std::vector<double>> fields(count, std::vector<double>(voxels, 0.0));
  std::vector<double> sum(voxels, 0.0);
  const auto refresh = [&](const std::vector<Capsule>& capsules) {
    std::fill(sum.begin(), sum.end(), 0.0);
    for (std::size_t c = 0; c < count; ++c) {
      std::fill(fields[c].begin(), fields[c].end(), 0.0);
      Splat(capsules[c], fields[c]);
      for (std::size_t n = 0; n < voxels; ++n) {
        sum[n] += fields[c][n];
      }
    }
  };
  std::vector<double> residuals;
  std::vector<double> penalties;
  refresh(result.capsules);
  Residuals(sum, residuals);
  Penalties(result.capsules, penalties);
  double cost = RobustCost(residuals, penalties);
  if (count == 0) {
    result.cost = cost;
    return result;
  }

  const std::size_t rows = residuals.size() + penalties.size();
  Eigen::MatrixXd jacobian(static_cast<Eigen::Index>(rows), parameters);
  Eigen::VectorXd weights(static_cast<Eigen::Index>(rows));
  Eigen::VectorXd current(static_cast<Eigen::Index>(rows));
  std::vector<double> column(voxels);
  std::vector<double> trialResiduals;
  std::vector<double> trialPenalties;
  double lambda = 1e-3;
  Eigen::MatrixXd normal;
  for (int iteration = 0; iteration < kMaxIterations; ++iteration) {
    for (std::size_t r = 0; r < residuals.size(); ++r) {
      current[static_cast<Eigen::Index>(r)] = residuals[r];
      weights[static_cast<Eigen::Index>(r)] = HuberWeight(residuals[r]);
    }
    for (std::size_t p = 0; p < penalties.size(); ++p) {
      current[static_cast<Eigen::Index>(residuals.size() + p)] = -penalties[p];
      weights[static_cast<Eigen::Index>(residuals.size() + p)] = 1.0;
    }
    for (std::size_t c = 0; c < count; ++c) {
      for (int p = 0; p < 5; ++p) {
        double delta[5] = {0, 0, 0, 0, 0};
        const double step = p < 3 ? kPositionStepMm : kAngleStepRad;
        delta[p] = step;
        std::vector<Capsule> moved = result.capsules;
        moved[c] = Moved(result.capsules[c], delta);
        std::fill(column.begin(), column.end(), 0.0);
        Splat(moved[c], column);
        for (std::size_t n = 0; n < voxels; ++n) {
          column[n] += sum[n] - fields[c][n];
        }
        Residuals(column, trialResiduals);
        Penalties(moved, trialPenalties);
        const auto col = static_cast<Eigen::Index>(5 * c + static_cast<std::size_t>(p));
        for (std::size_t r = 0; r < trialResiduals.size(); ++r) {
          jacobian(static_cast<Eigen::Index>(r), col) = (trialResiduals[r] - residuals[r]) / step;
        }
        for (std::size_t q = 0; q < trialPenalties.size(); ++q) {
          // Residual of a penalty is -penalty (it wants to be 0).
          jacobian(static_cast<Eigen::Index>(residuals.size() + q), col) =
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
    refresh(result.capsules);
    Residuals(sum, residuals);
    Penalties(result.capsules, penalties);
    if (gain < 1e-6 * cost + 1e-3) {
      break;
    }
  }
  result.cost = cost;

  // Axis uncertainty: covariance ~ s^2 (J^T W J)^-1 with s^2 the robust residual variance.
  const double dof = std::max(1.0, static_cast<double>(rows) - static_cast<double>(parameters));
  const double variance = 2.0 * cost / dof;
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

} // namespace seedplan::imaging::threshold
