#include "../core/TempFolder.h"
#include "CohortText.h"

#include "seedplan/core/CsvTable.h"
#include "seedplan/core/Error.h"
#include "seedplan/study/AnalysisOutput.h"
#include "seedplan/study/NotAvailable.h"
#include "seedplan/study/OutcomeAnalysis.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace seedplan::test {
namespace {

using study::AnalysisOutput;

study::AnalysisResults SmallResults() {
  std::vector<Cells> patients;
  for (int i = 1; i <= 10; ++i) {
    Cells cells = DefaultPatient(i);
    cells["group"] = std::string(i % 2 ? "PD1" : "PD1_I125");
    cells["os_months"] = std::to_string(i * 1.1);
    cells["os_event"] = std::string(i % 3 ? "1" : "0");
    cells["pfs_event"] = "1";
    cells["pfs_months"] = std::to_string(i);
    patients.push_back(cells);
  }
  const auto cohort =
      study::CohortTable::FromCsv(CsvTable::Parse(CohortCsv(patients), "cohort.csv"));
  return study::OutcomeAnalysis::Run(cohort, study::AnalysisOptions{});
}

std::string ReadAll(const std::filesystem::path& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(AnalysisOutput, ResultsCsvHasTheIssuesColumnsNaAndTwelveDigits) {
  study::AnalysisResults results;
  results.rows.push_back(
      {"os", "km", "PD1, arm A", "", "median", 1.0 / 3.0, study::kNotAvailable, -0.0});
  const std::string text = AnalysisOutput::ResultsCsv(results);
  EXPECT_EQ(text, "endpoint,analysis,group,term,statistic,value,lower,upper\n"
                  "os,km,\"PD1, arm A\",,median,0.333333333333,NA,0\n");
}

TEST(AnalysisOutput, WritesResultsReportAndCurvesIntoANewFolder) {
  const TempFolder folder;
  const auto results = SmallResults();
  const auto out = folder / "run" / "results";
  AnalysisOutput::Write(results, out);
  for (const std::string name :
       {"results.csv", "report.txt", "km_pfs.csv", "km_os.csv", "km_lpfs.csv"}) {
    EXPECT_TRUE(std::filesystem::exists(out / name)) << name;
  }
  const auto table = CsvTable::Read(out / "results.csv");
  EXPECT_EQ(table.RowCount(), results.rows.size());
  const std::string results_csv = ReadAll(out / "results.csv");
  EXPECT_NE(results_csv.rfind("endpoint,analysis,group,term,statistic,value,lower,upper\n", 0),
            std::string::npos);
  const auto curve = CsvTable::Read(out / "km_pfs.csv");
  EXPECT_EQ(curve.Header(), (std::vector<std::string>{"group", "time", "surv", "lower", "upper",
                                                      "n_risk", "n_event", "n_censor"}));
  EXPECT_EQ(curve.Row(0)[1], "0");
  EXPECT_EQ(curve.Row(0)[2], "1");
  EXPECT_NE(ReadAll(out / "report.txt").find("Log-rank test"), std::string::npos);
  // Nothing else in the parent: the staging folder was renamed, not copied.
  int entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder / "run")) {
    (void)entry;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

TEST(AnalysisOutput, ExistingFolderHasItsFilesReplacedAndOthersKept) {
  const TempFolder folder;
  std::ofstream(folder / "notes.txt") << "mine";
  std::ofstream(folder / "results.csv") << "old";
  AnalysisOutput::Write(SmallResults(), folder.Path());
  EXPECT_EQ(ReadAll(folder / "notes.txt"), "mine");
  EXPECT_NE(ReadAll(folder / "results.csv"), "old");
}

TEST(AnalysisOutput, FailureLeavesNothingBehind) {
  const TempFolder folder;
  std::ofstream(folder / "file") << "x";
  // The output folder's parent is a file: nothing can be created there.
  EXPECT_THROW(AnalysisOutput::Write(SmallResults(), folder / "file" / "out"), Io);
  EXPECT_THROW(AnalysisOutput::Write(SmallResults(), folder / "file"), Io);
  int entries = 0;
  for (const auto& entry : std::filesystem::directory_iterator(folder.Path())) {
    (void)entry;
    ++entries;
  }
  EXPECT_EQ(entries, 1);
}

} // namespace
} // namespace seedplan::test
