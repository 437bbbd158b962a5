#pragma once

#include "seedplan/core/GridGeometry.h"

#include <Eigen/Core>

#include <array>
#include <cstdint>
#include <vector>

/// The fixed-appearance capsule fit of ThresholdSeedDetector (the project's first detector), kept
/// apart from the learned detector's ThresholdSeedFit.
namespace seedplan::imaging::threshold {

/// The forward model of a seed in a CT voxel, in HU and mm: a capsule (cylinder with hemispherical
/// ends) of attenuation attenuationHu on a background b; a voxel a fraction F inside the capsule,
/// after the in-plane point spread of the reconstruction (Gaussian, psfSigmaMm), shows
/// (1 - F) b + F attenuationHu clamped to [floorHu, ceilingHu] (the scanner's scale).
struct CapsuleModel {
  double lengthMm = 4.5;
  double diameterMm = 0.8;
  double attenuationHu = 50000;
  double psfSigmaMm = 0.25;
  double floorHu = -1024;
  double ceilingHu = 3071;
};

/// One seed of a fit: centre in patient mm (LPS), unit long axis.
struct Capsule {
  Eigen::Vector3d centreMm = Eigen::Vector3d::Zero();
  Eigen::Vector3d axis = Eigen::Vector3d::UnitZ();
};

/// The voxels a fit looks at: a box of the CT grid (first index and size), its HU values (i
/// fastest), which of them take part (voxels of other metal are left out) and the background
/// (HU) under each of them.
struct FitWindow {
  std::array<std::int64_t, 3> first{};
  std::array<std::int64_t, 3> size{};
  std::vector<float> observedHu;
  std::vector<std::uint8_t> used;
  std::vector<float> backgroundHu;
  /// Where a capsule's centre may lie, in window index coordinates: the metal's bounding box.
  Eigen::Vector3d centreLow = Eigen::Vector3d::Zero();
  Eigen::Vector3d centreHigh = Eigen::Vector3d::Zero();
};

/// The outcome of fitting k capsules to one window: the capsules, the robust cost (Huber, HU^2)
/// and, per capsule, the 1-sigma uncertainty of the axis (radians) from the fit's curvature.
struct FitResult {
  std::vector<Capsule> capsules;
  double cost = 0.0;
  std::vector<double> axisSigmaRad;
};

/// Fits k seeds to the HU values of one window by analysis by synthesis: the predicted window is
/// the background plus the partial volume of every capsule (summed, capped at 1) times its
/// attenuation, blurred in plane and clamped at the scanner's ceiling; a saturated voxel then only
/// says "at least this much metal", which the clamped prediction honours. The fill fraction of a
/// voxel is computed analytically: the capsule is cut into thin discs along its axis, each disc a
/// Gaussian blob (its own spread across the axis, the PSF in the i-j plane, a little along the
/// axis to keep the sum smooth) whose integral over the voxel box is a product of error
/// functions, one per grid axis. The cost is Huber's (scale kHuberScaleHu) of observed minus
/// predicted HU, so streaks (hundreds of HU) weigh like outliers, plus a penalty where two
/// capsules would overlap (seeds are solid). Minimised by Levenberg-Marquardt over centre (3) and
/// axis (2 angles) of each capsule, with iteratively reweighted residuals and a numerical
/// Jacobian; a few hundred model evaluations per fit.
class ThresholdSeedFit {
public:
  ThresholdSeedFit(const GridGeometry& geometry, const FitWindow& window,
                   const CapsuleModel& model);

  /// Levenberg-Marquardt from `start` (any number of capsules, 0 gives the background's cost).
  FitResult Fit(const std::vector<Capsule>& start) const;
  /// Share (0-1) of the core voxels of `capsule` (the fullest ones) that the image shows about as
  /// bright as their metal would make them (saturated, on a clipping scanner): a capsule fitted
  /// to a streak over dense bone, which only just crosses the metal threshold, has no such core.
  double CoreSupport(const Capsule& capsule) const;
  /// Robust cost of the window for these capsules, unchanged.
  double Cost(const std::vector<Capsule>& capsules) const;
  /// Observed minus predicted HU per window voxel (0 where unused).
  std::vector<double> Residual(const std::vector<Capsule>& capsules) const;
  /// Patient position (mm) of window voxel `n` (window-linear index).
  Eigen::Vector3d PointOf(std::size_t n) const;

private:
  /// Adds one capsule's fill fraction to `field` (window-sized).
  void Splat(const Capsule& capsule, std::vector<double>& field) const;
  /// Residuals (observed - predicted) of the used voxels for the summed fill `fill`.
  void Residuals(const std::vector<double>& fill, std::vector<double>& residuals) const;
  /// Penalties (HU-like residuals): overlap of every pair of capsules, the pull of each centre
  /// to the middle of its slice, centres outside the metal's box.
  void Penalties(const std::vector<Capsule>& capsules, std::vector<double>& penalties) const;
  double RobustCost(const std::vector<double>& residuals,
                    const std::vector<double>& penalties) const;

  const GridGeometry& m_Geometry;
  const FitWindow& m_Window;
  CapsuleModel m_Model;
  std::vector<std::size_t> m_UsedVoxels;
  /// Disc positions along the axis (mm from the centre), volumes (mm^3) and radii (mm).
  std::vector<double> m_DiscT;
  std::vector<double> m_DiscVolume;
  std::vector<double> m_DiscRadius;
  double m_DiscStepMm = 0.0;
};

} // namespace seedplan::imaging::threshold
