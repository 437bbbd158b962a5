#include "seedplan/study/ExportTable.h"

namespace seedplan::study {

int ExportTable::ColumnIndex(const std::string& column) const {
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (columns[i].name == column) {
      return static_cast<int>(i);
    }
  }
  return -1;
}

std::string ExportTable::CsvCell(const std::string& text) {
  const bool quote = text.find_first_of(",\"\r\n") != std::string::npos ||
                     (!text.empty() && (text.front() == ' ' || text.back() == ' '));
  if (!quote) {
    return text;
  }
  std::string cell = "\"";
  for (const char c : text) {
    if (c == '"') {
      cell += '"';
    }
    cell += c;
  }
  cell += '"';
  return cell;
}

std::string ExportTable::ToCsv() const {
  std::string text;
  for (std::size_t i = 0; i < columns.size(); ++i) {
    if (i > 0) {
      text += ',';
    }
    text += CsvCell(columns[i].name);
  }
  text += '\n';
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i > 0) {
        text += ',';
      }
      text += CsvCell(FieldSpec::Format(row[i]));
    }
    text += '\n';
  }
  return text;
}

} // namespace seedplan::study
