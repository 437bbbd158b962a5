#pragma once

#include "SeedFit.h"

#include "seedplan/core/Volume.h"

#include <cstdint>
#include <vector>

namespace seedplan::imaging {

/// The tissue around a point, from a ring of voxels beyond a seed's reach: its median (the
/// background), a high quantile (what the brightest tissue or streak around reaches) and a robust
/// spread (1.4826 x median absolute deviation, HU).
struct RingStatistics {
  double medianHu = 0.0;
  double highHu = 0.0;
  double spreadHu = 0.0;
};

/// Local background and noise of a CT, measured where the seeds are rather than assumed.
class LocalBackground {
public:
  /// The CT's noise (HU, 1 sigma): the robust spread of differences between voxels two pixels
  /// apart in a row, over the voxels of soft tissue (-300..300 HU) or, when there are too few,
  /// of all voxels below 3000 HU; / sqrt 2 for the difference of two. Two pixels rather than one
  /// so that noise correlated by the reconstruction kernel is not underestimated much; smooth
  /// anatomy changes little over 2 pixels and the median ignores edges.
  static double NoiseSigma(const Volume<short>& ct);
  /// Ring statistics around voxel (i, j, k): 16 directions in plane at radiusMm, on the slices
  /// k - 1, k and k + 1 (clipped to the volume).
  static RingStatistics Ring(const Volume<short>& ct, std::int64_t i, std::int64_t j,
                             std::int64_t k, double radiusMm);
  /// The background HU under every window voxel, slice by slice, from the ring voxels (those
  /// marked in `ring`, away from the metal): on the ring, its own value (it then only says "no
  /// metal here"); inside, the median of the 8 nearest ring voxels of its slice (streaks and
  /// noise out), so a seed at a lung or bone edge sees the tissue on each side of it; the robust
  /// spread of those voxels says how uncertain that is.
  static void Estimate(FitWindow& window, const std::vector<std::uint8_t>& ring);
};

} // namespace seedplan::imaging
