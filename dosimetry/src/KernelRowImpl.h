#pragma once
// Internal: the one implementation of the dose engine's inner loops, written against a small
// vector interface V (V::F float lanes, V::I int32 lanes, V::M lane mask, V::kWidth lanes) that
// KernelRowScalar.cpp, KernelRowAvx2.cpp and KernelRowAvx512.cpp each define in an anonymous
// namespace. Every function here is a template on V or lives in an anonymous namespace, so the
// copies compiled with -mavx512f never stand in for the scalar ones at link time (no ODR merge of
// differently compiled inline code), and nothing from the standard library is called.
//
// The arithmetic (KernelRow.h): r, θ and G_L in float from the voxel's offset to the seed; g and
// F either by linear and bilinear lookups in the uniform tables (gathers; they stay in L1) or,
// where the vector unit can hold them (AVX-512, CompactTables), from in-register tables; no scalar
// tail (the last partial vector is masked), no libm call.

#include "KernelRow.h"

#include <type_traits>

namespace seedplan::dosimetry::detail {
namespace {

/// arctan(x)/x for 0 <= x <= 1 as a polynomial in x² (Abramowitz & Stegun 1964, formula 4.4.49:
/// |arctan(x) - x P(x²)| <= 2e-8 rad); in float the error is that of the rounding (~1e-7).
///
/// Evaluated by Estrin's scheme (pairs of terms, then pairs of pairs) rather than Horner's: the
/// same polynomial with a dependency chain of 4 FMAs instead of 8, since the loops are bound by the
/// latency of the chain r -> θ -> lookups.
template <class V> typename V::F ArcTanOverX(typename V::F x2) {
  using F = typename V::F;
  const F x4 = V::Mul(x2, x2);
  const F x8 = V::Mul(x4, x4);
  const F p01 = V::Fma(V::Set(-0.3333314528f), x2, V::Set(1.0f));
  const F p23 = V::Fma(V::Set(-0.1420889944f), x2, V::Set(0.1999355085f));
  const F p45 = V::Fma(V::Set(-0.0752896400f), x2, V::Set(0.1065626393f));
  const F p67 = V::Fma(V::Set(-0.0161657367f), x2, V::Set(0.0429096138f));
  const F p03 = V::Fma(p23, x4, p01);
  const F p47 = V::Fma(p67, x4, p45);
  const F p07 = V::Fma(p47, x8, p03);
  return V::Fma(V::Mul(V::Set(0.0028662257f), x8), x8, p07);
}

/// Points at least kFarLengths active lengths L from the seed centre have q = a/b = L y/(r² - L²/4)
/// <= L r/(r² - L²/4) <= sqrt(0.1) (the bound is reached at r = L (1 + sqrt(1.1))/(2 sqrt(0.1)) =
/// 3.239 L), so a <= b and atan(q)/q is its Taylor series 1 - y/3 + y²/5 - ... in y = q² <= 0.1:
/// truncated after y⁵, the error is below y⁶/13 <= 8e-8, the rounding of float.
constexpr double kFarLengths = 3.25;
template <class V> typename V::F FarSeriesOfArcTanOverX(typename V::F y) {
  using F = typename V::F;
  const F y2 = V::Mul(y, y);
  const F p01 = V::Fma(V::Set(-1.0f / 3.0f), y, V::Set(1.0f));
  const F p23 = V::Fma(V::Set(-1.0f / 7.0f), y, V::Set(1.0f / 5.0f));
  const F p45 = V::Fma(V::Set(-1.0f / 11.0f), y, V::Set(1.0f / 9.0f));
  return V::Fma(V::Fma(p45, y2, p23), y2, p01);
}

constexpr float kHalfPi = 1.57079632679489661923f;
/// Keeps 0/0 away when a point sits on the seed centre (handled separately below).
constexpr float kTiny = 1e-30f;

/// Where a point lies relative to a seed, as the lookups need it.
template <class V> struct SeedFrame {
  typename V::M inside;   ///< lanes within the cutoff (and active)
  typename V::F rc;       ///< max(r, r_min), cm
  typename V::F theta;    ///< angle from the axis folded into [0, π/2] (2D only)
  typename V::F geometry; ///< scale · G(r_c, θ)
};

/// The geometry part from a point's offset to the seed given as its component along the seed's
/// long axis (`along`, signed), its cross product with the axis (cx, cy, cz; its length is the
/// distance from the axis) and r² (the 1D kinds read only r²).
/// kMayBeNear false: the caller knows no lane is closer to the seed than r_min. kFar: the caller
/// knows every lane is at least kFarLengths active lengths away (see FarSeriesOfArcTanOverX).
template <class V, KernelKind kKind, bool kMayBeNear = true, bool kFar = false>
[[gnu::always_inline]] inline SeedFrame<V> FrameOf(const KernelView& kernel, typename V::F r2,
                                                   typename V::F alongSigned, typename V::F away2,
                                                   typename V::M active) {
  using F = typename V::F;
  using M = typename V::M;
  SeedFrame<V> frame;
  // A far row's voxels are those RowRange found within the cutoff (in double): no test here.
  frame.inside = kFar ? active : V::And(active, V::Le(r2, V::Set(kernel.cutoffCm2)));
  const F minimumRadius = V::Set(kernel.minimumRadiusCm);
  const F r = V::Sqrt(r2);
  const F rc = kFar ? r : V::Max(r, minimumRadius);
  frame.rc = rc;
  frame.theta = V::Set(kHalfPi);

  // G: TG-43U1 Eq. (4). With a = L y and b = r² - L²/4 (> 0 since r_c > L/2), β = atan2(a, b)
  // and G_L = β / a: for a <= b it is atan(a/b)/(a/b) / b, otherwise (π/2 - atan(b/a)) / a; one
  // reciprocal serves both the quotient and the division.
  if constexpr (kKind == KernelKind::Point1D) {
    frame.geometry = V::Mul(V::Set(kernel.scale), V::Rcp(V::Mul(rc, rc)));
  } else if constexpr (kFar) {
    // Far from the seed (r_c = r, a <= b): everything from squares, so that no square root but
    // that of q² lies on the chain to θ and the lookups (the loop is bound by that latency).
    F distance2 = r2; // (distance from the axis)², r² for the 1D line (θ0 = 90°)
    if constexpr (kKind == KernelKind::Line2D) {
      const F along2 = V::Mul(alongSigned, alongSigned);
      const F low2 = V::Min(away2, along2);
      const F high2 = V::Max(V::Max(away2, along2), V::Set(kTiny));
      const F q2 = V::Mul(low2, V::Rcp(high2));
      const F atanQ = V::Mul(V::Sqrt(q2), ArcTanOverX<V>(q2));
      frame.theta = V::Select(V::Gt(away2, along2), V::Sub(V::Set(kHalfPi), atanQ), atanQ);
      distance2 = away2;
    }
    const F inverse = V::Rcp(V::Sub(r2, V::Set(kernel.quarterLength2Cm2)));
    const F q2 = V::Mul(V::Mul(V::Set(kernel.activeLengthCm * kernel.activeLengthCm), distance2),
                        V::Mul(inverse, inverse));
    frame.geometry = V::Mul(V::Mul(FarSeriesOfArcTanOverX<V>(q2), V::Set(kernel.scale)), inverse);
  } else {
    F away = rc; // θ0 = 90° for the 1D line source
    if constexpr (kKind == KernelKind::Line2D) {
      F along = V::Abs(alongSigned);
      away = V::Sqrt(away2);
      // Inside r_min the dose is the one at r_min in the same direction: scale the offset.
      const M near = V::And(frame.inside, V::Lt(r, minimumRadius));
      if (kMayBeNear && V::Any(near)) {
        const F factor = V::Div(rc, V::Max(r, V::Set(kTiny)));
        away = V::Select(near, V::Mul(away, factor), away);
        along = V::Select(near, V::Mul(along, factor), along);
        // On the centre itself θ is taken as 90°, as the direct formula does.
        const M centre = V::And(near, V::Le(r2, V::Zero()));
        away = V::Select(centre, rc, away);
        along = V::Select(centre, V::Zero(), along);
      }
      // θ = atan2(away, along) in [0, π/2], folded about 90°.
      const F low = V::Min(away, along);
      const F high = V::Max(V::Max(away, along), V::Set(kTiny));
      const F q = V::Mul(low, V::Rcp(high));
      const F atanQ = V::Mul(q, ArcTanOverX<V>(V::Mul(q, q)));
      frame.theta = V::Select(V::Gt(away, along), V::Sub(V::Set(kHalfPi), atanQ), atanQ);
    } else {
      (void)alongSigned;
      (void)away2;
    }
    const F a = V::Mul(V::Set(kernel.activeLengthCm), away);
    const F b = V::Fms(rc, rc, V::Set(kernel.quarterLength2Cm2));
    const F low = V::Min(a, b);
    const F inverse = V::Rcp(V::Max(a, b));
    const F q = V::Mul(low, inverse);
    const F ratio = ArcTanOverX<V>(V::Mul(q, q)); // atan(q)/q
    const F beta = V::Select(V::Le(a, b), ratio, V::Fnma(q, ratio, V::Set(kHalfPi)));
    frame.geometry = V::Mul(V::Mul(beta, V::Set(kernel.scale)), inverse);
  }
  return frame;
}

/// The geometry part at offsets (x, y, z) cm from a seed with long axis (ax, ay, az).
template <class V, KernelKind kKind>
[[gnu::always_inline]] inline SeedFrame<V>
FrameAt(const KernelView& kernel, typename V::F x, typename V::F y, typename V::F z,
        typename V::F ax, typename V::F ay, typename V::F az, typename V::M active) {
  using F = typename V::F;
  const F r2 = V::Fma(z, z, V::Fma(y, y, V::Mul(x, x)));
  if constexpr (kKind == KernelKind::Line2D) {
    const F along = V::Fma(z, az, V::Fma(y, ay, V::Mul(x, ax)));
    // Distance from the axis as |offset x axis|: r² - along² would lose every digit next to
    // the axis, where F is steepest in θ.
    const F cx = V::Fms(y, az, V::Mul(z, ay));
    const F cy = V::Fms(z, ax, V::Mul(x, az));
    const F cz = V::Fms(x, ay, V::Mul(y, ax));
    const F away2 = V::Fma(cz, cz, V::Fma(cy, cy, V::Mul(cx, cx)));
    return FrameOf<V, kKind>(kernel, r2, along, away2, active);
  } else {
    (void)ax;
    (void)ay;
    (void)az;
    return FrameOf<V, kKind>(kernel, r2, r2, r2, active);
  }
}

/// g · A from the uniform tables by gathers: g linear and A bilinear (1D: linear) on their
/// nodes; the last interval serves anything beyond it (the tables hold two rows beyond the
/// cutoff, θ <= 90° is the last angle node). Both clamped at zero like the published
/// extrapolation (the tables hold its unclamped values).
struct GatherLookup {
  template <class V, KernelKind kKind>
  static typename V::F Evaluate(const KernelView& kernel, const SeedFrame<V>& frame) {
    using F = typename V::F;
    using I = typename V::I;
    const F fg = V::Mul(frame.rc, V::Set(kernel.invRadialStepCm));
    const I ig = V::MinI(V::Trunc(fg), V::SetI(kernel.radialCount - 2));
    const F wg = V::Sub(fg, V::ToFloat(ig));
    const F g0 = V::Gather(frame.inside, ig, kernel.radialTable);
    const F g1 = V::Gather(frame.inside, V::AddI(ig, V::SetI(1)), kernel.radialTable);
    const F radial = V::Max(V::Fma(wg, V::Sub(g1, g0), g0), V::Zero());
    const F fa = V::Mul(frame.rc, V::Set(kernel.invAnisotropyRadialStepCm));
    const I ia = V::MinI(V::Trunc(fa), V::SetI(kernel.anisotropyRadialCount - 2));
    const F wa = V::Sub(fa, V::ToFloat(ia));
    F anisotropy;
    if constexpr (kKind == KernelKind::Line2D) {
      const std::int32_t angles = kernel.anisotropyAngleCount;
      const F ft = V::Mul(frame.theta, V::Set(kernel.invAngleStepRad));
      const I it = V::MinI(V::Trunc(ft), V::SetI(angles - 2));
      const F wt = V::Sub(ft, V::ToFloat(it));
      const I index00 = V::AddI(V::MulI(ia, V::SetI(angles)), it);
      const I index10 = V::AddI(index00, V::SetI(angles));
      const float* table = kernel.anisotropyTable;
      const F k00 = V::Gather(frame.inside, index00, table);
      const F k01 = V::Gather(frame.inside, V::AddI(index00, V::SetI(1)), table);
      const F k10 = V::Gather(frame.inside, index10, table);
      const F k11 = V::Gather(frame.inside, V::AddI(index10, V::SetI(1)), table);
      const F k0 = V::Fma(wt, V::Sub(k01, k00), k00);
      const F k1 = V::Fma(wt, V::Sub(k11, k10), k10);
      anisotropy = V::Fma(wa, V::Sub(k1, k0), k0);
    } else {
      const F k0 = V::Gather(frame.inside, ia, kernel.anisotropyTable);
      const F k1 = V::Gather(frame.inside, V::AddI(ia, V::SetI(1)), kernel.anisotropyTable);
      anisotropy = V::Fma(wa, V::Sub(k1, k0), k0);
    }
    return V::Mul(radial, V::Max(anisotropy, V::Zero()));
  }
};

template <class V, KernelKind kKind, class Lookup, bool kMayBeNear, bool kFar>
void RowLoop(const KernelView& kernel, const RowTask& task, float* row) {
  using F = typename V::F;
  using M = typename V::M;
  const F scale = V::Set(task.scale);
  const F lanes = V::LaneIndex();
  // Along a row the offset is start + i·step, so its component along the axis and its cross
  // product with the axis are linear in i too: their row-invariant parts are formed once, in
  // double, and each voxel costs one FMA per component instead of the full products.
  double alongStart = 0.0, alongStep = 0.0, crossStart[3] = {}, crossStep[3] = {};
  for (int c = 0; c < 3; ++c) {
    const int c1 = (c + 1) % 3, c2 = (c + 2) % 3;
    alongStart += double(task.start[c]) * task.axis[c];
    alongStep += double(task.step[c]) * task.axis[c];
    crossStart[c] = double(task.start[c1]) * task.axis[c2] - double(task.start[c2]) * task.axis[c1];
    crossStep[c] = double(task.step[c1]) * task.axis[c2] - double(task.step[c2]) * task.axis[c1];
  }
  const F along0 = V::Set(float(alongStart)), alongD = V::Set(float(alongStep));
  const F cx0 = V::Set(float(crossStart[0])), cxD = V::Set(float(crossStep[0]));
  const F cy0 = V::Set(float(crossStart[1])), cyD = V::Set(float(crossStep[1]));
  const F cz0 = V::Set(float(crossStart[2])), czD = V::Set(float(crossStep[2]));
  const F startX = V::Set(task.start[0]), startY = V::Set(task.start[1]),
          startZ = V::Set(task.start[2]);
  const F stepX = V::Set(task.step[0]), stepY = V::Set(task.step[1]), stepZ = V::Set(task.step[2]);
  // The dose of the vector at voxel i added into row[i...]; full vectors load and store whole
  // (masked stores are slow on some CPUs), the last partial one is masked (no scalar tail).
  const auto add = [&](std::int64_t i, M active, auto whole) __attribute__((always_inline)) {
    const F fi = V::Add(V::Set(static_cast<float>(i)), lanes);
    SeedFrame<V> frame;
    if constexpr (kKind == KernelKind::Line2D) {
      const F along = V::Fma(fi, alongD, along0);
      const F cx = V::Fma(fi, cxD, cx0);
      const F cy = V::Fma(fi, cyD, cy0);
      const F cz = V::Fma(fi, czD, cz0);
      const F away2 = V::Fma(cz, cz, V::Fma(cy, cy, V::Mul(cx, cx)));
      frame = FrameOf<V, kKind, kMayBeNear, kFar>(kernel, V::Fma(along, along, away2), along, away2,
                                                  active);
    } else {
      const F x = V::Fma(fi, stepX, startX);
      const F y = V::Fma(fi, stepY, startY);
      const F z = V::Fma(fi, stepZ, startZ);
      const F r2 = V::Fma(z, z, V::Fma(y, y, V::Mul(x, x)));
      frame = FrameOf<V, kKind, true, kFar>(kernel, r2, r2, r2, active);
    }
    const F dose = V::MaskZero(
        frame.inside, V::Mul(frame.geometry, Lookup::template Evaluate<V, kKind>(kernel, frame)));
    float* out = row + i;
    if constexpr (decltype(whole)::value) {
      V::Store(out, V::Fma(dose, scale, V::Load(out)));
    } else {
      V::StoreMasked(out, active, V::Fma(dose, scale, V::LoadMasked(out, active)));
    }
  };
  std::int64_t i = task.first;
  const M all = V::FirstLanes(V::kWidth);
  for (; i + V::kWidth - 1 <= task.last; i += V::kWidth) {
    add(i, all, std::true_type{});
  }
  if (i <= task.last) {
    add(i, V::FirstLanes(task.last - i + 1), std::false_type{});
  }
}

template <class V, KernelKind kKind, class Lookup>
void PointLoop(const KernelView& kernel, const PointTask& task, float* out) {
  using F = typename V::F;
  const F seedX = V::Set(task.seed[0]), seedY = V::Set(task.seed[1]), seedZ = V::Set(task.seed[2]);
  const F axisX = V::Set(task.axis[0]), axisY = V::Set(task.axis[1]), axisZ = V::Set(task.axis[2]);
  const F scale = V::Set(task.scale);
  for (std::int64_t n = 0; n < task.count; n += V::kWidth) {
    const typename V::M active = V::FirstLanes(task.count - n);
    const F x = V::Sub(V::LoadMasked(task.x + n, active), seedX);
    const F y = V::Sub(V::LoadMasked(task.y + n, active), seedY);
    const F z = V::Sub(V::LoadMasked(task.z + n, active), seedZ);
    const SeedFrame<V> frame = FrameAt<V, kKind>(kernel, x, y, z, axisX, axisY, axisZ, active);
    const F dose = V::MaskZero(
        frame.inside, V::Mul(frame.geometry, Lookup::template Evaluate<V, kKind>(kernel, frame)));
    V::StoreMasked(out + n, active, V::Fma(dose, scale, V::LoadMasked(out + n, active)));
  }
}

/// How close a row comes to the seed.
enum class RowReach { Near, Middle, Far };

/// The row's closest approach to the seed (in double, with margins far above float rounding):
/// Near if a voxel may lie within r_min, Far if every voxel is kFarLengths active lengths away
/// (nearly every row; both tests skipped), Middle otherwise.
inline RowReach ReachOf(const KernelView& kernel, const RowTask& task) {
  double along = 0.0, step2 = 0.0;
  for (int c = 0; c < 3; ++c) {
    along += double(task.start[c]) * task.step[c];
    step2 += double(task.step[c]) * task.step[c];
  }
  double t = step2 > 0.0 ? -along / step2 : 0.0;
  t = t < double(task.first) ? double(task.first) : t > double(task.last) ? double(task.last) : t;
  double closest2 = 0.0;
  for (int c = 0; c < 3; ++c) {
    const double d = double(task.start[c]) + t * task.step[c];
    closest2 += d * d;
  }
  const double minimum = kernel.minimumRadiusCm;
  if (!(closest2 > minimum * minimum * 1.001)) {
    return RowReach::Near;
  }
  const double lengths = kFarLengths * kernel.activeLengthCm;
  const double far = lengths > 1.001 * minimum ? lengths : 1.001 * minimum;
  return closest2 >= far * far ? RowReach::Far : RowReach::Middle;
}

template <class V, KernelKind kKind, class Lookup>
void RowOfKind(const KernelView& kernel, const RowTask& task, float* row) {
  switch (ReachOf(kernel, task)) {
  case RowReach::Near:
    RowLoop<V, kKind, Lookup, true, false>(kernel, task, row);
    break;
  case RowReach::Middle:
    RowLoop<V, kKind, Lookup, false, false>(kernel, task, row);
    break;
  case RowReach::Far:
    RowLoop<V, kKind, Lookup, false, true>(kernel, task, row);
    break;
  }
}

template <class V, class Lookup>
void Row(const KernelView& kernel, const RowTask& task, float* row) {
  switch (kernel.kind) {
  case KernelKind::Line2D:
    RowOfKind<V, KernelKind::Line2D, Lookup>(kernel, task, row);
    break;
  case KernelKind::Line1D:
    RowOfKind<V, KernelKind::Line1D, Lookup>(kernel, task, row);
    break;
  case KernelKind::Point1D:
    RowLoop<V, KernelKind::Point1D, Lookup, true, false>(kernel, task, row);
    break;
  }
}

template <class V, class Lookup>
void Points(const KernelView& kernel, const PointTask& task, float* out) {
  switch (kernel.kind) {
  case KernelKind::Line2D:
    PointLoop<V, KernelKind::Line2D, Lookup>(kernel, task, out);
    break;
  case KernelKind::Line1D:
    PointLoop<V, KernelKind::Line1D, Lookup>(kernel, task, out);
    break;
  case KernelKind::Point1D:
    PointLoop<V, KernelKind::Point1D, Lookup>(kernel, task, out);
    break;
  }
}

template <class V> void AddScaled(const float* in, float scale, std::int64_t count, float* out) {
  const typename V::F factor = V::Set(scale);
  for (std::int64_t n = 0; n < count; n += V::kWidth) {
    const typename V::M active = V::FirstLanes(count - n);
    V::StoreMasked(out + n, active,
                   V::Fma(V::LoadMasked(in + n, active), factor, V::LoadMasked(out + n, active)));
  }
}

/// The functions of a path that looks g and A up by gathers.
template <class V> KernelFunctions GatherFunctionsOf() {
  return {&Row<V, GatherLookup>, &Points<V, GatherLookup>, &AddScaled<V>};
}

} // namespace
} // namespace seedplan::dosimetry::detail
