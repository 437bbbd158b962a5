#pragma once

// The implant sampling rule of a structure's DVH (ImplantDvhOptions), shared by
// DvhCalculator::ComputeForImplant and ImplantDvhSamples so that a live sample set and a fresh
// computation split every voxel alike and place its parts at the same points. Internal to the
// dosimetry library.

#include "seedplan/core/GridGeometry.h"
#include "seedplan/core/GridRow.h"
#include "seedplan/core/MaskIndexBox.h"
#include "seedplan/core/Seed.h"
#include "seedplan/core/Volume.h"
#include "seedplan/dosimetry/DvhCalculator.h"
#include "seedplan/dosimetry/GridDoseSampler.h"

#include <Eigen/Core>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

namespace seedplan::dosimetry::detail {

/// Checks a structure's mask and the sampling options as ComputeForImplant does (InvalidInput for
/// an invalid or empty mask, or options out of range) and returns the box of the inside voxels.
MaskIndexBox PrepareImplantMask(const Mask& mask, const ImplantDvhOptions& options);

/// How one voxel is sampled: parts per axis, and whether its samples take the exact dose.
struct VoxelSplit {
  int parts[3] = {1, 1, 1};
  bool exact = false;
};

/// Calls visit(point) for each part of a voxel split by `split`, in scan order (i fastest), at the
/// parts' centres: `centre` the voxel's centre, step* one voxel along each index axis (mm).
template <class Visit>
void ForEachPart(const Eigen::Vector3d& centre, const Eigen::Vector3d& stepI,
                 const Eigen::Vector3d& stepJ, const Eigen::Vector3d& stepK,
                 const VoxelSplit& split, Visit&& visit) {
  for (int c = 0; c < split.parts[2]; ++c) {
    const Eigen::Vector3d planeOffset = ((c + 0.5) / split.parts[2] - 0.5) * stepK;
    for (int b = 0; b < split.parts[1]; ++b) {
      const Eigen::Vector3d lineOffset = planeOffset + ((b + 0.5) / split.parts[1] - 0.5) * stepJ;
      for (int a = 0; a < split.parts[0]; ++a) {
        visit(centre + lineOffset + ((a + 0.5) / split.parts[0] - 0.5) * stepI);
      }
    }
  }
}

/// The implant rule (ImplantDvhOptions): split by the distance to the nearest seed.
class SeedDistanceSplitter {
public:
  static constexpr bool kNeedsInterior = false;
  /// Below this the distance rule stops refining: inside the source's clamp radius (~2 mm) the
  /// dose is constant along each ray.
  static constexpr double kMinimumDistanceMm = 1.0;

  SeedDistanceSplitter(const GridGeometry& geometry, const std::vector<Seed>& seeds,
                       const ImplantDvhOptions& options)
      : m_Geometry(geometry), m_Options(options) {
    const Eigen::Vector3d& h = geometry.SpacingMm();
    m_HalfDiagonalMm = 0.5 * h.norm();
    // Beyond this distance no axis is split and (unless exact everywhere) the grid serves.
    const double splitReachMm = h.maxCoeff() / options.relativeSpacing + m_HalfDiagonalMm;
    m_ReachMm = std::max(splitReachMm, options.exactEverywhere ? 0.0 : options.exactReachMm) +
                m_HalfDiagonalMm;
    for (const Seed& seed : seeds) {
      m_Seeds.push_back(seed.positionMm);
    }
  }

  /// Voxels farther than this (mm, centre to seed) from every seed are neither split nor, beyond
  /// the exact reach, exact: a seed changes the sampling of the voxels within it only.
  double ReachMm() const { return m_ReachMm; }

  class RowContext {
  public:
    RowContext(const SeedDistanceSplitter& owner, std::int64_t first, std::vector<double> nearest2)
        : m_Owner(&owner), m_First(first), m_Nearest2(std::move(nearest2)) {}
    VoxelSplit Split(std::int64_t i, const Eigen::Vector3d&, bool) const {
      const ImplantDvhOptions& options = m_Owner->m_Options;
      VoxelSplit split;
      split.exact = options.exactEverywhere;
      const double nearest2 = m_Nearest2[static_cast<std::size_t>(i - m_First)];
      if (!std::isfinite(nearest2)) {
        return split;
      }
      const double nearest = std::sqrt(nearest2);
      split.exact = split.exact || nearest <= options.exactReachMm;
      const double distance = std::max(nearest - m_Owner->m_HalfDiagonalMm, kMinimumDistanceMm);
      const double spacing = options.relativeSpacing * distance;
      for (int axis = 0; axis < 3; ++axis) {
        const double parts = std::ceil(m_Owner->m_Geometry.SpacingMm()[axis] / spacing - 1e-9);
        split.parts[axis] = static_cast<int>(std::clamp(parts, 1.0, double(options.maxSplit)));
      }
      return split;
    }

  private:
    const SeedDistanceSplitter* m_Owner;
    std::int64_t m_First;
    std::vector<double> m_Nearest2; ///< squared distance (mm²) to the nearest seed in reach
  };

  /// For voxels first..last of row (j, k): the squared distance to the nearest seed within the
  /// reach (infinity beyond), each seed visiting only the voxels within its reach.
  RowContext Row(std::int64_t j, std::int64_t k, std::int64_t first, std::int64_t last) const {
    const GridRow row(m_Geometry, j, k);
    std::vector<double> nearest2(static_cast<std::size_t>(last - first + 1),
                                 std::numeric_limits<double>::infinity());
    for (const Eigen::Vector3d& seed : m_Seeds) {
      const std::optional<GridRow::Chord> chord = row.ChordOf(seed, m_ReachMm);
      const std::optional<GridRow::Indices> inside =
          chord ? chord->Inside().Within(first, last) : std::nullopt;
      if (!inside) {
        continue;
      }
      for (std::int64_t i = inside->first; i <= inside->last; ++i) {
        const double d = (double(i) - chord->foot) * row.StepMm();
        double& best = nearest2[static_cast<std::size_t>(i - first)];
        best = std::min(best, chord->distance2Mm + d * d);
      }
    }
    return RowContext(*this, first, std::move(nearest2));
  }

private:
  const GridGeometry& m_Geometry;
  ImplantDvhOptions m_Options;
  std::vector<Eigen::Vector3d> m_Seeds;
  double m_HalfDiagonalMm = 0.0;
  double m_ReachMm = 0.0;
};

using Index3 = std::array<std::int64_t, 3>;

/// Dose from a grid: trilinear, or the voxel's own value where the mask's voxel is a dose voxel
/// (a mask cropped from the dose grid: the same spacing and direction, an origin whole voxels
/// away). Uncovered points raise a flag (an exception must not leave the parallel region).
class GridDose {
public:
  GridDose(const Volume<float>& doseGy, const GridGeometry& maskGeometry)
      : m_Dose(doseGy), m_Sampler(doseGy) {
    const GridGeometry& grid = doseGy.Geometry();
    const bool sameAxes =
        (grid.SpacingMm() - maskGeometry.SpacingMm()).cwiseAbs().maxCoeff() <=
            1e-6 * grid.SpacingMm().minCoeff() &&
        (grid.Direction() - maskGeometry.Direction()).cwiseAbs().maxCoeff() <= 1e-9;
    const Eigen::Vector3d offset = grid.PointToContinuousIndex(maskGeometry.OriginMm());
    const Eigen::Vector3d rounded = offset.array().round();
    if (sameAxes && (offset - rounded).cwiseAbs().maxCoeff() <= 1e-4 &&
        rounded.cwiseAbs().maxCoeff() < 1e9) {
      m_Aligned = true;
      for (int a = 0; a < 3; ++a) {
        m_Offset[static_cast<std::size_t>(a)] = static_cast<std::int64_t>(rounded[a]);
      }
    }
  }

  /// Whether the mask's voxels are dose voxels (AlignedValue serves their centres).
  bool Aligned() const { return m_Aligned; }
  /// The dose grid, and the index offset of the mask's voxels in it when Aligned().
  const Volume<float>& Dose() const { return m_Dose; }
  const Index3& AlignedOffset() const { return m_Offset; }
  /// The dose voxel of mask voxel (i, j, k) when Aligned() and it lies in the dose grid.
  std::optional<float> AlignedValue(std::int64_t i, std::int64_t j, std::int64_t k) const {
    i += m_Offset[0];
    j += m_Offset[1];
    k += m_Offset[2];
    const auto& size = m_Dose.Geometry().Size();
    if (i >= 0 && j >= 0 && k >= 0 && i < size[0] && j < size[1] && k < size[2]) {
      return m_Dose.At(i, j, k);
    }
    return std::nullopt;
  }

  double operator()(const Eigen::Vector3d& point, const std::optional<Index3>& voxel) const {
    if (m_Aligned && voxel) {
      const std::int64_t i = (*voxel)[0] + m_Offset[0];
      const std::int64_t j = (*voxel)[1] + m_Offset[1];
      const std::int64_t k = (*voxel)[2] + m_Offset[2];
      const auto& size = m_Dose.Geometry().Size();
      if (i >= 0 && j >= 0 && k >= 0 && i < size[0] && j < size[1] && k < size[2]) {
        return m_Dose.At(i, j, k);
      }
    }
    if (!m_Sampler.Covers(point)) {
#pragma omp atomic write
      m_Outside = true;
      return 0.0;
    }
    return m_Sampler.DoseAt(point);
  }

  bool Outside() const {
    return m_Outside;
  }

private:
  const Volume<float>& m_Dose;
  GridDoseSampler m_Sampler;
  bool m_Aligned = false;
  Index3 m_Offset{};
  mutable bool m_Outside = false;
};

} // namespace seedplan::dosimetry::detail
