#pragma once
// The yardstick of issue 12: a direct TG-43U1 2D dose-rate loop written the plain way and left to
// the compiler (Tg43Yardstick.cpp is compiled with -O3 -march=native -ffast-math -fopenmp, so it
// uses the widest vector unit of the machine it is built on, libmvec's vector atan2f/acosf and
// gathers). seedplan's engine is measured against its loop time. This header holds plain structs
// only: the fast-math translation unit shares no inline code with the project's.

#include <cstdint>

namespace seedplan::bench {

/// 6711-type 2D data resampled on uniform tables (filled from a SourceModel by the caller).
struct YardstickTables {
  const float* radialDose = nullptr; ///< g_L at r = n · radialStepCm
  int radialCount = 0;
  float radialStepCm = 0.0f;
  const float* anisotropy = nullptr; ///< F at (r = i · anisotropyRadialStepCm, θ = j · 1°)
  int anisotropyRadialCount = 0;
  float anisotropyRadialStepCm = 0.0f;
  int anisotropyAngleCount = 0; ///< 91: 0..90°
  float lambda = 0.0f;          ///< Λ, cGy h^-1 U^-1
  float activeLengthCm = 0.0f;
  float geometryReference = 0.0f; ///< G_L(1 cm, 90°)
  float minimumRadiusCm = 0.0f;
  float cutoffCm = 0.0f;
};

struct YardstickSeed {
  float centreCm[3];
  float axis[3];
  float strengthU;
};

/// Axis-aligned grid: voxel (i, j, k) at origin + (i, j, k) · spacing, cm.
struct YardstickGrid {
  float originCm[3];
  float spacingCm[3];
  std::int64_t size[3];
};

/// out (size[0]·size[1]·size[2] floats, zeroed by the caller) += dose rate (cGy/h) of the seeds;
/// OpenMP over rows, the voxels of a row within the cutoff vectorised with `omp simd`.
void YardstickDoseRate(const YardstickTables& tables, const YardstickSeed* seeds, int seedCount,
                       const YardstickGrid& grid, float* out);

/// The same loop compiled for an AVX2-only machine (-O3 -mavx2 -mfma -ffast-math, no AVX-512):
/// the yardstick of seedplan's AVX2 path (SEEDPLAN_SIMD=avx2).
void YardstickDoseRateAvx2(const YardstickTables& tables, const YardstickSeed* seeds, int seedCount,
                           const YardstickGrid& grid, float* out);

} // namespace seedplan::bench
