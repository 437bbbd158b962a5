// Tests of the sample patient's generator version stamp (issue 10): a sample patient written by an
// older generator is rewritten, a current one is kept, anything else is left alone; and its
// structure set carries the CT's patient and study attributes.

#include "RtTestSupport.h"
#include "seedplan/core/Error.h"
#include "seedplan/imaging/SamplePatient.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <gtest/gtest.h>

#include <fstream>

namespace seedplan::imaging {
namespace {

namespace fs = std::filesystem;
using rttest::TempFolder;

std::string Text(DcmItem& item, const DcmTagKey& tag) {
  OFString value;
  item.findAndGetOFStringArray(tag, value);
  return value.c_str();
}

TEST(RtSamplePatient, OlderGeneratorsPatientIsRewrittenAndACurrentOneKept) {
  TempFolder folder;
  const fs::path patient = folder.File("patient");
  SamplePatientFiles files = SamplePatient::EnsureCurrent(patient);
  ASSERT_TRUE(files.IsCurrent());
  EXPECT_EQ(files.GeneratorVersion(), SamplePatient::kGeneratorVersion);

  // Current: kept as it is.
  std::ofstream(patient / "marker.txt") << "kept\n";
  SamplePatient::EnsureCurrent(patient);
  EXPECT_TRUE(fs::exists(patient / "marker.txt"));

  // Generator 1 wrote no stamp: rewritten.
  fs::remove(files.GeneratorStamp());
  EXPECT_FALSE(files.IsCurrent());
  EXPECT_EQ(files.GeneratorVersion(), 0);
  files = SamplePatient::EnsureCurrent(patient);
  EXPECT_TRUE(files.IsCurrent());
  EXPECT_FALSE(fs::exists(patient / "marker.txt"));
  for (const auto& entry : fs::directory_iterator(folder.File(""))) {
    EXPECT_EQ(entry.path().filename().string().find(".old-"), std::string::npos) << entry.path();
    EXPECT_EQ(entry.path().filename().string().find(".new-"), std::string::npos) << entry.path();
  }

  // The structure set shares the CT's patient and study and names its operators (type 2).
  DcmFileFormat structures;
  DcmFileFormat slice;
  ASSERT_TRUE(structures.loadFile(files.RtStruct().c_str()).good());
  ASSERT_TRUE(slice.loadFile((files.Ct() / "CT_0001.dcm").c_str()).good());
  for (const DcmTagKey& tag : {DCM_PatientName, DCM_PatientID, DCM_StudyInstanceUID, DCM_StudyDate,
                               DCM_StudyTime, DCM_StudyID}) {
    EXPECT_EQ(Text(*structures.getDataset(), tag), Text(*slice.getDataset(), tag))
        << DcmTag(tag).getTagName();
  }
  EXPECT_TRUE(structures.getDataset()->tagExists(DCM_OperatorsName));
  EXPECT_EQ(Text(*slice.getDataset(), DCM_BodyPartExamined), "CHEST");
}

TEST(RtSamplePatient, AFolderThatIsNotASamplePatientIsLeftAlone) {
  TempFolder folder;
  const fs::path other = folder.File("mine");
  fs::create_directories(other);
  std::ofstream(other / "notes.txt") << "my files\n";
  EXPECT_THROW(SamplePatient::EnsureCurrent(other), Io);
  EXPECT_TRUE(fs::exists(other / "notes.txt"));
}

} // namespace
} // namespace seedplan::imaging
