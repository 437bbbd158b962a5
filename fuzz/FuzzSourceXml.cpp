// libFuzzer target: the TG-43 source model reader (dosimetry/SourceModelXml). A model it accepts
// must give finite, non-negative dose rates everywhere (inside, on and beyond its tables).

#include "FuzzLogSink.h"
#include "seedplan/core/Error.h"
#include "seedplan/dosimetry/SourceModelXml.h"

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
    const seedplan::dosimetry::SourceModel model =
        seedplan::dosimetry::SourceModelXml::Parse(text, "fuzz.xml");
    using seedplan::dosimetry::Formalism;
    for (const double r : {0.0, 0.05, 0.5, 1.0, 3.7, 10.0, 15.0, 60.0}) {
      for (const double theta : {0.0, 0.3, 1.5707963267948966, 3.0}) {
        for (const Formalism formalism :
             {Formalism::Line2D, Formalism::Line1D, Formalism::Point1D}) {
          const double rate = model.DoseRatePerU(r, theta, formalism);
          if (!std::isfinite(rate) || rate < 0.0) {
            std::abort();
          }
        }
      }
    }
  } catch (const seedplan::Error&) {
  }
  return 0;
}
