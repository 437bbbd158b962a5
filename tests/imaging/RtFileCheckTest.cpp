// Tests of the check that runs before DCMTK reads an RT Plan or RT Dose (DicomFileCheck with its
// RT options, through
// RtPlanReader and RtDoseReader): broken files are refused with one line naming the file and
// what is wrong, values stored with another VR are refused, and another kind of object is
// recognised.

#include "RtTestSupport.h"
#include "seedplan/core/Error.h"
#include "seedplan/imaging/RtDoseReader.h"
#include "seedplan/imaging/RtPlanReader.h"
#include "seedplan/imaging/RtPlanWriter.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

namespace seedplan::imaging {
namespace {

namespace fs = std::filesystem;
using rttest::SmallCt;
using rttest::SmallCtHeader;
using rttest::TempFolder;

fs::path WriteSmallPlan(const TempFolder& folder) {
  RtBrachyPlan plan;
  plan.label = "CHECK";
  plan.referencedStructureSetUid = "1.2.826.0.1.3680043.9.7777.10.9";
  RtSource source;
  source.number = 1;
  source.modelId = "6711";
  source.manufacturer = "test";
  source.halfLifeDays = 59.4;
  source.referenceAirKermaRateU = 0.7;
  source.referenceDate = "20260120";
  source.referenceTime = "120000";
  plan.sources = {source};
  RtApplicationSetup setup{1, "GTV", {}};
  for (int n = 0; n < 3; ++n) {
    RtSeed seed;
    seed.positionMm = Eigen::Vector3d(n, 2.0 * n, 0.5);
    seed.sourceNumber = 1;
    setup.seeds.push_back(seed);
  }
  plan.setups = {setup};
  const fs::path file = folder.File("rtplan.dcm");
  RtPlanWriter::Write(file, plan, SmallCtHeader(SmallCt()));
  return file;
}

std::string Bytes(const fs::path& file) {
  std::ifstream stream(file, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(stream), {});
}

void Store(const fs::path& file, const std::string& bytes) {
  std::ofstream(file, std::ios::binary) << bytes;
}

/// Expects RtPlanReader to refuse `file` with an error of type E whose message names the file
/// and contains `part`.
template <class E> void ExpectRefused(const fs::path& file, const std::string& part) {
  try {
    RtPlanReader::Read(file);
    ADD_FAILURE() << "expected a refusal containing '" << part << "'";
  } catch (const E& error) {
    const std::string message = error.what();
    std::cout << message << "\n";
    EXPECT_NE(message.find(file.string()), std::string::npos) << message;
    EXPECT_NE(message.find(part), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(RtFileCheck, TinyFilesAndFilesWithoutThePart10PreambleAreRefused) {
  TempFolder folder;
  Store(folder.File("tiny.dcm"), "not dicom");
  ExpectRefused<DataFormat>(folder.File("tiny.dcm"), "9 bytes; expected a DICOM file");
  std::string bytes = Bytes(WriteSmallPlan(folder));
  bytes.replace(128, 4, "DICN");
  Store(folder.File("nodicm.dcm"), bytes);
  ExpectRefused<DataFormat>(folder.File("nodicm.dcm"), "no 'DICM' at byte 128");
  ExpectRefused<Io>(folder.File("missing.dcm"), "no such file");
}

TEST(RtFileCheck, TruncatedFilesAreRefusedBeforeDcmtkReadsThem) {
  TempFolder folder;
  const std::string bytes = Bytes(WriteSmallPlan(folder));
  for (const double fraction : {0.2, 0.5, 0.9}) {
    const auto cut = static_cast<std::size_t>(fraction * double(bytes.size()));
    Store(folder.File("cut.dcm"), bytes.substr(0, cut));
    try {
      RtPlanReader::Read(folder.File("cut.dcm"));
      ADD_FAILURE() << "a file cut at " << cut << " bytes was read";
    } catch (const DataFormat& error) {
      std::cout << error.what() << "\n";
      const std::string message = error.what();
      EXPECT_TRUE(message.find("truncated") != std::string::npos ||
                  message.find("bytes are left") != std::string::npos)
          << message;
    }
  }
}

TEST(RtFileCheck, AnElementLongerThanTheFileAndABigEndianFileAreRefused) {
  TempFolder folder;
  std::string bytes = Bytes(WriteSmallPlan(folder));
  const std::uint32_t metaLength =
      static_cast<unsigned char>(bytes[140]) | (static_cast<unsigned char>(bytes[141]) << 8);
  const std::size_t first = 144 + metaLength; // the first data set element, a short-form VR
  std::string longer = bytes;
  longer[first + 6] = '\xF0';
  longer[first + 7] = '\xFF';
  Store(folder.File("long.dcm"), longer);
  ExpectRefused<DataFormat>(folder.File("long.dcm"), "has length 65520");
  // Same length UID: 1.2.840.10008.1.2.1 -> 1.2.840.10008.1.2.2 (explicit VR big endian).
  const std::size_t syntax = bytes.find("1.2.840.10008.1.2.1");
  ASSERT_NE(syntax, std::string::npos);
  bytes[syntax + 18] = '2';
  Store(folder.File("big.dcm"), bytes);
  ExpectRefused<NotSupported>(folder.File("big.dcm"), "1.2.840.10008.1.2.2");
}

TEST(RtFileCheck, SequencesNestedTooDeepAreRefused) {
  TempFolder folder;
  DcmFileFormat file;
  DcmItem* item = file.getDataset();
  for (int depth = 0; depth < 40; ++depth) {
    DcmItem* inner = nullptr;
    ASSERT_TRUE(
        item->findOrCreateSequenceItem(DCM_ReferencedStructureSetSequence, inner, 0).good());
    item = inner;
  }
  file.getDataset()->putAndInsertString(DCM_SOPClassUID, "1.2.840.10008.5.1.4.1.1.481.5");
  file.getDataset()->putAndInsertString(DCM_SOPInstanceUID, "1.2.826.0.1.3680043.9.7777.10.99");
  ASSERT_TRUE(file.saveFile(folder.File("deep.dcm").c_str(), EXS_LittleEndianExplicit).good());
  ExpectRefused<DataFormat>(folder.File("deep.dcm"), "nested more than 32 deep");
}

TEST(RtFileCheck, AValueStoredWithAnotherVrIsRefusedNamingTheAttribute) {
  TempFolder folder;
  const fs::path file = WriteSmallPlan(folder);
  DcmFileFormat format;
  ASSERT_TRUE(format.loadFile(file.c_str()).good());
  DcmItem* source = nullptr;
  ASSERT_TRUE(format.getDataset()->findAndGetSequenceItem(DCM_SourceSequence, source, 0).good());
  source->findAndDeleteElement(DCM_ReferenceAirKermaRate);
  // As a system that stores the strength as FD would write it.
  ASSERT_TRUE(source->putAndInsertFloat64(DcmTag(DCM_ReferenceAirKermaRate, EVR_FD), 0.7).good());
  ASSERT_TRUE(format.saveFile(file.c_str(), EXS_LittleEndianExplicit).good());
  ExpectRefused<DataFormat>(file, "Reference Air Kerma Rate (300A,022A) in Source Sequence item 1 "
                                  "is stored with VR FD; expected DS");
}

TEST(RtFileCheck, AnRtDoseReaderRefusesAnRtPlanAndViceVersa) {
  TempFolder folder;
  const fs::path plan = WriteSmallPlan(folder);
  try {
    RtDoseReader::Read(plan);
    ADD_FAILURE() << "an RT Plan was read as an RT Dose";
  } catch (const DataFormat& error) {
    EXPECT_NE(std::string(error.what()).find("expected an RT Dose"), std::string::npos);
  }
}

} // namespace
} // namespace seedplan::imaging
