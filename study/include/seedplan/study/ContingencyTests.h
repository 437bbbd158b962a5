#pragma once

#include <string>
#include <vector>

namespace seedplan::study {

/// A table of counts, rows × columns, every row the same length.
using CountTable = std::vector<std::vector<int>>;

/// A chi-square statistic with its degrees of freedom and upper-tail p; NA (NaN) when undefined.
struct ChiSquareResult {
  double statistic = 0.0;
  int degreesOfFreedom = 0;
  double p = 0.0;
  double smallestExpected = 0.0; ///< the smallest expected count (< 5: the approximation is rough)
};

/// Tests of independence in a contingency table, numerically as R's chisq.test and fisher.test.
class ContingencyTests {
public:
  /// Two probabilities closer than this relative amount count as equal when Fisher's test sums
  /// the tables "as or less likely" than the observed one (R's fisher.test: 1 + 1e-7).
  static constexpr double kFisherRelativeTolerance = 1e-7;
  /// Fisher's test enumerates every table with the observed margins; beyond this many it gives up
  /// (NA) rather than run for minutes (R's network algorithm runs out of workspace similarly).
  static constexpr double kFisherMaximumTables = 5e7;

  /// Pearson's χ² = Σ (|O − E| − c)²/E on (r − 1)(c − 1) df (Pearson 1900). With `yates`, for a
  /// 2×2 table only, c = min(0.5, min |O − E|) as R's chisq.test(correct = TRUE) (Yates 1934);
  /// `yates` on a larger table gives NA (R silently ignores it). NA when a row or column total is
  /// 0. Throws InvalidInput for a ragged table, a negative count or a table smaller than 2×2.
  static ChiSquareResult PearsonChiSquare(const CountTable& table, bool yates);

  /// Two-sided p of Fisher's exact test (Fisher 1935) for a 2×c or r×2 table: the total
  /// probability, given both margins (multivariate hypergeometric), of the tables no more likely
  /// than the observed one. NA for a table larger than 2 in both dimensions or with more than
  /// kFisherMaximumTables tables.
  static double FisherExactP(const CountTable& table);
};

} // namespace seedplan::study
