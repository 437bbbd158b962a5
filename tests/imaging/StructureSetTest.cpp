#include "../core/TempFolder.h"
#include "../core/WarningCapture.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/Log.h"
#include "seedplan/core/Volume.h"
#include "seedplan/imaging/ContourRasterizer.h"
#include "seedplan/imaging/CtImage.h"
#include "seedplan/imaging/LabelMapReader.h"
#include "seedplan/imaging/MaskContourer.h"
#include "seedplan/imaging/RtStructureSetReader.h"
#include "seedplan/imaging/RtStructureSetWriter.h"
#include "seedplan/imaging/StructureLoader.h"
#include "seedplan/imaging/StructureRoles.h"
#include "seedplan/imaging/VolumeIo.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <gtest/gtest.h>

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <functional>
#include <numbers>
#include <random>
#include <string>
#include <vector>

namespace seedplan::imaging {
namespace {

using test::TempFolder;
using test::WarningCapture;

namespace fs = std::filesystem;

// DESIGN.md: RT Structure Set contours are rasterised so that the structure's volume is within 1 %
// of the contours' volume.
constexpr double kVolumeTolerance = 0.01;
// Sample DICOM files that Debian's python3-pydicom ships (other software's RT Structure Set and
// CT).
const fs::path kPydicomFiles = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

double VolumeMm3(const Mask& mask) {
  return static_cast<double>(std::count_if(mask.Data().begin(), mask.Data().end(),
                                           [](std::uint8_t v) { return v != 0; })) *
         mask.Geometry().VoxelVolumeMm3();
}

/// The circles of a sphere on planes `planeSpacingMm` apart (plane positions at centre.z() + (q +
/// phase) * spacing), each a polygon of `points` vertices, in the plane perpendicular to `axis`.
std::vector<ContourPolygon> SphereContours(const Eigen::Vector3d& centreMm, double radiusMm,
                                           double planeSpacingMm, double firstPlaneMm,
                                           const Eigen::Matrix3d& frame, int points = 180) {
  std::vector<ContourPolygon> contours;
  const double q0 = std::ceil((-radiusMm - firstPlaneMm) / planeSpacingMm);
  for (double q = q0;; q += 1.0) {
    const double w = firstPlaneMm + q * planeSpacingMm;
    if (w >= radiusMm) {
      break;
    }
    const double rho = std::sqrt(radiusMm * radiusMm - w * w);
    ContourPolygon polygon;
    for (int p = 0; p < points; ++p) {
      const double angle = 2.0 * std::numbers::pi * p / points;
      polygon.pointsMm.push_back(
          centreMm + frame * Eigen::Vector3d(rho * std::cos(angle), rho * std::sin(angle), w));
    }
    contours.push_back(std::move(polygon));
  }
  return contours;
}

ContourPolygon Rectangle(double x0, double y0, double x1, double y1, double z) {
  return ContourPolygon{{{x0, y0, z}, {x1, y0, z}, {x1, y1, z}, {x0, y1, z}}};
}

/// A clinical-resolution CT (0.9 x 0.9 x 2.5 mm) in memory with the UIDs a DICOM series has.
CtImage MakeCt(const std::string& frameOfReferenceUid = "1.2.826.0.1.3680043.9.7777.1.2") {
  const GridGeometry grid({-45.0, -45.0, -30.0}, {0.9, 0.9, 2.5}, {101, 101, 25});
  CtImage ct;
  ct.hu = Volume<short>(grid, -1000);
  ct.info.studyInstanceUid = "1.2.826.0.1.3680043.9.7777.1";
  ct.info.seriesInstanceUid = "1.2.826.0.1.3680043.9.7777.1.1";
  ct.info.frameOfReferenceUid = frameOfReferenceUid;
  ct.info.modality = "CT";
  ct.info.patientPosition = "HFS";
  ct.info.patientId = "SP-TEST-001";
  for (int k = 0; k < 25; ++k) {
    ct.info.sopInstanceUids.push_back("1.2.826.0.1.3680043.9.7777.1.1." + std::to_string(k + 1));
  }
  ct.source = "in-memory test CT";
  return ct;
}

// --- ContourRasterizer -----------------------------------------------------------------------

TEST(ContourRasterizer, SphereContoursEvery2p5MmGiveTheContourVolumeWithinOnePercentOnTheCtGrid) {
  const GridGeometry ct({-45.0, -45.0, -30.0}, {0.9, 0.9, 2.5}, {101, 101, 25});
  // A 30 mm lung lesion (14 cc), contoured on every CT slice.
  const auto contours =
      SphereContours({1.3, -2.1, 0.0}, 15.0, 2.5, 0.0, Eigen::Matrix3d::Identity());
  const double contourVolume = ContourRasterizer::ContourVolumeMm3(contours);
  const Mask mask = ContourRasterizer::Rasterize(contours, ct);
  EXPECT_NEAR(VolumeMm3(mask) / contourVolume, 1.0, kVolumeTolerance)
      << "mask " << VolumeMm3(mask) << " mm3, contours " << contourVolume << " mm3";
  // The slab rule: 13 planes x 2.5 mm, each its circle's area (polygon of 180 vertices).
  double expected = 0.0;
  for (int q = -6; q <= 6; ++q) {
    const double rho2 = 225.0 - std::pow(2.5 * q, 2);
    expected += 0.5 * 180 * rho2 * std::sin(2.0 * std::numbers::pi / 180) * 2.5;
  }
  EXPECT_NEAR(contourVolume, expected, 1e-6 * expected);
}

TEST(ContourRasterizer, FineGridGetsAHalfCcSphereWithinOnePercentWhereTheCtGridCannot) {
  const GridGeometry ct({-45.0, -45.0, -30.0}, {0.9, 0.9, 2.5}, {101, 101, 25});
  const double radiusMm = std::cbrt(0.5e3 * 3.0 / (4.0 * std::numbers::pi)); // 0.5 cc: 4.92 mm
  // 100 positions of the lesion spread over one voxel (golden-ratio sequences); contours on the
  // CT slices, as a planning system draws them.
  constexpr int kPositions = 100;
  double worstCt = 0.0, worstFine = 0.0;
  int ctMisses = 0;
  for (int n = 0; n < kPositions; ++n) {
    const Eigen::Vector3d centre(0.9 * std::fmod(n * 0.618034, 1.0),
                                 0.9 * std::fmod(n * 0.414214, 1.0),
                                 2.5 * std::fmod(n * 0.7320508, 1.0));
    const double firstPlane = -centre.z(); // planes at the CT slices z = 2.5 q
    const auto contours =
        SphereContours(centre, radiusMm, 2.5, firstPlane, Eigen::Matrix3d::Identity());
    const double contourVolume = ContourRasterizer::ContourVolumeMm3(contours);
    const Mask coarse = ContourRasterizer::Rasterize(contours, ct);
    const GridGeometry fineGrid = ContourRasterizer::FineGridFor(contours, ct, kVolumeTolerance);
    const Mask fine = ContourRasterizer::Rasterize(contours, fineGrid);
    const double ctError = std::abs(VolumeMm3(coarse) / contourVolume - 1.0);
    worstCt = std::max(worstCt, ctError);
    ctMisses += ctError > kVolumeTolerance;
    worstFine = std::max(worstFine, std::abs(VolumeMm3(fine) / contourVolume - 1.0));
    EXPECT_LT(fineGrid.SpacingMm().x(), 0.9);
    EXPECT_DOUBLE_EQ(fineGrid.SpacingMm().z(), 2.5);
  }
  std::cout << "0.5 cc sphere at " << kPositions << " positions: CT grid worst volume error "
            << 100 * worstCt << " %, beyond 1 % at " << ctMisses << " positions; fine grid worst "
            << 100 * worstFine << " %\n";
  // The CT grid misses 1 % at a good part of the positions (41 of 100 when written); the fine grid
  // never does.
  EXPECT_GT(ctMisses, kPositions / 10);
  EXPECT_LT(worstFine, kVolumeTolerance);
}

TEST(ContourRasterizer, SquareWithSquareHoleAndTwoIslandsIsFilledEvenOdd) {
  // 1 mm voxels whose faces lie on whole millimetres, so every edge runs along voxel faces and the
  // mask is exact: 20x20 square, 10x10 hole, a 4x4 island inside the hole, a 6x6 island apart.
  const GridGeometry grid({0.5, 0.5, 0.0}, {1.0, 1.0, 2.5}, {40, 24, 3});
  std::vector<ContourPolygon> contours;
  for (double z : {0.0, 2.5, 5.0}) {
    contours.push_back(Rectangle(0, 0, 20, 20, z));
    contours.push_back(Rectangle(5, 5, 15, 15, z));
    contours.push_back(Rectangle(8, 8, 12, 12, z));
    contours.push_back(Rectangle(30, 2, 36, 8, z));
  }
  const Mask mask = ContourRasterizer::Rasterize(contours, grid);
  const double areaMm2 = 400 - 100 + 16 + 36;
  EXPECT_DOUBLE_EQ(VolumeMm3(mask), areaMm2 * 7.5);
  EXPECT_DOUBLE_EQ(ContourRasterizer::ContourVolumeMm3(contours), areaMm2 * 7.5);
  // Voxel (i, j) has its centre at (i + 0.5, j + 0.5) mm.
  EXPECT_EQ(mask.At(2, 2, 1), 1);   // ring of the square
  EXPECT_EQ(mask.At(6, 6, 1), 0);   // hole
  EXPECT_EQ(mask.At(10, 10, 1), 1); // island in the hole
  EXPECT_EQ(mask.At(33, 5, 1), 1);  // island apart
  EXPECT_EQ(mask.At(25, 5, 1), 0);  // between them
}

TEST(ContourRasterizer, FirstAndLastPlanesExtendHalfTheContourSpacing) {
  // Planes 5 mm apart on a grid of 1 mm slices: a 10x10 square on planes z = 0, 5, 10 stands for
  // z from -2.5 to 12.5 (15 mm), i.e. 15 grid slices.
  const GridGeometry grid({0.5, 0.5, -10.0}, {1.0, 1.0, 1.0}, {12, 12, 35});
  std::vector<ContourPolygon> contours;
  for (double z : {0.0, 5.0, 10.0}) {
    contours.push_back(Rectangle(1, 1, 11, 11, z));
  }
  EXPECT_DOUBLE_EQ(ContourRasterizer::ContourVolumeMm3(contours), 100.0 * 15.0);
  // Grid slices at whole millimetres: z = -2 ... 12 lie inside the slab, 15 slices of 1 mm.
  const Mask mask = ContourRasterizer::Rasterize(contours, grid);
  EXPECT_DOUBLE_EQ(VolumeMm3(mask), 100.0 * 15.0);
  // Slices at half millimetres: z = -2.5 and 12.5 are half inside (>= 0.5 counts): 16 slices.
  const GridGeometry shifted({0.5, 0.5, -10.5}, {1.0, 1.0, 1.0}, {12, 12, 35});
  EXPECT_DOUBLE_EQ(VolumeMm3(ContourRasterizer::Rasterize(contours, shifted)), 100.0 * 16.0);
}

TEST(ContourRasterizer, ContoursNotPerpendicularToTheSliceAxisAreRefused) {
  const GridGeometry grid({0.0, 0.0, 0.0}, {1.0, 1.0, 1.0}, {10, 10, 10});
  const std::vector<ContourPolygon> tilted{ContourPolygon{{{1, 1, 1}, {8, 1, 1}, {8, 8, 3}}}};
  EXPECT_THROW(ContourRasterizer::Rasterize(tilted, grid), InvalidInput);
}

// --- MaskContourer ---------------------------------------------------------------------------

TEST(MaskContourer, MaskToContoursToMaskGivesBackTheMaskOnAnObliqueGrid) {
  const Eigen::Matrix3d rotation =
      Eigen::AngleAxisd(0.4, Eigen::Vector3d(1, 2, 3).normalized()).toRotationMatrix();
  const GridGeometry grid({10.0, -20.0, 5.0}, {0.8, 0.9, 2.0}, {60, 50, 20}, rotation);
  Mask mask(grid, 0);
  // An ellipsoid with an ellipsoidal cavity and one isolated voxel: outer borders, holes, islands.
  for (std::int64_t k = 0; k < 20; ++k) {
    for (std::int64_t j = 0; j < 50; ++j) {
      for (std::int64_t i = 0; i < 60; ++i) {
        const double x = (i - 30.0) * 0.8, y = (j - 25.0) * 0.9, z = (k - 10.0) * 2.0;
        const double outer = std::pow(x / 20.0, 2) + std::pow(y / 18.0, 2) + std::pow(z / 16.0, 2);
        const double inner = std::pow(x / 8.0, 2) + std::pow(y / 6.0, 2) + std::pow(z / 8.0, 2);
        mask.At(i, j, k) = outer <= 1.0 && inner > 1.0 ? 1 : 0;
      }
    }
  }
  mask.At(2, 2, 10) = 1;
  const auto contours = MaskContourer::Contour(mask);
  const Mask back = ContourRasterizer::Rasterize(contours, grid);
  std::int64_t both = 0, inMask = 0, inBack = 0, differ = 0;
  for (std::size_t n = 0; n < mask.Data().size(); ++n) {
    const bool a = mask.Data()[n] != 0, b = back.Data()[n] != 0;
    both += a && b;
    inMask += a;
    inBack += b;
    differ += a != b;
  }
  std::cout << "round trip: " << inMask << " voxels inside, " << differ << " differ, "
            << contours.size() << " contours\n";
  // Required: at least 99 % agreement (Dice).
  EXPECT_GE(2.0 * static_cast<double>(both) / static_cast<double>(inMask + inBack), 0.99);
  // Exactly: only one-voxel holes (the cavity's two tips here) are closed (MaskContourer.h).
  int oneVoxelHoles = 0;
  for (std::int64_t k = 0; k < 20; ++k) {
    for (std::int64_t j = 1; j < 49; ++j) {
      for (std::int64_t i = 1; i < 59; ++i) {
        const bool hole = mask.At(i, j, k) == 0 && mask.At(i - 1, j, k) != 0 &&
                          mask.At(i + 1, j, k) != 0 && mask.At(i, j - 1, k) != 0 &&
                          mask.At(i, j + 1, k) != 0;
        oneVoxelHoles += hole;
        EXPECT_EQ(back.At(i, j, k) != 0, mask.At(i, j, k) != 0 || hole)
            << i << " " << j << " " << k;
      }
    }
  }
  EXPECT_EQ(differ, oneVoxelHoles);
}

// --- RT Structure Set ------------------------------------------------------------------------

StructureSet PhantomStructures(const CtImage& ct) {
  StructureSet set;
  Structure lesion;
  lesion.number = 1;
  lesion.name = "GTV_lung";
  lesion.colorRgb = {255, 0, 0};
  lesion.role = StructureRole::Target;
  lesion.contours = SphereContours({3.1, -4.2, 0.0}, 6.0, 2.5, 0.0, Eigen::Matrix3d::Identity());
  set.structures.push_back(lesion);

  Structure cord;
  cord.number = 7;
  cord.name = "SpinalCord";
  cord.colorRgb = {255, 255, 0};
  cord.interpretedType = "ORGAN";
  for (int k = 0; k < 25; ++k) {
    const double z = -30.0 + 2.5 * k;
    ContourPolygon circle;
    for (int p = 0; p < 36; ++p) {
      const double angle = 2.0 * std::numbers::pi * p / 36;
      circle.pointsMm.emplace_back(5.0 * std::cos(angle), 30.0 + 5.0 * std::sin(angle), z);
    }
    cord.contours.push_back(circle);
  }
  set.structures.push_back(cord);

  // A lung from a mask only (as a phantom or label map gives), with a hole: contoured on writing.
  Structure lung;
  lung.number = 3;
  lung.name = "Lung_R";
  lung.colorRgb = {0, 128, 255};
  lung.role = StructureRole::PassThrough;
  lung.mask = Mask(ct.hu.Geometry(), 0);
  for (std::int64_t k = 4; k < 20; ++k) {
    for (std::int64_t j = 10; j < 60; ++j) {
      for (std::int64_t i = 10; i < 45; ++i) {
        const bool hole = i > 20 && i < 30 && j > 25 && j < 35;
        lung.mask.At(i, j, k) = hole ? 0 : 1;
      }
    }
  }
  set.structures.push_back(lung);
  return set;
}

TEST(RtStructureSet, WrittenForAnInMemoryCtReadsBackNamesColoursTypesRolesAndVolumes) {
  TempFolder folder;
  const CtImage ct = MakeCt();
  const StructureSet written = PhantomStructures(ct);
  const fs::path file = folder.File("RS.dcm");
  RtStructureSetWriter::Write(file, written, ct);

  WarningCapture warnings;
  StructureSet read = RtStructureSetReader::Read(file, ct);
  StructureRoles::Assign(read);
  EXPECT_TRUE(warnings.Lines().empty()) << warnings.Lines().front();
  EXPECT_EQ(read.frameOfReferenceUid, ct.info.frameOfReferenceUid);
  EXPECT_EQ(read.referencedSeriesUid, ct.info.seriesInstanceUid);
  ASSERT_EQ(read.structures.size(), 3u);

  const Structure* lesion = read.Find("GTV_lung");
  ASSERT_NE(lesion, nullptr);
  EXPECT_EQ(lesion->number, 1);
  EXPECT_EQ(lesion->colorRgb, (std::array<std::uint8_t, 3>{255, 0, 0}));
  EXPECT_EQ(lesion->interpretedType, "GTV");
  EXPECT_EQ(lesion->role, StructureRole::Target);
  EXPECT_EQ(lesion->roleSource, "RT ROI Interpreted Type");
  const double lesionContours = ContourRasterizer::ContourVolumeMm3(written.structures[0].contours);
  std::cout << "GTV_lung: contours " << lesionContours << " mm3, mask " << VolumeMm3(lesion->mask)
            << " mm3 on " << lesion->mask.Geometry().Describe() << "\n";
  EXPECT_NEAR(VolumeMm3(lesion->mask) / lesionContours, 1.0, kVolumeTolerance);
  EXPECT_LT(lesion->mask.Geometry().SpacingMm().x(), 0.9); // 0.9 cc: a fine grid

  const Structure* cord = read.Find("SpinalCord");
  ASSERT_NE(cord, nullptr);
  EXPECT_EQ(cord->number, 7);
  EXPECT_EQ(cord->colorRgb, (std::array<std::uint8_t, 3>{255, 255, 0}));
  EXPECT_EQ(cord->interpretedType, "ORGAN");
  EXPECT_EQ(cord->role, StructureRole::NoGo); // ORGAN refined by the name
  EXPECT_EQ(cord->roleSource, "naming rule");
  const double cordContours = ContourRasterizer::ContourVolumeMm3(written.structures[1].contours);
  EXPECT_NEAR(VolumeMm3(cord->mask) / cordContours, 1.0, kVolumeTolerance);

  const Structure* lung = read.Find("Lung_R");
  ASSERT_NE(lung, nullptr);
  EXPECT_EQ(lung->interpretedType, "ORGAN");
  EXPECT_EQ(lung->role, StructureRole::PassThrough);
  std::cout << "Lung_R: mask written " << VolumeMm3(written.structures[2].mask) << " mm3, read "
            << VolumeMm3(lung->mask) << " mm3\n";
  EXPECT_DOUBLE_EQ(VolumeMm3(lung->mask), VolumeMm3(written.structures[2].mask));
  // The lung is large: it stays on the CT's voxels (cropped), and they are the same voxels.
  EXPECT_DOUBLE_EQ(lung->mask.Geometry().SpacingMm().x(), 0.9);
  const Eigen::Vector3d c =
      lung->mask.Geometry().PointToContinuousIndex(ct.hu.Geometry().OriginMm());
  EXPECT_NEAR(c.x() - std::round(c.x()), 0.0, 1e-9);
}

TEST(RtStructureSet, StructureSetOfAnotherCtIsRefusedNamingBothFrameOfReferenceUids) {
  TempFolder folder;
  const CtImage planningCt = MakeCt("1.2.826.0.1.3680043.9.7777.1.2");
  const fs::path file = folder.File("RS.dcm");
  RtStructureSetWriter::Write(file, PhantomStructures(planningCt), planningCt);
  const CtImage otherCt = MakeCt("1.2.826.0.1.3680043.9.8888.5.2");
  try {
    RtStructureSetReader::Read(file, otherCt);
    FAIL() << "expected InvalidInput";
  } catch (const InvalidInput& error) {
    const std::string message = error.what();
    std::cout << message << "\n";
    EXPECT_NE(message.find("1.2.826.0.1.3680043.9.7777.1.2"), std::string::npos);
    EXPECT_NE(message.find("1.2.826.0.1.3680043.9.8888.5.2"), std::string::npos);
  }
}

TEST(RtStructureSet, StructureOutsideTheCtIsRefusedUnlessClippingIsAsked) {
  TempFolder folder;
  const CtImage ct = MakeCt();
  StructureSet set;
  Structure big;
  big.name = "BODY";
  for (int k = 0; k < 25; ++k) {
    big.contours.push_back(Rectangle(-60, -40, 40, 40, -30.0 + 2.5 * k)); // CT ends at x = -45.45
  }
  set.structures.push_back(big);
  const fs::path file = folder.File("RS.dcm");
  RtStructureSetWriter::Write(file, set, ct);
  try {
    RtStructureSetReader::Read(file, ct);
    FAIL() << "expected InvalidInput";
  } catch (const InvalidInput& error) {
    std::cout << error.what() << "\n";
    EXPECT_NE(std::string(error.what()).find("'BODY' extends outside the CT"), std::string::npos);
  }
  WarningCapture warnings;
  RtStructureReadOptions options;
  options.clipToCt = true;
  const StructureSet clipped = RtStructureSetReader::Read(file, ct, options);
  ASSERT_EQ(clipped.structures.size(), 1u);
  EXPECT_TRUE(warnings.Any("clipped to the CT"));
  // Clipped at the CT's voxel faces: x from -45.45 to 40, y from -40 to 40, the whole CT length.
  EXPECT_NEAR(VolumeMm3(clipped.structures[0].mask), 85.45 * 80.0 * 62.5, 0.01 * 85.45 * 80 * 62.5);
}

TEST(RtStructureSet, PydicomSampleIsReadWithWarningsAboutItsPointRois) {
  const fs::path file = kPydicomFiles / "rtstruct.dcm";
  if (!fs::exists(file)) {
    GTEST_SKIP() << file << " not installed (python3-pydicom)";
  }
  // The sample references a CT that is not shipped: a CT with its Frame of Reference UID (dcmdump:
  // (3006,0024)) and a 2 mm x 2 mm x 5 mm grid covering its box of x -200..200, y -150..150,
  // z -205..-175 mm (three planes, 10 mm apart) stands in for it; its voxel faces lie on the
  // box's faces, so the mask's volume is exact.
  CtImage ct;
  ct.hu = Volume<short>(GridGeometry({-209.0, -159.0, -212.5}, {2.0, 2.0, 5.0}, {210, 160, 9}), 0);
  ct.info.frameOfReferenceUid = "1.2.826.0.1.3680043.8.498.2010020400001.2";
  ct.source = "stand-in CT";
  WarningCapture warnings;
  StructureSet set = RtStructureSetReader::Read(file, ct);
  StructureRoles::Assign(set);
  for (const auto& line : warnings.Lines()) {
    std::cout << "warning: " << line << "\n";
  }
  ASSERT_EQ(set.structures.size(), 1u);
  const Structure& patient = set.structures[0];
  EXPECT_EQ(patient.name, "patient");
  EXPECT_EQ(patient.colorRgb, (std::array<std::uint8_t, 3>{220, 160, 120}));
  EXPECT_EQ(patient.interpretedType, "EXTERNAL");
  EXPECT_EQ(patient.role, StructureRole::External);
  // 400 x 300 mm on three planes 10 mm apart: 30 mm thick.
  EXPECT_NEAR(VolumeMm3(patient.mask), 400.0 * 300.0 * 30.0, 1e-6);
  EXPECT_TRUE(warnings.Any("ROI 2 'Isocenter 1' has 1 POINT contour(s), ignored"));
  EXPECT_TRUE(warnings.Any("ROI 3 'Isocenter 2' has no usable CLOSED_PLANAR contour; skipped"));
  EXPECT_TRUE(warnings.Any("drawn on CT series") || ct.info.seriesInstanceUid.empty());
}

TEST(RtStructureSet, OdditiesOfOtherSystemsAreReadWithOneWarningEach) {
  TempFolder folder;
  // An unusual but valid UID (2.25 + a UUID as a decimal number).
  const CtImage ct = MakeCt("2.25.329800735698586629295641978511506172918");
  StructureSet set = PhantomStructures(ct);
  set.structures.resize(2); // GTV_lung, SpinalCord
  Structure body;
  body.name = "Body";
  for (int k = 0; k < 25; ++k) {
    // 20000 points per contour: Contour Data of about 500 kB, beyond explicit VR's 64 KiB.
    ContourPolygon circle;
    for (int p = 0; p < 20000; ++p) {
      const double angle = 2.0 * std::numbers::pi * p / 20000;
      circle.pointsMm.emplace_back(40.0 * std::cos(angle), 40.0 * std::sin(angle), -30.0 + 2.5 * k);
    }
    body.contours.push_back(circle);
  }
  set.structures.push_back(body);
  Structure duplicate = set.structures[1]; // a second "SpinalCord"
  duplicate.number = 9;
  set.structures.push_back(duplicate);
  Structure empty;
  empty.name = "Planned_later";
  {
    WarningCapture writerWarnings;
    set.structures.push_back(empty);
    const fs::path original = folder.File("RS.dcm");
    RtStructureSetWriter::Write(original, set, ct);
    EXPECT_TRUE(writerWarnings.Any("'Planned_later' has neither contours nor a non-empty mask"));
  }

  // What other systems do: one more coordinate than the points, an OPEN_PLANAR contour, an ROI
  // without a name.
  DcmFileFormat dicom;
  ASSERT_TRUE(dicom.loadFile(folder.File("RS.dcm").string().c_str()).good());
  DcmDataset& data = *dicom.getDataset();
  DcmItem* roiContour = nullptr;
  ASSERT_TRUE(data.findAndGetSequenceItem(DCM_ROIContourSequence, roiContour, 0).good());
  DcmItem* contour = nullptr;
  ASSERT_TRUE(roiContour->findAndGetSequenceItem(DCM_ContourSequence, contour, 0).good());
  const char* coordinates = nullptr;
  ASSERT_TRUE(contour->findAndGetString(DCM_ContourData, coordinates).good());
  contour->putAndInsertString(DCM_ContourData, (std::string(coordinates) + "\\1.5").c_str());
  ASSERT_TRUE(roiContour->findAndGetSequenceItem(DCM_ContourSequence, contour, 1).good());
  contour->putAndInsertString(DCM_ContourGeometricType, "OPEN_PLANAR");
  DcmItem* roi = nullptr;
  ASSERT_TRUE(data.findAndGetSequenceItem(DCM_StructureSetROISequence, roi, 2).good()); // Body
  roi->putAndInsertString(DCM_ROIName, "");
  const fs::path odd = folder.File("RS_odd.dcm");
  ASSERT_TRUE(dicom.saveFile(odd.string().c_str(), EXS_LittleEndianImplicit).good());

  WarningCapture warnings;
  const StructureSet read = RtStructureSetReader::Read(odd, ct);
  for (const auto& line : warnings.Lines()) {
    std::cout << "warning: " << line << "\n";
  }
  EXPECT_EQ(warnings.Lines().size(), 5u);
  EXPECT_TRUE(warnings.Any("ROI 1 'GTV_lung' has 1 contour(s) whose coordinate count is not a "
                           "multiple of 3"));
  EXPECT_TRUE(warnings.Any("ROI 1 'GTV_lung' has 1 OPEN_PLANAR contour(s), ignored"));
  EXPECT_TRUE(warnings.Any("ROI 2 'ROI_2' has no ROI Name"));
  EXPECT_TRUE(warnings.Any("ROI 9 'SpinalCord' has the same name as an earlier ROI; renamed "
                           "'SpinalCord_ROI9'"));
  EXPECT_TRUE(warnings.Any("'Planned_later' has no usable CLOSED_PLANAR contour; skipped"));
  ASSERT_EQ(read.structures.size(), 4u);
  EXPECT_EQ(read.frameOfReferenceUid, "2.25.329800735698586629295641978511506172918");
  const Structure* bodyRead = read.Find("ROI_2");
  ASSERT_NE(bodyRead, nullptr);
  ASSERT_EQ(bodyRead->contours.size(), 25u);
  EXPECT_EQ(bodyRead->contours[0].pointsMm.size(), 20000u);
  const double bodyContours = ContourRasterizer::ContourVolumeMm3(bodyRead->contours);
  EXPECT_NEAR(VolumeMm3(bodyRead->mask) / bodyContours, 1.0, kVolumeTolerance);
  EXPECT_NE(read.Find("SpinalCord_ROI9"), nullptr);
}

/// The RT Structure Set of PhantomStructures(ct) with `edit` applied, saved in implicit VR.
fs::path EditedStructureSet(const TempFolder& folder, const CtImage& ct,
                            const std::function<void(DcmDataset&)>& edit) {
  const fs::path file = folder.File("RS_edited.dcm");
  RtStructureSetWriter::Write(file, PhantomStructures(ct), ct);
  DcmFileFormat dicom;
  EXPECT_TRUE(dicom.loadFile(file.string().c_str()).good());
  EXPECT_TRUE(dicom.loadAllDataIntoMemory().good());
  edit(*dicom.getDataset());
  EXPECT_TRUE(dicom.saveFile(file.string().c_str(), EXS_LittleEndianImplicit).good());
  return file;
}

TEST(RtStructureSet, ANanInOneContourMakesTheStructureUnusableNotSmaller) {
  TempFolder folder;
  const CtImage ct = MakeCt();
  const fs::path file = EditedStructureSet(folder, ct, [](DcmDataset& data) {
    DcmItem* roiContour = nullptr;
    ASSERT_TRUE(data.findAndGetSequenceItem(DCM_ROIContourSequence, roiContour, 0).good());
    DcmItem* contour = nullptr;
    ASSERT_TRUE(roiContour->findAndGetSequenceItem(DCM_ContourSequence, contour, 2).good());
    const char* coordinates = nullptr;
    ASSERT_TRUE(contour->findAndGetString(DCM_ContourData, coordinates).good());
    const std::string text = coordinates;
    contour->putAndInsertString(DCM_ContourData, ("nan" + text.substr(text.find('\\'))).c_str());
  });
  WarningCapture warnings;
  const StructureSet read = RtStructureSetReader::Read(file, ct);
  EXPECT_TRUE(warnings.Lines().empty())
      << "a defect is not a warning: " << warnings.Lines().front();
  ASSERT_EQ(read.defects.size(), 1u);
  EXPECT_EQ(read.defects.front().name, "GTV_lung");
  EXPECT_FALSE(read.defects.front().dropped);
  const std::string problem = read.Describe(read.defects.front());
  EXPECT_NE(problem.find("ROI 1 'GTV_lung' has 1 corrupt contour(s); first contour 3 of "),
            std::string::npos)
      << problem;
  EXPECT_NE(problem.find("value 1 is 'nan'"), std::string::npos) << problem;
  EXPECT_THROW(StructureLoader::Require(read, "GTV_lung"), InvalidInput);
  EXPECT_THROW(StructureLoader::RefuseDefects(read), InvalidInput);
  EXPECT_NO_THROW(StructureLoader::Require(read, "SpinalCord"));
  ASSERT_EQ(warnings.Lines().size(), 1u) << "the unused structure's defect is a warning";
  EXPECT_NE(warnings.Lines().front().find("not used here"), std::string::npos);
}

TEST(RtStructureSet, AllRoisOnAnotherFrameOfReferenceAreRefusedEvenIfTheSetNamesTheCts) {
  TempFolder folder;
  const CtImage ct = MakeCt();
  const fs::path file = EditedStructureSet(folder, ct, [](DcmDataset& data) {
    for (long n = 0;; ++n) {
      DcmItem* roi = nullptr;
      if (data.findAndGetSequenceItem(DCM_StructureSetROISequence, roi, n).bad()) {
        break;
      }
      roi->putAndInsertString(DCM_ReferencedFrameOfReferenceUID, "1.2.826.0.1.3680043.9.99");
    }
  });
  try {
    RtStructureSetReader::Read(file, ct);
    FAIL() << "expected InvalidInput";
  } catch (const InvalidInput& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("all 3 ROIs with contours reference Frame of Reference UID "
                           "1.2.826.0.1.3680043.9.99"),
              std::string::npos)
        << message;
  }
}

TEST(RtStructureSet, OneRoiOnAnotherFrameOfReferenceIsADefectOfThatRoi) {
  TempFolder folder;
  const CtImage ct = MakeCt();
  const fs::path file = EditedStructureSet(folder, ct, [](DcmDataset& data) {
    DcmItem* roi = nullptr;
    ASSERT_TRUE(data.findAndGetSequenceItem(DCM_StructureSetROISequence, roi, 1).good());
    roi->putAndInsertString(DCM_ReferencedFrameOfReferenceUID, "1.2.826.0.1.3680043.9.99");
  });
  const StructureSet read = RtStructureSetReader::Read(file, ct);
  ASSERT_EQ(read.defects.size(), 1u);
  EXPECT_TRUE(read.defects.front().dropped);
  EXPECT_EQ(read.Find(read.defects.front().name), nullptr);
  EXPECT_THROW(StructureLoader::Require(read, read.defects.front().name), InvalidInput);
}

TEST(RtStructureSet, CtImageFileIsRefusedAsNotAnRtStructureSet) {
  const fs::path file = kPydicomFiles / "CT_small.dcm";
  if (!fs::exists(file)) {
    GTEST_SKIP() << file << " not installed (python3-pydicom)";
  }
  try {
    RtStructureSetReader::Read(file, MakeCt());
    FAIL() << "expected DataFormat";
  } catch (const DataFormat& error) {
    std::cout << error.what() << "\n";
    EXPECT_NE(std::string(error.what()).find("is not an RT Structure Set"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("Modality is CT"), std::string::npos);
  }
}

TEST(RtStructureSet, TextFileIsRefusedAsNotDicom) {
  TempFolder folder;
  const fs::path file = folder.File("notes.dcm");
  std::ofstream(file) << "contours: see the planning system\n";
  try {
    RtStructureSetReader::Read(file, MakeCt());
    FAIL() << "expected DataFormat";
  } catch (const DataFormat& error) {
    std::cout << error.what() << "\n";
    EXPECT_NE(std::string(error.what()).find("not a DICOM file"), std::string::npos);
  }
  EXPECT_THROW(RtStructureSetReader::Read(folder.File("missing.dcm"), MakeCt()), Io);
}

TEST(RtStructureSet, WriterRefusesACtWithoutDicomIdentity) {
  TempFolder folder;
  CtImage ct = MakeCt();
  ct.info.frameOfReferenceUid.clear();
  EXPECT_THROW(RtStructureSetWriter::Write(folder.File("RS.dcm"), PhantomStructures(ct), ct),
               InvalidInput);
  EXPECT_FALSE(fs::exists(folder.File("RS.dcm")));
}

// --- Label maps ------------------------------------------------------------------------------

Volume<float> LabelVolume(const GridGeometry& grid) {
  Volume<float> labels(grid, 0.0f);
  for (std::int64_t k = 2; k < 6; ++k) {
    for (std::int64_t j = 3; j < 8; ++j) {
      for (std::int64_t i = 2; i < 6; ++i) {
        labels.At(i, j, k) = 1.0f; // 4 x 5 x 4 = 80 voxels
      }
      labels.At(10, j, k) = 2.0f; // 5 x 4 = 20 voxels
    }
    labels.At(12, 12, k) = 3.0f; // 4 voxels, no name
  }
  return labels;
}

const GridGeometry kLabelGrid({-10.0, 5.0, 20.0}, {0.8, 0.8, 2.0}, {16, 14, 8});

TEST(LabelMapReader, NamesAndRolesComeFromNrrdKeyValuePairs) {
  TempFolder folder;
  Volume<float> labels = LabelVolume(kLabelGrid);
  labels.MetaData() = {{"label_1", "GTV_lung"},
                       {"label_2", "SpinalCord"},
                       {"label_2_role", "no-go"},
                       {"label_2_color", "255 255 0"}};
  const fs::path file = folder.File("labels.nrrd");
  WriteVolume(labels, file);
  WarningCapture warnings;
  StructureSet set = LabelMapReader::Read(file, &kLabelGrid);
  ASSERT_EQ(set.structures.size(), 3u);
  EXPECT_EQ(set.structures[0].name, "GTV_lung");
  EXPECT_DOUBLE_EQ(VolumeMm3(set.structures[0].mask), 80 * 0.8 * 0.8 * 2.0);
  EXPECT_EQ(set.structures[1].name, "SpinalCord");
  EXPECT_EQ(set.structures[1].role, StructureRole::NoGo);
  EXPECT_EQ(set.structures[1].roleSource, "label map");
  EXPECT_EQ(set.structures[1].colorRgb, (std::array<std::uint8_t, 3>{255, 255, 0}));
  EXPECT_DOUBLE_EQ(VolumeMm3(set.structures[1].mask), 20 * 0.8 * 0.8 * 2.0);
  EXPECT_EQ(set.structures[2].name, "label_3");
  EXPECT_TRUE(warnings.Any("label 3 has no name"));
  // The cropped mask keeps the label map's voxel centres.
  const Eigen::Vector3d index =
      set.structures[0].mask.Geometry().PointToContinuousIndex(kLabelGrid.IndexToPoint(2, 3, 2));
  EXPECT_NEAR(index.x(), 1.0, 1e-9);
  EXPECT_EQ(set.structures[0].mask.At(1, 1, 1), 1);
  StructureRoles::Assign(set);
  EXPECT_EQ(set.structures[0].role, StructureRole::Target);
  EXPECT_EQ(set.structures[1].roleSource, "label map");
}

TEST(LabelMapReader, NamesComeFromASidecarCsv) {
  TempFolder folder;
  const fs::path file = folder.File("labels.mha");
  WriteVolume(LabelVolume(kLabelGrid), file);
  std::ofstream(folder.File("labels.mha.labels.csv"))
      << "value,name,role\n1,Lesion 1,target\n2,Aorta,\n3,Rib_7,bone\n";
  WarningCapture warnings;
  const StructureSet set = LabelMapReader::Read(file, &kLabelGrid);
  ASSERT_EQ(set.structures.size(), 3u);
  EXPECT_EQ(set.structures[0].name, "Lesion 1");
  EXPECT_EQ(set.structures[0].role, StructureRole::Target);
  EXPECT_EQ(set.structures[1].name, "Aorta");
  EXPECT_EQ(set.structures[1].roleSource, "none");
  EXPECT_EQ(set.structures[2].name, "Rib_7");
  EXPECT_EQ(set.structures[2].role, StructureRole::Bone);
  EXPECT_TRUE(warnings.Lines().empty());
}

TEST(LabelMapReader, LabelMapOfAnotherGeometryIsRefusedNamingBothGeometries) {
  TempFolder folder;
  const fs::path file = folder.File("labels.nrrd");
  WriteVolume(LabelVolume(kLabelGrid), file);
  const GridGeometry ct({-10.0, 5.0, 20.0}, {0.8, 0.8, 2.5}, {16, 14, 8});
  try {
    LabelMapReader::Read(file, &ct);
    FAIL() << "expected InvalidInput";
  } catch (const InvalidInput& error) {
    const std::string message = error.what();
    std::cout << message << "\n";
    EXPECT_NE(message.find(kLabelGrid.Describe()), std::string::npos);
    EXPECT_NE(message.find(ct.Describe()), std::string::npos);
  }
}

TEST(LabelMapReader, NonIntegerValuesAreRefused) {
  TempFolder folder;
  Volume<float> labels = LabelVolume(kLabelGrid);
  labels.At(0, 0, 0) = 0.5f;
  const fs::path file = folder.File("probability.mha");
  WriteVolume(labels, file);
  EXPECT_THROW(LabelMapReader::Read(file), DataFormat);
}

// --- Roles -----------------------------------------------------------------------------------

Structure Named(const std::string& name, const std::string& type = "") {
  Structure structure;
  structure.name = name;
  structure.interpretedType = type;
  return structure;
}

TEST(StructureRoles, InterpretedTypeComesFirst) {
  StructureSet set;
  set.structures = {Named("Lesion A", "PTV"),  Named("Whatever", "AVOIDANCE"),
                    Named("Body", "EXTERNAL"), Named("Kidney_L", "ORGAN"),
                    Named("Heart", "GTV"),     Named("Iso", "ISOCENTER")};
  StructureRoles::Assign(set);
  EXPECT_EQ(set.structures[0].role, StructureRole::Target);
  EXPECT_EQ(set.structures[1].role, StructureRole::NoGo);
  EXPECT_EQ(set.structures[2].role, StructureRole::External);
  EXPECT_EQ(set.structures[3].role, StructureRole::OrganAtRisk);
  EXPECT_EQ(set.structures[3].roleSource, "RT ROI Interpreted Type");
  EXPECT_EQ(set.structures[4].role, StructureRole::Target); // GTV is final, whatever the name
  EXPECT_EQ(set.structures[5].role, StructureRole::Unknown);
  EXPECT_EQ(set.structures[5].roleSource, "none");
}

TEST(StructureRoles, NamingRuleDecidesWithoutTypeAndRefinesOrgan) {
  const std::vector<std::pair<std::string, StructureRole>> expected{
      {"GTV1_lung", StructureRole::Target},
      {"lung_met", StructureRole::Target},
      {"Tumour bed", StructureRole::Target},
      {"Lymph node 2", StructureRole::Target},
      {"Spinal Cord", StructureRole::NoGo},
      {"SpinalCanal", StructureRole::NoGo},
      {"A_Aorta", StructureRole::NoGo},
      {"Heart", StructureRole::NoGo},
      {"Trachea", StructureRole::NoGo},
      {"Esophagus", StructureRole::NoGo},
      {"T10 vertebral body", StructureRole::Bone},
      {"Rib_L7", StructureRole::Bone},
      {"Sternum", StructureRole::Bone},
      {"BODY", StructureRole::External},
      {"External", StructureRole::External},
      {"Lung_R", StructureRole::PassThrough},
      {"Liver", StructureRole::PassThrough},
      {"Skin", StructureRole::PassThrough},
      {"Kidney_L", StructureRole::OrganAtRisk},
      {"metal marker", StructureRole::Unknown},
  };
  for (const auto& [name, role] : expected) {
    EXPECT_EQ(StructureRoles::FromName(name).value_or(StructureRole::Unknown), role) << name;
  }
  StructureSet set;
  set.structures = {Named("SpinalCord", "ORGAN"), Named("Lung_L", "ORGAN"), Named("Rib_3")};
  StructureRoles::Assign(set);
  EXPECT_EQ(set.structures[0].role, StructureRole::NoGo);
  EXPECT_EQ(set.structures[0].roleSource, "naming rule");
  EXPECT_EQ(set.structures[1].role, StructureRole::PassThrough);
  EXPECT_EQ(set.structures[2].role, StructureRole::Bone);
}

TEST(StructureRoles, CommandLineOverridesAndUnknownNamesAreRefused) {
  StructureSet set;
  set.structures = {Named("SpinalCord", "ORGAN"), Named("Node_7", "GTV")};
  StructureRoles::Assign(set, {{"Node_7", StructureRole::OrganAtRisk}});
  EXPECT_EQ(set.structures[0].role, StructureRole::NoGo);
  EXPECT_EQ(set.structures[1].role, StructureRole::OrganAtRisk);
  EXPECT_EQ(set.structures[1].roleSource, "command line");
  try {
    StructureRoles::Assign(set, {{"Cord", StructureRole::NoGo}});
    FAIL() << "expected InvalidInput";
  } catch (const InvalidInput& error) {
    std::cout << error.what() << "\n";
    EXPECT_NE(std::string(error.what()).find("'Cord'"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("SpinalCord, Node_7"), std::string::npos);
  }
}

} // namespace
} // namespace seedplan::imaging
