// libFuzzer target: the points CSV of `seedplan dose-rate` (dosimetry/DoseRatePointsCsv), and the
// 6711 dose rate at every point it accepts, which must be finite.

#include "FuzzLogSink.h"
#include "seedplan/core/Error.h"
#include "seedplan/dosimetry/DoseRatePointsCsv.h"
#include "seedplan/dosimetry/SourceLibrary.h"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  seedplan::fuzz::DiscardLogMessages();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::shared_ptr<const seedplan::dosimetry::SourceModel> model =
      seedplan::dosimetry::SourceLibrary().Load("6711");
  const std::string text(reinterpret_cast<const char*>(data), size);
  try {
    for (const auto& point : seedplan::dosimetry::DoseRatePointsCsv::Parse(text, "fuzz.csv")) {
      const double r = std::hypot(point.yCm, point.zCm);
      const double theta = std::atan2(std::abs(point.yCm), point.zCm);
      if (!std::isfinite(model->DoseRatePerU(r, theta, seedplan::dosimetry::Formalism::Line2D))) {
        std::abort();
      }
    }
  } catch (const seedplan::Error&) {
  }
  return 0;
}
