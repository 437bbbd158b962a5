// See Tg43Yardstick.h. Compiled with -O3 -march=native -ffast-math -fopenmp (bench/CMakeLists.txt);
// no template of the standard library is instantiated here (no fast-math copy to share). Compiled
// a second time with -O3 -mavx2 -mfma -ffast-math (no AVX-512) as YardstickDoseRateAvx2: the
// yardstick of an AVX2-only machine (issue 12's AVX2 comparison).

#include "Tg43Yardstick.h"

#include <cmath>
#include <math.h> // atan2f, sinf: declared `omp declare simd` (libmvec) under -ffast-math

#ifndef SEEDPLAN_YARDSTICK_FUNCTION
#define SEEDPLAN_YARDSTICK_FUNCTION YardstickDoseRate
#endif

namespace seedplan::bench {

void SEEDPLAN_YARDSTICK_FUNCTION(const YardstickTables& tables, const YardstickSeed* seeds,
                                 int seedCount, const YardstickGrid& grid, float* out) {
  const std::int64_t nx = grid.size[0], ny = grid.size[1], nz = grid.size[2];
  const float cutoff2 = tables.cutoffCm * tables.cutoffCm;
  const float length = tables.activeLengthCm;
  const float quarterLength2 = 0.25f * length * length;
  const float invG0 = 1.0f / tables.geometryReference;
  const float invRadialStep = 1.0f / tables.radialStepCm;
  const float invAnisotropyStep = 1.0f / tables.anisotropyRadialStepCm;
  const float degPerRad = 57.29577951308232f;
  const float lastRadial = float(tables.radialCount - 2);
  const float lastAnisotropyRadial = float(tables.anisotropyRadialCount - 2);
  const int angles = tables.anisotropyAngleCount;
  const float* g = tables.radialDose;
  const float minimumRadius = tables.minimumRadiusCm;
  const float* f = tables.anisotropy;
#pragma omp parallel for schedule(dynamic, 4)
  for (std::int64_t row = 0; row < ny * nz; ++row) {
    const std::int64_t j = row % ny, k = row / ny;
    float* line = out + row * nx;
    const float y0 = grid.originCm[1] + float(j) * grid.spacingCm[1];
    const float z0 = grid.originCm[2] + float(k) * grid.spacingCm[2];
    for (int s = 0; s < seedCount; ++s) {
      const YardstickSeed& seed = seeds[s];
      const float dy = y0 - seed.centreCm[1], dz = z0 - seed.centreCm[2];
      const float rest = cutoff2 - dy * dy - dz * dz;
      if (rest < 0.0f) {
        continue;
      }
      // Voxels of the row within the cutoff (in float; no test inside the loop, whose `?:` would
      // keep GCC 12 from vectorising it).
      const float half = sqrtf(rest);
      const float xLow = (seed.centreCm[0] - half - grid.originCm[0]) / grid.spacingCm[0];
      const float xHigh = (seed.centreCm[0] + half - grid.originCm[0]) / grid.spacingCm[0];
      const std::int64_t first = xLow < 0.0f ? 0 : std::int64_t(std::ceil(xLow));
      const std::int64_t last = xHigh > float(nx - 1) ? nx - 1 : std::int64_t(std::floor(xHigh));
      const float dose0 = seed.strengthU * tables.lambda * invG0;
      const float x0 = grid.originCm[0] - seed.centreCm[0], sx = grid.spacingCm[0];
      const float ax = seed.axis[0], ay = seed.axis[1], az = seed.axis[2];
      // A 32-bit index: AVX2 has no 64-bit integer to float conversion, which would keep the loop
      // scalar on an AVX2-only machine (rows are far shorter than 2^31).
#pragma omp simd
      for (int i = int(first); i <= int(last); ++i) {
        const float dx = x0 + float(i) * sx;
        const float r2 = dx * dx + dy * dy + dz * dz;
        const float r = sqrtf(r2);
        const float rc = fmaxf(r, minimumRadius);
        const float along = fabsf(dx * ax + dy * ay + dz * az);
        const float away = sqrtf(fmaxf(r2 - along * along, 0.0f));
        const float theta = atan2f(away, along); // 0..π/2
        const float y = fmaxf(rc * sinf(theta), 1e-6f);
        const float beta = atan2f(length * y, rc * rc - quarterLength2);
        const float geometry = beta / (length * y);
        const float fr = fminf(rc * invRadialStep, lastRadial);
        const int ir = int(fr);
        const float wr = fr - float(ir);
        const float radial = g[ir] + wr * (g[ir + 1] - g[ir]);
        const float fa = fminf(rc * invAnisotropyStep, lastAnisotropyRadial);
        const int ia = int(fa);
        const float wa = fa - float(ia);
        const float ft = fminf(theta * degPerRad, float(angles - 2));
        const int it = int(ft);
        const float wt = ft - float(it);
        const int cell = ia * angles + it;
        const float f0 = f[cell] + wt * (f[cell + 1] - f[cell]);
        const float f1 = f[cell + angles] + wt * (f[cell + angles + 1] - f[cell + angles]);
        const float anisotropy = f0 + wa * (f1 - f0);
        line[i] += dose0 * geometry * radial * anisotropy;
      }
    }
  }
}

} // namespace seedplan::bench
