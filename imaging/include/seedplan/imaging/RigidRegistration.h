#pragma once

#include "seedplan/core/Volume.h"

#include <Eigen/Core>
#include <optional>
#include <string>

namespace seedplan::imaging {

/// An axis-aligned box in the fixed CT's patient coordinates (LPS, mm).
struct RegionOfInterestMm {
  Eigen::Vector3d minimumMm = Eigen::Vector3d::Zero();
  Eigen::Vector3d maximumMm = Eigen::Vector3d::Zero();
};

/// Where the optimisation starts. Every start puts the centre of rotation at the centre of the
/// (cropped) fixed CT.
enum class RigidInitialisation {
  /// The moving CT's grid centre onto the fixed CT's (no rotation). Off by half the difference of
  /// the z ranges when the two scans cover different lengths: fine within the capture range of the
  /// coarsest level (~ 2 cm).
  Geometry,
  /// The moving CT's centre of mass (HU + 1000) onto the fixed CT's: for CTs whose coordinates are
  /// unrelated but that cover the same anatomy.
  Moments,
  /// No move: for two scans in the same couch coordinates (same scanner, same frame of reference).
  Identity
};

/// How RigidRegistration works; the defaults suit two CTs of the same patient (thorax, abdomen).
struct RigidRegistrationOptions {
  /// Only this part of the fixed CT is compared (e.g. a box of 5-10 cm around the implanted lesion,
  /// where the alignment matters and the anatomy moves least with breathing); none = the whole CT.
  std::optional<RegionOfInterestMm> regionOfInterest;
  /// Fixed voxels below this are air around the body (lung parenchyma is -700 to -900 HU): not
  /// sampled, they carry noise and no anatomy.
  double airThresholdHu = -950;
  /// Metal (seeds, clips) in either CT: set to `metalReplacementHu` (soft tissue) before smoothing,
  /// and voxels within `metalMarginMm` of it are not compared, so that seeds, their blooming and
  /// the worst of their streaks do not pull the alignment.
  double metalThresholdHu = 2000;
  double metalReplacementHu = 40;
  double metalMarginMm = 3.0;
  /// The finest level's voxel size (mm): both CTs are first averaged over blocks of whole voxels to
  /// about this size (0.9 mm pixels -> 2 x 2 blocks); each coarser level doubles it.
  double finestSpacingMm = 2.0;
  int levels = 3;
  /// Random sample points (inside the body, outside metal) per level: sets the time, not the image.
  int samplesPerLevel = 60000;
  int maxIterationsPerLevel = 200;
  RigidInitialisation initialisation = RigidInitialisation::Geometry;
  /// Run the finest level again from the result with other sample points, for residualMm.
  bool estimateResidual = true;
  int randomSeed = 20261201;
};

/// What RigidRegistration found.
struct RigidRegistrationResult {
  /// x_fixed = movingToFixed * x_moving (homogeneous, mm, LPS; a rotation and a translation).
  Eigen::Matrix4d movingToFixed = Eigen::Matrix4d::Identity();
  /// Mean squared HU difference over the finest level's sample points (smaller is better).
  double finalMetric = 0.0;
  /// Consistency residual (mm): the RMS distance, over the compared fixed voxels, between where the
  /// result maps them and where a second run of the finest level (started from the result, with
  /// other random sample points) maps them. It measures how well the optimum is pinned down by the
  /// images, not the error against a truth nobody knows; NaN when options.estimateResidual is off.
  double residualMm = 0.0;
  /// Mean absolute HU difference over the compared fixed voxels after registration (both CTs
  /// averaged to the finest level's voxels, metal excluded): noise plus whatever does not align.
  double meanAbsoluteHuDifference = 0.0;
  int iterations = 0; ///< optimiser iterations summed over the levels
  std::string description;
};

/// RigidRegistration: aligns a moving CT (e.g. the post-implant CT) to a fixed CT (the planning CT)
/// of the same patient with a rigid transform, so that what is found on the moving CT (seeds) can
/// be evaluated on the fixed CT's structures. ITK v4 registration: VersorRigid3DTransform, mean
/// squares on HU (same modality and calibration), regular-step gradient descent with parameter
/// scales from physical shifts, `levels` resolutions (block-averaged to finestSpacingMm, then
/// shrunk by 2 per level with a Gaussian of half the level's voxel size), random sample points
/// inside the body; metal clamped and masked (see RigidRegistrationOptions). Units: mm, HU. On the
/// sample patient (384 x 288 x 80 vs 72 slices) it takes a few seconds on two cores. Throws
/// InvalidInput for an empty CT, a bad grid, options that make no sense, a region of interest
/// outside the fixed CT, or CTs that ITK cannot align (no overlap).
class RigidRegistration {
public:
  static RigidRegistrationResult Register(const Volume<short>& fixedCt,
                                          const Volume<short>& movingCt,
                                          const RigidRegistrationOptions& options = {});
};

} // namespace seedplan::imaging
