#include "seedplan/core/JsonWriter.h"

#include "seedplan/core/TextParsing.h"

#include <cmath>
#include <cstdio>

namespace seedplan {

void JsonWriter::BeforeValue() {
  if (m_AfterKey) {
    m_AfterKey = false;
    return;
  }
  if (!m_FirstInScope.empty()) {
    if (!m_FirstInScope.back()) {
      m_Text += ", ";
    }
    m_FirstInScope.back() = false;
  }
}

JsonWriter& JsonWriter::BeginObject() {
  BeforeValue();
  m_Text += '{';
  m_FirstInScope.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::EndObject() {
  m_Text += '}';
  m_FirstInScope.pop_back();
  return *this;
}

JsonWriter& JsonWriter::BeginArray() {
  BeforeValue();
  m_Text += '[';
  m_FirstInScope.push_back(true);
  return *this;
}

JsonWriter& JsonWriter::EndArray() {
  m_Text += ']';
  m_FirstInScope.pop_back();
  return *this;
}

JsonWriter& JsonWriter::Key(const std::string& key) {
  BeforeValue();
  m_Text += '"' + Escape(key) + "\": ";
  m_AfterKey = true;
  return *this;
}

JsonWriter& JsonWriter::String(const std::string& value) {
  BeforeValue();
  m_Text += '"' + Escape(value) + '"';
  return *this;
}

JsonWriter& JsonWriter::Number(std::optional<double> value, int significantDigits) {
  BeforeValue();
  m_Text += value && std::isfinite(*value) ? FormatNumber(*value, significantDigits) : "null";
  return *this;
}

JsonWriter& JsonWriter::Integer(long long value) {
  BeforeValue();
  m_Text += std::to_string(value);
  return *this;
}

JsonWriter& JsonWriter::Bool(bool value) {
  BeforeValue();
  m_Text += value ? "true" : "false";
  return *this;
}

JsonWriter& JsonWriter::Null() {
  BeforeValue();
  m_Text += "null";
  return *this;
}

JsonWriter& JsonWriter::NumberArray(const std::vector<double>& values, int significantDigits) {
  BeginArray();
  for (double value : values) {
    Number(value, significantDigits);
  }
  return EndArray();
}

std::string JsonWriter::Escape(const std::string& text) {
  std::string out;
  for (unsigned char c : text) {
    switch (c) {
    case '"':
      out += "\\\"";
      break;
    case '\\':
      out += "\\\\";
      break;
    case '\n':
      out += "\\n";
      break;
    case '\r':
      out += "\\r";
      break;
    case '\t':
      out += "\\t";
      break;
    default:
      if (c < 0x20) {
        char buffer[8];
        std::snprintf(buffer, sizeof buffer, "\\u%04x", c);
        out += buffer;
      } else {
        out += static_cast<char>(c);
      }
    }
  }
  return out;
}

} // namespace seedplan
