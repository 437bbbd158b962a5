#pragma once

#include "SeedCandidateFinder.h"
#include "SeedFit.h"

#include "seedplan/core/Volume.h"

#include <cstdint>
#include <unordered_map>
#include <vector>

namespace seedplan::imaging {

/// Cuts the window a seed fit looks at around one or more metal regions: their box plus the
/// blur's reach and a ring of background; voxels of other metal regions (and a pixel around
/// them) take no part; the background under every voxel comes from the ring
/// (LocalBackground::Estimate); each voxel's scale is sqrt(noise^2 + (modelError x excess)^2 +
/// backgroundSpread^2), the misfit expected from the noise, from the model's relative error on
/// bright voxels and from an uncertain background (a lung edge under the seed).
class FitWindowBuilder {
public:
  /// `regionOf` maps the voxels of every metal region to its id; `ids` are the regions this
  /// window is for.
  static FitWindow Build(const Volume<short>& ct, const std::vector<const MetalRegion*>& regions,
                         const std::unordered_map<std::int64_t, int>& regionOf,
                         const std::vector<int>& ids, const CapsuleModel& model,
                         double noiseSigmaHu, double modelError);
  /// Recomputes the scales for another noise or model error.
  static void SetScales(FitWindow& window, double noiseSigmaHu, double modelError);
  /// The background under each window voxel (not of the ring) from the same pixel on the CT
  /// slices `below` and `above` (beyond the metal's reach across), interpolated, where those two
  /// agree: a lung or bone edge running across the slices under a seed is then placed where it
  /// is, not where the ring's median in the voxel's own slice puts it. The spread (uncertainty)
  /// stays at least the ring's.
  static void AcrossSlices(const Volume<short>& ct, FitWindow& window,
                           const std::vector<std::uint8_t>& ring,
                           const std::unordered_map<std::int64_t, int>& regionOf,
                           std::int64_t below, std::int64_t above, double noiseSigmaHu);
  /// In-plane and across-slice reach (voxels) of a seed's blur beyond its half-level blob.
  static std::array<std::int64_t, 3> Reach(const GridGeometry& geometry, const CapsuleModel& model);
};

} // namespace seedplan::imaging
