#pragma once

#include <cstddef>
#include <filesystem>
#include <string>

namespace seedplan::study {

class StudyRecord;

/// Imports a coordinator's spreadsheet (CSV) into a study record, in the export's own columns
/// (patients, lesions, followups, events or adverse_events: CohortExport::ImportLayout): the
/// columns the export derives (pfs_date, days_from_start, ...) are ignored, an unknown column is
/// refused (a misspelt header would otherwise lose a column silently). Every row is read and
/// checked first; then all rows go in as one transaction, each through the same checks as the
/// add-* commands (unknown patients, duplicates, dates out of order): one bad row and nothing is
/// written. Errors name the file, the line and the column.
class CsvImport {
public:
  /// Returns the number of rows imported.
  static std::size_t Import(StudyRecord& record, const std::string& table,
                            const std::filesystem::path& csv);
};

} // namespace seedplan::study
