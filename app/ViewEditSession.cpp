#include "ViewEditSession.h"

#include "ViewScene.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"

#include <utility>

namespace seedplan::app {

namespace {

const viewer::Rgb kNormalText{235, 235, 235};
/// An exceeded organ limit.
const viewer::Rgb kAlarmText{255, 40, 40};
/// A warning about a seed (never a block).
const viewer::Rgb kWarningText{255, 200, 0};

} // namespace

ViewEditSession::ViewEditSession(std::shared_ptr<viewer::Scene> scene,
                                 std::unique_ptr<planning::PlanEditSession> session,
                                 const imaging::StructureSet& structures, SaveFunction save)
    : m_Scene(std::move(scene)), m_Session(std::move(session)), m_Structures(structures),
      m_Save(std::move(save)) {
  if (!m_Scene || !m_Session) {
    throw InvalidInput("the edit session needs a scene and a plan");
  }
  m_Message = "editing: click a seed to select it, drag it to move it (h: keys)";
  Refresh();
}

template <typename Step> bool ViewEditSession::Run(Step&& step) {
  try {
    step();
    m_Message = m_Session->LastMessage();
  } catch (const Error& error) {
    m_Message = error.what();
  }
  Refresh();
  return true;
}

bool ViewEditSession::Grab(const Eigen::Vector3d& pointMm, double radiusMm) {
  const auto seed = m_Session->SeedNear(pointMm, radiusMm);
  if (!seed) {
    return false;
  }
  m_Session->BeginDrag(*seed);
  m_GrabOffsetMm = m_Session->Current().seeds[*seed].positionMm - pointMm;
  m_Message =
      "seed " + std::to_string(*seed) + " selected: drag it, [ ] along its needle, x delete";
  Refresh();
  return true;
}

bool ViewEditSession::DragTo(const Eigen::Vector3d& pointMm) {
  if (!m_Session->Dragging()) {
    return false;
  }
  m_Session->DragTo(pointMm + m_GrabOffsetMm);
  Refresh(false);
  return true;
}

bool ViewEditSession::Release() {
  if (!m_Session->Dragging()) {
    return false;
  }
  const bool moved = (m_Session->ShownSeeds()[*m_Session->Selected()].positionMm -
                      m_Session->Current().seeds[*m_Session->Selected()].positionMm)
                         .norm() > 0.0;
  if (!moved) {
    m_Session->EndDrag(); // a click on a seed: selected, no step
    Refresh();
    return true;
  }
  return Run([&] { m_Session->EndDrag(); });
}

bool ViewEditSession::Key(const std::string& key, const std::optional<Eigen::Vector3d>& pointMm) {
  auto& session = *m_Session;
  const auto needPoint = [&]() -> const Eigen::Vector3d& {
    if (!pointMm) {
      throw InvalidInput("add: click the point first");
    }
    return *pointMm;
  };
  if (key == "bracketright" || key == "bracketleft") {
    const double step = key == "bracketright" ? kNeedleStepMm : -kNeedleStepMm;
    return Run([&] { session.MoveSelectedAlongNeedle(step); });
  }
  if (key == "n") {
    return Run([&] { session.AddSeed(needPoint()); });
  }
  if (key == "b") {
    return Run([&] { session.AddSeedOnSelectedNeedle(needPoint()); });
  }
  if (key == "x" || key == "Delete") {
    return Run([&] { session.DeleteSelected(); });
  }
  if (key == "greater" || key == "period" || key == "less" || key == "comma") {
    const double step = (key == "greater" || key == "period") ? 1.0 : -1.0;
    return Run([&] {
      const double now = session.Current().strengthAtImplantU;
      session.SetStrengthOfAll(now + step * planning::PlanEditSession::kStrengthStepU);
    });
  }
  if (key == "u") {
    return Run([&] { session.Undo(); });
  }
  if (key == "r") {
    return Run([&] { session.Redo(); });
  }
  if (key == "S") {
    try {
      if (!m_Save) {
        throw InvalidInput("save: this window cannot save");
      }
      m_Message = m_Save(session);
    } catch (const Error& error) {
      m_Message = error.what();
    }
    Refresh();
    return true;
  }
  return false;
}

std::string ViewEditSession::KeyHelp() const {
  return "editing (--edit):\n"
         "  click a seed, drag it     select it, move it in the slice plane\n"
         "  [ ]                       move the selected seed 1 mm along its needle (] deeper)\n"
         "  n, b                      add a seed at the clicked point; on the selected seed's "
         "needle\n"
         "  x or Delete               delete the selected seed\n"
         "  > <                       strength of every seed +- 0.01 U\n"
         "  u, r                      undo, redo\n"
         "  S (shift-s)               save the edited plan\n";
}

void ViewEditSession::Refresh(bool whole) {
  viewer::ScenePlan& shown = m_Scene->plan;
  shown.seeds.clear();
  for (const Seed& seed : m_Session->ShownSeeds()) {
    shown.seeds.push_back({seed.positionMm, seed.direction});
  }
  shown.selectedSeed = m_Session->Selected();
  if (!shown.dose) {
    shown.dose = SceneDoseOf(Volume<float>(m_Session->DoseGy()));
  }
  // Only the voxels the steps since the last refresh changed (a whole copy of the grid was ~1/20
  // of an editing step).
  m_Session->CopyDoseChangesInto(shown.dose->values);
  if (!whole) {
    if (const auto lesion = m_Session->EditedLesionMetrics()) {
      const auto& m = lesion->metrics;
      for (auto& line : m_Scene->editPanel) {
        if (line.text.rfind(lesion->structureName + ": D90 ", 0) == 0) {
          line.text = lesion->structureName + ": D90 " + FormatNumber(m.D90Gy, 4) + " Gy, V100 " +
                      FormatNumber(m.V100Pct, 4) + " %, V150 " + FormatNumber(m.V150Pct, 4) +
                      " %, V200 " + FormatNumber(m.V200Pct, 4) + " % (dragging)";
        }
      }
    }
    return;
  }
  m_Scene->editPanel.clear();
  for (const auto& line : m_Session->StatusLines()) {
    using Kind = planning::EditStatusLine::Kind;
    m_Scene->editPanel.push_back({line.text, line.kind == Kind::Alarm     ? kAlarmText
                                             : line.kind == Kind::Warning ? kWarningText
                                                                          : kNormalText});
  }
  shown.dvh = DvhCurvesOf(m_Session->Evaluation().curves, m_Structures, m_Session->Current());
}

} // namespace seedplan::app
