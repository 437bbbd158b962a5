#pragma once

#include "SeedCandidateFinder.h"
#include "SeedFit.h"

#include "seedplan/core/Volume.h"
#include "seedplan/imaging/SeedDetector.h"

#include <optional>
#include <unordered_map>
#include <vector>

namespace seedplan::imaging {

/// What a seed looks like on this scan, measured from its clearest isolated seeds: the capsule
/// model's amplitude, in-plane and through-plane spread and the scale's ceiling (clipped,
/// compressed or none), the noise and the model's relative error, and the figures the detector
/// compares other blobs with.
struct LearnedAppearance {
  CapsuleModel model;
  ScannerAppearance summary;
  double modelError = 0.15; ///< misfit share of a voxel's excess the model leaves (0-1)
  /// The share used to weigh residuals (ScanAppearance explains why it is bounded).
  double weightingError = 0.1;
  double typicalPeakHu = 0;     ///< median peak of the measured seeds
  double typicalContrastHu = 0; ///< median peak above the local background
  double typicalExcessSum = 0;  ///< median sum of excess (HU x voxels) of one seed's window
  double typicalRegionVoxels = 0;
  double bloomMm = 0;       ///< how much longer than a seed its blob is (both ends together)
  double typicalSpanMm = 0; ///< the largest box diagonal of the measured seeds' blobs
  /// The faintest peak (HU above the background) a seed can show on this scanner, over
  /// orientations and positions within a voxel: a blob fainter than this is no seed.
  double faintestPeakHu = 0;
  /// The same on other backgrounds (HU, ascending): (background, faintest peak excess).
  std::vector<std::pair<double, double>> faintestByBackground;

  /// The faintest peak excess on a background of backgroundHu (interpolated).
  double FaintestPeakOn(double backgroundHu) const;
  std::vector<int> measured; ///< region indices the appearance was measured on
  std::vector<std::string> notes;
};

/// Measures the scanner's appearance of seeds on the scan itself (nothing assumed about the
/// scanner but the capsule's size): from up to kMaxSeeds clearest isolated blobs of about one
/// seed's size, a joint fit of their poses and the shared appearance (amplitude, in-plane sigma,
/// slice-profile box and sigma, ceiling and softness), alternating Levenberg-Marquardt over the
/// poses (SeedFit) and over the shared parameters. Three ceiling families are fitted and the one
/// with the lowest cost plus a per-parameter penalty (Schwarz's criterion) kept: none (extended
/// scales), clipped at the highest value the seeds share (12-bit, 16-bit), and compressed into a
/// soft ceiling (metal-artefact reduction). Overrides fix the amplitude or the in-plane spread.
class ScanAppearance {
public:
  static constexpr int kMaxSeeds = 8;

  /// The faintest peak excess (HU) of one capsule of `model` on a background of backgroundHu:
  /// the lowest, over axes along and across the grid and sub-voxel positions, of its brightest
  /// voxel.
  static double FaintestPeakHu(const GridGeometry& geometry, const CapsuleModel& model,
                               double backgroundHu);
  static LearnedAppearance Learn(const Volume<short>& ct, const std::vector<MetalRegion>& regions,
                                 const std::unordered_map<std::int64_t, int>& regionOf,
                                 double noiseSigmaHu, const SeedDetectionOptions& options);
};

} // namespace seedplan::imaging
