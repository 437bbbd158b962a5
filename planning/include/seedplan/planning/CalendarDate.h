#pragma once

#include <compare>
#include <cstdint>
#include <string>

namespace seedplan::planning {

/// A calendar day (no time, no time zone) in the proleptic Gregorian calendar, years 0001–9999,
/// written YYYY-MM-DD (ISO 8601). Plans carry two: the assay (reference) date of the seeds'
/// strength and the implant date; the strength at implant is decayed between them (DESIGN.md,
/// Dosimetry). Day arithmetic counts whole days, via the day number since 1970-01-01 (H. Hinnant's
/// days_from_civil algorithm), so month ends and leap years (divisible by 4, except centuries not
/// divisible by 400) come out right.
class CalendarDate {
public:
  /// 1970-01-01.
  CalendarDate() = default;
  /// Throws InvalidInput if the year is outside 1–9999, the month outside 1–12 or the day outside
  /// that month's days.
  CalendarDate(int year, int month, int day);

  /// Parses exactly "YYYY-MM-DD" (four, two and two digits, a real day). Throws InvalidInput
  /// "<context> is '<text>'; expected a date YYYY-MM-DD" otherwise.
  static CalendarDate Parse(const std::string& text, const std::string& context);
  /// True if `text` is a date Parse accepts.
  static bool IsValid(const std::string& text);
  /// Today in UTC.
  static CalendarDate TodayUtc();

  static bool IsLeapYear(int year);
  static int DaysInMonth(int year, int month);

  int Year() const { return m_Year; }
  int Month() const { return m_Month; }
  int Day() const { return m_Day; }

  /// "YYYY-MM-DD".
  std::string ToString() const;
  /// Days since 1970-01-01 (negative before it).
  std::int64_t DayNumber() const;
  static CalendarDate FromDayNumber(std::int64_t dayNumber);
  CalendarDate AddDays(std::int64_t days) const;
  /// Whole days from `from` to `to` (negative if `to` is earlier).
  static std::int64_t DaysBetween(const CalendarDate& from, const CalendarDate& to);

  auto operator<=>(const CalendarDate&) const = default;

  /// Air-kerma strength (U) at the implant date from the strength at the assay date:
  /// S = S0 · 2^(−Δt/T½), Δt = implant − assay in days. An implant before the assay date is allowed
  /// (the strength is then higher); dates more than one year apart either way are almost certainly
  /// a typing error and give a warning (seedplan::log::Warning). Throws InvalidInput if the
  /// strength or the half-life is not positive and finite.
  static double DecayedStrengthU(double assayStrengthU, const CalendarDate& assay,
                                 const CalendarDate& implant, double halfLifeDays);
  /// The same for an elapsed time in days (may be negative), without the warning.
  static double DecayedStrengthU(double assayStrengthU, double elapsedDays, double halfLifeDays);

private:
  int m_Year = 1970;
  int m_Month = 1;
  int m_Day = 1;
};

} // namespace seedplan::planning
