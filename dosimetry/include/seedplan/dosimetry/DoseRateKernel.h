#pragma once

#include "seedplan/dosimetry/Formalism.h"
#include "seedplan/dosimetry/SourceModel.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace seedplan::dosimetry {

namespace detail {
struct CompactTables;
}

/// The dose rate of one seed model and formalism prepared for speed. TG-43U1 (Rivard et al. 2004,
/// Eqs. 1 and 11) factorises the dose rate per unit strength as
///   Ḋ/S_K = Λ [G(r, θ)/G(r0, θ0)] g(r) A(r, θ)
/// with (G, g, A) = (G_L, g_L, F) in 2D, (G_L at θ0, g_L, φ_an) for the 1D line source and
/// (1/r², g_P, φ_an) for the 1D point source. The geometry function is evaluated analytically at
/// every point (it carries the steep 1/r² and the near-source angular structure). g and A are
/// piecewise linear in r (and A = F linear in θ) between the published nodes: each is tabulated
/// on its own uniform grid whose step divides all of its nodes (6711: g every 0.05 cm; F every
/// 0.5 cm × 5°), so linear and bilinear lookups reproduce them exactly, including the linear
/// extrapolation beyond the last node and its clamp at zero (the tables hold the unclamped
/// continuation; the lookup clamps). The tables are tiny (6711, 10 cm: 202 + 418 floats) and
/// stay in L1. r < MinimumRadiusCm() is clamped to it, keeping the direction (SourceModel).
/// Agreement with SourceModel::DoseRatePerU (the direct formula) is tested to 0.05 % at 10^5
/// random points from 1 mm to the cutoff, for every model.
class DoseRateKernel {
public:
  /// Radii and angles are searched for a common step in multiples of these; tables whose nodes
  /// are not multiples fall back to them (the lookup is then no longer exact at the kinks).
  static constexpr double kRadialQuantumCm = 0.0025;
  static constexpr double kAngleQuantumDeg = 0.5;
  /// Cutoff bounds (cm): at least 10 cm (DESIGN.md), at most 100 cm (beyond the patient).
  static constexpr double kMinimumCutoffCm = 10.0;
  static constexpr double kMaximumCutoffCm = 100.0;

  /// One uniformly sampled, piecewise-linear factor: values[i * angleCount + j] at r = i Δr and
  /// (2D only) θ = j Δθ; at least two rows beyond the cutoff.
  struct Table {
    double radialStepCm = 0.0;
    double angleStepDeg = 90.0;
    int radialCount = 0;
    int angleCount = 1;
    std::vector<float> values;
    /// pairs[2n], pairs[2n + 1] = values[n], values[n + 1]: one 64-bit record per interval, for
    /// loops where a 64-bit gather costs less than two 32-bit ones (AVX2).
    std::vector<float> pairs;
  };

  /// `formalism` must be Line2D, Line1D or Point1D. Throws InvalidInput for a cutoff outside
  /// [10, 100] cm.
  DoseRateKernel(const SourceModel& model, Formalism formalism, double cutoffCm);

  /// The kernel of (model, formalism, cutoff), built once per process and shared while the model
  /// lives (the cache holds the model weakly).
  static std::shared_ptr<const DoseRateKernel>
  Shared(const std::shared_ptr<const SourceModel>& model, Formalism formalism, double cutoffCm);

  Formalism GetFormalism() const { return m_Formalism; }
  double CutoffCm() const { return m_CutoffCm; }
  double MinimumRadiusCm() const { return m_MinimumRadiusCm; }
  double ActiveLengthCm() const { return m_ActiveLengthCm; }
  /// Λ/G_L(r0, θ0) for the line formalisms, Λ r0² for the point one (cGy h^-1 U^-1 cm²).
  double Scale() const { return m_Scale; }
  /// g (g_L or g_P) and A (F or φ_an).
  const Table& RadialDose() const { return m_RadialDose; }
  const Table& Anisotropy() const { return m_Anisotropy; }

  /// The same g and A laid out for the engine's in-register lookup (internal); nullptr when a
  /// table exceeds that layout (then the uniform tables serve every path).
  const detail::CompactTables* Compact() const { return m_Compact.get(); }

  /// Dose rate per U (cGy h^-1 U^-1) in double precision from the tables and the analytic G; θ
  /// from the seed axis in radians (any value, folded into 0–90°); zero beyond the cutoff.
  double DoseRatePerU(double rCm, double thetaRad) const;

private:
  double Geometry(double rCm, double thetaRad) const;

  Formalism m_Formalism;
  double m_CutoffCm;
  double m_MinimumRadiusCm;
  double m_ActiveLengthCm;
  double m_Scale = 1.0;
  Table m_RadialDose;
  Table m_Anisotropy;
  std::shared_ptr<const detail::CompactTables> m_Compact;
};

} // namespace seedplan::dosimetry
