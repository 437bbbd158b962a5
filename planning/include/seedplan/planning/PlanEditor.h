#pragma once

#include "seedplan/core/GridGeometry.h"
#include "seedplan/core/Seed.h"
#include "seedplan/imaging/StructureSet.h"
#include "seedplan/planning/Plan.h"

#include <Eigen/Core>
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace seedplan::planning {

class MaskLookup;

/// What one editing step changed among the plan's seeds, so that a dose can follow it
/// incrementally (DESIGN.md, Viewer: subtract the contribution of `removed`, add that of `added`).
/// A moved seed is one removed and one added; a change of every seed's strength removes and adds
/// them all.
struct SeedChange {
  std::vector<Seed> removed;
  std::vector<Seed> added;
  bool Empty() const { return removed.empty() && added.empty(); }
};

/// A warning about a seed of the current plan (an edit is never blocked by it).
struct EditWarning {
  std::size_t seedIndex = 0; ///< 0-based, in the current plan
  std::string text;          ///< "seed 4: 2.3 mm from the path of needle GTV_Lung-N2"
};

/// One seed added by hand: at `positionMm` (LPS, mm), on needle `needleId` (empty: none; the
/// seed then has no known axis and is computed with the 1D formalism), of `strengthU` at implant
/// (nullopt: the plan's strength at implant).
struct SeedAddition {
  Eigen::Vector3d positionMm = Eigen::Vector3d::Zero();
  std::string needleId;
  std::optional<double> strengthU;
};

/// Several edits made as one step (`seedplan edit`): every index refers to the plan before the
/// step (the order of `seedplan seeds`). Moved seeds keep their index, axis, strength and needle;
/// deleted seeds leave, the others keep their order; added seeds are appended in the order given.
struct SeedEditBatch {
  std::vector<std::pair<std::size_t, Eigen::Vector3d>> moves; ///< index, displacement (mm, LPS)
  std::vector<std::size_t> deletions;
  std::vector<SeedAddition> additions;
};

/// Hand editing of a plan's seeds (issue 14), shared by `seedplan edit` and the viewer's live
/// editing: move a seed (in any direction, or along its needle), add one (at a point, on a needle
/// or free), delete one, set the strength of every seed; each step can be undone and redone. Bad
/// edits are refused with InvalidInput before anything changes (a seed index out of range, a seed
/// moved or added outside the CT, an added seed with no strength known, an unknown needle). The
/// physicist is warned, never blocked, when a seed leaves its needle's path, lies in a no-go
/// structure, or lies closer than kMinSeedDistanceMm to another seed. Each step returns the seeds
/// it removed and added (SeedChange), so that the dose can be updated by those seeds'
/// contributions only. Holds a reference to `structures`: keep it alive.
class PlanEditor {
public:
  /// Seeds closer than this (centre to centre, mm) are warned about: two 4.5 mm capsules side by
  /// side cannot be placed closer through separate needles, and within one needle seeds are
  /// spaced by at least one capsule length plus a spacer.
  static constexpr double kMinSeedDistanceMm = 3.0;
  /// A seed further than this from its needle's axis (or beyond its tip or before its entry) has
  /// left the needle's path: an 18-gauge needle's lumen is ~0.8 mm wide, so 1 mm is a seed that
  /// could not have been delivered through that needle.
  static constexpr double kNeedlePathToleranceMm = 1.0;
  /// A seed is "of" a target when it is on one of the target's needles, or, without a needle,
  /// when it lies within this distance of the target (a seed added at a cold edge).
  static constexpr double kTargetReachMm = 10.0;

  PlanEditor(Plan plan, const GridGeometry& ctGrid, const imaging::StructureSet& structures);

  /// The plan as edited so far (seeds and strengths; the metrics are those of the original plan
  /// until the caller evaluates it).
  const Plan& Current() const { return m_Plan; }
  std::size_t SeedCount() const { return m_Plan.seeds.size(); }

  SeedChange MoveSeed(std::size_t index, const Eigen::Vector3d& deltaMm);
  /// Moves a seed by `distanceMm` along its axis (its needle's direction, towards the tip when
  /// positive); InvalidInput when the seed has no axis and no needle.
  SeedChange MoveAlongNeedle(std::size_t index, double distanceMm);
  SeedChange AddSeed(const SeedAddition& addition);
  SeedChange DeleteSeed(std::size_t index);
  /// Sets every seed's strength at implant (and the plan's strength at implant and at assay, in
  /// the same ratio: the decay between the dates is unchanged).
  SeedChange SetStrengthOfAll(double strengthU);
  /// Applies the batch as one step; checks all of it first, so a refusal changes nothing.
  SeedChange Apply(const SeedEditBatch& batch);
  /// The checks of Apply that need no CT (indices in range, no seed moved twice, moved and
  /// deleted, or deleted twice), so that a command can refuse them before loading anything.
  static void CheckIndices(const SeedEditBatch& batch, std::size_t seedCount);

  bool CanUndo() const { return m_Done > 0; }
  bool CanRedo() const { return m_Done < m_Steps.size(); }
  /// Undoes the last step and returns its inverse change; InvalidInput when there is none.
  SeedChange Undo();
  SeedChange Redo();

  /// Warnings about the given seeds of the current plan (their needle paths, no-go structures,
  /// their distances to every other seed).
  std::vector<EditWarning> Warnings(const std::vector<std::size_t>& seeds) const;
  /// Warnings about every seed.
  std::vector<EditWarning> AllWarnings() const;
  /// Indices (current plan) of the seeds moved or added by the steps done so far.
  std::vector<std::size_t> EditedSeeds() const;

  /// The target a seed belongs to: its needle's target, else the nearest target within
  /// kTargetReachMm, else empty.
  std::string TargetOf(const Seed& seed) const;
  /// What the steps done so far did, in one line ("moved seed 3 by (0, 2, 0) mm; added 1 seed").
  std::string Summary() const;
  /// The current plan recording the edit (a HandEdit at `utc` by `user` from `fromPlan`).
  Plan EditedPlan(const std::string& utc, const std::string& user,
                  const std::string& fromPlan) const;

private:
  struct Step {
    std::vector<Seed> before, after;
    double strengthBeforeU = 0, strengthAfterU = 0;
    double assayBeforeU = 0, assayAfterU = 0;
    std::vector<bool> editedBefore, editedAfter; ///< per seed: moved or added so far
    std::string summary;
    SeedChange change;
  };

  void CheckIndex(std::size_t index, const std::string& what) const;
  void CheckInsideCt(const Eigen::Vector3d& pointMm, const std::string& what) const;
  Seed NewSeed(const SeedAddition& addition, const std::string& what) const;
  const Needle* FindNeedle(const std::string& id) const;
  SeedChange Commit(std::vector<Seed> seeds, std::vector<bool> edited, double strengthU,
                    double assayU, std::string summary, SeedChange change);

  Plan m_Plan;
  GridGeometry m_CtGrid;
  const imaging::StructureSet& m_Structures;
  /// Targets and no-go structures with their mask lookups (shared_ptr: MaskLookup is internal).
  std::vector<std::pair<const imaging::Structure*, std::shared_ptr<const MaskLookup>>> m_Targets;
  std::vector<std::pair<const imaging::Structure*, std::shared_ptr<const MaskLookup>>> m_NoGo;
  std::vector<bool> m_Edited; ///< per current seed
  std::vector<Step> m_Steps;
  std::size_t m_Done = 0;
};

} // namespace seedplan::planning
