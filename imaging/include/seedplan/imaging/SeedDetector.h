#pragma once

#include "seedplan/core/Seed.h"
#include "seedplan/core/Volume.h"

#include <Eigen/Core>

#include <optional>
#include <string>
#include <vector>

namespace seedplan::imaging {

/// What SeedDetector looks for. Lengths in mm, HU. Only the seed's size is assumed; how the
/// scanner shows it (amplitude, spread, ceiling) is measured on the scan unless overridden here.
struct SeedDetectionOptions {
  /// Override (--threshold-hu): seeds are sought only at local maxima of at least this HU,
  /// instead of maxima standing clearly above their local background (the default, which works
  /// on any scale and in metal-artefact-reduced images).
  std::optional<double> thresholdHu;
  /// The number of seeds the physicist implanted, when known (>= 1): the fit's evidence decides
  /// which blobs hold one seed more or fewer to reach it; it never makes the detector invent a
  /// seed the scan does not support, nor drop one the scan shows beyond doubt.
  std::optional<int> expectedCount;
  double seedLengthMm = 4.5;   ///< overall capsule length (6711)
  double seedDiameterMm = 0.8; ///< capsule diameter (6711)
  /// Override: HU of a voxel wholly inside a seed (measured on the scan otherwise).
  std::optional<double> seedAttenuationHu;
  /// Override: in-plane Gaussian point spread (FWHM, mm) beyond the pixel (measured on the scan
  /// otherwise).
  std::optional<double> psfFwhmMm;
};

/// What the detector measured about (or, without a seed to measure, assumed of) the scanner.
struct ScannerAppearance {
  int seedsMeasured = 0; ///< isolated seeds the appearance was measured on (0: defaults)
  /// HU of a voxel wholly inside a seed: its effective attenuation on this scan.
  double amplitudeHu = 0.0;
  /// The metal saturates: the amplitude is seen only through the partial-volume rim.
  bool amplitudeIsLowerBound = false;
  double psfSigmaMm = 0.0;    ///< in-plane Gaussian beyond the pixel box
  double inPlaneFwhmMm = 0.0; ///< in-plane point spread, pixel included
  double sliceBoxMm = 0.0;    ///< slice sensitivity profile: box ...
  double sliceSigmaMm = 0.0;  ///< ... convolved with a Gaussian
  double sliceProfileFwhmMm = 0.0;
  /// The highest HU the scale or reconstruction lets metal reach, if any (12-bit: 3071).
  std::optional<double> ceilingHu;
  /// 0: clipped at the ceiling; > 0: compressed into it over this many HU (metal artefact
  /// reduction).
  double ceilingSoftnessHu = 0.0;
  double noiseSigmaHu = 0.0;
  double modelErrorShare = 0.0;   ///< the forward model's relative misfit on bright voxels
  double typicalContrastHu = 0.0; ///< a seed's peak above its local background (median)
};

/// A large metal object (prosthesis, clips, a needle left in) excluded from the seeds: its box
/// in patient mm (LPS), its length and its metal in units of one seed's.
struct ExcludedMetalObject {
  Eigen::Vector3d lowMm = Eigen::Vector3d::Zero();
  Eigen::Vector3d highMm = Eigen::Vector3d::Zero();
  double lengthMm = 0.0;
  double seedEquivalents = 0.0;
};

/// The seeds found and what the physicist should know about how they were found.
struct SeedDetectionReport {
  /// Position (patient mm, LPS), direction (unit principal axis, std::nullopt where the fit does
  /// not pin it), confidence in [0, 1]; strength and model are left for the caller to fill.
  std::vector<Seed> seeds;
  /// Warnings: large metal objects excluded, count mismatches, no seeds.
  std::vector<std::string> notes;
  /// What was measured or assumed about the scanner, and which seeds are doubtful (one line
  /// each, for a log).
  std::vector<std::string> summary;
  ScannerAppearance appearance;
  /// Indices into `seeds` of the doubtful ones (low confidence, or counted only to reach the
  /// expected count).
  std::vector<std::size_t> doubtful;
  std::vector<ExcludedMetalObject> excludedObjects;
};

/// Finds implanted seeds on a post-implant CT (HU) of any scanner: it learns how this scan shows
/// them, then fits. (The project's first detector, a fixed 2000 HU threshold with SeedRenderer's
/// appearance of 50 000 HU metal, 0.6 mm blur, no blur across the slices and a 3071 HU ceiling
/// assumed, found 42 % of the seeds on other scanners' scans and was removed: issue 11.) Steps,
/// and why:
/// 1. Noise (LocalBackground::NoiseSigma) and candidates (SeedCandidateFinder): local maxima that
///    stand above a ring 6 mm around them by >= 250 HU and >= 7 noise sigmas, each grown into
///    its blob at a level between peak and ring (raised when it runs into bone or streaks);
///    touching blobs merge. Nothing is assumed about the HU a seed reaches: a compressed 1200 HU
///    seed of a metal-artefact-reduced image and a 20 000 HU one of an extended scale are found
///    alike.
/// 2. Appearance (ScanAppearance): amplitude, in-plane spread, slice profile and ceiling fitted
///    jointly on the clearest isolated seeds, and the model's relative error.
/// 3. Blobs growing beyond 22 mm, or whose metal is longer than 15 mm (blooming discounted) or
///    holds more than 5 seeds' metal, are large metal objects when as bright as the seeds
///    (excluded, with a note naming their extent) and anatomy otherwise (ignored).
/// 4. Each remaining blob (blobs within the blur's reach fitted together) gets 0, 1, 2, ...
///    seeds by model selection (ClusterSplitter): a seed counts when it lowers the robust cost
///    (residuals over noise and model error) by more than kPenaltyPerSeed and has a metal core
///    and metal of its own.
/// 5. With expectedCount, seeds are added where the next seed lowers the cost most (any
///    evidence, a metal core required) or removed where the last one lowers it least (only
///    while that is below kMaxRemovableEvidence): the fits' own evidence, not a blob's order.
/// 6. Per seed: direction when its 1-sigma uncertainty is below 15 degrees; confidence from its
///    evidence (1 - exp(-evidence / 3 penalties)), x0.9 in a split cluster, x0.85 without a
///    direction, x0.6 when counted only for the expected count; doubtful below 0.5, or when the
///    expected count kept or merged it. The summary says what was measured about the scanner,
///    which seeds are doubtful, and where a seed the scan shows was left out for the count.
/// Throws InvalidInput for an empty CT or options that make no sense.
class SeedDetector {
public:
  static SeedDetectionReport Detect(const Volume<short>& ct,
                                    const SeedDetectionOptions& options = {});
};

} // namespace seedplan::imaging
