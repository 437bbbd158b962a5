#include "CohortText.h"

#include "seedplan/core/CsvTable.h"
#include "seedplan/core/Error.h"
#include "seedplan/study/CohortTable.h"

#include <gtest/gtest.h>

namespace seedplan::test {
namespace {

using study::CohortTable;

CohortTable Parse(const std::vector<Cells>& patients) {
  return CohortTable::FromCsv(CsvTable::Parse(CohortCsv(patients), "cohort.csv"));
}

/// The DataFormat message of parsing `patients`, or "" if it parses.
std::string Refusal(const std::vector<Cells>& patients) {
  try {
    Parse(patients);
  } catch (const DataFormat& error) {
    return error.what();
  }
  return "";
}

TEST(CohortTable, ReadsGroupsInFileOrderAndMissingCells) {
  auto a = DefaultPatient(1);
  a["group"] = "PD1_I125";
  a["d90_gy"] = "NA";
  auto b = DefaultPatient(2);
  const CohortTable cohort = Parse({a, b, DefaultPatient(3)});
  EXPECT_EQ(cohort.PatientCount(), 3u);
  ASSERT_EQ(cohort.Groups().size(), 2u);
  EXPECT_EQ(cohort.Groups()[0], "PD1_I125");
  EXPECT_TRUE(cohort.IsMissing(0, cohort.RequireColumn("d90_gy")));
  EXPECT_EQ(*cohort.Number(1, cohort.RequireColumn("os_months")), 6.0);
  EXPECT_EQ(*cohort.Date(0, cohort.RequireColumn("start_date")), 18262); // 2020-01-01
}

TEST(CohortTable, MissingRequiredColumnIsRefusedByName) {
  std::string text = CohortCsv({DefaultPatient(1)});
  text.replace(text.find("lpfs_event"), 10, "lpfs_evnt");
  try {
    CohortTable::FromCsv(CsvTable::Parse(text, "cohort.csv"));
    FAIL() << "accepted a cohort without lpfs_event";
  } catch (const DataFormat& error) {
    EXPECT_NE(std::string(error.what()).find("cohort.csv: column 'lpfs_event' is missing"),
              std::string::npos)
        << error.what();
  }
}

TEST(CohortTable, EventOtherThanZeroOrOneIsRefusedWithFileRowAndColumn) {
  auto bad = DefaultPatient(2);
  bad["os_event"] = "2";
  const std::string message = Refusal({DefaultPatient(1), bad});
  EXPECT_NE(message.find("cohort.csv: line 3 (patient P2), column os_event is '2'"),
            std::string::npos)
      << message;
}

TEST(CohortTable, NegativeOrNonNumericMonthsAreRefused) {
  auto negative = DefaultPatient(1);
  negative["pfs_months"] = "-1.5";
  EXPECT_NE(Refusal({negative}).find("column pfs_months is '-1.5'"), std::string::npos);
  auto text = DefaultPatient(1);
  text["os_months"] = "six";
  EXPECT_NE(Refusal({text}).find("column os_months is 'six'; expected a number of months"),
            std::string::npos);
}

TEST(CohortTable, NonIsoDateIsRefused) {
  auto slashes = DefaultPatient(1);
  slashes["pfs_date"] = "01/07/2020";
  EXPECT_NE(Refusal({slashes}).find("column pfs_date is '01/07/2020'; expected an ISO 8601"),
            std::string::npos);
  auto impossible = DefaultPatient(1);
  impossible["start_date"] = "2021-02-29";
  EXPECT_NE(Refusal({impossible}).find("column start_date is '2021-02-29'"), std::string::npos);
}

TEST(CohortTable, DuplicatePatientIdIsRefusedNamingBothRows) {
  const std::string message = Refusal({DefaultPatient(1), DefaultPatient(2), DefaultPatient(1)});
  EXPECT_NE(message.find("line 4, column patient_id is 'P1', already used at line 2"),
            std::string::npos)
      << message;
}

TEST(CohortTable, UnknownResponseCategoryIsRefused) {
  auto bad = DefaultPatient(1);
  bad["best_response"] = "iCR";
  EXPECT_NE(Refusal({bad}).find("column best_response is 'iCR'; expected CR, PR, SD, PD or NE"),
            std::string::npos);
}

TEST(CohortTable, UnreadableFileIsAnIoError) {
  EXPECT_THROW(CohortTable::Read("/nonexistent/cohort.csv"), Io);
}

TEST(CohortTable, InMemoryRowsAreLocatedByTheirLabels) {
  // As the study record will build it: rows located by patient, not by file line.
  std::vector<std::string> header = CohortTable::RequiredColumns();
  std::vector<std::string> row;
  const Cells cells = DefaultPatient(7);
  for (const auto& column : header) {
    row.push_back(column == "pfs_event" ? "yes" : cells.at(column));
  }
  try {
    CohortTable("study.sqlite", header, {row}, {"patient P7"});
    FAIL();
  } catch (const DataFormat& error) {
    EXPECT_NE(std::string(error.what()).find("study.sqlite: patient P7, column pfs_event is 'yes'"),
              std::string::npos)
        << error.what();
  }
}

} // namespace
} // namespace seedplan::test
