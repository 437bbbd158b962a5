#pragma once

#include "seedplan/core/GridGeometry.h"
#include "seedplan/viewer/ViewSettings.h"

#include <Eigen/Core>
#include <string>
#include <vector>

namespace seedplan::viewer {

/// The anatomical direction (LPS unit vector) that points to the room's ceiling for a DICOM
/// Patient Position: supine (HFS, FFS) anterior (−y), prone (HFP, FFP) posterior (+y), decubitus
/// right (HFDR, FFDR: lying on the right side) the patient's left (+x), decubitus left its right.
/// An empty or unknown position is taken as supine (volume files carry none).
Eigen::Vector3d CeilingDirection(const std::string& patientPosition);

/// "L", "R", "A", "P", "S" or "I": the patient direction closest to an LPS direction.
std::string OrientationLetter(const Eigen::Vector3d& direction);

/// The plane of a slice view and how it lies on the screen, in patient coordinates (LPS, mm).
/// The plane holds the points whose coordinate along `normal` (+z axial, +y coronal, +x sagittal)
/// is `positionMm`; (u, v) are coordinates in the plane along `right` and `up`, the directions
/// that point to the screen's right and top.
///
/// Orientation, chosen so that the same anatomy looks the same whatever the series: axial slices
/// are seen as the patient lies on the table, from the feet, with the ceiling at the top (supine:
/// anterior up and the patient's right on the screen's left; prone: posterior up, as the CT
/// console and the interventionalist see it). Coronal slices are seen from the front (right on
/// the screen's left) and sagittal slices from the patient's left (anterior on the screen's
/// left), head up, as radiology shows reformats. The CT's direction matrix only decides which
/// voxel lands where (SliceSampling), so a feet-first series with mirrored axes shows the same
/// picture with the same labels as a head-first one.
struct SliceFrame {
  ViewPlane plane = ViewPlane::Axial;
  Eigen::Vector3d right = Eigen::Vector3d::UnitX();
  Eigen::Vector3d up = -Eigen::Vector3d::UnitY();
  Eigen::Vector3d normal = Eigen::Vector3d::UnitZ();
  double positionMm = 0.0;

  /// Throws InvalidInput for the 3D and DVH views, which have no slice.
  static SliceFrame Make(ViewPlane plane, const std::string& patientPosition, double positionMm);

  Eigen::Vector3d ToPatient(const Eigen::Vector2d& uvMm) const {
    return right * uvMm.x() + up * uvMm.y() + normal * positionMm;
  }
  Eigen::Vector2d ToPlane(const Eigen::Vector3d& pointMm) const {
    return {right.dot(pointMm), up.dot(pointMm)};
  }
  /// Signed distance of a point from the plane along the normal, mm.
  double DistanceMm(const Eigen::Vector3d& pointMm) const {
    return normal.dot(pointMm) - positionMm;
  }
  /// The letters at the screen's left, right, top and bottom edges.
  std::string LeftLabel() const { return OrientationLetter(-right); }
  std::string RightLabel() const { return OrientationLetter(right); }
  std::string TopLabel() const { return OrientationLetter(up); }
  std::string BottomLabel() const { return OrientationLetter(-up); }
};

/// The slices a CT offers along a plane's normal: positions first, first + step, ..., last (mm).
/// For a CT whose axes follow the patient axes (every CT in practice) these are the positions of
/// its voxel planes and `step` their spacing; for an oblique CT, the box of its voxel centres at
/// the finest spacing.
struct SliceRange {
  double firstMm = 0.0;
  double stepMm = 1.0;
  int count = 1;
  double LastMm() const { return firstMm + stepMm * (count - 1); }
  /// True if `positionMm` lies within half a step of the range.
  bool Contains(double positionMm) const;
  /// The index of the slice nearest to `positionMm`, clamped to the range.
  int NearestIndex(double positionMm) const;
  double PositionOf(int index) const { return firstMm + stepMm * index; }
  /// The position of the slice nearest to `positionMm`.
  double Snap(double positionMm) const { return PositionOf(NearestIndex(positionMm)); }
};

SliceRange ScanRange(const GridGeometry& ct, ViewPlane plane);

/// A regular grid of sample points on a slice plane: sample (a, b) lies at
/// u = u0 + a du, v = v0 + b dv (mm), a in [0, nu), b in [0, nv).
struct SliceGrid {
  double u0 = 0.0;
  double v0 = 0.0;
  double du = 1.0;
  double dv = 1.0;
  int nu = 0;
  int nv = 0;
  Eigen::Vector2d Point(double a, double b) const { return {u0 + a * du, v0 + b * dv}; }
  double UMax() const { return u0 + du * (nu - 1); }
  double VMax() const { return v0 + dv * (nv - 1); }
};

/// The grid of a volume's voxel centres on a slice plane: along `right` and `up` at the spacing of
/// the volume's axes that run along them (the finest spacing for an oblique volume), over the box
/// of its voxel centres projected on the plane.
SliceGrid VolumeSliceGrid(const GridGeometry& volume, const SliceFrame& frame);

/// A grid over the same region as `region` (the same first and last samples) at the spacing of
/// `volume` along `right` and `up`, or just below it.
SliceGrid ResampledGrid(const SliceGrid& region, const GridGeometry& volume,
                        const SliceFrame& frame);

} // namespace seedplan::viewer
