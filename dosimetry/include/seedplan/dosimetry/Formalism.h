#pragma once

#include <string>

namespace seedplan::dosimetry {

/// Which TG-43U1 dose-rate equation a seed is computed with (Rivard et al. 2004, Eqs. 1, 11).
enum class Formalism {
  Auto,    ///< Line2D for seeds with a known direction, Line1D for the others
  Line2D,  ///< Eq. (1): S_K Λ G_L(r,θ)/G_L(r0,θ0) g_L(r) F(r,θ)
  Line1D,  ///< Eq. (11) with G_L: S_K Λ G_L(r,θ0)/G_L(r0,θ0) g_L(r) φ_an(r)
  Point1D, ///< Eq. (11) with G_P = 1/r^2: S_K Λ (r0/r)^2 g_P(r) φ_an(r)
};

/// "auto", "2d", "1d-line", "1d-point".
std::string FormalismName(Formalism formalism);
/// Inverse of FormalismName; throws InvalidInput naming `context` for anything else.
Formalism ParseFormalism(const std::string& text, const std::string& context);

} // namespace seedplan::dosimetry
