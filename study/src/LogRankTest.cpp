#include "seedplan/study/LogRankTest.h"

#include "seedplan/core/Error.h"
#include "seedplan/study/NotAvailable.h"

#include <boost/math/distributions/chi_squared.hpp>

#include <algorithm>
#include <numeric>

namespace seedplan::study {

LogRankResult LogRankTest::Compute(const std::vector<SurvivalObservation>& observations,
                                   const std::vector<int>& group, int groupCount) {
  if (observations.size() != group.size() || groupCount < 1) {
    throw InvalidInput("log-rank test: " + std::to_string(observations.size()) +
                       " observations but " + std::to_string(group.size()) +
                       " group labels; expected one label per observation");
  }
  for (int g : group) {
    if (g < 0 || g >= groupCount) {
      throw InvalidInput("log-rank test: group index " + std::to_string(g) + " out of range [0, " +
                         std::to_string(groupCount) + ")");
    }
  }
  const auto k = static_cast<Eigen::Index>(groupCount);
  LogRankResult result;
  result.observed = Eigen::VectorXd::Zero(k);
  result.expected = Eigen::VectorXd::Zero(k);
  result.variance = Eigen::MatrixXd::Zero(k, k);

  std::vector<std::size_t> order(observations.size());
  std::iota(order.begin(), order.end(), 0);
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return observations[a].time < observations[b].time;
  });
  Eigen::VectorXd atRisk = Eigen::VectorXd::Zero(k);
  for (int g : group) {
    atRisk[g] += 1.0;
  }
  Eigen::VectorXd deaths(k);
  std::size_t index = 0;
  while (index < order.size()) {
    const double time = observations[order[index]].time;
    deaths.setZero();
    Eigen::VectorXd leaving = Eigen::VectorXd::Zero(k);
    while (index < order.size() && observations[order[index]].time == time) {
      const auto& observation = observations[order[index]];
      const int g = group[order[index]];
      if (observation.event) {
        deaths[g] += 1.0;
      }
      leaving[g] += 1.0;
      ++index;
    }
    const double d = deaths.sum();
    const double n = atRisk.sum();
    if (d > 0.0) {
      const Eigen::VectorXd share = atRisk / n;
      result.observed += deaths;
      result.expected += d * share;
      if (n > 1.0) {
        const double factor = d * (n - d) / (n - 1.0);
        result.variance +=
            factor * (Eigen::MatrixXd(share.asDiagonal()) - share * share.transpose());
      }
    }
    atRisk -= leaving;
  }

  std::vector<Eigen::Index> used;
  for (Eigen::Index g = 0; g < k; ++g) {
    if (result.expected[g] > 0.0) {
      used.push_back(g);
    }
  }
  if (used.size() < 2) {
    result.chiSquare = kNotAvailable;
    result.degreesOfFreedom = 0;
    result.p = kNotAvailable;
    return result;
  }
  // Drop the first used group: the k − 1 remaining differences carry all the information.
  const auto m = static_cast<Eigen::Index>(used.size()) - 1;
  Eigen::VectorXd difference(m);
  Eigen::MatrixXd variance(m, m);
  for (Eigen::Index i = 0; i < m; ++i) {
    difference[i] = result.observed[used[i + 1]] - result.expected[used[i + 1]];
    for (Eigen::Index j = 0; j < m; ++j) {
      variance(i, j) = result.variance(used[i + 1], used[j + 1]);
    }
  }
  const Eigen::FullPivLU<Eigen::MatrixXd> lu(variance);
  if (!lu.isInvertible()) {
    result.chiSquare = kNotAvailable;
    result.degreesOfFreedom = static_cast<int>(m);
    result.p = kNotAvailable;
    return result;
  }
  result.chiSquare = difference.dot(lu.solve(difference));
  result.degreesOfFreedom = static_cast<int>(m);
  result.p = boost::math::cdf(boost::math::complement(
      boost::math::chi_squared(result.degreesOfFreedom), std::max(result.chiSquare, 0.0)));
  return result;
}

} // namespace seedplan::study
