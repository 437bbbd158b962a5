// The dose engine's inner loops one lane at a time: the path for CPUs without AVX2 and the one
// SEEDPLAN_SIMD=scalar forces. The same arithmetic as the vector paths (the same polynomial
// arctangent and table lookup; products and sums unfused, since baseline x86-64 has no FMA), so
// that every path gives the same dose to float rounding.

#include "KernelRowImpl.h"

namespace seedplan::dosimetry::detail {

namespace {

struct Scalar {
  using F = float;
  using I = std::int32_t;
  using M = bool;
  static constexpr int kWidth = 1;

  static F Set(float v) { return v; }
  static I SetI(std::int32_t v) { return v; }
  static F Zero() { return 0.0f; }
  static F LaneIndex() { return 0.0f; }
  static F Add(F a, F b) { return a + b; }
  static F Sub(F a, F b) { return a - b; }
  static F Mul(F a, F b) { return a * b; }
  static F Div(F a, F b) { return a / b; }
  static F Rcp(F a) { return 1.0f / a; }
  static F Fma(F a, F b, F c) { return a * b + c; }
  static F Fms(F a, F b, F c) { return a * b - c; }
  static F Fnma(F a, F b, F c) { return c - a * b; }
  static F Min(F a, F b) { return b < a ? b : a; }
  static F Max(F a, F b) { return a < b ? b : a; }
  static F Sqrt(F a) { return __builtin_sqrtf(a); }
  static F Abs(F a) { return __builtin_fabsf(a); }
  static M Le(F a, F b) { return a <= b; }
  static M Lt(F a, F b) { return a < b; }
  static M Gt(F a, F b) { return a > b; }
  static M And(M a, M b) { return a && b; }
  static bool Any(M m) { return m; }
  static F Select(M m, F ifTrue, F ifFalse) { return m ? ifTrue : ifFalse; }
  static F MaskZero(M m, F a) { return m ? a : 0.0f; }
  static I Trunc(F a) { return static_cast<I>(a); }
  static F ToFloat(I a) { return static_cast<F>(a); }
  static I MinI(I a, I b) { return b < a ? b : a; }
  static I AddI(I a, I b) { return a + b; }
  static I MulI(I a, I b) { return a * b; }
  static F Gather(M m, I index, const float* base) { return m ? base[index] : 0.0f; }
  static M FirstLanes(std::int64_t count) { return count > 0; }
  static F Load(const float* p) { return *p; }
  static void Store(float* p, F v) { *p = v; }
  static F LoadMasked(const float* p, M m) { return m ? *p : 0.0f; }
  static void StoreMasked(float* p, M m, F v) {
    if (m) {
      *p = v;
    }
  }
};

} // namespace

KernelFunctions ScalarFunctions() {
  return GatherFunctionsOf<Scalar>();
}

} // namespace seedplan::dosimetry::detail
