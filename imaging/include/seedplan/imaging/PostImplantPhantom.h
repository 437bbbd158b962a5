#pragma once

#include "seedplan/core/GridGeometry.h"
#include "seedplan/core/Seed.h"
#include "seedplan/core/Volume.h"
#include "seedplan/imaging/ThoraxPhantom.h"

#include <Eigen/Core>
#include <vector>

namespace seedplan::imaging {

/// The post-implant CT of the sample patient and the truth it was made from.
struct PostImplantScan {
  Volume<short> ct; ///< HU on the post-implant grid, seeds drawn in
  /// Where the patient lies in the post-implant scan: x_post = planningToPost * x_planning
  /// (homogeneous, mm, rigid).
  Eigen::Matrix4d planningToPost = Eigen::Matrix4d::Identity();
  std::vector<Seed> seedsInPlanningFrame; ///< the implanted seeds (truth), planning coordinates
  std::vector<Seed> seedsInPostFrame;     ///< the same seeds where the post-implant CT shows them
};

/// PostImplantPhantom: the sample patient "scanned again" after the implant (issue 3). The same
/// analytic anatomy as ThoraxPhantom, lying slightly differently on the couch — a known rigid
/// transform (PlanningToPost: rotation 2.5 degrees about z then 1 degree about x, then a shift of
/// (4, -3, 6) mm; the size of a repositioning error between two CT sessions) — sampled on its own
/// grid (same spacing, 72 slices, origin offset by a fraction of a voxel from the planning grid,
/// so that no voxel centre coincides), with fresh scanner noise, and the implanted seeds drawn in
/// by SeedRenderer (metal with partial volume, blooming and streaks). Units: mm, HU.
class PostImplantPhantom {
public:
  /// The post-implant scan of `planning`'s patient with `implantedSeedsPlanningFrame` (planning
  /// coordinates; e.g. DeviatedSeeds(planning.sampleSeeds)). Only the planning CT's spacing is
  /// taken from `planning` (the anatomy is analytic); `options` gives the noise (its random seed
  /// + 1, so that the two scans have different noise).
  static PostImplantScan Generate(const PhantomCase& planning,
                                  const std::vector<Seed>& implantedSeedsPlanningFrame,
                                  const ThoraxPhantomOptions& options = {});

  /// x_post = PlanningToPost() * x_planning (homogeneous, mm).
  static Eigen::Matrix4d PlanningToPost();

  /// The post-implant grid for a planning grid spacing.
  static GridGeometry PostGeometry(const Eigen::Vector3d& spacingMm);

  /// Seeds where real needles put them: every needle (seeds sharing Seed::needle; a seed without
  /// one is its own needle) is displaced as a whole by a deterministic offset of 1 to 4 mm in a
  /// pseudo-random direction drawn from `randomSeed` and the needle's rank — needles deviate by a
  /// few millimetres in tissue (issue 4: post-implant D90 differs from the plan because of it).
  static std::vector<Seed> DeviatedSeeds(const std::vector<Seed>& planned,
                                         unsigned randomSeed = 20261129);

  static constexpr double kMinNeedleDeviationMm = 1.0;
  static constexpr double kMaxNeedleDeviationMm = 4.0;
};

} // namespace seedplan::imaging
