#pragma once

#include "ScannerSimulator.h"

#include "seedplan/core/Volume.h"

#include <random>

namespace seedplan::imaging::testing {

/// Streak rays added to a scan after the fact, a third streak model besides ScannerSimulator's
/// lines and postimplant_ct.py's: from each seed, straight rays that start beyond its surface
/// and its blur, bright and dark in turn, widening with distance (a wedge, as rays of missing or
/// hardened projections do), fading along their length, in every slice the seed shows in. Where
/// rays of neighbouring seeds cross, ridges add up.
struct StreakRays {
  double amplitudeHu = 400.0; ///< at the ray's start
  int raysPerSeed = 3;        ///< full lines through the seed: 2 x raysPerSeed rays
  double startMm = 2.5;       ///< from the seed's centre
  double widthMm = 1.5;       ///< FWHM across the ray at its start
  double widening = 0.12;     ///< FWHM grows by this many mm per mm along the ray
  double fadeMm = 30.0;       ///< amplitude ~ exp(-r / fadeMm)

  /// Adds the rays of every seed of `scene` to `ct` (HU, clamped to a short).
  void AddTo(Volume<short>& ct, const Scene& scene, double sliceThicknessMm,
             std::mt19937& random) const;
};

} // namespace seedplan::imaging::testing
