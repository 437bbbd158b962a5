#include "seedplan/dosimetry/Formalism.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"

namespace seedplan::dosimetry {

std::string FormalismName(Formalism formalism) {
  switch (formalism) {
  case Formalism::Auto:
    return "auto";
  case Formalism::Line2D:
    return "2d";
  case Formalism::Line1D:
    return "1d-line";
  case Formalism::Point1D:
    return "1d-point";
  }
  return "unknown";
}

Formalism ParseFormalism(const std::string& text, const std::string& context) {
  for (Formalism f : {Formalism::Auto, Formalism::Line2D, Formalism::Line1D, Formalism::Point1D}) {
    if (text == FormalismName(f)) {
      return f;
    }
  }
  throw InvalidInput(context + " is '" + Excerpt(text) +
                     "'; expected auto, 2d, 1d-line or 1d-point");
}

} // namespace seedplan::dosimetry
