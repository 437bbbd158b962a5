#include "seedplan/dosimetry/SimdPath.h"

#include "seedplan/core/Error.h"

#include <cstdlib>

namespace seedplan::dosimetry {

namespace {

SimdPath WidestSupported() {
  if (SimdPathSupported(SimdPath::Avx512)) {
    return SimdPath::Avx512;
  }
  if (SimdPathSupported(SimdPath::Avx2)) {
    return SimdPath::Avx2;
  }
  return SimdPath::Scalar;
}

SimdPath FromEnvironment() {
  const char* value = std::getenv("SEEDPLAN_SIMD");
  if (value == nullptr || *value == '\0') {
    return WidestSupported();
  }
  const std::string text = value;
  SimdPath path;
  if (text == "avx512") {
    path = SimdPath::Avx512;
  } else if (text == "avx2") {
    path = SimdPath::Avx2;
  } else if (text == "scalar") {
    path = SimdPath::Scalar;
  } else if (text == "auto") {
    return WidestSupported();
  } else {
    throw InvalidInput("environment variable SEEDPLAN_SIMD is '" + text +
                       "'; expected avx512, avx2, scalar or auto");
  }
  if (!SimdPathSupported(path)) {
    throw InvalidInput("environment variable SEEDPLAN_SIMD is '" + text +
                       "', which this CPU does not support; expected one of the CPU's paths (" +
                       SimdPathName(WidestSupported()) + " or narrower)");
  }
  return path;
}

} // namespace

std::string SimdPathName(SimdPath path) {
  switch (path) {
  case SimdPath::Auto:
    return "auto";
  case SimdPath::Avx512:
    return "avx512";
  case SimdPath::Avx2:
    return "avx2";
  case SimdPath::Scalar:
    return "scalar";
  }
  return "unknown";
}

bool SimdPathSupported(SimdPath path) {
  switch (path) {
  case SimdPath::Avx512:
    // __builtin_cpu_supports checks the OS saves the AVX-512 state too (XGETBV).
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
  case SimdPath::Avx2:
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  case SimdPath::Auto:
  case SimdPath::Scalar:
    return true;
  }
  return false;
}

SimdPath DefaultSimdPath() {
  static const SimdPath path = FromEnvironment();
  return path;
}

SimdPath ResolveSimdPath(SimdPath requested) {
  if (requested == SimdPath::Auto) {
    return DefaultSimdPath();
  }
  if (!SimdPathSupported(requested)) {
    throw InvalidInput("SIMD path " + SimdPathName(requested) +
                       " is not supported by this CPU; expected " +
                       SimdPathName(DefaultSimdPath()) + " or narrower");
  }
  return requested;
}

} // namespace seedplan::dosimetry
