#include "seedplan/dosimetry/DvhCalculator.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/MaskIndexBox.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/dosimetry/GridDoseSampler.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <exception>
#include <limits>
#include <optional>
#include <sstream>
#include <string>
#include <utility>

namespace seedplan::dosimetry {

namespace {

using Index3 = std::array<std::int64_t, 3>;

using IndexBox = MaskIndexBox;

void ValidateInputs(const Mask& mask, int borderSubdivisions) {
  mask.Geometry().Validate("DVH structure mask");
  if (mask.NumberOfVoxels() != mask.Geometry().NumberOfVoxels()) {
    throw InvalidInput("DVH structure mask holds " + std::to_string(mask.NumberOfVoxels()) +
                       " values; expected " + std::to_string(mask.Geometry().NumberOfVoxels()) +
                       " for its geometry (" + mask.Geometry().Describe() + ")");
  }
  if (borderSubdivisions < 1) {
    throw InvalidInput("DVH border subdivisions is " + std::to_string(borderSubdivisions) +
                       "; expected an integer >= 1");
  }
}

/// Axis-aligned bounds in patient mm of the voxels of `box` in `geometry` (their outer faces:
/// index lower - 0.5 to upper + 0.5), as "x [a, b] y [c, d] z [e, f] mm".
std::string DescribeBounds(const GridGeometry& geometry, const IndexBox& box) {
  const Index3& lower = box.lower;
  const Index3& upper = box.upper;
  Eigen::Vector3d minimum = Eigen::Vector3d::Constant(std::numeric_limits<double>::infinity());
  Eigen::Vector3d maximum = -minimum;
  for (int corner = 0; corner < 8; ++corner) {
    const double i = (corner & 1 ? double(upper[0]) + 0.5 : double(lower[0]) - 0.5);
    const double j = (corner & 2 ? double(upper[1]) + 0.5 : double(lower[1]) - 0.5);
    const double k = (corner & 4 ? double(upper[2]) + 0.5 : double(lower[2]) - 0.5);
    const Eigen::Vector3d point = geometry.IndexToPoint(i, j, k);
    minimum = minimum.cwiseMin(point);
    maximum = maximum.cwiseMax(point);
  }
  std::ostringstream out;
  static const char* const kAxis[] = {"x", "y", "z"};
  for (int axis = 0; axis < 3; ++axis) {
    out << (axis ? " " : "") << kAxis[axis] << " [" << FormatNumber(minimum[axis]) << ", "
        << FormatNumber(maximum[axis]) << "]";
  }
  out << " mm";
  return out.str();
}

/// Samples the mask as documented in the header, calling doseAt(point) for every sample point.
/// Slices are processed in parallel; each slice keeps its own samples and they are joined in slice
/// order, so the result does not depend on the number of threads.
template <class DoseFunction>
std::vector<Dvh::Sample> SampleMask(const Mask& mask, int subdivisions, const IndexBox& box,
                                    const DoseFunction& doseAt) {
  const Index3& lower = box.lower;
  const Index3& upper = box.upper;
  const GridGeometry& geometry = mask.Geometry();
  const auto& size = geometry.Size();
  const double voxelVolumeMm3 = geometry.VoxelVolumeMm3();
  const double subVolumeMm3 = voxelVolumeMm3 / std::pow(double(subdivisions), 3);
  auto inside = [&](std::int64_t i, std::int64_t j, std::int64_t k) {
    return i >= 0 && j >= 0 && k >= 0 && i < size[0] && j < size[1] && k < size[2] &&
           mask.At(i, j, k) != 0;
  };
  std::vector<double> subOffsets(static_cast<std::size_t>(subdivisions));
  for (int s = 0; s < subdivisions; ++s) {
    subOffsets[static_cast<std::size_t>(s)] = (s + 0.5) / subdivisions - 0.5;
  }

  const std::int64_t sliceCount = upper[2] - lower[2] + 1;
  std::vector<std::vector<Dvh::Sample>> perSlice(static_cast<std::size_t>(sliceCount));
  auto sampleSlice = [&](std::int64_t k, std::vector<Dvh::Sample>& samples) {
    for (std::int64_t j = lower[1]; j <= upper[1]; ++j) {
      for (std::int64_t i = lower[0]; i <= upper[0]; ++i) {
        if (!inside(i, j, k)) {
          continue;
        }
        const bool interior = inside(i - 1, j, k) && inside(i + 1, j, k) && inside(i, j - 1, k) &&
                              inside(i, j + 1, k) && inside(i, j, k - 1) && inside(i, j, k + 1);
        if (interior) {
          samples.push_back(
              {doseAt(geometry.IndexToPoint(double(i), double(j), double(k))), voxelVolumeMm3});
          continue;
        }
        for (double dk : subOffsets) {
          for (double dj : subOffsets) {
            for (double di : subOffsets) {
              const Eigen::Vector3d point =
                  geometry.IndexToPoint(double(i) + di, double(j) + dj, double(k) + dk);
              samples.push_back({doseAt(point), subVolumeMm3});
            }
          }
        }
      }
    }
  };
  // An exception must not leave the OpenMP region: keep the first one and rethrow it after.
  std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic)
  for (std::int64_t slice = 0; slice < sliceCount; ++slice) {
    try {
      sampleSlice(lower[2] + slice, perSlice[static_cast<std::size_t>(slice)]);
    } catch (...) {
#pragma omp critical(seedplan_dvh_failure)
      if (!failure) {
        failure = std::current_exception();
      }
    }
  }
  if (failure) {
    std::rethrow_exception(failure);
  }
  std::size_t total = 0;
  for (const auto& samples : perSlice) {
    total += samples.size();
  }
  std::vector<Dvh::Sample> all;
  all.reserve(total);
  for (const auto& samples : perSlice) {
    all.insert(all.end(), samples.begin(), samples.end());
  }
  return all;
}

/// Validates the inputs and returns the box of the inside voxels; InvalidInput if there is none.
IndexBox PrepareMask(const Mask& mask, int borderSubdivisions) {
  ValidateInputs(mask, borderSubdivisions);
  const std::optional<IndexBox> box = MaskIndexBox::Of(mask);
  if (!box) {
    throw InvalidInput("DVH structure mask is empty (no non-zero voxel in " +
                       mask.Geometry().Describe() + "); expected a structure with volume");
  }
  return *box;
}

} // namespace

Dvh DvhCalculator::Compute(const Mask& mask,
                           const std::function<double(const Eigen::Vector3d&)>& doseGyAt,
                           int borderSubdivisions) {
  const IndexBox box = PrepareMask(mask, borderSubdivisions);
  return Dvh(SampleMask(mask, borderSubdivisions, box, doseGyAt));
}

Dvh DvhCalculator::Compute(const Mask& mask, const Volume<float>& doseGy, int borderSubdivisions) {
  const IndexBox box = PrepareMask(mask, borderSubdivisions);
  const GridDoseSampler sampler(doseGy);
  // Exceptions must not leave an OpenMP region: flag uncovered points and throw afterwards.
  bool outside = false;
  auto doseAt = [&sampler, &outside](const Eigen::Vector3d& pointMm) {
    if (!sampler.Covers(pointMm)) {
#pragma omp atomic write
      outside = true;
      return 0.0;
    }
    return sampler.DoseAt(pointMm);
  };
  std::vector<Dvh::Sample> samples = SampleMask(mask, borderSubdivisions, box, doseAt);
  if (outside) {
    const auto& doseSize = doseGy.Geometry().Size();
    throw InvalidInput(
        "DVH: the structure mask extends outside the dose grid (structure " +
        DescribeBounds(mask.Geometry(), box) + ", dose grid " +
        DescribeBounds(doseGy.Geometry(),
                       IndexBox{{0, 0, 0}, {doseSize[0] - 1, doseSize[1] - 1, doseSize[2] - 1}}) +
        "); expected a dose grid that contains the whole structure");
  }
  return Dvh(std::move(samples));
}

} // namespace seedplan::dosimetry
