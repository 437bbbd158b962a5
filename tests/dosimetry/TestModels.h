#pragma once
// Shared by the dosimetry tests: the project's source library.

#include "seedplan/core/Error.h"
#include "seedplan/dosimetry/SourceLibrary.h"

namespace seedplan::dosimetry::test {

inline const SourceLibrary& Library() {
  static const SourceLibrary library(SEEDPLAN_SOURCES_DIR);
  return library;
}

} // namespace seedplan::dosimetry::test
