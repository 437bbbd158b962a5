#pragma once

#include "seedplan/imaging/StructureSet.h"

#include <Eigen/Core>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace seedplan::planning {

/// The rules and prices of the trajectory check (DESIGN.md, Planning: structure roles). Lengths in
/// mm; every cost is expressed in mm of pass-through tissue, so that the costs add up.
struct TrajectoryOptions {
  /// Largest distance between samples along the needle. The step used is the smaller of this and
  /// half the finest mask spacing: a line that crosses a voxel over half its width or more then
  /// always has a sample in it. 0.5 mm is half the in-plane voxel of a planning CT (0.8–1 mm), far
  /// below the thinnest structure a needle must not cross unseen (the cord is ~8–10 mm across,
  /// the aortic and caval lumens 20 mm, a rib 7 mm, a pedicle 9 mm); masks of small structures on
  /// sub-mm grids get a finer step automatically.
  double maxSampleStepMm = 0.5;
  /// Added to the cost for every pleural crossing (each time the needle enters or leaves a lung):
  /// the risk of pneumothorax grows with each puncture of the pleura (it is the commonest
  /// complication of CT-guided lung implants, 20–30 % of cases), so one crossing is priced as
  /// 20 mm of extra lung, i.e. a route one pleural puncture shorter wins unless it is more than
  /// 2 cm longer in lung.
  double pleuralPenaltyMm = 20.0;
  /// Cost per mm inside an organ at risk (kidney, spleen, stomach, ...): allowed, but puncturing
  /// an organ risks bleeding or leakage, so 1 mm of it costs as much as 3 mm of lung or liver.
  double organAtRiskCostFactor = 3.0;
  /// Cost per mm of bone on an allowed access route: drilling through cortex is slower and
  /// deflects the needle, priced like pass-through tissue.
  double boneCostFactor = 1.0;
  /// Cost per mm of needle depth (any tissue): deflection grows with depth (needles deviate by
  /// 3–5 mm), so of two otherwise equal routes the shorter wins; 10 mm deeper = 1 mm more lung.
  double depthCostPerMm = 0.1;
  /// Bone is crossed only on an allowed access route: to a target whose access through bone the
  /// physicist allows (named here, or every target with `allowBoneAccessToAllTargets`), through
  /// the bone the target lies in or next to (within `hostBoneAdjacencyMm`), and at most
  /// `maxBonePathMm` before the needle enters the target. 35 mm covers a transpedicular route
  /// (a thoracolumbar pedicle is 25–35 mm long from the posterior cortex to the vertebral body).
  std::set<std::string> allowBoneAccessTo;
  bool allowBoneAccessToAllTargets = false;
  double maxBonePathMm = 35.0;
  double hostBoneAdjacencyMm = 2.0;
  /// The tip must lie inside the target or at most this far from it (one voxel's tolerance).
  double tipToleranceMm = 1.0;
  /// The entry must lie outside the BODY or at most this far inside its surface (on the skin).
  double entryToleranceMm = 1.0;
};

/// The verdict on one straight needle path, from the entry to the tip.
struct TrajectoryReport {
  bool accepted = false;
  /// Why it was rejected, with the structure and the point, e.g. "crosses no-go structure
  /// SpinalCord at (-1.0, 60.2, 10.0) mm, 35.5 mm from the entry"; empty if accepted.
  std::string reason;
  /// The rule that rejected it, short, for summaries: "no-go SpinalCord", "bone Ribs",
  /// "bone route Vertebrae", "tip outside target", "entry inside body"; empty if accepted.
  std::string rejectedBy;
  /// Structures entered, in order from the entry (BODY excluded; the target included), without
  /// consecutive repeats. For a rejected path: up to the point of rejection.
  std::vector<std::string> tissuesCrossed;
  double depthMm = 0.0;             ///< |tip − entry|
  double passThroughLengthMm = 0.0; ///< inside pass-through structures (lung, liver, skin, ...)
  double organAtRiskLengthMm = 0.0; ///< inside organs at risk
  int pleuralCrossings = 0;         ///< entries into and exits from a lung, each counted
  double boneLengthMm = 0.0;        ///< inside bone on the allowed route
  /// passThrough + organAtRiskCostFactor × organAtRisk + boneCostFactor × bone
  /// + pleuralPenaltyMm × pleuralCrossings + depthCostPerMm × depth (mm, see TrajectoryOptions).
  double costMm = 0.0;
};

/// TrajectoryCheck: judges a straight needle path (patient coordinates, LPS, mm) against the
/// structure roles of DESIGN.md by sampling the segment from the entry to the tip (step: see
/// TrajectoryOptions::maxSampleStepMm) and looking each sample up in every mask through that
/// mask's own grid. A sample in a no-go structure rejects the path; a sample in bone rejects it
/// unless it lies on an allowed access route (TrajectoryOptions); pass-through structures and
/// organs at risk add their length; each change of lung (entering or leaving Lung_L/Lung_R, i.e.
/// a structure whose name contains "lung" and is not a target or the body) is a pleural
/// crossing; the target itself, the BODY and structures of unknown role are free (inside the
/// target, the target's rules win over the bone or lung it lies in, but never over a no-go
/// structure). The tip must lie in the target, the entry on or outside the BODY, and the needle
/// must enter the body through imaged skin: a path whose first point in the body lies in the
/// first or last slice of the BODY comes in through the end of the scan, where the anatomy on
/// the way is unknown, and is rejected.
/// Constructed once per target (it finds the masks and the bone the target lies in), it then
/// checks any number of paths, also from several threads at once. It keeps pointers into
/// `structures`, which must outlive it.
class TrajectoryCheck {
public:
  /// Throws InvalidInput if `targetName` is not a structure of `structures`, has an empty mask,
  /// or there is no External (BODY) structure to find the skin with.
  TrajectoryCheck(const imaging::StructureSet& structures, const std::string& targetName,
                  const TrajectoryOptions& options);
  ~TrajectoryCheck();
  TrajectoryCheck(const TrajectoryCheck&) = delete;
  TrajectoryCheck& operator=(const TrajectoryCheck&) = delete;

  /// The verdict on the path from `entryMm` to `tipMm`.
  TrajectoryReport Evaluate(const Eigen::Vector3d& entryMm, const Eigen::Vector3d& tipMm) const;

  /// One-off check: constructs a TrajectoryCheck and evaluates one path.
  static TrajectoryReport Check(const Eigen::Vector3d& entryMm, const Eigen::Vector3d& tipMm,
                                const imaging::StructureSet& structures,
                                const std::string& targetName, const TrajectoryOptions& options);

  /// The bone structures the target lies in or next to (filled only when bone access is allowed
  /// for the target).
  const std::vector<std::string>& HostBones() const;
  /// True if the options allow bone access to this target.
  bool BoneAccessAllowed() const;
  /// The distance between samples along a path (mm).
  double SampleStepMm() const;
  /// True if the point is inside the target (nearest voxel of its mask).
  bool InTarget(const Eigen::Vector3d& pointMm) const;
  /// True if the point is inside the BODY (nearest voxel of its mask).
  bool InBody(const Eigen::Vector3d& pointMm) const;
  /// Centres of the target's inside voxels (mm).
  std::vector<Eigen::Vector3d> TargetPoints() const;
  /// An upper bound of the distance from `pointMm` to any point of the BODY (mm).
  double BodyReachMm(const Eigen::Vector3d& pointMm) const;
  const std::string& TargetName() const;
  const TrajectoryOptions& Options() const;

private:
  struct Impl;
  std::unique_ptr<Impl> m_Impl;
};

} // namespace seedplan::planning
