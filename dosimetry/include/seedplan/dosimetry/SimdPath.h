#pragma once

#include <string>

namespace seedplan::dosimetry {

/// The instruction set the dose engine's inner loops run on. Auto picks the widest the CPU (and
/// the operating system) supports: AVX-512F (16 lanes), else AVX2 with FMA (8 lanes), else scalar.
/// The environment variable SEEDPLAN_SIMD=avx512|avx2|scalar forces one (for benchmarks and for
/// checking that the paths agree); forcing a path the CPU lacks is refused. Every path computes
/// the same arithmetic and agrees with the others to float rounding.
enum class SimdPath { Auto, Avx512, Avx2, Scalar };

/// "auto", "avx512", "avx2", "scalar".
std::string SimdPathName(SimdPath path);

/// True if this CPU can run `path` (Auto and Scalar always).
bool SimdPathSupported(SimdPath path);

/// The path Auto resolves to in this process: SEEDPLAN_SIMD if set (InvalidInput if its value is
/// unknown or names a path this CPU lacks), else the widest supported one. Read once.
SimdPath DefaultSimdPath();

/// `requested` resolved: Auto gives DefaultSimdPath(); an explicit path is checked
/// (InvalidInput if this CPU lacks it).
SimdPath ResolveSimdPath(SimdPath requested);

} // namespace seedplan::dosimetry
