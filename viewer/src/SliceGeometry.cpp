#include "seedplan/viewer/SliceGeometry.h"

#include "seedplan/core/Error.h"

#include <Eigen/Geometry>
#include <algorithm>
#include <cctype>
#include <cmath>

namespace seedplan::viewer {

namespace {

/// A volume axis counts as running along a plane direction when the cosine between them is at
/// least this: scanners write direction cosines to 6 decimals or better.
constexpr double kAlignedCosine = 1.0 - 1e-6;

/// The extent of a volume's voxel-centre box along `direction`: [min, max] of its 8 corners.
std::pair<double, double> Extent(const GridGeometry& volume, const Eigen::Vector3d& direction) {
  double low = 1e300, high = -1e300;
  const auto& size = volume.Size();
  for (int corner = 0; corner < 8; ++corner) {
    const Eigen::Vector3d point = volume.IndexToPoint((corner & 1) ? double(size[0] - 1) : 0.0,
                                                      (corner & 2) ? double(size[1] - 1) : 0.0,
                                                      (corner & 4) ? double(size[2] - 1) : 0.0);
    const double along = direction.dot(point);
    low = std::min(low, along);
    high = std::max(high, along);
  }
  return {low, high};
}

/// The spacing of the volume along `direction`: that of the axis running along it, or the
/// finest spacing for an oblique volume.
double SpacingAlong(const GridGeometry& volume, const Eigen::Vector3d& direction) {
  for (int axis = 0; axis < 3; ++axis) {
    if (std::abs(volume.Direction().col(axis).dot(direction)) >= kAlignedCosine) {
      return volume.SpacingMm()[axis];
    }
  }
  return volume.SpacingMm().minCoeff();
}

int CountOver(double extentMm, double stepMm) {
  // 1e-6: a box whose extent is a whole number of steps up to rounding keeps its last sample.
  return int(std::floor(extentMm / stepMm + 1e-6)) + 1;
}

} // namespace

Eigen::Vector3d CeilingDirection(const std::string& patientPosition) {
  std::string position;
  for (char c : patientPosition) {
    if (!std::isspace(static_cast<unsigned char>(c))) {
      position += char(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  if (position == "HFP" || position == "FFP") {
    return Eigen::Vector3d::UnitY();
  }
  if (position == "HFDR" || position == "FFDR") {
    return Eigen::Vector3d::UnitX();
  }
  if (position == "HFDL" || position == "FFDL") {
    return -Eigen::Vector3d::UnitX();
  }
  return -Eigen::Vector3d::UnitY();
}

std::string OrientationLetter(const Eigen::Vector3d& direction) {
  Eigen::Index axis = 0;
  direction.cwiseAbs().maxCoeff(&axis);
  static const char* const kPositive[] = {"L", "P", "S"};
  static const char* const kNegative[] = {"R", "A", "I"};
  return direction[axis] >= 0.0 ? kPositive[axis] : kNegative[axis];
}

SliceFrame SliceFrame::Make(ViewPlane plane, const std::string& patientPosition,
                            double positionMm) {
  SliceFrame frame;
  frame.plane = plane;
  frame.positionMm = positionMm;
  switch (plane) {
  case ViewPlane::Axial: {
    // Seen from the feet (looking along +z) with the ceiling up: right = view direction x up.
    frame.normal = Eigen::Vector3d::UnitZ();
    frame.up = CeilingDirection(patientPosition);
    frame.right = frame.normal.cross(frame.up);
    break;
  }
  case ViewPlane::Coronal:
    frame.normal = Eigen::Vector3d::UnitY();
    frame.up = Eigen::Vector3d::UnitZ();
    frame.right = Eigen::Vector3d::UnitX();
    break;
  case ViewPlane::Sagittal:
    frame.normal = Eigen::Vector3d::UnitX();
    frame.up = Eigen::Vector3d::UnitZ();
    frame.right = Eigen::Vector3d::UnitY();
    break;
  default:
    throw InvalidInput("the " + PlaneName(plane) + " view has no slice plane");
  }
  return frame;
}

bool SliceRange::Contains(double positionMm) const {
  return std::isfinite(positionMm) && positionMm >= firstMm - 0.5 * stepMm &&
         positionMm <= LastMm() + 0.5 * stepMm;
}

int SliceRange::NearestIndex(double positionMm) const {
  if (!std::isfinite(positionMm)) {
    return 0;
  }
  const double index = std::round((positionMm - firstMm) / stepMm);
  return int(std::clamp(index, 0.0, double(count - 1)));
}

SliceRange ScanRange(const GridGeometry& ct, ViewPlane plane) {
  const SliceFrame frame = SliceFrame::Make(plane, "", 0.0);
  const auto [low, high] = Extent(ct, frame.normal);
  SliceRange range;
  range.firstMm = low;
  range.stepMm = SpacingAlong(ct, frame.normal);
  range.count = CountOver(high - low, range.stepMm);
  return range;
}

SliceGrid VolumeSliceGrid(const GridGeometry& volume, const SliceFrame& frame) {
  const auto [uLow, uHigh] = Extent(volume, frame.right);
  const auto [vLow, vHigh] = Extent(volume, frame.up);
  SliceGrid grid;
  grid.u0 = uLow;
  grid.v0 = vLow;
  grid.du = SpacingAlong(volume, frame.right);
  grid.dv = SpacingAlong(volume, frame.up);
  grid.nu = CountOver(uHigh - uLow, grid.du);
  grid.nv = CountOver(vHigh - vLow, grid.dv);
  return grid;
}

SliceGrid ResampledGrid(const SliceGrid& region, const GridGeometry& volume,
                        const SliceFrame& frame) {
  SliceGrid grid;
  grid.u0 = region.u0;
  grid.v0 = region.v0;
  grid.du = SpacingAlong(volume, frame.right);
  grid.dv = SpacingAlong(volume, frame.up);
  // Whole samples over the region, the spacing shrunk a little so that the last sample is the
  // region's last (a sample beyond it could lie outside the volume).
  const double uExtent = region.UMax() - region.u0;
  const double vExtent = region.VMax() - region.v0;
  grid.nu = int(std::ceil(uExtent / grid.du - 1e-6)) + 1;
  grid.nv = int(std::ceil(vExtent / grid.dv - 1e-6)) + 1;
  if (grid.nu > 1) {
    grid.du = uExtent / (grid.nu - 1);
  }
  if (grid.nv > 1) {
    grid.dv = vExtent / (grid.nv - 1);
  }
  return grid;
}

} // namespace seedplan::viewer
