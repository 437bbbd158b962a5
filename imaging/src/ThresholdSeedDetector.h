#pragma once

#include "seedplan/imaging/SeedDetector.h"

namespace seedplan::imaging {

/// The project's first seed detector (SeedDetectionMethod::Threshold): metal above a fixed HU
/// threshold grown from saturated cores, capsules of a fixed appearance (attenuation, in-plane
/// point spread, no blur across the slices) fitted by analysis by synthesis, clusters split when
/// k + 1 seeds leave at most 80 % of the cost of k. Exact on scans like SeedRenderer's (12-bit,
/// ~50 000 HU metal, sharp kernels); it does not adapt to other scanners (issue 11), which is
/// what SeedDetectionMethod::Learned is for. Steps, and why:
/// 1. Metal threshold (options.thresholdHu): only the metal and small windows around it are
///    looked at afterwards, which keeps a 512x512x100 CT near a second. The CT's highest value,
///    when several voxels share it, is the scanner's ceiling (saturation).
/// 2. Components grow from seed cores (26-connected voxels of at least 2800 HU: a voxel ~6 %
///    seed reaches that, dense bone of ~1900 HU plus a streak of <= ~750 HU does not) and take
///    the metal voxels touching a core; streak lines over bone that cross the threshold neither
///    form components nor join a seed's.
/// 3. A window per component: its bounding box plus 3 pixels in plane and 1 slice across, less
///    the voxels next to other metal; the background under each voxel is the voxel itself on the
///    window's ring and the median of the 8 nearest ring voxels of its slice inside (a lung edge
///    stays an edge, streaks and noise are medianed out).
/// 4. k seeds fitted in the window (SeedFit): every voxel's HU is predicted from the capsules'
///    partial volume times options.seedAttenuationHu on the background, blurred in plane by
///    options.psfFwhmMm and clamped at the ceiling (a saturated voxel says "at least this much
///    metal"); centres and axes minimise a robust (Huber) misfit, seeds may not overlap. The
///    sub-threshold partial-volume voxels at the rim and the tips pin the centre, across the
///    slices too, where a thresholded blob cannot. A seed lying flat wholly inside one slice
///    looks the same anywhere across that slice (a box slice profile): a weak pull puts it in
///    the slice's middle, which bounds that error by (slice - its thickness) / 2.
///    Starts: k = 1 from the 3 best of 64 axes x 3 offsets across the slices (cost only) and the
///    blob's principal axis; k + 1 from the k fit plus a seed where metal is left unexplained
///    (its axis scanned likewise), and from the best 2 of weighted k-means and equal slabs along
///    each principal axis; the lowest cost wins.
/// 5. Choosing k: k + 1 seeds are accepted when they leave at most 80 % of the robust cost of k
///    and every fitted seed has a saturated metal core (SeedFit::CoreSupport); before that, the
///    k fit is retried from the k + 1 fit minus each seed. A lone seed's second capsule has
///    nowhere to go (>= 98 % left); one fitted to streaks over bone has no core. At most 4 seeds
///    per component; fitted seeds without a core are dropped (noted).
/// 6. With expectedCount, a mismatch of the total is resolved on the closest calls only: one seed
///    more where the fit with it left the least of the cost (at most 80 %), one fewer where the
///    last accepted seed left the most; what remains is reported ("expected N, found M"), never
///    filled with invented seeds.
/// 7. Direction: the fitted axis, reported when its 1-sigma uncertainty from the fit's curvature
///    is below 15 degrees (F(r, theta) of a 6711 changes a few percent over that), otherwise
///    std::nullopt (1D dosimetry). Confidence: the share of the window's robust misfit that the
///    fit explains, x0.9 for seeds of a split cluster and x0.8 without a direction; a ranking,
///    not a probability.
class ThresholdSeedDetector {
public:
  /// Above the densest tissue (cortical bone ~1500-1900 HU) and well below a 12-bit scanner's
  /// saturation (3071 HU): a voxel needs only ~8 % silver-cored seed inside to cross it.
  static constexpr double kDefaultThresholdHu = 2000.0;
  /// Silver rod in titanium at ~70 keV with beam hardening (SeedRenderOptions explains it).
  static constexpr double kDefaultAttenuationHu = 50000.0;
  /// A standard reconstruction kernel's in-plane point spread (FWHM, mm).
  static constexpr double kDefaultPsfFwhmMm = 0.6;

  static SeedDetectionReport Detect(const Volume<short>& ct, const SeedDetectionOptions& options);
};

} // namespace seedplan::imaging
