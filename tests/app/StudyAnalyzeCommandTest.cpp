// End-to-end tests of `seedplan study analyze` (issue 8): the demo cohort out of the box, the
// options, the bad-input refusals (one line naming file, row and column; exit 1; no output) and
// the warnings that keep exit 0.

#include "RunSeedplan.h"
#include "seedplan/core/CsvTable.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace seedplan {
namespace {

using test::ExpectRefused;
using test::Result;
using test::Seedplan;
using test::TempFolder;

/// sample_data/cohort/patients.csv, found beside dosimetry/sources in the source tree.
std::filesystem::path DemoCohort() {
  return std::filesystem::path(SEEDPLAN_SOURCES_DIR).parent_path().parent_path() / "sample_data" /
         "cohort" / "patients.csv";
}

std::vector<std::vector<std::string>> DemoCells() {
  std::ifstream in(DemoCohort());
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) {
    std::vector<std::string> cells;
    std::stringstream stream(line);
    for (std::string cell; std::getline(stream, cell, ',');) {
      cells.push_back(cell);
    }
    if (!line.empty() && line.back() == ',') {
      cells.emplace_back();
    }
    rows.push_back(cells);
  }
  return rows;
}

/// The demo cohort with one cell changed: `row` 0 is the header, 1 the first patient.
std::string DemoWith(std::size_t row, const std::string& column, const std::string& value) {
  auto rows = DemoCells();
  const auto& header = rows.front();
  const auto position = std::find(header.begin(), header.end(), column) - header.begin();
  rows[row][static_cast<std::size_t>(position)] = value;
  std::string text;
  for (const auto& cells : rows) {
    for (std::size_t j = 0; j < cells.size(); ++j) {
      text += (j ? "," : "") + cells[j];
    }
    text += "\n";
  }
  return text;
}

TEST(StudyAnalyzeCommand, DemoCohortWritesResultsReportAndCurvesOutOfTheBox) {
  const TempFolder folder;
  const auto out = folder / "results";
  const Result result = Seedplan(
      "study analyze --cohort " + DemoCohort().string() + " --out " + out.string(), folder);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(result.err, "");
  for (const std::string name :
       {"results.csv", "report.txt", "km_pfs.csv", "km_os.csv", "km_lpfs.csv"}) {
    EXPECT_TRUE(std::filesystem::exists(out / name)) << name;
  }
  const CsvTable results = CsvTable::Read(out / "results.csv");
  EXPECT_EQ(results.Header(), (std::vector<std::string>{"endpoint", "analysis", "group", "term",
                                                        "statistic", "value", "lower", "upper"}));
  bool sawHazardRatio = false;
  for (std::size_t i = 0; i < results.RowCount(); ++i) {
    const auto& row = results.Row(i);
    if (row[0] == "os" && row[1] == "cox_efron" && row[3] == "groupPD1_I125" && row[4] == "hr") {
      sawHazardRatio = true;
      const double hr = std::stod(row[5]);
      EXPECT_GT(hr, 0.2);
      EXPECT_LT(hr, 1.0); // the demo's seed group has the lower hazard by construction
      EXPECT_LT(std::stod(row[6]), hr);
      EXPECT_GT(std::stod(row[7]), hr);
      EXPECT_GE(row[5].size(), 9u); // at least 8 significant digits
    }
  }
  EXPECT_TRUE(sawHazardRatio);
  std::ifstream report(out / "report.txt");
  std::ostringstream text;
  text << report.rdbuf();
  EXPECT_NE(text.str().find("Overall survival (OS)"), std::string::npos);
  EXPECT_NE(text.str().find("Fisher's exact test"), std::string::npos);
}

TEST(StudyAnalyzeCommand, OptionsChooseBandTiesAndCovariates) {
  const TempFolder folder;
  const auto out = folder / "results";
  const Result result =
      Seedplan("study analyze --cohort " + DemoCohort().string() + " --out " + out.string() +
                   " --ref PD1_I125 --times 3,9 --conf-type log-log --ties breslow"
                   " --covariates age,sex --from-dates",
               folder);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const CsvTable results = CsvTable::Read(out / "results.csv");
  bool sawTerm = false;
  bool sawTime = false;
  for (std::size_t i = 0; i < results.RowCount(); ++i) {
    const auto& row = results.Row(i);
    sawTerm |= row[1] == "cox_adjusted_breslow" && row[3] == "groupPD1" && row[4] == "hr";
    sawTerm |= row[1] == "cox_adjusted_breslow" && row[3] == "sexM";
    sawTime |= row[1] == "km_loglog" && row[4] == "surv_9";
  }
  EXPECT_TRUE(sawTerm);
  EXPECT_TRUE(sawTime);
}

TEST(StudyAnalyzeCommand, BadCohortsAreRefusedNamingFileRowAndColumnWithoutOutput) {
  struct Case {
    std::string name;
    std::string csv;
    std::vector<std::string> fragments;
  };
  const std::vector<Case> cases = {
      {"missing column", DemoWith(0, "os_event", "os_evnt"), {"column 'os_event' is missing"}},
      {"event 2",
       DemoWith(3, "pfs_event", "2"),
       {"line 4 (patient P003), column pfs_event", "'2'"}},
      {"negative months", DemoWith(5, "os_months", "-2"), {"line 6", "column os_months", "'-2'"}},
      {"text months", DemoWith(5, "lpfs_months", "n/a"), {"line 6", "column lpfs_months"}},
      {"non-ISO date", DemoWith(7, "os_date", "2021/03/04"), {"line 8", "column os_date", "ISO"}},
      {"duplicate id", DemoWith(9, "patient_id", "P001"), {"line 10", "already used at line 2"}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const TempFolder folder;
    const auto cohort = folder / "bad.csv";
    test::Write(cohort, c.csv);
    const auto out = folder / "results";
    const Result result =
        Seedplan("study analyze --cohort " + cohort.string() + " --out " + out.string(), folder);
    auto fragments = c.fragments;
    fragments.push_back(cohort.string());
    ExpectRefused(result, fragments, out);
    EXPECT_EQ(result.exitCode, 1);
  }
}

TEST(StudyAnalyzeCommand, UnknownCovariateAndUnreadableFileAreRefused) {
  const TempFolder folder;
  const auto out = folder / "results";
  Result result = Seedplan("study analyze --cohort " + DemoCohort().string() + " --out " +
                               out.string() + " --covariates age,tumour_volume",
                           folder);
  ExpectRefused(result, {"--covariates", "'tumour_volume'", "patients.csv"}, out);
  result = Seedplan("study analyze --cohort " + (folder / "absent.csv").string() + " --out " +
                        out.string(),
                    folder);
  ExpectRefused(result, {"absent.csv", "cannot open"}, out);
  EXPECT_EQ(result.exitCode, 1);
}

TEST(StudyAnalyzeCommand, OneGroupOnlyWarnsAndStillWritesTheCurves) {
  const TempFolder folder;
  auto rows = DemoCells();
  std::string text;
  const auto groupColumn = static_cast<std::size_t>(
      std::find(rows.front().begin(), rows.front().end(), "group") - rows.front().begin());
  for (const auto& cells : rows) {
    if (&cells != &rows.front() && cells[groupColumn] != "PD1") {
      continue;
    }
    for (std::size_t j = 0; j < cells.size(); ++j) {
      text += (j ? "," : "") + cells[j];
    }
    text += "\n";
  }
  test::Write(folder / "pd1.csv", text);
  const auto out = folder / "results";
  const Result result = Seedplan(
      "study analyze --cohort " + (folder / "pd1.csv").string() + " --out " + out.string(), folder);
  EXPECT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.err.find("only one group"), std::string::npos) << result.err;
  EXPECT_TRUE(std::filesystem::exists(out / "km_os.csv"));
}

} // namespace
} // namespace seedplan
