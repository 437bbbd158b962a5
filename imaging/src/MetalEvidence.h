#pragma once

#include "SeedCandidateFinder.h"

#include "seedplan/core/Volume.h"

#include <cstddef>
#include <vector>

namespace seedplan::imaging {

/// Whether a blob can be a seed in absolute terms, so that a scan without metal gives no seeds.
/// The detector judges blobs by their contrast over their surroundings (so that it works on any
/// scanner's appearance of the metal), but contrast alone does not tell metal from anatomy: a lung
/// vessel (blood, ~40 HU) stands ~800 HU above the lung, and a bump of a rib or vertebra stands
/// out of the bone around it, as a seed does above soft tissue. Two things anatomy does not do:
/// - Reach a seed's brightness in soft tissue. CT numbers are calibrated on every scanner and
///   every stored scale (water 0 HU, air -1000 HU: DICOM's rescale maps the stored values to
///   that); the seeds stand at least 500 HU above the tissue around them, so seeds in
///   soft tissue (>= -100 HU, fat) peak at >= 400 HU. Lung vessels and soft-tissue lumps stay
///   below; contrast-enhanced vessels (300-500 HU) are tubes, not compact blobs.
/// - Be compact at half its contrast. A seed is an object of 0.8 x 4.5 mm: above half its
///   contrast its blob is the blurred capsule, one seed's size (SeedCandidateFinder grows it);
///   a local maximum of bone grows at that level into the bone it belongs to
///   (MetalRegion::touchesHu is finite), and a tube (a vessel, a cartilage or bone running along
///   the slices, whose in-plane maxima a blob grown only up to its own peak cuts into seed-sized
///   pieces) continues at half its contrast beyond any seed's blur (kMaxSeedSpanMm).
/// The scanner's appearance is learned only from seed-like blobs (those clearest seeds lie in
/// soft tissue, away from bone); once it is learned, fainter seeds (in lung, beside bone) are
/// judged by it as before. When no blob is seed-like, the scan holds no metal.
class MetalEvidence {
public:
  /// Fat, the least dense soft tissue (HU; adipose tissue -100 to -50 HU, Schneider, Bortfeld and
  /// Schlegel 2000, Phys Med Biol 45:459, table 2).
  static constexpr double kLeastDenseSoftTissueHu = -100.0;
  /// The faintest seed: it stands this far above the tissue around it.
  static constexpr double kMinSeedContrastHu = 500.0;
  /// The least peak (absolute HU) of a seed lying in soft tissue.
  static constexpr double kMinSeedPeakHu = kLeastDenseSoftTissueHu + kMinSeedContrastHu;

  /// The longest a seed's blob can be at half its contrast (box diagonal): the 4.5 mm seed
  /// lengthened by the thickest slice profile the issue covers (5 mm) and the softest kernel's
  /// in-plane blur (1 mm sigma: 2.4 mm FWHM) at each end.
  static constexpr double kMaxSeedSpanMm = 4.5 + 5.0 + 2.0 * 2.4;
  /// The most voxels grown when following a blob at half its contrast.
  static constexpr std::size_t kMaxGrownVoxels = 20000;

  /// A blob bright enough in absolute HU to be (or hold) a seed in soft tissue.
  static bool BrightAsSeed(const MetalRegion& region);
  /// A blob the appearance may be learned from: bright as a seed, compact at half its contrast
  /// (not a bump of a larger bright structure), not a blob that kept growing.
  static bool IsSeedLike(const Volume<short>& ct, const MetalRegion& region);
  /// Whether any blob (compact or not: clusters and large objects too) is bright as a seed: when
  /// none is, the scan holds no metal the detector is meant to find.
  static bool AnyBrightAsSeed(const std::vector<MetalRegion>& regions);
  /// The blobs the scanner's appearance may be learned from: a copy with the voxels of blobs that
  /// are not seed-like removed (indices unchanged, so what the appearance names as measured is
  /// still an index of `regions`; blobs without voxels are never measured).
  static std::vector<MetalRegion> SeedLikeOnly(const Volume<short>& ct,
                                               const std::vector<MetalRegion>& regions);
};

} // namespace seedplan::imaging
