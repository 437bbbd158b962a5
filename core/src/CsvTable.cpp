#include "seedplan/core/CsvTable.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/InputFile.h"
#include "seedplan/core/TextParsing.h"

namespace seedplan {

namespace {

std::string Trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

} // namespace

CsvTable CsvTable::Read(const std::filesystem::path& path, std::uint64_t maxBytes,
                        const std::string& kind) {
  return Parse(InputFile::ReadAll(path, maxBytes, kind), path.string());
}

CsvTable CsvTable::Parse(const std::string& rawText, const std::string& sourceName) {
  CsvTable table;
  table.m_SourceName = sourceName;
  std::string text = rawText;
  if (text.rfind("\xEF\xBB\xBF", 0) == 0) {
    text.erase(0, 3);
  }

  std::vector<std::string> fields;
  std::string field;
  bool inQuotes = false;
  bool fieldWasQuoted = false;
  std::size_t line = 1;
  std::size_t rowStartLine = 1;
  bool rowHasContent = false;

  auto finishRow = [&]() {
    fields.push_back(fieldWasQuoted ? field : Trim(field));
    field.clear();
    fieldWasQuoted = false;
    const bool blank = fields.size() == 1 && fields[0].empty() && !rowHasContent;
    if (!blank) {
      if (table.m_Header.empty()) {
        table.m_Header = fields;
      } else {
        if (fields.size() != table.m_Header.size()) {
          throw DataFormat(sourceName + ": line " + std::to_string(rowStartLine) + " has " +
                           std::to_string(fields.size()) + " fields; expected " +
                           std::to_string(table.m_Header.size()) + " as in the header");
        }
        table.m_Rows.push_back(fields);
        table.m_Lines.push_back(rowStartLine);
      }
    }
    fields.clear();
    rowHasContent = false;
  };

  for (std::size_t position = 0; position < text.size(); ++position) {
    const char c = text[position];
    if (inQuotes) {
      if (c == '"') {
        if (position + 1 < text.size() && text[position + 1] == '"') {
          field.push_back('"');
          ++position;
        } else {
          inQuotes = false;
        }
      } else {
        if (c == '\n') {
          ++line;
        }
        field.push_back(c);
      }
      continue;
    }
    switch (c) {
    case '"':
      inQuotes = true;
      fieldWasQuoted = true;
      rowHasContent = true;
      break;
    case ',':
      fields.push_back(fieldWasQuoted ? field : Trim(field));
      field.clear();
      fieldWasQuoted = false;
      rowHasContent = true;
      break;
    case '\r':
      break;
    case '\n':
      finishRow();
      ++line;
      rowStartLine = line;
      break;
    default:
      field.push_back(c);
      if (c != ' ' && c != '\t') {
        rowHasContent = true;
      }
    }
  }
  if (inQuotes) {
    throw DataFormat(sourceName + ": line " + std::to_string(rowStartLine) +
                     " has an unterminated quoted field; expected a closing '\"'");
  }
  if (!field.empty() || !fields.empty() || rowHasContent) {
    finishRow();
  }
  if (table.m_Header.empty()) {
    throw DataFormat(sourceName + ": file is empty; expected a CSV header row");
  }
  for (const auto& name : table.m_Header) {
    if (name.empty()) {
      throw DataFormat(sourceName + ": header has an empty column name; expected names such as " +
                       "x_mm,y_mm,z_mm");
    }
  }
  return table;
}

std::optional<std::size_t> CsvTable::Column(const std::string& name) const {
  for (std::size_t i = 0; i < m_Header.size(); ++i) {
    if (m_Header[i] == name) {
      return i;
    }
  }
  return std::nullopt;
}

std::size_t CsvTable::RequireColumn(const std::string& name) const {
  if (auto column = Column(name)) {
    return *column;
  }
  throw DataFormat(m_SourceName + ": column '" + name +
                   "' is missing from the header; expected it");
}

double CsvTable::Number(std::size_t row, std::size_t column) const {
  const std::string context = m_SourceName + ": line " + std::to_string(m_Lines[row]) +
                              ", column '" + m_Header[column] + "'";
  return ParseFiniteNumber(m_Rows[row][column], context);
}

std::optional<double> CsvTable::OptionalNumber(std::size_t row, std::size_t column) const {
  if (m_Rows[row][column].empty()) {
    return std::nullopt;
  }
  return Number(row, column);
}

} // namespace seedplan
