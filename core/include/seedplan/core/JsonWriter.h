#pragma once

#include <optional>
#include <string>
#include <vector>

namespace seedplan {

/// Builds JSON text for machine-readable outputs (`--json`): objects, arrays, strings escaped per
/// RFC 8259, numbers with a given number of significant digits, null for absent or non-finite
/// values (an undefined metric is null, never 0). Calls must nest correctly; Text() returns the
/// document.
class JsonWriter {
public:
  JsonWriter& BeginObject();
  JsonWriter& EndObject();
  JsonWriter& BeginArray();
  JsonWriter& EndArray();
  /// The key of the next value inside an object.
  JsonWriter& Key(const std::string& key);
  JsonWriter& String(const std::string& value);
  JsonWriter& Number(std::optional<double> value, int significantDigits = 6);
  JsonWriter& Integer(long long value);
  JsonWriter& Bool(bool value);
  JsonWriter& Null();
  JsonWriter& NumberArray(const std::vector<double>& values, int significantDigits = 6);

  const std::string& Text() const { return m_Text; }
  static std::string Escape(const std::string& text);

private:
  void BeforeValue();
  std::string m_Text;
  std::vector<bool> m_FirstInScope;
  bool m_AfterKey = false;
};

} // namespace seedplan
