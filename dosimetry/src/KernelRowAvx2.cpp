// The dose engine's inner loops for CPUs with AVX2 and FMA (8 lanes; the last partial vector uses
// masked loads and stores, so there is no scalar tail). This file alone is compiled with -mavx2
// -mfma; it is called only after the run-time check of SimdPath.cpp.

#include "KernelRowImpl.h"

#include <immintrin.h>

namespace seedplan::dosimetry::detail {

namespace {

struct Avx2 {
  using F = __m256;
  using I = __m256i;
  using M = __m256; ///< all bits set in the lanes that are on
  static constexpr int kWidth = 8;

  static F Set(float v) { return _mm256_set1_ps(v); }
  static I SetI(std::int32_t v) { return _mm256_set1_epi32(v); }
  static F Zero() { return _mm256_setzero_ps(); }
  static F LaneIndex() { return _mm256_setr_ps(0, 1, 2, 3, 4, 5, 6, 7); }
  static F Add(F a, F b) { return _mm256_add_ps(a, b); }
  static F Sub(F a, F b) { return _mm256_sub_ps(a, b); }
  static F Mul(F a, F b) { return _mm256_mul_ps(a, b); }
  static F Div(F a, F b) { return _mm256_div_ps(a, b); }
  /// 1/a: the 12-bit estimate and one Newton step (relative error ~1e-7, a fraction of the cost
  /// of a division).
  static F Rcp(F a) {
    const F r = _mm256_rcp_ps(a);
    return _mm256_mul_ps(r, _mm256_fnmadd_ps(a, r, _mm256_set1_ps(2.0f)));
  }
  static F Fma(F a, F b, F c) { return _mm256_fmadd_ps(a, b, c); }
  static F Fms(F a, F b, F c) { return _mm256_fmsub_ps(a, b, c); }
  static F Fnma(F a, F b, F c) { return _mm256_fnmadd_ps(a, b, c); }
  static F Min(F a, F b) { return _mm256_min_ps(a, b); }
  static F Max(F a, F b) { return _mm256_max_ps(a, b); }
  static F Sqrt(F a) { return _mm256_sqrt_ps(a); }
  static F Abs(F a) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), a); }
  static M Le(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_LE_OQ); }
  static M Lt(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
  static M Gt(F a, F b) { return _mm256_cmp_ps(a, b, _CMP_GT_OQ); }
  static M And(M a, M b) { return _mm256_and_ps(a, b); }
  static bool Any(M m) { return _mm256_movemask_ps(m) != 0; }
  static F Select(M m, F ifTrue, F ifFalse) { return _mm256_blendv_ps(ifFalse, ifTrue, m); }
  static F MaskZero(M m, F a) { return _mm256_and_ps(m, a); }
  static I Trunc(F a) { return _mm256_cvttps_epi32(a); }
  static F ToFloat(I a) { return _mm256_cvtepi32_ps(a); }
  static I MinI(I a, I b) { return _mm256_min_epi32(a, b); }
  static I AddI(I a, I b) { return _mm256_add_epi32(a, b); }
  static I MulI(I a, I b) { return _mm256_mullo_epi32(a, b); }
  static F Gather(M m, I index, const float* base) {
    return _mm256_mask_i32gather_ps(_mm256_setzero_ps(), base, index, m, 4);
  }
  static M FirstLanes(std::int64_t count) {
    const float lanes = count >= kWidth ? static_cast<float>(kWidth) : static_cast<float>(count);
    return _mm256_cmp_ps(LaneIndex(), _mm256_set1_ps(lanes), _CMP_LT_OQ);
  }
  static F Load(const float* p) { return _mm256_loadu_ps(p); }
  static void Store(float* p, F v) { _mm256_storeu_ps(p, v); }
  static F LoadMasked(const float* p, M m) { return _mm256_maskload_ps(p, _mm256_castps_si256(m)); }
  static void StoreMasked(float* p, M m, F v) { _mm256_maskstore_ps(p, _mm256_castps_si256(m), v); }
};

/// The lane order in which the indices of GatherPairs are given: lanes {0,1,4,5} then {2,3,6,7}.
inline __m256i SplitOrder(__m256i index) {
  return _mm256_permutevar8x32_epi32(index, _mm256_setr_epi32(0, 1, 4, 5, 2, 3, 6, 7));
}

/// For each of the 8 lanes, the 64-bit record pairs[2 index], pairs[2 index + 1] as two vectors
/// (first, second) in lane order; `split` is the index in SplitOrder. A 4-lane 64-bit gather
/// costs about a third of an 8-lane 32-bit one on the machines measured: the lanes {0,1,4,5} and
/// {2,3,6,7} are gathered separately so that one in-lane shuffle per half puts them back in
/// order. Every lane is gathered (the indices are clamped to the table, so inactive lanes read
/// valid nodes): an unmasked gather needs no mask widened to 64 bits, and ran ~1.5x faster.
[[gnu::always_inline]] inline void GatherPairs(__m256i split, const float* pairs, __m256& first,
                                               __m256& second) {
  const auto* base = reinterpret_cast<const double*>(pairs);
  // The masked form with every lane on: the same instruction, and GCC 12's unmasked intrinsic
  // fills its unused operand from an uninitialised variable (GCC bug 105593).
  const __m256d all = _mm256_castsi256_pd(_mm256_set1_epi32(-1));
  const __m256 low = _mm256_castpd_ps(
      _mm256_mask_i32gather_pd(_mm256_setzero_pd(), base, _mm256_castsi256_si128(split), all, 8));
  const __m256 high = _mm256_castpd_ps(_mm256_mask_i32gather_pd(
      _mm256_setzero_pd(), base, _mm256_extracti128_si256(split, 1), all, 8));
  first = _mm256_shuffle_ps(low, high, 0x88);
  second = _mm256_shuffle_ps(low, high, 0xDD);
}

/// floor(v) as an index in [0, highest] and the weight v - index, for v >= 0: v is clamped in
/// float first (min returns its second operand for a NaN, so a NaN gives `highest`). Lanes within
/// the cutoff never reach the clamp (the tables hold two nodes beyond it), so it only keeps the
/// others' reads inside the table.
[[gnu::always_inline]] inline __m256i IndexOf(__m256 v, std::int32_t highest, __m256& weight) {
  const __m256 clamped = _mm256_min_ps(v, _mm256_set1_ps(static_cast<float>(highest)));
  const __m256i index = _mm256_cvttps_epi32(clamped);
  weight = _mm256_sub_ps(clamped, _mm256_cvtepi32_ps(index));
  return index;
}

/// g · A from the uniform tables, each interval's two nodes fetched as one 64-bit record.
struct PairGatherLookup {
  template <class V, KernelKind kKind>
  static __m256 Evaluate(const KernelView& kernel, const SeedFrame<V>& frame) {
    const __m256 zero = _mm256_setzero_ps();
    __m256 wg, wa;
    const __m256i ig = IndexOf(_mm256_mul_ps(frame.rc, _mm256_set1_ps(kernel.invRadialStepCm)),
                               kernel.radialCount - 2, wg);
    __m256 g0, g1;
    GatherPairs(SplitOrder(ig), kernel.radialPairs, g0, g1);
    const __m256 radial = _mm256_max_ps(_mm256_fmadd_ps(wg, _mm256_sub_ps(g1, g0), g0), zero);
    const __m256i ia =
        IndexOf(_mm256_mul_ps(frame.rc, _mm256_set1_ps(kernel.invAnisotropyRadialStepCm)),
                kernel.anisotropyRadialCount - 2, wa);
    __m256 anisotropy;
    if constexpr (kKind == KernelKind::Line2D) {
      const std::int32_t angles = kernel.anisotropyAngleCount;
      // θ is within [0, π/2] by construction (no NaN), so its index needs only the clamp that
      // sends θ = 90° (the last node) to the last interval, with weight 1.
      const __m256 ft = _mm256_mul_ps(frame.theta, _mm256_set1_ps(kernel.invAngleStepRad));
      const __m256i it = _mm256_min_epi32(_mm256_cvttps_epi32(ft), _mm256_set1_epi32(angles - 2));
      const __m256 wt = _mm256_sub_ps(ft, _mm256_cvtepi32_ps(it));
      const __m256i split0 =
          SplitOrder(_mm256_add_epi32(_mm256_mullo_epi32(ia, _mm256_set1_epi32(angles)), it));
      __m256 k00, k01, k10, k11;
      GatherPairs(split0, kernel.anisotropyPairs, k00, k01);
      GatherPairs(_mm256_add_epi32(split0, _mm256_set1_epi32(angles)), kernel.anisotropyPairs, k10,
                  k11);
      const __m256 k0 = _mm256_fmadd_ps(wt, _mm256_sub_ps(k01, k00), k00);
      const __m256 k1 = _mm256_fmadd_ps(wt, _mm256_sub_ps(k11, k10), k10);
      anisotropy = _mm256_fmadd_ps(wa, _mm256_sub_ps(k1, k0), k0);
    } else {
      __m256 k0, k1;
      GatherPairs(SplitOrder(ia), kernel.anisotropyPairs, k0, k1);
      anisotropy = _mm256_fmadd_ps(wa, _mm256_sub_ps(k1, k0), k0);
    }
    return _mm256_mul_ps(radial, _mm256_max_ps(anisotropy, zero));
  }
};

} // namespace

KernelFunctions Avx2Functions() {
  return {&Row<Avx2, PairGatherLookup>, &Points<Avx2, PairGatherLookup>, &AddScaled<Avx2>};
}

} // namespace seedplan::dosimetry::detail
