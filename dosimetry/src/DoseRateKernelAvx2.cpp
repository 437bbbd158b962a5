// The dose-grid inner loop for CPUs with AVX2 and FMA (this file alone is compiled with -mavx2
// -mfma; callers check CpuHasAvx2Fma() first). Eight voxels of a row per step; the same arithmetic
// as AccumulateRowScalar except θ, which uses a polynomial arctangent instead of std::atan2.

#include "KernelRow.h"

#include <immintrin.h>
#include <numbers>

namespace seedplan::dosimetry::detail {

namespace {

/// arctan(x) for 0 <= x <= 1, Abramowitz & Stegun (1964) formula 4.4.49, |error| <= 2e-8 rad;
/// in single precision the error is that of float rounding (about 1e-7 rad).
inline __m256 ArcTanUnitInterval(__m256 x) {
  const __m256 x2 = _mm256_mul_ps(x, x);
  __m256 p = _mm256_set1_ps(0.0028662257f);
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-0.0161657367f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(0.0429096138f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-0.0752896400f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(0.1065626393f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-0.1420889944f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(0.1999355085f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-0.3333314528f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(1.0f));
  return _mm256_mul_ps(x, p);
}

} // namespace

void AccumulateRowAvx2(const KernelView& kernel, const RowTask& task, float* row) {
  const __m256 lane = _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7);
  const __m256 startX = _mm256_set1_ps(task.start[0]);
  const __m256 startY = _mm256_set1_ps(task.start[1]);
  const __m256 startZ = _mm256_set1_ps(task.start[2]);
  const __m256 stepX = _mm256_set1_ps(task.step[0]);
  const __m256 stepY = _mm256_set1_ps(task.step[1]);
  const __m256 stepZ = _mm256_set1_ps(task.step[2]);
  const __m256 axisX = _mm256_set1_ps(task.axis[0]);
  const __m256 axisY = _mm256_set1_ps(task.axis[1]);
  const __m256 axisZ = _mm256_set1_ps(task.axis[2]);
  const __m256 strength = _mm256_set1_ps(task.strengthU);
  const __m256 cutoff2 = _mm256_set1_ps(kernel.cutoffCm2);
  const __m256 minimumRadius = _mm256_set1_ps(kernel.minimumRadiusCm);
  const __m256 invRadialStep = _mm256_set1_ps(kernel.invRadialStepCm);
  const __m256 invAngleStep = _mm256_set1_ps(kernel.invAngleStepRad);
  const __m256 halfPi = _mm256_set1_ps(static_cast<float>(std::numbers::pi / 2));
  const __m256 zero = _mm256_setzero_ps();
  const __m256 tiny = _mm256_set1_ps(1e-30f);
  const __m256 signBit = _mm256_set1_ps(-0.0f);
  const __m256i lastRadialInterval = _mm256_set1_epi32(kernel.radialCount - 2);
  const __m256i lastAngleInterval = _mm256_set1_epi32(kernel.angleCount - 2);
  const __m256i angleCount = _mm256_set1_epi32(kernel.angleCount);
  const __m256i one = _mm256_set1_epi32(1);
  const bool twoD = kernel.angleCount > 1;

  std::int64_t i = task.first;
  for (; i + 7 <= task.last; i += 8) {
    const __m256 fi = _mm256_add_ps(_mm256_set1_ps(static_cast<float>(i)), lane);
    const __m256 x = _mm256_fmadd_ps(fi, stepX, startX);
    const __m256 y = _mm256_fmadd_ps(fi, stepY, startY);
    const __m256 z = _mm256_fmadd_ps(fi, stepZ, startZ);
    const __m256 r2 = _mm256_fmadd_ps(z, z, _mm256_fmadd_ps(y, y, _mm256_mul_ps(x, x)));
    const __m256 inside = _mm256_cmp_ps(r2, cutoff2, _CMP_LE_OQ);
    const __m256 rc = _mm256_max_ps(_mm256_sqrt_ps(r2), minimumRadius);
    const __m256 fr = _mm256_mul_ps(rc, invRadialStep);
    const __m256i ir = _mm256_min_epi32(_mm256_cvttps_epi32(fr), lastRadialInterval);
    const __m256 wr = _mm256_sub_ps(fr, _mm256_cvtepi32_ps(ir));
    __m256 value;
    if (twoD) {
      const __m256 alongSigned =
          _mm256_fmadd_ps(z, axisZ, _mm256_fmadd_ps(y, axisY, _mm256_mul_ps(x, axisX)));
      const __m256 along = _mm256_andnot_ps(signBit, alongSigned);
      const __m256 away = _mm256_sqrt_ps(_mm256_max_ps(_mm256_fnmadd_ps(along, along, r2), zero));
      // θ = atan2(away, along) in [0, π/2] from an arctangent on [0, 1].
      const __m256 small = _mm256_min_ps(away, along);
      const __m256 large = _mm256_max_ps(_mm256_max_ps(away, along), tiny);
      const __m256 a = ArcTanUnitInterval(_mm256_div_ps(small, large));
      const __m256 theta =
          _mm256_blendv_ps(a, _mm256_sub_ps(halfPi, a), _mm256_cmp_ps(away, along, _CMP_GT_OQ));
      const __m256 ft = _mm256_mul_ps(theta, invAngleStep);
      const __m256i it = _mm256_min_epi32(_mm256_cvttps_epi32(ft), lastAngleInterval);
      const __m256 wt = _mm256_sub_ps(ft, _mm256_cvtepi32_ps(it));
      const __m256i index00 = _mm256_add_epi32(_mm256_mullo_epi32(ir, angleCount), it);
      const __m256i index10 = _mm256_add_epi32(index00, angleCount);
      const __m256 k00 = _mm256_i32gather_ps(kernel.table, index00, 4);
      const __m256 k01 = _mm256_i32gather_ps(kernel.table, _mm256_add_epi32(index00, one), 4);
      const __m256 k10 = _mm256_i32gather_ps(kernel.table, index10, 4);
      const __m256 k11 = _mm256_i32gather_ps(kernel.table, _mm256_add_epi32(index10, one), 4);
      const __m256 k0 = _mm256_fmadd_ps(wt, _mm256_sub_ps(k01, k00), k00);
      const __m256 k1 = _mm256_fmadd_ps(wt, _mm256_sub_ps(k11, k10), k10);
      value = _mm256_fmadd_ps(wr, _mm256_sub_ps(k1, k0), k0);
    } else {
      const __m256 k0 = _mm256_i32gather_ps(kernel.table, ir, 4);
      const __m256 k1 = _mm256_i32gather_ps(kernel.table, _mm256_add_epi32(ir, one), 4);
      value = _mm256_fmadd_ps(wr, _mm256_sub_ps(k1, k0), k0);
    }
    const __m256 dose =
        _mm256_and_ps(_mm256_div_ps(_mm256_mul_ps(strength, value), _mm256_mul_ps(rc, rc)), inside);
    float* out = row + i;
    _mm256_storeu_ps(out, _mm256_add_ps(_mm256_loadu_ps(out), dose));
  }
  if (i <= task.last) {
    RowTask tail = task;
    tail.first = i;
    AccumulateRowScalar(kernel, tail, row);
  }
}

} // namespace seedplan::dosimetry::detail
