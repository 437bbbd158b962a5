#include "seedplan/imaging/DicomCtSeries.h"
#include "../core/ErrorMessage.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/Log.h"
#include "seedplan/core/Volume.h"
#include "seedplan/imaging/CtLoader.h"
#include "seedplan/imaging/DicomCtWriter.h"
#include "seedplan/imaging/VolumeIo.h"

#include <gtest/gtest.h>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <Eigen/Geometry>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace seedplan::imaging {
namespace {

using test::Contains;
using test::MessageOf;

namespace fs = std::filesystem;
using Compression = DicomCtWriteOptions::Compression;

// The writer stores positions and cosines as DS values with 12 significant digits (1e-9 mm at
// 500 mm); the reader re-orthonormalises the cosines. 1e-6 mm and 1e-9 are far above that rounding
// and far below anything that matters clinically.
constexpr double kGeometryToleranceMm = 1e-6;
constexpr double kDirectionTolerance = 1e-9;

const fs::path kPydicomFiles = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

/// Changes a DICOM file in place with DCMTK, as another program would.
void EditFile(const fs::path& file, const std::function<void(DcmDataset&)>& edit) {
  DcmFileFormat format;
  ASSERT_TRUE(format.loadFile(file.c_str()).good()) << file;
  ASSERT_TRUE(format.loadAllDataIntoMemory().good());
  edit(*format.getDataset());
  ASSERT_TRUE(format.saveFile(file.c_str(), EXS_LittleEndianExplicit).good()) << file;
}

void SetString(const fs::path& file, const DcmTagKey& tag, const std::string& value) {
  EditFile(file, [&](DcmDataset& dataset) {
    ASSERT_TRUE(dataset.putAndInsertString(tag, value.c_str()).good());
  });
}

std::string GetString(const fs::path& file, const DcmTagKey& tag) {
  DcmFileFormat format;
  EXPECT_TRUE(format.loadFile(file.c_str()).good()) << file;
  OFString value;
  format.getDataset()->findAndGetOFStringArray(tag, value);
  return value.c_str();
}

/// A small grid with unequal sizes and spacings along i, j and k, so that a swap of rows and
/// columns or of the PixelSpacing values shows.
GridGeometry SmallGrid(const Eigen::Vector3d& rowCosine, const Eigen::Vector3d& columnCosine) {
  Eigen::Matrix3d direction;
  direction.col(0) = rowCosine;
  direction.col(1) = columnCosine;
  direction.col(2) = rowCosine.cross(columnCosine);
  return GridGeometry({-30.25, 12.5, -101.75}, {0.8, 0.9, 2.5}, {6, 5, 4}, direction);
}

GridGeometry AxialGrid() {
  return SmallGrid({1, 0, 0}, {0, 1, 0});
}

/// HU with a different value in (almost) every voxel; `offset` moves the range.
Volume<short> PatternedCt(const GridGeometry& grid, int offset = 0) {
  Volume<short> hu(grid);
  for (std::int64_t k = 0; k < grid.Size()[2]; ++k) {
    for (std::int64_t j = 0; j < grid.Size()[1]; ++j) {
      for (std::int64_t i = 0; i < grid.Size()[0]; ++i) {
        hu.At(i, j, k) = static_cast<short>((i * 37 + j * 101 + k * 331) % 2500 - 1000 + offset);
      }
    }
  }
  return hu;
}

void ExpectSameGeometry(const GridGeometry& actual, const GridGeometry& expected) {
  EXPECT_EQ(actual.Size(), expected.Size());
  for (int axis = 0; axis < 3; ++axis) {
    EXPECT_NEAR(actual.OriginMm()[axis], expected.OriginMm()[axis], kGeometryToleranceMm);
    EXPECT_NEAR(actual.SpacingMm()[axis], expected.SpacingMm()[axis], kGeometryToleranceMm);
    for (int row = 0; row < 3; ++row) {
      EXPECT_NEAR(actual.Direction()(row, axis), expected.Direction()(row, axis),
                  kDirectionTolerance);
    }
  }
}

/// Each test works in a fresh folder under the system temp directory, removed afterwards.
class DicomCtSeriesTest : public ::testing::Test {
protected:
  void SetUp() override {
    std::random_device device;
    m_Folder = fs::temp_directory_path() /
               ("seedplan-dicom-ct-test-" + std::to_string(device()) + std::to_string(device()));
    fs::create_directories(m_Folder);
    m_PreviousSink = log::SetSink(
        [this](log::Level, const std::string& message) { m_Warnings.push_back(message); });
  }
  void TearDown() override {
    log::SetSink(m_PreviousSink);
    std::error_code ignored;
    fs::remove_all(m_Folder, ignored);
  }
  fs::path Path(const std::string& name) const { return m_Folder / name; }
  /// A fresh series folder holding the axial test CT.
  fs::path WriteAxialSeries(const std::string& name, const DicomCtWriteOptions& options = {}) {
    const fs::path folder = Path(name);
    DicomCtWriter::Write(folder, PatternedCt(AxialGrid()), options);
    return folder;
  }
  const std::vector<std::string>& Warnings() const { return m_Warnings; }

private:
  fs::path m_Folder;
  log::Sink m_PreviousSink;
  std::vector<std::string> m_Warnings;
};

// ---- Round trips -------------------------------------------------------------------------------

TEST_F(DicomCtSeriesTest, WrittenSeriesReadsBackWithGeometryHuAndUidsInEveryPatientPosition) {
  struct Case {
    std::string position;
    Eigen::Vector3d rowCosine;
    Eigen::Vector3d columnCosine;
  };
  const Eigen::Matrix3d oblique =
      Eigen::AngleAxisd(0.4, Eigen::Vector3d(1, 2, 0.5).normalized()).toRotationMatrix();
  // Row and column cosines as scanners write them for each patient position (axial slices).
  const std::vector<Case> cases = {
      {"HFS", {1, 0, 0}, {0, 1, 0}},           {"FFS", {-1, 0, 0}, {0, 1, 0}},
      {"HFP", {-1, 0, 0}, {0, -1, 0}},         {"FFP", {1, 0, 0}, {0, -1, 0}},
      {"HFS", oblique.col(0), oblique.col(1)},
  };
  for (std::size_t n = 0; n < cases.size(); ++n) {
    SCOPED_TRACE(cases[n].position + " case " + std::to_string(n));
    const GridGeometry grid = SmallGrid(cases[n].rowCosine, cases[n].columnCosine);
    const Volume<short> hu = PatternedCt(grid);
    DicomCtWriteOptions options;
    options.patientPosition = cases[n].position;
    options.seriesDescription = "round trip " + std::to_string(n);
    const fs::path folder = Path("series" + std::to_string(n));
    const DicomSeriesInfo written = DicomCtWriter::Write(folder, hu, options);

    const CtImage ct = DicomCtSeries::Load(folder);
    ExpectSameGeometry(ct.hu.Geometry(), grid);
    EXPECT_EQ(ct.hu.Data(), hu.Data());
    EXPECT_EQ(ct.info.seriesInstanceUid, written.seriesInstanceUid);
    EXPECT_EQ(ct.info.studyInstanceUid, written.studyInstanceUid);
    EXPECT_EQ(ct.info.frameOfReferenceUid, written.frameOfReferenceUid);
    EXPECT_EQ(ct.info.sopInstanceUids, written.sopInstanceUids);
    EXPECT_EQ(ct.info.patientPosition, cases[n].position);
    EXPECT_EQ(ct.info.modality, "CT");
    EXPECT_EQ(ct.info.patientId, "SP-PHANTOM-001");
    EXPECT_EQ(ct.info.seriesDescription, options.seriesDescription);
    EXPECT_EQ(ct.info.seriesNumber, "1");
    EXPECT_EQ(ct.info.fileCount, 4u);
    EXPECT_EQ(ct.info.transferSyntax, "Little Endian Explicit");
  }
}

TEST_F(DicomCtSeriesTest, PixelSpacingListsTheRowSpacingFirst) {
  const fs::path folder = WriteAxialSeries("ct");
  // Rows are 0.9 mm apart (along j), columns 0.8 mm (along i).
  EXPECT_EQ(GetString(folder / "CT_0001.dcm", DCM_PixelSpacing), "0.9\\0.8");
  const CtImage ct = DicomCtSeries::Load(folder);
  EXPECT_DOUBLE_EQ(ct.hu.Geometry().SpacingMm()[0], 0.8);
  EXPECT_DOUBLE_EQ(ct.hu.Geometry().SpacingMm()[1], 0.9);
}

TEST_F(DicomCtSeriesTest, HuBelowMinus1024RoundTripThroughSignedPixels) {
  const Volume<short> hu = PatternedCt(AxialGrid(), -2000);
  DicomCtWriter::Write(Path("ct"), hu, {});
  EXPECT_EQ(GetString(Path("ct") / "CT_0001.dcm", DCM_PixelRepresentation), "1");
  EXPECT_EQ(DicomCtSeries::Load(Path("ct")).hu.Data(), hu.Data());
}

TEST_F(DicomCtSeriesTest, SlicesAreOrderedByPositionNotByFileNameOrInstanceNumber) {
  const fs::path folder = WriteAxialSeries("ct");
  const CtImage expected = DicomCtSeries::Load(folder);
  // Reverse the file names and scramble InstanceNumber: neither may decide the order.
  const std::vector<std::string> names = {"CT_0001.dcm", "CT_0002.dcm", "CT_0003.dcm",
                                          "CT_0004.dcm"};
  const std::vector<std::string> instanceNumbers = {"3", "1", "4", "2"};
  for (std::size_t n = 0; n < names.size(); ++n) {
    SetString(folder / names[n], DCM_InstanceNumber, instanceNumbers[n]);
    fs::rename(folder / names[n], folder / ("tmp" + std::to_string(n)));
  }
  for (std::size_t n = 0; n < names.size(); ++n) {
    fs::rename(folder / ("tmp" + std::to_string(n)), folder / names[names.size() - 1 - n]);
  }
  const CtImage shuffled = DicomCtSeries::Load(folder);
  ExpectSameGeometry(shuffled.hu.Geometry(), expected.hu.Geometry());
  EXPECT_EQ(shuffled.hu.Data(), expected.hu.Data());
  EXPECT_EQ(shuffled.info.sopInstanceUids, expected.info.sopInstanceUids);
  EXPECT_EQ(DicomCtSeries::Scan(folder).front().sopInstanceUids, expected.info.sopInstanceUids);
}

TEST_F(DicomCtSeriesTest, RescaleSlopeAndInterceptAreApplied) {
  const Volume<short> hu = PatternedCt(AxialGrid());
  const fs::path folder = Path("ct");
  DicomCtWriter::Write(folder, hu, {});
  // Stored values are HU + 1024 (unsigned pixels); with slope 2 and intercept -1000 on every slice
  // the HU become 2 (HU + 1024) - 1000.
  for (const auto& entry : fs::directory_iterator(folder)) {
    EditFile(entry.path(), [](DcmDataset& dataset) {
      dataset.putAndInsertString(DCM_RescaleSlope, "2");
      dataset.putAndInsertString(DCM_RescaleIntercept, "-1000");
    });
  }
  const CtImage ct = DicomCtSeries::Load(folder);
  ASSERT_EQ(ct.hu.Data().size(), hu.Data().size());
  for (std::size_t n = 0; n < hu.Data().size(); ++n) {
    ASSERT_EQ(ct.hu.Data()[n], 2 * (hu.Data()[n] + 1024) - 1000) << "voxel " << n;
  }
}

TEST_F(DicomCtSeriesTest, HuBeyondTheRangeOfShortAreClampedWithAWarning) {
  const fs::path folder = WriteAxialSeries("ct");
  for (const auto& entry : fs::directory_iterator(folder)) {
    SetString(entry.path(), DCM_RescaleSlope, "100");
  }
  const CtImage ct = DicomCtSeries::Load(folder);
  EXPECT_EQ(*std::max_element(ct.hu.Data().begin(), ct.hu.Data().end()), 32767);
  ASSERT_EQ(Warnings().size(), 1u);
  EXPECT_TRUE(Contains(Warnings().front(), "clamped")) << Warnings().front();
}

TEST_F(DicomCtSeriesTest, JpegLosslessAndRleSeriesReadIdenticalToTheUncompressedOne) {
  for (const int offset : {0, -2000}) { // unsigned and signed pixels
    SCOPED_TRACE("HU offset " + std::to_string(offset));
    const Volume<short> hu = PatternedCt(AxialGrid(), offset);
    DicomCtWriteOptions options;
    const std::string suffix = std::to_string(-offset);
    DicomCtWriter::Write(Path("plain" + suffix), hu, options);
    options.compression = Compression::JpegLossless;
    const DicomSeriesInfo jpeg = DicomCtWriter::Write(Path("jpeg" + suffix), hu, options);
    options.compression = Compression::Rle;
    const DicomSeriesInfo rle = DicomCtWriter::Write(Path("rle" + suffix), hu, options);

    const CtImage plain = DicomCtSeries::Load(Path("plain" + suffix));
    const CtImage jpegCt = DicomCtSeries::Load(Path("jpeg" + suffix));
    const CtImage rleCt = DicomCtSeries::Load(Path("rle" + suffix));
    EXPECT_EQ(plain.hu.Data(), hu.Data());
    EXPECT_EQ(jpegCt.hu.Data(), hu.Data());
    EXPECT_EQ(rleCt.hu.Data(), hu.Data());
    ExpectSameGeometry(jpegCt.hu.Geometry(), plain.hu.Geometry());
    ExpectSameGeometry(rleCt.hu.Geometry(), plain.hu.Geometry());
    EXPECT_EQ(jpegCt.info.transferSyntax, jpeg.transferSyntax);
    EXPECT_EQ(rleCt.info.transferSyntax, rle.transferSyntax);
    EXPECT_TRUE(Contains(jpegCt.info.transferSyntax, "JPEG")) << jpegCt.info.transferSyntax;
    EXPECT_TRUE(Contains(rleCt.info.transferSyntax, "RLE")) << rleCt.info.transferSyntax;
    EXPECT_EQ(GetString(Path("jpeg" + suffix) / "CT_0001.dcm", DCM_SOPInstanceUID),
              jpeg.sopInstanceUids.front());
  }
}

// ---- DICOM written by other software -----------------------------------------------------------

TEST_F(DicomCtSeriesTest, SliceReaderDecodesJpeg2000JpegLsAndRleLikeTheUncompressedFile) {
  const fs::path plain = kPydicomFiles / "MR_small.dcm";
  if (!fs::exists(plain)) {
    GTEST_SKIP() << plain << " is absent (python3-pydicom)";
  }
  const DicomStoredPixels expected = DicomCtSeries::ReadStoredPixels(plain);
  EXPECT_EQ(expected.rows, 64u);
  EXPECT_EQ(expected.columns, 64u);
  for (const std::string name :
       {"MR_small_jp2klossless.dcm", "MR_small_jpeg_ls_lossless.dcm", "MR_small_RLE.dcm"}) {
    const fs::path file = kPydicomFiles / name;
    if (!fs::exists(file)) {
      GTEST_SKIP() << file << " is absent (python3-pydicom)";
    }
    SCOPED_TRACE(name);
    const DicomStoredPixels compressed = DicomCtSeries::ReadStoredPixels(file);
    EXPECT_EQ(compressed.rows, expected.rows);
    EXPECT_EQ(compressed.columns, expected.columns);
    EXPECT_EQ(compressed.storedValues, expected.storedValues);
  }
}

TEST_F(DicomCtSeriesTest, SliceReaderRefusesPydicomsTruncatedFile) {
  const fs::path file = kPydicomFiles / "MR_truncated.dcm";
  if (!fs::exists(file)) {
    GTEST_SKIP() << file << " is absent (python3-pydicom)";
  }
  const std::string message = MessageOf<DataFormat>([&] { DicomCtSeries::ReadStoredPixels(file); });
  EXPECT_TRUE(Contains(message, file.string())) << message;
  EXPECT_TRUE(Contains(message, "truncated")) << message;
}

TEST_F(DicomCtSeriesTest, PydicomCtSmallLoadsAsOneSliceCtWithItsHuRange) {
  const fs::path source = kPydicomFiles / "CT_small.dcm";
  if (!fs::exists(source)) {
    GTEST_SKIP() << source << " is absent (python3-pydicom)";
  }
  fs::create_directories(Path("ct"));
  fs::copy_file(source, Path("ct") / "CT_small.dcm");
  const CtImage ct = DicomCtSeries::Load(Path("ct"));
  // dcmdump: 128 x 128 signed 16 bit, stored 128..2191, RescaleIntercept -1024, slope 1,
  // PixelSpacing 0.661468, SliceThickness 5, position (-158.135803, -179.035797, -75.699997), FFS.
  const GridGeometry& grid = ct.hu.Geometry();
  EXPECT_EQ(grid.Size(), (std::array<std::int64_t, 3>{128, 128, 1}));
  EXPECT_DOUBLE_EQ(grid.SpacingMm()[0], 0.661468);
  EXPECT_DOUBLE_EQ(grid.SpacingMm()[1], 0.661468);
  EXPECT_DOUBLE_EQ(grid.SpacingMm()[2], 5.0);
  EXPECT_NEAR((grid.OriginMm() - Eigen::Vector3d(-158.135803, -179.035797, -75.699997)).norm(), 0.0,
              kGeometryToleranceMm);
  EXPECT_EQ(*std::min_element(ct.hu.Data().begin(), ct.hu.Data().end()), 128 - 1024);
  EXPECT_EQ(*std::max_element(ct.hu.Data().begin(), ct.hu.Data().end()), 2191 - 1024);
  EXPECT_EQ(ct.info.modality, "CT");
  EXPECT_EQ(ct.info.patientPosition, "FFS");
  EXPECT_EQ(ct.info.seriesInstanceUid, "1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322");
  EXPECT_EQ(ct.info.sopInstanceUids,
            std::vector<std::string>{"1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322"});
}

TEST_F(DicomCtSeriesTest, MrSeriesIsRefusedAsNotCt) {
  const fs::path source = kPydicomFiles / "MR_small.dcm";
  if (!fs::exists(source)) {
    GTEST_SKIP() << source << " is absent (python3-pydicom)";
  }
  fs::create_directories(Path("mr"));
  fs::copy_file(source, Path("mr") / "MR_small.dcm");
  const std::string message = MessageOf<InvalidInput>([&] { DicomCtSeries::Load(Path("mr")); });
  EXPECT_TRUE(Contains(message, "Modality (0008,0060) 'MR'")) << message;
  EXPECT_TRUE(Contains(message, "expected CT")) << message;
}

// ---- Refusals ----------------------------------------------------------------------------------

TEST_F(DicomCtSeriesTest, MissingSliceIsRefusedNamingTheNeighbours) {
  const fs::path folder = WriteAxialSeries("ct");
  fs::remove(folder / "CT_0003.dcm");
  const std::string message = MessageOf<InvalidInput>([&] { DicomCtSeries::Load(folder); });
  EXPECT_TRUE(Contains(message, "missing slice")) << message;
  EXPECT_TRUE(Contains(message, "CT_0002.dcm") && Contains(message, "CT_0004.dcm")) << message;
  EXPECT_TRUE(Contains(message, "5 mm apart")) << message;
}

TEST_F(DicomCtSeriesTest, UnevenSpacingBeyondTheToleranceIsRefused) {
  const fs::path folder = WriteAxialSeries("ct");
  // Slices at z = -101.75, -99.25, -96.75, -94.25; move the third by 0.1 mm (4 % of 2.5 mm).
  SetString(folder / "CT_0003.dcm", DCM_ImagePositionPatient, "-30.25\\12.5\\-96.65");
  const std::string message = MessageOf<InvalidInput>([&] { DicomCtSeries::Load(folder); });
  EXPECT_TRUE(Contains(message, "uneven slice spacing")) << message;
  EXPECT_TRUE(Contains(message, "tolerance 0.025 mm")) << message;
}

TEST_F(DicomCtSeriesTest, SpacingWithinTheToleranceIsAccepted) {
  const fs::path folder = WriteAxialSeries("ct");
  // 0.01 mm, what a scanner's rounding of positions to 0.01 mm can do.
  SetString(folder / "CT_0003.dcm", DCM_ImagePositionPatient, "-30.25\\12.5\\-96.74");
  EXPECT_NO_THROW(DicomCtSeries::Load(folder));
}

TEST_F(DicomCtSeriesTest, DuplicateSlicePositionIsRefused) {
  const fs::path folder = WriteAxialSeries("ct");
  fs::copy_file(folder / "CT_0002.dcm", folder / "CT_0002_copy.dcm");
  const std::string message = MessageOf<InvalidInput>([&] { DicomCtSeries::Load(folder); });
  EXPECT_TRUE(Contains(message, "duplicate slice position")) << message;
  EXPECT_TRUE(Contains(message, "CT_0002_copy.dcm")) << message;
}

TEST_F(DicomCtSeriesTest, GantryTiltSeenInTheSlicePositionsIsRefused) {
  const fs::path folder = WriteAxialSeries("ct");
  // A 15 degree tilt: each slice shifted by 2.5 mm x tan(15 deg) = 0.67 mm along y.
  for (int k = 0; k < 4; ++k) {
    char name[32];
    std::snprintf(name, sizeof(name), "CT_%04d.dcm", k + 1);
    const std::string position =
        "-30.25\\" + std::to_string(12.5 + 0.67 * k) + "\\" + std::to_string(-101.75 + 2.5 * k);
    SetString(folder / name, DCM_ImagePositionPatient, position);
  }
  const std::string message = MessageOf<NotSupported>([&] { DicomCtSeries::Load(folder); });
  EXPECT_TRUE(Contains(message, "gantry tilt")) << message;
  EXPECT_TRUE(Contains(message, "CT_0002.dcm")) << message;
}

TEST_F(DicomCtSeriesTest, GantryTiltSeenInATiltedOrientationIsRefused) {
  const fs::path folder = WriteAxialSeries("ct");
  // The slice plane tilted by 10 degrees about x while the slices still step along z.
  const double angle = 10.0 * 3.14159265358979 / 180.0;
  const std::string orientation =
      "1\\0\\0\\0\\" + std::to_string(std::cos(angle)) + "\\" + std::to_string(std::sin(angle));
  for (const auto& entry : fs::directory_iterator(folder)) {
    SetString(entry.path(), DCM_ImageOrientationPatient, orientation);
  }
  const std::string message = MessageOf<NotSupported>([&] { DicomCtSeries::Load(folder); });
  EXPECT_TRUE(Contains(message, "gantry tilt")) << message;
}

TEST_F(DicomCtSeriesTest, GantryDetectorTiltTagIsRefusedNamingTheFile) {
  const fs::path folder = WriteAxialSeries("ct");
  SetString(folder / "CT_0002.dcm", DCM_GantryDetectorTilt, "12.5");
  const std::string message = MessageOf<NotSupported>([&] { DicomCtSeries::Load(folder); });
  EXPECT_TRUE(Contains(message, "CT_0002.dcm")) << message;
  EXPECT_TRUE(Contains(message, "GantryDetectorTilt (0018,1120) is 12.5")) << message;
}

TEST_F(DicomCtSeriesTest, TwoSeriesInOneFolderAreListedAndEachLoadsByUid) {
  const fs::path folder = Path("two");
  DicomCtWriteOptions first;
  first.seriesDescription = "planning";
  first.seriesNumber = 2;
  const Volume<short> firstHu = PatternedCt(AxialGrid());
  const DicomSeriesInfo a = DicomCtWriter::Write(folder, firstHu, first);
  // The second series in the same folder under other file names.
  DicomCtWriteOptions second;
  second.seriesDescription = "post-implant";
  second.seriesNumber = 3;
  const Volume<short> secondHu = PatternedCt(AxialGrid(), 7);
  const DicomSeriesInfo b = DicomCtWriter::Write(Path("other"), secondHu, second);
  for (const auto& entry : fs::directory_iterator(Path("other"))) {
    fs::copy_file(entry.path(), folder / ("B_" + entry.path().filename().string()));
  }

  const std::vector<DicomSeriesInfo> listed = DicomCtSeries::Scan(folder);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_EQ(listed[0].seriesInstanceUid, a.seriesInstanceUid);
  EXPECT_EQ(listed[1].seriesInstanceUid, b.seriesInstanceUid);
  EXPECT_EQ(listed[0].fileCount, 4u);
  EXPECT_EQ(listed[0].sopInstanceUids, a.sopInstanceUids);
  EXPECT_EQ(listed[1].sopInstanceUids, b.sopInstanceUids);

  const std::string message = MessageOf<InvalidInput>([&] { DicomCtSeries::Load(folder); });
  EXPECT_TRUE(Contains(message, a.seriesInstanceUid + " (CT, 'planning', 4 files)")) << message;
  EXPECT_TRUE(Contains(message, b.seriesInstanceUid + " (CT, 'post-implant', 4 files)")) << message;
  EXPECT_TRUE(Contains(message, "--series UID")) << message;

  EXPECT_EQ(DicomCtSeries::Load(folder, a.seriesInstanceUid).hu.Data(), firstHu.Data());
  EXPECT_EQ(DicomCtSeries::Load(folder, b.seriesInstanceUid).hu.Data(), secondHu.Data());
  const std::string unknown =
      MessageOf<InvalidInput>([&] { DicomCtSeries::Load(folder, "1.2.3.4"); });
  EXPECT_TRUE(Contains(unknown, "no series with SeriesInstanceUID 1.2.3.4")) << unknown;
}

TEST_F(DicomCtSeriesTest, NonCtModalityIsRefusedSayingWhich) {
  const fs::path folder = WriteAxialSeries("pt");
  for (const auto& entry : fs::directory_iterator(folder)) {
    SetString(entry.path(), DCM_Modality, "PT");
  }
  const std::string message = MessageOf<InvalidInput>([&] { DicomCtSeries::Load(folder); });
  EXPECT_TRUE(Contains(message, "'PT'") && Contains(message, "expected CT")) << message;
}

TEST_F(DicomCtSeriesTest, TruncatedFileIsRefusedNamingTheFile) {
  const fs::path folder = WriteAxialSeries("ct");
  const fs::path file = folder / "CT_0003.dcm";
  fs::resize_file(file, fs::file_size(file) - 7);
  const std::string message = MessageOf<DataFormat>([&] { DicomCtSeries::Load(folder); });
  EXPECT_TRUE(Contains(message, file.string())) << message;
  EXPECT_TRUE(Contains(message, "truncated")) << message;
}

TEST_F(DicomCtSeriesTest, PixelDataShorterThanRowsTimesColumnsIsRefused) {
  // A file that parses but whose header promises more pixels than it holds (ITK alone would read
  // it without complaint).
  const fs::path folder = WriteAxialSeries("ct");
  EditFile(folder / "CT_0004.dcm",
           [](DcmDataset& dataset) { dataset.putAndInsertUint16(DCM_Rows, 6); });
  const std::string message = MessageOf<DataFormat>([&] { DicomCtSeries::Load(folder); });
  EXPECT_TRUE(Contains(message, "CT_0004.dcm")) << message;
  EXPECT_TRUE(Contains(message, "holds 60 bytes; expected")) << message;
}

TEST_F(DicomCtSeriesTest, NonDicomFileIsRefusedButHiddenFilesAndDicomdirAreSkipped) {
  const fs::path folder = WriteAxialSeries("ct");
  std::ofstream(folder / ".DS_Store") << "hidden";
  std::ofstream(folder / "DICOMDIR") << "not read";
  EXPECT_NO_THROW(DicomCtSeries::Load(folder));
  std::ofstream(folder / "notes.txt") << "slice thickness 2.5 mm\n";
  const std::string message = MessageOf<DataFormat>([&] { DicomCtSeries::Load(folder); });
  EXPECT_TRUE(Contains(message, (folder / "notes.txt").string())) << message;
  EXPECT_TRUE(Contains(message, "not a DICOM file")) << message;
}

TEST_F(DicomCtSeriesTest, MixedImageSizesAreRefused) {
  DicomCtWriteOptions options;
  options.seriesInstanceUid = "1.2.826.0.1.3680043.2.1125.99.1";
  const fs::path folder = WriteAxialSeries("ct", options);
  // A slice of the same series, one column wider, at the position after the last.
  const GridGeometry wide({-30.25, 12.5, -91.75}, {0.8, 0.9, 2.5}, {7, 5, 1});
  DicomCtWriter::Write(Path("wide"), PatternedCt(wide), options);
  fs::copy_file(Path("wide") / "CT_0001.dcm", folder / "CT_0005.dcm");
  const std::string message = MessageOf<InvalidInput>([&] { DicomCtSeries::Load(folder); });
  EXPECT_TRUE(Contains(message, "mixed image sizes")) << message;
  EXPECT_TRUE(Contains(message, "CT_0005.dcm has Rows x Columns 5 x 7")) << message;
}

TEST_F(DicomCtSeriesTest, MixedOrientationsAndPixelSpacingsAreRefused) {
  const fs::path folder = WriteAxialSeries("ct");
  SetString(folder / "CT_0002.dcm", DCM_PixelSpacing, "0.9\\0.81");
  const std::string spacing = MessageOf<InvalidInput>([&] { DicomCtSeries::Load(folder); });
  EXPECT_TRUE(Contains(spacing, "mixed pixel spacings")) << spacing;
  SetString(folder / "CT_0002.dcm", DCM_PixelSpacing, "0.9\\0.8");
  SetString(folder / "CT_0002.dcm", DCM_ImageOrientationPatient, "0\\1\\0\\1\\0\\0");
  const std::string orientation = MessageOf<InvalidInput>([&] { DicomCtSeries::Load(folder); });
  EXPECT_TRUE(Contains(orientation, "mixed orientations")) << orientation;
}

TEST_F(DicomCtSeriesTest, MultiFrameAndColourImagesAreRefused) {
  const fs::path folder = WriteAxialSeries("ct");
  SetString(folder / "CT_0001.dcm", DCM_NumberOfFrames, "2");
  const std::string frames = MessageOf<NotSupported>([&] { DicomCtSeries::Load(folder); });
  EXPECT_TRUE(Contains(frames, "NumberOfFrames (0028,0008) is 2")) << frames;
  const fs::path other = WriteAxialSeries("rgb");
  EditFile(other / "CT_0001.dcm", [](DcmDataset& dataset) {
    dataset.putAndInsertUint16(DCM_SamplesPerPixel, 3);
    dataset.putAndInsertString(DCM_PhotometricInterpretation, "RGB");
  });
  const std::string colour = MessageOf<NotSupported>([&] { DicomCtSeries::Load(other); });
  EXPECT_TRUE(Contains(colour, "expected a greyscale image")) << colour;
}

TEST_F(DicomCtSeriesTest, EmptyFolderIsRefused) {
  fs::create_directories(Path("empty"));
  std::ofstream(Path("empty") / ".hidden") << "x";
  const std::string message = MessageOf<InvalidInput>([&] { DicomCtSeries::Load(Path("empty")); });
  EXPECT_TRUE(Contains(message, "holds no DICOM files")) << message;
  EXPECT_TRUE(DicomCtSeries::Scan(Path("empty")).empty());
  const std::string missing = MessageOf<Io>([&] { DicomCtSeries::Load(Path("absent")); });
  EXPECT_TRUE(Contains(missing, "does not exist")) << missing;
}

// ---- CtLoader ----------------------------------------------------------------------------------

TEST_F(DicomCtSeriesTest, CtLoaderRefusesASingleDicomFileAskingForTheFolder) {
  const fs::path folder = WriteAxialSeries("ct");
  const std::string message =
      MessageOf<InvalidInput>([&] { CtLoader::Load(folder / "CT_0001.dcm"); });
  EXPECT_TRUE(Contains(message, "expected the folder of the series")) << message;
  EXPECT_EQ(CtLoader::Load(folder).hu.Data(), PatternedCt(AxialGrid()).Data());
}

TEST_F(DicomCtSeriesTest, CtLoaderReadsVolumeFilesRoundedToHuWithAWarning) {
  Volume<float> volume(AxialGrid());
  for (std::size_t n = 0; n < volume.Data().size(); ++n) {
    volume.Data()[n] = static_cast<float>(n) * 10.4f - 1000.0f;
  }
  WriteVolume(volume, Path("ct.nrrd"));
  const CtImage ct = CtLoader::Load(Path("ct.nrrd"));
  ExpectSameGeometry(ct.hu.Geometry(), AxialGrid());
  for (std::size_t n = 0; n < volume.Data().size(); ++n) {
    ASSERT_EQ(ct.hu.Data()[n], static_cast<short>(std::nearbyint(volume.Data()[n])));
  }
  EXPECT_EQ(ct.info.modality, "CT");
  EXPECT_TRUE(ct.info.seriesInstanceUid.empty());
  ASSERT_FALSE(Warnings().empty());
  EXPECT_TRUE(Contains(Warnings().back(), "no DICOM series identity")) << Warnings().back();
  std::ofstream(Path("ct.txt")) << "x";
  const std::string message = MessageOf<InvalidInput>([&] { CtLoader::Load(Path("ct.txt")); });
  EXPECT_TRUE(Contains(message, "expected a folder of DICOM files")) << message;
}

} // namespace
} // namespace seedplan::imaging
