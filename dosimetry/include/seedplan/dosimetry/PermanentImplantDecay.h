#pragma once

namespace seedplan::dosimetry {

/// Radioactive decay of a permanent implant (TG-43U1 section on permanent implants; DESIGN.md):
/// dose rate Ḋ(t) = Ḋ0 e^(−t/τ), τ = T½/ln 2; total dose D(∞) = Ḋ0 τ; dose by time t
/// D(t) = Ḋ0 τ (1 − e^(−t/τ)). Strength decays the same way from the assay date to the implant
/// date. Dose rates in cGy/h, doses in Gy, times in hours or days as named.
class PermanentImplantDecay {
public:
  /// Throws InvalidInput if the half-life is not positive and finite.
  explicit PermanentImplantDecay(double halfLifeDays);

  double HalfLifeDays() const { return m_HalfLifeDays; }
  double MeanLifeHours() const { return m_MeanLifeHours; }

  /// D(∞) in Gy from the initial dose rate in cGy/h.
  double TotalDoseGy(double initialDoseRateCGyPerH) const;
  /// D(t) in Gy delivered by `hours` after the implant (t >= 0).
  double DoseDeliveredGy(double initialDoseRateCGyPerH, double hours) const;
  /// Factor that turns an initial dose rate in cGy/h into a total dose in Gy (τ / 100).
  double TotalDoseGyPerCGyPerH() const;
  /// Strength after `elapsedDays` (may be negative for a date before the assay).
  double DecayedStrength(double strength, double elapsedDays) const;

private:
  double m_HalfLifeDays;
  double m_MeanLifeHours;
};

} // namespace seedplan::dosimetry
