#pragma once
// Tolerances of the study statistics tests, each with the reason for its size.

namespace seedplan::test {

/// Values published to 4 significant digits (papers, textbooks): half a unit of the 4th digit is
/// at most 5e-4 of the value, so agreement "to 4 significant digits" is a relative difference
/// below 5e-4.
inline constexpr double kFourDigits = 5e-4;

/// Values copied from R's printed output with 7 to 10 significant digits (options(digits = 10)):
/// both sides compute in double precision with the same algorithm, so only the printing limits
/// the agreement.
inline constexpr double kRPrinted = 1e-6;

/// Relative difference, |a − b| / max(|b|, tiny).
inline double RelativeDifference(double a, double b) {
  const double scale = b < 0 ? -b : b;
  const double difference = a > b ? a - b : b - a;
  return scale > 1e-300 ? difference / scale : difference;
}

} // namespace seedplan::test
