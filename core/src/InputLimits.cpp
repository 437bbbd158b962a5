#include "seedplan/core/InputLimits.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"

#include <cmath>

namespace seedplan::limits {

void RequireInRange(double value, double low, double high, bool lowExclusive,
                    const std::string& context, const std::string& quantity,
                    const std::string& unit) {
  const bool aboveLow = lowExclusive ? value > low : value >= low;
  if (std::isfinite(value) && aboveLow && value <= high) {
    return;
  }
  const std::string suffix = unit.empty() ? std::string() : " " + unit;
  const std::string range =
      lowExclusive ? "greater than " + FormatNumber(low) + suffix + " and at most " +
                         FormatNumber(high) + suffix
                   : "from " + FormatNumber(low) + " to " + FormatNumber(high) + suffix;
  throw InvalidInput(context + " is " + FormatNumber(value) + suffix + "; expected " + quantity +
                     " " + range);
}

std::string DescribeBytes(std::uint64_t bytes) {
  static const char* const kUnits[] = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double value = static_cast<double>(bytes);
  if (value < 1024.0) {
    return std::to_string(bytes) + " bytes";
  }
  int unit = -1;
  while (value >= 1024.0 && unit < 5) {
    value /= 1024.0;
    ++unit;
  }
  return FormatNumber(value, 4) + " " + kUnits[unit];
}

} // namespace seedplan::limits
