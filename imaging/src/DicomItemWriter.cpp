#include "DicomItemWriter.h"

#include "seedplan/core/Error.h"

#include <dcmtk/dcmdata/dctag.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <charconv>
#include <cmath>
#include <cstdio>
#include <ctime>

namespace seedplan::imaging {

namespace {

constexpr std::size_t kMaxDecimalStringLength = 16;
constexpr std::size_t kMaxUidLength = 64;

std::string TagName(const DcmTagKey& tag) {
  char key[16];
  std::snprintf(key, sizeof key, "(%04X,%04X)", tag.getGroup(), tag.getElement());
  return std::string(DcmTag(tag).getTagName()) + " " + key;
}

std::string Now(const char* format) {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char buffer[32];
  std::strftime(buffer, sizeof buffer, format, &local);
  return buffer;
}

} // namespace

DicomItemWriter::DicomItemWriter(DcmItem& item, std::string file)
    : m_Item(&item), m_File(std::move(file)) {}

DicomItemWriter& DicomItemWriter::Put(const DcmTagKey& tag, const std::string& value) {
  const OFCondition status = m_Item->putAndInsertString(DcmTag(tag), value.c_str());
  if (status.bad()) {
    throw InvalidInput(m_File + ": cannot store " + TagName(tag) + " '" + value.substr(0, 64) +
                       "' (DCMTK: " + status.text() + ")");
  }
  return *this;
}

DicomItemWriter& DicomItemWriter::PutDecimal(const DcmTagKey& tag, double value) {
  return Put(tag, FormatDecimal(value));
}

DicomItemWriter& DicomItemWriter::PutDecimals(const DcmTagKey& tag,
                                              const std::vector<double>& values) {
  std::string text;
  for (const double value : values) {
    if (!text.empty()) {
      text += '\\';
    }
    text += FormatDecimal(value);
  }
  return Put(tag, text);
}

DicomItemWriter& DicomItemWriter::PutInteger(const DcmTagKey& tag, long value) {
  return Put(tag, std::to_string(value));
}

DicomItemWriter& DicomItemWriter::PutUnsignedShort(const DcmTagKey& tag, unsigned value) {
  const OFCondition status = m_Item->putAndInsertUint16(DcmTag(tag), static_cast<Uint16>(value));
  if (status.bad() || value > 65535u) {
    throw InvalidInput(m_File + ": cannot store " + TagName(tag) + " " + std::to_string(value));
  }
  return *this;
}

DicomItemWriter& DicomItemWriter::PutFloats(const DcmTagKey& tag,
                                            const std::vector<float>& values) {
  const OFCondition status = m_Item->putAndInsertFloat32Array(
      DcmTag(tag), values.data(), static_cast<unsigned long>(values.size()));
  if (status.bad()) {
    throw InvalidInput(m_File + ": cannot store " + TagName(tag) + " (DCMTK: " + status.text() +
                       ")");
  }
  return *this;
}

DicomItemWriter DicomItemWriter::AppendItem(const DcmTagKey& sequence) {
  DcmItem* item = nullptr;
  if (m_Item->findOrCreateSequenceItem(DcmTag(sequence), item, -2).bad() || item == nullptr) {
    throw InvalidInput(m_File + ": cannot create an item of " + TagName(sequence));
  }
  return DicomItemWriter(*item, m_File);
}

std::string DicomItemWriter::FormatDecimal(double value) {
  if (!std::isfinite(value)) {
    throw InvalidInput("a Decimal String value is not finite; expected a finite number");
  }
  if (value == 0.0) {
    return "0";
  }
  char buffer[64];
  const auto shortest = std::to_chars(buffer, buffer + sizeof buffer, value);
  if (shortest.ec == std::errc() &&
      static_cast<std::size_t>(shortest.ptr - buffer) <= kMaxDecimalStringLength) {
    return std::string(buffer, shortest.ptr);
  }
  for (int digits = 17; digits >= 1; --digits) {
    std::snprintf(buffer, sizeof buffer, "%.*g", digits, value);
    if (std::string(buffer).size() <= kMaxDecimalStringLength) {
      break;
    }
  }
  std::string text(buffer);
  return text == "-0" ? "0" : text;
}

std::string DicomItemWriter::NewUid(const char* root) {
  char uid[100];
  dcmGenerateUniqueIdentifier(uid, root);
  return uid;
}

bool DicomItemWriter::IsValidUid(const std::string& uid) {
  if (uid.empty() || uid.size() > kMaxUidLength) {
    return false;
  }
  std::size_t start = 0;
  while (start <= uid.size()) {
    const std::size_t end = std::min(uid.find('.', start), uid.size());
    const std::string component = uid.substr(start, end - start);
    if (component.empty() || (component.size() > 1 && component[0] == '0')) {
      return false;
    }
    for (const char c : component) {
      if (c < '0' || c > '9') {
        return false;
      }
    }
    start = end + 1;
  }
  return true;
}

std::string DicomItemWriter::Today() {
  return Now("%Y%m%d");
}

std::string DicomItemWriter::NowTime() {
  return Now("%H%M%S");
}

} // namespace seedplan::imaging
