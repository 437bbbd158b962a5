#include "MetalEvidence.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace seedplan::imaging {

bool MetalEvidence::BrightAsSeed(const MetalRegion& region) {
  return region.peakHu >= kMinSeedPeakHu;
}

bool MetalEvidence::IsSeedLike(const Volume<short>& ct, const MetalRegion& region) {
  if (!BrightAsSeed(region) || region.extended || region.voxels.empty() ||
      std::isfinite(region.touchesHu)) {
    return false;
  }
  // Followed at half its contrast with no upper bound: a seed stays within its blur, a tube goes
  // on (the grown box is bounded by the limit, so a tube's span exceeds it by a voxel at most).
  const MetalRegion followed = SeedCandidateFinder::Grow(
      ct, region.peakIndex, region.ring.medianHu + 0.5 * region.ContrastHu(),
      std::numeric_limits<double>::infinity(), kMaxGrownVoxels, kMaxSeedSpanMm);
  const Eigen::Vector3d& spacing = ct.Geometry().SpacingMm();
  double span2 = 0.0;
  for (int axis = 0; axis < 3; ++axis) {
    const double span =
        static_cast<double>(followed.high[axis] - followed.low[axis]) * spacing[axis];
    span2 += span * span;
  }
  return followed.voxels.size() < kMaxGrownVoxels && span2 <= kMaxSeedSpanMm * kMaxSeedSpanMm;
}

bool MetalEvidence::AnyBrightAsSeed(const std::vector<MetalRegion>& regions) {
  return std::any_of(regions.begin(), regions.end(),
                     [](const MetalRegion& region) { return BrightAsSeed(region); });
}

std::vector<MetalRegion> MetalEvidence::SeedLikeOnly(const Volume<short>& ct,
                                                     const std::vector<MetalRegion>& regions) {
  std::vector<MetalRegion> seedLike = regions;
  for (MetalRegion& region : seedLike) {
    if (!IsSeedLike(ct, region)) {
      region.voxels.clear();
    }
  }
  return seedLike;
}

} // namespace seedplan::imaging
