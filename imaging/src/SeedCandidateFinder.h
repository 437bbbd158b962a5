#pragma once

#include "LocalBackground.h"

#include "seedplan/core/Volume.h"

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <vector>

namespace seedplan::imaging {

/// A bright blob of a CT: the voxels of one or more local maxima above a level between their
/// peak and their surroundings (grid indices), and what they stand on.
struct MetalRegion {
  std::vector<std::int64_t> voxels; ///< linear indices
  std::array<std::int64_t, 3> low{};
  std::array<std::int64_t, 3> high{};
  std::array<std::int64_t, 3> peakIndex{};
  double peakHu = 0.0;
  RingStatistics ring; ///< around the brightest peak
  double levelHu = 0.0;
  int peaks = 0; ///< local maxima (in-plane, per slice) merged into it
  /// The blob kept growing beyond kMaxRegionExtentMm at every level: anatomy (bone) or a large
  /// metal object, not a seed or a cluster of seeds. Its voxels are those reached when it stopped.
  bool extended = false;
  /// The highest level (HU) above half its contrast at which it still grew beyond a seed's size
  /// (-infinity when it never did): the anatomy or metal it touches reaches at least that.
  double touchesHu = -std::numeric_limits<double>::infinity();

  double ContrastHu() const { return peakHu - ring.medianHu; }
};

/// Finds where seeds may be, from the scan alone: local maxima (in plane, per slice) that stand
/// above the tissue around them (a ring 6 mm away) by a contrast in HU and in noise units, not
/// from an absolute HU level; each grown into its blob, the voxels above a level between the
/// peak and the surroundings' median and not above the peak (tissue brighter than a compressed
/// seed is not its metal). A blob that keeps growing is tried at higher levels (0.5, 0.7, 0.85,
/// 0.93 of the way to the peak), which separates a seed from the bone or the streak lines it
/// touches; one that grows at every level is `extended`. Blobs sharing voxels are merged
/// (touching seeds), brightest first.
class SeedCandidateFinder {
public:
  struct Options {
    double noiseSigmaHu = 10.0;
    /// A peak stands at least this many HU and this many noise sigmas above its ring's median.
    double minContrastHu = 250.0;
    double minContrastSigmas = 7.0;
    /// When set (--threshold-hu), peaks of at least this HU instead of the contrast test.
    std::optional<double> thresholdHu;
  };

  /// A blob keeps growing when its box's diagonal exceeds this: a chain of touching seeds up to
  /// 15 mm long with its blooming (large metal objects are judged on it later).
  static constexpr double kMaxRegionExtentMm = 22.0;
  /// Radius of the ring around a peak: beyond a seed lying in the slice (2.25 mm half length,
  /// plus 2 sigma of a soft 1 mm kernel, plus a pixel).
  static constexpr double kRingRadiusMm = 6.0;

  static std::vector<MetalRegion> Find(const Volume<short>& ct, const Options& options);
  /// The region grown again from its peak at the first of the higher levels at which its box's
  /// diagonal is at most maxSpanMm (the highest level's otherwise): a seed's blob that took in
  /// streak lines or bone at a low level, cut back to its metal.
  static MetalRegion Tighten(const Volume<short>& ct, const MetalRegion& region, double maxSpanMm,
                             double noiseSigmaHu);
  /// The blob of voxels in [levelHu, upperHu] 26-connected to `peak`, up to maxVoxels.
  static MetalRegion Grow(const Volume<short>& ct, const std::array<std::int64_t, 3>& peak,
                          double levelHu, double upperHu, std::size_t maxVoxels,
                          double maxExtentMm);
};

} // namespace seedplan::imaging
