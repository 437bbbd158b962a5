#include "seedplan/dosimetry/GridDoseSampler.h"

#include "seedplan/core/Error.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace seedplan::dosimetry {

namespace {

/// Tolerance on the covered region, in voxels: a sub-voxel centre computed in floating point on
/// the grid's own outer face must count as inside.
constexpr double kCoverToleranceVoxels = 1e-9;

} // namespace

GridDoseSampler::GridDoseSampler(const Volume<float>& dose) : m_Dose(&dose) {
  const GridGeometry& geometry = dose.Geometry();
  geometry.Validate("dose grid");
  if (dose.NumberOfVoxels() != geometry.NumberOfVoxels()) {
    throw InvalidInput("dose grid holds " + std::to_string(dose.NumberOfVoxels()) +
                       " values; expected " + std::to_string(geometry.NumberOfVoxels()) +
                       " for its geometry (" + geometry.Describe() + ")");
  }
  m_OriginMm = geometry.OriginMm();
  m_PointToIndex =
      geometry.SpacingMm().cwiseInverse().asDiagonal() * geometry.Direction().transpose();
}

bool GridDoseSampler::Covers(const Eigen::Vector3d& pointMm) const {
  const Eigen::Vector3d index = m_PointToIndex * (pointMm - m_OriginMm);
  const auto& size = m_Dose->Geometry().Size();
  for (int axis = 0; axis < 3; ++axis) {
    const double upper = static_cast<double>(size[axis]) - 0.5 + kCoverToleranceVoxels;
    if (!(index[axis] >= -0.5 - kCoverToleranceVoxels && index[axis] <= upper)) {
      return false;
    }
  }
  return true;
}

double GridDoseSampler::DoseAt(const Eigen::Vector3d& pointMm) const {
  return DoseAtIndex(*m_Dose, m_PointToIndex * (pointMm - m_OriginMm));
}

double GridDoseSampler::DoseAtIndex(const Volume<float>& dose, const Eigen::Vector3d& index) {
  const auto& size = dose.Geometry().Size();
  std::int64_t lower[3];
  double weight[3];
  for (int axis = 0; axis < 3; ++axis) {
    // No index from a NaN or infinite coordinate: the value is undefined there, not a voxel's.
    if (!std::isfinite(index[axis])) {
      return std::numeric_limits<double>::quiet_NaN();
    }
    const double last = static_cast<double>(size[axis] - 1);
    const double clamped = std::clamp(index[axis], 0.0, last);
    // The cell's lower corner; on the last centre plane use the last cell with weight 1.
    const double floored = std::min(std::floor(clamped), std::max(last - 1.0, 0.0));
    lower[axis] = static_cast<std::int64_t>(floored);
    weight[axis] = clamped - floored;
  }
  const std::int64_t upper[3] = {std::min(lower[0] + 1, size[0] - 1),
                                 std::min(lower[1] + 1, size[1] - 1),
                                 std::min(lower[2] + 1, size[2] - 1)};
  auto lerp = [](double a, double b, double t) { return a + (b - a) * t; };
  const double c00 =
      lerp(dose.At(lower[0], lower[1], lower[2]), dose.At(upper[0], lower[1], lower[2]), weight[0]);
  const double c10 =
      lerp(dose.At(lower[0], upper[1], lower[2]), dose.At(upper[0], upper[1], lower[2]), weight[0]);
  const double c01 =
      lerp(dose.At(lower[0], lower[1], upper[2]), dose.At(upper[0], lower[1], upper[2]), weight[0]);
  const double c11 =
      lerp(dose.At(lower[0], upper[1], upper[2]), dose.At(upper[0], upper[1], upper[2]), weight[0]);
  return lerp(lerp(c00, c10, weight[1]), lerp(c01, c11, weight[1]), weight[2]);
}

} // namespace seedplan::dosimetry
