#include "seedplan/study/FieldSpec.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/study/IsoDate.h"

#include <algorithm>
#include <charconv>
#include <cmath>

namespace seedplan::study {

namespace {

/// pandas' default na_values (read_csv) and R's default na.strings, compared case-insensitively:
/// a value spelt like one of these would come back as missing from the export.
constexpr const char* kMissingTokens[] = {"na",      "n/a",      "#n/a", "#n/a n/a", "#na",
                                          "-1.#ind", "-1.#qnan", "-nan", "1.#ind",   "1.#qnan",
                                          "<na>",    "null",     "nan",  "none",     "nil"};

constexpr std::size_t kMaxIdentifierLength = 32;
constexpr std::size_t kMaxTextLength = 1000;

std::string Lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

/// Case-insensitive, with ' ' and '-' read as '_': "Lymph node" and "lymph_node" are one site.
std::string ChoiceKey(const std::string& text) {
  std::string key = Lower(text);
  std::replace(key.begin(), key.end(), ' ', '_');
  std::replace(key.begin(), key.end(), '-', '_');
  return key;
}

std::string Trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

/// Well-formed UTF-8 (no overlong forms, no surrogates) without control characters.
bool IsCleanUtf8(const std::string& text) {
  std::size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      return false;
    }
    if (c < 0x80) {
      ++i;
      continue;
    }
    int extra = 0;
    std::uint32_t codePoint = 0;
    if ((c & 0xe0) == 0xc0) {
      extra = 1;
      codePoint = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      extra = 2;
      codePoint = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      extra = 3;
      codePoint = c & 0x07;
    } else {
      return false;
    }
    if (i + static_cast<std::size_t>(extra) >= text.size()) {
      return false;
    }
    for (int k = 1; k <= extra; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xc0) != 0x80) {
        return false;
      }
      codePoint = (codePoint << 6) | (next & 0x3f);
    }
    static constexpr std::uint32_t kSmallest[] = {0, 0x80, 0x800, 0x10000};
    if (codePoint < kSmallest[extra] || codePoint > 0x10ffff ||
        (codePoint >= 0xd800 && codePoint <= 0xdfff) || (codePoint >= 0x80 && codePoint < 0xa0)) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

std::string NumberText(double value) {
  if (std::isinf(value)) {
    return value > 0 ? "inf" : "-inf";
  }
  return FormatNumber(value, 10);
}

} // namespace

bool FieldSpec::LooksMissing(const std::string& text) {
  const std::string key = Lower(Trim(text));
  return std::any_of(std::begin(kMissingTokens), std::end(kMissingTokens),
                     [&](const char* token) { return key == token; });
}

std::string FieldSpec::Expected() const {
  switch (kind) {
  case FieldKind::Identifier:
    return "an id of 1-32 letters, digits, '_', '.' or '-' (a pseudonym, never a name)";
  case FieldKind::Text:
    return "text on one line (at most 1000 characters)";
  case FieldKind::Date:
    return "a date YYYY-MM-DD, not after today";
  case FieldKind::Integer:
    return "a whole number from " + NumberText(minimum) + " to " + NumberText(maximum) +
           (unit.empty() ? "" : " " + unit);
  case FieldKind::Real:
    return "a number from " + NumberText(minimum) + " to " + NumberText(maximum) +
           (unit.empty() ? "" : " " + unit);
  case FieldKind::Choice: {
    std::string text = "one of ";
    for (std::size_t i = 0; i < allowed.size(); ++i) {
      text += (i ? ", " : "") + allowed[i];
    }
    return text;
  }
  case FieldKind::Flag:
    return "1 or 0 (yes or no)";
  }
  return "";
}

std::string FieldSpec::TypeName() const {
  switch (kind) {
  case FieldKind::Identifier:
    return "identifier";
  case FieldKind::Text:
    return "text";
  case FieldKind::Date:
    return "date";
  case FieldKind::Integer:
    return "integer";
  case FieldKind::Real:
    return "number";
  case FieldKind::Choice:
    return "category";
  case FieldKind::Flag:
    return "0/1";
  }
  return "";
}

std::string FieldSpec::AllowedText() const {
  switch (kind) {
  case FieldKind::Identifier:
    return "[A-Za-z0-9][A-Za-z0-9_.-]{0,31}";
  case FieldKind::Date:
    return "YYYY-MM-DD";
  case FieldKind::Integer:
  case FieldKind::Real:
    if (std::isinf(minimum) && std::isinf(maximum)) {
      return "";
    }
    return NumberText(minimum) + " to " + NumberText(maximum);
  case FieldKind::Choice: {
    std::string text;
    for (std::size_t i = 0; i < allowed.size(); ++i) {
      text += (i ? "|" : "") + allowed[i];
    }
    return text;
  }
  case FieldKind::Flag:
    return "0|1";
  case FieldKind::Text:
    return "";
  }
  return "";
}

FieldValue FieldSpec::Parse(const std::string& rawText, const std::string& context) const {
  const std::string text = Trim(rawText);
  if (text.empty() || LooksMissing(text)) {
    if (required) {
      throw InvalidInput(context + " is " + (text.empty() ? "empty" : "'" + text + "'") +
                         "; expected " + Expected());
    }
    return {};
  }
  const auto refuse = [&]() -> FieldValue {
    throw InvalidInput(context + " is '" + rawText + "'; expected " + Expected());
  };
  switch (kind) {
  case FieldKind::Identifier: {
    if (text.size() > kMaxIdentifierLength || !std::isalnum(static_cast<unsigned char>(text[0]))) {
      return refuse();
    }
    for (const char c : text) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '.' && c != '-') {
        return refuse();
      }
    }
    return text;
  }
  case FieldKind::Text:
    if (text.size() > kMaxTextLength || !IsCleanUtf8(text)) {
      return refuse();
    }
    return text;
  case FieldKind::Date: {
    const IsoDate date = IsoDate::Parse(text, context);
    // One day of grace: a clinic east of UTC may already be on tomorrow's date.
    if (IsoDate::DaysBetween(IsoDate::TodayUtc(), date) > 1) {
      throw InvalidInput(context + " is '" + text + "'; expected a date not after today (" +
                         IsoDate::TodayUtc().ToString() + " UTC)");
    }
    return date.ToString();
  }
  case FieldKind::Integer: {
    double value = 0.0;
    try {
      value = ParseFiniteNumber(text, context);
    } catch (const DataFormat&) {
      return refuse();
    }
    if (value != std::floor(value) || value < minimum || value > maximum ||
        std::fabs(value) > 9.0e15) {
      return refuse();
    }
    return static_cast<std::int64_t>(value);
  }
  case FieldKind::Real: {
    double value = 0.0;
    try {
      value = ParseFiniteNumber(text, context);
    } catch (const DataFormat&) {
      return refuse();
    }
    if (value < minimum || value > maximum) {
      return refuse();
    }
    return value;
  }
  case FieldKind::Choice: {
    const std::string key = ChoiceKey(text);
    for (const std::string& value : allowed) {
      if (ChoiceKey(value) == key) {
        return value;
      }
    }
    return refuse();
  }
  case FieldKind::Flag: {
    const std::string key = Lower(text);
    if (key == "1" || key == "yes" || key == "true" || key == "y") {
      return std::int64_t{1};
    }
    if (key == "0" || key == "no" || key == "false" || key == "n") {
      return std::int64_t{0};
    }
    return refuse();
  }
  }
  return refuse();
}

FieldValue FieldSpec::Check(const FieldValue& value, const std::string& context) const {
  if (IsNull(value)) {
    if (required) {
      throw InvalidInput(context + " is missing; expected " + Expected());
    }
    return value;
  }
  if (const auto* text = std::get_if<std::string>(&value)) {
    if (kind == FieldKind::Integer || kind == FieldKind::Real || kind == FieldKind::Flag) {
      throw InvalidInput(context + " is '" + *text + "'; expected " + Expected());
    }
    if (*text != Trim(*text) || text->empty()) {
      throw InvalidInput(context + " is '" + *text + "'; expected " + Expected());
    }
    return Parse(*text, context);
  }
  double number = 0.0;
  if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    number = static_cast<double>(*integer);
  } else {
    number = std::get<double>(value);
  }
  switch (kind) {
  case FieldKind::Integer:
  case FieldKind::Flag:
    if (!std::isfinite(number) || number != std::floor(number)) {
      throw InvalidInput(context + " is " + FormatNumber(number) + "; expected " + Expected());
    }
    if (kind == FieldKind::Flag && number != 0.0 && number != 1.0) {
      throw InvalidInput(context + " is " + FormatNumber(number) + "; expected " + Expected());
    }
    if (number < minimum || number > maximum) {
      throw InvalidInput(context + " is " + FormatNumber(number) + "; expected " + Expected());
    }
    return static_cast<std::int64_t>(number);
  case FieldKind::Real:
    if (!std::isfinite(number) || number < minimum || number > maximum) {
      throw InvalidInput(context + " is " + FormatNumber(number) + "; expected " + Expected());
    }
    return number;
  default:
    throw InvalidInput(context + " is the number " + FormatNumber(number) + "; expected " +
                       Expected());
  }
}

std::string FieldSpec::Format(const FieldValue& value) {
  if (IsNull(value)) {
    return "NA";
  }
  if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    return std::to_string(*integer);
  }
  if (const auto* real = std::get_if<double>(&value)) {
    char buffer[64];
    const auto result = std::to_chars(buffer, buffer + sizeof buffer, *real);
    return std::string(buffer, result.ptr);
  }
  return std::get<std::string>(value);
}

std::string FieldSpec::Display(const FieldValue& value) {
  if (const auto* real = std::get_if<double>(&value)) {
    return FormatNumber(*real, 6);
  }
  return IsNull(value) ? "-" : Format(value);
}

} // namespace seedplan::study
