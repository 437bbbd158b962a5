#include "DicomItemReader.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"

#include <dcmtk/dcmdata/dcelem.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dctag.h>

#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace seedplan::imaging {

namespace {

/// Longest value quoted in a message: a refusal must stay one readable line.
constexpr std::size_t kQuotedCharacters = 64;

std::string Trim(const std::string& text) {
  std::size_t first = 0;
  std::size_t last = text.size();
  const auto pad = [](char c) {
    return c == ' ' || c == '\0' || c == '\t' || c == '\r' || c == '\n';
  };
  while (first < last && pad(text[first])) {
    ++first;
  }
  while (last > first && pad(text[last - 1])) {
    --last;
  }
  return text.substr(first, last - first);
}

std::string Quote(const std::string& value) {
  return "'" +
         (value.size() > kQuotedCharacters ? value.substr(0, kQuotedCharacters) + "..." : value) +
         "'";
}

/// VRs whose dictionary entry admits several encodings; the stored one is accepted as it is.
bool IsAmbiguousVr(DcmEVR vr) {
  return vr == EVR_xs || vr == EVR_lt || vr == EVR_ox || vr == EVR_px || vr == EVR_pixelSQ ||
         vr == EVR_na || vr == EVR_up || vr == EVR_UNKNOWN || vr == EVR_UNKNOWN2B;
}

std::optional<double> ParseStrict(const std::string& text) {
  if (text.empty()) {
    return std::nullopt;
  }
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(text.c_str(), &end);
  if (errno == ERANGE || end == text.c_str() || *end != '\0' || !std::isfinite(value)) {
    return std::nullopt;
  }
  return value;
}

} // namespace

DicomItemReader::DicomItemReader(DcmItem& item, std::string file, std::string context)
    : m_Item(&item), m_File(std::move(file)), m_Context(std::move(context)) {}

std::string DicomItemReader::Name(const DcmTagKey& tag) {
  char key[16];
  std::snprintf(key, sizeof key, "(%04X,%04X)", tag.getGroup(), tag.getElement());
  const std::string keyword = DcmTag(tag).getTagName();
  if (keyword.empty() || keyword.find(' ') != std::string::npos) {
    return key; // "Unknown Tag & Data"
  }
  // "SOPClassUID" -> "SOP Class UID", "ControlPoint3DPosition" -> "Control Point 3D Position".
  std::string words;
  for (std::size_t n = 0; n < keyword.size(); ++n) {
    const char c = keyword[n];
    if (n > 0) {
      const char before = keyword[n - 1];
      const bool next =
          n + 1 < keyword.size() && std::islower(static_cast<unsigned char>(keyword[n + 1]));
      const bool upper = std::isupper(static_cast<unsigned char>(c));
      const bool lowerBefore = std::islower(static_cast<unsigned char>(before));
      const bool upperBefore = std::isupper(static_cast<unsigned char>(before));
      const bool digit = std::isdigit(static_cast<unsigned char>(c));
      if ((upper && lowerBefore) || (upper && upperBefore && next) ||
          (digit && std::isalpha(static_cast<unsigned char>(before)))) {
        words += ' ';
      }
    }
    words += c;
  }
  return words + " " + key;
}

std::string DicomItemReader::Where(const DcmTagKey& tag) const {
  std::string text = Name(tag);
  if (!m_Context.empty()) {
    text += " in " + m_Context;
  }
  return text;
}

void DicomItemReader::Refuse(const DcmTagKey& tag, const std::string& problem) const {
  throw DataFormat(m_File + ": " + Where(tag) + " " + problem);
}

DcmElement* DicomItemReader::Find(const DcmTagKey& tag) const {
  DcmElement* element = nullptr;
  if (m_Item->findAndGetElement(tag, element, OFFalse).bad()) {
    return nullptr;
  }
  return element;
}

void DicomItemReader::CheckVr(const DcmTagKey& tag, DcmElement& element) const {
  const DcmEVR expected = DcmTag(tag).getEVR();
  const DcmEVR stored = element.ident();
  if (IsAmbiguousVr(expected) || stored == expected) {
    return;
  }
  Refuse(tag, std::string("is stored with VR ") + DcmVR(stored).getVRName() + "; expected " +
                  DcmVR(expected).getVRName());
}

bool DicomItemReader::Has(const DcmTagKey& tag) const {
  return Find(tag) != nullptr;
}

bool DicomItemReader::HasValue(const DcmTagKey& tag) const {
  const DcmElement* element = Find(tag);
  return element != nullptr && const_cast<DcmElement*>(element)->getLength() > 0;
}

std::optional<std::string> DicomItemReader::String(const DcmTagKey& tag) const {
  DcmElement* element = Find(tag);
  if (element == nullptr || element->getLength() == 0) {
    return std::nullopt;
  }
  CheckVr(tag, *element);
  if (!element->isaString()) {
    Refuse(tag, std::string("has VR ") + DcmVR(element->ident()).getVRName() +
                    "; expected a text value");
  }
  char* value = nullptr;
  Uint32 length = 0;
  const OFCondition status = element->getString(value, length);
  if (status.bad()) {
    Refuse(tag, std::string("cannot be read (DCMTK: ") + status.text() + ")");
  }
  if (value == nullptr) {
    return std::nullopt;
  }
  std::string text = Trim(std::string(value, length));
  if (text.empty()) {
    return std::nullopt;
  }
  return text;
}

std::string DicomItemReader::RequireString(const DcmTagKey& tag) const {
  std::optional<std::string> value = String(tag);
  if (!value) {
    Refuse(tag, Has(tag) ? "is empty; expected a value" : "is missing; expected a value");
  }
  return *value;
}

std::vector<std::string> DicomItemReader::Strings(const DcmTagKey& tag) const {
  std::vector<std::string> parts;
  const std::optional<std::string> value = String(tag);
  if (!value) {
    return parts;
  }
  std::size_t start = 0;
  while (true) {
    const std::size_t end = value->find('\\', start);
    parts.push_back(
        Trim(value->substr(start, end == std::string::npos ? std::string::npos : end - start)));
    if (end == std::string::npos) {
      break;
    }
    start = end + 1;
  }
  return parts;
}

std::vector<double> DicomItemReader::Numbers(const DcmTagKey& tag, std::size_t count) const {
  std::vector<double> numbers;
  const std::vector<std::string> parts = Strings(tag);
  if (parts.empty()) {
    return numbers;
  }
  DcmElement* element = Find(tag);
  if (element->ident() != EVR_DS && element->ident() != EVR_IS) {
    Refuse(tag, std::string("has VR ") + DcmVR(element->ident()).getVRName() +
                    "; expected DS or IS numbers");
  }
  numbers.reserve(parts.size());
  for (std::size_t n = 0; n < parts.size(); ++n) {
    const std::optional<double> value = ParseStrict(parts[n]);
    if (!value) {
      Refuse(tag, "value " + std::to_string(n + 1) + " is " + Quote(parts[n]) +
                      "; expected a finite decimal number");
    }
    numbers.push_back(*value);
  }
  if (count != 0 && numbers.size() != count) {
    Refuse(tag,
           "has " + std::to_string(numbers.size()) + " values; expected " + std::to_string(count));
  }
  return numbers;
}

std::optional<double> DicomItemReader::Number(const DcmTagKey& tag, double low, double high,
                                              const std::string& expected) const {
  const std::vector<double> values = Numbers(tag);
  if (values.empty()) {
    return std::nullopt;
  }
  if (values.size() != 1) {
    Refuse(tag, "has " + std::to_string(values.size()) + " values; expected one");
  }
  if (!(values[0] >= low && values[0] <= high)) {
    Refuse(tag, "is " + FormatNumber(values[0], 8) + "; expected " + expected);
  }
  return values[0];
}

double DicomItemReader::RequireNumber(const DcmTagKey& tag, double low, double high,
                                      const std::string& expected) const {
  const std::optional<double> value = Number(tag, low, high, expected);
  if (!value) {
    Refuse(tag, std::string(Has(tag) ? "is empty" : "is missing") + "; expected " + expected);
  }
  return *value;
}

std::optional<long> DicomItemReader::Integer(const DcmTagKey& tag, long low, long high) const {
  const std::optional<double> value =
      Number(tag, static_cast<double>(low), static_cast<double>(high),
             "a whole number from " + std::to_string(low) + " to " + std::to_string(high));
  if (!value) {
    return std::nullopt;
  }
  if (*value != std::floor(*value)) {
    Refuse(tag, "is " + FormatNumber(*value, 8) + "; expected a whole number");
  }
  return static_cast<long>(*value);
}

long DicomItemReader::RequireInteger(const DcmTagKey& tag, long low, long high) const {
  const std::optional<long> value = Integer(tag, low, high);
  if (!value) {
    Refuse(tag, std::string(Has(tag) ? "is empty" : "is missing") + "; expected a whole number");
  }
  return *value;
}

std::optional<unsigned> DicomItemReader::UnsignedShort(const DcmTagKey& tag) const {
  DcmElement* element = Find(tag);
  if (element == nullptr || element->getLength() == 0) {
    return std::nullopt;
  }
  if (element->ident() != EVR_US) {
    Refuse(tag, std::string("has VR ") + DcmVR(element->ident()).getVRName() + "; expected US");
  }
  if (element->getLength() != 2) {
    Refuse(tag, "has " + std::to_string(element->getLength()) + " bytes; expected one US value");
  }
  Uint16 value = 0;
  if (element->getUint16(value).bad()) {
    Refuse(tag, "cannot be read as US");
  }
  return value;
}

std::vector<double> DicomItemReader::Floats(const DcmTagKey& tag) const {
  std::vector<double> values;
  DcmElement* element = Find(tag);
  if (element == nullptr || element->getLength() == 0) {
    return values;
  }
  const Uint32 length = element->getLength();
  if (element->ident() == EVR_FL) {
    const unsigned long count = element->getVM();
    for (unsigned long n = 0; n < count; ++n) {
      Float32 value = 0;
      if (element->getFloat32(value, n).bad()) {
        Refuse(tag, "value " + std::to_string(n + 1) + " cannot be read as FL");
      }
      values.push_back(value);
    }
  } else if (element->ident() == EVR_UN && length % 4 == 0) {
    // Written by a system whose dictionary lacked the attribute: the bytes are FL little endian.
    Uint8* bytes = nullptr;
    if (element->getUint8Array(bytes).bad() || bytes == nullptr) {
      Refuse(tag, "cannot be read");
    }
    for (Uint32 n = 0; n < length / 4; ++n) {
      const std::uint32_t bits = static_cast<std::uint32_t>(bytes[4 * n]) |
                                 (static_cast<std::uint32_t>(bytes[4 * n + 1]) << 8) |
                                 (static_cast<std::uint32_t>(bytes[4 * n + 2]) << 16) |
                                 (static_cast<std::uint32_t>(bytes[4 * n + 3]) << 24);
      float value = 0.0f;
      std::memcpy(&value, &bits, sizeof value);
      values.push_back(value);
    }
  } else {
    Refuse(tag, std::string("has VR ") + DcmVR(element->ident()).getVRName() + "; expected FL");
  }
  for (std::size_t n = 0; n < values.size(); ++n) {
    if (!std::isfinite(values[n])) {
      Refuse(tag, "value " + std::to_string(n + 1) + " is not finite");
    }
  }
  return values;
}

std::vector<DicomItemReader> DicomItemReader::Items(const DcmTagKey& sequence) const {
  std::vector<DicomItemReader> items;
  DcmElement* element = Find(sequence);
  if (element == nullptr) {
    return items;
  }
  if (element->ident() != EVR_SQ) {
    Refuse(sequence, std::string("has VR ") + DcmVR(element->ident()).getVRName() +
                         "; expected a sequence (SQ)");
  }
  auto* sequenceOfItems = static_cast<DcmSequenceOfItems*>(element);
  std::string name = Name(sequence);
  name = name.substr(0, name.rfind(" ("));
  for (unsigned long n = 0; n < sequenceOfItems->card(); ++n) {
    DcmItem* item = sequenceOfItems->getItem(n);
    if (item == nullptr) {
      continue;
    }
    std::string context = name + " item " + std::to_string(n + 1);
    if (!m_Context.empty()) {
      context = m_Context + " > " + context;
    }
    items.emplace_back(*item, m_File, std::move(context));
  }
  return items;
}

} // namespace seedplan::imaging
