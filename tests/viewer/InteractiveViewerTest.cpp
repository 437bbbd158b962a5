// The window's actions as the mouse and keys trigger them, on an off-screen window: paging,
// planes, window presets and dragging, level toggles, readout, ruler, zoom, screenshot and the
// redraw after the dose changes (what live seed editing will do).

#include "../core/TempFolder.h"
#include "PixelChecks.h"
#include "SyntheticScene.h"

#include "seedplan/core/Error.h"
#include "seedplan/viewer/InteractiveViewer.h"

#include <gtest/gtest.h>

#include <cmath>

namespace seedplan::test {
namespace {

using viewer::Rgb;

class Window : public ::testing::Test {
protected:
  void SetUp() override {
    const std::string problem = viewer::XDisplayProblem();
    ASSERT_TRUE(problem.empty()) << "no X display (" << problem << "): run under xvfb-run -a";
    m_Scene = std::make_shared<viewer::Scene>(SyntheticScene());
    viewer::ViewSettings settings;
    settings.sliceMm = 0.0;
    m_Viewer = std::make_unique<viewer::InteractiveViewer>(m_Scene, settings, true);
  }
  int RedOnTheRxCircle() {
    const viewer::Picture picture = m_Viewer->Grab();
    int count = 0;
    for (int i = 0; i < 36; ++i) {
      const double angle = 2.0 * 3.14159265358979 * i / 36;
      const Eigen::Vector3d p =
          ConeDose{}.centreMm + 30.0 * Eigen::Vector3d(std::cos(angle), std::sin(angle), 0.0);
      const auto pixel = picture.layout.PlaneToPixel(picture.layout.frame->ToPlane(p));
      count += ColorNear(picture.image, pixel, {255, 0, 0}, 2) ? 1 : 0;
    }
    return count;
  }
  Eigen::Vector2d PixelOf(const Eigen::Vector3d& point) {
    const auto& layout = m_Viewer->Grab().layout;
    return layout.PlaneToPixel(layout.frame->ToPlane(point));
  }

  std::shared_ptr<viewer::Scene> m_Scene;
  std::unique_ptr<viewer::InteractiveViewer> m_Viewer;
};

TEST_F(Window, WheelAndKeysPageThroughTheSlicesWithinTheScan) {
  EXPECT_DOUBLE_EQ(*m_Viewer->Settings().sliceMm, 0.0);
  m_Viewer->Wheel(1);
  EXPECT_DOUBLE_EQ(*m_Viewer->Settings().sliceMm, 2.5);
  m_Viewer->Wheel(-2);
  EXPECT_DOUBLE_EQ(*m_Viewer->Settings().sliceMm, -2.5);
  EXPECT_TRUE(m_Viewer->PressKey("Prior"));
  EXPECT_DOUBLE_EQ(*m_Viewer->Settings().sliceMm, 22.5);
  EXPECT_TRUE(m_Viewer->PressKey("Prior")); // stops at the last slice
  EXPECT_DOUBLE_EQ(*m_Viewer->Settings().sliceMm, 25.0);
  EXPECT_TRUE(m_Viewer->PressKey("Down"));
  EXPECT_DOUBLE_EQ(*m_Viewer->Settings().sliceMm, 22.5);
  EXPECT_FALSE(m_Viewer->PressKey("F12"));
}

TEST_F(Window, KeysToggleEachIsodoseLevelContoursAndSeeds) {
  EXPECT_GE(RedOnTheRxCircle(), 34);
  EXPECT_TRUE(m_Viewer->PressKey("4")); // the fourth level from the lowest: 100 %
  EXPECT_EQ(RedOnTheRxCircle(), 0);
  EXPECT_TRUE(m_Viewer->PressKey("4"));
  EXPECT_GE(RedOnTheRxCircle(), 34);
  EXPECT_TRUE(m_Viewer->PressKey("i"));
  EXPECT_EQ(RedOnTheRxCircle(), 0);
  EXPECT_TRUE(m_Viewer->PressKey("i"));
  EXPECT_GE(RedOnTheRxCircle(), 34);

  const auto seed = PixelOf({-10.0, 5.0, 0.0});
  EXPECT_EQ(m_Viewer->Grab().image.At(int(seed.x()), int(seed.y())), (Rgb{255, 255, 255}));
  EXPECT_TRUE(m_Viewer->PressKey("e"));
  EXPECT_NE(m_Viewer->Grab().image.At(int(seed.x()), int(seed.y())), (Rgb{255, 255, 255}));
  EXPECT_TRUE(m_Viewer->PressKey("o"));
  EXPECT_FALSE(m_Viewer->Settings().showContours);
}

TEST_F(Window, WindowPresetsCycleAndDraggingSetsWidthAndLevel) {
  EXPECT_EQ(m_Viewer->Settings().window.name, "soft tissue");
  m_Viewer->PressKey("w");
  EXPECT_EQ(m_Viewer->Settings().window.name, "lung");
  m_Viewer->PressKey("w");
  EXPECT_EQ(m_Viewer->Settings().window.name, "bone");
  m_Viewer->PressKey("w");
  EXPECT_EQ(m_Viewer->Settings().window.name, "soft tissue");
  // Soft tissue at 40 HU is mid grey; dragging up raises the level and darkens it.
  const auto tissue = PixelOf({30.0, 40.0, 0.0});
  const int before = m_Viewer->Grab().image.At(int(tissue.x()), int(tissue.y()))[0];
  EXPECT_NEAR(before, 128, 2);
  m_Viewer->DragWindowLevel(200.0, -100.0);
  EXPECT_EQ(m_Viewer->Settings().window.name, "custom");
  EXPECT_NEAR(m_Viewer->Settings().window.widthHu, 800.0, 1e-9);
  EXPECT_NEAR(m_Viewer->Settings().window.levelHu, 40.0 + 200.0, 1e-9);
  const int after = m_Viewer->Grab().image.At(int(tissue.x()), int(tissue.y()))[0];
  // (40 - (240 - 400)) / 800 of white.
  EXPECT_NEAR(after, 255.0 * 200.0 / 800.0, 2.0);
}

TEST_F(Window, AClickShowsHuAndDoseAtThatPoint) {
  const Eigen::Vector3d point(-10.0 + 12.3, 5.0, 0.0); // 12.3 mm from the cone's centre
  const auto pixel = PixelOf(point);
  m_Viewer->Click(pixel.x(), pixel.y());
  const std::string status = m_Viewer->Status();
  EXPECT_NE(status.find("40 HU"), std::string::npos) << status;
  // The dose trilinear at the pixel's centre: within a pixel (0.2 mm, 5 Gy/mm) of the cone's.
  const auto uv = m_Viewer->Grab().layout.PixelToPlane(pixel);
  const double expected = ConeDose{}.At(m_Viewer->Grab().layout.frame->ToPatient(uv));
  const std::size_t comma = status.rfind(", ");
  const double shown = std::stod(status.substr(comma + 2));
  EXPECT_NEAR(shown, expected, 0.5) << status;
  EXPECT_NE(status.find(" Gy"), std::string::npos);
  // The cursor's readout follows it, and outside the slice there is none.
  EXPECT_EQ(m_Viewer->ReadoutAt(-5.0, -5.0), "");
}

TEST_F(Window, TheRulerMeasuresMillimetres) {
  m_Viewer->PressKey("m");
  const auto a = PixelOf({-40.0, 0.0, 0.0});
  const auto b = PixelOf({0.0, 30.0, 0.0});
  m_Viewer->Click(a.x(), a.y());
  EXPECT_FALSE(m_Viewer->RulerMm());
  m_Viewer->Click(b.x(), b.y());
  ASSERT_TRUE(m_Viewer->RulerMm());
  EXPECT_NEAR(*m_Viewer->RulerMm(), 50.0, 1e-6);
  EXPECT_NE(m_Viewer->Status().find("50 mm"), std::string::npos) << m_Viewer->Status();
}

TEST_F(Window, PlanesSwitchThroughTheLastClickedPoint) {
  const auto pixel = PixelOf({20.0, -12.3, 0.0});
  m_Viewer->Click(pixel.x(), pixel.y());
  m_Viewer->PressKey("c");
  EXPECT_EQ(m_Viewer->Settings().plane, viewer::ViewPlane::Coronal);
  // Coronal slices lie on the CT's rows (1 mm): the one nearest y = -12.3 mm.
  EXPECT_NEAR(*m_Viewer->Settings().sliceMm, -12.5, 1e-9);
  m_Viewer->PressKey("s");
  EXPECT_NEAR(*m_Viewer->Settings().sliceMm, 19.5, 1.0);
  m_Viewer->PressKey("3");
  EXPECT_EQ(m_Viewer->Grab().layout.plane, viewer::ViewPlane::ThreeD);
  m_Viewer->PressKey("d"); // no DVH in this scene: it stays on the 3D view
  EXPECT_EQ(m_Viewer->Settings().plane, viewer::ViewPlane::ThreeD);
  m_Viewer->PressKey("a");
  EXPECT_EQ(m_Viewer->Settings().plane, viewer::ViewPlane::Axial);
}

TEST_F(Window, ZoomMagnifiesAroundTheLastClickedPoint) {
  const Eigen::Vector3d point(-25.0, 5.0, 0.0); // a seed
  const auto pixel = PixelOf(point);
  m_Viewer->Click(pixel.x(), pixel.y());
  m_Viewer->PressKey("plus");
  m_Viewer->PressKey("plus");
  EXPECT_NEAR(m_Viewer->Settings().zoom, 1.5625, 1e-12);
  const auto picture = m_Viewer->Grab();
  EXPECT_NEAR(picture.layout.mmPerPixel, 0.2 / 1.5625, 1e-12);
  const auto zoomed = picture.layout.PlaneToPixel(picture.layout.frame->ToPlane(point));
  EXPECT_NEAR(zoomed.x(), 400.0, 1.0);
  EXPECT_EQ(picture.image.At(int(zoomed.x()), int(zoomed.y())), (Rgb{255, 255, 255}));
  m_Viewer->PressKey("0");
  EXPECT_EQ(m_Viewer->Settings().zoom, 1.0);
}

TEST_F(Window, TheScreenshotKeyWritesTheViewAsAPng) {
  TempFolder folder;
  m_Viewer->SetScreenshotFolder(folder.Path());
  m_Viewer->PressKey("p");
  const auto file = folder / "seedplan-axial-0mm.png";
  ASSERT_TRUE(std::filesystem::exists(file)) << m_Viewer->Status();
  const viewer::RgbImage image = viewer::ReadPng(file);
  EXPECT_EQ(image.width, 800);
  EXPECT_EQ(image.height, 800);
}

TEST_F(Window, AChangedDoseIsRedrawnOnTheSliceInView) {
  // What live editing does: the dose changes in place (here doubled), then the window is told.
  for (float& value : m_Scene->plan.dose->values.Data()) {
    value *= 2.0f;
  }
  m_Viewer->DoseChanged();
  // 2 x Rx (2.5 - r/20) = Rx at r = 40 mm: the 100 % line moved out there.
  EXPECT_EQ(RedOnTheRxCircle(), 0);
  const viewer::Picture picture = m_Viewer->Grab();
  int found = 0;
  for (int i = 0; i < 36; ++i) {
    const double angle = 2.0 * 3.14159265358979 * i / 36;
    const Eigen::Vector3d p =
        ConeDose{}.centreMm + 40.0 * Eigen::Vector3d(std::cos(angle), std::sin(angle), 0.0);
    found += ColorNear(picture.image, picture.layout.PlaneToPixel(picture.layout.frame->ToPlane(p)),
                       {255, 0, 0}, 2)
                 ? 1
                 : 0;
  }
  EXPECT_GE(found, 34);
  // Seeds moved: the window redraws them where they are now.
  m_Scene->plan.seeds[0].positionMm = {30.0, -30.0, 0.0};
  m_Viewer->SeedsChanged();
  const auto moved = PixelOf({30.0, -30.0, 0.0});
  EXPECT_EQ(m_Viewer->Grab().image.At(int(moved.x()), int(moved.y())), (Rgb{255, 255, 255}));
}

TEST_F(Window, MouseAndKeyEventsReachTheirActionsThroughTheWindowBindings) {
  m_Viewer->DispatchEvent("KeyPressEvent", 0, 0, "Up");
  EXPECT_DOUBLE_EQ(*m_Viewer->Settings().sliceMm, 2.5);
  m_Viewer->DispatchEvent("MouseWheelBackwardEvent", 400, 400);
  m_Viewer->DispatchEvent("MouseWheelBackwardEvent", 400, 400);
  EXPECT_DOUBLE_EQ(*m_Viewer->Settings().sliceMm, -2.5);
  m_Viewer->DispatchEvent("MouseWheelForwardEvent", 400, 400);
  EXPECT_DOUBLE_EQ(*m_Viewer->Settings().sliceMm, 0.0);
  // A press and release in place is a click: the readout at that point.
  const auto point = PixelOf({20.0, -12.0, 0.0});
  m_Viewer->DispatchEvent("LeftButtonPressEvent", point.x(), point.y());
  m_Viewer->DispatchEvent("LeftButtonReleaseEvent", point.x(), point.y());
  EXPECT_NE(m_Viewer->Status().find("40 HU"), std::string::npos) << m_Viewer->Status();
  // Moving with the button down drags the window: 100 px right widens it by 2^(1/2).
  m_Viewer->DispatchEvent("LeftButtonPressEvent", 300, 300);
  m_Viewer->DispatchEvent("MouseMoveEvent", 350, 300);
  m_Viewer->DispatchEvent("MouseMoveEvent", 400, 300);
  m_Viewer->DispatchEvent("LeftButtonReleaseEvent", 400, 300);
  EXPECT_NEAR(m_Viewer->Settings().window.widthHu, 400.0 * std::sqrt(2.0), 1.0);
  // The cursor alone: the readout follows it.
  m_Viewer->DispatchEvent("MouseMoveEvent", point.x() + 50, point.y());
  EXPECT_NE(m_Viewer->Status().find("x 30"), std::string::npos) << m_Viewer->Status();
  m_Viewer->DispatchEvent("KeyPressEvent", 0, 0, "c");
  EXPECT_EQ(m_Viewer->Settings().plane, viewer::ViewPlane::Coronal);
  EXPECT_THROW(m_Viewer->DispatchEvent("NoSuchEvent", 0, 0), InvalidInput);
}

TEST(WindowOnScreen, OpensRunsItsEventLoopAndCloses) {
  const std::string problem = viewer::XDisplayProblem();
  ASSERT_TRUE(problem.empty()) << "no X display (" << problem << "): run under xvfb-run -a";
  auto scene = std::make_shared<viewer::Scene>(SyntheticScene());
  viewer::InteractiveViewer window(scene, {}, false);
  window.Run(0.5);
  window.PressKey("Up");
  const viewer::Picture picture = window.Grab();
  EXPECT_EQ(picture.image.width, 800);
  EXPECT_EQ(picture.image.height, 800);
  EXPECT_GT(CountColor(picture.image, {255, 0, 0}, [](int, int) { return true; }), 100);
}

} // namespace
} // namespace seedplan::test
