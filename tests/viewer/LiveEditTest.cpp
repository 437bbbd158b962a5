// Live seed editing in the viewer window (issue 14: `view --edit`), driven off screen through
// InteractiveViewer::DispatchEvent as the mouse and keys drive it: click a seed, drag it, move it
// along its needle, add one, delete one, change every seed's strength, undo, redo, save. Checks
// the edited plan, the pixels of the rendered window (the 200 % isodose follows the dragged seed,
// the selected seed drawn yellow, an exceeded organ limit turns red in the panel) and that after
// the edits the live metrics equal a fresh PlanEvaluator::Evaluate of the saved plan to 0.01 %.
// The sample patient (project generator, ~2 s) and its committed sample implant; ~20 s in all.

#include "../planning/FreshEvaluationCheck.h"
#include "../planning/SampleImplant.h"
#include "PixelChecks.h"
#include "ViewEditSession.h"
#include "ViewScene.h"

#include "seedplan/planning/PlanEvaluator.h"
#include "seedplan/planning/PlanXml.h"
#include "seedplan/viewer/InteractiveViewer.h"
#include "seedplan/viewer/IsodoseLevels.h"
#include "seedplan/viewer/SliceContent.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>

namespace seedplan::test {
namespace {

namespace fs = std::filesystem;

/// A drag of this many pixels (~12 mm at this size): far enough that the seed's 200 % isodose
/// (a few mm around it) leaves its old place.
constexpr double kDragPx = 24.0;

class LiveEditOnTheSamplePlan : public ::testing::Test {
protected:
  static void SetUpTestSuite() { s_Sample = std::make_unique<test::SampleImplant>(); }
  static void TearDownTestSuite() { s_Sample.reset(); }

  /// A window editing `plan` off screen, on the axial slice through seed 0; S saves to `saved`.
  void Open(const planning::Plan& plan) {
    m_Scene = std::make_shared<viewer::Scene>();
    m_Scene->patientPosition = s_Sample->ct.info.patientPosition;
    m_Scene->patientId = "SAMPLE";
    m_Scene->structures = app::SceneStructuresOf(s_Sample->structures, plan);
    m_Scene->plan = app::ScenePlanOf(plan, "sample plan");
    m_Scene->ct = s_Sample->ct.hu;
    auto session = std::make_unique<planning::PlanEditSession>(
        plan, s_Sample->ct.hu.Geometry(), s_Sample->structures, s_Sample->library);
    m_Scene->plan.dose = app::SceneDoseOf(Volume<float>(session->DoseGy()));
    viewer::ViewSettings settings;
    settings.widthPx = 600;
    settings.heightPx = 600;
    settings.sliceMm = plan.seeds.front().positionMm.z();
    m_Saved = s_Sample->folder / "edited.plan.xml";
    auto save = [this](planning::PlanEditSession& editing) {
      planning::PlanXml::Write(
          editing.PlanToSave("2026-12-07T03:00:00Z", "physicist", "sample.plan.xml"), m_Saved);
      return "wrote " + m_Saved.string();
    };
    m_Editing = std::make_shared<app::ViewEditSession>(m_Scene, std::move(session),
                                                       s_Sample->structures, save);
    m_Window = std::make_unique<viewer::InteractiveViewer>(m_Scene, settings, true);
    m_Window->SetEditHandler(m_Editing);
  }

  /// Where a patient point is drawn in the current picture.
  Eigen::Vector2d PixelOf(const viewer::Picture& picture, const Eigen::Vector3d& pointMm) const {
    return picture.layout.PlaneToPixel(picture.layout.frame->ToPlane(pointMm));
  }

  void Key(const std::string& key) { m_Window->DispatchEvent("KeyPressEvent", 0, 0, key); }
  void ClickAt(const Eigen::Vector2d& px) {
    m_Window->DispatchEvent("LeftButtonPressEvent", px.x(), px.y());
    m_Window->DispatchEvent("LeftButtonReleaseEvent", px.x(), px.y());
  }

  planning::PlanEditSession& Session() { return m_Editing->Session(); }

  inline static std::unique_ptr<test::SampleImplant> s_Sample;

  std::shared_ptr<viewer::Scene> m_Scene;
  std::shared_ptr<app::ViewEditSession> m_Editing;
  std::unique_ptr<viewer::InteractiveViewer> m_Window;
  fs::path m_Saved;
};

TEST_F(LiveEditOnTheSamplePlan, MouseAndKeysEditThePlanAndTheDoseFollows) {
  Open(s_Sample->plan);
  const std::size_t count = s_Sample->plan.seeds.size();
  const viewer::Picture before = m_Window->Grab();
  ASSERT_TRUE(before.layout.frame);
  const Eigen::Vector3d seed0 = s_Sample->plan.seeds[0].positionMm;
  const Eigen::Vector2d from = PixelOf(before, seed0);
  const Eigen::Vector2d to = from + Eigen::Vector2d(0.0, kDragPx); // down: posterior (+y)
  const viewer::Rgb hot = viewer::StandardLevelColor(200.0, 0);
  const auto hotNear = [&](const viewer::RgbImage& image, const Eigen::Vector2d& centre) {
    return CountColor(image, hot, [&](int x, int y) {
      return (Eigen::Vector2d(x + 0.5, y + 0.5) - centre).norm() <= 10.0;
    });
  };
  const int hotAtTargetBefore = hotNear(before.image, to);

  // Press on the seed: selected (drawn yellow); drag it; release: one step.
  m_Window->DispatchEvent("LeftButtonPressEvent", from.x(), from.y());
  ASSERT_EQ(Session().Selected(), std::optional<std::size_t>(0)) << m_Window->Status();
  EXPECT_TRUE(ColorNear(m_Window->Grab().image, from, {255, 230, 0}, 4));
  m_Window->DispatchEvent("MouseMoveEvent", from.x(), from.y() + 0.5 * kDragPx);
  // While dragging, the dragged seed's lesion row follows (the rest on release).
  EXPECT_TRUE(std::any_of(m_Scene->editPanel.begin(), m_Scene->editPanel.end(), [](const auto& l) {
    return l.text.find("(dragging)") != std::string::npos;
  }));
  m_Window->DispatchEvent("MouseMoveEvent", to.x(), to.y());
  m_Window->DispatchEvent("LeftButtonReleaseEvent", to.x(), to.y());
  const Eigen::Vector3d moved = Session().Current().seeds[0].positionMm;
  const double mmPerPx = before.layout.mmPerPixel;
  EXPECT_NEAR(moved.y() - seed0.y(), kDragPx * mmPerPx, 1.0 * mmPerPx); // within a pixel
  EXPECT_NEAR(moved.x(), seed0.x(), 1.0 * mmPerPx);
  EXPECT_DOUBLE_EQ(moved.z(), seed0.z()); // in the slice plane
  const viewer::Picture afterDrag = m_Window->Grab();
  EXPECT_GT(hotNear(afterDrag.image, to), hotAtTargetBefore + 10)
      << "the 200 % isodose did not follow the seed";

  // Along its needle (its axis, +x) by 1 mm, twice, then back once.
  Key("bracketright");
  Key("bracketright");
  Key("bracketleft");
  EXPECT_NEAR(Session().Current().seeds[0].positionMm.x() - moved.x(), 1.0, 1e-9);

  // Add a seed at a clicked point (away from every seed), then delete it, undo, redo.
  const Eigen::Vector2d empty = from + Eigen::Vector2d(-3.0 * kDragPx, 0.0);
  ClickAt(empty);
  EXPECT_EQ(Session().Current().seeds.size(), count);
  Key("n");
  ASSERT_EQ(Session().Current().seeds.size(), count + 1) << m_Window->Status();
  EXPECT_EQ(Session().Selected(), std::optional<std::size_t>(count));
  Key("x");
  EXPECT_EQ(Session().Current().seeds.size(), count);
  Key("u");
  EXPECT_EQ(Session().Current().seeds.size(), count + 1);
  Key("r");
  Key("u");
  EXPECT_EQ(Session().Current().seeds.size(), count + 1);
  // Every seed's strength up one step.
  Key("greater");
  EXPECT_NEAR(Session().Current().seeds[3].strengthU,
              s_Sample->plan.strengthAtImplantU + planning::PlanEditSession::kStrengthStepU, 1e-12);
  EXPECT_EQ(m_Scene->plan.seeds.size(), count + 1);

  // Save: the plan written equals the session's, records the hand edit, and its live metrics
  // are a fresh evaluation's.
  Key("S");
  ASSERT_TRUE(fs::exists(m_Saved)) << m_Window->Status();
  const planning::Plan saved = planning::PlanXml::Read(m_Saved.string());
  ASSERT_EQ(saved.seeds.size(), count + 1);
  EXPECT_NEAR((saved.seeds[0].positionMm - Session().Current().seeds[0].positionMm).norm(), 0.0,
              1e-6);
  ASSERT_EQ(saved.handEdits.size(), 1u);
  EXPECT_EQ(saved.handEdits.back().utc, "2026-12-07T03:00:00Z");
  const planning::PlanEvaluation live = Session().Evaluation();
  test::ExpectEqualToFreshEvaluation(*s_Sample, saved, live, "(the saved plan)");
  // The DVH the window draws is the evaluator's.
  ASSERT_EQ(m_Scene->plan.dvh.size(), live.curves.size());
  EXPECT_DOUBLE_EQ(m_Scene->plan.dvh.front().points.back().x(),
                   live.curves.front().points.back().doseGy);
}

TEST_F(LiveEditOnTheSamplePlan, AnExceededOrganLimitTurnsRedInThePanel) {
  // A limit 5 % above an organ's dose: a seed added inside the organ exceeds it.
  planning::Plan plan = s_Sample->plan;
  const planning::OrganLimitSpec first = plan.limits.front();
  {
    planning::PlanEditSession probe(plan, s_Sample->ct.hu.Geometry(), s_Sample->structures,
                                    s_Sample->library);
    const auto checks = probe.Evaluation().limits;
    ASSERT_TRUE(checks.front().valueGy);
    plan.limits = {{first.structureName, first.metric, 1.05 * *checks.front().valueGy}};
  }
  const Eigen::Vector3d organ =
      viewer::MaskCentreMm(s_Sample->structures.Find(first.structureName)->mask);
  Open(plan);
  const auto redPixelsOfLimitRow = [&]() {
    const viewer::Picture picture = m_Window->Grab();
    for (std::size_t row = 0; row < m_Scene->editPanel.size(); ++row) {
      if (m_Scene->editPanel[row].text.rfind(first.structureName + " " + first.metric, 0) == 0) {
        const viewer::PixelBox box = picture.layout.editPanelRows.at(row);
        int red = 0;
        for (int y = box.y0; y < box.y1; ++y) {
          for (int x = box.x0; x < box.x1; ++x) {
            const viewer::Rgb c = picture.image.At(x, y);
            red += c[0] > 200 && c[1] < 90 && c[2] < 90;
          }
        }
        return red;
      }
    }
    ADD_FAILURE() << "no panel row for the limit";
    return -1;
  };
  EXPECT_EQ(redPixelsOfLimitRow(), 0);
  // Page to the organ's slice, click its centre, add a seed there.
  while (std::abs(m_Window->Grab().layout.frame->positionMm - organ.z()) > 2.0) {
    const double here = m_Window->Grab().layout.frame->positionMm;
    m_Window->DispatchEvent("KeyPressEvent", 0, 0, organ.z() > here ? "Up" : "Down");
    ASSERT_NE(m_Window->Grab().layout.frame->positionMm, here) << "cannot reach the organ";
  }
  const viewer::Picture picture = m_Window->Grab();
  const Eigen::Vector2d organPx = PixelOf(picture, organ);
  ClickAt(organPx);
  Key("n");
  ASSERT_EQ(Session().Current().seeds.size(), plan.seeds.size() + 1) << m_Window->Status();
  EXPECT_GT(redPixelsOfLimitRow(), 20) << "the exceeded limit is not red";
  Key("u");
  EXPECT_EQ(redPixelsOfLimitRow(), 0);
}

} // namespace
} // namespace seedplan::test
