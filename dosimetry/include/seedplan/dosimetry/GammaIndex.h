#pragma once

#include "seedplan/core/Volume.h"

#include <Eigen/Core>
#include <cstdint>
#include <vector>

namespace seedplan::dosimetry {

/// How two dose distributions are compared by the gamma index.
struct GammaOptions {
  /// Dose-difference criterion as a fraction of normalisationDoseGy (global normalisation): 2 %.
  double doseDifferenceFraction = 0.02;
  /// Distance-to-agreement criterion, mm.
  double distanceToAgreementMm = 2.0;
  /// The dose the dose difference is a fraction of (e.g. the highest prescription), Gy; > 0.
  double normalisationDoseGy = 0.0;
  /// Reference points below this fraction of normalisationDoseGy are not evaluated.
  double lowDoseThresholdFraction = 0.10;
  /// Reference points within excludedRadiusMm of any of these points are not evaluated (the
  /// inside of a seed, where TG-43 defines no dose).
  std::vector<Eigen::Vector3d> excludedCentresMm;
  double excludedRadiusMm = 0.0;
  /// The search stops at gamma = maxGamma (radius maxGamma x distanceToAgreementMm); larger
  /// gammas are reported as maxGamma.
  double maxGamma = 2.0;
  /// Search step = distanceToAgreementMm / stepsPerDistance (Wendling et al. 2007: a tenth of the
  /// DTA keeps the gamma error below a few hundredths).
  int stepsPerDistance = 10;
};

/// What the gamma comparison found.
struct GammaResult {
  std::int64_t evaluatedPoints = 0;      ///< reference points compared
  std::int64_t passedPoints = 0;         ///< with gamma <= 1
  std::int64_t belowThresholdPoints = 0; ///< excluded: reference dose below the threshold
  std::int64_t nearExcludedPoints = 0;   ///< excluded: within the radius of an excluded centre
  double passRatePct = 0.0;              ///< 100 x passed / evaluated (0 when none evaluated)
  double meanGamma = 0.0;                ///< gammas above maxGamma count as maxGamma
  double maxGamma = 0.0;
};

/// The 3D gamma index (Low, Harms, Mutic and Purdy, Med Phys 25:656, 1998, Eq. 4-6) of an
/// evaluated dose against a reference dose on the same grid:
///   Γ(r_r, r_e) = sqrt(|r_e - r_r|² / Δd² + (D_e(r_e) - D_r(r_r))² / ΔD²),
///   γ(r_r) = min over r_e of Γ,
/// with ΔD = doseDifferenceFraction x normalisationDoseGy (global) and Δd the DTA. Every voxel
/// centre r_r of the reference grid with D_r >= lowDoseThresholdFraction x normalisationDoseGy and
/// outside the excluded spheres is a reference point. The evaluated distribution is sampled by
/// trilinear interpolation at r_r + o for the offsets o of a cubic lattice of step Δd /
/// stepsPerDistance inside the sphere of radius maxGamma x Δd, visited in order of |o| and
/// stopped as soon as |o|/Δd exceeds the smallest Γ found (Wendling et al., Med Phys 34:1647,
/// 2007); offsets that fall outside the evaluated grid's voxel centres are skipped. Parallel over
/// slices (OpenMP); exceptions are rethrown after the parallel region.
class GammaIndex {
public:
  /// Throws InvalidInput if the grids differ (GridGeometry::SameAs), a criterion or the
  /// normalisation dose is not positive and finite, maxGamma < 1, stepsPerDistance < 1, or the
  /// search lattice would exceed 10^6 offsets.
  static GammaResult Compute(const Volume<float>& reference, const Volume<float>& evaluated,
                             const GammaOptions& options);
};

} // namespace seedplan::dosimetry
