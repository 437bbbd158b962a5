// End-to-end tests of the study record's commands (issue 9): every command through the seedplan
// executable, bad input refused with one line and nothing written, real concurrent processes.

#include "RunSeedplan.h"
#include "seedplan/core/CsvTable.h"
#include "seedplan/study/FieldSpec.h"
#include "seedplan/study/IsoDate.h"
#include "seedplan/study/Sha256.h"

#include <gtest/gtest.h>

#include <map>

namespace seedplan {
namespace {

using test::Result;
using test::Seedplan;

std::string ReadText(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

class StudyRecordCommands : public ::testing::Test {
protected:
  void SetUp() override {
    Run("study init --study " + Study() +
        " --id HCC-PD1-I125 --title 'PD-1 with or without 125I seeds' --groups PD1,PD1_I125");
    Run("study add-patient --study " + Study() +
        " --patient P01 --group PD1_I125 --age 61 --sex F --bclc C --child-pugh A --ecog 1"
        " --afp 1234.5 --hbv yes --pd1-agent camrelizumab --start-date 2022-01-10");
    Run("study add-lesion --study " + Study() +
        " --patient P01 --lesion GTV_Lung --site lung --diameter-mm 31 --index");
    Run("study add-lesion --study " + Study() +
        " --patient P01 --lesion GTV_Node --site 'lymph node' --diameter-mm 18");
  }
  std::string Study() const { return (m_Work / "study.sqlite").string(); }
  Result Run(const std::string& arguments) {
    Result result = Seedplan(arguments, m_Work);
    EXPECT_EQ(result.exitCode, 0) << arguments << "\n" << result.err;
    return result;
  }
  /// Expects exactly one line on stderr with every fragment, exit code 1 and the record unchanged.
  void ExpectRefused(const std::string& arguments, const std::vector<std::string>& fragments) {
    const std::string before = study::Sha256::OfFile(Study());
    const Result result = Seedplan(arguments, m_Work);
    EXPECT_EQ(result.exitCode, 1) << arguments;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    for (const auto& fragment : fragments) {
      EXPECT_NE(result.err.find(fragment), std::string::npos)
          << arguments << "\nstderr: " << result.err << "expected: " << fragment;
    }
    EXPECT_EQ(study::Sha256::OfFile(Study()), before) << arguments;
    EXPECT_FALSE(std::filesystem::exists(Study() + "-wal")) << arguments;
  }
  std::map<std::string, std::string> PatientRow(const std::filesystem::path& folder,
                                                const std::string& patient) {
    const CsvTable csv = CsvTable::Read(folder / "patients.csv");
    for (std::size_t r = 0; r < csv.RowCount(); ++r) {
      if (csv.Row(r)[0] == patient) {
        std::map<std::string, std::string> row;
        for (std::size_t c = 0; c < csv.Header().size(); ++c) {
          row[csv.Header()[c]] = csv.Row(r)[c];
        }
        return row;
      }
    }
    return {};
  }

  test::TempFolder m_Work;
};

TEST_F(StudyRecordCommands, EntriesMadeOnTheCommandLineComeOutInTheExport) {
  Run("study add-followup --study " + Study() +
      " --patient P01 --date 2022-03-10 --vas 3 --response PR --lesion-response GTV_Lung:PR"
      " --lesion-response GTV_Node:SD --wbc 5.2 --platelets 180 --haemoglobin 121 --alt 35"
      " --albumin 38.5");
  Run("study add-event --study " + Study() +
      " --patient P01 --type local-progression --lesion GTV_Lung --date 2022-07-09");
  Run("study add-event --study " + Study() + " --patient P01 --type death --date 2023-01-10");
  Run("study add-ae --study " + Study() +
      " --patient P01 --term Pneumothorax --grade 2 --date 2022-01-12 --attribution procedure");
  const Result exported =
      Run("study export --study " + Study() + " --out " + (m_Work / "export").string());
  EXPECT_NE(exported.out.find("exported 1 patients"), std::string::npos) << exported.out;
  auto row = PatientRow(m_Work / "export", "P01");
  EXPECT_EQ(row["group"], "PD1_I125");
  EXPECT_EQ(row["afp_ng_ml"], "1234.5");
  EXPECT_EQ(row["child_pugh"], "A");
  EXPECT_EQ(row["lesion_site"], "lung");
  EXPECT_EQ(row["best_response"], "PR");
  EXPECT_EQ(row["lpfs_date"], "2022-07-09");
  EXPECT_EQ(row["lpfs_event"], "1");
  EXPECT_EQ(row["os_event"], "1");
  EXPECT_EQ(row["os_months"], study::FieldSpec::Format(365.0 / 30.4375));
  EXPECT_EQ(row["d90_gy"], "NA"); // no implant logged yet

  const Result shown = Run("study show --study " + Study() + " --patient P01");
  EXPECT_NE(shown.out.find("GTV_Node: site lymph_node"), std::string::npos) << shown.out;
  EXPECT_NE(shown.out.find("#1 local-progression 2022-07-09 lesion GTV_Lung"), std::string::npos)
      << shown.out;
  const Result json = Run("study show --study " + Study() + " --json");
  EXPECT_NE(json.out.find("\"integrity_check\": \"ok\""), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"patients\": 1"), std::string::npos) << json.out;
}

TEST_F(StudyRecordCommands, BadInputIsOneLineExitOneAndLeavesTheRecordUnchanged) {
  const std::string study = " --study " + Study();
  ExpectRefused("study add-followup" + study + " --patient P09 --date 2022-03-01",
                {"P09", "not a patient"});
  ExpectRefused("study add-followup" + study + " --patient P01 --date 2022-01-01",
                {"2022-01-01", "before start_date 2022-01-10"});
  ExpectRefused("study add-followup" + study + " --patient P01 --date 2022-03-01 --vas 11",
                {"--vas is '11'", "0 to 10"});
  ExpectRefused("study add-followup" + study + " --patient P01 --date 2022-03-01 --response NE",
                {"--response is 'NE'", "CR, PR, SD, PD"});
  ExpectRefused("study add-followup" + study +
                    " --patient P01 --date 2022-03-01 --lesion-response GTV_Bone:SD",
                {"GTV_Bone", "not a lesion of patient P01"});
  ExpectRefused("study add-ae" + study + " --patient P01 --term Pain --grade 6 --date 2022-02-01",
                {"--grade is '6'", "1 to 5"});
  ExpectRefused("study add-patient" + study + " --patient P02 --group I125",
                {"group 'I125'", "PD1, PD1_I125"});
  ExpectRefused("study add-patient" + study + " --patient P01 --group PD1",
                {"patient_id P01", "already in"});
  ExpectRefused("study add-lesion" + study + " --patient P01 --lesion L3 --site brain",
                {"--site is 'brain'", "lymph_node"});
  ExpectRefused("study add-lesion" + study + " --patient P01 --lesion GTV_Lung --site lung",
                {"lesion_id GTV_Lung", "already in"});
  Run("study add-event" + study + " --patient P01 --type progression --date 2022-05-01");
  ExpectRefused("study add-event" + study + " --patient P01 --type death --date 2022-04-01",
                {"progression on 2022-05-01", "after death on 2022-04-01"});
  ExpectRefused("study correct" + study + " --patient P01 --field ecog --value 7 --reason x",
                {"--value for ecog is '7'", "0 to 4"});

  // A study file that is a plan or a random file is refused and left as it was.
  const auto plan = m_Work / "plan.xml";
  test::Write(plan, "<?xml version=\"1.0\"?>\n<seedplanPlan schemaVersion=\"1\" kind=\"plan\"/>\n");
  const auto random = m_Work / "random.sqlite";
  test::Write(random, std::string(3000, '\x17'));
  for (const auto& file : {plan, random}) {
    const std::string before = study::Sha256::OfFile(file);
    const Result result = Seedplan(
        "study add-patient --study " + file.string() + " --patient P05 --group PD1", m_Work);
    EXPECT_EQ(result.exitCode, 1);
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
    EXPECT_NE(result.err.find("expected a seedplan study record"), std::string::npos) << result.err;
    EXPECT_EQ(study::Sha256::OfFile(file), before);
  }
  const Result exists =
      Seedplan("study init --study " + Study() + " --id X --title T --groups A", m_Work);
  EXPECT_EQ(exists.exitCode, 1);
  EXPECT_NE(exists.err.find("already exists"), std::string::npos) << exists.err;
}

TEST_F(StudyRecordCommands, HelpStatesTheUnitsOfEveryValue) {
  const Result help = Run("study add-followup --help");
  for (const char* unit : {"10^9/L", "g/L", "U/L", "umol/L", "0-10", "RECIST1.1|mRECIST"}) {
    EXPECT_NE(help.out.find(unit), std::string::npos) << unit << "\n" << help.out;
  }
  EXPECT_NE(Run("study add-patient --help").out.find("ng/mL"), std::string::npos);
}

TEST_F(StudyRecordCommands, CorrectionsDeletionsImportAndBackupGoThroughTheCommandLine) {
  Run("study correct --study " + Study() +
      " --patient P01 --field ecog --value 2 --reason 'source document' --user monitor");
  Run("study add-followup --study " + Study() + " --patient P01 --date 2022-02-01 --vas 5");
  Run("study correct --study " + Study() +
      " --patient P01 --followup 2022-02-01 --field vas --value 4 --reason 'misread'");
  const Result audit = Run("study show --study " + Study() + " --patient P01 --audit");
  EXPECT_NE(audit.out.find("monitor [study correct] correct patients P01 ecog: 1 -> 2 (reason: "
                           "source document)"),
            std::string::npos)
      << audit.out;
  EXPECT_NE(audit.out.find("vas: 5 -> 4 (reason: misread)"), std::string::npos) << audit.out;
  Run("study correct --study " + Study() +
      " --patient P01 --followup 2022-02-01 --delete --reason 'wrong patient'");

  const auto visits = m_Work / "visits.csv";
  test::Write(visits, "patient_id,date,vas,response,lesion_responses,wbc_1e9_l\n"
                      "P01,2022-03-01,2,PR,GTV_Lung:PR;GTV_Node:SD,4.5\n"
                      "P01,2022-04-01,1,PR,GTV_Lung:CR,\n");
  const Result imported =
      Run("study import --study " + Study() + " --table followups --csv " + visits.string());
  EXPECT_NE(imported.out.find("imported 2 followups rows"), std::string::npos) << imported.out;
  test::Write(visits, "patient_id,date,vas\nP01,2022-05-01,3\nP01,2022-06-01,x\n");
  ExpectRefused("study import --study " + Study() + " --table followups --csv " + visits.string(),
                {"visits.csv line 3 column vas", "'x'"});

  const auto copy = m_Work / "copy.sqlite";
  const Result backup = Run("study backup --study " + Study() + " --out " + copy.string());
  EXPECT_NE(backup.out.find("integrity_check ok"), std::string::npos);
  const Result shown = Run("study show --study " + copy.string() + " --json --patient P01");
  EXPECT_NE(shown.out.find("\"lesion_responses\": \"GTV_Lung:CR\""), std::string::npos)
      << shown.out;
  const Result again =
      Seedplan("study backup --study " + Study() + " --out " + copy.string(), m_Work);
  EXPECT_EQ(again.exitCode, 1);
}

TEST_F(StudyRecordCommands, EightSeedplanProcessesWritingAtOnceLoseNothing) {
  constexpr int kProcesses = 8;
  constexpr int kEach = 10; // the 8 x 100 run is in tests/study (fork, no executable start-up)
  std::string script;
  for (int p = 1; p <= kProcesses; ++p) {
    Run("study add-patient --study " + Study() + " --patient C" + std::to_string(p) +
        " --group PD1 --start-date 2020-01-01");
    script += "( for d in $(seq 10 " + std::to_string(9 + kEach) + "); do " +
              std::string(SEEDPLAN_EXECUTABLE) + " study add-followup --study " + Study() +
              " --patient C" + std::to_string(p) + " --date 2020-02-$d --vas 3 >/dev/null || " +
              "echo FAILED; done ) &\n";
  }
  script += "wait\n";
  test::Write(m_Work / "writers.sh", script);
  const Result result =
      test::Seedplan("--version && sh " + (m_Work / "writers.sh").string(), m_Work);
  EXPECT_EQ(result.out.find("FAILED"), std::string::npos) << result.out << result.err;
  const Result json = Run("study show --study " + Study() + " --json");
  EXPECT_NE(json.out.find("\"followups\": " + std::to_string(kProcesses * kEach)),
            std::string::npos)
      << json.out.substr(0, 600);
}

TEST_F(StudyRecordCommands, AnalyzeOfTheRecordEqualsAnalyzeOfItsExport) {
  // 40 patients from a small deterministic generator: both groups, baseline values, an index
  // lesion each, follow-ups with responses, progressions, deaths and last contacts.
  std::string patients = "patient_id,group,age,sex,child_pugh,ecog,afp_ng_ml,start_date\n";
  std::string lesions = "patient_id,lesion_id,site,is_index\n";
  std::string visits = "patient_id,date,vas,response,lesion_responses\n";
  std::string events = "patient_id,type,date,lesion_id\n";
  const char* responses[] = {"CR", "PR", "SD", "PD"};
  for (int i = 0; i < 40; ++i) {
    const std::string id = "A" + std::to_string(100 + i);
    const long start = study::IsoDate::Parse("2021-01-04", "d").DayNumber() + 7 * i;
    const auto date = [&](long days) {
      return study::IsoDate::FromDayNumber(start + days).ToString();
    };
    patients += id + "," + (i % 2 ? "PD1_I125" : "PD1") + "," + std::to_string(45 + i % 30) + "," +
                (i % 3 ? "M" : "F") + "," + (i % 4 ? "A" : "B") + "," + std::to_string(i % 3) +
                "," + std::to_string(5 + 37 * i) + "," + date(0) + "\n";
    lesions += id + ",L1," + (i % 5 ? "lung" : "bone") + ",1\n";
    visits += id + "," + date(60) + "," + std::to_string(i % 8) + "," + responses[i % 4] +
              ",L1:" + responses[(i + 1) % 4] + "\n";
    const long progression = 90 + 13 * (i % 17) + (i % 2 ? 60 : 0);
    if (i % 5 != 4) {
      events += id + ",local-progression," + date(progression) + ",L1\n";
    }
    if (i % 3 == 0) {
      events += id + ",death," + date(progression + 100 + 7 * (i % 11)) + ",\n";
    } else {
      events += id + ",last-contact," + date(progression + 150) + ",\n";
    }
  }
  const std::vector<std::pair<std::string, std::string>> files = {
      {"patients", patients}, {"lesions", lesions}, {"followups", visits}, {"events", events}};
  for (const auto& [table, text] : files) {
    const auto csv = m_Work / (table + ".csv");
    test::Write(csv, text);
    Run("study import --study " + Study() + " --table " + table + " --csv " + csv.string());
  }
  const auto out = m_Work / "export";
  Run("study export --study " + Study() + " --out " + out.string());
  const Result fromRecord =
      Run("study analyze --study " + Study() + " --out " + (m_Work / "from-record").string());
  EXPECT_NE(fromRecord.out.find("41 patients in 2 group(s)"), std::string::npos) << fromRecord.out;
  Run("study analyze --cohort " + (out / "patients.csv").string() + " --out " +
      (m_Work / "from-csv").string());
  for (const char* file : {"results.csv", "km_pfs.csv", "km_os.csv", "km_lpfs.csv"}) {
    const std::string a = ReadText(m_Work / "from-record" / file);
    EXPECT_FALSE(a.empty()) << file;
    EXPECT_EQ(a, ReadText(m_Work / "from-csv" / file)) << file;
  }
  const Result both = Seedplan("study analyze --study " + Study() + " --cohort " +
                                   (out / "patients.csv").string() + " --out x",
                               m_Work);
  EXPECT_NE(both.exitCode, 0);
}

} // namespace
} // namespace seedplan
