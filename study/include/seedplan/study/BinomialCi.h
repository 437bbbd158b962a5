#pragma once

namespace seedplan::study {

/// A proportion with its exact confidence interval, all as fractions in [0, 1].
struct Proportion {
  int successes = 0;
  int trials = 0;
  double estimate = 0.0; ///< NA (NaN) when trials = 0
  double lower = 0.0;
  double upper = 0.0;
};

/// The Clopper–Pearson "exact" interval of a binomial proportion (Clopper & Pearson 1934), as R's
/// binom.test: lower = Beta⁻¹(α/2; x, n − x + 1) (0 when x = 0), upper = Beta⁻¹(1 − α/2; x + 1,
/// n − x) (1 when x = n), α = 1 − level.
class BinomialCi {
public:
  static constexpr double kConfidenceLevel = 0.95;
  /// Throws InvalidInput unless 0 <= successes <= trials and 0 < level < 1; trials = 0 gives NA.
  static Proportion ClopperPearson(int successes, int trials, double level = kConfidenceLevel);
};

} // namespace seedplan::study
