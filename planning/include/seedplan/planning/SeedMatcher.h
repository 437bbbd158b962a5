#pragma once

#include "seedplan/core/Seed.h"

#include <Eigen/Core>
#include <vector>

namespace seedplan::planning {

/// One planned seed and the detected seed matched to it.
struct SeedMatch {
  int plannedIndex = -1;
  int detectedIndex = -1; ///< -1 if no detected seed is matched to this planned seed
  /// |detected - planned| (mm); NaN when unmatched.
  double displacementMm = 0.0;
  /// detected - planned (mm, LPS, planning frame); NaN components when unmatched.
  Eigen::Vector3d displacementVectorMm = Eigen::Vector3d::Zero();
};

/// The matching of planned to detected seeds: one SeedMatch per planned seed, in planned order.
struct SeedMatching {
  std::vector<SeedMatch> matches;
  int plannedCount = 0;
  int detectedCount = 0;
  int matchedCount = 0;
  std::vector<int> unmatchedPlanned;  ///< planned seeds with no detected seed within the gate
  std::vector<int> unmatchedDetected; ///< detected seeds matched to no planned seed
  /// Over the matched pairs (mm); NaN when nothing is matched.
  double meanDisplacementMm = 0.0;
  double maxDisplacementMm = 0.0;
};

/// SeedMatcher: pairs the seeds planned with the seeds found on the post-implant CT (both in the
/// planning frame, mm), so that the physicist sees how many seeds are where they were meant to be
/// and how far each one moved (issue 4, post-implant evaluation). The pairing is the optimal
/// assignment (Hungarian algorithm, O((n + m)^3), milliseconds for a few hundred seeds) that
/// minimises
///   sum over matched pairs of d^2  +  maxDistance^2 / 2 per seed left unmatched (either side),
/// where pairs farther apart than maxDistanceMm are forbidden (the gate). Every allowed pair thus
/// lowers the cost (d^2 <= maxDistance^2 = what leaving both unmatched costs), so as many seeds as
/// the gate allows are matched, and among those pairings the one with the least total squared
/// displacement wins (a greedy nearest-neighbour pairing can give one seed's partner away and
/// leave a far worse pair behind). The default gate (15 mm) is well beyond the 3-5 mm by which
/// needles deviate: a seed farther than that from every plan position is a seed that was not
/// planned (or a plan position that got no seed). Limitation: a whole needle displaced along its
/// axis by more than half the seed spacing is paired with its neighbours' positions, as it would be
/// by eye.
/// Throws InvalidInput if maxDistanceMm is not a positive finite number.
class SeedMatcher {
public:
  static SeedMatching Match(const std::vector<Seed>& planned,
                            const std::vector<Seed>& detectedInPlanningFrame,
                            double maxDistanceMm = 15.0);
};

} // namespace seedplan::planning
