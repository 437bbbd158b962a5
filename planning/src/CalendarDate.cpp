#include "seedplan/planning/CalendarDate.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/Log.h"
#include "seedplan/core/TextParsing.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>

namespace seedplan::planning {

namespace {

constexpr int kMinimumYear = 1;
constexpr int kMaximumYear = 9999;

bool IsValidDay(int year, int month, int day) {
  return year >= kMinimumYear && year <= kMaximumYear && month >= 1 && month <= 12 && day >= 1 &&
         day <= CalendarDate::DaysInMonth(year, month);
}

bool IsDigit(char c) {
  return c >= '0' && c <= '9';
}

/// Digits [begin, begin + count) of `text` as a number; the caller has checked they are digits.
int Digits(const std::string& text, std::size_t begin, std::size_t count) {
  int value = 0;
  for (std::size_t i = begin; i < begin + count; ++i) {
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

/// The date one calendar year after `date` (29 February goes to 28 February).
CalendarDate OneYearAfter(const CalendarDate& date) {
  const int year = date.Year() + 1;
  const int day = std::min(date.Day(), CalendarDate::DaysInMonth(year, date.Month()));
  return CalendarDate(year, date.Month(), day);
}

} // namespace

CalendarDate::CalendarDate(int year, int month, int day)
    : m_Year(year), m_Month(month), m_Day(day) {
  if (!IsValidDay(year, month, day)) {
    char text[64];
    std::snprintf(text, sizeof text, "%04d-%02d-%02d", year, month, day);
    throw InvalidInput(std::string("date ") + text +
                       " does not exist; expected a date YYYY-MM-DD (year 0001-9999)");
  }
}

bool CalendarDate::IsLeapYear(int year) {
  return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
}

int CalendarDate::DaysInMonth(int year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12) {
    return 0;
  }
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

bool CalendarDate::IsValid(const std::string& text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') {
    return false;
  }
  for (std::size_t i : {0u, 1u, 2u, 3u, 5u, 6u, 8u, 9u}) {
    if (!IsDigit(text[i])) {
      return false;
    }
  }
  return IsValidDay(Digits(text, 0, 4), Digits(text, 5, 2), Digits(text, 8, 2));
}

CalendarDate CalendarDate::Parse(const std::string& text, const std::string& context) {
  if (!IsValid(text)) {
    throw InvalidInput(context + " is '" + Excerpt(text) + "'; expected a date YYYY-MM-DD");
  }
  return CalendarDate(Digits(text, 0, 4), Digits(text, 5, 2), Digits(text, 8, 2));
}

CalendarDate CalendarDate::TodayUtc() {
  const auto now = std::chrono::system_clock::now();
  const auto days = std::chrono::floor<std::chrono::days>(now);
  return FromDayNumber(days.time_since_epoch().count());
}

std::string CalendarDate::ToString() const {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d", m_Year, m_Month, m_Day);
  return text;
}

std::int64_t CalendarDate::DayNumber() const {
  // days_from_civil (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms"): eras of 400
  // years (146097 days) starting on 1 March, so the leap day is the last day of a "year".
  const std::int64_t year = m_Month <= 2 ? m_Year - 1 : m_Year;
  const std::int64_t era = (year >= 0 ? year : year - 399) / 400;
  const std::int64_t yearOfEra = year - era * 400;
  const std::int64_t monthFromMarch = m_Month > 2 ? m_Month - 3 : m_Month + 9;
  const std::int64_t dayOfYear = (153 * monthFromMarch + 2) / 5 + m_Day - 1;
  const std::int64_t dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

CalendarDate CalendarDate::FromDayNumber(std::int64_t dayNumber) {
  // civil_from_days, the inverse of DayNumber().
  const std::int64_t shifted = dayNumber + 719468;
  const std::int64_t era = (shifted >= 0 ? shifted : shifted - 146096) / 146097;
  const std::int64_t dayOfEra = shifted - era * 146097;
  const std::int64_t yearOfEra =
      (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146096) / 365;
  const std::int64_t dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100);
  const std::int64_t monthFromMarch = (5 * dayOfYear + 2) / 153;
  const std::int64_t day = dayOfYear - (153 * monthFromMarch + 2) / 5 + 1;
  const std::int64_t month = monthFromMarch < 10 ? monthFromMarch + 3 : monthFromMarch - 9;
  const std::int64_t year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return CalendarDate(static_cast<int>(year), static_cast<int>(month), static_cast<int>(day));
}

CalendarDate CalendarDate::AddDays(std::int64_t days) const {
  return FromDayNumber(DayNumber() + days);
}

std::int64_t CalendarDate::DaysBetween(const CalendarDate& from, const CalendarDate& to) {
  return to.DayNumber() - from.DayNumber();
}

double CalendarDate::DecayedStrengthU(double assayStrengthU, double elapsedDays,
                                      double halfLifeDays) {
  if (!(assayStrengthU > 0.0) || !std::isfinite(assayStrengthU)) {
    throw InvalidInput("assay strength is " + FormatNumber(assayStrengthU) +
                       " U; expected a positive finite air-kerma strength");
  }
  if (!(halfLifeDays > 0.0) || !std::isfinite(halfLifeDays)) {
    throw InvalidInput("half-life is " + FormatNumber(halfLifeDays) +
                       " days; expected a positive finite number");
  }
  if (!std::isfinite(elapsedDays)) {
    throw InvalidInput("time from assay to implant is " + FormatNumber(elapsedDays) +
                       " days; expected a finite number");
  }
  return assayStrengthU * std::exp2(-elapsedDays / halfLifeDays);
}

double CalendarDate::DecayedStrengthU(double assayStrengthU, const CalendarDate& assay,
                                      const CalendarDate& implant, double halfLifeDays) {
  const std::int64_t elapsedDays = DaysBetween(assay, implant);
  const double strengthU =
      DecayedStrengthU(assayStrengthU, static_cast<double>(elapsedDays), halfLifeDays);
  const bool implantAfterAYear = implant > OneYearAfter(assay);
  const bool assayAfterAYear = assay > OneYearAfter(implant);
  if (implantAfterAYear || assayAfterAYear) {
    log::Warning("implant date " + implant.ToString() + " is " +
                 std::to_string(elapsedDays < 0 ? -elapsedDays : elapsedDays) + " days " +
                 (elapsedDays < 0 ? "before" : "after") + " the assay date " + assay.ToString() +
                 " (more than a year): the strength at implant is " +
                 FormatNumber(strengthU / assayStrengthU * 100.0, 4) +
                 " % of the assay strength; check both dates");
  }
  return strengthU;
}

} // namespace seedplan::planning
