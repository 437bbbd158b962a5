#include "seedplan/study/CohortTable.h"

#include "seedplan/core/CsvTable.h"
#include "seedplan/core/Error.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <map>
#include <set>

namespace seedplan::study {

namespace {

const std::vector<std::string> kRequiredColumns = {"patient_id",
                                                   "group",
                                                   "age",
                                                   "sex",
                                                   "child_pugh",
                                                   "ecog",
                                                   "afp_ng_ml",
                                                   "lesion_site",
                                                   "n_extrahepatic",
                                                   "pd1_agent",
                                                   "seed_activity_mci",
                                                   "n_seeds",
                                                   "prescribed_dose_gy",
                                                   "d90_gy",
                                                   "v100_pct",
                                                   "best_response",
                                                   "start_date",
                                                   "pfs_date",
                                                   "pfs_event",
                                                   "os_date",
                                                   "os_event",
                                                   "lpfs_date",
                                                   "lpfs_event",
                                                   "pfs_months",
                                                   "os_months",
                                                   "lpfs_months"};

const std::vector<std::string> kEventColumns = {"pfs_event", "os_event", "lpfs_event"};
const std::vector<std::string> kMonthColumns = {"pfs_months", "os_months", "lpfs_months"};
const std::vector<std::string> kDateColumns = {"start_date", "pfs_date", "os_date", "lpfs_date"};
const std::vector<std::string> kResponseColumns = {"best_response", "local_response"};
const std::vector<std::string> kVasColumns = {"vas_baseline", "vas_followup"};
const std::set<std::string> kResponses = {"CR", "PR", "SD", "PD", "NE"};

std::string Trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

/// Strict YYYY-MM-DD (a real calendar date) to days since 1970-01-01.
std::optional<long> ParseIsoDate(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return std::nullopt;
  }
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (text[i] < '0' || text[i] > '9') {
      return std::nullopt;
    }
  }
  const int year = std::atoi(text.substr(0, 4).c_str());
  const unsigned month = static_cast<unsigned>(std::atoi(text.substr(5, 2).c_str()));
  const unsigned day = static_cast<unsigned>(std::atoi(text.substr(8, 2).c_str()));
  const std::chrono::year_month_day date{std::chrono::year{year}, std::chrono::month{month},
                                         std::chrono::day{day}};
  if (!date.ok()) {
    return std::nullopt;
  }
  return static_cast<long>(std::chrono::sys_days(date).time_since_epoch().count());
}

} // namespace

const std::vector<std::string>& CohortTable::RequiredColumns() {
  return kRequiredColumns;
}

CohortTable CohortTable::Read(const std::filesystem::path& path) {
  return FromCsv(CsvTable::Read(path));
}

CohortTable CohortTable::FromCsv(const CsvTable& csv) {
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> locations;
  rows.reserve(csv.RowCount());
  for (std::size_t row = 0; row < csv.RowCount(); ++row) {
    rows.push_back(csv.Row(row));
    locations.push_back("line " + std::to_string(csv.LineOf(row)));
  }
  return CohortTable(csv.SourceName(), csv.Header(), std::move(rows), std::move(locations));
}

CohortTable::CohortTable(std::string sourceName, std::vector<std::string> header,
                         std::vector<std::vector<std::string>> rows,
                         std::vector<std::string> rowLocations)
    : m_SourceName(std::move(sourceName)), m_Header(std::move(header)), m_Rows(std::move(rows)),
      m_RowLocations(std::move(rowLocations)) {
  if (m_RowLocations.empty()) {
    for (std::size_t row = 0; row < m_Rows.size(); ++row) {
      m_RowLocations.push_back("row " + std::to_string(row + 1));
    }
  }
  if (m_RowLocations.size() != m_Rows.size()) {
    throw InvalidInput(m_SourceName + ": " + std::to_string(m_Rows.size()) + " rows but " +
                       std::to_string(m_RowLocations.size()) +
                       " row locations; expected one location per row");
  }
  for (auto& name : m_Header) {
    name = Trim(name);
  }
  for (std::size_t row = 0; row < m_Rows.size(); ++row) {
    if (m_Rows[row].size() != m_Header.size()) {
      throw DataFormat(m_SourceName + ": " + m_RowLocations[row] + " has " +
                       std::to_string(m_Rows[row].size()) + " fields; expected " +
                       std::to_string(m_Header.size()) + " as in the header");
    }
    for (auto& cell : m_Rows[row]) {
      cell = Trim(cell);
      if (cell == "NA") {
        cell.clear();
      }
    }
  }
  Check();
}

void CohortTable::Check() {
  std::set<std::string> seen;
  for (const auto& name : m_Header) {
    if (!seen.insert(name).second) {
      throw DataFormat(m_SourceName + ": column '" + name +
                       "' appears twice in the header; expected unique column names");
    }
  }
  for (const auto& name : kRequiredColumns) {
    if (!Column(name)) {
      throw DataFormat(m_SourceName + ": column '" + name +
                       "' is missing from the header; expected all " +
                       std::to_string(kRequiredColumns.size()) +
                       " cohort columns (README.md, Outcome analyses)");
    }
  }
  if (m_Rows.empty()) {
    throw DataFormat(m_SourceName + ": no patient rows; expected one row per patient");
  }
  m_PatientIdColumn = RequireColumn("patient_id");
  m_GroupColumn = RequireColumn("group");
  std::map<std::string, std::size_t> firstRowOfId;
  for (std::size_t row = 0; row < m_Rows.size(); ++row) {
    const std::string& id = Text(row, m_PatientIdColumn);
    if (id.empty()) {
      throw DataFormat(Where(row, m_PatientIdColumn) + " is empty; expected a patient id");
    }
    const auto [it, inserted] = firstRowOfId.emplace(id, row);
    if (!inserted) {
      throw DataFormat(Where(row, m_PatientIdColumn) + " is '" + id + "', already used at " +
                       m_RowLocations[it->second] + "; expected unique patient ids");
    }
    const std::string& group = Text(row, m_GroupColumn);
    if (group.empty()) {
      throw DataFormat(Where(row, m_GroupColumn) + " is empty; expected the patient's group");
    }
    if (std::find(m_Groups.begin(), m_Groups.end(), group) == m_Groups.end()) {
      m_Groups.push_back(group);
    }
    for (const auto& name : kEventColumns) {
      const std::size_t column = RequireColumn(name);
      const std::string& text = Text(row, column);
      if (!text.empty() && text != "0" && text != "1") {
        throw DataFormat(Where(row, column) + " is '" + text +
                         "'; expected 1 (event) or 0 (censored)");
      }
    }
    for (const auto& name : kMonthColumns) {
      const std::size_t column = RequireColumn(name);
      const auto months = Number(row, column, "a number of months >= 0");
      if (months && *months < 0.0) {
        throw DataFormat(Where(row, column) + " is '" + Text(row, column) +
                         "'; expected a number of months >= 0");
      }
    }
    for (const auto& name : kDateColumns) {
      const std::size_t column = RequireColumn(name);
      const std::string& text = Text(row, column);
      if (!text.empty() && !ParseIsoDate(text)) {
        throw DataFormat(Where(row, column) + " is '" + text +
                         "'; expected an ISO 8601 date YYYY-MM-DD");
      }
    }
    for (const auto& name : kResponseColumns) {
      if (const auto column = Column(name)) {
        const std::string& text = Text(row, *column);
        if (!text.empty() && kResponses.count(text) == 0) {
          throw DataFormat(Where(row, *column) + " is '" + text +
                           "'; expected CR, PR, SD, PD or NE (not evaluable)");
        }
      }
    }
    for (const auto& name : kVasColumns) {
      if (const auto column = Column(name)) {
        const auto score = Number(row, *column, "a pain score >= 0");
        if (score && *score < 0.0) {
          throw DataFormat(Where(row, *column) + " is '" + Text(row, *column) +
                           "'; expected a pain score >= 0");
        }
      }
    }
  }
}

std::optional<std::size_t> CohortTable::Column(const std::string& name) const {
  for (std::size_t i = 0; i < m_Header.size(); ++i) {
    if (m_Header[i] == name) {
      return i;
    }
  }
  return std::nullopt;
}

std::size_t CohortTable::RequireColumn(const std::string& name) const {
  if (const auto column = Column(name)) {
    return *column;
  }
  throw DataFormat(m_SourceName + ": column '" + name + "' is missing from the header");
}

const std::string& CohortTable::Text(std::size_t row, std::size_t column) const {
  return m_Rows.at(row).at(column);
}

std::optional<double> CohortTable::Number(std::size_t row, std::size_t column,
                                          const std::string& expected) const {
  const std::string& text = Text(row, column);
  if (text.empty()) {
    return std::nullopt;
  }
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || !std::isfinite(value)) {
    throw DataFormat(Where(row, column) + " is '" + text + "'; expected " + expected);
  }
  return value;
}

std::optional<long> CohortTable::Date(std::size_t row, std::size_t column) const {
  const std::string& text = Text(row, column);
  if (text.empty()) {
    return std::nullopt;
  }
  const auto days = ParseIsoDate(text);
  if (!days) {
    throw DataFormat(Where(row, column) + " is '" + text +
                     "'; expected an ISO 8601 date YYYY-MM-DD");
  }
  return days;
}

std::string CohortTable::Where(std::size_t row, std::size_t column) const {
  std::string where = m_SourceName + ": " + m_RowLocations.at(row);
  if (column != m_PatientIdColumn && m_PatientIdColumn < m_Header.size() &&
      !m_Rows.at(row).at(m_PatientIdColumn).empty() &&
      m_RowLocations[row].find(m_Rows[row][m_PatientIdColumn]) == std::string::npos) {
    where += " (patient " + m_Rows[row][m_PatientIdColumn] + ")";
  }
  return where + ", column " + m_Header.at(column);
}

} // namespace seedplan::study
