#pragma once

#include "seedplan/core/Seed.h"
#include "seedplan/core/Volume.h"
#include "seedplan/dosimetry/DoseCalculator.h"
#include "seedplan/dosimetry/Dvh.h"

#include <Eigen/Core>
#include <functional>
#include <vector>

namespace seedplan::dosimetry {

/// How an implant's structure is sampled for its DVH (DvhCalculator::ComputeForImplant).
struct ImplantDvhOptions {
  /// Near seeds the dose falls as 1/r²: a voxel whose nearest point is d mm from a seed is split
  /// into n_a = ceil(h_a / (relativeSpacing · d)) parts along each axis a (h_a its size, d at
  /// least the source's clamp radius), at most maxSplit. Across one part the dose then changes by
  /// about 2·relativeSpacing; the midpoint rule over the parts is far finer than that. 0.2 and 8
  /// keep the target D90 of the sample plan within 0.05 % of a 20-times denser sampling
  /// (tests/planning, PlanEvaluatorTest) at a few 10^5 samples per lesion.
  double relativeSpacing = 0.2;
  int maxSplit = 8;
  /// Every sample takes the exact TG-43 dose of the seeds (the engine at the point); otherwise
  /// only the samples within exactReachMm of a seed do and the others the dose grid's trilinear
  /// interpolation (large structures, where the grid is smooth).
  bool exactEverywhere = true;
  double exactReachMm = 30.0;
};

/// Builds the cumulative DVH of one structure (DESIGN.md, DVH) from its mask (non-zero inside, any
/// geometry and resolution, independent of the dose grid) and a dose in Gy (total dose of a
/// permanent implant, TG-43 in water, unless the caller's dose says otherwise).
///
/// What is sampled, and why: the volume is the mask's (inside voxels x voxel volume), never the
/// dose grid's. Each inside voxel is one sample at its centre, or split into sub-voxels sampled at
/// their centres, each with its share of the voxel's volume (so the volume is unchanged):
///  - with a dose alone (a grid or a function: the `dvh` command, an imported dose), a border
///    voxel (a face neighbour outside, or the mask's edge) is split n x n x n (n =
///    borderSubdivisions), an interior voxel (all 6 face neighbours inside) is not: in a small
///    lesion (< 1 cc) the border voxels are a large part of the volume and hold the coldest dose
///    that sets D90;
///  - for an implant (ComputeForImplant), every voxel near a seed is split by the distance rule of
///    ImplantDvhOptions, wherever it lies, and the dose is the exact TG-43 dose at the sample
///    points (DoseCalculator::AddDoseRateAt): near seeds a trilinear interpolation of a CT-grid
///    dose overestimates D90 by ~0.7 % and V200 by 2-4 % (issue 12).
/// Samples are float (dose, volume) pairs sorted by a radix sort (Dvh::FromVoxelSamples); slices
/// are sampled in parallel (OpenMP) and joined in order, so the result does not depend on the
/// number of threads. A large structure of an implant (ImplantDvhOptions::exactEverywhere false:
/// the body, large organs) is not stored sample by sample: its samples go into fine dose bins of
/// 2^-13 (0.012 %) relative width, each bin a DVH sample at its members' mean dose (volume, mean
/// and Dmax exact; Dx within one bin width; the sums depend on the thread count only by rounding):
/// the body outline of the sample thorax is ~7 million samples, ~300 MB sorted (issue 12). No
/// exception leaves a parallel region: the first is rethrown to the caller.
class DvhCalculator {
public:
  static constexpr int kDefaultBorderSubdivisions = 4;

  /// Refuses (InvalidInput) a total-dose grid with a negative or non-finite voxel, naming the
  /// first one (index and value): a dose is >= 0 Gy, and a NaN would make every metric silently
  /// wrong. Compute(mask, grid) calls it.
  static void ValidateDoseGrid(const Volume<float>& doseGy);

  /// DVH with the dose evaluated by `doseGyAt` (point in patient mm -> Gy) at every sample, from
  /// several threads (it must be thread-safe). Throws InvalidInput if the mask is empty or
  /// invalid, borderSubdivisions < 1, or a dose is not finite; rethrows what doseGyAt throws.
  static Dvh Compute(const Mask& mask,
                     const std::function<double(const Eigen::Vector3d&)>& doseGyAt,
                     int borderSubdivisions = kDefaultBorderSubdivisions);

  /// DVH with the dose interpolated trilinearly in the grid `doseGy` (GridDoseSampler). Throws
  /// InvalidInput, with both boxes in mm, if a sample point of the mask lies outside the dose grid
  /// (GridDoseSampler::Covers), and as the overload above.
  static Dvh Compute(const Mask& mask, const Volume<float>& doseGy,
                     int borderSubdivisions = kDefaultBorderSubdivisions);

  /// DVH of a structure under the seeds `seeds` (total dose: dose rate x gyPerCGyPerH, e.g.
  /// PermanentImplantDecay::TotalDoseGyPerCGyPerH()), sampled and evaluated as ImplantDvhOptions
  /// says; `doseGy` (the same seeds' total dose on a grid covering the structure) serves the
  /// samples beyond exactReachMm and may be null when options.exactEverywhere. Throws
  /// InvalidInput as the overloads above, and for a grid sample outside `doseGy`.
  static Dvh ComputeForImplant(const Mask& mask, const std::vector<Seed>& seeds,
                               const DoseCalculator& calculator, double gyPerCGyPerH,
                               const Volume<float>* doseGy, const ImplantDvhOptions& options);
};

} // namespace seedplan::dosimetry
