#pragma once
// Internal: the inner loops of the dose engine in the form every instruction-set variant shares.
// One TG-43 kernel (DoseRateKernel) seen as plain floats, one row of voxels or one block of points
// for one seed, and the shift-and-add of a precomputed stamp. Everything in cm.
//
// The variants (KernelRowScalar.cpp, KernelRowAvx2.cpp, KernelRowAvx512.cpp) instantiate the one
// template of KernelRowImpl.h; only the AVX files are compiled with -mavx2/-mavx512f, and they are
// called only after SimdPath's run-time check, so the library runs on any x86-64.

#include <cstdint>

namespace seedplan::dosimetry::detail {

/// Which dose-rate equation a kernel evaluates (resolved formalism).
enum class KernelKind : std::int32_t { Line2D = 0, Line1D = 1, Point1D = 2 };

/// A DoseRateKernel as the inner loops read it. Dose rate per U at (r, θ):
///   scale · G(r_c, θ) · max(0, g(r_c)) · max(0, A(r_c, θ))
/// with r_c = max(r, minimumRadiusCm) (the direction kept), G the geometry function evaluated
/// analytically (G_L of TG-43U1 Eq. 4 for the line kinds, 1/r² for the point kind), g the radial
/// dose function (linear on nodes r = i·Δr_g) and A the anisotropy (F bilinear on r = i·Δr_A,
/// θ = j·Δθ; φ_an linear for the 1D kinds).
struct KernelView {
  const float* radialTable = nullptr; ///< g, radialCount values
  std::int32_t radialCount = 0;       ///< >= 2
  float invRadialStepCm = 0.0f;
  const float* radialPairs = nullptr;     ///< g[i], g[i + 1] for each i (DoseRateKernel::Table)
  const float* anisotropyTable = nullptr; ///< A, rows of anisotropyAngleCount values
  const float* anisotropyPairs = nullptr; ///< A[n], A[n + 1] for each n
  std::int32_t anisotropyRadialCount = 0; ///< >= 2
  std::int32_t anisotropyAngleCount = 1;  ///< >= 2 for Line2D, 1 otherwise
  float invAnisotropyRadialStepCm = 0.0f;
  float invAngleStepRad = 0.0f;
  float minimumRadiusCm = 0.0f;
  float cutoffCm2 = 0.0f;
  float activeLengthCm = 0.0f;    ///< L (line kinds)
  float quarterLength2Cm2 = 0.0f; ///< L²/4
  float scale = 1.0f;             ///< Λ/G_L(r0, θ0) for the line kinds, Λ r0² for the point
  KernelKind kind = KernelKind::Line2D;
  /// The same g and A for in-register lookup (CompactTables.h); nullptr if they do not fit, and
  /// then every path uses the uniform tables.
  const struct CompactTables* compact = nullptr;
};

/// One row of voxels for one seed: voxel i (first <= i <= last) is at start + i·step relative to
/// the seed centre; row[i] += scale · (dose rate per U).
struct RowTask {
  float start[3];
  float step[3];
  float axis[3]; ///< the seed's long axis (unit), unused by the 1D kinds
  float scale;   ///< S_K (U) times any unit factor
  std::int64_t first;
  std::int64_t last; ///< inclusive
};

/// A block of points (structure-of-arrays, cm, relative to one local origin) for one seed at
/// `seed` (same origin): out[n] += scale · (dose rate per U) for n < count.
struct PointTask {
  const float* x;
  const float* y;
  const float* z;
  std::int64_t count;
  float seed[3];
  float axis[3];
  float scale;
};

using RowFunction = void (*)(const KernelView&, const RowTask&, float* row);
using PointFunction = void (*)(const KernelView&, const PointTask&, float* out);
/// out[n] += scale · in[n] for 0 <= n < count (the shift-and-add of a stamp row).
using AddScaledFunction = void (*)(const float* in, float scale, std::int64_t count, float* out);

struct KernelFunctions {
  RowFunction row;
  PointFunction points;
  AddScaledFunction addScaled;
};

KernelFunctions ScalarFunctions();
KernelFunctions Avx2Functions();
KernelFunctions Avx512Functions();

} // namespace seedplan::dosimetry::detail
