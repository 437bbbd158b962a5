#include "seedplan/dosimetry/PermanentImplantDecay.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/core/Units.h"

#include <cmath>
#include <numbers>

namespace seedplan::dosimetry {

PermanentImplantDecay::PermanentImplantDecay(double halfLifeDays)
    : m_HalfLifeDays(halfLifeDays), m_MeanLifeHours(units::MeanLifeHours(halfLifeDays)) {
  if (!(halfLifeDays > 0.0) || !std::isfinite(halfLifeDays)) {
    throw InvalidInput("half-life is " + FormatNumber(halfLifeDays) +
                       " days; expected a positive finite number");
  }
}

double PermanentImplantDecay::TotalDoseGyPerCGyPerH() const {
  return units::GyFromCGy(m_MeanLifeHours);
}

double PermanentImplantDecay::TotalDoseGy(double initialDoseRateCGyPerH) const {
  return initialDoseRateCGyPerH * TotalDoseGyPerCGyPerH();
}

double PermanentImplantDecay::DoseDeliveredGy(double initialDoseRateCGyPerH, double hours) const {
  if (!(hours >= 0.0)) {
    throw InvalidInput("time after implant is " + FormatNumber(hours) +
                       " h; expected a time >= 0 h");
  }
  // expm1 keeps the digits for t << τ.
  return -TotalDoseGy(initialDoseRateCGyPerH) * std::expm1(-hours / m_MeanLifeHours);
}

double PermanentImplantDecay::DecayedStrength(double strength, double elapsedDays) const {
  return strength * std::exp(-std::numbers::ln2 * elapsedDays / m_HalfLifeDays);
}

} // namespace seedplan::dosimetry
