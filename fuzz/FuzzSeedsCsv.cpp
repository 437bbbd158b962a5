// libFuzzer target: the seeds CSV reader (core/SeedsCsv) on arbitrary bytes. Every input must
// either parse into seeds within the physical bounds or be refused with a seedplan::Error.

#include "FuzzLogSink.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/InputLimits.h"
#include "seedplan/core/SeedsCsv.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  seedplan::fuzz::DiscardLogMessages();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    for (const seedplan::SeedsCsvRow& row : seedplan::SeedsCsv::Parse(text, "fuzz.csv")) {
      // What the reader accepts is what the engine may use: bounded positions, unit directions,
      // bounded strengths.
      if (!(row.seed.positionMm.cwiseAbs().maxCoeff() <= seedplan::limits::kMaxCoordinateMm) ||
          (row.seed.direction && !(std::abs(row.seed.direction->norm() - 1.0) < 1e-9)) ||
          (row.strengthU && !(*row.strengthU > 0.0 && *row.strengthU <= 100.0))) {
        std::abort();
      }
    }
  } catch (const seedplan::Error&) {
  }
  return 0;
}
