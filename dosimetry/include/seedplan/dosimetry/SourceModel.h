#pragma once

#include "seedplan/dosimetry/Formalism.h"
#include "seedplan/dosimetry/SourceModelData.h"

#include <string>

namespace seedplan::dosimetry {

/// A 125I seed model for the AAPM TG-43U1 formalism (Rivard et al., Med Phys 31:633, 2004; the
/// 2007 and 2017 supplements), with the interpolation and extrapolation rules of the project stated
/// here, once (shared/reference/tg43/README.md):
///  - g_L, g_P: linear in r inside the table; below the first radius the first value; beyond the
///    last radius linear from the last two points, never below zero.
///  - F(r, θ): bilinear in (r, θ) inside the table; below the first radius the first radius' row;
///    beyond the last radius linear in r from the last two radii at fixed θ (AAPM/ESTRO 2012
///    report, Perez-Calatayud et al., corrigendum), never below zero; below the first tabulated
///    angle the first angle; θ > 90° uses 180° − θ.
///  - φ_an: linear in r inside the table, nearest value outside.
///  - Missing φ_an is derived from F and G_L by its TG-43U1 definition (Eq. 10: the solid-angle
///    weighted mean of the dose rate over θ divided by the dose rate at θ0), missing g_P from g_L
///    by g_P(r) = g_L(r) [G_L(r,θ0)/G_L(r0,θ0)] r^2 (r0 = 1 cm); both are flagged as derived.
///  - Inside the source TG-43 does not define the dose rate (on the axis G_L is singular for
///    r <= L/2). The dose rate at r < MinimumRadiusCm() is the one at MinimumRadiusCm() in the same
///    direction, with MinimumRadiusCm() = L/2 + 0.05 cm rounded up to 0.01 cm (and at least the
///    first g_L radius): 0.20 cm for L = 0.3 cm.
/// Distances in cm, angles from the seed's long axis, dose rates in cGy h^-1 per U of S_K.
class SourceModel {
public:
  /// Validates the data (throws DataFormat naming data.fileName and the element) and derives the
  /// missing g_P and φ_an.
  explicit SourceModel(SourceModelData data);

  static constexpr double kReferenceRadiusCm = 1.0;  ///< r0
  static constexpr double kReferenceAngleDeg = 90.0; ///< θ0

  const SourceModelData& Data() const { return m_Data; }
  const std::string& Id() const { return m_Data.id; }
  const std::string& Name() const { return m_Data.name; }
  bool IsSingleSource() const { return m_Data.dataStatus == "single-source"; }
  double DoseRateConstant() const { return m_Data.doseRateConstantCGyPerHPerU; }
  double ActiveLengthCm() const { return m_Data.activeLengthCm; }
  double HalfLifeDays() const { return m_Data.halfLifeDays; }
  double StrengthPerActivityUPerMCi() const { return m_Data.strengthPerActivityUPerMCi; }
  double MinimumRadiusCm() const { return m_MinimumRadiusCm; }

  bool RadialDosePointIsDerived() const { return m_Data.radialDosePoint.Empty(); }
  bool AnisotropyFactorIsDerived() const { return m_Data.anisotropyFactor.Empty(); }
  /// g_P table in use (published, or derived at the g_L radii).
  const RadialTable& RadialDosePointTable() const { return m_RadialDosePoint; }
  /// φ_an table in use (published, or derived at the F radii).
  const RadialTable& AnisotropyFactorTable() const { return m_AnisotropyFactor; }

  /// Line-source geometry function G_L(r, θ) in cm^-2 (TG-43U1 Eq. 4), exact, no clamping:
  /// β/(L r sinθ) off the axis with β = atan2(L y, r² − L²/4) (y = r sinθ), 1/(r² − L²/4) on it.
  /// Throws InvalidInput for r <= L/2 on the axis, where it is undefined.
  double GeometryLine(double rCm, double thetaRad) const;
  /// G_L(r0, θ0) = 2 atan(L/2)/L.
  double GeometryLineReference() const { return m_GeometryReference; }

  double RadialDoseLine(double rCm) const;
  double RadialDosePoint(double rCm) const;
  double Anisotropy2D(double rCm, double thetaDeg) const;
  double Anisotropy1D(double rCm) const;

  /// The solid-angle weighted mean of the 2D dose rate over θ at radius r, divided by the dose rate
  /// at θ0: TG-43U1 Eq. (10), the definition of φ_an(r). Used to derive φ_an and to check it.
  double SolidAngleAveragedAnisotropy(double rCm) const;

  /// Dose rate per unit air-kerma strength, cGy h^-1 U^-1, at distance r from the source centre
  /// and angle θ from its long axis (radians), by the given formalism (not Auto), with r clamped to
  /// MinimumRadiusCm(). The engine's direct formula; the tabulated kernel must agree with it.
  double DoseRatePerU(double rCm, double thetaRad, Formalism formalism) const;

private:
  void Validate() const;
  void Derive();

  SourceModelData m_Data;
  RadialTable m_RadialDosePoint;
  RadialTable m_AnisotropyFactor;
  double m_GeometryReference = 0.0;
  double m_MinimumRadiusCm = 0.0;
};

} // namespace seedplan::dosimetry
