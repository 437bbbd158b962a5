// The dose engine's inner loops for CPUs with AVX-512F (16 lanes, masked loads and stores, so no
// scalar tail; g and F from in-register tables, CompactTables.h, so no gathers). This file alone is
// compiled with -mavx512f -mfma; it is called only after the run-time check of SimdPath.cpp.

// GCC 12's avx512fintrin.h fills the unused operand of _mm512_max_ps, _mm512_sqrt_ps and others
// from a self-initialised variable (GCC bug 105593, fixed in GCC 13), which -Wuninitialized
// reports at every inlined use. Silenced for this file only: the template body it instantiates is
// checked with these warnings on by KernelRowScalar.cpp and KernelRowAvx2.cpp.
// Clang (the fuzz build) has neither the bug nor -Wmaybe-uninitialized.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

#include "CompactTables.h"
#include "KernelRowImpl.h"

#include <immintrin.h>

namespace seedplan::dosimetry::detail {

namespace {

struct Avx512 {
  using F = __m512;
  using I = __m512i;
  using M = __mmask16;
  static constexpr int kWidth = 16;

  static F Set(float v) { return _mm512_set1_ps(v); }
  static I SetI(std::int32_t v) { return _mm512_set1_epi32(v); }
  static F Zero() { return _mm512_setzero_ps(); }
  static F LaneIndex() {
    return _mm512_setr_ps(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  }
  static F Add(F a, F b) { return _mm512_add_ps(a, b); }
  static F Sub(F a, F b) { return _mm512_sub_ps(a, b); }
  static F Mul(F a, F b) { return _mm512_mul_ps(a, b); }
  static F Div(F a, F b) { return _mm512_div_ps(a, b); }
  /// 1/a: the 14-bit estimate and one Newton step (relative error ~1e-8, a fraction of the cost
  /// of a division).
  static F Rcp(F a) {
    const F r = _mm512_rcp14_ps(a);
    return _mm512_mul_ps(r, _mm512_fnmadd_ps(a, r, _mm512_set1_ps(2.0f)));
  }
  static F Fma(F a, F b, F c) { return _mm512_fmadd_ps(a, b, c); }
  static F Fms(F a, F b, F c) { return _mm512_fmsub_ps(a, b, c); }
  static F Fnma(F a, F b, F c) { return _mm512_fnmadd_ps(a, b, c); }
  static F Min(F a, F b) { return _mm512_min_ps(a, b); }
  static F Max(F a, F b) { return _mm512_max_ps(a, b); }
  static F Sqrt(F a) { return _mm512_sqrt_ps(a); }
  static F Abs(F a) { return _mm512_abs_ps(a); }
  static M Le(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_LE_OQ); }
  static M Lt(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
  static M Gt(F a, F b) { return _mm512_cmp_ps_mask(a, b, _CMP_GT_OQ); }
  static M And(M a, M b) { return static_cast<M>(a & b); }
  static bool Any(M m) { return m != 0; }
  static F Select(M m, F ifTrue, F ifFalse) { return _mm512_mask_blend_ps(m, ifFalse, ifTrue); }
  static F MaskZero(M m, F a) { return _mm512_maskz_mov_ps(m, a); }
  static I Trunc(F a) { return _mm512_cvttps_epi32(a); }
  static F ToFloat(I a) { return _mm512_cvtepi32_ps(a); }
  static I MinI(I a, I b) { return _mm512_min_epi32(a, b); }
  static I AddI(I a, I b) { return _mm512_add_epi32(a, b); }
  static I MulI(I a, I b) { return _mm512_mullo_epi32(a, b); }
  static F Gather(M m, I index, const float* base) {
    return _mm512_mask_i32gather_ps(_mm512_setzero_ps(), m, index, base, 4);
  }
  static M FirstLanes(std::int64_t count) {
    return count >= kWidth ? static_cast<M>(0xFFFF) : static_cast<M>((1u << count) - 1u);
  }
  static F Load(const float* p) { return _mm512_loadu_ps(p); }
  static void Store(float* p, F v) { _mm512_storeu_ps(p, v); }
  static F LoadMasked(const float* p, M m) { return _mm512_maskz_loadu_ps(m, p); }
  static void StoreMasked(float* p, M m, F v) { _mm512_mask_storeu_ps(p, m, v); }
};

/// 32-entry table lookups: two registers, indexed by the low five bits.
inline __m512 Lookup(const float* table, __m512i index) {
  return _mm512_permutex2var_ps(_mm512_load_ps(table), index, _mm512_load_ps(table + 16));
}

/// Interval k (number of nodes <= v) of a PiecewiseLinear32: its coarse map, then comparisons.
inline __m512i IntervalOf(const PiecewiseLinear32& table, __m512 v) {
  __m512i cell = _mm512_cvttps_epi32(
      _mm512_fmadd_ps(v, _mm512_set1_ps(table.mapScale), _mm512_set1_ps(table.mapOffset)));
  cell = _mm512_min_epi32(_mm512_max_epi32(cell, _mm512_setzero_si512()), _mm512_set1_epi32(31));
  __m512i k = _mm512_permutex2var_epi32(_mm512_load_si512(table.mapBase), cell,
                                        _mm512_load_si512(table.mapBase + 16));
  for (std::int32_t n = 0; n < table.refinements; ++n) {
    const __mmask16 beyond = _mm512_cmp_ps_mask(v, Lookup(table.nodeAt, k), _CMP_GE_OQ);
    k = _mm512_mask_add_epi32(k, beyond, k, _mm512_set1_epi32(1));
  }
  return k;
}

/// value[k] + slope[k] (v - left[k]).
inline __m512 Linear(const PiecewiseLinear32& table, __m512i k, __m512 v) {
  return _mm512_fmadd_ps(Lookup(table.slope, k), _mm512_sub_ps(v, Lookup(table.left, k)),
                         Lookup(table.value, k));
}

/// g · A from the compact tables: the same piecewise-linear functions as the uniform tables
/// (the published nodes themselves), without a gather.
struct InRegisterLookup {
  template <class V, KernelKind kKind>
  static __m512 Evaluate(const KernelView& kernel, const SeedFrame<V>& frame) {
    const CompactTables& tables = *kernel.compact;
    const __m512 zero = _mm512_setzero_ps();
    const __m512 rc = frame.rc;
    const __m512 radial =
        _mm512_max_ps(Linear(tables.radial, IntervalOf(tables.radial, rc), rc), zero);
    if constexpr (kKind != KernelKind::Line2D) {
      return _mm512_mul_ps(radial, Linear(tables.factor, IntervalOf(tables.factor, rc), rc));
    } else {
      const __m512i k = IntervalOf(tables.angle, frame.theta);
      const __m512 dTheta = _mm512_sub_ps(frame.theta, Lookup(tables.angle.left, k));
      __m512 anisotropy = zero;
      for (std::int32_t i = 0; i < tables.rows; ++i) {
        const __m512 rising = _mm512_max_ps(
            _mm512_fmadd_ps(rc, _mm512_set1_ps(tables.tentA[i]), _mm512_set1_ps(tables.tentC[i])),
            _mm512_set1_ps(tables.tentLow[i]));
        const __m512 falling = _mm512_max_ps(
            _mm512_fmadd_ps(rc, _mm512_set1_ps(tables.tentB[i]), _mm512_set1_ps(tables.tentE[i])),
            _mm512_set1_ps(tables.tentLow2[i]));
        const __m512 row =
            _mm512_fmadd_ps(Lookup(tables.rowSlope[i], k), dTheta, Lookup(tables.rowValue[i], k));
        anisotropy = _mm512_fmadd_ps(_mm512_min_ps(rising, falling), row, anisotropy);
      }
      return _mm512_mul_ps(radial, _mm512_max_ps(anisotropy, zero));
    }
  }
};

void RowAvx512(const KernelView& kernel, const RowTask& task, float* row) {
  if (kernel.compact != nullptr) {
    Row<Avx512, InRegisterLookup>(kernel, task, row);
  } else {
    Row<Avx512, GatherLookup>(kernel, task, row);
  }
}

void PointsAvx512(const KernelView& kernel, const PointTask& task, float* out) {
  if (kernel.compact != nullptr) {
    Points<Avx512, InRegisterLookup>(kernel, task, out);
  } else {
    Points<Avx512, GatherLookup>(kernel, task, out);
  }
}

} // namespace

KernelFunctions Avx512Functions() {
  return {&RowAvx512, &PointsAvx512, &AddScaled<Avx512>};
}

} // namespace seedplan::dosimetry::detail
