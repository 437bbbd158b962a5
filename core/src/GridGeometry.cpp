#include "seedplan/core/GridGeometry.h"

#include "seedplan/core/Error.h"

#include <Eigen/LU>
#include <cmath>
#include <sstream>

namespace seedplan {

GridGeometry::GridGeometry()
    : m_OriginMm(Eigen::Vector3d::Zero()), m_SpacingMm(Eigen::Vector3d::Ones()), m_Size{0, 0, 0},
      m_Direction(Eigen::Matrix3d::Identity()) {}

GridGeometry::GridGeometry(const Eigen::Vector3d& originMm, const Eigen::Vector3d& spacingMm,
                           const std::array<std::int64_t, 3>& size,
                           const Eigen::Matrix3d& direction)
    : m_OriginMm(originMm), m_SpacingMm(spacingMm), m_Size(size), m_Direction(direction) {}

Eigen::Vector3d GridGeometry::IndexToPoint(double i, double j, double k) const {
  return m_OriginMm + m_Direction * Eigen::Vector3d(i * m_SpacingMm.x(), j * m_SpacingMm.y(),
                                                    k * m_SpacingMm.z());
}

Eigen::Vector3d GridGeometry::PointToContinuousIndex(const Eigen::Vector3d& pointMm) const {
  // The direction matrix is orthonormal (checked by Validate), so its inverse is its transpose.
  const Eigen::Vector3d local = m_Direction.transpose() * (pointMm - m_OriginMm);
  return local.cwiseQuotient(m_SpacingMm);
}

bool GridGeometry::ContainsPoint(const Eigen::Vector3d& pointMm, double toleranceVoxels) const {
  const Eigen::Vector3d index = PointToContinuousIndex(pointMm);
  for (int axis = 0; axis < 3; ++axis) {
    if (index[axis] < -toleranceVoxels ||
        index[axis] > static_cast<double>(m_Size[axis] - 1) + toleranceVoxels) {
      return false;
    }
  }
  return true;
}

void GridGeometry::Validate(const std::string& context) const {
  static const char* const kAxis[] = {"x", "y", "z"};
  for (int axis = 0; axis < 3; ++axis) {
    if (m_Size[axis] <= 0) {
      throw InvalidInput(context + ": grid size along " + kAxis[axis] + " is " +
                         std::to_string(m_Size[axis]) + "; expected a positive number of voxels");
    }
    if (!std::isfinite(m_SpacingMm[axis]) || m_SpacingMm[axis] <= 0.0) {
      std::ostringstream message;
      message << context << ": grid spacing along " << kAxis[axis] << " is " << m_SpacingMm[axis]
              << " mm; expected a positive finite spacing";
      throw InvalidInput(message.str());
    }
    if (!std::isfinite(m_OriginMm[axis])) {
      throw InvalidInput(context + ": grid origin along " + kAxis[axis] +
                         " is not finite; expected a number in mm");
    }
  }
  const double orthonormalityError =
      (m_Direction.transpose() * m_Direction - Eigen::Matrix3d::Identity()).cwiseAbs().maxCoeff();
  if (!std::isfinite(orthonormalityError) || orthonormalityError > 1e-4) {
    throw InvalidInput(context + ": grid direction matrix is not orthonormal; expected unit, "
                                 "mutually perpendicular axis vectors");
  }
}

bool GridGeometry::SameAs(const GridGeometry& other, double toleranceMm) const {
  if (m_Size != other.m_Size) {
    return false;
  }
  const std::int64_t nx = m_Size[0] - 1, ny = m_Size[1] - 1, nz = m_Size[2] - 1;
  // Comparing two opposite corners and the origin compares every voxel centre of a regular grid.
  for (const auto& corner :
       {Eigen::Vector3d(0, 0, 0), Eigen::Vector3d(double(nx), 0, 0),
        Eigen::Vector3d(0, double(ny), 0), Eigen::Vector3d(0, 0, double(nz))}) {
    const Eigen::Vector3d a = IndexToPoint(corner.x(), corner.y(), corner.z());
    const Eigen::Vector3d b = other.IndexToPoint(corner.x(), corner.y(), corner.z());
    if ((a - b).norm() > toleranceMm) {
      return false;
    }
  }
  return (m_SpacingMm - other.m_SpacingMm).cwiseAbs().maxCoeff() <= toleranceMm;
}

std::string GridGeometry::Describe() const {
  std::ostringstream out;
  out << "size " << m_Size[0] << "x" << m_Size[1] << "x" << m_Size[2] << ", spacing "
      << m_SpacingMm.x() << "x" << m_SpacingMm.y() << "x" << m_SpacingMm.z() << " mm, origin ("
      << m_OriginMm.x() << ", " << m_OriginMm.y() << ", " << m_OriginMm.z() << ") mm";
  return out.str();
}

} // namespace seedplan
