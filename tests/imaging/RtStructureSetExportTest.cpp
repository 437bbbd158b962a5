// Tests of what RtStructureSetWriter adds for the DICOM RT export: contours copied exactly, the
// interpreted type from the role, needles as open polylines clipped to the CT's box, the CT's
// patient and study attributes and the RT Series' Operators' Name.

#include "RtTestSupport.h"
#include "seedplan/imaging/RtStructureSetReader.h"
#include "seedplan/imaging/RtStructureSetWriter.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <map>

namespace seedplan::imaging {
namespace {

using rttest::SmallCt;
using rttest::SmallCtHeader;
using rttest::TempFolder;

/// The double a Decimal String of 12 significant digits reads as (at most 16 characters), as a
/// planning system's contour coordinates are.
double FromDecimalString(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%.12g", value);
  return std::strtod(text, nullptr);
}

/// A square contour on slice k of SmallCt() with coordinates of 12 significant digits.
ContourPolygon Square(int k, double half) {
  const double z = -13.75 + 2.5 * k;
  ContourPolygon polygon;
  for (const auto& [x, y] : {std::pair{-half, -half}, std::pair{half, -half}, std::pair{half, half},
                             std::pair{-half, half}}) {
    polygon.pointsMm.emplace_back(FromDecimalString(x + 0.123456789012345),
                                  FromDecimalString(y - 1.00000000000001), z);
  }
  return polygon;
}

Structure MakeStructure(int number, const std::string& name, const std::string& type,
                        StructureRole role, double half) {
  Structure structure;
  structure.number = number;
  structure.name = name;
  structure.interpretedType = type;
  structure.role = role;
  for (int k = 3; k < 8; ++k) {
    structure.contours.push_back(Square(k, half));
  }
  return structure;
}

std::string Text(DcmItem& item, const DcmTagKey& tag) {
  OFString value;
  item.findAndGetOFStringArray(tag, value);
  return value.c_str();
}

TEST(RtStructureSetExport, ContoursAreCopiedExactlyAndTypesFollowTheRoles) {
  TempFolder folder;
  const CtImage ct = SmallCt();
  StructureSet set;
  set.structures = {MakeStructure(4, "GTV_Lung", "ORGAN", StructureRole::Target, 5.0),
                    MakeStructure(7, "SpinalCord", "ORGAN", StructureRole::NoGo, 3.0),
                    MakeStructure(8, "Lung_R", "ORGAN", StructureRole::PassThrough, 12.0),
                    MakeStructure(9, "PTV_Node", "PTV", StructureRole::Target, 4.0)};
  RtStructureSetWriteOptions options;
  options.header = SmallCtHeader(ct);
  options.interpretedTypeFromRole = true;
  const RtStructureSetWritten written =
      RtStructureSetWriter::Write(folder.File("rtstruct.dcm"), set, ct, options);
  EXPECT_EQ(written.RoiNumber("GTV_Lung"), 4);
  EXPECT_EQ(written.RoiNumber("PTV_Node"), 9);

  const StructureSet read = RtStructureSetReader::ReadContours(folder.File("rtstruct.dcm"));
  ASSERT_EQ(read.structures.size(), 4u);
  std::map<std::string, std::string> types;
  for (std::size_t s = 0; s < 4; ++s) {
    const Structure& r = read.structures[s];
    const Structure& w = set.structures[s];
    types[r.name] = r.interpretedType;
    ASSERT_EQ(r.contours.size(), w.contours.size());
    for (std::size_t c = 0; c < r.contours.size(); ++c) {
      ASSERT_EQ(r.contours[c].pointsMm.size(), w.contours[c].pointsMm.size());
      for (std::size_t p = 0; p < r.contours[c].pointsMm.size(); ++p) {
        // A coordinate read from a Decimal String comes back as the same double.
        EXPECT_EQ(r.contours[c].pointsMm[p], w.contours[c].pointsMm[p]) << r.name;
      }
    }
  }
  EXPECT_EQ(types["GTV_Lung"], "GTV");         // a target typed ORGAN: the role decides
  EXPECT_EQ(types["SpinalCord"], "AVOIDANCE"); // no-go for needles
  EXPECT_EQ(types["Lung_R"], "ORGAN");         // pass-through keeps its ORGAN
  EXPECT_EQ(types["PTV_Node"], "PTV");         // a target type is kept
}

TEST(RtStructureSetExport, NeedlesAreOpenPolylinesClippedToTheCtBox) {
  TempFolder folder;
  const CtImage ct = SmallCt(); // x from -20 to 20 mm (voxel faces), z from -15 to 15 mm
  StructureSet set;
  set.structures = {MakeStructure(1, "GTV", "GTV", StructureRole::Target, 5.0)};
  RtStructureSetWriteOptions options;
  options.header = SmallCtHeader(ct);
  RtOpenPolyline needle;
  needle.name = "Needle_N1";
  needle.pointsMm = {Eigen::Vector3d(-60.0, 0.5, 0.0), Eigen::Vector3d(4.0, 0.5, 0.0)};
  RtOpenPolyline outside;
  outside.name = "Needle_N2";
  outside.pointsMm = {Eigen::Vector3d(-60.0, 0.0, 40.0), Eigen::Vector3d(-30.0, 0.0, 40.0)};
  options.openPolylines = {needle, outside};
  rttest::WarningCapture warnings;
  const RtStructureSetWritten written =
      RtStructureSetWriter::Write(folder.File("rtstruct.dcm"), set, ct, options);
  EXPECT_TRUE(warnings.Any("Needle_N2"));
  EXPECT_EQ(written.RoiNumber("Needle_N1"), 2);
  EXPECT_EQ(written.RoiNumber("Needle_N2"), 3);

  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile(folder.File("rtstruct.dcm").c_str()).good());
  DcmDataset& data = *file.getDataset();
  EXPECT_EQ(Text(data, DCM_PatientName), "TEST^RT");
  EXPECT_EQ(Text(data, DCM_StudyID), "77");
  EXPECT_TRUE(data.tagExists(DCM_OperatorsName));
  EXPECT_EQ(Text(data, DCM_FrameOfReferenceUID), ct.info.frameOfReferenceUid);
  EXPECT_TRUE(data.tagExists(DCM_PositionReferenceIndicator));
  DcmItem* roiContour = nullptr;
  ASSERT_TRUE(data.findAndGetSequenceItem(DCM_ROIContourSequence, roiContour, 1).good());
  DcmItem* contour = nullptr;
  ASSERT_TRUE(roiContour->findAndGetSequenceItem(DCM_ContourSequence, contour, 0).good());
  EXPECT_EQ(Text(*contour, DCM_ContourGeometricType), "OPEN_NONPLANAR");
  EXPECT_EQ(Text(*contour, DCM_NumberOfContourPoints), "2");
  EXPECT_EQ(Text(*contour, DCM_ContourData), "-20\\0.5\\0\\4\\0.5\\0");
  DcmItem* observation = nullptr;
  ASSERT_TRUE(data.findAndGetSequenceItem(DCM_RTROIObservationsSequence, observation, 1).good());
  EXPECT_EQ(Text(*observation, DCM_RTROIInterpretedType), "BRACHY_CHANNEL");
}

TEST(RtStructureSetExport, ClippingKeepsInsideSegmentsAndDropsOutsideOnes) {
  const GridGeometry grid({0, 0, 0}, {1, 1, 1}, {10, 10, 10}); // faces at -0.5 and 9.5
  const auto inside =
      RtStructureSetWriter::ClipToBox({Eigen::Vector3d(1, 1, 1), Eigen::Vector3d(8, 2, 3)}, grid);
  ASSERT_EQ(inside.size(), 1u);
  EXPECT_EQ(inside[0][1], Eigen::Vector3d(8, 2, 3));
  const auto both = RtStructureSetWriter::ClipToBox(
      {Eigen::Vector3d(-10.5, 5, 5), Eigen::Vector3d(19.5, 5, 5)}, grid);
  ASSERT_EQ(both.size(), 1u);
  EXPECT_NEAR((both[0][0] - Eigen::Vector3d(-0.5, 5, 5)).norm(), 0.0, 1e-12);
  EXPECT_NEAR((both[0][1] - Eigen::Vector3d(9.5, 5, 5)).norm(), 0.0, 1e-12);
  EXPECT_TRUE(RtStructureSetWriter::ClipToBox(
                  {Eigen::Vector3d(-5, -5, -5), Eigen::Vector3d(-5, 20, -5)}, grid)
                  .empty());
  // Out, in, out and in again: two parts.
  const auto twice =
      RtStructureSetWriter::ClipToBox({Eigen::Vector3d(-5, 5, 5), Eigen::Vector3d(5, 5, 5),
                                       Eigen::Vector3d(5, 5, 20), Eigen::Vector3d(5, 5, 8)},
                                      grid);
  EXPECT_EQ(twice.size(), 2u);
}

} // namespace
} // namespace seedplan::imaging
