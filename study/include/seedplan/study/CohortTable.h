#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace seedplan {
class CsvTable;
}

namespace seedplan::study {

/// The cohort dataset of a study, one row per patient, as text cells with named columns: what the
/// outcome analyses read. It comes from a cohort CSV (Read) or from memory (the study record's
/// export builds one row per patient and passes it to the constructor).
///
/// Checked on construction (DataFormat naming the source, the row and the column otherwise):
/// every column of RequiredColumns() is present, column names are unique, patient_id is present
/// and unique, group is present, the *_event columns are 0 (censored) or 1 (event), the *_months
/// columns are numbers >= 0, the *_date columns are ISO 8601 calendar dates (YYYY-MM-DD),
/// best_response and local_response (when present) are CR, PR, SD, PD or NE (not evaluable),
/// vas_baseline and vas_followup (when present) are numbers >= 0. An empty cell or `NA` is a
/// missing value. Other columns are descriptive and accept any text; columns that an analysis uses
/// as numbers are checked when it uses them.
class CohortTable {
public:
  /// The columns every cohort must have, in this spelling.
  static const std::vector<std::string>& RequiredColumns();

  /// Reads a cohort CSV (UTF-8, RFC 4180); Io if unreadable, DataFormat as above.
  static CohortTable Read(const std::filesystem::path& path);
  /// A cohort from an already parsed CSV; rows are located as "line N" of the file.
  static CohortTable FromCsv(const CsvTable& csv);

  /// A cohort in memory. `sourceName` names it in messages (e.g. the study file), `rowLocations`
  /// says where each row came from (e.g. "patient P007"); empty means "row N" (1-based).
  CohortTable(std::string sourceName, std::vector<std::string> header,
              std::vector<std::vector<std::string>> rows,
              std::vector<std::string> rowLocations = {});

  const std::string& SourceName() const { return m_SourceName; }
  const std::vector<std::string>& Header() const { return m_Header; }
  std::size_t PatientCount() const { return m_Rows.size(); }

  std::optional<std::size_t> Column(const std::string& name) const;
  /// The column's index; DataFormat naming the source and the column when it is absent.
  std::size_t RequireColumn(const std::string& name) const;

  /// The cell's text, trimmed; "" when the value is missing (empty or `NA`).
  const std::string& Text(std::size_t row, std::size_t column) const;
  bool IsMissing(std::size_t row, std::size_t column) const { return Text(row, column).empty(); }
  /// The cell as a finite number; nullopt when missing; DataFormat naming the source, row and
  /// column (and saying `expected`) when it is not a number.
  std::optional<double> Number(std::size_t row, std::size_t column,
                               const std::string& expected = "a number") const;
  /// The cell as a date, in days since 1970-01-01; nullopt when missing (checked on construction).
  std::optional<long> Date(std::size_t row, std::size_t column) const;

  /// The patient's group label, verbatim.
  const std::string& Group(std::size_t row) const { return Text(row, m_GroupColumn); }
  const std::string& PatientId(std::size_t row) const { return Text(row, m_PatientIdColumn); }
  /// The distinct group labels in order of first appearance.
  const std::vector<std::string>& Groups() const { return m_Groups; }

  /// "<source>: line 12 (patient P011), column os_event": where a value is, for messages.
  std::string Where(std::size_t row, std::size_t column) const;

private:
  void Check();

  std::string m_SourceName;
  std::vector<std::string> m_Header;
  std::vector<std::vector<std::string>> m_Rows;
  std::vector<std::string> m_RowLocations;
  std::size_t m_PatientIdColumn = 0;
  std::size_t m_GroupColumn = 0;
  std::vector<std::string> m_Groups;
};

} // namespace seedplan::study
