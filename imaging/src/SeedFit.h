#pragma once

#include "seedplan/core/GridGeometry.h"

#include <Eigen/Core>

#include <array>
#include <cstdint>
#include <limits>
#include <utility>
#include <vector>

namespace seedplan::imaging {

/// The forward model of a seed in a CT voxel, in HU and mm, with the scanner's appearance as
/// ScanAppearance measures it on the scan. A capsule (cylinder with hemispherical ends) whose
/// metal shows amplitudeHu where it fills a voxel; a voxel whose blurred fill is F shows
/// u = b + F (amplitudeHu - b) on its background b, then the scale's ceiling: u up to
/// ceilingHu - ceilingSoftnessHu, above it C - s exp(-(u - C + s) / s) (s = 0: clipped at C; a
/// metal-artefact-reduced image compresses metal into a soft ceiling). The blur: in plane, the
/// pixel (a box of the spacing) and a Gaussian of psfSigmaMm; across the slices, the slice
/// sensitivity profile, a box of sliceBoxMm (0: the spacing) convolved with a Gaussian of
/// sliceSigmaMm. Real profiles are close to this (Polacin, Kalender & Marchal, Radiology 185
/// (1992) 29-35: a trapezoid-like SSP, FWHM about the nominal thickness).
struct CapsuleModel {
  double lengthMm = 4.5;
  double diameterMm = 0.8;
  double amplitudeHu = 50000;
  double psfSigmaMm = 0.25;
  double sliceBoxMm = 0.0;
  double sliceSigmaMm = 0.0;
  double ceilingHu = std::numeric_limits<double>::infinity();
  double ceilingSoftnessHu = 0.0;

  /// The HU a voxel shows for a linear (unclipped) value u.
  double Saturate(double u) const;
};

/// One seed of a fit: centre in patient mm (LPS), unit long axis.
struct Capsule {
  Eigen::Vector3d centreMm = Eigen::Vector3d::Zero();
  Eigen::Vector3d axis = Eigen::Vector3d::UnitZ();
};

/// The voxels a fit looks at: a box of the CT grid (first index and size), its HU values (i
/// fastest), which of them take part (voxels of other metal are left out), the background (HU)
/// under each of them and the scale (HU) of each voxel's expected misfit (noise, and the model's
/// relative error on bright voxels): residuals are divided by it.
struct FitWindow {
  std::array<std::int64_t, 3> first{};
  std::array<std::int64_t, 3> size{};
  std::vector<float> observedHu;
  std::vector<std::uint8_t> used;
  std::vector<float> backgroundHu;
  /// How uncertain that background is (HU): the spread of the ring voxels it comes from (large
  /// where a lung or bone edge passes under the seed).
  std::vector<float> backgroundSpreadHu;
  std::vector<float> scaleHu;
  double noiseSigmaHu = 0.0; ///< the CT's noise (HU)
  /// Where a capsule's centre may lie, in window index coordinates: the metal's bounding box.
  Eigen::Vector3d centreLow = Eigen::Vector3d::Zero();
  Eigen::Vector3d centreHigh = Eigen::Vector3d::Zero();
};

/// The outcome of fitting k capsules to one window: the capsules, the robust cost (Huber of the
/// scaled residuals, dimensionless: about half a unit per voxel where the model fits) and, per
/// capsule, the 1-sigma uncertainty of the axis (radians) from the fit's curvature.
struct FitResult {
  std::vector<Capsule> capsules;
  double cost = 0.0;
  std::vector<double> axisSigmaRad;
};

/// Fits k seeds to the HU values of one window by analysis by synthesis: the predicted window is
/// the background plus the partial volume of every capsule (summed, capped at 1) times its
/// amplitude, blurred (CapsuleModel) and passed through the scale's ceiling; a saturated voxel
/// then only says "at least this much metal", which the clamped prediction honours. The fill
/// fraction of a voxel is computed analytically: the capsule is cut into thin discs along its
/// axis, each disc a blob (its own extent across the axis, the blur, a little along the axis to
/// keep the sum smooth) whose integral over the voxel's footprint (pixel box in plane, slice
/// profile across) is a product of one-dimensional integrals, one per grid axis. The cost is
/// Huber's (scale kHuberScale) of the residuals divided by each voxel's scale, so streaks weigh
/// like outliers, plus penalties where two capsules would overlap (seeds are solid) or a centre
/// leaves the metal's box, and a weak pull of each centre to the middle of the range of
/// positions across the slices that the slice profile cannot tell apart. Minimised by
/// Levenberg-Marquardt over centre (3) and axis (2 angles) of each capsule, with iteratively
/// reweighted residuals and a numerical Jacobian.
class SeedFit {
public:
  SeedFit(const GridGeometry& geometry, const FitWindow& window, const CapsuleModel& model);

  /// Levenberg-Marquardt from `start` (any number of capsules, 0 gives the background's cost),
  /// at most maxIterations iterations.
  FitResult Fit(const std::vector<Capsule>& start, int maxIterations = 40) const;
  /// Share (0-1) of the core voxels of `capsule` (its fullest ones) that show at least half the
  /// excess the model predicts there (less three times their scale), and, where the model puts
  /// them at the scale's ceiling, reach it (within a tenth of the excess and three noise sigmas:
  /// clipping is exact): a capsule fitted to a streak, to streaks over bone or to the rim of a
  /// brighter seed has no such core.
  double CoreSupport(const Capsule& capsule) const;
  /// Robust cost of the window for these capsules, unchanged.
  double Cost(const std::vector<Capsule>& capsules) const;
  /// Observed minus predicted HU per window voxel (0 where unused).
  std::vector<double> Residual(const std::vector<Capsule>& capsules) const;
  /// Predicted HU per window voxel.
  std::vector<double> Predicted(const std::vector<Capsule>& capsules) const;
  /// Scaled residuals of the used voxels (the cost's inputs), in the window's used-voxel order.
  std::vector<double> ScaledResiduals(const std::vector<Capsule>& capsules) const;
  /// Patient position (mm) of window voxel `n` (window-linear index).
  Eigen::Vector3d PointOf(std::size_t n) const;
  /// Window-linear indices of the used voxels.
  const std::vector<std::size_t>& UsedVoxels() const { return m_UsedVoxels; }
  const CapsuleModel& Model() const { return m_Model; }
  const FitWindow& Window() const { return m_Window; }
  const GridGeometry& Geometry() const { return m_Geometry; }
  /// The interval (continuous slice index, low and high) between consecutive edges of the slice
  /// profiles' boxes that holds `q`: metal wholly inside it looks the same wherever it lies there.
  std::pair<double, double> SliceCell(double q) const;
  /// Huber's rho at the fit's scale (for costs summed elsewhere).
  static double Rho(double scaledResidual);

private:
  /// A box of window voxels (inclusive), empty until something is added.
  struct VoxelBox {
    std::array<std::int64_t, 3> low{0, 0, 0};
    std::array<std::int64_t, 3> high{-1, -1, -1};
    bool Empty() const { return high[0] < low[0]; }
    void Add(const VoxelBox& other);
  };
  /// Adds one capsule's fill fraction to `field` (window-sized); the voxels it touched to `box`.
  void Splat(const Capsule& capsule, std::vector<double>& field, VoxelBox* box = nullptr) const;
  /// Predicted HU of window voxel n for a summed fill.
  double PredictedAt(std::size_t n, double fill) const;
  /// Scaled residuals (observed - predicted) / scale of the used voxels for the summed fill.
  void Residuals(const std::vector<double>& fill, std::vector<double>& residuals) const;
  /// Penalties (scaled-residual-like): overlap of every pair of capsules, the pull of each
  /// centre across the slices, centres outside the metal's box.
  void Penalties(const std::vector<Capsule>& capsules, std::vector<double>& penalties) const;
  /// Where, across the slices (continuous index), a centre at `q` is pulled: the middle of its
  /// SliceCell.
  double SliceTarget(double q) const;

  const GridGeometry& m_Geometry;
  const FitWindow& m_Window;
  CapsuleModel m_Model;
  std::vector<std::size_t> m_UsedVoxels;
  /// Robust cost of each voxel with no seed (0 where unused), and their sum: a cost only
  /// revisits the voxels a capsule touches.
  std::vector<double> m_NullRho;
  double m_NullCost = 0.0;
  /// Disc positions along the axis (mm from the centre), volumes (mm^3) and radii (mm).
  std::vector<double> m_DiscT;
  std::vector<double> m_DiscVolume;
  std::vector<double> m_DiscRadius;
  double m_DiscStepMm = 0.0;
  double m_SliceBoxMm = 0.0;
};

} // namespace seedplan::imaging
