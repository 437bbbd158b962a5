// Plans logged into the study record by `demo`, `plan` and `postplan` (issue 9), on the sample
// patient: the record holds the plan's own numbers, the plan file says where it was logged, the
// export holds nothing of the DICOM identity.

#include "SamplePatientFixture.h"
#include "seedplan/core/CsvTable.h"
#include "seedplan/core/Error.h"
#include "seedplan/planning/PlanXml.h"
#include "seedplan/study/FieldSpec.h"
#include "seedplan/study/Sha256.h"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace seedplan {
namespace {

using test::Result;
using test::Seedplan;

using Row = std::map<std::string, std::string>;

std::vector<Row> ReadRows(const std::filesystem::path& file) {
  const CsvTable csv = CsvTable::Read(file);
  std::vector<Row> rows;
  for (std::size_t r = 0; r < csv.RowCount(); ++r) {
    Row row;
    for (std::size_t c = 0; c < csv.Header().size(); ++c) {
      row[csv.Header()[c]] = csv.Row(r)[c];
    }
    rows.push_back(row);
  }
  return rows;
}

const dosimetry::DoseMetrics& MetricsOf(const planning::Plan& plan, const std::string& name) {
  for (const auto& entry : plan.metrics) {
    if (entry.structureName == name) {
      return entry.metrics;
    }
  }
  throw std::runtime_error("no metrics of " + name);
}

std::string ReadFile(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Cell(double value) {
  return study::FieldSpec::Format(value);
}

class StudyRecordPlanLog : public test::SamplePatientFixture {
protected:
  Result Run(const std::string& arguments) {
    Result result = Seedplan(arguments, m_Work);
    EXPECT_EQ(result.exitCode, 0) << arguments << "\n" << result.err;
    return result;
  }
  /// Every file of an export must be free of the sample patient's DICOM identity and paths.
  void ExpectNoIdentity(const std::filesystem::path& folder, const planning::Plan& plan) {
    std::vector<std::string> secrets = {"SP-PHANTOM-001",
                                        "PHANTOM",
                                        plan.ctStudyUid,
                                        plan.ctSeriesUid,
                                        plan.frameOfReferenceUid,
                                        m_Work.Path().string(),
                                        Patient().string(),
                                        ".xml",
                                        ".sqlite"};
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
      const CsvTable csv = CsvTable::Read(entry.path());
      std::string text;
      for (const auto& column : csv.Header()) {
        text += column + ",";
      }
      for (std::size_t r = 0; r < csv.RowCount(); ++r) {
        for (const auto& cell : csv.Row(r)) {
          text += cell + ",";
        }
      }
      for (const auto& secret : secrets) {
        ASSERT_FALSE(secret.empty());
        EXPECT_EQ(text.find(secret), std::string::npos) << entry.path() << " holds " << secret;
      }
    }
  }
};

TEST_F(StudyRecordPlanLog, DemoCreatesTheRecordAndLogsTheFourImplantsWithThePlansOwnNumbers) {
  const auto study = m_Work / "demo.sqlite";
  const auto out = m_Work / "demo";
  const Result demo = Run("demo --patient " + Patient().string() + " --out " + out.string() +
                          " --study " + study.string());
  EXPECT_NE(demo.out.find("created study record"), std::string::npos) << demo.out;
  EXPECT_NE(demo.out.find("logged 4 implant(s) of patient DEMO01"), std::string::npos) << demo.out;
  const planning::Plan plan = planning::PlanXml::Read(out / "plan.xml");
  EXPECT_EQ(plan.patientId, "DEMO01");
  EXPECT_EQ(plan.studyId, "SEEDPLAN-DEMO");
  ASSERT_TRUE(plan.studyLog);
  EXPECT_EQ(plan.studyLog->studyFile, std::filesystem::absolute(study).string());
  EXPECT_EQ(plan.studyLog->patientId, "DEMO01");
  ASSERT_EQ(plan.studyLog->lesions.size(), 4u);
  for (const auto& [target, lesion] : plan.studyLog->lesions) {
    EXPECT_EQ(target, lesion);
  }

  Run("study export --study " + study.string() + " --out " + (m_Work / "export").string());
  const auto lesions = ReadRows(m_Work / "export" / "lesions.csv");
  std::map<std::string, Row> lesionById;
  for (const auto& row : lesions) {
    lesionById[row.at("lesion_id")] = row;
  }
  ASSERT_EQ(lesionById.size(), 4u);
  EXPECT_EQ(lesionById["GTV_Lung"]["site"], "lung");
  EXPECT_EQ(lesionById["GTV_Lung"]["is_index"], "1");
  EXPECT_EQ(lesionById["GTV_Bone"]["site"], "bone");
  EXPECT_EQ(lesionById["GTV_Node"]["site"], "lymph_node");
  EXPECT_EQ(lesionById["GTV_Adrenal"]["site"], "adrenal");
  EXPECT_EQ(lesionById["GTV_Adrenal"]["is_index"], "0");

  const auto implants = ReadRows(m_Work / "export" / "implants.csv");
  ASSERT_EQ(implants.size(), 4u);
  for (const auto& row : implants) {
    const std::string& target = row.at("target_structure");
    const auto& m = MetricsOf(plan, target);
    // The plan's own numbers, to the last bit (the shortest text that reads back the same).
    EXPECT_EQ(row.at("d90_gy"), Cell(m.D90Gy)) << target;
    EXPECT_EQ(row.at("v100_pct"), Cell(m.V100Pct)) << target;
    EXPECT_EQ(row.at("volume_cc"), Cell(m.volumeCc)) << target;
    EXPECT_EQ(row.at("ci"), m.CI ? Cell(*m.CI) : "NA") << target;
    EXPECT_EQ(row.at("patient_id"), "DEMO01");
    EXPECT_EQ(row.at("lesion_id"), target);
    EXPECT_EQ(row.at("seed_model"), "6711");
    EXPECT_NEAR(std::stod(row.at("seed_activity_mci")), 0.6, 1e-12);
    std::size_t seeds = 0;
    for (const auto& seed : plan.seeds) {
      seeds += seed.needle.rfind(target + "-", 0) == 0;
    }
    EXPECT_EQ(row.at("n_seeds"), std::to_string(seeds)) << target;
    EXPECT_EQ(row.at("post_d90_gy"), "NA");
    EXPECT_EQ(row.at("plan_sha256"), study::Sha256::OfFile(out / "plan.xml"));
  }
  const auto patients = ReadRows(m_Work / "export" / "patients.csv");
  ASSERT_EQ(patients.size(), 1u);
  EXPECT_EQ(patients[0].at("group"), "PD1_I125");
  EXPECT_EQ(patients[0].at("lesion_site"), "lung");
  EXPECT_EQ(patients[0].at("d90_gy"), Cell(MetricsOf(plan, "GTV_Lung").D90Gy));
  EXPECT_EQ(patients[0].at("n_extrahepatic"), "4");
  const auto organs = ReadRows(m_Work / "export" / "organ_doses.csv");
  EXPECT_EQ(organs.size(), 4u * plan.limits.size());
  ExpectNoIdentity(m_Work / "export", plan);
}

class StudyRecordForwardPlan : public StudyRecordPlanLog {
protected:
  void SetUp() override {
    m_Study = (m_Work / "study.sqlite").string();
    Run("study init --study " + m_Study + " --id HCC --title T --groups PD1,PD1_I125");
    Run("study add-patient --study " + m_Study +
        " --patient S07 --group PD1_I125 --start-date 2022-01-10");
    Run("study add-lesion --study " + m_Study +
        " --patient S07 --lesion LUNG1 --site lung --index");
  }
  std::string PlanArguments(const std::string& out) const {
    return "plan --ct " + Path("ct") + " --structures " + Path("rtstruct.dcm") +
           " --target GTV_Lung:120 --oar Heart:D1cc:15 --activity-mci 0.55 --assay-date "
           "2022-01-05 --implant-date 2022-01-12 --seeds " +
           Path("sample_seeds.csv") + " --out " + out;
  }
  std::string m_Study;
};

TEST_F(StudyRecordForwardPlan, PlanAndPostplanFillPlannedAndPostImplantValuesSideBySide) {
  const auto planFile = m_Work / "forward.xml";
  const std::string before = study::Sha256::OfFile(m_Study);
  // A target without a lesion mapping is refused before any work, nothing written.
  const Result unmapped = Seedplan(
      PlanArguments(planFile.string()) + " --study " + m_Study + " --study-patient S07", m_Work);
  EXPECT_EQ(unmapped.exitCode, 1);
  EXPECT_NE(unmapped.err.find("plan target GTV_Lung has no lesion mapping"), std::string::npos)
      << unmapped.err;
  EXPECT_NE(unmapped.err.find("--lesion GTV_Lung=LESION_ID"), std::string::npos) << unmapped.err;
  EXPECT_FALSE(std::filesystem::exists(planFile));
  const Result conflict = Seedplan(PlanArguments(planFile.string()) + " --study " + m_Study +
                                       " --study-patient S07 --lesion GTV_Lung=LUNG1 --study-id X",
                                   m_Work);
  EXPECT_EQ(conflict.exitCode, 1);
  EXPECT_NE(conflict.err.find("--study-id X conflicts"), std::string::npos) << conflict.err;
  EXPECT_EQ(study::Sha256::OfFile(m_Study), before);

  Run(PlanArguments(planFile.string()) + " --study " + m_Study +
      " --study-patient S07 --lesion GTV_Lung=LUNG1 --seed-lot LOT-2201 --seeds-ordered 22");
  const planning::Plan plan = planning::PlanXml::Read(planFile);
  EXPECT_EQ(plan.patientId, "S07");
  EXPECT_EQ(plan.studyId, "HCC");
  const auto postFile = m_Work / "post.xml";
  const Result post = Run("postplan --plan " + planFile.string() + " --post-ct " + Path("post_ct") +
                          " --out " + postFile.string() + " --post-ct-date 2022-02-11");
  EXPECT_NE(post.out.find("logging to the study record the plan was logged to"), std::string::npos)
      << post.out;
  EXPECT_NE(post.out.find("(0 new, 1 updated, 0 unchanged, post-implant values)"),
            std::string::npos)
      << post.out;
  const planning::Plan evaluated = planning::PlanXml::Read(postFile);
  ASSERT_TRUE(evaluated.studyLog);
  EXPECT_EQ(evaluated.studyLog->lesions.at(0).second, "LUNG1");

  Run("study export --study " + m_Study + " --out " + (m_Work / "export").string());
  const auto implants = ReadRows(m_Work / "export" / "implants.csv");
  ASSERT_EQ(implants.size(), 1u);
  const Row& row = implants[0];
  EXPECT_EQ(row.at("lesion_id"), "LUNG1");
  EXPECT_EQ(row.at("target_structure"), "GTV_Lung");
  EXPECT_EQ(row.at("implant_date"), "2022-01-12");
  EXPECT_EQ(row.at("assay_date"), "2022-01-05");
  EXPECT_EQ(row.at("seed_lot"), "LOT-2201");
  EXPECT_EQ(row.at("seeds_ordered"), "22");
  EXPECT_EQ(row.at("d90_gy"), Cell(MetricsOf(plan, "GTV_Lung").D90Gy));
  EXPECT_EQ(row.at("post_d90_gy"), Cell(MetricsOf(evaluated, "GTV_Lung").D90Gy));
  EXPECT_EQ(row.at("post_v100_pct"), Cell(MetricsOf(evaluated, "GTV_Lung").V100Pct));
  EXPECT_EQ(row.at("post_ct_date"), "2022-02-11");
  EXPECT_EQ(row.at("days_to_post_ct"), "30");
  EXPECT_EQ(row.at("seeds_implanted"), "19");
  EXPECT_EQ(row.at("post_seeds_found"), "19");
  // 0.55 mCi at assay, decayed 7 days (T1/2 59.4 d): 0.55 * 2^(-7/59.4).
  EXPECT_NEAR(std::stod(row.at("seed_activity_mci")), 0.55 * std::exp2(-7.0 / 59.4), 1e-4);
  const auto organs = ReadRows(m_Work / "export" / "organ_doses.csv");
  ASSERT_EQ(organs.size(), 1u);
  EXPECT_EQ(organs[0].at("structure"), "Heart");
  EXPECT_EQ(organs[0].at("limit_gy"), "15");
  EXPECT_NE(organs[0].at("post_gy"), "NA");
  ExpectNoIdentity(m_Work / "export", plan);

  // The record never takes the CT's DICOM Patient ID as a study id.
  Run("study add-patient --study " + m_Study + " --patient SP-PHANTOM-001 --group PD1");
  Run("study add-lesion --study " + m_Study +
      " --patient SP-PHANTOM-001 --lesion GTV_Lung --site lung --index");
  const auto refusedFile = m_Work / "refused.xml";
  const Result refused = Seedplan(PlanArguments(refusedFile.string()) + " --study " + m_Study +
                                      " --study-patient SP-PHANTOM-001",
                                  m_Work);
  EXPECT_EQ(refused.exitCode, 1);
  EXPECT_NE(refused.err.find("is the CT's DICOM Patient ID"), std::string::npos) << refused.err;
  EXPECT_FALSE(std::filesystem::exists(refusedFile));
}

/// A plan file made in code (no planning needed): what `plan` would write, without <studyLog>.
planning::Plan SmallPlan() {
  planning::Plan plan;
  plan.patientId = "S07";
  plan.assayStrengthU = 0.7;
  plan.strengthAtImplantU = 0.7;
  plan.assayDate = "2022-01-12";
  plan.implantDate = "2022-01-12";
  plan.targets = {{"GTV_Lung", "lung", 120.0, 0.0}};
  return plan;
}

TEST(StudyRecordPlanFile, AStudyFileThatIsAPlanIsRefusedBeforeAnyWork) {
  test::TempFolder work;
  const auto planFile = work / "plan.xml";
  planning::PlanXml::Write(SmallPlan(), planFile);
  const std::string before = study::Sha256::OfFile(planFile);
  const auto out = work / "second.xml";
  const Result refused =
      Seedplan("plan --ct missing-ct --structures missing.dcm --target GTV_Lung:120 "
               "--activity-mci 0.5 --out " +
                   out.string() + " --study " + planFile.string() + " --study-patient S07",
               work);
  EXPECT_EQ(refused.exitCode, 1);
  EXPECT_EQ(std::count(refused.err.begin(), refused.err.end(), '\n'), 1) << refused.err;
  EXPECT_NE(refused.err.find("a seedplan plan file (XML), not a study record"), std::string::npos)
      << refused.err;
  EXPECT_EQ(study::Sha256::OfFile(planFile), before);
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST(StudyRecordPlanFile, TheStudyLogElementIsAdditiveOldPlansStillRead) {
  test::TempFolder work;
  const auto planFile = work / "plan.xml";
  planning::PlanXml::Write(SmallPlan(), planFile);
  planning::Plan plan = planning::PlanXml::Read(planFile);
  EXPECT_FALSE(plan.studyLog);
  EXPECT_EQ(ReadFile(planFile).find("studyLog"), std::string::npos);
  plan.studyLog = planning::StudyLogLink{"/records/s.sqlite", "HCC", "S07", {{"GTV_Lung", "L1"}}};
  const std::string text = planning::PlanXml::ToXml(plan);
  EXPECT_NE(text.find("<studyLog file=\"/records/s.sqlite\" studyId=\"HCC\" patient=\"S07\">"),
            std::string::npos)
      << text;
  const planning::Plan back = planning::PlanXml::FromXml(text, "x");
  ASSERT_TRUE(back.studyLog);
  EXPECT_EQ(back.studyLog->studyFile, "/records/s.sqlite");
  EXPECT_EQ(back.studyLog->studyId, "HCC");
  EXPECT_EQ(back.studyLog->patientId, "S07");
  EXPECT_EQ(back.studyLog->lesions, plan.studyLog->lesions);
  std::string broken = text;
  broken.replace(broken.find(" patient=\"S07\""), 14, "");
  EXPECT_THROW(planning::PlanXml::FromXml(broken, "x"), DataFormat);
}

} // namespace
} // namespace seedplan
