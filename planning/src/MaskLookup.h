#pragma once

#include "seedplan/core/Volume.h"

#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <vector>

namespace seedplan::planning {

/// MaskLookup (internal to planning): whether a point in patient coordinates (LPS, mm) lies in a
/// structure's mask, looked up through the mask's own GridGeometry (nearest voxel; outside the
/// mask's grid = outside the structure). RT Structure Set masks are cropped to the structure's
/// box and small ones sit on finer grids than the CT, so a mask is never indexed with CT indices.
/// The index box of the inside voxels is found once, so that points far from a small structure
/// are answered without touching its voxels. Holds a pointer to the mask: keep the mask alive.
class MaskLookup {
public:
  explicit MaskLookup(const Mask& mask);

  /// True if the voxel nearest to the point is inside the mask.
  bool Contains(const Eigen::Vector3d& pointMm) const;
  /// True if the point is inside the mask or at most `distanceMm` from the cell of an inside
  /// voxel (the structure as its voxels draw it).
  bool WithinDistance(const Eigen::Vector3d& pointMm, double distanceMm) const;
  /// Centres of the inside voxels (mm).
  std::vector<Eigen::Vector3d> InsidePoints() const;
  /// True if the voxel nearest to the point lies in the first or last slice (k) that holds
  /// inside voxels: for the body outline, where the scan cuts the body.
  bool OnEndSlice(const Eigen::Vector3d& pointMm) const;
  /// True if no voxel is inside.
  bool Empty() const { return m_Empty; }
  /// The smallest of the mask's spacings (mm).
  double FinestSpacingMm() const;
  /// Distance (mm) of a point to the far corner of the inside voxels' box: no inside point of the
  /// mask lies further from `pointMm` than this.
  double ReachMm(const Eigen::Vector3d& pointMm) const;

private:
  Eigen::Vector3d ContinuousIndex(const Eigen::Vector3d& pointMm) const {
    return m_PointToIndex * (pointMm - m_OriginMm);
  }

  const Mask* m_Mask;
  Eigen::Matrix3d m_PointToIndex; ///< diag(1 / spacing) * directionᵀ
  Eigen::Vector3d m_OriginMm;
  std::array<std::int64_t, 3> m_Size;
  std::array<std::int64_t, 3> m_InsideMin{0, 0, 0}; ///< index box of the inside voxels
  std::array<std::int64_t, 3> m_InsideMax{-1, -1, -1};
  bool m_Empty = true;
};

} // namespace seedplan::planning
