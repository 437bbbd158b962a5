#pragma once

#include "seedplan/core/MaskIndexBox.h"
#include "seedplan/core/Volume.h"
#include "seedplan/dosimetry/DoseCalculator.h"
#include "seedplan/dosimetry/ImplantBinnedDvhSamples.h"
#include "seedplan/dosimetry/ImplantDvhSamples.h"
#include "seedplan/dosimetry/SourceLibrary.h"
#include "seedplan/imaging/StructureSet.h"
#include "seedplan/planning/Plan.h"
#include "seedplan/planning/PlanEvaluator.h"

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace seedplan::planning {

/// A plan's evaluation kept live for editing (issue 14): the total-dose grid is updated
/// incrementally when a seed is added, removed or changed (only the voxels within the cutoff of
/// its old and new positions: DoseCalculator::AddDoseRate), and a structure's metrics are
/// recomputed on demand from the samples PlanEvaluator::Evaluate takes, so the numbers equal a
/// fresh evaluation of the edited plan:
///  - targets and small organs (every sample exact) keep their samples and doses
///    (dosimetry::ImplantDvhSamples): a step adds the changed seeds' contributions only and
///    samples anew only the voxels whose split changed; the changes of several steps are applied
///    together when the structure's metrics are next asked for;
///  - large structures (binned samples) keep their bins and their exact samples near the seeds
///    (dosimetry::ImplantBinnedDvhSamples): a step moves only the samples whose dose changed
///    (the grid voxels within the cutoff of a changed seed, the exact samples near the seeds);
///    with sampling options it does not serve they are evaluated again by PlanEvaluator's code.
/// Structures farther than the cutoff (plus the isodose reach) from every changed seed keep their
/// cached metrics.
///
/// Measured on the sample plan (bench/EditBenchmark.cpp, seedplan_bench_edit): one seed move with
/// the dose, the isodoses of the slice in view and the edited lesion's metrics, and with every
/// structure's metrics; see docs/ARCHITECTURE.md.
/// Not thread-safe; the structure set and library must outlive it.
class LivePlanEvaluation {
public:
  LivePlanEvaluation(Plan plan, const imaging::StructureSet& structures, const GridGeometry& grid,
                     const dosimetry::SourceLibrary& library, EvaluationOptions options = {});
  ~LivePlanEvaluation();
  LivePlanEvaluation(const LivePlanEvaluation&) = delete;
  LivePlanEvaluation& operator=(const LivePlanEvaluation&) = delete;

  const Plan& CurrentPlan() const { return m_Plan; }
  const Volume<float>& DoseGy() const { return m_DoseGy; }

  /// Replaces seed `index` (position, direction, strength, model: any change). InvalidInput for
  /// an index out of range or a bad seed (nothing is changed then).
  void ReplaceSeed(std::size_t index, const Seed& seed);
  void AddSeed(const Seed& seed);
  void RemoveSeed(std::size_t index);
  /// The seeds become `seeds`, which differ from the current ones by `removed` leaving and
  /// `added` arriving (planning::PlanEditor's SeedChange of one step): the grid is updated by
  /// those seeds only. InvalidInput for a bad added seed (nothing is changed then).
  void ChangeSeeds(std::vector<Seed> seeds, const std::vector<Seed>& removed,
                   const std::vector<Seed>& added);
  /// Brings `copy` (a copy of DoseGy(): the window's scene) up to date by copying only the voxels
  /// the changes since the last call (or since construction) can have touched: those within the
  /// cutoff of a changed seed, row by row (a step touches ~1/5 of the sample CT's grid). A copy of
  /// another size is replaced by a whole copy. One copy is tracked (the window's).
  void CopyDoseChangesInto(Volume<float>& copy);

  /// The structures whose metrics the last changes made stale (recomputed by the next Metrics,
  /// Curve or EvaluateAll), in the structure set's order.
  std::vector<std::string> StaleStructures() const;

  /// The metrics of one structure under the current seeds (InvalidInput for an unknown name).
  StructureMetrics Metrics(const std::string& structureName);
  /// Its DVH curve, from the same samples.
  StructureDvhCurve Curve(const std::string& structureName);
  /// Every structure, the curves and the limits: what PlanEvaluator::Evaluate gives for the
  /// current plan.
  PlanEvaluation EvaluateAll();

private:
  struct Cached {
    StructureMetrics metrics;
    StructureDvhCurve curve;
  };
  /// A structure's live samples and the seed changes not yet applied to them.
  struct LiveSamples {
    std::unique_ptr<dosimetry::ImplantDvhSamples> samples;      ///< exact-sampled structures
    std::unique_ptr<dosimetry::ImplantBinnedDvhSamples> binned; ///< binned ones
    bool Kept() const { return samples || binned; }
    std::vector<Seed> pendingRemoved;
    std::vector<Seed> pendingAdded;
  };
  void Changed(const std::vector<Seed>& removed, const std::vector<Seed>& added);
  std::size_t IndexOf(const std::string& structureName) const;
  const Cached& Ensure(std::size_t structure);

  Plan m_Plan;
  const imaging::StructureSet& m_Structures;
  const dosimetry::SourceLibrary& m_Library;
  EvaluationOptions m_Options;
  std::unique_ptr<dosimetry::DoseCalculator> m_Calculator;
  double m_GyPerCGyPerH = 0.0;
  Volume<float> m_DoseGy;
  std::vector<std::optional<Cached>> m_Cache;
  std::vector<LiveSamples> m_Samples;
  /// Positions of the seeds changed since the last CopyDoseChangesInto.
  std::vector<Eigen::Vector3d> m_UncopiedChanges;
  std::vector<std::optional<MaskIndexBox>> m_Boxes; ///< of each structure's mask, found once
  std::vector<std::int64_t> m_InsideVoxels;         ///< of each structure's mask, counted once
};

} // namespace seedplan::planning
