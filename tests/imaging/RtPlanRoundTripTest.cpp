// Tests of RtPlanWriter and RtPlanReader: a brachy RT Plan written for a CT in memory reads back
// with every value (DCMTK), and what the writer refuses leaves no file.

#include "RtTestSupport.h"
#include "seedplan/core/Error.h"
#include "seedplan/imaging/RtPlanReader.h"
#include "seedplan/imaging/RtPlanWriter.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <gtest/gtest.h>

#include <cmath>

namespace seedplan::imaging {
namespace {

using rttest::SmallCt;
using rttest::SmallCtHeader;
using rttest::TempFolder;

/// Positions are written as the shortest decimal that reads back to the same double when it fits
/// a Decimal String's 16 characters, else with as many digits as fit: at least 12 significant
/// digits below 10 m, i.e. better than 1e-9 mm.
constexpr double kPositionToleranceMm = 1e-9;
/// Control Point Orientation is FL (float32): 6e-8 relative.
constexpr double kDirectionTolerance = 1e-6;

RtBrachyPlan TwoLesionPlan() {
  RtBrachyPlan plan;
  plan.label = "RT-TEST";
  plan.name = "plan.xml";
  plan.description = "round trip";
  plan.referencedStructureSetUid = "1.2.826.0.1.3680043.9.7777.10.9";
  for (int s = 0; s < 2; ++s) {
    RtSource source;
    source.number = s + 1;
    source.modelId = "6711";
    source.manufacturer = "Amersham / Oncura / GE Healthcare OncoSeed model 6711";
    source.halfLifeDays = 59.4;
    source.activeLengthMm = 3.0;
    source.referenceAirKermaRateU = s == 0 ? 0.762 : 0.41234567891234;
    source.referenceDate = "20260120";
    source.referenceTime = "120000";
    plan.sources.push_back(source);
  }
  RtApplicationSetup lung{0, "GTV_Lung", {}};
  RtApplicationSetup node{0, "GTV_Node", {}};
  for (int n = 0; n < 5; ++n) {
    RtSeed seed;
    seed.positionMm = Eigen::Vector3d(-12.3456789012345 + 5.0 * n, 7.1 / 3.0, -0.1 * n);
    if (n != 2) {
      seed.direction = Eigen::Vector3d(1.0, 0.2 * n, -0.5).normalized();
    }
    seed.sourceNumber = 1;
    lung.seeds.push_back(seed);
  }
  for (int n = 0; n < 2; ++n) {
    RtSeed seed;
    seed.positionMm = Eigen::Vector3d(40.0, -3.25 + 5.0 * n, 1e-7);
    seed.sourceNumber = 2;
    node.seeds.push_back(seed);
  }
  plan.setups = {lung, node};
  plan.doseReferences = {{1, "GTV_Lung", 3, 120.0, 10.0}, {2, "GTV_Node", 5, 110.5, 10.0}};
  return plan;
}

std::string Text(DcmItem& item, const DcmTagKey& tag) {
  OFString value;
  item.findAndGetOFStringArray(tag, value);
  return value.c_str();
}

TEST(RtPlan, WrittenPlanReadsBackWithEverySeedSourceSetupAndPrescription) {
  TempFolder folder;
  const CtImage ct = SmallCt();
  const RtBrachyPlan written = TwoLesionPlan();
  const std::string uid =
      RtPlanWriter::Write(folder.File("rtplan.dcm"), written, SmallCtHeader(ct));
  const RtBrachyPlan read = RtPlanReader::Read(folder.File("rtplan.dcm"));

  EXPECT_EQ(read.sopInstanceUid, uid);
  EXPECT_EQ(read.frameOfReferenceUid, ct.info.frameOfReferenceUid);
  EXPECT_EQ(read.studyInstanceUid, ct.info.studyInstanceUid);
  EXPECT_EQ(read.patientId, "RT-TEST-7");
  EXPECT_EQ(read.referencedStructureSetUid, written.referencedStructureSetUid);
  EXPECT_EQ(read.treatmentTechnique, "PERMANENT");
  EXPECT_EQ(read.treatmentType, "LDR");
  EXPECT_EQ(read.approvalStatus, "UNAPPROVED");
  ASSERT_EQ(read.sources.size(), 2u);
  for (std::size_t s = 0; s < 2; ++s) {
    EXPECT_EQ(read.sources[s].number, written.sources[s].number);
    EXPECT_EQ(read.sources[s].modelId, "6711");
    EXPECT_EQ(read.sources[s].manufacturer, written.sources[s].manufacturer);
    EXPECT_EQ(read.sources[s].isotopeName, "I-125");
    EXPECT_EQ(read.sources[s].halfLifeDays, 59.4);
    EXPECT_EQ(read.sources[s].activeLengthMm, 3.0);
    EXPECT_EQ(read.sources[s].referenceAirKermaRateU, written.sources[s].referenceAirKermaRateU);
    EXPECT_EQ(read.sources[s].strengthUnits, "AIR_KERMA_RATE");
    EXPECT_EQ(read.sources[s].sourceStrength, written.sources[s].referenceAirKermaRateU);
    EXPECT_EQ(read.sources[s].referenceDate, "20260120");
    EXPECT_EQ(read.sources[s].referenceTime, "120000");
  }
  ASSERT_EQ(read.setups.size(), 2u);
  for (std::size_t a = 0; a < 2; ++a) {
    EXPECT_EQ(read.setups[a].number, static_cast<int>(a) + 1);
    EXPECT_EQ(read.setups[a].name, written.setups[a].name);
    ASSERT_EQ(read.setups[a].seeds.size(), written.setups[a].seeds.size());
    for (std::size_t n = 0; n < read.setups[a].seeds.size(); ++n) {
      const RtSeed& r = read.setups[a].seeds[n];
      const RtSeed& w = written.setups[a].seeds[n];
      EXPECT_LE((r.positionMm - w.positionMm).cwiseAbs().maxCoeff(), kPositionToleranceMm);
      ASSERT_EQ(r.direction.has_value(), w.direction.has_value()) << a << " " << n;
      if (w.direction) {
        EXPECT_LE((*r.direction - *w.direction).cwiseAbs().maxCoeff(), kDirectionTolerance);
      }
      EXPECT_EQ(r.sourceNumber, w.sourceNumber);
      EXPECT_EQ(r.channelNumber, static_cast<int>(n) + 1);
    }
  }
  ASSERT_EQ(read.doseReferences.size(), 2u);
  EXPECT_EQ(read.doseReferences[1].structureName, "GTV_Node");
  EXPECT_EQ(read.doseReferences[1].roiNumber, 5);
  EXPECT_EQ(read.doseReferences[1].prescriptionGy, 110.5);
  EXPECT_EQ(read.doseReferences[1].underdoseVolumePct, 10.0);
}

TEST(RtPlan, ChannelsAreFixedSeedsThatNeverLeaveAndCarryTheStandardsTypeTwoAttributes) {
  TempFolder folder;
  const CtImage ct = SmallCt();
  RtPlanWriter::Write(folder.File("rtplan.dcm"), TwoLesionPlan(), SmallCtHeader(ct));
  DcmFileFormat file;
  ASSERT_TRUE(file.loadFile(folder.File("rtplan.dcm").c_str()).good());
  DcmDataset& data = *file.getDataset();
  EXPECT_EQ(Text(data, DCM_Modality), "RTPLAN");
  EXPECT_EQ(Text(data, DCM_PatientName), "TEST^RT");
  EXPECT_TRUE(data.tagExists(DCM_OperatorsName));
  EXPECT_EQ(Text(data, DCM_RTPlanGeometry), "PATIENT");
  EXPECT_EQ(Text(data, DCM_FrameOfReferenceUID), ct.info.frameOfReferenceUid);
  DcmItem* setup = nullptr;
  ASSERT_TRUE(data.findAndGetSequenceItem(DCM_ApplicationSetupSequence, setup, 0).good());
  DcmItem* channel = nullptr;
  ASSERT_TRUE(setup->findAndGetSequenceItem(DCM_ChannelSequence, channel, 0).good());
  // τ = 59.4 d / ln 2 in seconds: a permanent seed's channel time.
  const double meanLifeSeconds = 59.4 * 86400.0 / std::log(2.0);
  EXPECT_NEAR(std::stod(Text(*channel, DCM_ChannelTotalTime)), meanLifeSeconds, 1e-6);
  EXPECT_EQ(Text(*channel, DCM_SourceMovementType), "FIXED");
  EXPECT_TRUE(channel->tagExists(DCM_ChannelLength));
  EXPECT_FALSE(channel->tagExistsWithValue(DCM_ChannelLength));
  EXPECT_TRUE(channel->tagExists(DCM_TransferTubeNumber));
  EXPECT_FALSE(channel->tagExistsWithValue(DCM_TransferTubeNumber));
  EXPECT_EQ(Text(*channel, DCM_NumberOfControlPoints), "2");
  DcmItem* last = nullptr;
  ASSERT_TRUE(channel->findAndGetSequenceItem(DCM_BrachyControlPointSequence, last, 1).good());
  EXPECT_EQ(Text(*last, DCM_CumulativeTimeWeight), "1");
  // Total Reference Air Kerma of the lung setup: 5 seeds x 0.762 U x τ (h), µGy at 1 m.
  EXPECT_NEAR(std::stod(Text(*setup, DCM_TotalReferenceAirKerma)),
              5 * 0.762 * meanLifeSeconds / 3600.0, 1e-6);
}

TEST(RtPlan, WriterRefusesAPlanItCannotWriteFaithfullyAndLeavesNoFile) {
  TempFolder folder;
  const CtImage ct = SmallCt();
  const auto refused = [&](const RtBrachyPlan& plan) {
    EXPECT_THROW(RtPlanWriter::Write(folder.File("rtplan.dcm"), plan, SmallCtHeader(ct)),
                 InvalidInput);
    EXPECT_FALSE(std::filesystem::exists(folder.File("rtplan.dcm")));
  };
  RtBrachyPlan plan = TwoLesionPlan();
  plan.setups.clear();
  refused(plan);
  plan = TwoLesionPlan();
  plan.sources[0].referenceAirKermaRateU = -0.5;
  refused(plan);
  plan = TwoLesionPlan();
  plan.sources[1].referenceDate = "2026-01-20";
  refused(plan);
  plan = TwoLesionPlan();
  plan.setups[0].seeds[0].sourceNumber = 9;
  refused(plan);
  plan = TwoLesionPlan();
  plan.setups[0].seeds[1].direction = Eigen::Vector3d::Zero();
  refused(plan);
  plan = TwoLesionPlan();
  plan.referencedStructureSetUid = "not.a.uid";
  refused(plan);
}

} // namespace
} // namespace seedplan::imaging
