#pragma once
// `seedplan view --plan plan.xml --edit` (issue 14): the window's mouse and keys turned into
// planning::PlanEditSession steps, and each step's result put into the viewer's Scene (seeds,
// selection, the live dose, the evaluator's DVH curves, the panel of counts, metrics, limits and
// warnings). The editing logic is PlanEditSession's (tested without a display); this class only
// maps keys and copies results.

#include "seedplan/imaging/StructureSet.h"
#include "seedplan/planning/PlanEditSession.h"
#include "seedplan/viewer/Scene.h"
#include "seedplan/viewer/SeedEditHandler.h"

#include <functional>
#include <memory>
#include <string>

namespace seedplan::app {

class ViewEditSession : public viewer::SeedEditHandler {
public:
  /// One key press moves the selected seed along its needle by this much (mm): about a quarter of
  /// a capsule, fine enough to place a seed at a cold edge on a 1 mm CT.
  static constexpr double kNeedleStepMm = 1.0;
  /// Writes the edited plan and says where ("wrote edited.plan.xml"); throws seedplan::Error.
  using SaveFunction = std::function<std::string(planning::PlanEditSession&)>;

  /// `session` edits the plan shown by `scene` (whose seeds and dose it replaces); `structures`
  /// are the session's (for the DVH curves' colours). Fills the scene's edit panel at once.
  ViewEditSession(std::shared_ptr<viewer::Scene> scene,
                  std::unique_ptr<planning::PlanEditSession> session,
                  const imaging::StructureSet& structures, SaveFunction save);

  bool Grab(const Eigen::Vector3d& pointMm, double radiusMm) override;
  bool DragTo(const Eigen::Vector3d& pointMm) override;
  bool Release() override;
  bool Key(const std::string& keySym, const std::optional<Eigen::Vector3d>& pointMm) override;
  std::string Message() const override { return m_Message; }
  std::string KeyHelp() const override;

  planning::PlanEditSession& Session() { return *m_Session; }

private:
  /// Runs one step; a refusal (seedplan::Error) becomes the message and changes nothing.
  template <typename Step> bool Run(Step&& step);
  /// Copies the session's seeds, selection, dose, DVH curves and panel into the scene. During a
  /// drag (`whole` false) only the seeds, the dose and the dragged seed's lesion row of the panel:
  /// every structure's metrics and the DVH follow on release (they take ~10 times longer).
  void Refresh(bool whole = true);

  std::shared_ptr<viewer::Scene> m_Scene;
  std::unique_ptr<planning::PlanEditSession> m_Session;
  const imaging::StructureSet& m_Structures;
  SaveFunction m_Save;
  std::string m_Message;
  /// Seed centre minus the grabbed point: the drag moves the seed by the mouse's displacement in
  /// the plane (the seed keeps its distance from the plane and does not jump to the cursor).
  Eigen::Vector3d m_GrabOffsetMm = Eigen::Vector3d::Zero();
};

} // namespace seedplan::app
