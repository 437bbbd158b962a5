#pragma once

#include "seedplan/core/InputLimits.h"

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace seedplan {

/// A CSV file read whole: a header row and data rows of the same width (RFC 4180 quoting, CRLF or
/// LF, a UTF-8 byte-order mark ignored, blank lines skipped). Errors name the file and line.
class CsvTable {
public:
  /// Reads and checks `path` (at most `maxBytes`, InputFile::ReadAll; `kind` names the file in
  /// that refusal); throws Io if it cannot be read, InvalidInput if it is larger, DataFormat if it
  /// is empty, has no header, or a row's field count differs from the header's.
  static CsvTable Read(const std::filesystem::path& path,
                       std::uint64_t maxBytes = limits::kMaxSeedsCsvBytes,
                       const std::string& kind = "CSV file");
  /// Parses CSV text; `sourceName` is used in error messages.
  static CsvTable Parse(const std::string& text, const std::string& sourceName);

  const std::string& SourceName() const { return m_SourceName; }
  const std::vector<std::string>& Header() const { return m_Header; }
  std::size_t RowCount() const { return m_Rows.size(); }
  const std::vector<std::string>& Row(std::size_t row) const { return m_Rows[row]; }
  /// 1-based line number of a data row in the file, for error messages.
  std::size_t LineOf(std::size_t row) const { return m_Lines[row]; }

  /// Index of a column (exact, case-sensitive name), or nullopt.
  std::optional<std::size_t> Column(const std::string& name) const;
  /// Index of a column, or DataFormat naming the file and the missing column.
  std::size_t RequireColumn(const std::string& name) const;

  /// The cell parsed as a finite number; DataFormat naming file, line, column and text otherwise.
  double Number(std::size_t row, std::size_t column) const;
  /// As Number, but an empty cell gives nullopt.
  std::optional<double> OptionalNumber(std::size_t row, std::size_t column) const;

private:
  std::string m_SourceName;
  std::vector<std::string> m_Header;
  std::vector<std::vector<std::string>> m_Rows;
  std::vector<std::size_t> m_Lines;
};

} // namespace seedplan
