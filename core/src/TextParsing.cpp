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
  // The end must be the end of the whole text: a NUL inside it would otherwise end the number.
  if (end == begin || end != begin + text.size() || errno == ERANGE || !std::isfinite(value)) {
    throw DataFormat(context + " is '" + Excerpt(text) + "'; expected a finite number");
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
      throw InvalidInput(context + " is '" + Excerpt(text) + "'; expected " +
                         std::to_string(count) + " comma-separated finite numbers");
    }
    if (comma == std::string::npos) {
      break;
    }
    start = comma + 1;
  }
  if (values.size() != count) {
    throw InvalidInput(context + " is '" + Excerpt(text) + "'; expected " + std::to_string(count) +
                       " comma-separated finite numbers");
  }
  return values;
}

namespace {

/// Length of the valid UTF-8 sequence starting at text[at] (1 to 4), or 0 if it is not one.
std::size_t Utf8SequenceLength(const std::string& text, std::size_t at) {
  const auto lead = static_cast<unsigned char>(text[at]);
  const std::size_t length = lead >= 0xF0 && lead <= 0xF4   ? 4
                             : lead >= 0xE0 && lead <= 0xEF ? 3
                             : lead >= 0xC2 && lead <= 0xDF ? 2
                                                            : 0;
  if (length == 0 || at + length > text.size()) {
    return 0;
  }
  for (std::size_t n = 1; n < length; ++n) {
    if ((static_cast<unsigned char>(text[at + n]) & 0xC0) != 0x80) {
      return 0;
    }
  }
  return length;
}

} // namespace

std::string Excerpt(const std::string& text, std::size_t maxCharacters) {
  std::string shown;
  std::size_t characters = 0;
  for (std::size_t at = 0; at < text.size();) {
    if (characters == maxCharacters) {
      return shown + "... (" + std::to_string(text.size()) + " characters)";
    }
    const auto byte = static_cast<unsigned char>(text[at]);
    const std::size_t utf8 = byte >= 0x80 ? Utf8SequenceLength(text, at) : 0;
    if (byte >= 0x20 && byte < 0x7f) {
      shown += text[at];
      ++at;
    } else if (utf8 > 0) { // a UTF-8 character (a name such as "Rückenmark") stays as it is
      shown.append(text, at, utf8);
      at += utf8;
    } else { // control characters and bytes that are not UTF-8 (a newline, a NUL, binary data)
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", byte);
      shown += escaped;
      ++at;
    }
    ++characters;
  }
  return shown;
}

std::string FormatNumber(double value, int significantDigits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*g", significantDigits, value);
  return buffer;
}

} // namespace seedplan
