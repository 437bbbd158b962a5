#pragma once
// Unit conversions named once (DESIGN.md: "convert once, in one named function"). Everything
// outside dosimetry's internals is in mm and Gy; TG-43 data are in cm and cGy/h.

#include <cmath>
#include <numbers>

namespace seedplan::units {

constexpr double kMmPerCm = 10.0;
constexpr double kCGyPerGy = 100.0;
constexpr double kHoursPerDay = 24.0;

constexpr double CmFromMm(double mm) {
  return mm / kMmPerCm;
}
constexpr double MmFromCm(double cm) {
  return cm * kMmPerCm;
}
constexpr double GyFromCGy(double cGy) {
  return cGy / kCGyPerGy;
}
constexpr double CGyFromGy(double gy) {
  return gy * kCGyPerGy;
}

/// Mean life tau = T1/2 / ln 2, in hours (125I: 59.4 d -> 2056.7 h).
inline double MeanLifeHours(double halfLifeDays) {
  return halfLifeDays * kHoursPerDay / std::numbers::ln2;
}

} // namespace seedplan::units
