// Orientation letters and anatomy on the correct side for DICOM series written head first supine,
// feet first supine (mirrored x and z axes) and head first prone, read back as a user's CT is;
// and for series another program (pydicom) wrote in all four positions, turned in plane and with
// unequal pixel spacing.

#include "../core/TempFolder.h"
#include "ForeignSeries.h"
#include "PixelChecks.h"
#include "SyntheticScene.h"

#include "seedplan/imaging/CtLoader.h"
#include "seedplan/imaging/DicomCtWriter.h"
#include "seedplan/viewer/Pictures.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>

namespace seedplan::test {
namespace {

/// The bright pixels (white letters) around a label, cropped to their bounding box: a picture
/// of the glyph that does not depend on where it was drawn.
struct Glyph {
  int width = 0;
  int height = 0;
  std::vector<bool> on;
  bool operator==(const Glyph& other) const {
    return width == other.width && height == other.height && on == other.on;
  }
};

Glyph GlyphAt(const viewer::RgbImage& image, const viewer::PlacedText& label) {
  const int reach = 24;
  int x0 = image.width, y0 = image.height, x1 = -1, y1 = -1;
  auto bright = [&](int x, int y) {
    const auto c = image.At(x, y);
    return c[0] > 200 && c[1] > 200 && c[2] > 200;
  };
  const int cx = int(label.centrePx.x());
  const int cy = int(label.centrePx.y());
  for (int y = std::max(0, cy - reach); y < std::min(image.height, cy + reach); ++y) {
    for (int x = std::max(0, cx - reach); x < std::min(image.width, cx + reach); ++x) {
      if (bright(x, y)) {
        x0 = std::min(x0, x);
        y0 = std::min(y0, y);
        x1 = std::max(x1, x);
        y1 = std::max(y1, y);
      }
    }
  }
  Glyph glyph;
  if (x1 < 0) {
    return glyph;
  }
  glyph.width = x1 - x0 + 1;
  glyph.height = y1 - y0 + 1;
  for (int y = y0; y <= y1; ++y) {
    for (int x = x0; x <= x1; ++x) {
      glyph.on.push_back(bright(x, y));
    }
  }
  return glyph;
}

struct Series {
  std::string position;
  Eigen::Matrix3d direction;
};

class Orientation : public ::testing::Test {
protected:
  /// The synthetic CT written as a DICOM series with this position and direction, read back, and
  /// its axial slice through z = 0 drawn.
  viewer::Picture Draw(const Series& series) {
    SyntheticSceneOptions options;
    options.direction = series.direction;
    options.patientPosition = series.position;
    const viewer::Scene synthetic = SyntheticScene(options);
    imaging::DicomCtWriteOptions write;
    write.patientPosition = series.position;
    const auto folder = m_Folder / series.position;
    imaging::DicomCtWriter::Write(folder, synthetic.ct, write);
    const imaging::CtImage ct = imaging::CtLoader::Load(folder);
    EXPECT_EQ(ct.info.patientPosition, series.position);
    EXPECT_TRUE(ct.hu.Geometry().Direction().isApprox(series.direction, 1e-9));
    viewer::Scene scene;
    scene.ct = ct.hu;
    scene.patientPosition = ct.info.patientPosition;
    scene.patientId = ct.info.patientId;
    scene.plan.label = series.position + " series";
    viewer::ViewSettings settings;
    settings.sliceMm = 0.0;
    static viewer::PictureRenderer renderer;
    viewer::Picture picture = renderer.Render(scene, settings);
    KeepForInspection(picture.image, "orientation_" + series.position);
    return picture;
  }

  TempFolder m_Folder;
};

TEST_F(Orientation, LeftAndRightLabelsSitOnThePatientsSidesForHeadFirstFeetFirstAndProne) {
  SEEDPLAN_REQUIRE_DISPLAY();
  const Series hfs{"HFS", Eigen::Matrix3d::Identity()};
  // Feet first supine: rows run to the patient's right and slices toward the feet, as scanners
  // write it (ImageOrientationPatient -1\0\0\0\1\0).
  const Series ffs{"FFS", Eigen::Vector3d(-1, 1, -1).asDiagonal()};
  // Head first prone: ImageOrientationPatient -1\0\0\0\-1\0.
  const Series hfp{"HFP", Eigen::Vector3d(-1, -1, 1).asDiagonal()};
  std::map<std::string, viewer::Picture> pictures;
  for (const auto& series : {hfs, ffs, hfp}) {
    pictures[series.position] = Draw(series);
  }
  const auto& a = pictures["HFS"];
  const auto& b = pictures["FFS"];
  const auto& c = pictures["HFP"];
  EXPECT_EQ(a.layout.leftLabel.text, "R");
  EXPECT_EQ(a.layout.rightLabel.text, "L");
  EXPECT_EQ(b.layout.leftLabel.text, "R");
  EXPECT_EQ(b.layout.rightLabel.text, "L");
  EXPECT_EQ(c.layout.leftLabel.text, "L");
  EXPECT_EQ(c.layout.rightLabel.text, "R");
  EXPECT_EQ(a.layout.topLabel.text, "A");
  EXPECT_EQ(c.layout.topLabel.text, "P");

  // The letters drawn: the same glyph where the same letter is, a different one otherwise.
  const Glyph r = GlyphAt(a.image, a.layout.leftLabel);
  const Glyph l = GlyphAt(a.image, a.layout.rightLabel);
  ASSERT_GT(r.width, 3);
  ASSERT_GT(l.width, 3);
  EXPECT_FALSE(r == l);
  EXPECT_TRUE(GlyphAt(b.image, b.layout.leftLabel) == r);
  EXPECT_TRUE(GlyphAt(b.image, b.layout.rightLabel) == l);
  EXPECT_TRUE(GlyphAt(c.image, c.layout.leftLabel) == l);
  EXPECT_TRUE(GlyphAt(c.image, c.layout.rightLabel) == r);
  EXPECT_TRUE(GlyphAt(c.image, c.layout.topLabel) == GlyphAt(a.image, a.layout.bottomLabel));

  // The bone marker on the patient's left lies on the side labelled L in every picture.
  for (const auto* picture : {&a, &b, &c}) {
    const auto& layout = picture->layout;
    const auto marker = layout.PlaneToPixel(layout.frame->ToPlane(kLeftMarkerMm));
    EXPECT_EQ(picture->image.At(int(marker.x()), int(marker.y())), (viewer::Rgb{255, 255, 255}));
    const bool onLeftHalf = marker.x() < 0.5 * layout.widthPx;
    EXPECT_EQ(onLeftHalf, layout.leftLabel.text == "L") << layout.leftLabel.text;
    // Its mirror image (the patient's right) is soft tissue.
    const Eigen::Vector3d mirrored(-kLeftMarkerMm.x(), kLeftMarkerMm.y(), 0.0);
    const auto other = layout.PlaneToPixel(layout.frame->ToPlane(mirrored));
    EXPECT_NE(picture->image.At(int(other.x()), int(other.y())), (viewer::Rgb{255, 255, 255}));
  }
  // Head first and feet first supine give the same picture pixel for pixel but for the text
  // that names the series.
  int differing = 0;
  for (int y = 120; y < a.image.height; ++y) {
    for (int x = 0; x < a.image.width; ++x) {
      differing += a.image.At(x, y) != b.image.At(x, y) ? 1 : 0;
    }
  }
  EXPECT_EQ(differing, 0);
}

/// What the script draws, in LPS mm: a soft-tissue ellipse of these semi-axes in air and three
/// bone spheres.
constexpr double kBodySemiAxisXMm = 70.0;
constexpr double kBodySemiAxisYMm = 50.0;
const Eigen::Vector3d kForeignLeftMm{45.0, 0.0, 0.0};
const Eigen::Vector3d kForeignAnteriorMm{0.0, -35.0, 0.0};
const Eigen::Vector3d kForeignSuperiorMm{0.0, 0.0, 12.0};
/// Points this far inside and outside the body's edge must show tissue and air: two pixels of the
/// coarsest series (0.9 mm) plus the linear interpolation's half pixel, so that a swapped or
/// misread spacing (0.6 vs 0.9 mm moves the edge by 20 mm) cannot pass.
constexpr double kEdgeMarginMm = 3.0;

class ForeignOrientation : public ::testing::Test {
protected:
  viewer::Picture Draw(const imaging::CtImage& ct, viewer::ViewPlane plane,
                       const std::string& name) {
    viewer::Scene scene;
    scene.ct = ct.hu;
    scene.patientPosition = ct.info.patientPosition;
    scene.patientId = ct.info.patientId;
    scene.plan.label = "pydicom series";
    viewer::ViewSettings settings;
    settings.plane = plane;
    settings.sliceMm = 0.0;
    static viewer::PictureRenderer renderer;
    viewer::Picture picture = renderer.Render(scene, settings);
    KeepForInspection(picture.image, "pydicom_" + name + "_" + viewer::PlaneName(plane));
    return picture;
  }
  static Eigen::Vector2d PixelOf(const viewer::Picture& picture, const Eigen::Vector3d& point) {
    return picture.layout.PlaneToPixel(picture.layout.frame->ToPlane(point));
  }
  static viewer::Rgb At(const viewer::Picture& picture, const Eigen::Vector3d& point) {
    const Eigen::Vector2d pixel = PixelOf(picture, point);
    return picture.image.At(int(pixel.x()), int(pixel.y()));
  }
  /// The label on the picture's side where `point` lies, along x (left/right) or y (top/bottom).
  static std::string LabelOnSideOf(const viewer::Picture& picture, const Eigen::Vector3d& point,
                                   bool horizontal) {
    const auto& layout = picture.layout;
    const Eigen::Vector2d pixel = PixelOf(picture, point);
    const Eigen::Vector2d centre = PixelOf(picture, Eigen::Vector3d::Zero());
    if (horizontal) {
      return pixel.x() < centre.x() ? layout.leftLabel.text : layout.rightLabel.text;
    }
    return pixel.y() < centre.y() ? layout.topLabel.text : layout.bottomLabel.text;
  }

  TempFolder m_Folder;
};

TEST_F(ForeignOrientation, PydicomSeriesShowTheirAnatomyOnTheLabelledSidesAtTheirScale) {
  SEEDPLAN_REQUIRE_DISPLAY();
  const viewer::Rgb white{255, 255, 255};
  const viewer::Rgb black{0, 0, 0};
  for (const ForeignSeries& series :
       {ForeignSeries{"HFS", 0.0, 0.8, 0.6, 2.5}, ForeignSeries{"FFS", 20.0, 0.7, 0.9, 3.0},
        ForeignSeries{"HFP", -15.0, 0.6, 0.6, 2.0}, ForeignSeries{"FFP", 30.0, 0.9, 0.7, 2.5}}) {
    SCOPED_TRACE(series.position + " turned " + FormatNumber(series.rotationDeg, 3) + " deg");
    const auto folder = m_Folder / series.position;
    WriteForeignSeries(folder, series);
    if (HasFatalFailure()) {
      return;
    }
    const imaging::CtImage ct = imaging::CtLoader::Load(folder);
    EXPECT_EQ(ct.info.patientPosition, series.position);
    EXPECT_NEAR(ct.hu.Geometry().SpacingMm().x(), series.columnSpacingMm, 1e-6);
    EXPECT_NEAR(ct.hu.Geometry().SpacingMm().y(), series.rowSpacingMm, 1e-6);

    const viewer::Picture axial = Draw(ct, viewer::ViewPlane::Axial, series.position);
    EXPECT_EQ(At(axial, kForeignLeftMm), white);
    EXPECT_EQ(At(axial, kForeignAnteriorMm), white);
    EXPECT_EQ(LabelOnSideOf(axial, kForeignLeftMm, true), "L");
    EXPECT_EQ(LabelOnSideOf(axial, kForeignAnteriorMm, false), "A");
    // The body's edge where the ellipse puts it, along x at y = 20 mm and along y at x = -20 mm.
    const double edgeX = kBodySemiAxisXMm * std::sqrt(1.0 - std::pow(20.0 / kBodySemiAxisYMm, 2));
    const double edgeY = kBodySemiAxisYMm * std::sqrt(1.0 - std::pow(20.0 / kBodySemiAxisXMm, 2));
    for (const double sign : {-1.0, 1.0}) {
      const viewer::Rgb tissueX = At(axial, {sign * (edgeX - kEdgeMarginMm), 20.0, 0.0});
      EXPECT_TRUE(tissueX != black && tissueX != white);
      EXPECT_EQ(At(axial, {sign * (edgeX + kEdgeMarginMm), 20.0, 0.0}), black);
      const viewer::Rgb tissueY = At(axial, {-20.0, sign * (edgeY - kEdgeMarginMm), 0.0});
      EXPECT_TRUE(tissueY != black && tissueY != white);
      EXPECT_EQ(At(axial, {-20.0, sign * (edgeY + kEdgeMarginMm), 0.0}), black);
    }

    const viewer::Picture coronal = Draw(ct, viewer::ViewPlane::Coronal, series.position);
    EXPECT_EQ(At(coronal, kForeignSuperiorMm), white);
    EXPECT_EQ(At(coronal, kForeignLeftMm), white);
    EXPECT_EQ(LabelOnSideOf(coronal, kForeignSuperiorMm, false), "S");
    EXPECT_EQ(LabelOnSideOf(coronal, kForeignLeftMm, true), "L");

    const viewer::Picture sagittal = Draw(ct, viewer::ViewPlane::Sagittal, series.position);
    EXPECT_EQ(At(sagittal, kForeignSuperiorMm), white);
    EXPECT_EQ(At(sagittal, kForeignAnteriorMm), white);
    EXPECT_EQ(LabelOnSideOf(sagittal, kForeignSuperiorMm, false), "S");
    EXPECT_EQ(LabelOnSideOf(sagittal, kForeignAnteriorMm, true), "A");
  }
}

} // namespace
} // namespace seedplan::test
