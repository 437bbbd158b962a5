// The project's own DICOM structure walk and image value checks (issue 13), checked against
// pydicom (an independent reader) on its own test files and on files DCMTK writes, and on the
// corruptions that crashed or misled the toolkits.

#include "seedplan/imaging/DicomFileCheck.h"
#include "../core/ErrorMessage.h"
#include "../core/TempFolder.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/MemoryByteSource.h"
#include "seedplan/core/Volume.h"
#include "seedplan/imaging/DicomCtWriter.h"
#include "seedplan/imaging/DicomImageCheck.h"

#include <gtest/gtest.h>

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcvrfd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <sstream>

namespace seedplan::imaging {
namespace {

using test::Contains;
using test::MessageOf;
using test::TempFolder;

namespace fs = std::filesystem;

const fs::path kPydicomFiles = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

std::string Read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

DicomFileSummary CheckBytes(const std::string& bytes) {
  return DicomFileCheck::CheckSource(MemoryByteSource(bytes, "test.dcm"));
}

/// The top-level tags pydicom reads from each file (File Meta Information included), or "ERROR".
std::map<std::string, std::string> PydicomTags(const std::vector<fs::path>& files) {
  std::string command =
      "/usr/bin/python3 -W ignore -c '"
      "import sys, os, pydicom\n"
      "for p in sys.argv[1:]:\n"
      "  try:\n"
      "    d = pydicom.dcmread(p, force=True)\n"
      "    t = [\"%08X\" % int(e.tag) for e in (d.file_meta if getattr(d, \"file_meta\", None) "
      "is not None else [])] + [\"%08X\" % int(e.tag) for e in d]\n"
      "    print(os.path.basename(p) + \"\\t\" + \" \".join(t))\n"
      "  except Exception:\n"
      "    print(os.path.basename(p) + \"\\tERROR\")\n"
      "'";
  for (const fs::path& file : files) {
    command += " '" + file.string() + "'";
  }
  std::map<std::string, std::string> tags;
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) {
    return tags;
  }
  std::string output;
  char buffer[4096];
  std::size_t n = 0;
  while ((n = fread(buffer, 1, sizeof buffer, pipe)) > 0) {
    output.append(buffer, n);
  }
  pclose(pipe);
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    const auto tab = line.find('\t');
    if (tab != std::string::npos) {
      tags[line.substr(0, tab)] = line.substr(tab + 1);
    }
  }
  return tags;
}

std::string TagsOf(const DicomFileSummary& summary) {
  std::string text;
  char tag[16];
  for (const auto& [key, element] : summary.elements) {
    std::snprintf(tag, sizeof tag, "%08X", key);
    if (!text.empty()) {
      text += ' ';
    }
    text += tag;
  }
  return text;
}

TEST(DicomFileCheck, FindsTheSameTopLevelElementsAsPydicomInItsTestFiles) {
  if (!fs::exists(kPydicomFiles / "CT_small.dcm")) {
    GTEST_SKIP() << kPydicomFiles << " is absent (python3-pydicom)";
  }
  // Files written by many programs: implicit, explicit and big-endian syntaxes, deflated, JPEG,
  // JPEG 2000, JPEG-LS and RLE fragments, sequences of defined and undefined length, RT objects.
  const std::vector<std::string> wellFormed = {"CT_small.dcm",
                                               "MR_small.dcm",
                                               "MR_small_implicit.dcm",
                                               "MR_small_bigendian.dcm",
                                               "MR_small_expb.dcm",
                                               "MR_small_RLE.dcm",
                                               "MR_small_jp2klossless.dcm",
                                               "MR_small_jpeg_ls_lossless.dcm",
                                               "JPEG2000.dcm",
                                               "JPEG-lossy.dcm",
                                               "image_dfl.dcm",
                                               "ExplVR_BigEnd.dcm",
                                               "rtstruct.dcm",
                                               "rtplan.dcm",
                                               "rtdose.dcm",
                                               "rtdose_rle.dcm",
                                               "liver_1frame.dcm",
                                               "test-SR.dcm",
                                               "waveform_ecg.dcm",
                                               "SC_rgb_rle.dcm",
                                               "reportsi.dcm"};
  std::vector<fs::path> files;
  for (const std::string& name : wellFormed) {
    files.push_back(kPydicomFiles / name);
  }
  const std::map<std::string, std::string> reference = PydicomTags(files);
  ASSERT_EQ(reference.size(), files.size()) << "pydicom did not answer for every file";
  for (const fs::path& file : files) {
    SCOPED_TRACE(file.filename().string());
    DicomFileSummary summary;
    ASSERT_NO_THROW(summary = DicomFileCheck::CheckFile(file));
    EXPECT_EQ(TagsOf(summary), reference.at(file.filename().string()));
  }
}

TEST(DicomFileCheck, RefusesPydicomsTruncatedFilesNamingThem) {
  for (const std::string name : {"MR_truncated.dcm", "rtplan_truncated.dcm"}) {
    const fs::path file = kPydicomFiles / name;
    if (!fs::exists(file)) {
      GTEST_SKIP() << file << " is absent (python3-pydicom)";
    }
    const std::string message = MessageOf<DataFormat>([&] { DicomFileCheck::CheckFile(file); });
    EXPECT_TRUE(Contains(message, file.string())) << message;
    EXPECT_TRUE(Contains(message, "truncated")) << message;
  }
}

TEST(DicomFileCheck, AcceptsWhatDcmtkWritesInEveryCompression) {
  TempFolder folder;
  Volume<short> hu(GridGeometry({0, 0, 0}, {0.7, 0.7, 2.0}, {9, 7, 2}), -1000);
  hu.At(3, 3, 1) = 2500;
  for (const auto compression :
       {DicomCtWriteOptions::Compression::None, DicomCtWriteOptions::Compression::JpegLossless,
        DicomCtWriteOptions::Compression::Rle}) {
    DicomCtWriteOptions options;
    options.compression = compression;
    const fs::path series = folder.File("ct" + std::to_string(int(compression)));
    DicomCtWriter::Write(series, hu, options);
    const DicomFileSummary summary = DicomFileCheck::CheckFile(series / "CT_0001.dcm");
    EXPECT_TRUE(summary.part10);
    EXPECT_NO_THROW(DicomImageCheck::CheckImageAttributes(summary));
    EXPECT_EQ(summary.pixelDataFragments > 0,
              compression != DicomCtWriteOptions::Compression::None);
    EXPECT_EQ(DicomImageCheck::CheckCtRescale("f", *summary.Text(DicomTag(0x0028, 0x1053)),
                                              *summary.Text(DicomTag(0x0028, 0x1052)))
                  .intercept,
              -1024.0);
  }
}

/// A small explicit VR little endian CT slice written by DCMTK, as bytes.
std::string Slice(const std::function<void(DcmDataset&)>& edit = {}) {
  TempFolder folder;
  Volume<short> hu(GridGeometry({0, 0, 0}, {0.7, 0.7, 2.0}, {4, 4, 1}), 0);
  DicomCtWriter::Write(folder.File("ct"), hu, {});
  const fs::path file = folder.File("ct") / "CT_0001.dcm";
  if (edit) {
    DcmFileFormat format;
    EXPECT_TRUE(format.loadFile(file.c_str()).good());
    EXPECT_TRUE(format.loadAllDataIntoMemory().good());
    edit(*format.getDataset());
    EXPECT_TRUE(format.saveFile(file.c_str(), EXS_LittleEndianExplicit).good());
  }
  return Read(file);
}

TEST(DicomFileCheck, ACorruptVrInTheFileMetaInformationIsRefusedNamingTheElement) {
  std::string bytes = Slice();
  const auto at = bytes.find(std::string("\x02\x00\x10\x00UI", 6), 132);
  ASSERT_NE(at, std::string::npos);
  bytes[at + 4] = '\x3f';
  bytes[at + 5] = '\x21';
  const std::string message = MessageOf<DataFormat>([&] { CheckBytes(bytes); });
  EXPECT_TRUE(Contains(message, "test.dcm: corrupt DICOM file: element (0002,0010) at byte "))
      << message;
  EXPECT_TRUE(Contains(message, "VR bytes 0x3F 0x21")) << message;
}

TEST(DicomFileCheck, ALengthBeyondTheFileOrATruncationIsRefused) {
  const std::string bytes = Slice();
  // Cut anywhere: refused, or (cut between two elements) a well-formed file without pixel data,
  // which the loader refuses as such.
  for (std::size_t cut = 132; cut < bytes.size(); cut += 7) {
    try {
      const DicomFileSummary summary = CheckBytes(bytes.substr(0, cut));
      EXPECT_EQ(summary.Find(DicomTag(0x7FE0, 0x0010)), nullptr) << cut;
    } catch (const DataFormat& error) {
      EXPECT_TRUE(Contains(error.what(), "test.dcm: corrupt DICOM file")) << error.what();
    }
  }
  std::string longer = bytes;
  const auto at = longer.find(std::string("\x28\x00\x30\x00"
                                          "DS",
                                          6));
  ASSERT_NE(at, std::string::npos);
  longer[at + 7] = '\x7f'; // PixelSpacing's 2-byte length: 32512 + its own
  EXPECT_TRUE(Contains(MessageOf<DataFormat>([&] { CheckBytes(longer); }), "(0028,0030) at byte"));
}

TEST(DicomFileCheck, ElementsOutOfOrderAreRefused) {
  std::string bytes = Slice();
  // Swap the tags of Rows (0028,0010) and Columns (0028,0011): same VR and length.
  const auto rows = bytes.find(std::string("\x28\x00\x10\x00US", 6));
  const auto columns = bytes.find(std::string("\x28\x00\x11\x00US", 6));
  ASSERT_NE(rows, std::string::npos);
  ASSERT_NE(columns, std::string::npos);
  std::swap(bytes[rows + 2], bytes[columns + 2]);
  EXPECT_TRUE(Contains(MessageOf<DataFormat>([&] { CheckBytes(bytes); }), "ascending tag order"));
}

std::string Element(std::uint16_t group, std::uint16_t element, const std::string& vr,
                    const std::string& value) {
  std::string bytes;
  const auto put16 = [&](std::uint16_t v) {
    bytes += static_cast<char>(v & 0xFF);
    bytes += static_cast<char>(v >> 8);
  };
  put16(group);
  put16(element);
  bytes += vr;
  if (vr == "SQ" || vr == "OB" || vr == "UN") {
    bytes += std::string(2, '\0');
    const std::uint32_t length = static_cast<std::uint32_t>(value.size());
    put16(static_cast<std::uint16_t>(length & 0xFFFF));
    put16(static_cast<std::uint16_t>(length >> 16));
  } else {
    put16(static_cast<std::uint16_t>(value.size()));
  }
  return bytes + value;
}

std::string ExplicitFile(const std::string& dataSet) {
  const std::string syntax = "1.2.840.10008.1.2.1";
  return std::string(128, '\0') + "DICM" +
         Element(0x0002, 0x0010, "UI", syntax + std::string(syntax.size() % 2, '\0')) + dataSet;
}

TEST(DicomFileCheck, SequencesNestedDeeperThan32AreRefused) {
  std::string nested;
  for (int depth = 0; depth < 40; ++depth) {
    // An item of defined length holding a sequence of defined length.
    const std::string item = std::string("\xfe\xff\x00\xe0", 4);
    std::string length(4, '\0');
    const auto size = static_cast<std::uint32_t>(nested.size());
    for (int b = 0; b < 4; ++b) {
      length[static_cast<std::size_t>(b)] = static_cast<char>((size >> (8 * b)) & 0xFF);
    }
    nested = Element(0x0008, 0x1115, "SQ", item + length + nested);
  }
  EXPECT_TRUE(Contains(MessageOf<DataFormat>([&] { CheckBytes(ExplicitFile(nested)); }),
                       "nested more than 32 deep"));
}

TEST(DicomFileCheck, AnUndefinedLengthSequenceWithoutItsDelimitationIsRefused) {
  std::string sequence = Element(0x0008, 0x1115, "SQ", "");
  sequence.replace(sequence.size() - 4, 4, "\xff\xff\xff\xff");
  sequence +=
      std::string("\xfe\xff\x00\xe0\xff\xff\xff\xff", 8) + Element(0x0008, 0x0060, "CS", "CT");
  EXPECT_TRUE(Contains(MessageOf<DataFormat>([&] { CheckBytes(ExplicitFile(sequence)); }),
                       "no item delimitation"));
}

TEST(DicomFileCheck, TheRtOptionsRefuseWhatTheRtReadersDoNotRead) {
  const DicomFileCheck::Options rt = DicomFileCheck::RtObject(std::uint64_t{1} << 20);
  const std::string slice = Slice();
  const DicomFileSummary summary =
      DicomFileCheck::CheckSource(MemoryByteSource(slice, "test.dcm"), rt);
  EXPECT_EQ(summary.fileBytes, slice.size());
  EXPECT_EQ(summary.elementCount, summary.elements.size()); // the slice has no sequences
  const auto refused = [&](const std::string& bytes, const std::string& expected) {
    try {
      DicomFileCheck::CheckSource(MemoryByteSource(bytes, "test.dcm"), rt);
      ADD_FAILURE() << "accepted; expected '" << expected << "'";
    } catch (const Error& error) {
      EXPECT_TRUE(Contains(error.what(), "test.dcm: ")) << error.what();
      EXPECT_TRUE(Contains(error.what(), expected)) << error.what();
    }
  };
  refused("short", "5 bytes; expected a DICOM file");
  refused(slice.substr(132), "no 'DICM' at byte 128");
  refused(ExplicitFile(Element(0x0008, 0x0060, "CS", "CT")), "Group Length (0002,0000) UL");
  // The group length one byte short of the meta elements.
  std::string shortMeta = slice;
  ASSERT_EQ(shortMeta.substr(132, 6), std::string("\x02\x00\x00\x00UL", 6));
  --shortMeta[140];
  refused(shortMeta, "File Meta Information Group Length (0002,0000) is ");
  refused(slice + std::string(1 << 20, '\0'), "for this kind of DICOM object");
  TempFolder folder;
  Volume<short> hu(GridGeometry({0, 0, 0}, {0.7, 0.7, 2.0}, {4, 4, 1}), 0);
  DicomCtWriteOptions rle;
  rle.compression = DicomCtWriteOptions::Compression::Rle;
  DicomCtWriter::Write(folder.File("rle"), hu, rle);
  refused(Read(folder.File("rle") / "CT_0001.dcm"), "expected implicit (1.2.840.10008.1.2) or");
}

TEST(DicomFileCheck, ADelimiterWithANonZeroLengthIsRefused) {
  std::string sequence = Element(0x0008, 0x1115, "SQ", "");
  sequence.replace(sequence.size() - 4, 4, "\xff\xff\xff\xff");
  sequence += std::string("\xfe\xff\xdd\xe0\x04\x00\x00\x00", 8);
  EXPECT_TRUE(Contains(MessageOf<DataFormat>([&] { CheckBytes(ExplicitFile(sequence)); }),
                       "has length 4 (expected 0)"));
}

TEST(DicomFileCheck, AnImplicitVrDataSetUnderAnExplicitTransferSyntaxIsNamedAsSuch) {
  // (0008,0060) CS "CT" as implicit VR little endian writes it: tag, 4-byte length, value.
  const std::string implicit = std::string("\x08\x00\x60\x00\x02\x00\x00\x00", 8) + "CT";
  const std::string message = MessageOf<DataFormat>([&] { CheckBytes(ExplicitFile(implicit)); });
  EXPECT_TRUE(Contains(message, "test.dcm: the data set is encoded in implicit VR, but Transfer "
                                "Syntax UID (0002,0010) '1.2.840.10008.1.2.1' says explicit VR"))
      << message;
}

TEST(DicomFileCheck, TextIsNotADicomFile) {
  EXPECT_TRUE(Contains(MessageOf<DataFormat>([] { CheckBytes("slice thickness 2.5 mm\n"); }),
                       "not a DICOM file"));
  EXPECT_THROW(CheckBytes(""), DataFormat);
}

TEST(DicomImageCheck, PixelSpacingOrRescaleSlopeWithVrFdIsRefused) {
  for (const DcmTagKey& tag : {DCM_PixelSpacing, DCM_RescaleSlope}) {
    const std::string bytes = Slice([&](DcmDataset& dataset) {
      auto element = std::make_unique<DcmFloatingPointDouble>(DcmTag(tag, EVR_FD));
      const double values[2] = {1.0, 1.0};
      element->putFloat64Array(values, tag == DCM_PixelSpacing ? 2 : 1);
      dataset.insert(element.release(), true);
    });
    const DicomFileSummary summary = CheckBytes(bytes);
    const std::string message =
        MessageOf<DataFormat>([&] { DicomImageCheck::CheckImageAttributes(summary); });
    EXPECT_TRUE(Contains(message, "has VR FD; expected VR DS")) << message;
  }
}

TEST(DicomImageCheck, ValuesOutsideTheirPhysicalBoundsAreRefused) {
  const auto refused = [](const DcmTagKey& tag, const std::string& value,
                          const std::string& expected) {
    const std::string bytes =
        Slice([&](DcmDataset& dataset) { dataset.putAndInsertString(tag, value.c_str()); });
    const DicomFileSummary summary = CheckBytes(bytes);
    const std::string message =
        MessageOf<DataFormat>([&] { DicomImageCheck::CheckImageAttributes(summary); });
    EXPECT_TRUE(Contains(message, expected)) << value << ": " << message;
  };
  refused(DCM_PixelSpacing, "0\\0.7", "PixelSpacing (0028,0030) holds 0");
  refused(DCM_PixelSpacing, "0.7", "expected 2 numbers");
  refused(DCM_ImagePositionPatient, "1e19\\0\\0", "holds 1e+19");
  refused(DCM_RescaleIntercept, "nan", "RescaleIntercept (0028,1052) is 'nan'");
  const std::string highBit =
      Slice([](DcmDataset& dataset) { dataset.putAndInsertUint16(DCM_HighBit, 3); });
  EXPECT_TRUE(Contains(
      MessageOf<DataFormat>([&] { DicomImageCheck::CheckImageAttributes(CheckBytes(highBit)); }),
      "HighBit (0028,0102) is 3"));
}

TEST(DicomImageCheck, CtRescaleNeedsBothValuesAndAPositiveSlope) {
  EXPECT_EQ(DicomImageCheck::CheckCtRescale("f.dcm", "1", "-1024").slope, 1.0);
  const auto refused = [](const std::string& slope, const std::string& intercept,
                          const std::string& expected) {
    const std::string message =
        MessageOf<DataFormat>([&] { DicomImageCheck::CheckCtRescale("f.dcm", slope, intercept); });
    EXPECT_TRUE(Contains(message, "f.dcm: ")) << message;
    EXPECT_TRUE(Contains(message, expected)) << message;
  };
  refused("-1", "-1024", "RescaleSlope (0028,1053) is -1; expected a slope > 0");
  refused("0", "-1024", "is 0; expected a slope > 0");
  refused("1", "", "RescaleIntercept (0028,1052) is missing");
  refused("", "-1024", "RescaleSlope (0028,1053) is missing");
  refused("1\\2", "0", "expected one number");
}

} // namespace
} // namespace seedplan::imaging
