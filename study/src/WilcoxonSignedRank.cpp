#include "seedplan/study/WilcoxonSignedRank.h"

#include "seedplan/core/Error.h"
#include "seedplan/study/NotAvailable.h"

#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <string>

namespace seedplan::study {

SignedRankResult WilcoxonSignedRank::Test(const std::vector<double>& x,
                                          const std::vector<double>& y) {
  if (x.size() != y.size()) {
    throw InvalidInput("Wilcoxon signed-rank test: " + std::to_string(x.size()) + " and " +
                       std::to_string(y.size()) + " values; expected paired samples");
  }
  SignedRankResult result;
  result.pairs = static_cast<int>(x.size());
  std::vector<double> difference;
  bool zeroes = false;
  for (std::size_t i = 0; i < x.size(); ++i) {
    if (!std::isfinite(x[i]) || !std::isfinite(y[i])) {
      throw InvalidInput("Wilcoxon signed-rank test: a value is not finite; expected numbers");
    }
    const double d = x[i] - y[i];
    if (d == 0.0) {
      zeroes = true;
    } else {
      difference.push_back(d);
    }
  }
  const auto n = static_cast<int>(difference.size());
  result.nonZero = n;
  result.statistic = result.p = kNotAvailable;
  if (n == 0) {
    return result;
  }
  // Average ranks of |d|.
  std::vector<std::size_t> order(difference.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return std::abs(difference[a]) < std::abs(difference[b]);
  });
  std::vector<double> rank(difference.size());
  double tieSum = 0.0; // Σ (t³ − t) over groups of tied |d|
  bool ties = false;
  for (std::size_t start = 0; start < order.size();) {
    std::size_t end = start + 1;
    while (end < order.size() &&
           std::abs(difference[order[end]]) == std::abs(difference[order[start]])) {
      ++end;
    }
    const double averageRank = (static_cast<double>(start + 1) + static_cast<double>(end)) / 2.0;
    for (std::size_t k = start; k < end; ++k) {
      rank[order[k]] = averageRank;
    }
    const double t = static_cast<double>(end - start);
    if (end - start > 1) {
      ties = true;
      tieSum += t * t * t - t;
    }
    start = end;
  }
  double v = 0.0;
  for (std::size_t i = 0; i < difference.size(); ++i) {
    if (difference[i] > 0.0) {
      v += rank[i];
    }
  }
  result.statistic = v;
  const double nd = n;
  const double mean = nd * (nd + 1.0) / 4.0;
  if (n < kExactBelow && !ties && !zeroes) {
    result.exact = true;
    // counts[s] = number of subsets of {1..n} whose sum is s; V is integer here.
    const int maximum = n * (n + 1) / 2;
    std::vector<double> counts(static_cast<std::size_t>(maximum) + 1, 0.0);
    counts[0] = 1.0;
    for (int k = 1; k <= n; ++k) {
      for (int s = k * (k + 1) / 2; s >= k; --s) {
        counts[s] += counts[s - k];
      }
    }
    const double all = std::ldexp(1.0, n);
    const int observed = static_cast<int>(std::lround(v));
    double tail = 0.0;
    if (v > mean) {
      for (int s = observed; s <= maximum; ++s) {
        tail += counts[s];
      }
    } else {
      for (int s = 0; s <= observed; ++s) {
        tail += counts[s];
      }
    }
    result.p = std::min(2.0 * tail / all, 1.0);
    return result;
  }
  const double sigma = std::sqrt(nd * (nd + 1.0) * (2.0 * nd + 1.0) / 24.0 - tieSum / 48.0);
  if (!(sigma > 0.0)) {
    return result;
  }
  double z = v - mean;
  const double correction = z > 0.0 ? 0.5 : (z < 0.0 ? -0.5 : 0.0);
  z = (z - correction) / sigma;
  const boost::math::normal standard;
  const double lowerTail = boost::math::cdf(standard, z);
  const double upperTail = boost::math::cdf(boost::math::complement(standard, z));
  result.p = std::min(2.0 * std::min(lowerTail, upperTail), 1.0);
  return result;
}

} // namespace seedplan::study
