#include "seedplan/study/IsoDate.h"

#include "seedplan/core/Error.h"

#include <chrono>
#include <cstdio>

namespace seedplan::study {

namespace {

bool IsLeapYear(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

bool ParseDigits(const std::string& text, std::size_t begin, std::size_t count, int& value) {
  value = 0;
  for (std::size_t i = begin; i < begin + count; ++i) {
    if (text[i] < '0' || text[i] > '9') {
      return false;
    }
    value = value * 10 + (text[i] - '0');
  }
  return true;
}

} // namespace

IsoDate IsoDate::Parse(const std::string& text, const std::string& context) {
  int year = 0, month = 0, day = 0;
  const bool shaped = text.size() == 10 && text[4] == '-' && text[7] == '-' &&
                      ParseDigits(text, 0, 4, year) && ParseDigits(text, 5, 2, month) &&
                      ParseDigits(text, 8, 2, day);
  if (!shaped || year < 1900 || month < 1 || month > 12 || day < 1 ||
      day > DaysInMonth(year, month)) {
    throw InvalidInput(context + " is '" + text + "'; expected a date YYYY-MM-DD");
  }
  return IsoDate(year, month, day);
}

bool IsoDate::IsValid(const std::string& text) {
  try {
    Parse(text, "date");
    return true;
  } catch (const InvalidInput&) {
    return false;
  }
}

IsoDate IsoDate::TodayUtc() {
  const auto now = std::chrono::system_clock::now();
  const auto days = std::chrono::duration_cast<std::chrono::days>(now.time_since_epoch()).count();
  return FromDayNumber(days);
}

std::int64_t IsoDate::DayNumber() const {
  // H. Hinnant, "chrono-Compatible Low-Level Date Algorithms", days_from_civil.
  const std::int64_t y = m_Month <= 2 ? m_Year - 1 : m_Year;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const std::int64_t yearOfEra = y - era * 400;
  const std::int64_t dayOfYear = (153 * (m_Month + (m_Month > 2 ? -3 : 9)) + 2) / 5 + m_Day - 1;
  const std::int64_t dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

IsoDate IsoDate::FromDayNumber(std::int64_t dayNumber) {
  // H. Hinnant, civil_from_days.
  const std::int64_t z = dayNumber + 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const std::int64_t dayOfEra = z - era * 146097;
  const std::int64_t yearOfEra =
      (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
  const std::int64_t dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
  const std::int64_t mp = (5 * dayOfYear + 2) / 153;
  const int day = static_cast<int>(dayOfYear - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  const int year = static_cast<int>(yearOfEra + era * 400 + (month <= 2 ? 1 : 0));
  return IsoDate(year, month, day);
}

std::string IsoDate::ToString() const {
  char text[48]; // room for any int (GCC checks the worst case)
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", m_Year, m_Month, m_Day);
  return text;
}

std::int64_t IsoDate::DaysBetween(const IsoDate& from, const IsoDate& to) {
  return to.DayNumber() - from.DayNumber();
}

} // namespace seedplan::study
