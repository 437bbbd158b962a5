#pragma once

#include "seedplan/core/GridGeometry.h"
#include "seedplan/core/Volume.h"

#include <Eigen/Core>

#include <optional>
#include <string>
#include <vector>

namespace seedplan::imaging::testing {

/// How a scanner stores HU: the stored integer range, rescale slope and intercept. Each changes
/// where metal clips and how finely values are quantised; the loader then clamps HU to a short.
enum class HuScale {
  TwelveBit,             ///< stored 0..4095, intercept -1024: metal clips at 3071 HU
  SignedIntercept1024,   ///< stored int16, intercept -1024: clips at 31743 HU
  UnsignedIntercept8192, ///< stored uint16, intercept -8192: clips at 32767 HU (the loader's short)
  Slope10,               ///< stored int16 x 10, intercept -1024: 10 HU steps, clips at 32767 HU
};

/// A scanner's behaviour, independent of seedplan's SeedRenderer: a point-sampled 3D point spread
/// (Gaussian in plane; slice sensitivity profile = box of the nominal thickness convolved with a
/// Gaussian), beam-hardening streaks as lines and dark bands, correlated noise, optional metal
/// artefact reduction, and the HU scale's clipping and quantisation.
struct ScannerModel {
  /// HU of a voxel wholly inside a capsule (its effective linear attenuation, beam hardening
  /// included): 8 000 (resin/ceramic markers, high kV) to 100 000 (gold or tungsten markers).
  double metalHu = 30000.0;
  double inPlaneSigmaMm = 0.5;    ///< reconstruction kernel (0.3 sharp ... 1.0 soft)
  double sliceThicknessMm = 2.0;  ///< nominal slice thickness (box of the profile)
  double sliceEdgeSigmaMm = 0.25; ///< Gaussian softening of the profile's edges
  HuScale scale = HuScale::TwelveBit;
  /// Metal-artefact-reduced reconstruction: metal excess over its surroundings compressed so that
  /// no metal voxel exceeds this HU; streaks are mostly removed.
  std::optional<double> marCapHu;
  bool marHardCap = false; ///< MAR variant that clips instead of compressing smoothly
  /// Streak amplitude (HU) 1 mm from a seed lying in the slice; decays as 8 / (8 + r mm).
  double streakHu = 300.0;
  /// When true, streaks scale with the metal's attenuation (relative to 30 000 HU, between 0.3
  /// and 1): weakly attenuating seeds harden the beam less.
  bool streaksScaleWithMetal = true;
  double noiseSigmaHu = 15.0;
  bool correlatedNoise = true; ///< noise smoothed in plane (as a reconstruction kernel does)
  unsigned randomSeed = 1;
};

/// A block of bone (HU) as a box in patient mm; a cortical shell of `shellMm` (0: solid) around
/// trabecular bone of `innerHu`.
struct BoneBlock {
  Eigen::Vector3d lowMm;
  Eigen::Vector3d highMm;
  double hu = 1900.0;
  double shellMm = 0.0;
  double innerHu = 400.0;
};

/// A metal cylinder (needle, wire) or a box (plate, prosthesis part), in patient mm.
struct MetalRod {
  Eigen::Vector3d startMm;
  Eigen::Vector3d endMm;
  double radiusMm = 0.6;
};

/// A seed: capsule of length x diameter centred at positionMm along a unit axis.
struct SimSeed {
  Eigen::Vector3d positionMm;
  Eigen::Vector3d axis;
};

/// What is scanned: tissue with a lung region and texture, bone blocks, seeds and rods.
struct Scene {
  double softTissueHu = 40.0;
  /// Lung (HU) where y > lungFromYMm (posterior), if set.
  std::optional<double> lungFromYMm;
  double lungHu = -850.0;
  double textureHu = 20.0; ///< amplitude of a smooth texture over the tissue
  std::vector<BoneBlock> bones;
  std::vector<SimSeed> seeds;
  std::vector<MetalRod> rods;
  double seedLengthMm = 4.5;
  double seedDiameterMm = 0.8;
};

/// Renders scenes as a scanner would show them (HU after the scale's clipping, as the CT loader
/// hands them to seedplan). Written for the tests, with its own scanner model: it shares no code
/// with SeedRenderer or the detector's forward model.
class ScannerSimulator {
public:
  static Volume<short> Scan(const GridGeometry& geometry, const Scene& scene,
                            const ScannerModel& scanner);
  /// Tissue HU (no metal, no blur) at a point.
  static double TissueHu(const Scene& scene, const Eigen::Vector3d& pointMm);
  /// How far seed `index` stands above the tissue around it: the highest voxel of that seed
  /// alone (no noise, streaks or other metal) minus the tissue at its centre, after MAR and the
  /// scale's clipping.
  static double PeakContrastHu(const GridGeometry& geometry, const Scene& scene,
                               const ScannerModel& scanner, std::size_t index);
  /// The HU range of a scale (lowest, highest) and its quantisation step.
  static void ScaleLimits(HuScale scale, double& lowestHu, double& highestHu, double& stepHu);
  static std::string Describe(const ScannerModel& scanner);
};

} // namespace seedplan::imaging::testing
