#pragma once

#include "seedplan/core/Volume.h"
#include "seedplan/viewer/SliceGeometry.h"

#include <optional>
#include <string>
#include <vector>

namespace seedplan::viewer {

/// Values on a SliceGrid, sample (a, b) at index a + nu b.
template <class T> struct SliceImage {
  SliceGrid grid;
  std::vector<T> values;
  const T& At(int a, int b) const {
    return values[static_cast<std::size_t>(a) + static_cast<std::size_t>(grid.nu) * b];
  }
};

/// HU of the CT voxel nearest to each sample (on VolumeSliceGrid of the CT these are exactly its
/// voxels: what is shown is what was scanned); samples outside the CT get kOutsideHu.
SliceImage<short> SampleCt(const Volume<short>& ct, const SliceFrame& frame, const SliceGrid& grid);
constexpr short kOutsideHu = -1024;
/// SampleCt into `image`, reusing its memory (a window pages through slices without allocating).
void SampleCtInto(const Volume<short>& ct, const SliceFrame& frame, const SliceGrid& grid,
                  SliceImage<short>& image);

/// The dose at each sample, trilinear with dosimetry::GridDoseSampler's rules (within the grid's
/// voxels, clamped to the centre box at its faces), in the dose grid's unit. Check coverage first
/// (UncoveredPart).
SliceImage<float> SampleDose(const Volume<float>& dose, const SliceFrame& frame,
                             const SliceGrid& grid);
void SampleDoseInto(const Volume<float>& dose, const SliceFrame& frame, const SliceGrid& grid,
                    SliceImage<float>& image);

/// A structure's mask cut by the plane: its voxel plane nearest to the slice (when the slice lies
/// within half a voxel of it), on its own in-plane grid, 1 inside and 0 outside, with one sample of
/// 0 around it so that outlines close. nullopt if the plane misses every inside voxel.
std::optional<SliceImage<float>> SampleMask(const Mask& mask, const SliceFrame& frame);
/// SampleMask into `image` (reusing its memory); false, and `image` unspecified, if the plane
/// misses every inside voxel.
bool SampleMaskInto(const Mask& mask, const SliceFrame& frame, SliceImage<float>& image);

/// Inside voxels of `mask` on the plane (as SampleMask cuts it) times their area, mm².
double MaskAreaOnPlaneMm2(const Mask& mask, const SliceFrame& frame);

/// Where the plane of `frame` cuts the box of `volume`'s voxel centres: the corners of that convex
/// polygon (unordered; empty when the plane misses the box).
std::vector<Eigen::Vector3d> PlaneCutOfBox(const GridGeometry& volume, const SliceFrame& frame);

/// The part of the CT on the slice (PlaneCutOfBox of `ct`: what the slice shows of the scan, not
/// the picture's corners, which lie outside an oblique scan) that the dose grid does not cover
/// (its voxels, dosimetry::GridDoseSampler::Covers), in words for a one-line error ("x from
/// -172.4 to -60.5 mm, y from ..."), or empty when it covers all of it.
std::string UncoveredPart(const GridGeometry& dose, const SliceFrame& frame,
                          const GridGeometry& ct);

/// The same for a whole box of voxel centres (the 3D view): empty when covered.
std::string UncoveredBox(const GridGeometry& dose, const GridGeometry& box);

} // namespace seedplan::viewer
