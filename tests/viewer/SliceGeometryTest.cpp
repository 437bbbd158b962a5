// The viewer's geometry without rendering: slice frames and orientation letters, scan ranges,
// sampling through any direction matrix, isolines, isodose levels and their reference, dose
// coverage, seeds and needles near a slice.

#include "SyntheticScene.h"

#include "seedplan/core/Error.h"
#include "seedplan/dosimetry/GridDoseSampler.h"
#include "seedplan/viewer/IsodoseLevels.h"
#include "seedplan/viewer/Isolines.h"
#include "seedplan/viewer/SliceContent.h"
#include "seedplan/viewer/SliceGeometry.h"
#include "seedplan/viewer/SliceSampling.h"

#include <gtest/gtest.h>

#include <Eigen/Geometry>
#include <cmath>
#include <numbers>

namespace seedplan::test {
namespace {

using viewer::SliceFrame;
using viewer::ViewPlane;

std::string Labels(const SliceFrame& frame) {
  return frame.LeftLabel() + frame.RightLabel() + frame.TopLabel() + frame.BottomLabel();
}

TEST(SliceFrame, AxialIsSeenFromTheFeetWithTheCeilingUp) {
  // Supine (head or feet first): anterior up, the patient's right on the screen's left.
  EXPECT_EQ(Labels(SliceFrame::Make(ViewPlane::Axial, "HFS", 0)), "RLAP");
  EXPECT_EQ(Labels(SliceFrame::Make(ViewPlane::Axial, "FFS", 0)), "RLAP");
  // Prone: the back up, and seen from the feet the patient's left is on the screen's left.
  EXPECT_EQ(Labels(SliceFrame::Make(ViewPlane::Axial, "HFP", 0)), "LRPA");
  EXPECT_EQ(Labels(SliceFrame::Make(ViewPlane::Axial, "FFP", 0)), "LRPA");
  // Lying on the right side: the patient's left up, the back on the screen's right.
  EXPECT_EQ(Labels(SliceFrame::Make(ViewPlane::Axial, "HFDR", 0)), "APLR");
  EXPECT_EQ(Labels(SliceFrame::Make(ViewPlane::Axial, "HFDL", 0)), "PARL");
  // Unknown (a volume file): as supine.
  EXPECT_EQ(Labels(SliceFrame::Make(ViewPlane::Axial, "", 0)), "RLAP");
}

TEST(SliceFrame, CoronalAndSagittalFollowTheRadiologyConvention) {
  for (const char* position : {"HFS", "FFS", "HFP"}) {
    EXPECT_EQ(Labels(SliceFrame::Make(ViewPlane::Coronal, position, 0)), "RLSI") << position;
    EXPECT_EQ(Labels(SliceFrame::Make(ViewPlane::Sagittal, position, 0)), "APSI") << position;
  }
  EXPECT_THROW(SliceFrame::Make(ViewPlane::ThreeD, "HFS", 0), InvalidInput);
}

TEST(SliceFrame, MapsBetweenPlaneAndPatient) {
  const SliceFrame frame = SliceFrame::Make(ViewPlane::Coronal, "HFS", 12.5);
  const Eigen::Vector3d point(-30.0, 12.5, 40.0);
  const Eigen::Vector2d uv = frame.ToPlane(point);
  EXPECT_NEAR((frame.ToPatient(uv) - point).norm(), 0.0, 1e-12);
  EXPECT_NEAR(frame.DistanceMm({0.0, 15.0, 0.0}), 2.5, 1e-12);
}

TEST(ScanRange, IsTheSameForMirroredSeriesOfTheSameBox) {
  SyntheticSceneOptions hfs;
  SyntheticSceneOptions ffs;
  ffs.direction = Eigen::Vector3d(-1, 1, -1).asDiagonal();
  for (ViewPlane plane : {ViewPlane::Axial, ViewPlane::Coronal, ViewPlane::Sagittal}) {
    const auto a = viewer::ScanRange(SyntheticGrid(hfs), plane);
    const auto b = viewer::ScanRange(SyntheticGrid(ffs), plane);
    EXPECT_NEAR(a.firstMm, b.firstMm, 1e-9);
    EXPECT_NEAR(a.stepMm, b.stepMm, 1e-12);
    EXPECT_EQ(a.count, b.count);
  }
  const auto axial = viewer::ScanRange(SyntheticGrid(hfs), ViewPlane::Axial);
  EXPECT_NEAR(axial.firstMm, -25.0, 1e-9);
  EXPECT_NEAR(axial.LastMm(), 25.0, 1e-9);
  EXPECT_EQ(axial.count, 21);
  EXPECT_TRUE(axial.Contains(26.2));
  EXPECT_FALSE(axial.Contains(26.3));
  EXPECT_NEAR(axial.Snap(3.6), 2.5, 1e-12);
}

TEST(SliceSampling, AMirroredSeriesShowsTheSameAnatomyPixelForPixel) {
  SyntheticSceneOptions ffs;
  ffs.direction = Eigen::Vector3d(-1, 1, -1).asDiagonal();
  const viewer::Scene a = SyntheticScene();
  const viewer::Scene b = SyntheticScene(ffs);
  // The two volumes store their voxels in opposite orders along x and z.
  ASSERT_NE(a.ct.Data(), b.ct.Data());
  const SliceFrame frame = SliceFrame::Make(ViewPlane::Axial, "HFS", 0.0);
  const auto gridA = viewer::VolumeSliceGrid(a.ct.Geometry(), frame);
  const auto gridB = viewer::VolumeSliceGrid(b.ct.Geometry(), frame);
  const auto imageA = viewer::SampleCt(a.ct, frame, gridA);
  const auto imageB = viewer::SampleCt(b.ct, frame, gridB);
  ASSERT_EQ(imageA.values.size(), imageB.values.size());
  EXPECT_EQ(imageA.values, imageB.values);
  // The marker on the patient's left is at +x: on the right half of the slice (u = x).
  const Eigen::Vector2d marker = frame.ToPlane(kLeftMarkerMm);
  const int a0 = int(std::lround((marker.x() - gridA.u0) / gridA.du));
  const int b0 = int(std::lround((marker.y() - gridA.v0) / gridA.dv));
  EXPECT_EQ(imageA.At(a0, b0), 700);
  EXPECT_GT(a0, gridA.nu / 2);
}

TEST(SliceSampling, MaskCutsFollowTheNearestVoxelForEveryAxisOrder) {
  // A mask stored with mirrored x and z, cut along every plane: each sample of the cut is the
  // voxel nearest to its point, and the cut keeps one empty sample around the inside voxels.
  SyntheticSceneOptions options;
  options.direction = Eigen::Vector3d(-1, 1, -1).asDiagonal();
  const viewer::Scene scene = SyntheticScene(options);
  const Mask& mask = scene.structures.front().mask;
  for (ViewPlane plane : {ViewPlane::Axial, ViewPlane::Coronal, ViewPlane::Sagittal}) {
    const SliceFrame frame = SliceFrame::Make(plane, "HFS", plane == ViewPlane::Axial ? 2.5 : 3.0);
    const auto cut = viewer::SampleMask(mask, frame);
    ASSERT_TRUE(cut) << viewer::PlaneName(plane);
    int inside = 0;
    for (int b = 0; b < cut->grid.nv; ++b) {
      for (int a = 0; a < cut->grid.nu; ++a) {
        const Eigen::Vector3d index =
            mask.Geometry().PointToContinuousIndex(frame.ToPatient(cut->grid.Point(a, b)));
        const bool border = a == 0 || b == 0 || a + 1 == cut->grid.nu || b + 1 == cut->grid.nv;
        const bool expected = !border && mask.At(std::llround(index.x()), std::llround(index.y()),
                                                 std::llround(index.z())) != 0;
        EXPECT_EQ(cut->At(a, b) > 0.5f, expected)
            << viewer::PlaneName(plane) << " " << a << " " << b;
        inside += expected ? 1 : 0;
      }
    }
    EXPECT_GT(inside, 50);
  }
  // A plane beyond the mask's slab misses it.
  EXPECT_FALSE(viewer::SampleMask(mask, SliceFrame::Make(ViewPlane::Axial, "HFS", 20.0)));
}

TEST(SliceSampling, DoseIsTrilinearLikeTheGridSampler) {
  SyntheticSceneOptions options;
  options.direction = Eigen::Vector3d(-1, 1, -1).asDiagonal();
  const viewer::Scene scene = SyntheticScene(options);
  const dosimetry::GridDoseSampler sampler(scene.plan.dose->values);
  for (ViewPlane plane : {ViewPlane::Axial, ViewPlane::Coronal, ViewPlane::Sagittal}) {
    const SliceFrame frame = SliceFrame::Make(plane, "HFS", 3.3);
    // Off the voxel centres: a grid at 0.7 mm from an odd start.
    viewer::SliceGrid grid{-20.3, -11.1, 0.7, 0.7, 40, 30};
    const auto dose = viewer::SampleDose(scene.plan.dose->values, frame, grid);
    for (int b = 0; b < grid.nv; b += 7) {
      for (int a = 0; a < grid.nu; a += 3) {
        const Eigen::Vector3d p = frame.ToPatient(grid.Point(a, b));
        // Float storage: relative 1e-6 of doses up to 250 Gy.
        EXPECT_NEAR(dose.At(a, b), sampler.DoseAt(p), 3e-4) << viewer::PlaneName(plane);
      }
    }
  }
}

TEST(Isolines, OfAConeAreClosedCirclesOfTheLevelsRadius) {
  viewer::SliceImage<float> image;
  image.grid = {-50.0, -50.0, 1.0, 1.0, 101, 101};
  for (int b = 0; b < 101; ++b) {
    for (int a = 0; a < 101; ++a) {
      image.values.push_back(float(std::hypot(-50.0 + a, -50.0 + b)));
    }
  }
  const auto lines = viewer::ExtractIsolines(image, 20.0);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_TRUE(lines.front().closed);
  EXPECT_GT(lines.front().points.size(), 100u);
  // Linear interpolation of r along an edge errs by at most h^2 / (8 r) = 0.006 mm here.
  constexpr double kInterpolationToleranceMm = 0.01;
  for (const auto& point : lines.front().points) {
    EXPECT_NEAR(point.norm(), 20.0, kInterpolationToleranceMm);
  }
}

TEST(Isolines, KeepsADiagonalSaddleConnectedWhenItsMeanIsAbove) {
  viewer::SliceImage<float> image;
  image.grid = {0.0, 0.0, 1.0, 1.0, 4, 4};
  // Two above-level blobs touching diagonally in the middle cell.
  image.values = {0, 0, 0, 0, //
                  0, 3, 0, 0, //
                  0, 0, 3, 0, //
                  0, 0, 0, 0};
  // Centre mean 1.5: above 1 (one region, one line), below 2 (two regions, two lines).
  EXPECT_EQ(viewer::ExtractIsolines(image, 1.0).size(), 1u);
  EXPECT_EQ(viewer::ExtractIsolines(image, 2.0).size(), 2u);
  for (const auto& line : viewer::ExtractIsolines(image, 2.0)) {
    EXPECT_TRUE(line.closed);
  }
}

TEST(Isolines, DashesCoverTheirShareOfTheLength) {
  viewer::Polyline2 line;
  line.points = {{0.0, 0.0}, {10.0, 0.0}, {10.0, 10.0}};
  const auto dashes = viewer::Dashed({line}, 3.0, 2.0);
  double drawn = 0.0;
  for (const auto& dash : dashes) {
    for (std::size_t i = 0; i + 1 < dash.points.size(); ++i) {
      drawn += (dash.points[i + 1] - dash.points[i]).norm();
    }
  }
  // 20 mm = 4 periods of 5 mm: 4 dashes of 3 mm (one of them around the corner).
  EXPECT_NEAR(drawn, 12.0, 1e-9);
  EXPECT_EQ(dashes.size(), 4u);
}

TEST(Isolines, KeptInsideAreTheRunsOfInsidePointsAndAClosedLineOpensWhereItLeaves) {
  // A closed square of 8 points around the origin; the region x <= 1.5 cuts off its right side.
  viewer::Polyline2 square;
  square.closed = true;
  square.points = {{0, -2}, {2, -2}, {2, 0}, {2, 2}, {0, 2}, {-2, 2}, {-2, 0}, {-2, -2}};
  const auto left = [](const Eigen::Vector2d& p) { return p.x() <= 1.5; };
  const auto kept = viewer::KeepInside({square}, left);
  ASSERT_EQ(kept.size(), 1U);
  EXPECT_FALSE(kept[0].closed);
  // One run across the line's start: from (0, 2) round the left side to (0, -2).
  ASSERT_EQ(kept[0].points.size(), 5U);
  EXPECT_EQ(kept[0].points.front(), Eigen::Vector2d(0, 2));
  EXPECT_EQ(kept[0].points.back(), Eigen::Vector2d(0, -2));
  // Wholly inside: unchanged and still closed; wholly outside: gone.
  const auto all = viewer::KeepInside({square}, [](const Eigen::Vector2d&) { return true; });
  ASSERT_EQ(all.size(), 1U);
  EXPECT_TRUE(all[0].closed);
  EXPECT_EQ(all[0].points.size(), 8U);
  EXPECT_TRUE(viewer::KeepInside({square}, [](const Eigen::Vector2d&) { return false; }).empty());
  // An open line leaving and coming back is two pieces.
  viewer::Polyline2 open;
  open.points = {{0, 0}, {1, 0}, {2, 0}, {3, 0}, {1, 1}, {0, 1}};
  const auto pieces = viewer::KeepInside({open}, left);
  ASSERT_EQ(pieces.size(), 2U);
  EXPECT_EQ(pieces[0].points.size(), 2U);
  EXPECT_EQ(pieces[1].points.size(), 2U);
}

TEST(IsodoseLevels, StandardPercentagesHaveTheirOwnHues) {
  const viewer::SceneDose dose;
  const auto levels =
      viewer::ResolveLevels({}, viewer::ReferencePrescription{"GTV", 120.0, ""}, dose);
  ASSERT_EQ(levels.size(), 6u);
  const viewer::Rgb expected[] = {{0, 0, 255}, {0, 255, 255}, {0, 255, 0},
                                  {255, 0, 0}, {255, 255, 0}, {255, 0, 255}};
  const double percent[] = {50, 80, 90, 100, 150, 200};
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(levels[i].colorRgb, expected[i]);
    EXPECT_DOUBLE_EQ(levels[i].percent, percent[i]);
    EXPECT_DOUBLE_EQ(levels[i].doseGy, 1.2 * percent[i]);
    EXPECT_DOUBLE_EQ(levels[i].value, 1.2 * percent[i]);
  }
  EXPECT_EQ(levels[3].label, "100 %  120 Gy");
  // A non-standard level takes an extra hue, the standard ones keep theirs.
  viewer::IsodoseLevelRequest request;
  request.values = {100, 120};
  const auto custom =
      viewer::ResolveLevels(request, viewer::ReferencePrescription{"GTV", 120.0, ""}, dose);
  EXPECT_EQ(custom[0].colorRgb, viewer::Rgb({255, 0, 0}));
  EXPECT_EQ(custom[1].colorRgb, viewer::ExtraLevelColors().front());
}

TEST(IsodoseLevels, OnADoseRateGridAreTheInitialRatesThatDeliverThem) {
  viewer::SceneDose dose;
  dose.isDoseRate = true;
  dose.meanLifeHours = 59.40 * 24.0 / std::numbers::ln2;
  const auto levels =
      viewer::ResolveLevels({}, viewer::ReferencePrescription{"GTV", 120.0, ""}, dose);
  // DESIGN.md: D = Ḋ0 τ, τ = 2056.7 h for 125I: 120 Gy needs 5.835 cGy/h.
  EXPECT_NEAR(levels[3].value, 12000.0 / 2056.7, 0.001);
  EXPECT_NE(levels[3].label.find("cGy/h"), std::string::npos);
}

TEST(IsodoseLevels, AbsoluteLevelsTakeThePaletteInOrderAndPercentOfAReference) {
  viewer::IsodoseLevelRequest request;
  request.absolute = true;
  request.values = {60, 120};
  const viewer::SceneDose dose;
  const auto levels =
      viewer::ResolveLevels(request, viewer::ReferencePrescription{"GTV", 120.0, ""}, dose);
  EXPECT_EQ(levels[0].colorRgb, viewer::Rgb({0, 0, 255}));
  EXPECT_DOUBLE_EQ(levels[1].percent, 100.0);
  const auto without = viewer::ResolveLevels(request, std::nullopt, dose);
  EXPECT_FALSE(without[0].hasPercent);
}

TEST(IsodoseLevels, RefusesListsThatCannotBeDrawn) {
  const viewer::SceneDose dose;
  const viewer::ReferencePrescription rx{"GTV", 100.0, ""};
  viewer::IsodoseLevelRequest request;
  request.values = {};
  EXPECT_THROW(viewer::ResolveLevels(request, rx, dose), InvalidInput);
  request.values = {50, 50};
  EXPECT_THROW(viewer::ResolveLevels(request, rx, dose), InvalidInput);
  request.values = {-10};
  EXPECT_THROW(viewer::ResolveLevels(request, rx, dose), InvalidInput);
  request.values = std::vector<double>(std::size_t(viewer::MaxLevelCount() + 1), 1.0);
  for (std::size_t i = 0; i < request.values.size(); ++i) {
    request.values[i] = 10.0 * double(i + 1);
  }
  EXPECT_THROW(viewer::ResolveLevels(request, rx, dose), InvalidInput);
  request.values = {100};
  EXPECT_THROW(viewer::ResolveLevels(request, std::nullopt, dose), InvalidInput);
}

TEST(ReferencePrescription, FollowsRxOfThenThroughThenTheLargestTargetInTheSlice) {
  viewer::Scene scene = SyntheticScene();
  // A second, smaller target 1 cm across elsewhere in the same slices, with another prescription.
  viewer::SceneStructure small = scene.structures.front();
  small.name = "GTV_Small";
  std::fill(small.mask.Data().begin(), small.mask.Data().end(), 0);
  const auto& size = small.mask.Geometry().Size();
  for (std::int64_t k = 0; k < size[2]; ++k) {
    for (std::int64_t j = 0; j < size[1]; ++j) {
      for (std::int64_t i = 0; i < size[0]; ++i) {
        const auto p = small.mask.Geometry().IndexToPoint(double(i), double(j), double(k));
        if (std::hypot(p.x() - 50.0, p.y() - 30.0) <= 5.0 && std::abs(p.z()) <= 20.0) {
          small.mask.At(i, j, k) = 1;
        }
      }
    }
  }
  scene.structures.push_back(small);
  scene.plan.prescriptions = {{"GTV_Small", 140.0}, {"GTV_Test", 100.0}};
  const SliceFrame throughBoth = SliceFrame::Make(ViewPlane::Axial, "HFS", 0.0);
  const SliceFrame smallOnly = SliceFrame::Make(ViewPlane::Axial, "HFS", 15.0);
  viewer::ViewSettings settings;
  EXPECT_EQ(viewer::ChooseReference(scene, settings, &throughBoth)->structureName, "GTV_Test");
  EXPECT_EQ(viewer::ChooseReference(scene, settings, &smallOnly)->structureName, "GTV_Small");
  EXPECT_EQ(viewer::ChooseReference(scene, settings, nullptr)->structureName, "GTV_Small");
  settings.throughStructure = "GTV_Small";
  EXPECT_EQ(viewer::ChooseReference(scene, settings, &throughBoth)->reason, "--through");
  settings.referenceStructure = "GTV_Test";
  const auto chosen = viewer::ChooseReference(scene, settings, &smallOnly);
  EXPECT_EQ(chosen->structureName, "GTV_Test");
  EXPECT_DOUBLE_EQ(chosen->doseGy, 100.0);
  settings.referenceStructure = "Liver";
  EXPECT_THROW(viewer::ChooseReference(scene, settings, &smallOnly), InvalidInput);
}

TEST(DoseCoverage, NamesThePartOfTheSliceOutsideTheDoseGrid) {
  const viewer::Scene scene = SyntheticScene();
  const SliceFrame frame = SliceFrame::Make(ViewPlane::Axial, "HFS", 0.0);
  const GridGeometry& region = scene.ct.Geometry();
  EXPECT_EQ(viewer::UncoveredPart(scene.plan.dose->values.Geometry(), frame, region), "");
  // A dose box from x = -40 to 40 mm (voxel faces) over the whole y and z range.
  const GridGeometry box({-39.5, -79.5, -25.0}, {1.0, 1.0, 2.5}, {80, 160, 21});
  const std::string part = viewer::UncoveredPart(box, frame, region);
  EXPECT_NE(part.find("x from -79.5 to -40 mm and from 40 to 79.5 mm"), std::string::npos) << part;
  EXPECT_EQ(part.find("y "), std::string::npos) << part;
  EXPECT_EQ(viewer::UncoveredBox(scene.plan.dose->values.Geometry(), scene.ct.Geometry()), "");
  EXPECT_NE(viewer::UncoveredBox(box, scene.ct.Geometry()).find("x from"), std::string::npos);
}

TEST(DoseCoverage, OfAnObliqueScanIsTheScansCutNotThePicturesCorners) {
  // A CT turned 20 degrees in plane: the picture's corners lie outside it, and outside a dose grid
  // on the same voxels, which still covers everything the slice shows of the scan.
  SyntheticSceneOptions options;
  options.direction = Eigen::AngleAxisd(20.0 * std::numbers::pi / 180.0, Eigen::Vector3d::UnitZ())
                          .toRotationMatrix();
  const viewer::Scene scene = SyntheticScene(options);
  const GridGeometry& ct = scene.ct.Geometry();
  for (const ViewPlane plane : {ViewPlane::Axial, ViewPlane::Coronal, ViewPlane::Sagittal}) {
    const SliceFrame frame = SliceFrame::Make(plane, "HFS", 0.0);
    EXPECT_EQ(viewer::UncoveredPart(ct, frame, ct), "") << viewer::PlaneName(plane);
    // The cut of the 160 x 160 x 50 mm box (voxel centres 159 mm apart in plane) through its
    // centre: its corners lie on the box's faces.
    const auto cut = viewer::PlaneCutOfBox(ct, frame);
    ASSERT_GE(cut.size(), 3U);
    for (const auto& corner : cut) {
      EXPECT_NEAR(frame.normal.dot(corner), 0.0, 1e-9);
      EXPECT_TRUE(ct.ContainsPoint(corner, 1e-6)) << corner.transpose();
    }
    // A dose grid of half the scan (x < 0 in the scan's own axes) misses part of every cut.
    const GridGeometry half(ct.OriginMm(), ct.SpacingMm(),
                            {ct.Size()[0] / 2, ct.Size()[1], ct.Size()[2]}, ct.Direction());
    EXPECT_NE(viewer::UncoveredPart(half, frame, ct), "") << viewer::PlaneName(plane);
  }
  // A slice beyond the scan cuts nothing.
  EXPECT_TRUE(viewer::PlaneCutOfBox(ct, SliceFrame::Make(ViewPlane::Axial, "HFS", 40.0)).empty());
}

TEST(SliceContent, DrawsSeedsAndNeedlesWithinHalfASliceAndRefusesASliceOutsideTheScan) {
  const viewer::Scene scene = SyntheticScene();
  viewer::ViewSettings settings;
  settings.sliceMm = 0.4; // snaps to the slice at z = 0
  const auto content = viewer::SliceContent::Build(scene, settings);
  EXPECT_DOUBLE_EQ(content.frame.positionMm, 0.0);
  // Seeds at z = 0 and 0.5 mm lie within half a slice (1.25 mm); the one at z = 5 mm does not.
  ASSERT_EQ(content.seeds.size(), 2u);
  EXPECT_NEAR((content.seeds[0].centreMm - content.frame.ToPlane({-10.0, 5.0, 0.0})).norm(), 0.0,
              1e-12);
  // Its axis along x lies in the plane: half its 4.5 mm along the screen's horizontal.
  EXPECT_NEAR(content.seeds[0].halfAxisMm.norm(), 2.25, 1e-12);
  EXPECT_NEAR(std::abs(content.seeds[0].halfAxisMm.x()), 2.25, 1e-12);
  ASSERT_EQ(content.needles.size(), 1u);
  EXPECT_NEAR((content.needles[0].toMm - content.frame.ToPlane({-5.0, 5.0, 0.0})).norm(), 0.0,
              1e-9);
  // The target is contoured, its reference is its prescription, the six levels are there.
  ASSERT_EQ(content.contours.size(), 1u);
  EXPECT_EQ(content.reference->structureName, "GTV_Test");
  EXPECT_EQ(content.isodoses.size(), 6u);

  settings.sliceMm = 40.0;
  try {
    viewer::SliceContent::Build(scene, settings);
    FAIL() << "a slice outside the scan was drawn";
  } catch (const InvalidInput& error) {
    EXPECT_NE(std::string(error.what()).find("from z = -25 to 25 mm"), std::string::npos)
        << error.what();
  }
}

TEST(MaskCentre, IsTheMeanOfTheInsideVoxels) {
  const viewer::Scene scene = SyntheticScene();
  const Eigen::Vector3d centre = viewer::MaskCentreMm(scene.structures.front().mask);
  EXPECT_NEAR((centre - Eigen::Vector3d(-10.0, 5.0, 0.0)).norm(), 0.0, 1e-9);
  EXPECT_THROW(viewer::MaskCentreMm(Mask(scene.ct.Geometry(), 0)), InvalidInput);
}

} // namespace
} // namespace seedplan::test
