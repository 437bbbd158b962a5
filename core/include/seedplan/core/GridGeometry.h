#pragma once

#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <string>

namespace seedplan {

/// Geometry of a regular voxel grid in DICOM patient coordinates (LPS, mm).
/// Voxel (i, j, k) has its centre at origin + direction * diag(spacing) * (i, j, k): the origin is
/// the centre of the first voxel, as in DICOM, ITK and MetaImage. Columns of `direction` are the
/// unit vectors of the i, j and k axes.
class GridGeometry {
public:
  GridGeometry();
  GridGeometry(const Eigen::Vector3d& originMm, const Eigen::Vector3d& spacingMm,
               const std::array<std::int64_t, 3>& size,
               const Eigen::Matrix3d& direction = Eigen::Matrix3d::Identity());

  const Eigen::Vector3d& OriginMm() const { return m_OriginMm; }
  const Eigen::Vector3d& SpacingMm() const { return m_SpacingMm; }
  const std::array<std::int64_t, 3>& Size() const { return m_Size; }
  const Eigen::Matrix3d& Direction() const { return m_Direction; }

  std::int64_t NumberOfVoxels() const { return m_Size[0] * m_Size[1] * m_Size[2]; }
  double VoxelVolumeMm3() const { return m_SpacingMm.prod(); }

  /// Centre of voxel (i, j, k) in patient coordinates (mm).
  Eigen::Vector3d IndexToPoint(double i, double j, double k) const;
  /// Continuous index of a point (voxel centres at integers).
  Eigen::Vector3d PointToContinuousIndex(const Eigen::Vector3d& pointMm) const;
  /// True if the point lies inside the box spanned by the voxel centres, within `toleranceVoxels`.
  bool ContainsPoint(const Eigen::Vector3d& pointMm, double toleranceVoxels = 1e-6) const;
  /// Linear index of voxel (i, j, k): i fastest.
  std::int64_t LinearIndex(std::int64_t i, std::int64_t j, std::int64_t k) const {
    return i + m_Size[0] * (j + m_Size[1] * k);
  }

  /// Throws InvalidInput naming `context` if the size is zero, a spacing is not positive and
  /// finite, the origin is not finite or the direction is not orthonormal.
  void Validate(const std::string& context) const;

  /// True if both grids have the same voxel centres (within `toleranceMm`).
  bool SameAs(const GridGeometry& other, double toleranceMm = 1e-4) const;

  /// "size 100x100x100, spacing 1x1x1 mm, origin (-49.5, -49.5, -49.5) mm".
  std::string Describe() const;

private:
  Eigen::Vector3d m_OriginMm;
  Eigen::Vector3d m_SpacingMm;
  std::array<std::int64_t, 3> m_Size;
  Eigen::Matrix3d m_Direction;
};

} // namespace seedplan
