// The DVH chart (curves end at each structure's Dmax, prescriptions marked, the second plan
// dashed) and the 3D view, from known scenes.

#include "PixelChecks.h"
#include "SyntheticScene.h"

#include "seedplan/core/Error.h"
#include "seedplan/viewer/Pictures.h"

#include <gtest/gtest.h>

#include <cmath>

namespace seedplan::test {
namespace {

using viewer::Rgb;

const Rgb kTargetCurve{200, 100, 50};
const Rgb kOrganCurve{60, 140, 255};
const Rgb kFarCurve{170, 60, 200};

/// A target whose DVH stays at 100 % up to 80 Gy and falls linearly to 0 at Dmax 150 Gy, and an
/// organ with V(D) = 100 (1 - D/60)^2 up to its Dmax of 60 Gy.
viewer::Scene DvhScene() {
  viewer::Scene scene = SyntheticScene();
  viewer::DvhCurve target;
  target.structureName = "GTV_Test";
  target.colorRgb = kTargetCurve;
  target.isTarget = true;
  target.maxDoseGy = 150.0;
  for (double dose = 0.0; dose <= 150.0; dose += 1.0) {
    target.points.push_back({dose, dose <= 80.0 ? 100.0 : 100.0 * (150.0 - dose) / 70.0});
  }
  viewer::DvhCurve organ;
  organ.structureName = "Cord";
  organ.colorRgb = kOrganCurve;
  organ.maxDoseGy = 60.0;
  for (double dose = 0.0; dose <= 60.0; dose += 0.5) {
    organ.points.push_back({dose, 100.0 * std::pow(1.0 - dose / 60.0, 2)});
  }
  scene.plan.dvh = {target, organ};
  return scene;
}

viewer::Picture Draw(const viewer::Scene& scene, viewer::ViewPlane plane) {
  static viewer::PictureRenderer renderer;
  viewer::ViewSettings settings;
  settings.plane = plane;
  return renderer.Render(scene, settings);
}

/// The rightmost pixel of `color` inside the plot, and the lowest pixel of that colour in its
/// column.
Eigen::Vector2i RightmostInPlot(const viewer::Picture& picture, const Rgb& color) {
  const auto& box = picture.layout.plotBox;
  for (int x = box.x1 + 2; x >= box.x0; --x) {
    for (int y = box.y1 + 2; y >= box.y0 - 2; --y) {
      if (picture.image.At(x, y) == color) {
        return {x, y};
      }
    }
  }
  return {-1, -1};
}

TEST(DvhPicture, EveryCurveEndsAtItsStructuresMaximumDose) {
  SEEDPLAN_REQUIRE_DISPLAY();
  const viewer::Scene scene = DvhScene();
  const viewer::Picture picture = Draw(scene, viewer::ViewPlane::Dvh);
  KeepForInspection(picture.image, "dvh_synthetic");
  const auto& layout = picture.layout;
  // The axis: three times the prescription (300 Gy) or the largest Dmax (150 Gy) if lower,
  // rounded up to a tick of 20 Gy.
  EXPECT_DOUBLE_EQ(layout.doseAxisMaxGy, 160.0);
  // A line's half width (3 px targets, 2 px organs) plus its square cap, plus a pixel of rounding.
  constexpr double kEndTolerancePx = 3.0;
  for (const auto& curve : scene.plan.dvh) {
    const Eigen::Vector2i end = RightmostInPlot(picture, curve.colorRgb);
    ASSERT_GE(end.x(), 0) << curve.structureName;
    const Eigen::Vector2d expected = layout.DvhToPixel(curve.maxDoseGy, 0.0);
    EXPECT_NEAR(end.x(), expected.x(), kEndTolerancePx) << curve.structureName;
    EXPECT_NEAR(end.y(), expected.y(), kEndTolerancePx) << curve.structureName;
    // And every curve starts at 100 % at 0 Gy.
    const Eigen::Vector2d start = layout.DvhToPixel(0.5, 100.0);
    EXPECT_TRUE(ColorNear(picture.image, start, curve.colorRgb, 3)) << curve.structureName;
  }
  // Halfway down the target's slope: 50 % at 115 Gy.
  EXPECT_TRUE(ColorNear(picture.image, layout.DvhToPixel(115.0, 50.0), kTargetCurve, 2));
  // The organ at 30 Gy: 25 %.
  EXPECT_TRUE(ColorNear(picture.image, layout.DvhToPixel(30.0, 25.0), kOrganCurve, 2));
  // The prescription (100 Gy) is marked by a dotted line in the target's colour.
  int marker = 0;
  const double x = layout.DvhToPixel(100.0, 0.0).x();
  for (int y = layout.plotBox.y0; y < layout.plotBox.y0 + 60; ++y) {
    marker += picture.image.At(int(x), y) == kTargetCurve ? 1 : 0;
  }
  EXPECT_GT(marker, 10);
  ASSERT_EQ(layout.curveLegend.size(), 2u);
  EXPECT_EQ(layout.curveLegend[0].text, "GTV_Test  Dmax 150");
}

TEST(DvhPicture, ACurveBeyondTheAxisRunsToItsEdgeAndTheLegendSaysSo) {
  SEEDPLAN_REQUIRE_DISPLAY();
  viewer::Scene scene = DvhScene();
  viewer::DvhCurve hot;
  hot.structureName = "GTV_Hot";
  hot.colorRgb = kFarCurve;
  hot.isTarget = true;
  hot.maxDoseGy = 900.0;
  for (double dose = 0.0; dose <= 900.0; dose += 5.0) {
    hot.points.push_back({dose, 100.0 * std::exp(-dose / 150.0)});
  }
  scene.plan.dvh.push_back(hot);
  const viewer::Picture picture = Draw(scene, viewer::ViewPlane::Dvh);
  EXPECT_DOUBLE_EQ(picture.layout.doseAxisMaxGy, 300.0);
  const Eigen::Vector2i end = RightmostInPlot(picture, kFarCurve);
  EXPECT_NEAR(end.x(), picture.layout.plotBox.x1, 3.0);
  EXPECT_EQ(picture.layout.curveLegend[1].text, "GTV_Hot  Dmax 900 >");
}

TEST(DvhPicture, TheSecondPlansCurvesAreDashed) {
  SEEDPLAN_REQUIRE_DISPLAY();
  viewer::Scene scene = DvhScene();
  viewer::ScenePlan post;
  post.label = "post.xml (post-implant)";
  viewer::DvhCurve target = scene.plan.dvh.front();
  for (auto& point : target.points) {
    point.x() *= 0.8; // 20 % colder, Dmax 120 Gy
  }
  target.maxDoseGy = 120.0;
  post.dvh = {target};
  scene.compare = post;
  const viewer::Picture picture = Draw(scene, viewer::ViewPlane::Dvh);
  KeepForInspection(picture.image, "dvh_compare");
  // Along the second plan's plateau at 100 % from 5 to 60 Gy, only the dashes are coloured.
  // (Both plans share the plateau, so look at the falling part: 50 % at 92 Gy for the second.)
  int on = 0;
  int total = 0;
  for (double volume = 10.0; volume <= 90.0; volume += 0.5) {
    const double dose = 0.8 * (150.0 - 0.7 * volume);
    ++total;
    on +=
        ColorNear(picture.image, picture.layout.DvhToPixel(dose, volume), kTargetCurve, 1) ? 1 : 0;
  }
  EXPECT_GT(on, total * 0.4);
  EXPECT_LT(on, total * 0.9);
  // Its legend row is dashed and, like every text, inside the picture.
  ASSERT_EQ(picture.layout.curveLegend.size(), scene.plan.dvh.size() + 1);
  EXPECT_TRUE(picture.layout.curveLegend.back().dashed);
  EXPECT_EQ(picture.layout.curveLegend.back().text, "GTV_Test  Dmax 120");
  for (const auto& box : picture.layout.textBoxes) {
    EXPECT_LE(box.x1, picture.image.width + 2) << box.x0; // the box has 2 px of margin
  }
}

TEST(DvhPicture, WithoutCurvesIsRefused) {
  SEEDPLAN_REQUIRE_DISPLAY();
  const viewer::Scene scene = SyntheticScene();
  EXPECT_THROW(Draw(scene, viewer::ViewPlane::Dvh), InvalidInput);
}

TEST(ThreeDPicture, ShowsTheTargetSeedsAndThePrescriptionIsodose) {
  SEEDPLAN_REQUIRE_DISPLAY();
  viewer::Scene scene = SyntheticScene();
  const viewer::Picture picture = Draw(scene, viewer::ViewPlane::ThreeD);
  KeepForInspection(picture.image, "three_d");
  const Rgb background = picture.image.At(picture.image.width - 2, picture.image.height - 2);
  int drawn = 0;
  int reddish = 0;
  for (int y = 0; y < picture.image.height; ++y) {
    for (int x = 0; x < picture.image.width; ++x) {
      const Rgb c = picture.image.At(x, y);
      drawn += c != background ? 1 : 0;
      reddish += (c[0] > 120 && c[0] > 2 * c[1] && c[0] > 2 * c[2]) ? 1 : 0;
    }
  }
  EXPECT_GT(drawn, picture.image.width * picture.image.height / 20);
  EXPECT_GT(reddish, 500); // the 100 % isodose surface, red and translucent
  // A dose grid that does not cover the CT is refused, naming what is missing.
  GridGeometry box({-39.5, -79.5, -25.0}, {1.0, 1.0, 2.5}, {80, 160, 21});
  scene.plan.dose->values = Volume<float>(box, 1.0f);
  try {
    Draw(scene, viewer::ViewPlane::ThreeD);
    FAIL() << "drawn";
  } catch (const InvalidInput& error) {
    EXPECT_NE(std::string(error.what()).find("x from -79.5 to -40 mm"), std::string::npos)
        << error.what();
  }
}

} // namespace
} // namespace seedplan::test
