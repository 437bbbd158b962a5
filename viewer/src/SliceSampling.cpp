#include "seedplan/viewer/SliceSampling.h"

#include "seedplan/core/TextParsing.h"

#include <algorithm>
#include <array>
#include <cmath>

namespace seedplan::viewer {

namespace {

/// Continuous index of sample (0, 0) and its steps along a and b.
struct IndexWalk {
  Eigen::Vector3d start;
  Eigen::Vector3d stepA;
  Eigen::Vector3d stepB;
};

IndexWalk Walk(const GridGeometry& volume, const SliceFrame& frame, const SliceGrid& grid) {
  const Eigen::Vector3d origin = volume.PointToContinuousIndex(frame.ToPatient(grid.Point(0, 0)));
  IndexWalk walk;
  walk.start = origin;
  walk.stepA = volume.PointToContinuousIndex(frame.ToPatient(grid.Point(1, 0))) - origin;
  walk.stepB = volume.PointToContinuousIndex(frame.ToPatient(grid.Point(0, 1))) - origin;
  return walk;
}

/// Tolerance (voxels) of "inside the volume" for nearest-voxel lookups: rounding of positions
/// written with 6 decimals.
constexpr double kIndexTolerance = 1e-4;

bool NearestIndex(const Eigen::Vector3d& index, const std::array<std::int64_t, 3>& size,
                  std::array<std::int64_t, 3>& nearest) {
  for (int axis = 0; axis < 3; ++axis) {
    const double value = index[axis];
    if (!(value >= -0.5 - kIndexTolerance && value <= double(size[axis]) - 0.5 + kIndexTolerance)) {
      return false;
    }
    nearest[axis] = std::clamp<std::int64_t>(std::llround(value), 0, size[axis] - 1);
  }
  return true;
}

std::string Mm(double value) {
  return FormatNumber(std::abs(value) < 5e-3 ? 0.0 : value, 5);
}

/// Uncovered parts of an axis-aligned region [low, high] per LPS axis against an axis-aligned
/// dose grid; empty if covered.
std::string DescribeUncovered(const GridGeometry& dose, const Eigen::Vector3d& low,
                              const Eigen::Vector3d& high) {
  static const char* const kAxis[] = {"x", "y", "z"};
  std::string text;
  const auto& size = dose.Size();
  for (int axis = 0; axis < 3; ++axis) {
    // The dose axis running along this patient axis (dose grids follow the patient axes; an
    // oblique grid is checked point by point by the caller).
    int doseAxis = 0;
    dose.Direction().row(axis).cwiseAbs().maxCoeff(&doseAxis);
    double a = dose.OriginMm()[axis];
    double b = a + dose.Direction()(axis, doseAxis) * dose.SpacingMm()[doseAxis] *
                       double(size[doseAxis] - 1);
    const double half = 0.5 * dose.SpacingMm()[doseAxis];
    const double coveredLow = std::min(a, b) - half;
    const double coveredHigh = std::max(a, b) + half;
    // A thousandth of a millimetre: positions in DICOM and MetaImage headers are rounded.
    constexpr double kSlackMm = 1e-3;
    std::string part;
    if (low[axis] < coveredLow - kSlackMm) {
      part += kAxis[axis] + std::string(" from ") + Mm(low[axis]) + " to " +
              Mm(std::min(coveredLow, high[axis])) + " mm";
    }
    if (high[axis] > coveredHigh + kSlackMm) {
      part += (part.empty() ? kAxis[axis] + std::string(" from ") : std::string(" and from ")) +
              Mm(std::max(coveredHigh, low[axis])) + " to " + Mm(high[axis]) + " mm";
    }
    if (!part.empty()) {
      text += (text.empty() ? "" : ", ") + part;
    }
  }
  return text;
}

bool AxisAligned(const GridGeometry& grid) {
  // Cosine tolerance of "along a patient axis": direction cosines are written to 6 decimals.
  for (int axis = 0; axis < 3; ++axis) {
    if (grid.Direction().col(axis).cwiseAbs().maxCoeff() < 1.0 - 1e-6) {
      return false;
    }
  }
  return true;
}

std::string DescribeUncoveredPoints(const GridGeometry& dose,
                                    const std::vector<Eigen::Vector3d>& points) {
  for (const auto& point : points) {
    if (!dose.ContainsPoint(point, 0.5)) {
      return "the point (" + Mm(point.x()) + ", " + Mm(point.y()) + ", " + Mm(point.z()) + ") mm";
    }
  }
  return {};
}

} // namespace

SliceImage<short> SampleCt(const Volume<short>& ct, const SliceFrame& frame,
                           const SliceGrid& grid) {
  SliceImage<short> image;
  image.grid = grid;
  image.values.assign(static_cast<std::size_t>(grid.nu) * grid.nv, kOutsideHu);
  const IndexWalk walk = Walk(ct.Geometry(), frame, grid);
  const auto& size = ct.Geometry().Size();
  std::array<std::int64_t, 3> nearest{};
  for (int b = 0; b < grid.nv; ++b) {
    for (int a = 0; a < grid.nu; ++a) {
      const Eigen::Vector3d index = walk.start + walk.stepA * a + walk.stepB * b;
      if (NearestIndex(index, size, nearest)) {
        image.values[static_cast<std::size_t>(a) + static_cast<std::size_t>(grid.nu) * b] =
            ct.At(nearest[0], nearest[1], nearest[2]);
      }
    }
  }
  return image;
}

SliceImage<float> SampleDose(const Volume<float>& dose, const SliceFrame& frame,
                             const SliceGrid& grid) {
  SliceImage<float> image;
  image.grid = grid;
  image.values.assign(static_cast<std::size_t>(grid.nu) * grid.nv, 0.0f);
  const IndexWalk walk = Walk(dose.Geometry(), frame, grid);
  const auto& size = dose.Geometry().Size();
  const std::int64_t strideJ = size[0];
  const std::int64_t strideK = size[0] * size[1];
  const float* data = dose.Data().data();
  for (int b = 0; b < grid.nv; ++b) {
    for (int a = 0; a < grid.nu; ++a) {
      const Eigen::Vector3d index = walk.start + walk.stepA * a + walk.stepB * b;
      // Clamped trilinear interpolation, as GridDoseSampler::DoseAt.
      std::array<std::int64_t, 3> low{};
      std::array<double, 3> t{};
      for (int axis = 0; axis < 3; ++axis) {
        const double clamped = std::clamp(index[axis], 0.0, double(size[axis] - 1));
        low[axis] = std::min<std::int64_t>(std::int64_t(clamped),
                                           std::max<std::int64_t>(0, size[axis] - 2));
        t[axis] = size[axis] > 1 ? clamped - double(low[axis]) : 0.0;
      }
      const std::int64_t stepI = size[0] > 1 ? 1 : 0;
      const std::int64_t stepJ = size[1] > 1 ? strideJ : 0;
      const std::int64_t stepK = size[2] > 1 ? strideK : 0;
      const float* p = data + low[0] + strideJ * low[1] + strideK * low[2];
      const double c00 = p[0] + t[0] * (p[stepI] - p[0]);
      const double c10 = p[stepJ] + t[0] * (p[stepJ + stepI] - p[stepJ]);
      const double c01 = p[stepK] + t[0] * (p[stepK + stepI] - p[stepK]);
      const double c11 = p[stepK + stepJ] + t[0] * (p[stepK + stepJ + stepI] - p[stepK + stepJ]);
      const double c0 = c00 + t[1] * (c10 - c00);
      const double c1 = c01 + t[1] * (c11 - c01);
      image.values[static_cast<std::size_t>(a) + static_cast<std::size_t>(grid.nu) * b] =
          float(c0 + t[2] * (c1 - c0));
    }
  }
  return image;
}

std::optional<SliceImage<float>> SampleMask(const Mask& mask, const SliceFrame& frame) {
  const GridGeometry& geometry = mask.Geometry();
  if (geometry.NumberOfVoxels() == 0) {
    return std::nullopt;
  }
  SliceGrid grid = VolumeSliceGrid(geometry, frame);
  // One empty sample around the mask's box so that every outline closes.
  grid.u0 -= grid.du;
  grid.v0 -= grid.dv;
  grid.nu += 2;
  grid.nv += 2;
  const IndexWalk walk = Walk(geometry, frame, grid);
  const auto& size = geometry.Size();
  SliceImage<float> image;
  image.grid = grid;
  image.values.assign(static_cast<std::size_t>(grid.nu) * grid.nv, 0.0f);
  bool any = false;
  std::array<std::int64_t, 3> nearest{};
  for (int b = 0; b < grid.nv; ++b) {
    for (int a = 0; a < grid.nu; ++a) {
      const Eigen::Vector3d index = walk.start + walk.stepA * a + walk.stepB * b;
      if (NearestIndex(index, size, nearest) && mask.At(nearest[0], nearest[1], nearest[2])) {
        image.values[static_cast<std::size_t>(a) + static_cast<std::size_t>(grid.nu) * b] = 1.0f;
        any = true;
      }
    }
  }
  if (!any) {
    return std::nullopt;
  }
  return image;
}

double MaskAreaOnPlaneMm2(const Mask& mask, const SliceFrame& frame) {
  const auto image = SampleMask(mask, frame);
  if (!image) {
    return 0.0;
  }
  double count = 0.0;
  for (float value : image->values) {
    count += value;
  }
  return count * image->grid.du * image->grid.dv;
}

std::string UncoveredPart(const GridGeometry& dose, const SliceFrame& frame,
                          const SliceGrid& region) {
  std::vector<Eigen::Vector3d> corners;
  for (int corner = 0; corner < 4; ++corner) {
    corners.push_back(frame.ToPatient(
        region.Point((corner & 1) ? region.nu - 1 : 0, (corner & 2) ? region.nv - 1 : 0)));
  }
  if (!AxisAligned(dose)) {
    return DescribeUncoveredPoints(dose, corners);
  }
  Eigen::Vector3d low = corners.front(), high = corners.front();
  for (const auto& corner : corners) {
    low = low.cwiseMin(corner);
    high = high.cwiseMax(corner);
  }
  return DescribeUncovered(dose, low, high);
}

std::string UncoveredBox(const GridGeometry& dose, const GridGeometry& box) {
  std::vector<Eigen::Vector3d> corners;
  const auto& size = box.Size();
  for (int corner = 0; corner < 8; ++corner) {
    corners.push_back(box.IndexToPoint((corner & 1) ? double(size[0] - 1) : 0.0,
                                       (corner & 2) ? double(size[1] - 1) : 0.0,
                                       (corner & 4) ? double(size[2] - 1) : 0.0));
  }
  if (!AxisAligned(dose)) {
    return DescribeUncoveredPoints(dose, corners);
  }
  Eigen::Vector3d low = corners.front(), high = corners.front();
  for (const auto& corner : corners) {
    low = low.cwiseMin(corner);
    high = high.cwiseMax(corner);
  }
  return DescribeUncovered(dose, low, high);
}

} // namespace seedplan::viewer
