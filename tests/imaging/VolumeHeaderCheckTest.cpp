// The project's own check of MetaImage, NRRD and NIfTI headers before ITK reads them (issue 13).
// Every refusal names the file and the field; what ITK writes passes, and agrees with ITK.

#include "seedplan/imaging/VolumeHeaderCheck.h"
#include "../core/ErrorMessage.h"
#include "../core/TempFolder.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/MemoryByteSource.h"
#include "seedplan/core/Volume.h"
#include "seedplan/imaging/VolumeIo.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>

namespace seedplan::imaging {
namespace {

using test::Contains;
using test::MessageOf;
using test::TempFolder;

namespace fs = std::filesystem;

void Write(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::string Replaced(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) {
    text.replace(at, from.size(), to);
  }
  return text;
}

/// Checks bytes held in memory; a data file the header names is `dataFile`.
VolumeFileHeader Check(const std::string& bytes, VolumeFileFormat format,
                       const std::string& dataFile = "", bool gz = false) {
  const MemoryByteSource source(bytes, "test.vol");
  return VolumeHeaderCheck::CheckSource(source, format, gz, [&](const std::string& name) {
    return std::make_unique<MemoryByteSource>(dataFile, name);
  });
}

std::string Mha(const std::string& fields, const std::string& data) {
  return "ObjectType = Image\n" + fields + "ElementDataFile = LOCAL\n" + data;
}

const std::string kShortCube = "NDims = 3\nDimSize = 2 2 2\nElementType = MET_SHORT\n";

TEST(VolumeHeaderCheck, AWrittenVolumeAgreesWithItsFileInBothFormats) {
  TempFolder folder;
  Volume<float> volume(GridGeometry({1, 2, 3}, {0.5, 0.75, 2.5}, {4, 3, 2}), 1.5f);
  volume.MetaData()["seedplan_unit"] = "Gy";
  for (const std::string name : {"v.mha", "v.nrrd"}) {
    WriteVolume(volume, folder.File(name));
    const VolumeFileHeader header = VolumeHeaderCheck::CheckFile(
        folder.File(name), name == "v.mha" ? VolumeFileFormat::MetaImage : VolumeFileFormat::Nrrd);
    EXPECT_EQ(header.size, (std::array<std::int64_t, 3>{4, 3, 2})) << name;
    EXPECT_EQ(header.valueType, VolumeValueType::Float32) << name;
    EXPECT_EQ(header.DataBytes(), 4u * 3u * 2u * 4u) << name;
    EXPECT_EQ(ReadVolumeFloat(folder.File(name)).Data(), volume.Data()) << name;
  }
}

TEST(VolumeHeaderCheck, MetaImageFieldsAreReadAsMetaIoReadsThem) {
  // ':' separates like '=', blank lines and CRLF line ends are allowed, metadata is any text.
  const std::string bytes = "ObjectType: Image\r\n\r\nNDims = 3\r\nDimSize = 2 2 2\r\n"
                            "Note = time 10:30\r\nElementType = MET_UCHAR\r\n"
                            "ElementDataFile = LOCAL\r\n" +
                            std::string(8, '\x01');
  const VolumeFileHeader header = Check(bytes, VolumeFileFormat::MetaImage);
  EXPECT_EQ(header.valueType, VolumeValueType::UInt8);
  EXPECT_EQ(header.dataOffset, bytes.size() - 8);
}

TEST(VolumeHeaderCheck, MetaImageWithoutElementDataFileIsRefused) {
  const std::string message = MessageOf<DataFormat>([] {
    Check("ObjectType = Image\n" + kShortCube + std::string(16, '\0'), VolumeFileFormat::MetaImage);
  });
  EXPECT_TRUE(Contains(message, "test.vol:")) << message;
  EXPECT_TRUE(Contains(message, "ElementDataFile")) << message;
}

TEST(VolumeHeaderCheck, MetaImageNDimsOtherThanThreeIsRefusedBeforeAnythingElse) {
  for (const std::string ndims : {"-1", "2147483648", "2", "4", "3.0", "three", ""}) {
    const std::string message = MessageOf<DataFormat>([&] {
      Check(Mha("NDims = " + ndims + "\nDimSize = 2 2 2\nElementType = MET_SHORT\n",
                std::string(16, '\0')),
            VolumeFileFormat::MetaImage);
    });
    EXPECT_TRUE(Contains(message, "NDims")) << ndims << ": " << message;
  }
}

TEST(VolumeHeaderCheck, MetaImageFieldsNeedTheirNumbersOnTheirLineAndNDimsFirst) {
  const auto refused = [](const std::string& fields, const std::string& expected) {
    const std::string message = MessageOf<DataFormat>(
        [&] { Check(Mha(fields, std::string(16, '\0')), VolumeFileFormat::MetaImage); });
    EXPECT_TRUE(Contains(message, expected)) << fields << ": " << message;
  };
  refused("DimSize = 2 2 2\nNDims = 3\nElementType = MET_SHORT\n", "comes before NDims");
  refused("NDims = 3\nDimSize = 2 2\n2\nElementType = MET_SHORT\n", "DimSize");
  refused("NDims = 3\nDimSize = 2 2 2\nElementSpacing = 1 nan 1\nElementType = MET_SHORT\n",
          "ElementSpacing");
  refused(
      "NDims = 3\nDimSize = 2 2 2\nTransformMatrix = 1 0 0 0 1 0 0 0\nElementType = MET_SHORT\n",
      "TransformMatrix");
  refused("NDims = 3\nDimSize = 2 0 2\nElementType = MET_SHORT\n", "DimSize");
  refused("NDims = 3\nDimSize = 2 2 2\nElementType = MET_COMPLEX\n", "ElementType");
  refused("NDims = 3\nNDims = 3\nDimSize = 2 2 2\nElementType = MET_SHORT\n", "twice");
  refused(kShortCube + "Comment = " + std::string(600, 'x') + "\n", "499");
  refused(kShortCube + "no separator here\n", "expected 'Name = value'");
}

TEST(VolumeHeaderCheck, PixelDataOfAnotherSizeThanDeclaredAreRefused) {
  // 8 voxels of MET_SHORT are 16 bytes: float data (32 bytes), no data, one byte short.
  for (const std::size_t bytes : {32u, 0u, 15u}) {
    const std::string message = MessageOf<DataFormat>(
        [&] { Check(Mha(kShortCube, std::string(bytes, '\0')), VolumeFileFormat::MetaImage); });
    EXPECT_TRUE(Contains(message, "are " + std::to_string(bytes) + " bytes")) << message;
    EXPECT_TRUE(Contains(message, "2x2x2 voxels x 2 bytes (MET_SHORT) = 16 bytes")) << message;
  }
  EXPECT_NO_THROW(Check(Mha(kShortCube, std::string(16, '\0')), VolumeFileFormat::MetaImage));
}

TEST(VolumeHeaderCheck, TextPixelDataNeedOneNumberPerVoxel) {
  const std::string ascii =
      "NDims = 3\nDimSize = 2 2 2\nElementType = MET_SHORT\nBinaryData = False\n";
  EXPECT_NO_THROW(Check(Mha(ascii, "1 2 3 4\n5 6 7 8\n"), VolumeFileFormat::MetaImage));
  EXPECT_TRUE(
      Contains(MessageOf<DataFormat>([&] { Check(Mha(ascii, ""), VolumeFileFormat::MetaImage); }),
               "hold 0 values"));
  EXPECT_TRUE(Contains(MessageOf<DataFormat>([&] {
                         Check(Mha(ascii, "1 2 3 4 5 6 7 8.5"), VolumeFileFormat::MetaImage);
                       }),
                       "'8.5' as value 8"));
}

TEST(VolumeHeaderCheck, CompressedMetaImageMustInflateToTheDeclaredSize) {
  const std::string raw(16, '\x05');
  std::string compressed(compressBound(raw.size()), '\0');
  uLongf length = compressed.size();
  ASSERT_EQ(compress(reinterpret_cast<Bytef*>(compressed.data()), &length,
                     reinterpret_cast<const Bytef*>(raw.data()), raw.size()),
            Z_OK);
  compressed.resize(length);
  const std::string fields = kShortCube + "CompressedData = True\nCompressedDataSize = " +
                             std::to_string(compressed.size()) + "\n";
  EXPECT_NO_THROW(Check(Mha(fields, compressed), VolumeFileFormat::MetaImage));
  EXPECT_THROW(Check(Mha(fields, compressed.substr(0, 5)), VolumeFileFormat::MetaImage),
               DataFormat);
  const std::string wrongSize = Replaced(fields, "DimSize = 2 2 2", "DimSize = 2 2 3");
  EXPECT_TRUE(Contains(MessageOf<DataFormat>(
                           [&] { Check(Mha(wrongSize, compressed), VolumeFileFormat::MetaImage); }),
                       "inflate to 16 bytes; expected 2x2x3"));
  EXPECT_THROW(
      Check(Mha(kShortCube + "CompressedData = True\n", compressed), VolumeFileFormat::MetaImage),
      NotSupported);
}

TEST(VolumeHeaderCheck, DataInSeveralFilesAreNotSupported) {
  for (const std::string file : {"LIST", "slice%03d.raw 1 2 1"}) {
    EXPECT_THROW(Check("ObjectType = Image\n" + kShortCube + "ElementDataFile = " + file + "\n",
                       VolumeFileFormat::MetaImage),
                 NotSupported)
        << file;
  }
}

TEST(VolumeHeaderCheck, ASeparateDataFileMustHoldExactlyTheData) {
  const std::string header = "ObjectType = Image\n" + kShortCube + "ElementDataFile = ct.raw\n";
  EXPECT_NO_THROW(Check(header, VolumeFileFormat::MetaImage, std::string(16, '\0')));
  EXPECT_TRUE(Contains(MessageOf<DataFormat>([&] {
                         Check(header, VolumeFileFormat::MetaImage, std::string(12, '\0'));
                       }),
                       "in ct.raw"));
}

TEST(VolumeHeaderCheck, VolumesBeyondTheVoxelBudgetAreRefusedNamingTheMemory) {
  for (const std::string sizes : {"65536 65536 65536", "100000 100000 1"}) {
    const std::string message = MessageOf<InvalidInput>([&] {
      Check("NRRD0004\ntype: float\ndimension: 3\nsizes: " + sizes +
                "\nendian: little\nencoding: raw\n\n",
            VolumeFileFormat::Nrrd);
    });
    EXPECT_TRUE(Contains(message, "as float); expected at most 536870912 voxels (2 GiB as float)"))
        << message;
  }
  EXPECT_THROW(Check(Mha("NDims = 3\nDimSize = 1024 1024 1024\nElementType = MET_SHORT\n", ""),
                     VolumeFileFormat::MetaImage),
               InvalidInput);
}

TEST(VolumeHeaderCheck, NrrdAsciiOverBinaryDataIsRefusedNamingTheToken) {
  const std::string message = MessageOf<DataFormat>([] {
    Check("NRRD0004\ntype: float\ndimension: 3\nsizes: 2 2 2\nencoding: ascii\n\n\x80\x81\x01\x02",
          VolumeFileFormat::Nrrd);
  });
  EXPECT_TRUE(Contains(message, "encoding ascii")) << message;
  EXPECT_TRUE(Contains(message, "value 1")) << message;
  EXPECT_NO_THROW(Check("NRRD0004\ntype: float\ndimension: 3\nsizes: 2 2 2\nencoding: text\n\n"
                        "1.5,2 3\n4 5\t6 7 8\n",
                        VolumeFileFormat::Nrrd));
}

TEST(VolumeHeaderCheck, NrrdFieldsAreCheckedAsTeemChecksThem) {
  const std::string start = "NRRD0005\ntype: short\ndimension: 3\n";
  const std::string raw = "endian: little\nencoding: raw\n\n" + std::string(16, '\0');
  EXPECT_NO_THROW(Check(start + "sizes: 2 2 2\n" + raw, VolumeFileFormat::Nrrd));
  const auto refused = [&](const std::string& text, const std::string& expected) {
    const std::string message = MessageOf<DataFormat>([&] { Check(text, VolumeFileFormat::Nrrd); });
    EXPECT_TRUE(Contains(message, expected)) << text << ": " << message;
  };
  refused("NRRD0009\n" + start.substr(9) + "sizes: 2 2 2\n" + raw, "magic");
  refused(start + "sizes: 2 2\n" + raw, "'sizes'");
  refused("NRRD0004\ntype: short\nsizes: 2 2 2\ndimension: 3\n" + raw, "before 'dimension'");
  refused(Replaced(start, "dimension: 3", "dimension: 4") + "sizes: 2 2 2 1\n" + raw, "3D image");
  refused(start + "sizes: 2 2 2\nkinds: RGB-color domain domain\n" + raw, "components");
  refused(start +
              "sizes: 2 2 2\nspace: left-posterior-superior\n"
              "space directions: (1,0,0) (0,1,0)\n" +
              raw,
          "'space directions'");
  refused(start + "sizes: 2 2 2\nspacings: 1 1\n" + raw, "'spacings'");
  refused(start + "sizes: 2 2 2\ncolour: red\n" + raw, "NRRD does not define");
  refused(start + "sizes: 2 2 2\nencoding: raw\n\n" + std::string(16, '\0'), "'endian' is missing");
  EXPECT_THROW(
      Check(start + "sizes: 2 2 2\nendian: little\nencoding: bzip2\n\n", VolumeFileFormat::Nrrd),
      NotSupported);
}

TEST(VolumeHeaderCheck, NrrdGzipAndHexDataAreCheckedForTheirSize) {
  const std::string header = "NRRD0004\ntype: uchar\ndimension: 3\nsizes: 2 2 2\nencoding: hex\n\n";
  EXPECT_NO_THROW(Check(header + "0001020304050607\n", VolumeFileFormat::Nrrd));
  EXPECT_THROW(Check(header + "00010203040506\n", VolumeFileFormat::Nrrd), DataFormat);
  EXPECT_THROW(Check(header + "000102030405060g\n", VolumeFileFormat::Nrrd), DataFormat);
}

std::string Nifti(std::int16_t dimensions, std::int16_t datatype, std::int16_t bitpix,
                  std::size_t dataBytes, float voxOffset = 352.0f) {
  std::string header(348, '\0');
  const auto put = [&](std::size_t offset, const void* value, std::size_t size) {
    std::memcpy(header.data() + offset, value, size);
  };
  const std::int32_t sizeofHeader = 348;
  put(0, &sizeofHeader, 4);
  const std::int16_t dim[8] = {dimensions, 2, 2, 2, 1, 1, 1, 1};
  put(40, dim, sizeof dim);
  put(70, &datatype, 2);
  put(72, &bitpix, 2);
  const float pixdim[8] = {1, 1, 1, 1, 1, 1, 1, 1};
  put(76, pixdim, sizeof pixdim);
  put(108, &voxOffset, 4);
  header.replace(344, 4, std::string("n+1\0", 4));
  return header + std::string(4, '\0') + std::string(dataBytes, '\0');
}

TEST(VolumeHeaderCheck, NiftiHeaderAndDataSizeAreChecked) {
  EXPECT_NO_THROW(Check(Nifti(3, 4, 16, 16), VolumeFileFormat::Nifti));
  EXPECT_TRUE(
      Contains(MessageOf<DataFormat>([] { Check(Nifti(3, 4, 16, 32), VolumeFileFormat::Nifti); }),
               "are 32 bytes; expected 2x2x2 voxels x 2 bytes (INT16 (4)) = 16 bytes"));
  EXPECT_TRUE(
      Contains(MessageOf<DataFormat>([] { Check(Nifti(3, 4, 8, 16), VolumeFileFormat::Nifti); }),
               "bitpix is 8"));
  EXPECT_TRUE(
      Contains(MessageOf<DataFormat>([] { Check(Nifti(2, 4, 16, 16), VolumeFileFormat::Nifti); }),
               "3D image"));
  EXPECT_TRUE(
      Contains(MessageOf<DataFormat>([] { Check(Nifti(3, 32, 64, 64), VolumeFileFormat::Nifti); }),
               "datatype is 32"));
  EXPECT_TRUE(Contains(
      MessageOf<DataFormat>([] { Check(Nifti(3, 4, 16, 16, 100.0f), VolumeFileFormat::Nifti); }),
      "vox_offset"));
  std::string analyze = Nifti(3, 4, 16, 16);
  analyze.replace(344, 4, std::string(4, '\0'));
  EXPECT_THROW(Check(analyze, VolumeFileFormat::Nifti), NotSupported);
  EXPECT_THROW(Check("short", VolumeFileFormat::Nifti), DataFormat);
}

TEST(VolumeReading, ItkPrintsNothingOnTheConsoleForARefusedFile) {
  TempFolder folder;
  Write(folder.File("bad.mha"), "ObjectType = Image\nNDims = 3\nDimSize = 2 2 2\n"
                                "ElementType = MET_FLOAT\n");
  testing::internal::CaptureStderr();
  testing::internal::CaptureStdout();
  EXPECT_THROW(ReadVolumeFloat(folder.File("bad.mha")), DataFormat);
  EXPECT_EQ(testing::internal::GetCapturedStdout(), "");
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "");
}

} // namespace
} // namespace seedplan::imaging
