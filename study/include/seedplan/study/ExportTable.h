#pragma once

#include "seedplan/study/FieldSpec.h"

#include <string>
#include <vector>

namespace seedplan::study {

/// One table of the export (patients, lesions, implants, ...): its columns, described by their
/// FieldSpecs (which also give the data dictionary), and its rows of values.
struct ExportTable {
  std::string name; ///< the file is <name>.csv
  std::vector<FieldSpec> columns;
  std::vector<std::vector<FieldValue>> rows;

  /// Index of a column, or -1.
  int ColumnIndex(const std::string& column) const;
  /// The table as CSV (RFC 4180): UTF-8 without byte-order mark, a header row, one line per row
  /// ending in LF, cells as FieldSpec::Format (missing values NA), quoted only when they hold a
  /// comma, a quote, a line break or leading or trailing spaces.
  std::string ToCsv() const;
  static std::string CsvCell(const std::string& text);
};

} // namespace seedplan::study
