#include "seedplan/viewer/SliceSampling.h"

#include "seedplan/core/TextParsing.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <optional>

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

/// How a volume's index axes run along a slice frame's right, up and normal directions, when each
/// of them runs along one index axis (every CT and mask in practice): the fast paths below then
/// read voxels directly instead of mapping every sample.
struct AlignedAxes {
  int axis[3];     ///< index axis along right, up, normal
  int sign[3];     ///< +1 if the index grows along that direction, -1 otherwise
  double start[3]; ///< continuous index of the plane's point (u, v) = (0, 0) along each axis
  double step[3];  ///< index change per mm along right, up, normal
};

std::optional<AlignedAxes> Aligned(const GridGeometry& volume, const SliceFrame& frame) {
  AlignedAxes aligned{};
  const Eigen::Vector3d directions[3] = {frame.right, frame.up, frame.normal};
  for (int d = 0; d < 3; ++d) {
    bool found = false;
    for (int axis = 0; axis < 3; ++axis) {
      const double cosine = volume.Direction().col(axis).dot(directions[d]);
      if (std::abs(cosine) >= 1.0 - 1e-6) {
        aligned.axis[d] = axis;
        aligned.sign[d] = cosine > 0 ? 1 : -1;
        aligned.step[d] = cosine / volume.SpacingMm()[axis];
        found = true;
      }
    }
    if (!found) {
      return std::nullopt;
    }
  }
  const Eigen::Vector3d origin = volume.PointToContinuousIndex(frame.ToPatient({0.0, 0.0}));
  for (int d = 0; d < 3; ++d) {
    aligned.start[d] = origin[aligned.axis[d]];
  }
  return aligned;
}

/// SampleMask for a mask whose axes run along the frame: the voxel plane nearest to the slice,
/// cropped to its inside voxels plus one empty sample around them.
bool SampleAlignedMask(const Mask& mask, const AlignedAxes& aligned, SliceImage<float>& image) {
  const GridGeometry& geometry = mask.Geometry();
  const auto& size = geometry.Size();
  const std::size_t axisU = std::size_t(aligned.axis[0]);
  const std::size_t axisV = std::size_t(aligned.axis[1]);
  const std::size_t axisN = std::size_t(aligned.axis[2]);
  const double normalIndex = aligned.start[2];
  if (normalIndex < -0.5 - kIndexTolerance ||
      normalIndex > double(size[axisN]) - 0.5 + kIndexTolerance) {
    return false;
  }
  std::array<std::int64_t, 3> voxel{};
  voxel[axisN] = std::clamp<std::int64_t>(std::llround(normalIndex), 0, size[axisN] - 1);
  // The inside voxels' index box on that plane.
  std::int64_t lowU = size[axisU], highU = -1, lowV = size[axisV], highV = -1;
  for (std::int64_t v = 0; v < size[axisV]; ++v) {
    voxel[axisV] = v;
    for (std::int64_t u = 0; u < size[axisU]; ++u) {
      voxel[axisU] = u;
      if (mask.At(voxel[0], voxel[1], voxel[2])) {
        lowU = std::min(lowU, u);
        highU = std::max(highU, u);
        lowV = std::min(lowV, v);
        highV = std::max(highV, v);
      }
    }
  }
  if (highU < 0) {
    return false;
  }
  // Samples run along right and up: index u grows with the sample when sign > 0.
  SliceGrid& grid = image.grid;
  grid.du = 1.0 / std::abs(aligned.step[0]);
  grid.dv = 1.0 / std::abs(aligned.step[1]);
  grid.nu = int(highU - lowU + 3);
  grid.nv = int(highV - lowV + 3);
  const std::int64_t firstU = aligned.sign[0] > 0 ? lowU - 1 : highU + 1;
  const std::int64_t firstV = aligned.sign[1] > 0 ? lowV - 1 : highV + 1;
  grid.u0 = (double(firstU) - aligned.start[0]) / aligned.step[0];
  grid.v0 = (double(firstV) - aligned.start[1]) / aligned.step[1];
  image.values.assign(std::size_t(grid.nu) * std::size_t(grid.nv), 0.0f);
  for (int b = 1; b + 1 < grid.nv; ++b) {
    voxel[axisV] = firstV + aligned.sign[1] * b;
    for (int a = 1; a + 1 < grid.nu; ++a) {
      voxel[axisU] = firstU + aligned.sign[0] * a;
      if (mask.At(voxel[0], voxel[1], voxel[2])) {
        image.values[std::size_t(a) + std::size_t(grid.nu) * std::size_t(b)] = 1.0f;
      }
    }
  }
  return true;
}

} // namespace

void SampleCtInto(const Volume<short>& ct, const SliceFrame& frame, const SliceGrid& grid,
                  SliceImage<short>& image) {
  image.grid = grid;
  image.values.assign(static_cast<std::size_t>(grid.nu) * grid.nv, kOutsideHu);
  const auto& size = ct.Geometry().Size();
  if (const auto aligned = Aligned(ct.Geometry(), frame)) {
    // Nearest voxel along each axis: index = start + step * coordinate.
    const double normalIndex = aligned->start[2];
    if (normalIndex < -0.5 - kIndexTolerance ||
        normalIndex > double(size[std::size_t(aligned->axis[2])]) - 0.5 + kIndexTolerance) {
      return;
    }
    std::vector<std::int64_t> columns(std::size_t(grid.nu), -1);
    for (int a = 0; a < grid.nu; ++a) {
      const double index = aligned->start[0] + aligned->step[0] * grid.Point(a, 0).x();
      const std::int64_t n = size[std::size_t(aligned->axis[0])];
      if (index >= -0.5 - kIndexTolerance && index <= double(n) - 0.5 + kIndexTolerance) {
        columns[std::size_t(a)] = std::clamp<std::int64_t>(std::llround(index), 0, n - 1);
      }
    }
    std::array<std::int64_t, 3> voxel{};
    voxel[std::size_t(aligned->axis[2])] = std::clamp<std::int64_t>(
        std::llround(normalIndex), 0, size[std::size_t(aligned->axis[2])] - 1);
    for (int b = 0; b < grid.nv; ++b) {
      const double index = aligned->start[1] + aligned->step[1] * grid.Point(0, b).y();
      const std::int64_t n = size[std::size_t(aligned->axis[1])];
      if (index < -0.5 - kIndexTolerance || index > double(n) - 0.5 + kIndexTolerance) {
        continue;
      }
      voxel[std::size_t(aligned->axis[1])] =
          std::clamp<std::int64_t>(std::llround(index), 0, n - 1);
      short* row = image.values.data() + static_cast<std::size_t>(grid.nu) * b;
      for (int a = 0; a < grid.nu; ++a) {
        if (columns[std::size_t(a)] >= 0) {
          voxel[std::size_t(aligned->axis[0])] = columns[std::size_t(a)];
          row[a] = ct.At(voxel[0], voxel[1], voxel[2]);
        }
      }
    }
    return;
  }
  const IndexWalk walk = Walk(ct.Geometry(), frame, grid);
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
  return;
}

SliceImage<short> SampleCt(const Volume<short>& ct, const SliceFrame& frame,
                           const SliceGrid& grid) {
  SliceImage<short> image;
  SampleCtInto(ct, frame, grid, image);
  return image;
}

void SampleDoseInto(const Volume<float>& dose, const SliceFrame& frame, const SliceGrid& grid,
                    SliceImage<float>& image) {
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
  return;
}

SliceImage<float> SampleDose(const Volume<float>& dose, const SliceFrame& frame,
                             const SliceGrid& grid) {
  SliceImage<float> image;
  SampleDoseInto(dose, frame, grid, image);
  return image;
}

bool SampleMaskInto(const Mask& mask, const SliceFrame& frame, SliceImage<float>& image) {
  const GridGeometry& geometry = mask.Geometry();
  if (geometry.NumberOfVoxels() == 0) {
    return false;
  }
  if (const auto aligned = Aligned(geometry, frame)) {
    return SampleAlignedMask(mask, *aligned, image);
  }
  SliceGrid grid = VolumeSliceGrid(geometry, frame);
  // One empty sample around the mask's box so that every outline closes.
  grid.u0 -= grid.du;
  grid.v0 -= grid.dv;
  grid.nu += 2;
  grid.nv += 2;
  const IndexWalk walk = Walk(geometry, frame, grid);
  const auto& size = geometry.Size();
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
  return any;
}

std::optional<SliceImage<float>> SampleMask(const Mask& mask, const SliceFrame& frame) {
  SliceImage<float> image;
  if (!SampleMaskInto(mask, frame, image)) {
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

std::vector<Eigen::Vector3d> PlaneCutOfBox(const GridGeometry& volume, const SliceFrame& frame) {
  const auto& size = volume.Size();
  Eigen::Vector3d corners[8];
  double heights[8];
  for (int corner = 0; corner < 8; ++corner) {
    corners[corner] = volume.IndexToPoint((corner & 1) ? double(size[0] - 1) : 0.0,
                                          (corner & 2) ? double(size[1] - 1) : 0.0,
                                          (corner & 4) ? double(size[2] - 1) : 0.0);
    heights[corner] = frame.normal.dot(corners[corner]) - frame.positionMm;
  }
  // A corner this close to the plane lies on it: slice positions are voxel-centre positions
  // rounded in headers and in text.
  constexpr double kOnPlaneMm = 1e-6;
  std::vector<Eigen::Vector3d> cut;
  for (int corner = 0; corner < 8; ++corner) {
    if (std::abs(heights[corner]) <= kOnPlaneMm) {
      cut.push_back(corners[corner]);
    }
  }
  // The 12 edges join corners that differ in one index bit.
  for (int a = 0; a < 8; ++a) {
    for (const int bit : {1, 2, 4}) {
      const int b = a | bit;
      if (b == a) {
        continue;
      }
      const double ha = heights[a];
      const double hb = heights[b];
      if ((ha < -kOnPlaneMm && hb > kOnPlaneMm) || (ha > kOnPlaneMm && hb < -kOnPlaneMm)) {
        cut.push_back(corners[a] + (ha / (ha - hb)) * (corners[b] - corners[a]));
      }
    }
  }
  return cut;
}

std::string UncoveredPart(const GridGeometry& dose, const SliceFrame& frame,
                          const GridGeometry& ct) {
  const std::vector<Eigen::Vector3d> cut = PlaneCutOfBox(ct, frame);
  if (cut.empty()) {
    return {};
  }
  // The cut is a convex polygon and the dose grid's box is convex: the box holds the polygon
  // when it holds its corners.
  if (!AxisAligned(dose)) {
    return DescribeUncoveredPoints(dose, cut);
  }
  Eigen::Vector3d low = cut.front(), high = cut.front();
  for (const auto& point : cut) {
    low = low.cwiseMin(point);
    high = high.cwiseMax(point);
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
