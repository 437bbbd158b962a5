#pragma once

#include "seedplan/core/GridGeometry.h"
#include "seedplan/core/Volume.h"
#include "seedplan/dosimetry/SourceLibrary.h"
#include "seedplan/imaging/StructureSet.h"
#include "seedplan/planning/LivePlanEvaluation.h"
#include "seedplan/planning/Plan.h"
#include "seedplan/planning/PlanEditor.h"
#include "seedplan/planning/PlanEvaluator.h"

#include <Eigen/Core>
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace seedplan::planning {

/// One line of what an edit session shows beside the slice: counts, metrics, limits, warnings.
struct EditStatusLine {
  enum class Kind {
    Normal,  ///< counts, selection, target metrics, limits that hold
    Alarm,   ///< an organ limit exceeded (drawn red)
    Warning, ///< a seed off its needle, in a no-go structure, too close to another
  };
  std::string text;
  Kind kind = Kind::Normal;
};

/// The state of hand editing in the viewer (issue 14), without any drawing: the plan being edited
/// (PlanEditor: every step refused before it changes anything, undone and redone), its dose and
/// metrics kept live (LivePlanEvaluation: each step updates the dose grid by the seeds it removed
/// and added only, and marks stale the structures within reach of them), the selected seed, a
/// seed being dragged (the dose follows the drag; releasing it makes one undoable step), and the
/// text the window shows: seeds, needles, total activity, every structure's metrics, organ limits
/// (Alarm when exceeded) and the warnings about the edited seeds (never a block).
/// The structure set and library must outlive it.
class PlanEditSession {
public:
  /// Strength step of one key press (U): ~2 % of a typical 125I seed (0.4-0.7 U).
  static constexpr double kStrengthStepU = 0.01;

  PlanEditSession(Plan plan, const GridGeometry& ctGrid, const imaging::StructureSet& structures,
                  const dosimetry::SourceLibrary& library, EvaluationOptions options = {});

  const Plan& Current() const { return m_Editor.Current(); }
  /// The seeds as shown: Current()'s, except a dragged seed where the drag has it now.
  const std::vector<Seed>& ShownSeeds() const { return m_Live.CurrentPlan().seeds; }
  const PlanEditor& Editor() const { return m_Editor; }
  /// The total dose (Gy) of the current seeds on the CT grid.
  const Volume<float>& DoseGy() const { return m_Live.DoseGy(); }
  /// Brings a copy of DoseGy() up to date, copying only what the steps since the last call
  /// changed (LivePlanEvaluation::CopyDoseChangesInto).
  void CopyDoseChangesInto(Volume<float>& copy) { m_Live.CopyDoseChangesInto(copy); }

  /// The seed whose centre is nearest `pointMm`, if one lies within `radiusMm` of it.
  std::optional<std::size_t> SeedNear(const Eigen::Vector3d& pointMm, double radiusMm) const;
  std::optional<std::size_t> Selected() const { return m_Selected; }
  /// Selects a seed (nullopt: none); InvalidInput for an index out of range.
  void Select(std::optional<std::size_t> index);

  // Steps: each one edits the plan (InvalidInput, nothing changed, when the editor refuses it),
  // updates the dose and marks stale what it reaches. The *Selected ones need a selection.
  void MoveSelected(const Eigen::Vector3d& deltaMm);
  /// Along the selected seed's needle (its axis), towards the tip when positive.
  void MoveSelectedAlongNeedle(double distanceMm);
  /// A seed at `pointMm`, on needle `needleId` (empty: free, 1D formalism), of the plan's
  /// strength; it becomes the selection.
  void AddSeed(const Eigen::Vector3d& pointMm, const std::string& needleId = "");
  /// A seed on the selected seed's needle, at the point of its path nearest `pointMm`.
  void AddSeedOnSelectedNeedle(const Eigen::Vector3d& pointMm);
  void DeleteSelected();
  /// Every seed's strength at implant (U).
  void SetStrengthOfAll(double strengthU);
  void Undo();
  void Redo();

  /// A drag of seed `index`: the dose follows each DragTo (no step yet); EndDrag makes the whole
  /// move one step (refused, and the seed put back, when the editor refuses it: outside the CT).
  void BeginDrag(std::size_t index);
  /// The dragged seed's centre to `pointMm` (ignored outside the CT).
  void DragTo(const Eigen::Vector3d& pointMm);
  void EndDrag();
  bool Dragging() const { return m_Drag.has_value(); }

  /// What the last step did (its summary, or the refusal), for the status line.
  const std::string& LastMessage() const { return m_Message; }
  /// Warnings about the seeds edited so far.
  std::vector<EditWarning> Warnings() const;
  /// Every structure's metrics, DVH curve and limit checks under the current seeds (only the
  /// structures a step reached are recomputed).
  PlanEvaluation Evaluation();
  /// The metrics of the target the selected (else the last edited) seed belongs to, recomputed
  /// alone: what a drag needs at each step.
  std::optional<StructureMetrics> EditedLesionMetrics();
  /// The structures the next Evaluation() recomputes.
  std::vector<std::string> StaleStructures() const { return m_Live.StaleStructures(); }

  std::size_t NeedleCount() const;
  double TotalStrengthU() const;
  /// Apparent activity (mCi) of all seeds, with the plan's seed model's conversion.
  double TotalActivityMCi() const;
  /// Counts, selection, the metrics of every target and the organ limits, warnings.
  std::vector<EditStatusLine> StatusLines();

  /// Whether the plan differs from the one the session started from (steps done, not undone).
  bool Edited() const { return m_Editor.CanUndo(); }
  /// The plan to save: the current seeds, a HandEdit at `utc` by `user` from `fromPlan`, and the
  /// metrics of the current seeds.
  Plan PlanToSave(const std::string& utc, const std::string& user, const std::string& fromPlan);

private:
  std::size_t RequireSelection(const std::string& what) const;
  void Apply(const SeedChange& change);

  PlanEditor m_Editor;
  LivePlanEvaluation m_Live;
  GridGeometry m_CtGrid;
  double m_UPerMCi = 1.0;
  std::optional<std::size_t> m_Selected;
  struct Drag {
    std::size_t index = 0;
    Eigen::Vector3d startMm = Eigen::Vector3d::Zero();
  };
  std::optional<Drag> m_Drag;
  std::optional<std::size_t> m_LastEdited;
  std::string m_Message;
};

} // namespace seedplan::planning
