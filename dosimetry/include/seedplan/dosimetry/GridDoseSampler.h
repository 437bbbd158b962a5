#pragma once

#include "seedplan/core/Volume.h"

#include <Eigen/Core>

namespace seedplan::dosimetry {

/// Trilinear interpolation of a dose grid (Volume<float>, any unit: the value returned is in the
/// grid's unit, e.g. total dose in Gy) at a point in DICOM patient coordinates (LPS, mm), for any
/// orthonormal direction matrix. The grid is referenced, not copied: it must outlive the sampler.
///
/// Covered region: the box of the voxel centres extended by half a voxel on each side, i.e. the
/// union of the voxels themselves (continuous index in [-0.5, n - 0.5] on every axis). Between the
/// outer voxel centres and the grid's outer faces the value is that of the nearest centre plane
/// (the continuous index is clamped to [0, n - 1]), so a voxel's whole extent has a defined dose.
class GridDoseSampler {
public:
  /// Throws InvalidInput if the grid's geometry is invalid or its data size does not match it.
  explicit GridDoseSampler(const Volume<float>& dose);

  /// True if the point lies inside the covered region (see above).
  bool Covers(const Eigen::Vector3d& pointMm) const;

  /// Trilinearly interpolated value at the point, in the grid's unit. Points outside Covers() get
  /// the value at the clamped index (the nearest point of the centre box): check Covers() first
  /// where that matters.
  double DoseAt(const Eigen::Vector3d& pointMm) const;
  /// The same interpolation at a continuous voxel index (clamped to the centre box; NaN for a
  /// non-finite index), for callers that already work in index space (GammaIndex's search).
  static double DoseAtIndex(const Volume<float>& dose, const Eigen::Vector3d& index);

  const Volume<float>& Dose() const { return *m_Dose; }

private:
  const Volume<float>* m_Dose;
  Eigen::Matrix3d m_PointToIndex; ///< diag(1/spacing) * direction^T
  Eigen::Vector3d m_OriginMm;
};

} // namespace seedplan::dosimetry
