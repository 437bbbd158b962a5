#include "seedplan/imaging/VolumeIo.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/Volume.h"

#include <gtest/gtest.h>

#include <Eigen/Geometry>
#include <zlib.h>

#include <array>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

namespace seedplan::imaging {
namespace {

namespace fs = std::filesystem;

// MetaImage writes origin, spacing and direction with 17 significant digits (exact); NRRD stores
// spacing x direction products, from which the reader recovers the spacing as a vector norm, a few
// ulps away from the original: 1e-9 mm is far below anything that matters and far above that.
constexpr double kGeometryToleranceMm = 1e-9;

/// Each test works in a fresh folder under the system temp directory, removed afterwards.
class VolumeIo : public ::testing::Test {
protected:
  void SetUp() override {
    std::random_device device;
    m_Folder = fs::temp_directory_path() /
               ("seedplan-imaging-test-" + std::to_string(device()) + std::to_string(device()));
    fs::create_directories(m_Folder);
  }
  void TearDown() override {
    std::error_code ignored;
    fs::remove_all(m_Folder, ignored);
  }
  fs::path File(const std::string& name) const { return m_Folder / name; }
  std::vector<fs::path> FolderContent() const {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(m_Folder)) {
      files.push_back(entry.path().filename());
    }
    return files;
  }

private:
  fs::path m_Folder;
};

/// A grid with non-unit, unequal spacing and a direction that mixes all three axes.
GridGeometry ObliqueGeometry() {
  const Eigen::Matrix3d rotation =
      Eigen::AngleAxisd(0.7, Eigen::Vector3d(1, -2, 3).normalized()).toRotationMatrix();
  return GridGeometry({-120.25, 33.5, 17.125}, {0.78125, 0.9, 2.5}, {5, 4, 3}, rotation);
}

Volume<float> DoseLikeVolume() {
  Volume<float> volume(ObliqueGeometry());
  for (std::size_t n = 0; n < volume.Data().size(); ++n) {
    volume.Data()[n] = 0.37f * static_cast<float>(n) - 5.5f;
  }
  volume.MetaData() = {{"quantity", "total dose"},
                       {"unit", "Gy"},
                       {"seed_model", "6711"},
                       {"formalism", "2D line source"},
                       {"prescription.Gy", "120"}};
  return volume;
}

void ExpectSameGeometry(const GridGeometry& actual, const GridGeometry& expected) {
  EXPECT_EQ(actual.Size(), expected.Size());
  for (int axis = 0; axis < 3; ++axis) {
    EXPECT_NEAR(actual.OriginMm()[axis], expected.OriginMm()[axis], kGeometryToleranceMm);
    EXPECT_NEAR(actual.SpacingMm()[axis], expected.SpacingMm()[axis], kGeometryToleranceMm);
    for (int row = 0; row < 3; ++row) {
      EXPECT_NEAR(actual.Direction()(row, axis), expected.Direction()(row, axis), 1e-12);
    }
  }
}

std::string MessageOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

void WriteBytes(const fs::path& path, const std::string& header, const void* data,
                std::size_t bytes) {
  std::ofstream out(path, std::ios::binary);
  out << header;
  out.write(static_cast<const char*>(data), static_cast<std::streamsize>(bytes));
}

void CutLastBytes(const fs::path& path, std::uintmax_t bytes) {
  fs::resize_file(path, fs::file_size(path) - bytes);
}

std::string MetaImageHeader(const std::string& dimensionFields, const std::string& elementType,
                            const std::string& extraFields = "") {
  return "ObjectType = Image\n" + dimensionFields +
         "BinaryData = True\nBinaryDataByteOrderMSB = False\n" + extraFields +
         "ElementType = " + elementType + "\nElementDataFile = LOCAL\n";
}

/// A 3x2x2 MetaImage of shorts, written by hand as another program would.
std::vector<std::int16_t> WriteShortMha(const fs::path& path, const std::string& extraFields) {
  const std::vector<std::int16_t> values = {-1000, -500, 0, 1, 40, 3071, -1024, 7, 8, 9, 10, 11};
  WriteBytes(path,
             MetaImageHeader("NDims = 3\nDimSize = 3 2 2\nElementSpacing = 0.5 0.5 3\n"
                             "Offset = -10 -20 -30\n",
                             "MET_SHORT", extraFields),
             values.data(), values.size() * sizeof(std::int16_t));
  return values;
}

/// A minimal single-file NIfTI-1 image of int16 with an identity qform placed at `qoffset` (RAS).
std::vector<char> NiftiBytes(const std::array<std::int16_t, 3>& size,
                             const std::array<float, 3>& qoffsetRas,
                             const std::vector<std::int16_t>& values) {
  std::vector<char> bytes(352, 0);
  const auto put = [&bytes](std::size_t offset, auto value) {
    std::memcpy(bytes.data() + offset, &value, sizeof(value));
  };
  put(0, std::int32_t{348});                             // sizeof_hdr
  put(40, std::int16_t{3});                              // dim[0]
  for (std::size_t axis = 0; axis < 3; ++axis) {         //
    put(42 + 2 * axis, size[axis]);                      // dim[1..3]
    put(80 + 4 * axis, 1.5f + static_cast<float>(axis)); // pixdim[1..3] = 1.5, 2.5, 3.5
  }
  for (std::size_t axis = 3; axis < 7; ++axis) {
    put(42 + 2 * axis, std::int16_t{1}); // dim[4..7]
  }
  put(70, std::int16_t{4});  // datatype: DT_INT16
  put(72, std::int16_t{16}); // bitpix
  put(76, 1.0f);             // pixdim[0] = qfac
  put(108, 352.0f);          // vox_offset
  put(112, 1.0f);            // scl_slope
  put(123, std::uint8_t{2}); // xyzt_units: mm
  put(252, std::int16_t{1}); // qform_code: scanner
  for (std::size_t axis = 0; axis < 3; ++axis) {
    put(268 + 4 * axis, qoffsetRas[axis]); // qoffset_x, _y, _z; quatern_b, _c, _d = 0: identity
  }
  std::memcpy(bytes.data() + 344, "n+1", 4);
  bytes.resize(352 + values.size() * sizeof(std::int16_t));
  std::memcpy(bytes.data() + 352, values.data(), values.size() * sizeof(std::int16_t));
  return bytes;
}

TEST_F(VolumeIo, MhaRoundTripKeepsGeometryValuesAndMetaData) {
  const Volume<float> volume = DoseLikeVolume();
  WriteVolume(volume, File("dose.mha"));
  const Volume<float> read = ReadVolumeFloat(File("dose.mha"));
  ExpectSameGeometry(read.Geometry(), volume.Geometry());
  EXPECT_EQ(read.Data(), volume.Data());
  EXPECT_EQ(read.MetaData(), volume.MetaData());
  EXPECT_EQ(FolderContent(), std::vector<fs::path>{"dose.mha"}); // no temporary file left
}

TEST_F(VolumeIo, NrrdRoundTripKeepsGeometryValuesAndMetaData) {
  const Volume<float> volume = DoseLikeVolume();
  WriteVolume(volume, File("dose.nrrd"));
  const Volume<float> read = ReadVolumeFloat(File("dose.nrrd"));
  ExpectSameGeometry(read.Geometry(), volume.Geometry());
  EXPECT_EQ(read.Data(), volume.Data());
  EXPECT_EQ(read.MetaData(), volume.MetaData());
  EXPECT_EQ(FolderContent(), std::vector<fs::path>{"dose.nrrd"});
}

TEST_F(VolumeIo, VoxelCentresStayWherePatientCoordinatesPutThem) {
  const Volume<float> volume = DoseLikeVolume();
  for (const std::string name : {"dose.mha", "dose.nrrd"}) {
    WriteVolume(volume, File(name));
    const GridGeometry read = ReadVolumeFloat(File(name)).Geometry();
    const Eigen::Vector3d expected = volume.Geometry().IndexToPoint(4, 3, 2);
    EXPECT_LT((read.IndexToPoint(4, 3, 2) - expected).norm(), kGeometryToleranceMm) << name;
  }
}

TEST_F(VolumeIo, MaskRoundTripKeepsGeometryValuesAndMetaData) {
  Mask mask(ObliqueGeometry());
  for (std::size_t n = 0; n < mask.Data().size(); n += 3) {
    mask.Data()[n] = 1;
  }
  mask.MetaData()["structure"] = "GTV lesion 1";
  for (const std::string name : {"gtv.mha", "gtv.nrrd"}) {
    WriteMask(mask, File(name));
    const Mask read = ReadMask(File(name));
    ExpectSameGeometry(read.Geometry(), mask.Geometry());
    EXPECT_EQ(read.Data(), mask.Data()) << name;
    EXPECT_EQ(read.MetaData(), mask.MetaData()) << name;
  }
}

TEST_F(VolumeIo, ReadMaskTurnsEveryNonZeroValueIntoOne) {
  Volume<float> labels(GridGeometry({0, 0, 0}, {1, 1, 1}, {4, 1, 1}));
  labels.Data() = {0.0f, -2.0f, 0.25f, 255.0f};
  WriteVolume(labels, File("labels.nrrd"));
  EXPECT_EQ(ReadMask(File("labels.nrrd")).Data(), (std::vector<std::uint8_t>{0, 1, 1, 1}));

  Mask label255(labels.Geometry());
  label255.Data() = {255, 0, 2, 0};
  WriteMask(label255, File("label255.mha"));
  EXPECT_EQ(ReadMask(File("label255.mha")).Data(), (std::vector<std::uint8_t>{1, 0, 1, 0}));
}

TEST_F(VolumeIo, Uint8AndShortImagesAreReadAsFloat) {
  Mask mask(GridGeometry({1, 2, 3}, {1, 1, 1}, {3, 1, 1}));
  mask.Data() = {0, 7, 255};
  WriteMask(mask, File("uint8.mha"));
  EXPECT_EQ(ReadVolumeFloat(File("uint8.mha")).Data(), (std::vector<float>{0.0f, 7.0f, 255.0f}));

  const std::vector<std::int16_t> values = WriteShortMha(File("ct.mha"), "");
  const Volume<float> ct = ReadVolumeFloat(File("ct.mha"));
  ASSERT_EQ(ct.Data().size(), values.size());
  for (std::size_t n = 0; n < values.size(); ++n) {
    EXPECT_EQ(ct.Data()[n], static_cast<float>(values[n]));
  }
  EXPECT_EQ(ct.Geometry().Size(), (std::array<std::int64_t, 3>{3, 2, 2}));
  EXPECT_EQ(ct.Geometry().OriginMm(), Eigen::Vector3d(-10, -20, -30));
  EXPECT_EQ(ct.Geometry().SpacingMm(), Eigen::Vector3d(0.5, 0.5, 3));
  EXPECT_TRUE(ct.MetaData().empty());
}

TEST_F(VolumeIo, ShortNrrdWrittenByAnotherProgramIsReadWithItsKeyValuePairs) {
  const std::vector<std::int16_t> values = {-1000, 0, 1000, 3071};
  WriteBytes(File("ct.nrrd"),
             "NRRD0004\ntype: short\ndimension: 3\nspace: left-posterior-superior\n"
             "sizes: 2 2 1\nspace directions: (0,1.5,0) (-1.5,0,0) (0,0,2)\n"
             "space origin: (5,6,7)\nendian: little\nencoding: raw\nmodality:=CT\n\n",
             values.data(), values.size() * sizeof(std::int16_t));
  const Volume<float> ct = ReadVolumeFloat(File("ct.nrrd"));
  EXPECT_EQ(ct.Data(), (std::vector<float>{-1000.0f, 0.0f, 1000.0f, 3071.0f}));
  EXPECT_EQ(ct.Geometry().IndexToPoint(1, 1, 0), Eigen::Vector3d(5 - 1.5, 6 + 1.5, 7));
  EXPECT_EQ(ct.MetaData(), (std::map<std::string, std::string>{{"modality", "CT"}}));
}

TEST_F(VolumeIo, NiftiIsReadInPatientCoordinates) {
  // NIfTI is RAS: an identity qform at (10, 20, 30) RAS is, in LPS, the origin (-10, -20, 30)
  // with the i and j axes pointing to -x and -y.
  const std::vector<std::int16_t> values = {1, 2, 3, 4, 5, 6, 7, 8};
  const std::vector<char> bytes = NiftiBytes({2, 2, 2}, {10.0f, 20.0f, 30.0f}, values);
  WriteBytes(File("ct.nii"), "", bytes.data(), bytes.size());
  const Volume<float> ct = ReadVolumeFloat(File("ct.nii"));
  EXPECT_EQ(ct.Data(), (std::vector<float>{1, 2, 3, 4, 5, 6, 7, 8}));
  EXPECT_EQ(ct.Geometry().SpacingMm(), Eigen::Vector3d(1.5, 2.5, 3.5));
  EXPECT_TRUE(ct.Geometry().OriginMm().isApprox(Eigen::Vector3d(-10, -20, 30)));
  EXPECT_TRUE(
      ct.Geometry().Direction().isApprox(Eigen::Vector3d(-1, -1, 1).asDiagonal().toDenseMatrix()));
  EXPECT_TRUE(ct.MetaData().empty());

  gzFile gz = gzopen(File("ct.nii.gz").c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(gz);
  EXPECT_EQ(ReadVolumeFloat(File("ct.nii.gz")).Data(), ct.Data());
}

TEST_F(VolumeIo, WritingIntoAMissingFolderThrowsIoAndLeavesNothing) {
  const fs::path target = File("no-such-folder") / "dose.mha";
  EXPECT_THROW(WriteVolume(DoseLikeVolume(), target), Io);
  EXPECT_FALSE(fs::exists(target.parent_path()));
  EXPECT_TRUE(FolderContent().empty());
}

TEST_F(VolumeIo, UnsupportedExtensionThrowsInvalidInputNamingThePath) {
  const std::string message = MessageOf([&] { WriteVolume(DoseLikeVolume(), File("dose.nii")); });
  EXPECT_NE(message.find("dose.nii"), std::string::npos) << message;
  EXPECT_NE(message.find("expected .mha or .nrrd"), std::string::npos) << message;
  EXPECT_THROW(WriteMask(Mask(ObliqueGeometry()), File("mask.png")), InvalidInput);
  EXPECT_THROW(WriteVolume(DoseLikeVolume(), File("DOSE.MHA")), InvalidInput);
  EXPECT_THROW(ReadVolumeFloat(File("ct.dcm")), InvalidInput);
  EXPECT_TRUE(FolderContent().empty());
}

TEST_F(VolumeIo, ReadingAMissingFileThrowsIoNamingIt) {
  for (const std::string name : {"missing.mha", "missing.nrrd", "missing.nii.gz"}) {
    EXPECT_THROW(ReadVolumeFloat(File(name)), Io) << name;
    EXPECT_NE(MessageOf([&] { ReadMask(File(name)); }).find(name), std::string::npos);
  }
}

TEST_F(VolumeIo, TruncatedMhaThrowsDataFormatNamingTheFile) {
  WriteVolume(DoseLikeVolume(), File("dose.mha"));
  CutLastBytes(File("dose.mha"), 10);
  EXPECT_THROW(ReadVolumeFloat(File("dose.mha")), DataFormat);
  const std::string message = MessageOf([&] { ReadVolumeFloat(File("dose.mha")); });
  EXPECT_NE(message.find("dose.mha"), std::string::npos) << message;
  EXPECT_NE(message.find("truncated"), std::string::npos) << message;
}

/// A compressed 10x10x10 float MetaImage written by hand; `withSize` adds CompressedDataSize.
std::vector<float> WriteCompressedMha(const fs::path& path, bool withSize) {
  std::vector<float> values(1000);
  for (std::size_t n = 0; n < values.size(); ++n) {
    values[n] = std::sin(0.01f * static_cast<float>(n));
  }
  std::vector<unsigned char> compressed(compressBound(values.size() * sizeof(float)));
  uLongf compressedSize = compressed.size();
  EXPECT_EQ(compress(compressed.data(), &compressedSize,
                     reinterpret_cast<const Bytef*>(values.data()), values.size() * sizeof(float)),
            Z_OK);
  const std::string sizeField =
      withSize ? "CompressedDataSize = " + std::to_string(compressedSize) + "\n" : "";
  WriteBytes(path,
             MetaImageHeader("NDims = 3\nDimSize = 10 10 10\nElementSpacing = 1 1 1\n", "MET_FLOAT",
                             "CompressedData = True\n" + sizeField),
             compressed.data(), compressedSize);
  return values;
}

TEST_F(VolumeIo, TruncatedCompressedMhaThrowsDataFormat) {
  const std::vector<float> values = WriteCompressedMha(File("z.mha"), true);
  EXPECT_EQ(ReadVolumeFloat(File("z.mha")).Data(), values);
  CutLastBytes(File("z.mha"), 20);
  EXPECT_THROW(ReadVolumeFloat(File("z.mha")), DataFormat);
}

TEST_F(VolumeIo, CompressedMhaWithoutCompressedDataSizeIsRefusedRatherThanReadAsZeros) {
  // ITK 5.2 cannot decompress such a file: it returns zeros and reports nothing.
  WriteCompressedMha(File("z.mha"), false);
  const std::string message = MessageOf([&] { ReadVolumeFloat(File("z.mha")); });
  EXPECT_NE(message.find("z.mha"), std::string::npos) << message;
  EXPECT_NE(message.find("CompressedDataSize"), std::string::npos) << message;
  EXPECT_THROW(ReadVolumeFloat(File("z.mha")), NotSupported);
}

TEST_F(VolumeIo, MhdWithSeparateRawFileIsReadAndATruncatedRawIsRefused) {
  const std::vector<std::int16_t> values = {10, 20, 30, 40, 50, 60, 70, 80};
  WriteBytes(File("ct.mhd"),
             "ObjectType = Image\nNDims = 3\nDimSize = 2 2 2\nElementSpacing = 1 1 1\n"
             "BinaryData = True\nBinaryDataByteOrderMSB = False\nElementType = MET_SHORT\n"
             "ElementDataFile = ct.raw\n",
             nullptr, 0);
  WriteBytes(File("ct.raw"), "", values.data(), values.size() * sizeof(std::int16_t));
  EXPECT_EQ(ReadVolumeFloat(File("ct.mhd")).Data(),
            (std::vector<float>{10, 20, 30, 40, 50, 60, 70, 80}));
  CutLastBytes(File("ct.raw"), 2);
  const std::string message = MessageOf([&] { ReadVolumeFloat(File("ct.mhd")); });
  EXPECT_NE(message.find("ct.mhd"), std::string::npos) << message;
  EXPECT_NE(message.find("ct.raw"), std::string::npos) << message;
  EXPECT_THROW(ReadVolumeFloat(File("ct.mhd")), DataFormat);
  fs::remove(File("ct.raw"));
  EXPECT_THROW(ReadVolumeFloat(File("ct.mhd")), Io);
}

TEST_F(VolumeIo, TruncatedNrrdAndNiftiThrowDataFormat) {
  WriteVolume(DoseLikeVolume(), File("dose.nrrd"));
  CutLastBytes(File("dose.nrrd"), 10);
  EXPECT_NE(MessageOf([&] { ReadVolumeFloat(File("dose.nrrd")); }).find("dose.nrrd"),
            std::string::npos);
  EXPECT_THROW(ReadVolumeFloat(File("dose.nrrd")), DataFormat);

  const std::vector<char> bytes = NiftiBytes({2, 2, 2}, {0, 0, 0}, {1, 2, 3, 4, 5, 6, 7, 8});
  WriteBytes(File("ct.nii"), "", bytes.data(), bytes.size() - 4);
  EXPECT_THROW(ReadVolumeFloat(File("ct.nii")), DataFormat);

  gzFile gz = gzopen(File("ct.nii.gz").c_str(), "wb");
  ASSERT_NE(gz, nullptr);
  gzwrite(gz, bytes.data(), static_cast<unsigned>(bytes.size()));
  gzclose(gz);
  CutLastBytes(File("ct.nii.gz"), 12);
  EXPECT_THROW(ReadVolumeFloat(File("ct.nii.gz")), DataFormat);
}

TEST_F(VolumeIo, TwoDimensionalImageIsRefused) {
  const std::vector<float> values(6, 1.0f);
  WriteBytes(File("slice.mha"),
             MetaImageHeader("NDims = 2\nDimSize = 3 2\nElementSpacing = 1 1\n", "MET_FLOAT"),
             values.data(), values.size() * sizeof(float));
  const std::string message = MessageOf([&] { ReadVolumeFloat(File("slice.mha")); });
  EXPECT_NE(message.find("slice.mha"), std::string::npos) << message;
  EXPECT_NE(message.find("expected a 3D image"), std::string::npos) << message;
  EXPECT_THROW(ReadMask(File("slice.mha")), DataFormat);
}

TEST_F(VolumeIo, VectorImageIsRefused) {
  const std::vector<float> values(3 * 8, 1.0f);
  WriteBytes(File("field.mha"),
             MetaImageHeader("NDims = 3\nDimSize = 2 2 2\nElementSpacing = 1 1 1\n", "MET_FLOAT",
                             "ElementNumberOfChannels = 3\n"),
             values.data(), values.size() * sizeof(float));
  const std::string message = MessageOf([&] { ReadVolumeFloat(File("field.mha")); });
  EXPECT_NE(message.find("expected a scalar image"), std::string::npos) << message;
  EXPECT_THROW(ReadVolumeFloat(File("field.mha")), DataFormat);
}

TEST_F(VolumeIo, MetaDataThatAFormatCannotKeepIsRefusedBeforeWriting) {
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"two words", "x"},  {"DimSize", "1 2 3"},  {"ITK_InputFilterName", "x"},
      {"NRRD_space", "x"}, {"note", ""},          {"note", "line 1\nline 2"},
      {"note", " padded"}, {"unit", "\xc2\xb5Gy"}};
  for (const auto& [key, value] : bad) {
    Volume<float> volume = DoseLikeVolume();
    volume.MetaData()[key] = value;
    EXPECT_THROW(WriteVolume(volume, File("dose.nrrd")), InvalidInput) << key << "=" << value;
    EXPECT_THROW(WriteVolume(volume, File("dose.mha")), InvalidInput) << key << "=" << value;
  }
  EXPECT_TRUE(FolderContent().empty());
}

TEST_F(VolumeIo, FailedWriteLeavesThePreviousFileUntouched) {
  const Volume<float> first = DoseLikeVolume();
  WriteVolume(first, File("dose.mha"));
  Volume<float> broken = DoseLikeVolume();
  broken.Data().pop_back();
  EXPECT_THROW(WriteVolume(broken, File("dose.mha")), InvalidInput);
  EXPECT_EQ(ReadVolumeFloat(File("dose.mha")).Data(), first.Data());
  EXPECT_EQ(FolderContent(), std::vector<fs::path>{"dose.mha"});
}

TEST_F(VolumeIo, NonOrthonormalDirectionInAFileIsDataFormat) {
  const std::vector<float> values(8, 1.0f);
  WriteBytes(File("sheared.mha"),
             MetaImageHeader("NDims = 3\nDimSize = 2 2 2\nElementSpacing = 1 1 1\n"
                             "TransformMatrix = 1 0 0 0.5 1 0 0 0 1\n",
                             "MET_FLOAT"),
             values.data(), values.size() * sizeof(float));
  const std::string message = MessageOf([&] { ReadVolumeFloat(File("sheared.mha")); });
  EXPECT_NE(message.find("sheared.mha"), std::string::npos) << message;
  EXPECT_THROW(ReadVolumeFloat(File("sheared.mha")), DataFormat);
}

} // namespace
} // namespace seedplan::imaging
