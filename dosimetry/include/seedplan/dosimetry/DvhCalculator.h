#pragma once

#include "seedplan/core/Volume.h"
#include "seedplan/dosimetry/Dvh.h"

#include <Eigen/Core>
#include <functional>

namespace seedplan::dosimetry {

/// Builds the cumulative DVH of one structure (DESIGN.md, DVH) from its mask (non-zero inside, any
/// geometry and resolution, independent of the dose grid) and a dose in Gy (total dose of a
/// permanent implant, TG-43 in water, unless the caller's dose says otherwise).
///
/// What is sampled, and why: the volume is the mask's (inside voxels x voxel volume), never the
/// dose grid's. An interior voxel (all 6 face neighbours inside) is one sample at its centre with
/// the whole voxel volume. A border voxel (a face neighbour outside, or the mask's edge) is split
/// into n x n x n sub-voxels (n = borderSubdivisions), each sampled at its centre with 1/n^3 of the
/// voxel volume: near seeds the dose changes by tens of percent per millimetre, and in a small
/// lesion (< 1 cc) the border voxels are a large part of the volume and hold the coldest dose that
/// sets D90, so their dose must be resolved below the voxel size. The sub-voxel centres stay inside
/// the border voxel, so the volume is unchanged. The dose function is called from several threads
/// (OpenMP) and must be thread-safe; the first exception it throws is rethrown to the caller.
class DvhCalculator {
public:
  static constexpr int kDefaultBorderSubdivisions = 4;

  /// DVH with the dose evaluated by `doseGyAt` (point in patient mm -> Gy) at every sample.
  /// Throws InvalidInput if the mask is empty or invalid, borderSubdivisions < 1, or a dose is not
  /// finite.
  static Dvh Compute(const Mask& mask,
                     const std::function<double(const Eigen::Vector3d&)>& doseGyAt,
                     int borderSubdivisions = kDefaultBorderSubdivisions);

  /// DVH with the dose interpolated trilinearly in the grid `doseGy` (GridDoseSampler). Throws
  /// InvalidInput, with both boxes in mm, if a sample point of the mask lies outside the dose grid
  /// (GridDoseSampler::Covers), and as the overload above.
  static Dvh Compute(const Mask& mask, const Volume<float>& doseGy,
                     int borderSubdivisions = kDefaultBorderSubdivisions);
};

} // namespace seedplan::dosimetry
