// End-to-end tests of the DICOM RT export (issue 10) on `seedplan demo`'s output: the three files
// validate with dicom3tools, read back with DCMTK and pydicom, import back to the plan's seeds,
// give dicompyler-core's D90 within 2 %, and compare-dose finds what was done to them.

#include "DicomRtTestSupport.h"
#include "seedplan/core/SeedsCsv.h"
#include "seedplan/imaging/DicomCtSeries.h"
#include "seedplan/imaging/RtDoseReader.h"
#include "seedplan/imaging/RtPlanReader.h"
#include "seedplan/imaging/RtStructureSetReader.h"
#include "seedplan/imaging/VolumeIo.h"
#include "seedplan/planning/PlanXml.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

namespace seedplan {
namespace {

namespace fs = std::filesystem;
using test::DemoOutput;
using test::ExpectRefused;
using test::Quote;
using test::Result;
using test::RunTool;
using test::Seedplan;
using test::TempFolder;

/// The requirement for the seed positions of a round trip.
constexpr double kSeedPositionToleranceMm = 0.01;
/// Control Point Orientation is FL; the seeds CSV keeps 8 significant digits.
constexpr double kDirectionTolerance = 1e-6;
/// The seeds CSV keeps 8 significant digits of a strength.
constexpr double kStrengthRelativeTolerance = 1e-7;
/// The requirement for dicompyler-core's D90 against seedplan's.
constexpr double kDicompylerD90Tolerance = 0.02;

std::size_t CountLines(const std::string& text, const std::string& start) {
  std::size_t count = 0;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    count += line.rfind(start, 0) == 0 ? 1 : 0;
  }
  return count;
}

std::string Lines(const std::string& text, const std::string& start) {
  std::string found;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind(start, 0) == 0) {
      found += line + "\n";
    }
  }
  return found;
}

std::vector<fs::path> DicomFiles(const fs::path& folder) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(folder)) {
    files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  return files;
}

std::string Join(const std::vector<fs::path>& files) {
  std::string text;
  for (const auto& file : files) {
    text += " " + Quote(file);
  }
  return text;
}

/// dciodvfy on every file and dcentvfy on them together: no Error line (warnings are printed).
void ExpectValid(const std::vector<fs::path>& files, const std::string& what) {
  std::string all;
  for (const auto& file : files) {
    const Result result = RunTool("dciodvfy " + Quote(file));
    ASSERT_NE(result.exitCode, 127) << "dciodvfy is not installed (dicom3tools)";
    all += result.out;
  }
  const Result entities = RunTool("dcentvfy" + Join(files));
  ASSERT_NE(entities.exitCode, 127) << "dcentvfy is not installed (dicom3tools)";
  std::cout << what << ": dciodvfy " << CountLines(all, "Error") << " errors, "
            << CountLines(all, "Warning") << " warnings; dcentvfy "
            << CountLines(entities.out, "Error") << " errors, "
            << CountLines(entities.out, "Warning") << " warnings\n";
  std::set<std::string> distinct;
  std::istringstream lines(Lines(all, "Warning") + Lines(entities.out, "Warning"));
  for (std::string line; std::getline(lines, line);) {
    distinct.insert(line);
  }
  for (const auto& line : distinct) {
    std::cout << "  " << line << "\n";
  }
  EXPECT_EQ(CountLines(all, "Error"), 0u) << Lines(all, "Error");
  EXPECT_EQ(CountLines(entities.out, "Error"), 0u) << entities.out;
}

std::string Text(DcmItem& item, const DcmTagKey& tag) {
  OFString value;
  item.findAndGetOFStringArray(tag, value);
  return value.c_str();
}

/// The number after `"key": ` following the object of target `name` in compare-dose's JSON.
std::optional<double> JsonMetric(const std::string& json, const std::string& name,
                                 const std::string& metric, const std::string& side) {
  const std::size_t target = json.find("\"name\": \"" + name + "\"");
  if (target == std::string::npos) {
    return std::nullopt;
  }
  const std::size_t object = json.find("\"" + metric + "\": {", target);
  const std::size_t value = json.find("\"" + side + "\": ", object);
  if (object == std::string::npos || value == std::string::npos) {
    return std::nullopt;
  }
  const char* start = json.c_str() + value + side.size() + 4;
  if (std::string(start, 4) == "null") {
    return std::nullopt;
  }
  return std::strtod(start, nullptr);
}

double JsonNumber(const std::string& json, const std::string& key) {
  const std::size_t at = json.find("\"" + key + "\": ");
  EXPECT_NE(at, std::string::npos) << key;
  return at == std::string::npos ? NAN : std::strtod(json.c_str() + at + key.size() + 4, nullptr);
}

class DicomRtDemo : public ::testing::Test {
protected:
  static const DemoOutput& Output() { return DemoOutput::Get(); }
  static planning::Plan DemoPlan() { return planning::PlanXml::Read(Output() / "plan.xml"); }
  TempFolder m_Work;
};

TEST_F(DicomRtDemo, DemoWritesTheThreeRtFilesBesideItsPlan) {
  for (const char* file : {"plan.xml", "dose.mha", "rtplan.dcm", "rtdose.dcm", "rtstruct.dcm"}) {
    EXPECT_TRUE(fs::exists(Output() / file)) << file;
  }
  EXPECT_NE(Output().DemoLog().find("rtplan.dcm"), std::string::npos) << Output().DemoLog();
}

TEST_F(DicomRtDemo, RtFilesAndTheCtTheyReferencePassDciodvfyAndDcentvfyWithoutErrors) {
  std::vector<fs::path> files = DicomFiles(Output().Patient() / "ct");
  for (const char* file : {"rtplan.dcm", "rtdose.dcm", "rtstruct.dcm"}) {
    files.push_back(Output() / file);
  }
  ExpectValid(files, "RT export + CT");
}

TEST_F(DicomRtDemo, SamplePatientsOwnCtAndStructureSetPassDciodvfyAndDcentvfyWithoutErrors) {
  std::vector<fs::path> files = DicomFiles(Output().Patient() / "ct");
  files.push_back(Output().Patient() / "rtstruct.dcm");
  ExpectValid(files, "sample CT + structure set");
  ExpectValid(DicomFiles(Output().Patient() / "post_ct"), "sample post-implant CT");
}

TEST_F(DicomRtDemo, EverySeedDoseDvhAndContourReadsBackWithDcmtk) {
  const planning::Plan plan = DemoPlan();
  const imaging::RtBrachyPlan rtPlan = imaging::RtPlanReader::Read(Output() / "rtplan.dcm");
  const imaging::RtDoseGrid rtDose = imaging::RtDoseReader::Read(Output() / "rtdose.dcm");
  DcmFileFormat structureFile;
  ASSERT_TRUE(structureFile.loadFile((Output() / "rtstruct.dcm").c_str()).good());
  DcmDataset& structures = *structureFile.getDataset();

  // Identity: the CT's study and frame of reference; the plan references the structure set, the
  // dose the plan and the structure set.
  EXPECT_EQ(rtPlan.frameOfReferenceUid, plan.frameOfReferenceUid);
  EXPECT_EQ(rtDose.frameOfReferenceUid, plan.frameOfReferenceUid);
  EXPECT_EQ(rtPlan.studyInstanceUid, plan.ctStudyUid);
  EXPECT_EQ(rtDose.studyInstanceUid, plan.ctStudyUid);
  EXPECT_EQ(Text(structures, DCM_StudyInstanceUID), plan.ctStudyUid);
  EXPECT_EQ(rtPlan.referencedStructureSetUid, Text(structures, DCM_SOPInstanceUID));
  EXPECT_EQ(rtDose.referencedPlanUid, rtPlan.sopInstanceUid);
  EXPECT_EQ(rtDose.referencedStructureSetUid, Text(structures, DCM_SOPInstanceUID));
  std::set<std::string> uids{rtPlan.sopInstanceUid, rtDose.sopInstanceUid,
                             Text(structures, DCM_SOPInstanceUID)};
  EXPECT_EQ(uids.size(), 3u);

  // Seeds: positions, orientations, strengths at the assay date, one setup per target.
  const std::vector<imaging::RtSeed> seeds = rtPlan.AllSeeds();
  ASSERT_EQ(seeds.size(), plan.seeds.size());
  ASSERT_EQ(rtPlan.setups.size(), plan.targets.size());
  std::map<std::string, double> rxOf;
  for (const auto& target : plan.targets) {
    rxOf[target.structureName] = target.prescriptionGy;
  }
  for (const auto& reference : rtPlan.doseReferences) {
    EXPECT_EQ(reference.prescriptionGy, rxOf[reference.structureName]) << reference.structureName;
  }
  double worstMm = 0.0;
  for (const Seed& seed : plan.seeds) {
    const auto match =
        std::min_element(seeds.begin(), seeds.end(), [&](const auto& a, const auto& b) {
          return (a.positionMm - seed.positionMm).norm() < (b.positionMm - seed.positionMm).norm();
        });
    worstMm = std::max(worstMm, (match->positionMm - seed.positionMm).norm());
    ASSERT_TRUE(match->direction.has_value());
    EXPECT_LE((*match->direction - *seed.direction).norm(), kDirectionTolerance);
    const imaging::RtSource& source = *rtPlan.FindSource(match->sourceNumber);
    EXPECT_NEAR(source.referenceAirKermaRateU,
                seed.strengthU * plan.assayStrengthU / plan.strengthAtImplantU, 1e-12);
    EXPECT_EQ(source.modelId, plan.seedModel);
    EXPECT_EQ(source.referenceDate, plan.assayDate.substr(0, 4) + plan.assayDate.substr(5, 2) +
                                        plan.assayDate.substr(8, 2));
    EXPECT_EQ(source.referenceTime, "120000");
  }
  std::cout << "seed positions: worst " << worstMm << " mm\n";
  EXPECT_LE(worstMm, kSeedPositionToleranceMm);

  // Dose: the demo's dose.mha (the evaluator's total dose on the CT grid) within half a step.
  const Volume<float> dose = imaging::ReadVolumeFloat(Output() / "dose.mha");
  ASSERT_TRUE(rtDose.dose.Geometry().SameAs(dose.Geometry(), 1e-4));
  double worstGy = 0.0;
  for (std::size_t n = 0; n < dose.Data().size(); ++n) {
    worstGy = std::max(worstGy, std::abs(double(rtDose.dose.Data()[n]) - double(dose.Data()[n])));
  }
  std::cout << "dose: Dose Grid Scaling " << rtDose.doseGridScaling << " Gy, worst difference "
            << worstGy << " Gy, " << rtDose.bitsAllocated << " bit\n";
  EXPECT_LE(worstGy, 0.5 * rtDose.doseGridScaling + 1e-6 * 2000.0); // + float rounding

  // DVHs: every structure, volumes and dose statistics those of the plan's metrics.
  const imaging::StructureSet contours =
      imaging::RtStructureSetReader::ReadContours(Output() / "rtstruct.dcm");
  std::map<int, std::string> nameOf;
  for (const auto& structure : contours.structures) {
    nameOf[structure.number] = structure.name;
  }
  ASSERT_EQ(rtDose.dvhs.size(), plan.metrics.size());
  for (const imaging::RtDvh& dvh : rtDose.dvhs) {
    const std::string name = nameOf[dvh.roiNumber];
    const auto entry = std::find_if(plan.metrics.begin(), plan.metrics.end(),
                                    [&](const auto& m) { return m.structureName == name; });
    ASSERT_NE(entry, plan.metrics.end()) << dvh.roiNumber;
    EXPECT_NEAR(dvh.volumes.front(), entry->metrics.volumeCc, 5e-6 * entry->metrics.volumeCc)
        << name;
    EXPECT_NEAR(*dvh.maximumGy, entry->metrics.DmaxGy, 1e-9 * entry->metrics.DmaxGy) << name;
    EXPECT_NEAR(*dvh.meanGy, entry->metrics.DmeanGy, 1e-9 * entry->metrics.DmeanGy) << name;
  }

  // Contours: copied from the input structure set, point for point.
  const imaging::StructureSet input =
      imaging::RtStructureSetReader::ReadContours(Output().Patient() / "rtstruct.dcm");
  for (const auto& original : input.structures) {
    const imaging::Structure* copy = contours.Find(original.name);
    ASSERT_NE(copy, nullptr) << original.name;
    ASSERT_EQ(copy->contours.size(), original.contours.size()) << original.name;
    for (std::size_t c = 0; c < copy->contours.size(); ++c) {
      EXPECT_EQ(copy->contours[c].pointsMm, original.contours[c].pointsMm) << original.name;
    }
  }
  // Needles: one open polyline ROI each.
  std::size_t needles = 0;
  DcmSequenceOfItems* observations = nullptr;
  ASSERT_TRUE(structures.findAndGetSequence(DCM_RTROIObservationsSequence, observations).good());
  for (unsigned long n = 0; n < observations->card(); ++n) {
    needles += Text(*observations->getItem(n), DCM_RTROIInterpretedType) == "BRACHY_CHANNEL";
  }
  EXPECT_EQ(needles, plan.needles.size());
}

TEST_F(DicomRtDemo, ImportingTheExportedPlanGivesThePlansSeedsBack) {
  const planning::Plan plan = DemoPlan();
  const fs::path csv = m_Work / "imported.csv";
  const Result result = Seedplan(
      "import-rtplan --rtplan " + Quote(Output() / "rtplan.dcm") + " --out " + Quote(csv), m_Work);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  std::cout << result.err;
  const auto rows = SeedsCsv::Read(csv);
  ASSERT_EQ(rows.size(), plan.seeds.size());
  double worstMm = 0.0;
  for (const Seed& seed : plan.seeds) {
    const auto match =
        std::min_element(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
          return (a.seed.positionMm - seed.positionMm).norm() <
                 (b.seed.positionMm - seed.positionMm).norm();
        });
    worstMm = std::max(worstMm, (match->seed.positionMm - seed.positionMm).norm());
    ASSERT_TRUE(match->seed.direction.has_value());
    EXPECT_LE((*match->seed.direction - *seed.direction).norm(), kDirectionTolerance);
    ASSERT_TRUE(match->strengthU.has_value());
    const double atAssay = seed.strengthU * plan.assayStrengthU / plan.strengthAtImplantU;
    EXPECT_NEAR(*match->strengthU, atAssay, kStrengthRelativeTolerance * atAssay);
    EXPECT_EQ(match->seed.model, plan.seedModel);
  }
  std::cout << "imported seeds: worst position " << worstMm << " mm\n";
  EXPECT_LE(worstMm, kSeedPositionToleranceMm);
}

TEST_F(DicomRtDemo, PydicomReadsTheThreeFilesWithValidation) {
  const Result result =
      RunTool(test::Python() + " " + Quote(test::Script("pydicom_read.py")) + " " +
              Quote(Output() / "rtplan.dcm") + " " + Quote(Output() / "rtdose.dcm") + " " +
              Quote(Output() / "rtstruct.dcm"));
  std::cout << result.out;
  EXPECT_EQ(result.exitCode, 0) << result.out;
}

TEST_F(DicomRtDemo, DicompylerD90IsWithinTwoPercentOfSeedplansForEveryTarget) {
  const planning::Plan plan = DemoPlan();
  std::string names;
  for (const auto& target : plan.targets) {
    names += " " + target.structureName;
  }
  const Result result =
      RunTool(test::Python() + " " + Quote(test::Script("dicompyler_dvh.py")) + " " +
              Quote(Output() / "rtstruct.dcm") + " " + Quote(Output() / "rtdose.dcm") + names);
  ASSERT_EQ(result.exitCode, 0) << result.out;
  std::istringstream lines(result.out);
  std::size_t checked = 0;
  for (std::string line; std::getline(lines, line);) {
    const auto first = line.find(',');
    const auto second = line.find(',', first + 1);
    if (first == std::string::npos || second == std::string::npos) {
      continue; // dicompyler-core's own messages
    }
    const std::string name = line.substr(0, first);
    const double volumeCc = std::stod(line.substr(first + 1, second - first - 1));
    const double d90 = std::stod(line.substr(second + 1));
    const auto entry = std::find_if(plan.metrics.begin(), plan.metrics.end(),
                                    [&](const auto& m) { return m.structureName == name; });
    ASSERT_NE(entry, plan.metrics.end()) << line;
    const double difference = d90 / entry->metrics.D90Gy - 1.0;
    std::cout << name << ": D90 dicompyler-core " << d90 << " Gy, seedplan " << entry->metrics.D90Gy
              << " Gy (" << 100.0 * difference << " %); volume " << volumeCc << " cc vs "
              << entry->metrics.volumeCc << " cc\n";
    EXPECT_LE(std::abs(difference), kDicompylerD90Tolerance) << name;
    ++checked;
  }
  EXPECT_EQ(checked, plan.targets.size()) << result.out;
}

class DicomRtCompareDose : public DicomRtDemo {
protected:
  Result Compare(const fs::path& rtDose) const {
    return Seedplan("compare-dose --json --rtdose " + Quote(rtDose) + " --plan " +
                        Quote(Output() / "plan.xml"),
                    m_Work);
  }
  static fs::path Foreign(const std::string& name) { return Output().Foreign() / name; }
};

TEST_F(DicomRtCompareDose, TheExportedDoseAgreesWithinItsStoragePrecision) {
  const Result result = Compare(Output() / "rtdose.dcm");
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const imaging::RtDoseGrid exported = imaging::RtDoseReader::Read(Output() / "rtdose.dcm");
  EXPECT_LE(JsonNumber(result.out, "max_abs_difference_Gy"), exported.doseGridScaling);
  EXPECT_DOUBLE_EQ(JsonNumber(result.out, "pass_rate_pct"), 100.0);
  for (const auto& target : DemoPlan().targets) {
    const auto d90 = JsonMetric(result.out, target.structureName, "D90_Gy", "difference");
    ASSERT_TRUE(d90.has_value()) << result.out.substr(0, 2000);
    // Every stored dose is within half a step of the computed one, so is every DVH sample.
    EXPECT_LE(std::abs(*d90), 0.5 * exported.doseGridScaling + 1e-6) << target.structureName;
  }
}

TEST_F(DicomRtCompareDose, AScaledDoseShowsItsScalingInEveryTargetsD90) {
  const Result result = Compare(Foreign("scaled.dcm"));
  ASSERT_EQ(result.exitCode, 0) << result.err;
  // D90 of a dose x 1.03 is 1.03 x D90: seedplan - RT Dose = -0.03/1.03 of the RT Dose's D90.
  for (const auto& target : DemoPlan().targets) {
    const auto foreign = JsonMetric(result.out, target.structureName, "D90_Gy", "rtdose");
    const auto difference = JsonMetric(result.out, target.structureName, "D90_Gy", "difference");
    ASSERT_TRUE(foreign && difference) << target.structureName;
    std::cout << target.structureName << ": D90 difference " << *difference / *foreign << "\n";
    EXPECT_NEAR(*difference / *foreign, -0.03 / 1.03, 1e-4) << target.structureName;
  }
  const double passRate = JsonNumber(result.out, "pass_rate_pct");
  std::cout << "gamma pass rate of a dose x 1.03: " << passRate << " %\n";
  EXPECT_LT(passRate, 100.0);
}

TEST_F(DicomRtCompareDose, ADoseResampledByAnotherWriterPassesTheGammaTest) {
  const Result result = Compare(Foreign("resampled.dcm"));
  ASSERT_EQ(result.exitCode, 0) << result.err;
  std::cout << result.out.substr(0, 1200) << "\n";
  const double passRate = JsonNumber(result.out, "pass_rate_pct");
  // Trilinear resampling of a 1/r² dose from 0.9 x 0.9 x 2.5 mm to 2 mm: the DTA of 2 mm covers
  // the interpolation error except within a few voxels of seeds (r_min excluded). Measured:
  // 99.999 %; D90 within 0.71 % (the resampling overestimates a convex dose by a few tenths of a
  // percent at the D90 level, ~1 cm from seeds); 99 % and 3 % leave room for other plans.
  EXPECT_GE(passRate, 99.0);
  for (const auto& target : DemoPlan().targets) {
    const auto foreign = JsonMetric(result.out, target.structureName, "D90_Gy", "rtdose");
    const auto difference = JsonMetric(result.out, target.structureName, "D90_Gy", "difference");
    ASSERT_TRUE(foreign && difference) << target.structureName;
    std::cout << target.structureName << ": D90 difference " << 100.0 * *difference / *foreign
              << " %\n";
    EXPECT_LE(std::abs(*difference / *foreign), 0.03) << target.structureName;
  }
}

TEST_F(DicomRtCompareDose, AnotherFrameOfReferenceAndRelativeDosesAreRefused) {
  const Result other = Compare(Foreign("other_frame.dcm"));
  ExpectRefused(other, {"Frame of Reference UID", "is not the plan's"}, m_Work / "none");
  const Result relative = Compare(Foreign("relative.dcm"));
  ExpectRefused(relative, {"Dose Units (3004,0002) is RELATIVE"}, m_Work / "none");
}

TEST_F(DicomRtDemo, ExportCommandWritesTheFilesAndRefusesToOverwriteThemWithoutForce) {
  const fs::path out = m_Work / "export";
  const Result written =
      Seedplan("export --plan " + Quote(Output() / "plan.xml") + " --out " + Quote(out), m_Work);
  ASSERT_EQ(written.exitCode, 0) << written.err;
  std::cout << written.out;
  for (const char* file : {"rtplan.dcm", "rtdose.dcm", "rtstruct.dcm"}) {
    EXPECT_TRUE(fs::exists(out / file)) << file;
  }
  EXPECT_EQ(DicomFiles(out).size(), 3u); // no staging folder or temporary file left
  const auto before = fs::last_write_time(out / "rtplan.dcm");
  const Result again =
      Seedplan("export --plan " + Quote(Output() / "plan.xml") + " --out " + Quote(out), m_Work);
  EXPECT_NE(again.exitCode, 0);
  EXPECT_EQ(std::count(again.err.begin(), again.err.end(), '\n'), 1) << again.err;
  EXPECT_NE(again.err.find("rtplan.dcm exists"), std::string::npos) << again.err;
  EXPECT_NE(again.err.find("--force"), std::string::npos) << again.err;
  EXPECT_EQ(fs::last_write_time(out / "rtplan.dcm"), before);
}

TEST_F(DicomRtDemo, APlanOnACtSeriesChangedSincePlanningIsRefused) {
  planning::Plan plan = DemoPlan();
  plan.ctSeriesUid = "1.2.826.0.1.3680043.9.7777.99.1";
  plan.frameOfReferenceUid = "1.2.826.0.1.3680043.9.7777.99.2";
  planning::PlanXml::Write(plan, m_Work / "changed.xml");
  const Result result = Seedplan(
      "export --plan " + Quote(m_Work / "changed.xml") + " --out " + Quote(m_Work / "out"), m_Work);
  ExpectRefused(result,
                {"changed.xml", "changed since planning", "1.2.826.0.1.3680043.9.7777.99.1"},
                m_Work / "out" / "rtplan.dcm");
  EXPECT_FALSE(fs::exists(m_Work / "out"));
}

// evaluate and edit compare the plan's Frame of Reference with its CT's; PlanningSession::Load
// stamps the CT's UID into the plan, so the check must use the UID the plan file carried.
TEST_F(DicomRtDemo, EvaluateAndEditRefuseAPlanOnAnotherFrameOfReference) {
  planning::Plan plan = DemoPlan();
  plan.frameOfReferenceUid = "1.2.826.0.1.3680043.9.7777.99.3";
  planning::PlanXml::Write(plan, m_Work / "other_frame.xml");
  const Result evaluate = Seedplan("evaluate --plan " + Quote(m_Work / "other_frame.xml"), m_Work);
  ExpectRefused(evaluate, {"other_frame.xml", "1.2.826.0.1.3680043.9.7777.99.3", "is not the CT's"},
                m_Work / "none");
  const Result edit = Seedplan("edit --plan " + Quote(m_Work / "other_frame.xml") +
                                   " --delete 0 --out " + Quote(m_Work / "edited.xml"),
                               m_Work);
  ExpectRefused(edit, {"1.2.826.0.1.3680043.9.7777.99.3", "is not the CT's"},
                m_Work / "edited.xml");
}

TEST_F(DicomRtDemo, APlanOnAVolumeCtIsRefusedForLackOfADicomFrameOfReference) {
  planning::Plan plan = DemoPlan();
  plan.ctPath = (m_Work / "ct.mha").string();
  plan.ctStudyUid.clear();
  plan.ctSeriesUid.clear();
  plan.frameOfReferenceUid.clear();
  planning::PlanXml::Write(plan, m_Work / "volume.xml");
  const Result result = Seedplan(
      "export --plan " + Quote(m_Work / "volume.xml") + " --out " + Quote(m_Work / "out"), m_Work);
  ExpectRefused(result, {"volume.xml", "no DICOM frame of reference"},
                m_Work / "out" / "rtplan.dcm");
  EXPECT_FALSE(fs::exists(m_Work / "out"));
}

TEST(DicomRtBadInput, ExistingRtFilesAreNotOverwrittenWithoutForce) {
  TempFolder work;
  fs::create_directories(work / "out");
  test::Write(work / "out" / "rtdose.dcm", "an earlier export");
  test::Write(work / "plan.xml", "<seedplanPlan/>");
  const Result result =
      Seedplan("export --plan " + Quote(work / "plan.xml") + " --out " + Quote(work / "out"), work);
  EXPECT_NE(result.exitCode, 0);
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_NE(result.err.find("rtdose.dcm exists"), std::string::npos) << result.err;
  std::ifstream kept(work / "out" / "rtdose.dcm");
  std::string text;
  std::getline(kept, text);
  EXPECT_EQ(text, "an earlier export");
  EXPECT_FALSE(fs::exists(work / "out" / "rtplan.dcm"));
}

} // namespace
} // namespace seedplan
