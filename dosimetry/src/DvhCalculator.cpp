#include "seedplan/dosimetry/DvhCalculator.h"

#include "DoseHistogram.h"
#include "ImplantSampling.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/MaskIndexBox.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/dosimetry/DosePoints.h"
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
using detail::ForEachPart;
using detail::GridDose;
using detail::SeedDistanceSplitter;
using detail::VoxelSplit;

/// Largest split per axis: a voxel's parts are counted in 16 bits (40^3 = 64000).
constexpr int kMaximumSplit = 40;

void ValidateInputs(const Mask& mask, int borderSubdivisions) {
  mask.Geometry().Validate("DVH structure mask");
  if (mask.NumberOfVoxels() != mask.Geometry().NumberOfVoxels()) {
    throw InvalidInput("DVH structure mask holds " + std::to_string(mask.NumberOfVoxels()) +
                       " values; expected " + std::to_string(mask.Geometry().NumberOfVoxels()) +
                       " for its geometry (" + mask.Geometry().Describe() + ")");
  }
  if (borderSubdivisions < 1 || borderSubdivisions > kMaximumSplit) {
    throw InvalidInput("DVH border subdivisions is " + std::to_string(borderSubdivisions) +
                       "; expected an integer from 1 to " + std::to_string(kMaximumSplit));
  }
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

std::string OutsideMessage(const Mask& mask, const IndexBox& box, const Volume<float>& doseGy) {
  const auto& doseSize = doseGy.Geometry().Size();
  return "DVH: the structure mask extends outside the dose grid (structure " +
         DescribeBounds(mask.Geometry(), box) + ", dose grid " +
         DescribeBounds(doseGy.Geometry(),
                        IndexBox{{0, 0, 0}, {doseSize[0] - 1, doseSize[1] - 1, doseSize[2] - 1}}) +
         "); expected a dose grid that contains the whole structure";
}

/// The samples of one slice of the mask.
struct SliceSamples {
  std::vector<float> dose;
  std::vector<std::uint16_t> parts;
  DosePoints exactPoints;
  std::vector<std::uint32_t> exactIndex; ///< into dose/parts of this slice
};

/// Visits the samples of slice k of the mask: for each inside voxel `splitter.Row(j, k, ...)`
/// gives a row context whose Split(i, centre, interior) says how to sample the voxel, and
/// visit(point, voxel, voxelParts, exact) is called for each of its parts in scan order (`voxel` is
/// the voxel's index when it is sampled whole at its centre).
template <class Splitter, class Visit>
void VisitSlice(const Mask& mask, const IndexBox& box, const Splitter& splitter, std::int64_t k,
                Visit&& visit) {
  const Index3& lower = box.lower;
  const Index3& upper = box.upper;
  const GridGeometry& geometry = mask.Geometry();
  const auto& size = geometry.Size();
  const std::uint8_t* voxels = mask.Data().data();
  auto at = [&](std::int64_t i, std::int64_t j, std::int64_t kk) {
    return voxels[static_cast<std::size_t>(i + size[0] * (j + size[1] * kk))] != 0;
  };
  // A face neighbour outside the mask's grid counts as outside.
  auto inside = [&](std::int64_t i, std::int64_t j, std::int64_t kk) {
    return i >= 0 && j >= 0 && kk >= 0 && i < size[0] && j < size[1] && kk < size[2] &&
           at(i, j, kk);
  };
  const Eigen::Vector3d stepI = geometry.IndexToPoint(1.0, 0.0, 0.0) - geometry.OriginMm();
  const Eigen::Vector3d stepJ = geometry.IndexToPoint(0.0, 1.0, 0.0) - geometry.OriginMm();
  const Eigen::Vector3d stepK = geometry.IndexToPoint(0.0, 0.0, 1.0) - geometry.OriginMm();
  for (std::int64_t j = lower[1]; j <= upper[1]; ++j) {
    const auto row = splitter.Row(j, k, lower[0], upper[0]);
    const Eigen::Vector3d rowStart = geometry.IndexToPoint(0.0, double(j), double(k));
    for (std::int64_t i = lower[0]; i <= upper[0]; ++i) {
      if (!at(i, j, k)) {
        continue;
      }
      bool interior = false;
      if constexpr (Splitter::kNeedsInterior) {
        interior = inside(i - 1, j, k) && inside(i + 1, j, k) && inside(i, j - 1, k) &&
                   inside(i, j + 1, k) && inside(i, j, k - 1) && inside(i, j, k + 1);
      }
      const Eigen::Vector3d centre = rowStart + double(i) * stepI;
      const VoxelSplit split = row.Split(i, centre, interior);
      const int voxelParts = split.parts[0] * split.parts[1] * split.parts[2];
      if (voxelParts == 1) {
        visit(centre, std::optional<Index3>(Index3{i, j, k}), 1, split.exact);
        continue;
      }
      ForEachPart(centre, stepI, stepJ, stepK, split, [&](const Eigen::Vector3d& point) {
        visit(point, std::optional<Index3>(), voxelParts, split.exact);
      });
    }
  }
}

/// Samples the mask (VisitSlice); samples that are not exact take dose(point, voxel). Slices in
/// parallel, joined in order into `dose`/`parts`; the exact samples' points are returned (in
/// order) with their indices, their doses left at zero.
template <class Splitter, class DoseSource>
void SampleMask(const Mask& mask, const IndexBox& box, const Splitter& splitter,
                const DoseSource& doseAt, std::vector<float>& dose,
                std::vector<std::uint16_t>& parts, DosePoints& exactPoints,
                std::vector<std::uint64_t>& exactIndex) {
  const Index3& lower = box.lower;
  const Index3& upper = box.upper;
  const auto& size = mask.Geometry().Size();
  const std::uint8_t* voxels = mask.Data().data();
  const std::int64_t sliceCount = upper[2] - lower[2] + 1;
  std::vector<SliceSamples> perSlice(static_cast<std::size_t>(sliceCount));
  auto sampleSlice = [&](std::int64_t k, SliceSamples& out) {
    // At least one sample per inside voxel: reserve that much at once.
    std::size_t insideVoxels = 0;
    for (std::int64_t j = lower[1]; j <= upper[1]; ++j) {
      for (std::int64_t i = lower[0]; i <= upper[0]; ++i) {
        insideVoxels += voxels[static_cast<std::size_t>(i + size[0] * (j + size[1] * k))] != 0;
      }
    }
    out.dose.reserve(insideVoxels);
    out.parts.reserve(insideVoxels);
    out.exactPoints = DosePoints(exactPoints.OriginMm());
    VisitSlice(mask, box, splitter, k,
               [&](const Eigen::Vector3d& point, const std::optional<Index3>& voxel, int voxelParts,
                   bool exact) {
                 if (exact) {
                   out.exactIndex.push_back(static_cast<std::uint32_t>(out.dose.size()));
                   out.exactPoints.Add(point);
                   out.dose.push_back(0.0f);
                 } else {
                   out.dose.push_back(static_cast<float>(doseAt(point, voxel)));
                 }
                 out.parts.push_back(static_cast<std::uint16_t>(voxelParts));
               });
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
  std::size_t total = 0, exact = 0;
  for (const auto& samples : perSlice) {
    total += samples.dose.size();
    exact += samples.exactPoints.Size();
  }
  dose.clear();
  parts.clear();
  dose.reserve(total);
  parts.reserve(total);
  exactIndex.clear();
  exactIndex.reserve(exact);
  exactPoints.Reserve(exact);
  for (auto& samples : perSlice) {
    const std::uint64_t base = dose.size();
    dose.insert(dose.end(), samples.dose.begin(), samples.dose.end());
    parts.insert(parts.end(), samples.parts.begin(), samples.parts.end());
    exactPoints.Append(samples.exactPoints);
    for (const std::uint32_t index : samples.exactIndex) {
      exactIndex.push_back(base + index);
    }
    samples = SliceSamples{};
  }
}

/// The `dvh` rule: border voxels n x n x n, interior voxels whole.
struct BorderSplitter {
  static constexpr bool kNeedsInterior = true;
  int subdivisions;
  struct RowContext {
    int subdivisions;
    VoxelSplit Split(std::int64_t, const Eigen::Vector3d&, bool interior) const {
      VoxelSplit split;
      if (!interior) {
        split.parts[0] = split.parts[1] = split.parts[2] = subdivisions;
      }
      return split;
    }
  };
  RowContext Row(std::int64_t, std::int64_t, std::int64_t, std::int64_t) const {
    return {subdivisions};
  }
};

/// The DVH of a large structure (ImplantDvhOptions::exactEverywhere false): every sample goes
/// straight into fine dose bins (DoseHistogram), per thread, instead of being stored and sorted:
/// the body outline of a thorax scan is ~7 million samples, ~300 MB and most of `evaluate`'s time
/// as stored samples (issue 12), ~6 MB per thread as bins. The exact samples of each slice are
/// evaluated by the engine slice by slice. No exception leaves the parallel region.
template <class Splitter, class DoseSource>
Dvh BinnedImplantDvh(const Mask& mask, const IndexBox& box, const Splitter& splitter,
                     const DoseSource& doseAt, const std::vector<Seed>& seeds,
                     const DoseCalculator& calculator, double gyPerCGyPerH,
                     const Eigen::Vector3d& pointsOriginMm) {
  const double voxelVolumeMm3 = mask.Geometry().VoxelVolumeMm3();
  const std::int64_t sliceCount = box.upper[2] - box.lower[2] + 1;
  std::optional<detail::DoseHistogram> total;
  std::exception_ptr failure;
  auto keepFailure = [&failure]() {
#pragma omp critical(seedplan_dvh_failure)
    if (!failure) {
      failure = std::current_exception();
    }
  };
#pragma omp parallel
  {
    std::optional<detail::DoseHistogram> local;
    try {
      local.emplace();
    } catch (...) {
      keepFailure();
    }
    DosePoints points(pointsOriginMm);
    std::vector<std::uint16_t> exactParts;
    std::vector<float> exactDose;
#pragma omp for schedule(dynamic)
    for (std::int64_t slice = 0; slice < sliceCount; ++slice) {
      if (!local) {
        continue;
      }
      try {
        points = DosePoints(pointsOriginMm);
        exactParts.clear();
        VisitSlice(mask, box, splitter, box.lower[2] + slice,
                   [&](const Eigen::Vector3d& point, const std::optional<Index3>& voxel,
                       int voxelParts, bool exact) {
                     if (exact) {
                       points.Add(point);
                       exactParts.push_back(static_cast<std::uint16_t>(voxelParts));
                     } else {
                       local->Add(static_cast<float>(doseAt(point, voxel)),
                                  voxelVolumeMm3 / voxelParts);
                     }
                   });
        if (!points.Empty()) {
          exactDose.assign(points.Size(), 0.0f);
          calculator.AddDoseRateAt(points, seeds, gyPerCGyPerH, exactDose);
          for (std::size_t n = 0; n < exactDose.size(); ++n) {
            local->Add(exactDose[n], voxelVolumeMm3 / exactParts[n]);
          }
        }
      } catch (...) {
        keepFailure();
      }
    }
#pragma omp critical(seedplan_dvh_merge)
    try {
      if (local) {
        if (!total) {
          total = std::move(local);
        } else {
          total->Merge(*local);
        }
      }
    } catch (...) {
      keepFailure();
    }
  }
  if (failure) {
    std::rethrow_exception(failure);
  }
  return Dvh::FromDescendingSamples(total->Samples());
}

} // namespace

namespace detail {

MaskIndexBox PrepareImplantMask(const Mask& mask, const ImplantDvhOptions& options) {
  const IndexBox box = PrepareMask(mask, 1);
  if (!(options.relativeSpacing > 0.0) || options.maxSplit < 1 ||
      options.maxSplit > kMaximumSplit || !(options.exactReachMm >= 0.0)) {
    throw InvalidInput("DVH sampling: relative spacing " + FormatNumber(options.relativeSpacing) +
                       ", largest split " + std::to_string(options.maxSplit) + ", exact reach " +
                       FormatNumber(options.exactReachMm) +
                       " mm; expected a spacing > 0, a split from 1 to 40 and a reach >= 0 mm");
  }
  return box;
}

} // namespace detail

Dvh DvhCalculator::Compute(const Mask& mask,
                           const std::function<double(const Eigen::Vector3d&)>& doseGyAt,
                           int borderSubdivisions) {
  const IndexBox box = PrepareMask(mask, borderSubdivisions);
  std::vector<float> dose;
  std::vector<std::uint16_t> parts;
  DosePoints unused;
  std::vector<std::uint64_t> noIndex;
  SampleMask(
      mask, box, BorderSplitter{borderSubdivisions},
      [&](const Eigen::Vector3d& point, const std::optional<Index3>&) { return doseGyAt(point); },
      dose, parts, unused, noIndex);
  return Dvh::FromVoxelSamples(std::move(dose), std::move(parts), mask.Geometry().VoxelVolumeMm3());
}

void DvhCalculator::ValidateDoseGrid(const Volume<float>& doseGy) {
  const auto& data = doseGy.Data();
  const auto bad =
      std::find_if(data.begin(), data.end(), [](float v) { return !(v >= 0.0f) || std::isinf(v); });
  if (bad == data.end()) {
    return;
  }
  const auto n = static_cast<std::int64_t>(bad - data.begin());
  const auto& size = doseGy.Geometry().Size();
  throw InvalidInput("dose voxel (" + std::to_string(n % size[0]) + ", " +
                     std::to_string((n / size[0]) % size[1]) + ", " +
                     std::to_string(n / (size[0] * size[1])) + ") is " + FormatNumber(*bad) +
                     " Gy; expected a finite dose >= 0 Gy in every voxel");
}

Dvh DvhCalculator::Compute(const Mask& mask, const Volume<float>& doseGy, int borderSubdivisions) {
  const IndexBox box = PrepareMask(mask, borderSubdivisions);
  ValidateDoseGrid(doseGy);
  const GridDose gridDose(doseGy, mask.Geometry());
  std::vector<float> dose;
  std::vector<std::uint16_t> parts;
  DosePoints unused;
  std::vector<std::uint64_t> noIndex;
  SampleMask(mask, box, BorderSplitter{borderSubdivisions}, gridDose, dose, parts, unused, noIndex);
  if (gridDose.Outside()) {
    throw InvalidInput(OutsideMessage(mask, box, doseGy));
  }
  return Dvh::FromVoxelSamples(std::move(dose), std::move(parts), mask.Geometry().VoxelVolumeMm3());
}

Dvh DvhCalculator::ComputeForImplant(const Mask& mask, const std::vector<Seed>& seeds,
                                     const DoseCalculator& calculator, double gyPerCGyPerH,
                                     const Volume<float>* doseGy,
                                     const ImplantDvhOptions& options) {
  const IndexBox box = detail::PrepareImplantMask(mask, options);
  if (!options.exactEverywhere && doseGy == nullptr) {
    throw InvalidInput("DVH sampling: no dose grid for the samples beyond the exact reach");
  }
  calculator.ValidateSeeds(seeds);
  const SeedDistanceSplitter splitter(mask.Geometry(), seeds, options);
  std::vector<float> dose;
  std::vector<std::uint16_t> parts;
  DosePoints exactPoints(mask.Geometry().IndexToPoint(double(box.lower[0]), double(box.lower[1]),
                                                      double(box.lower[2])));
  std::vector<std::uint64_t> exactIndex;
  std::optional<GridDose> gridDose;
  if (doseGy != nullptr) {
    gridDose.emplace(*doseGy, mask.Geometry());
  }
  auto doseAt = [&](const Eigen::Vector3d& point, const std::optional<Index3>& voxel) {
    return gridDose ? (*gridDose)(point, voxel) : 0.0;
  };
  if (!options.exactEverywhere) {
    Dvh binned = BinnedImplantDvh(mask, box, splitter, doseAt, seeds, calculator, gyPerCGyPerH,
                                  exactPoints.OriginMm());
    if (gridDose->Outside()) {
      throw InvalidInput(OutsideMessage(mask, box, *doseGy));
    }
    return binned;
  }
  SampleMask(mask, box, splitter, doseAt, dose, parts, exactPoints, exactIndex);
  if (gridDose && gridDose->Outside()) {
    throw InvalidInput(OutsideMessage(mask, box, *doseGy));
  }
  if (!exactPoints.Empty()) {
    std::vector<float> exact(exactPoints.Size(), 0.0f);
    calculator.AddDoseRateAt(exactPoints, seeds, gyPerCGyPerH, exact);
    for (std::size_t n = 0; n < exact.size(); ++n) {
      dose[exactIndex[n]] = exact[n];
    }
  }
  return Dvh::FromVoxelSamples(std::move(dose), std::move(parts), mask.Geometry().VoxelVolumeMm3());
}

} // namespace seedplan::dosimetry
