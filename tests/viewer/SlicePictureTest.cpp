// Slice pictures of known scenes: pixels checked where isodoses, contours, seeds, legend and scale
// bar must be (and must not be).

#include "PixelChecks.h"
#include "SyntheticScene.h"

#include "seedplan/core/Error.h"
#include "seedplan/viewer/IsodoseLevels.h"
#include "seedplan/viewer/Pictures.h"

#include <gtest/gtest.h>

#include <numbers>

namespace seedplan::test {
namespace {

using viewer::Rgb;

viewer::Picture Axial(const viewer::Scene& scene, viewer::ViewSettings settings = {}) {
  static viewer::PictureRenderer renderer;
  settings.plane = viewer::ViewPlane::Axial;
  if (!settings.sliceMm) {
    settings.sliceMm = 0.0;
  }
  return renderer.Render(scene, settings);
}

/// A circle of radius r (mm) around c in the axial plane, as picture pixels.
std::vector<Eigen::Vector2d> CirclePixels(const viewer::PictureLayout& layout,
                                          const Eigen::Vector3d& centre, double radiusMm,
                                          int points) {
  std::vector<Eigen::Vector2d> pixels;
  for (int i = 0; i < points; ++i) {
    const double angle = 2.0 * std::numbers::pi * i / points;
    const Eigen::Vector3d p =
        centre + radiusMm * Eigen::Vector3d(std::cos(angle), std::sin(angle), 0);
    pixels.push_back(layout.PlaneToPixel(layout.frame->ToPlane(p)));
  }
  return pixels;
}

TEST(SlicePicture, EveryIsodoseColourLiesOnItsLevelAndNowhereElse) {
  SEEDPLAN_REQUIRE_DISPLAY();
  SyntheticSceneOptions options;
  options.dose.capPct = 180.0; // the dose never reaches 200 %: magenta must not appear
  const viewer::Scene scene = SyntheticScene(options);
  const viewer::Picture picture = Axial(scene);
  KeepForInspection(picture.image, "isodose_levels");
  ASSERT_EQ(picture.image.width, 800);
  ASSERT_EQ(picture.image.height, 800);
  const auto& layout = picture.layout;
  const auto levels = viewer::ResolveLevels({}, viewer::ReferencePrescription{"GTV_Test", 100, ""},
                                            *scene.plan.dose);
  auto outsideLegends = [&](int x, int y) {
    return !layout.legendBox.Contains(x, y) && layout.imageBox.Contains(x, y);
  };
  for (const auto& level : levels) {
    const int count = CountColor(picture.image, level.colorRgb, outsideLegends);
    if (level.percent > 180.0) {
      EXPECT_EQ(count, 0) << level.label << " is drawn where the dose never reaches it";
      continue;
    }
    const double radius = ConeDose::RadiusOfPercentMm(level.percent);
    int onCircle = 0;
    for (const auto& pixel : CirclePixels(layout, options.dose.centreMm, radius, 36)) {
      onCircle += ColorNear(picture.image, pixel, level.colorRgb, 2) ? 1 : 0;
    }
    EXPECT_GE(onCircle, 34) << level.label << ": colour missing on its circle of " << radius
                            << " mm";
    // Nowhere away from the circle: every pixel of the colour lies within 2 px + half the line.
    const double mmPerPx = layout.mmPerPixel;
    const int stray = CountColor(picture.image, level.colorRgb, [&](int x, int y) {
      if (!outsideLegends(x, y)) {
        return false;
      }
      const Eigen::Vector3d p = layout.frame->ToPatient(layout.PixelToPlane({x + 0.5, y + 0.5}));
      const double r = (p - options.dose.centreMm).head<2>().norm();
      return std::abs(r - radius) > 4.0 * mmPerPx;
    });
    EXPECT_EQ(stray, 0) << level.label << ": pixels of its colour away from its level";
    EXPECT_GT(count, 0);
  }
}

/// Pixels of `color` whose patient point lies farther than `toleranceMm` from the circle.
int StrayPixels(const viewer::Picture& picture, const Rgb& color, const Eigen::Vector3d& centre,
                double radiusMm, double toleranceMm) {
  const auto& layout = picture.layout;
  return CountColor(picture.image, color, [&](int x, int y) {
    if (layout.legendBox.Contains(x, y) || !layout.imageBox.Contains(x, y)) {
      return false;
    }
    const Eigen::Vector3d p = layout.frame->ToPatient(layout.PixelToPlane({x + 0.5, y + 0.5}));
    return std::abs((p - centre).head<2>().norm() - radiusMm) > toleranceMm;
  });
}

int OnCircle(const viewer::Picture& picture, const Rgb& color, const Eigen::Vector3d& centre,
             double radiusMm, int points, int searchPx = 2) {
  int count = 0;
  for (const auto& pixel : CirclePixels(picture.layout, centre, radiusMm, points)) {
    count += ColorNear(picture.image, pixel, color, searchPx) ? 1 : 0;
  }
  return count;
}

TEST(SlicePicture, TheTargetsColourRunsAlongItsEdge) {
  SEEDPLAN_REQUIRE_DISPLAY();
  const viewer::Scene scene = SyntheticScene();
  const viewer::Picture picture = Axial(scene);
  const Eigen::Vector3d centre = ConeDose{}.centreMm;
  // The outline runs halfway between the inside voxel centres (r <= 25 mm) and the outside ones,
  // cutting the corners of the voxel steps: from 24.5 to 26.5 mm on 1 mm voxels. Look along
  // rays from the centre.
  int found = 0;
  for (int i = 0; i < 72; ++i) {
    const double angle = 2.0 * std::numbers::pi * i / 72;
    bool hit = false;
    for (double r = 24.5; r <= 26.5 && !hit; r += 0.1) {
      const Eigen::Vector3d p = centre + r * Eigen::Vector3d(std::cos(angle), std::sin(angle), 0);
      const auto px = picture.layout.PlaneToPixel(picture.layout.frame->ToPlane(p));
      hit = picture.image.At(int(px.x()), int(px.y())) == kTargetColor;
    }
    found += hit ? 1 : 0;
  }
  // All but the ray at 180 degrees, where the needle (drawn above contours) crosses the edge.
  EXPECT_GE(found, 71);
  // Nowhere else (the contour legend's swatch lies outside the slice box's check).
  const int stray = CountColor(picture.image, kTargetColor, [&](int x, int y) {
    const auto& layout = picture.layout;
    if (!layout.imageBox.Contains(x, y) || layout.legendBox.Contains(x, y) ||
        (!layout.contourLegend.empty() && y > layout.contourLegend.front().swatch.y0 - 20 &&
         x > layout.contourLegend.front().swatch.x0 - 20)) {
      return false;
    }
    const Eigen::Vector3d p = layout.frame->ToPatient(layout.PixelToPlane({x + 0.5, y + 0.5}));
    return std::abs((p - centre).head<2>().norm() - 25.5) > 1.2;
  });
  EXPECT_EQ(stray, 0);
  ASSERT_EQ(picture.layout.contourLegend.size(), 1u);
  EXPECT_EQ(picture.layout.contourLegend.front().text, "GTV_Test");
}

TEST(SlicePicture, RtStructureSetContoursAreDrawnOnTheirOwnSlice) {
  SEEDPLAN_REQUIRE_DISPLAY();
  viewer::Scene scene = SyntheticScene();
  viewer::SceneStructure drawn;
  drawn.name = "Cord";
  drawn.colorRgb = {150, 150, 0};
  drawn.mask = Mask(GridGeometry({0, 0, 0}, {1, 1, 1}, {1, 1, 1}), 0);
  std::vector<Eigen::Vector3d> circle;
  for (int i = 0; i < 60; ++i) {
    const double angle = 2.0 * std::numbers::pi * i / 60;
    circle.push_back({40.0 + 12.0 * std::cos(angle), 30.0 + 12.0 * std::sin(angle), 5.0});
  }
  drawn.contoursMm.push_back(circle);
  scene.structures.push_back(drawn);
  viewer::ViewSettings settings;
  settings.sliceMm = 5.0;
  const viewer::Picture on = Axial(scene, settings);
  EXPECT_GE(OnCircle(on, drawn.colorRgb, {40.0, 30.0, 5.0}, 12.0, 36), 35);
  settings.sliceMm = 7.5;
  const viewer::Picture off = Axial(scene, settings);
  EXPECT_EQ(OnCircle(off, drawn.colorRgb, {40.0, 30.0, 7.5}, 12.0, 36), 0);
}

TEST(SlicePicture, SeedsAreDrawnWhereTheyAreAlongTheirAxesAndOnlyNearTheSlice) {
  SEEDPLAN_REQUIRE_DISPLAY();
  const viewer::Scene scene = SyntheticScene();
  const viewer::Picture picture = Axial(scene);
  KeepForInspection(picture.image, "seeds");
  const auto& layout = picture.layout;
  const Rgb white{255, 255, 255};
  const Rgb black{0, 0, 0};
  auto pixelOf = [&](const Eigen::Vector3d& p) {
    return layout.PlaneToPixel(layout.frame->ToPlane(p));
  };
  // Seed 1 at (-10, 5, 0) along x: white at its centre and 1.8 mm either side along x (inside its
  // 4.5 mm capsule), grey 1.8 mm above and below it (it is 0.8 mm across, drawn >= 3 px).
  for (double dx : {-1.8, 0.0, 1.8}) {
    EXPECT_EQ(picture.image.At(int(pixelOf({-10.0 + dx, 5.0, 0.0}).x()),
                               int(pixelOf({-10.0 + dx, 5.0, 0.0}).y())),
              white)
        << dx;
  }
  for (double dy : {-1.8, 1.8}) {
    const auto px = pixelOf({-10.0, 5.0 + dy, 0.0});
    EXPECT_NE(picture.image.At(int(px.x()), int(px.y())), white) << dy;
  }
  EXPECT_TRUE(ColorNear(picture.image, pixelOf({-10.0, 5.0, 0.0}), black, 6));
  // Seed 2 at (-25, 5, 0.5) along y: white along y.
  for (double dy : {-1.8, 0.0, 1.8}) {
    const auto px = pixelOf({-25.0, 5.0 + dy, 0.0});
    EXPECT_EQ(picture.image.At(int(px.x()), int(px.y())), white) << dy;
  }
  // Seed 3 at z = 5 mm lies 2 slices away: nothing white there.
  EXPECT_FALSE(ColorNear(picture.image, pixelOf({5.0, 5.0, 0.0}), white, 4));
  // On the slice at z = 5 it is drawn.
  viewer::ViewSettings settings;
  settings.sliceMm = 5.0;
  const viewer::Picture other = Axial(scene, settings);
  const auto px = other.layout.PlaneToPixel(other.layout.frame->ToPlane({5.0, 5.0, 5.0}));
  EXPECT_EQ(other.image.At(int(px.x()), int(px.y())), white);
}

TEST(SlicePicture, LegendShowsEverySwatchInItsColourAndNamesTheReference) {
  SEEDPLAN_REQUIRE_DISPLAY();
  const viewer::Scene scene = SyntheticScene();
  const viewer::Picture picture = Axial(scene);
  const auto& legend = picture.layout.isodoseLegend;
  ASSERT_EQ(legend.size(), 6u);
  // Highest level first.
  EXPECT_EQ(legend.front().text, "200 %  200 Gy");
  EXPECT_EQ(legend.back().text, "50 %  50 Gy");
  for (const auto& row : legend) {
    const int count = CountColor(picture.image, row.colorRgb,
                                 [&](int x, int y) { return row.swatch.Contains(x, y); });
    // A swatch of 2.2 em x the line width: at least 30 x 3 pixels.
    EXPECT_GE(count, 90) << row.text;
  }
  // The legend's box holds text: bright pixels beside the swatches (titles, labels, model).
  const auto& box = picture.layout.legendBox;
  const int text =
      CountColor(picture.image, {235, 235, 235}, [&](int x, int y) { return box.Contains(x, y); });
  EXPECT_GT(text, 200);
  ASSERT_FALSE(box.Empty());
  EXPECT_GT(box.x0, picture.layout.widthPx / 2); // top right
  EXPECT_LT(box.y1, picture.layout.heightPx / 2);
}

TEST(SlicePicture, ScaleBarIsAsLongAsItsMillimetres) {
  SEEDPLAN_REQUIRE_DISPLAY();
  const viewer::Scene scene = SyntheticScene();
  const viewer::Picture picture = Axial(scene);
  const auto& bar = picture.layout.scaleBar;
  const int y = (bar.y0 + bar.y1) / 2;
  // The white run that starts at the bar's left end.
  ASSERT_EQ(picture.image.At(bar.x0 + 1, y), (Rgb{255, 255, 255}));
  int first = bar.x0 + 1;
  while (first > 0 && picture.image.At(first - 1, y) == Rgb{255, 255, 255}) {
    --first;
  }
  int last = first;
  while (last + 1 < picture.image.width && picture.image.At(last + 1, y) == Rgb{255, 255, 255}) {
    ++last;
  }
  const double drawnMm = (last - first + 1) * picture.layout.mmPerPixel;
  // Within 3 pixels: the ends are rounded to whole pixels and the ribbon's caps add half its
  // 2 px width at each end.
  EXPECT_NEAR(drawnMm, picture.layout.scaleBarMm, 3.0 * picture.layout.mmPerPixel);
  EXPECT_EQ(picture.layout.scaleBarMm, 20.0); // 160 mm over 800 px: a fifth is 32 mm
}

TEST(SlicePicture, ZoomKeepsEveryPointWhereTheLayoutSays) {
  SEEDPLAN_REQUIRE_DISPLAY();
  const viewer::Scene scene = SyntheticScene();
  viewer::ViewSettings settings;
  settings.zoom = 4.0;
  settings.zoomCentreMm = Eigen::Vector3d(-20.0, 5.0, 0.0);
  const viewer::Picture picture = Axial(scene, settings);
  EXPECT_NEAR(picture.layout.mmPerPixel, 0.2 / 4.0, 1e-12);
  const auto seed = picture.layout.PlaneToPixel(picture.layout.frame->ToPlane({-25.0, 5.0, 0.0}));
  EXPECT_EQ(picture.image.At(int(seed.x()), int(seed.y())), Rgb({255, 255, 255}));
  // The 150 % circle (20 mm) passes 10 mm left of the zoom centre at 50 px/mm.
  EXPECT_GE(OnCircle(picture, {255, 255, 0}, ConeDose{}.centreMm, 20.0, 360), 1);
}

TEST(SlicePicture, TheSecondPlansPrescriptionIsodoseIsDashedWhenTheFramesAgree) {
  SEEDPLAN_REQUIRE_DISPLAY();
  viewer::Scene scene = SyntheticScene();
  viewer::ScenePlan post = scene.plan;
  post.label = "post.xml (post-implant)";
  // The post-implant dose: 10 % lower, so its 100 % circle lies at r = 20 (2.5 - 1/0.9) = 27.8 mm.
  for (float& value : post.dose->values.Data()) {
    value *= 0.9f;
  }
  post.seeds.clear();
  scene.compare = post;
  const double radius = 20.0 * (2.5 - 1.0 / 0.9);
  const Eigen::Vector3d centre = ConeDose{}.centreMm;
  const viewer::Picture same = Axial(scene);
  KeepForInspection(same.image, "compare_dashed");
  // Dashes of 9 px with 6 px gaps cover 60 % of the circle (the 1 px search widens them to 73 %).
  const int red = OnCircle(same, {255, 0, 0}, centre, radius, 180, 1);
  EXPECT_GT(red, 180 * 0.5);
  EXPECT_LT(red, 180 * 0.85);
  ASSERT_EQ(same.layout.isodoseLegend.size(), 7u);
  EXPECT_TRUE(same.layout.isodoseLegend.back().dashed);

  scene.compareSharesFrame = false;
  const viewer::Picture other = Axial(scene);
  EXPECT_EQ(OnCircle(other, {255, 0, 0}, centre, radius, 180), 0);
  EXPECT_EQ(other.layout.isodoseLegend.size(), 6u);
}

TEST(SlicePicture, AHiddenLevelIsNotDrawnAndTheOthersStay) {
  SEEDPLAN_REQUIRE_DISPLAY();
  const viewer::Scene scene = SyntheticScene();
  viewer::ViewSettings settings;
  settings.levelHidden = {false, false, false, true};
  const viewer::Picture picture = Axial(scene, settings);
  const Eigen::Vector3d centre = ConeDose{}.centreMm;
  EXPECT_EQ(OnCircle(picture, {255, 0, 0}, centre, 30.0, 36), 0);
  EXPECT_GE(OnCircle(picture, {0, 255, 0}, centre, 32.0, 36), 34);
}

TEST(SlicePicture, ADoseRateGridIsDrawnAtTheRatesOfTheSameLevels) {
  SEEDPLAN_REQUIRE_DISPLAY();
  viewer::Scene scene = SyntheticScene();
  viewer::SceneDose& dose = *scene.plan.dose;
  dose.isDoseRate = true;
  dose.quantity = "initial dose rate";
  for (float& value : dose.values.Data()) {
    value = float(value * 100.0 / dose.meanLifeHours);
  }
  const viewer::Picture picture = Axial(scene);
  const Eigen::Vector3d centre = ConeDose{}.centreMm;
  EXPECT_GE(OnCircle(picture, {255, 0, 0}, centre, 30.0, 36), 34);
  EXPECT_EQ(StrayPixels(picture, {255, 0, 0}, centre, 30.0, 4.0 * picture.layout.mmPerPixel), 0);
  EXPECT_NE(picture.layout.isodoseLegend[2].text.find("cGy/h"), std::string::npos);
}

TEST(SlicePicture, AbsoluteLevelsAreDrawnAtTheirDose) {
  SEEDPLAN_REQUIRE_DISPLAY();
  const viewer::Scene scene = SyntheticScene();
  viewer::ViewSettings settings;
  settings.levels.absolute = true;
  settings.levels.values = {125.0}; // r = 20 (2.5 - 1.25) = 25 mm, the palette's first hue
  const viewer::Picture picture = Axial(scene, settings);
  const Eigen::Vector3d centre = ConeDose{}.centreMm;
  EXPECT_GE(OnCircle(picture, {0, 0, 255}, centre, 25.0, 36), 34);
  EXPECT_EQ(StrayPixels(picture, {0, 0, 255}, centre, 25.0, 4.0 * picture.layout.mmPerPixel), 0);
}

TEST(SlicePicture, IsExactlyTheSizeAskedAndFillsItAlongTheTighterSide) {
  SEEDPLAN_REQUIRE_DISPLAY();
  const viewer::Scene scene = SyntheticScene();
  for (const auto& [width, height] : {std::pair{640, 480}, std::pair{300, 900}}) {
    viewer::ViewSettings settings;
    settings.widthPx = width;
    settings.heightPx = height;
    const viewer::Picture picture = Axial(scene, settings);
    EXPECT_EQ(picture.image.width, width);
    EXPECT_EQ(picture.image.height, height);
    const auto& box = picture.layout.imageBox;
    EXPECT_TRUE(box.x1 - box.x0 == width || box.y1 - box.y0 == height)
        << box.x0 << " " << box.x1 << " " << box.y0 << " " << box.y1;
  }
  viewer::ViewSettings tiny;
  tiny.widthPx = 50;
  static viewer::PictureRenderer renderer;
  EXPECT_THROW(renderer.Render(scene, tiny), InvalidInput);
}

} // namespace
} // namespace seedplan::test
