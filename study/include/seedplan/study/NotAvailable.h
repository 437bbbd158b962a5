#pragma once
// How the outcome statistics say "no value": a quiet NaN, written `NA` in every output (R's
// convention). A statistic is NA when it is undefined (a median not reached, a confidence limit
// of S = 0, a Cox model with a monotone likelihood), never 0 and never a huge number.

#include <cmath>
#include <limits>

namespace seedplan::study {

/// The missing value of every statistic in this module.
inline constexpr double kNotAvailable = std::numeric_limits<double>::quiet_NaN();

/// True if `value` is the missing value (any NaN).
inline bool IsNotAvailable(double value) {
  return std::isnan(value);
}

} // namespace seedplan::study
