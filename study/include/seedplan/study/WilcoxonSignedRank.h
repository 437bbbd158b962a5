#pragma once

#include <vector>

namespace seedplan::study {

/// The result of a paired Wilcoxon signed-rank test; statistic and p NA (NaN) when undefined.
struct SignedRankResult {
  int pairs = 0;         ///< complete pairs given
  int nonZero = 0;       ///< pairs with a non-zero difference (the n of the test)
  double statistic = 0.; ///< V: the sum of the ranks of |x − y| over the pairs with x > y
  double p = 0.0;        ///< two-sided
  bool exact = false;    ///< exact null distribution (else normal approximation)
};

/// The Wilcoxon signed-rank test of paired samples (Wilcoxon 1945), as R's
/// wilcox.test(x, y, paired = TRUE) (R 4.x): differences d = x − y, zeros dropped, ranks of |d|
/// with ties averaged, V = Σ ranks of d > 0. Exact p (the distribution of V by counting subsets)
/// when n < 50 and there are neither ties nor zeros; otherwise the normal approximation with the
/// tie-corrected variance n(n+1)(2n+1)/24 − Σ(t³ − t)/48 and a continuity correction of 0.5.
class WilcoxonSignedRank {
public:
  static constexpr int kExactBelow = 50;
  /// Throws InvalidInput if the samples differ in length or hold a non-finite value.
  static SignedRankResult Test(const std::vector<double>& x, const std::vector<double>& y);
};

} // namespace seedplan::study
