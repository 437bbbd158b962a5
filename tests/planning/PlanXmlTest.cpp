#include "seedplan/planning/PlanXml.h"

#include "../core/TempFolder.h"
#include "../core/WarningCapture.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/Log.h"
#include "seedplan/core/Version.h"
#include "seedplan/planning/CalendarDate.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <regex>
#include <sstream>
#include <vector>

namespace seedplan::planning {
namespace {

using test::WarningCapture;

constexpr double kIodine125HalfLifeDays = 59.4;
/// Decay results are one exp2() away from the exact value: a few ulps.
constexpr double kDecayRelativeTolerance = 1e-14;

// ---------------------------------------------------------------------------------------------
// Test data made in code

/// A plan with every field set, including values that only an exact number format keeps
/// (0.1, 1/3, a subnormal, a large power of ten) and text that XML must escape.
Plan FullPlan() {
  Plan plan;
  plan.kind = "plan";
  plan.patientId = "HCC-017";
  plan.studyId = "PD1-125I <pilot> & \"co\"";
  plan.ctPath = "/data/HCC-017/ct";
  plan.ctStudyUid = "1.2.826.0.1.3680043.8.498.1";
  plan.ctSeriesUid = "1.2.826.0.1.3680043.8.498.2";
  plan.frameOfReferenceUid = "1.2.826.0.1.3680043.8.498.3";
  plan.structuresPath = "/data/HCC-017/rtstruct.dcm";
  plan.targets = {{"GTV_lung_R", "lung", 120.0, 0.0}, {"GTV_T11", "bone", 110.0, 2.5}};
  plan.limits = {{"SpinalCord", "Dmax", 45.0}, {"Aorta", "D2cc", 1.0 / 3.0}};
  plan.seedModel = "6711";
  plan.assayStrengthU = 0.1 + 0.7;
  plan.assayDate = "2026-01-20";
  plan.implantDate = "2026-02-10";
  plan.strengthAtImplantU =
      CalendarDate::DecayedStrengthU(plan.assayStrengthU, CalendarDate(2026, 1, 20),
                                     CalendarDate(2026, 2, 10), kIodine125HalfLifeDays);
  plan.seedSpacingMm = 5.0;

  Needle needle;
  needle.id = "N1";
  needle.targetName = "GTV_lung_R";
  needle.entryMm = {-120.25, 33.1, -410.0000001};
  needle.tipMm = {-60.125, 20.2, -405.3};
  needle.depthMm = (needle.tipMm - needle.entryMm).norm();
  needle.tissuesCrossed = {"Skin", "Muscle", "Lung_R", "GTV_lung_R"};
  needle.passThroughLengthMm = 41.7;
  needle.pleuralCrossings = 1;
  Needle second = needle;
  second.id = "N2";
  second.targetName = "GTV_T11";
  second.entryMm = {10.0, 150.0, -380.0};
  second.tipMm = {12.0, 95.0, -381.5};
  second.depthMm = (second.tipMm - second.entryMm).norm();
  second.tissuesCrossed = {"Skin", "Muscle", "Pedicle_T11"};
  second.passThroughLengthMm = 0.0;
  second.pleuralCrossings = 0;
  plan.needles = {needle, second};

  for (int i = 0; i < 4; ++i) {
    Seed seed;
    const Needle& host = plan.needles[static_cast<std::size_t>(i / 2)];
    seed.positionMm = host.tipMm - host.Direction() * (5.0 * i + 0.1);
    seed.direction = host.Direction();
    seed.strengthU = plan.strengthAtImplantU;
    seed.model = "6711";
    seed.needle = host.id;
    plan.seeds.push_back(seed);
  }
  plan.seeds[3].positionMm.x() = std::numeric_limits<double>::denorm_min();
  plan.seeds[3].confidence = 0.875;

  StructureMetrics target;
  target.structureName = "GTV_lung_R";
  target.role = "target";
  target.rxGy = 120.0;
  target.metrics = {.prescriptionGy = 120.0,
                    .volumeCc = 4.18879,
                    .D90Gy = 131.2,
                    .D98Gy = 118.4,
                    .D100Gy = 97.03,
                    .DmeanGy = 188.8,
                    .DminGy = 97.03,
                    .DmaxGy = 1e300,
                    .V100Pct = 96.5,
                    .V150Pct = 52.25,
                    .V200Pct = 21.0,
                    .D2ccGy = 1.0 / 3.0,
                    .D1ccGy = 250.5,
                    .D0_1ccGy = 280.0,
                    .CI = 0.71,
                    .EI = 0.2,
                    .HI = 0.46};
  StructureMetrics organ;
  organ.structureName = "SpinalCord";
  organ.role = "organ at risk";
  organ.metrics.prescriptionGy = 120.0;
  organ.metrics.volumeCc = 0.8;
  organ.metrics.DmaxGy = 12.345678901234567;
  organ.metrics.D0_1ccGy = 9.75;
  plan.metrics = {target, organ};

  plan.engine.formalism = "2d";
  plan.engine.cutoffCm = 10.0;
  plan.engine.doseGridSpacingMm = 1.25;
  plan.engine.programVersion = "0.1.0";
  return plan;
}

/// A post-implant plan: detected seeds of unknown orientation, with confidences, no needles.
Plan PostImplantPlan() {
  Plan plan = FullPlan();
  plan.kind = "post-implant";
  plan.evaluatesPlan = "/data/HCC-017/plan.xml";
  plan.needles.clear();
  for (Seed& seed : plan.seeds) {
    seed.direction.reset();
    seed.needle.clear();
    seed.model.clear();
    seed.confidence = 0.5;
  }
  plan.engine.formalism = "auto";
  for (StructureMetrics& structure : plan.metrics) {
    structure.metrics.CI.reset();
    structure.metrics.EI.reset();
    structure.metrics.HI.reset();
  }
  return plan;
}

void ExpectSameMetrics(const dosimetry::DoseMetrics& a, const dosimetry::DoseMetrics& b) {
  EXPECT_EQ(a.prescriptionGy, b.prescriptionGy);
  EXPECT_EQ(a.volumeCc, b.volumeCc);
  EXPECT_EQ(a.D90Gy, b.D90Gy);
  EXPECT_EQ(a.D98Gy, b.D98Gy);
  EXPECT_EQ(a.D100Gy, b.D100Gy);
  EXPECT_EQ(a.DmeanGy, b.DmeanGy);
  EXPECT_EQ(a.DminGy, b.DminGy);
  EXPECT_EQ(a.DmaxGy, b.DmaxGy);
  EXPECT_EQ(a.V100Pct, b.V100Pct);
  EXPECT_EQ(a.V150Pct, b.V150Pct);
  EXPECT_EQ(a.V200Pct, b.V200Pct);
  EXPECT_EQ(a.D2ccGy, b.D2ccGy);
  EXPECT_EQ(a.D1ccGy, b.D1ccGy);
  EXPECT_EQ(a.D0_1ccGy, b.D0_1ccGy);
  EXPECT_EQ(a.CI, b.CI);
  EXPECT_EQ(a.EI, b.EI);
  EXPECT_EQ(a.HI, b.HI);
}

/// Every field, compared exactly (bit-identical numbers).
void ExpectSamePlan(const Plan& a, const Plan& b) {
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.evaluatesPlan, b.evaluatesPlan);
  EXPECT_EQ(a.patientId, b.patientId);
  EXPECT_EQ(a.studyId, b.studyId);
  EXPECT_EQ(a.ctPath, b.ctPath);
  EXPECT_EQ(a.ctStudyUid, b.ctStudyUid);
  EXPECT_EQ(a.ctSeriesUid, b.ctSeriesUid);
  EXPECT_EQ(a.frameOfReferenceUid, b.frameOfReferenceUid);
  EXPECT_EQ(a.structuresPath, b.structuresPath);
  ASSERT_EQ(a.targets.size(), b.targets.size());
  for (std::size_t i = 0; i < a.targets.size(); ++i) {
    EXPECT_EQ(a.targets[i].structureName, b.targets[i].structureName);
    EXPECT_EQ(a.targets[i].site, b.targets[i].site);
    EXPECT_EQ(a.targets[i].prescriptionGy, b.targets[i].prescriptionGy);
    EXPECT_EQ(a.targets[i].marginMm, b.targets[i].marginMm);
  }
  ASSERT_EQ(a.limits.size(), b.limits.size());
  for (std::size_t i = 0; i < a.limits.size(); ++i) {
    EXPECT_EQ(a.limits[i].structureName, b.limits[i].structureName);
    EXPECT_EQ(a.limits[i].metric, b.limits[i].metric);
    EXPECT_EQ(a.limits[i].limitGy, b.limits[i].limitGy);
  }
  EXPECT_EQ(a.seedModel, b.seedModel);
  EXPECT_EQ(a.assayStrengthU, b.assayStrengthU);
  EXPECT_EQ(a.assayDate, b.assayDate);
  EXPECT_EQ(a.implantDate, b.implantDate);
  EXPECT_EQ(a.strengthAtImplantU, b.strengthAtImplantU);
  EXPECT_EQ(a.seedSpacingMm, b.seedSpacingMm);
  ASSERT_EQ(a.needles.size(), b.needles.size());
  for (std::size_t i = 0; i < a.needles.size(); ++i) {
    EXPECT_EQ(a.needles[i].id, b.needles[i].id);
    EXPECT_EQ(a.needles[i].targetName, b.needles[i].targetName);
    EXPECT_EQ(a.needles[i].entryMm, b.needles[i].entryMm);
    EXPECT_EQ(a.needles[i].tipMm, b.needles[i].tipMm);
    EXPECT_EQ(a.needles[i].depthMm, b.needles[i].depthMm);
    EXPECT_EQ(a.needles[i].tissuesCrossed, b.needles[i].tissuesCrossed);
    EXPECT_EQ(a.needles[i].passThroughLengthMm, b.needles[i].passThroughLengthMm);
    EXPECT_EQ(a.needles[i].pleuralCrossings, b.needles[i].pleuralCrossings);
  }
  ASSERT_EQ(a.seeds.size(), b.seeds.size());
  for (std::size_t i = 0; i < a.seeds.size(); ++i) {
    EXPECT_EQ(a.seeds[i].positionMm, b.seeds[i].positionMm);
    EXPECT_EQ(a.seeds[i].direction, b.seeds[i].direction);
    EXPECT_EQ(a.seeds[i].strengthU, b.seeds[i].strengthU);
    EXPECT_EQ(a.seeds[i].model, b.seeds[i].model);
    EXPECT_EQ(a.seeds[i].needle, b.seeds[i].needle);
    EXPECT_EQ(a.seeds[i].confidence, b.seeds[i].confidence);
  }
  ASSERT_EQ(a.metrics.size(), b.metrics.size());
  for (std::size_t i = 0; i < a.metrics.size(); ++i) {
    EXPECT_EQ(a.metrics[i].structureName, b.metrics[i].structureName);
    EXPECT_EQ(a.metrics[i].role, b.metrics[i].role);
    EXPECT_EQ(a.metrics[i].rxGy, b.metrics[i].rxGy);
    ExpectSameMetrics(a.metrics[i].metrics, b.metrics[i].metrics);
  }
  EXPECT_EQ(a.engine.formalism, b.engine.formalism);
  EXPECT_EQ(a.engine.cutoffCm, b.engine.cutoffCm);
  EXPECT_EQ(a.engine.doseGridSpacingMm, b.engine.doseGridSpacingMm);
  EXPECT_EQ(a.engine.programVersion, b.engine.programVersion);
}

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void WriteText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::vector<std::string> FolderContent(const std::filesystem::path& folder) {
  std::vector<std::string> names;
  for (const auto& entry : std::filesystem::directory_iterator(folder)) {
    names.push_back(entry.path().filename().string());
  }
  return names;
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << "test setup: '" << from << "' not in the XML";
  if (at != std::string::npos) {
    text.replace(at, from.size(), to);
  }
  return text;
}

/// Parses `xml` as "bad-plan.xml" and returns the DataFormat message (empty if it was accepted).
std::string RefusalOf(const std::string& xml) {
  try {
    PlanXml::FromXml(xml, "bad-plan.xml");
  } catch (const DataFormat& error) {
    return error.what();
  }
  return "";
}

/// The file is refused with a one-line DataFormat naming the file and `mention` (the element).
void ExpectRefused(const std::string& xml, const std::string& mention) {
  const std::string message = RefusalOf(xml);
  ASSERT_FALSE(message.empty()) << "accepted a bad file; expected an error about " << mention;
  EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  EXPECT_EQ(message.rfind("bad-plan.xml: ", 0), 0u) << message;
  EXPECT_NE(message.find(mention), std::string::npos) << message;
}

// ---------------------------------------------------------------------------------------------
// Round trips

TEST(PlanXml, AFullPlanReadsBackWithEveryFieldIdentical) {
  const test::TempFolder folder;
  const Plan plan = FullPlan();
  PlanXml::Write(plan, folder / "plan.xml");
  ExpectSamePlan(PlanXml::Read(folder / "plan.xml"), plan);
}

TEST(PlanXml, APostImplantPlanReadsBackWithEveryFieldIdentical) {
  const test::TempFolder folder;
  const Plan plan = PostImplantPlan();
  PlanXml::Write(plan, folder / "post.xml");
  const Plan read = PlanXml::Read(folder / "post.xml");
  ExpectSamePlan(read, plan);
  EXPECT_EQ(read.kind, "post-implant");
  EXPECT_EQ(read.evaluatesPlan, "/data/HCC-017/plan.xml");
  EXPECT_FALSE(read.seeds.front().direction.has_value());
}

TEST(PlanXml, ADefaultPlanWithStrengthsReadsBackIdentical) {
  Plan plan;
  plan.assayStrengthU = 0.635;
  plan.strengthAtImplantU = 0.635;
  ExpectSamePlan(PlanXml::FromXml(PlanXml::ToXml(plan), "minimal.xml"), plan);
}

TEST(PlanXml, WritingTheReadPlanAgainGivesTheSameText) {
  const Plan plan = FullPlan();
  const std::string first = PlanXml::ToXml(plan);
  const std::string second = PlanXml::ToXml(PlanXml::FromXml(first, "plan.xml"));
  const std::regex created("<created utc=\"[^\"]*\"/>");
  EXPECT_EQ(std::regex_replace(first, created, ""), std::regex_replace(second, created, ""));
}

TEST(PlanXml, FileStatesRootSchemaVersionKindAndProvenance) {
  const std::string xml = PlanXml::ToXml(FullPlan());
  EXPECT_NE(xml.find("<seedplanPlan schemaVersion=\"1\" kind=\"plan\">"), std::string::npos);
  EXPECT_NE(xml.find("<program name=\"seedplan\" version=\"" SEEDPLAN_VERSION "\"/>"),
            std::string::npos);
  EXPECT_TRUE(std::regex_search(
      xml, std::regex("<created utc=\"\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}Z\"/>")))
      << xml;
  EXPECT_NE(xml.find("<engine sourceModel=\"6711\" formalism=\"2d\" cutoff_cm=\"10\" "
                     "doseGridSpacing_mm=\"1.25\" programVersion=\"0.1.0\"/>"),
            std::string::npos)
      << xml;
}

TEST(PlanXml, ImplantStrengthIsShownInMilliCurieWithTheModelsFactor) {
  Plan plan = FullPlan();
  plan.strengthAtImplantU = 1.27;
  const std::string xml = PlanXml::ToXml(plan);
  EXPECT_NE(xml.find("activityAtImplant_mCi=\"1\""), std::string::npos) << xml;
  EXPECT_NE(xml.find("strengthPerActivity_UPerMCi=\"1.27\""), std::string::npos) << xml;
}

TEST(PlanXml, UndefinedMetricsAreAbsentAttributesNeverZero) {
  const std::string xml = PlanXml::ToXml(FullPlan());
  const auto organ = xml.find("<structure name=\"SpinalCord\"");
  ASSERT_NE(organ, std::string::npos);
  const std::string element = xml.substr(organ, xml.find("/>", organ) - organ);
  EXPECT_EQ(element.find("rx_Gy"), std::string::npos) << element;
  EXPECT_EQ(element.find("D2cc_Gy"), std::string::npos) << element;
  EXPECT_EQ(element.find("CI="), std::string::npos) << element;
  EXPECT_NE(element.find("D0_1cc_Gy=\"9.75\""), std::string::npos) << element;
}

// ---------------------------------------------------------------------------------------------
// Refusals

TEST(PlanXml, RefusesTextThatIsNotXml) {
  ExpectRefused("this is not a plan", "XML");
  ExpectRefused("", "XML");
  ExpectRefused(PlanXml::ToXml(FullPlan()).substr(0, 400), "XML");
}

TEST(PlanXml, RefusesASourceModelFileOrAStudyRecord) {
  ExpectRefused("<seedplanSourceModel schemaVersion=\"1\"><id>6711</id></seedplanSourceModel>",
                "<seedplanSourceModel> (a seed source model file); expected <seedplanPlan>");
  ExpectRefused("<seedplanStudy schemaVersion=\"1\"/>", "<seedplanStudy> (a study record)");
}

TEST(PlanXml, RefusesANewerSchemaVersionSayingWhichVersionItReads) {
  const std::string xml = PlanXml::ToXml(FullPlan());
  ExpectRefused(Replace(xml, "schemaVersion=\"1\"", "schemaVersion=\"2\""),
                "schemaVersion is '2'; this seedplan (" SEEDPLAN_VERSION
                ") reads plan files of schema version 1 only");
  ExpectRefused(Replace(xml, "schemaVersion=\"1\"", "schemaVersion=\"0\""),
                "schemaVersion is '0'; expected 1");
  ExpectRefused(Replace(xml, " schemaVersion=\"1\"", ""), "schemaVersion is ''; expected 1");
}

TEST(PlanXml, RefusesAnUnknownKind) {
  ExpectRefused(Replace(PlanXml::ToXml(FullPlan()), "kind=\"plan\"", "kind=\"dose\""),
                "kind is 'dose'; expected plan or post-implant");
}

TEST(PlanXml, RefusesAMissingRequiredElement) {
  const std::string xml = PlanXml::ToXml(FullPlan());
  const auto begin = xml.find("<seeds>");
  const auto end = xml.find("</seeds>") + std::string("</seeds>").size();
  ExpectRefused(xml.substr(0, begin) + xml.substr(end),
                "element <seeds> is missing; expected it inside <seedplanPlan>");
  ExpectRefused(Replace(xml, "<implant ", "<implantation "), "element <implant> is missing");
  ExpectRefused(Replace(xml, "<engine ", "<motor "), "element <engine> is missing");
  ExpectRefused(Replace(xml, "<tip ", "<point "), "element <tip> is missing");
}

TEST(PlanXml, RefusesABadNumberNamingTheElementAndAttribute) {
  const std::string xml = PlanXml::ToXml(FullPlan());
  ExpectRefused(Replace(xml, "prescription_Gy=\"120\"", "prescription_Gy=\"120 Gy\""),
                "element <target> #1 attribute prescription_Gy is '120 Gy'; expected a finite "
                "number");
  ExpectRefused(Replace(xml, "seedSpacing_mm=\"5\"", "seedSpacing_mm=\"inf\""), "seedSpacing_mm");
  ExpectRefused(Replace(xml, "D90_Gy=\"131.2\"", "D90_Gy=\"null\""), "D90_Gy is 'null'");
  ExpectRefused(Replace(xml, "CI=\"0.71\"", "CI=\"\""), "CI is ''");
  ExpectRefused(Replace(xml, "pleuralCrossings=\"1\"", "pleuralCrossings=\"-1\""),
                "element <needle> #1 attribute pleuralCrossings is '-1'");
  ExpectRefused(Replace(xml, "assayDate=\"2026-01-20\"", "assayDate=\"2026-02-30\""),
                "element <implant> attribute assayDate is '2026-02-30'; expected a date "
                "YYYY-MM-DD");
  ExpectRefused(Replace(xml, "formalism=\"2d\"", "formalism=\"3d\""), "formalism is '3d'");
  ExpectRefused(Replace(xml, "metric=\"Dmax\"", "metric=\"D5cc\""), "metric is 'D5cc'");
}

TEST(PlanXml, RefusesASeedWithZeroOrPartlyGivenDirection) {
  Plan plan = FullPlan();
  plan.seeds = {plan.seeds.front()};
  plan.seeds.front().direction = Eigen::Vector3d(0.0, 0.0, 1.0);
  const std::string xml = PlanXml::ToXml(plan);
  ExpectRefused(Replace(xml, "dir_z=\"1\"", "dir_z=\"0\""),
                "element <seed> #1 has direction (0, 0, 0); expected a non-zero vector");
  ExpectRefused(Replace(xml, " dir_z=\"1\"", ""), "element <seed> #1 has only some of dir_x");
}

TEST(PlanXml, RefusesNonPositiveStrengths) {
  Plan plan = FullPlan();
  plan.seeds = {plan.seeds.front()};
  plan.seeds.front().strengthU = 0.5;
  plan.assayStrengthU = 0.75;
  plan.strengthAtImplantU = 0.5;
  const std::string xml = PlanXml::ToXml(plan);
  ExpectRefused(Replace(xml, "strength_U=\"0.5\"", "strength_U=\"0\""),
                "element <seed> #1 attribute strength_U is 0 U; expected an air-kerma strength "
                "greater than 0 U and at most 100 U");
  ExpectRefused(Replace(xml, "assayStrength_U=\"0.75\"", "assayStrength_U=\"-0.75\""),
                "element <implant> attribute assayStrength_U is -0.75");
  ExpectRefused(Replace(xml, "strengthAtImplant_U=\"0.5\"", "strengthAtImplant_U=\"0\""),
                "element <implant> attribute strengthAtImplant_U is 0");
}

TEST(PlanXml, RefusesAConfidenceOutsideZeroToOne) {
  ExpectRefused(Replace(PlanXml::ToXml(FullPlan()), "confidence=\"0.875\"", "confidence=\"1.5\""),
                "element <seed> #4 attribute confidence is 1.5; expected a value in [0, 1]");
}

TEST(PlanXml, RefusesNumbersBeyondTheirPhysicalBounds) {
  const std::string xml = PlanXml::ToXml(FullPlan());
  ExpectRefused(Replace(xml, "prescription_Gy=\"120\"", "prescription_Gy=\"0\""),
                "element <target> #1 attribute prescription_Gy is 0 Gy");
  ExpectRefused(Replace(xml, "prescription_Gy=\"120\"", "prescription_Gy=\"-120\""),
                "prescription_Gy is -120 Gy");
  ExpectRefused(Replace(xml, "limit_Gy=\"45\"", "limit_Gy=\"0\""),
                "element <limit> #1 attribute limit_Gy is 0 Gy");
  ExpectRefused(Replace(xml, "cutoff_cm=\"10\"", "cutoff_cm=\"1e308\""),
                "<engine> attribute cutoff_cm is 1e+308 cm");
  ExpectRefused(Replace(xml, "cutoff_cm=\"10\"", "cutoff_cm=\"5\""), "cutoff_cm is 5 cm");
  ExpectRefused(Replace(xml, "doseGridSpacing_mm=\"1.25\"", "doseGridSpacing_mm=\"1e-300\""),
                "doseGridSpacing_mm is 1e-300 mm");
  ExpectRefused(Replace(xml, "margin_mm=\"2.5\"", "margin_mm=\"-1\""), "margin_mm is -1 mm");
  ExpectRefused(Replace(xml, "x_mm=\"-120.25\"", "x_mm=\"1.8e19\""),
                "element <needle> #1 <entry> attribute x_mm is 1.8e+19 mm");
  Plan plan = FullPlan();
  plan.seeds = {plan.seeds.front()};
  plan.seeds.front().positionMm = {1.0, 2.0, 3.0};
  plan.seeds.front().strengthU = 0.5;
  const std::string one = PlanXml::ToXml(plan);
  ExpectRefused(Replace(one, "strength_U=\"0.5\"", "strength_U=\"1e308\""),
                "element <seed> #1 attribute strength_U is 1e+308 U");
  ExpectRefused(Replace(one, "x_mm=\"1\"", "x_mm=\"-1e5\""),
                "element <seed> #1 attribute x_mm is -100000 mm");
  ExpectRefused(Replace(one, "dir_x=", "dir_x=\"1e300\" old_dir_x="), "expected a non-zero vector");
}

TEST(PlanXml, RefusesATargetOrALimitGivenTwice) {
  const std::string xml = PlanXml::ToXml(FullPlan());
  ExpectRefused(Replace(xml, "structure=\"GTV_T11\"", "structure=\"GTV_lung_R\""),
                "element <target> #2 names structure 'GTV_lung_R' again");
  ExpectRefused(Replace(Replace(xml, "structure=\"Aorta\"", "structure=\"SpinalCord\""),
                        "metric=\"D2cc\"", "metric=\"Dmax\""),
                "element <limit> #2 repeats the Dmax limit of structure 'SpinalCord'");
}

TEST(PlanXml, RefusesASeedModelThatIsNotInTheLibrary) {
  const std::string xml = PlanXml::ToXml(FullPlan());
  ExpectRefused(Replace(xml, "sourceModel=\"6711\"", "sourceModel=\"XYZ\""),
                "<engine> attribute sourceModel is 'XYZ', which is not a seed model");
  ExpectRefused(Replace(xml, "model=\"6711\" needle=\"N1\"", "model=\"../6711\" needle=\"N1\""),
                "element <seed> #1 attribute model is '../6711'");
}

TEST(PlanXml, EchoesAHugeValueCutToEightyCharacters) {
  const std::string xml = PlanXml::ToXml(FullPlan());
  const std::string message = RefusalOf(Replace(
      xml, "prescription_Gy=\"120\"", "prescription_Gy=\"" + std::string(70000, '9') + "x\""));
  EXPECT_LT(message.size(), 300u) << message.substr(0, 300);
  EXPECT_NE(message.find("(70001 characters)"), std::string::npos) << message.substr(0, 300);
}

TEST(PlanXml, ReadRemembersTheFileItCameFrom) {
  test::TempFolder folder;
  const std::filesystem::path file = folder / "plan.xml";
  PlanXml::Write(FullPlan(), file);
  EXPECT_EQ(PlanXml::Read(file).sourceFile, file.string());
  EXPECT_EQ(PlanXml::FromXml(PlanXml::ToXml(FullPlan()), "x").sourceFile, "");
}

TEST(PlanXml, ReadingAMissingFileIsAnIoErrorNamingIt) {
  const test::TempFolder folder;
  try {
    PlanXml::Read(folder / "absent.xml");
    FAIL() << "read a file that does not exist";
  } catch (const Io& error) {
    EXPECT_NE(std::string(error.what()).find("absent.xml"), std::string::npos) << error.what();
  }
}

TEST(PlanXml, RefusesToWriteWhatItCouldNotReadBack) {
  Plan plan = FullPlan();
  plan.seeds.front().direction = Eigen::Vector3d::Zero();
  EXPECT_THROW(PlanXml::ToXml(plan), InvalidInput);
  plan = FullPlan();
  plan.seeds.front().strengthU = 0.0;
  EXPECT_THROW(PlanXml::ToXml(plan), InvalidInput);
  plan = FullPlan();
  plan.needles.front().tipMm.y() = std::nan("");
  EXPECT_THROW(PlanXml::ToXml(plan), InvalidInput);
  plan = FullPlan();
  plan.implantDate = "10.02.2026";
  EXPECT_THROW(PlanXml::ToXml(plan), InvalidInput);
  plan = FullPlan();
  plan.kind = "draft";
  EXPECT_THROW(PlanXml::ToXml(plan), InvalidInput);
}

// ---------------------------------------------------------------------------------------------
// Paths: relative to the working directory in the program, to the plan's folder in the file

/// `target` as a path relative to the working directory, as a user would type it.
std::string FromWorkingDirectory(const std::filesystem::path& target) {
  return target.lexically_relative(std::filesystem::current_path()).string();
}

TEST(PlanXml, RelativePathsAreStoredRelativeToThePlansFolderAndReadBackFromAnywhere) {
  const test::TempFolder folder;
  std::filesystem::create_directories(folder / "patient" / "ct");
  std::filesystem::create_directories(folder / "plans");
  Plan plan = FullPlan();
  plan.ctPath = FromWorkingDirectory(folder / "patient" / "ct");
  plan.structuresPath = FromWorkingDirectory(folder / "patient" / "rtstruct.dcm");
  plan.evaluatesPlan = FromWorkingDirectory(folder / "plans" / "planned.xml");
  ASSERT_FALSE(std::filesystem::path(plan.ctPath).is_absolute());

  const std::filesystem::path file = folder / "plans" / "plan.xml";
  PlanXml::Write(plan, file);
  const std::string text = ReadText(file);
  EXPECT_NE(text.find("<ct path=\"../patient/ct\""), std::string::npos) << text;
  EXPECT_NE(text.find("<structures path=\"../patient/rtstruct.dcm\""), std::string::npos);
  EXPECT_NE(text.find("<evaluates plan=\"planned.xml\""), std::string::npos);
  EXPECT_EQ(PlanXml::ToXml(plan, file), text) << "the study log hashes what Write writes";

  // Read from a file given by its absolute path: the paths come back naming the same places.
  const Plan read = PlanXml::Read(file);
  EXPECT_EQ(read.ctPath, (folder / "patient" / "ct").lexically_normal().string());
  EXPECT_EQ(read.structuresPath, (folder / "patient" / "rtstruct.dcm").lexically_normal().string());
  EXPECT_EQ(read.evaluatesPlan, (folder / "plans" / "planned.xml").lexically_normal().string());
  // Read from a file given relative to the working directory: the same places, relative again.
  const Plan readRelative = PlanXml::Read(FromWorkingDirectory(file));
  EXPECT_TRUE(std::filesystem::equivalent(readRelative.ctPath, folder / "patient" / "ct"))
      << readRelative.ctPath;
}

TEST(PlanXml, AbsolutePathsAreStoredAsTheyAre) {
  const test::TempFolder folder;
  const std::filesystem::path file = folder / "plan.xml";
  PlanXml::Write(FullPlan(), file);
  EXPECT_NE(ReadText(file).find("<ct path=\"/data/HCC-017/ct\""), std::string::npos);
  EXPECT_EQ(PlanXml::Read(file).ctPath, "/data/HCC-017/ct");
}

TEST(PlanXml, APlanWrittenWithPathsFromTheWorkingDirectoryStillFindsItsCt) {
  // Plans written before paths were stored relative to their folder hold the path as the user
  // typed it; where nothing of that name lies beside the plan, the working directory's is kept.
  // The plan sits deep enough that the typed path, read from its folder, names nothing.
  const test::TempFolder folder;
  const std::filesystem::path plans = folder / "a" / "b" / "c" / "d" / "e" / "plans";
  std::filesystem::create_directories(folder / "patient" / "ct");
  std::filesystem::create_directories(plans);
  Plan plan = FullPlan();
  plan.ctPath = FromWorkingDirectory(folder / "patient" / "ct");
  ASSERT_FALSE(std::filesystem::exists(plans / plan.ctPath));
  WriteText(plans / "old.xml", PlanXml::ToXml(plan));
  EXPECT_EQ(PlanXml::Read(plans / "old.xml").ctPath, plan.ctPath);
}

// ---------------------------------------------------------------------------------------------
// Atomic writing

TEST(PlanXml, WriteReplacesTheFileAndLeavesNoTemporaryFiles) {
  const test::TempFolder folder;
  PlanXml::Write(FullPlan(), folder / "plan.xml");
  PlanXml::Write(PostImplantPlan(), folder / "plan.xml");
  EXPECT_EQ(FolderContent(folder.Path()), std::vector<std::string>{"plan.xml"});
  EXPECT_EQ(PlanXml::Read(folder / "plan.xml").kind, "post-implant");
}

TEST(PlanXml, AFailedWriteLeavesTheOldFileIntactAndNoTemporaryFiles) {
  const test::TempFolder folder;
  const std::filesystem::path file = folder / "plan.xml";
  PlanXml::Write(FullPlan(), file);
  const std::string before = ReadText(file);

  Plan broken = FullPlan();
  broken.seeds.back().positionMm.z() = std::numeric_limits<double>::infinity();
  try {
    PlanXml::Write(broken, file);
    FAIL() << "wrote a plan with an infinite seed position";
  } catch (const InvalidInput& error) {
    EXPECT_NE(std::string(error.what()).find("plan.xml"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("<seed> #4 z_mm"), std::string::npos) << error.what();
  }
  EXPECT_EQ(ReadText(file), before);
  EXPECT_EQ(FolderContent(folder.Path()), std::vector<std::string>{"plan.xml"});
}

TEST(PlanXml, WritingIntoAMissingFolderIsAnIoErrorAndCreatesNothing) {
  const test::TempFolder folder;
  EXPECT_THROW(PlanXml::Write(FullPlan(), folder / "missing" / "plan.xml"), Io);
  EXPECT_TRUE(FolderContent(folder.Path()).empty());
}

TEST(PlanXml, WritingOverAFolderIsAnIoErrorAndKeepsTheFolder) {
  const test::TempFolder folder;
  std::filesystem::create_directory(folder / "plan.xml");
  WriteText(folder / "plan.xml" / "keep.txt", "keep");
  EXPECT_THROW(PlanXml::Write(FullPlan(), folder / "plan.xml"), Io);
  EXPECT_EQ(ReadText(folder / "plan.xml" / "keep.txt"), "keep");
}

// ---------------------------------------------------------------------------------------------
// CalendarDate

TEST(CalendarDate, ParsesAndFormatsAnIsoDate) {
  const CalendarDate date = CalendarDate::Parse("2026-02-10", "--implant-date");
  EXPECT_EQ(date.Year(), 2026);
  EXPECT_EQ(date.Month(), 2);
  EXPECT_EQ(date.Day(), 10);
  EXPECT_EQ(date.ToString(), "2026-02-10");
  EXPECT_EQ(CalendarDate(7, 3, 1).ToString(), "0007-03-01");
}

TEST(CalendarDate, AcceptsTheTwentyNinthOfFebruaryOnlyInLeapYears) {
  EXPECT_TRUE(CalendarDate::IsValid("2024-02-29"));
  EXPECT_TRUE(CalendarDate::IsValid("2000-02-29"));
  EXPECT_FALSE(CalendarDate::IsValid("2026-02-29"));
  EXPECT_FALSE(CalendarDate::IsValid("1900-02-29"));
  EXPECT_FALSE(CalendarDate::IsValid("2100-02-29"));
}

TEST(CalendarDate, KnowsTheLastDayOfEveryMonth) {
  const int lastDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  for (int month = 1; month <= 12; ++month) {
    EXPECT_EQ(CalendarDate::DaysInMonth(2026, month), lastDays[month - 1]) << month;
    EXPECT_NO_THROW(CalendarDate(2026, month, lastDays[month - 1]));
    EXPECT_THROW(CalendarDate(2026, month, lastDays[month - 1] + 1), InvalidInput);
  }
}

TEST(CalendarDate, RefusesInvalidDatesWithAOneLineMessageNamingContextAndValue) {
  try {
    CalendarDate::Parse("2026-02-30", "--assay-date");
    FAIL() << "accepted 30 February";
  } catch (const InvalidInput& error) {
    EXPECT_STREQ(error.what(), "--assay-date is '2026-02-30'; expected a date YYYY-MM-DD");
  }
  for (const char* text :
       {"", "2026-04-31", "2026-13-01", "2026-00-10", "2026-01-00", "2026-1-05", "26-01-05",
        "2026/01/05", " 2026-01-05", "2026-01-05 ", "2026-01-05T00:00", "0000-01-01", "2026-0a-05",
        "+026-01-05", "20260105"}) {
    EXPECT_THROW(CalendarDate::Parse(text, "--assay-date"), InvalidInput) << text;
  }
}

TEST(CalendarDate, CountsDaysAcrossMonthEndsYearEndsAndLeapDays) {
  const auto days = [](const char* from, const char* to) {
    return CalendarDate::DaysBetween(CalendarDate::Parse(from, "from"),
                                     CalendarDate::Parse(to, "to"));
  };
  EXPECT_EQ(days("1970-01-01", "1970-01-01"), 0);
  EXPECT_EQ(days("2026-01-31", "2026-02-01"), 1);
  EXPECT_EQ(days("2026-02-28", "2026-03-01"), 1);
  EXPECT_EQ(days("2024-02-28", "2024-03-01"), 2);
  EXPECT_EQ(days("2025-12-31", "2026-01-01"), 1);
  EXPECT_EQ(days("2024-01-01", "2025-01-01"), 366);
  EXPECT_EQ(days("2025-01-01", "2026-01-01"), 365);
  EXPECT_EQ(days("1900-01-01", "2000-01-01"), 36524);
  EXPECT_EQ(days("2000-01-01", "2100-01-01"), 36525);
  EXPECT_EQ(days("2026-03-01", "2026-02-01"), -28);
  EXPECT_EQ(CalendarDate(2000, 1, 1).DayNumber(), 10957);
  EXPECT_EQ(CalendarDate(1969, 12, 31).DayNumber(), -1);
}

TEST(CalendarDate, DayNumbersAndDatesConvertBothWaysEveryDayFor400Years) {
  CalendarDate date(1900, 1, 1);
  const std::int64_t first = date.DayNumber();
  for (std::int64_t n = first; n < first + 146097; ++n) {
    ASSERT_EQ(date.DayNumber(), n) << date.ToString();
    ASSERT_EQ(CalendarDate::FromDayNumber(n), date) << date.ToString();
    ASSERT_EQ(CalendarDate::Parse(date.ToString(), "date"), date);
    const CalendarDate next = date.AddDays(1);
    ASSERT_LT(date, next);
    date = next;
  }
  EXPECT_EQ(date, CalendarDate(2300, 1, 1));
}

// ---------------------------------------------------------------------------------------------
// Decay from the assay to the implant date

TEST(CalendarDate, OneHalfLifeOf59Point4DaysHalvesTheStrength) {
  EXPECT_NEAR(CalendarDate::DecayedStrengthU(0.8, 59.4, kIodine125HalfLifeDays), 0.4,
              0.4 * kDecayRelativeTolerance);
  EXPECT_NEAR(CalendarDate::DecayedStrengthU(0.8, 2.0 * 59.4, kIodine125HalfLifeDays), 0.2,
              0.2 * kDecayRelativeTolerance);
}

TEST(CalendarDate, ZeroDaysKeepTheStrength) {
  const CalendarDate day(2026, 2, 10);
  EXPECT_EQ(CalendarDate::DecayedStrengthU(0.635, day, day, kIodine125HalfLifeDays), 0.635);
}

TEST(CalendarDate, DecayBetweenDatesCountsCalendarDays) {
  // 2024-01-01 to 2024-03-01 is 60 days in a leap year: with T½ = 60 d exactly one half-life.
  const double strengthU =
      CalendarDate::DecayedStrengthU(0.8, CalendarDate(2024, 1, 1), CalendarDate(2024, 3, 1), 60.0);
  EXPECT_NEAR(strengthU, 0.4, 0.4 * kDecayRelativeTolerance);
  const double expectedU = 0.8 * std::exp2(-21.0 / kIodine125HalfLifeDays);
  EXPECT_NEAR(CalendarDate::DecayedStrengthU(0.8, CalendarDate(2026, 1, 20),
                                             CalendarDate(2026, 2, 10), kIodine125HalfLifeDays),
              expectedU, expectedU * kDecayRelativeTolerance);
}

TEST(CalendarDate, AnImplantBeforeTheAssayDateHasAHigherStrengthWithoutWarning) {
  const WarningCapture capture;
  const double strengthU = CalendarDate::DecayedStrengthU(
      0.5, CalendarDate(2026, 3, 31), CalendarDate(2026, 1, 31), kIodine125HalfLifeDays);
  EXPECT_GT(strengthU, 0.5);
  EXPECT_NEAR(strengthU, 0.5 * std::exp2(59.0 / kIodine125HalfLifeDays),
              strengthU * kDecayRelativeTolerance);
  EXPECT_TRUE(capture.Lines().empty());
}

TEST(CalendarDate, DatesMoreThanAYearApartEitherWayGiveAWarning) {
  const WarningCapture capture;
  CalendarDate::DecayedStrengthU(0.5, CalendarDate(2024, 1, 1), CalendarDate(2025, 1, 1),
                                 kIodine125HalfLifeDays);
  EXPECT_TRUE(capture.Lines().empty()) << "exactly one year is not more than a year";
  CalendarDate::DecayedStrengthU(0.5, CalendarDate(2024, 1, 1), CalendarDate(2025, 1, 2),
                                 kIodine125HalfLifeDays);
  CalendarDate::DecayedStrengthU(0.5, CalendarDate(2026, 6, 1), CalendarDate(2025, 5, 31),
                                 kIodine125HalfLifeDays);
  ASSERT_EQ(capture.Lines().size(), 2u);
  EXPECT_NE(capture.Lines()[0].find("367 days after the assay date 2024-01-01"), std::string::npos)
      << capture.Lines()[0];
  EXPECT_NE(capture.Lines()[1].find("366 days before the assay date 2026-06-01"), std::string::npos)
      << capture.Lines()[1];
}

TEST(CalendarDate, DecayRefusesNonPositiveStrengthOrHalfLife) {
  const CalendarDate day(2026, 2, 10);
  EXPECT_THROW(CalendarDate::DecayedStrengthU(0.0, day, day, kIodine125HalfLifeDays), InvalidInput);
  EXPECT_THROW(CalendarDate::DecayedStrengthU(-0.5, day, day, kIodine125HalfLifeDays),
               InvalidInput);
  EXPECT_THROW(CalendarDate::DecayedStrengthU(0.5, day, day, 0.0), InvalidInput);
  EXPECT_THROW(CalendarDate::DecayedStrengthU(0.5, 1.0, std::nan("")), InvalidInput);
}

} // namespace
} // namespace seedplan::planning
