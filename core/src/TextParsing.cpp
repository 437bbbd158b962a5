#include "seedplan/core/TextParsing.h"

#include "seedplan/core/Error.h"

#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace seedplan {

double ParseFiniteNumber(const std::string& text, const std::string& context) {
  if (text.empty()) {
    throw DataFormat(context + " is empty; expected a finite number");
  }
  const char* begin = text.c_str();
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(begin, &end);
  if (end == begin || *end != '\0' || errno == ERANGE || !std::isfinite(value)) {
    throw DataFormat(context + " is '" + text + "'; expected a finite number");
  }
  return value;
}

std::vector<double> ParseNumberList(const std::string& text, std::size_t count,
                                    const std::string& context) {
  std::vector<double> values;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    const std::string part =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    try {
      values.push_back(ParseFiniteNumber(part, context));
    } catch (const DataFormat&) {
      throw InvalidInput(context + " is '" + text + "'; expected " + std::to_string(count) +
                         " comma-separated finite numbers");
    }
    if (comma == std::string::npos) {
      break;
    }
    start = comma + 1;
  }
  if (values.size() != count) {
    throw InvalidInput(context + " is '" + text + "'; expected " + std::to_string(count) +
                       " comma-separated finite numbers");
  }
  return values;
}

std::string FormatNumber(double value, int significantDigits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*g", significantDigits, value);
  return buffer;
}

} // namespace seedplan
