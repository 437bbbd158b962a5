#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace seedplan::study {

/// A calendar day written YYYY-MM-DD (ISO 8601), proleptic Gregorian, years 1900-9999: the dates
/// of a study record (start of treatment, implant, follow-up, events). Day arithmetic counts whole
/// days through the day number since 1970-01-01 (H. Hinnant's days_from_civil), so month ends and
/// leap years come out right. (planning::CalendarDate does the same for plans; study/ must not
/// link planning, so the record has its own.)
class IsoDate {
public:
  IsoDate() = default;

  /// Parses exactly "YYYY-MM-DD" with a real day of a year from 1900 to 9999. Throws InvalidInput
  /// "<context> is '<text>'; expected a date YYYY-MM-DD" otherwise.
  static IsoDate Parse(const std::string& text, const std::string& context);
  static bool IsValid(const std::string& text);
  /// Today in UTC.
  static IsoDate TodayUtc();
  static IsoDate FromDayNumber(std::int64_t dayNumber);

  int Year() const { return m_Year; }
  int Month() const { return m_Month; }
  int Day() const { return m_Day; }
  std::string ToString() const;
  /// Days since 1970-01-01.
  std::int64_t DayNumber() const;
  /// Whole days from `from` to `to` (negative if `to` is earlier).
  static std::int64_t DaysBetween(const IsoDate& from, const IsoDate& to);

  auto operator<=>(const IsoDate&) const = default;

private:
  IsoDate(int year, int month, int day) : m_Year(year), m_Month(month), m_Day(day) {}
  int m_Year = 1970;
  int m_Month = 1;
  int m_Day = 1;
};

} // namespace seedplan::study
