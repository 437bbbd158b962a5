#include "seedplan/study/SurvivalObservation.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace seedplan::study {

void MergeNearlyTiedTimes(std::vector<SurvivalObservation>& observations) {
  if (observations.size() < 2) {
    return;
  }
  // The tolerance of aeqSurv: sqrt(.Machine$double.eps).
  const double tolerance = std::sqrt(std::numeric_limits<double>::epsilon());
  std::vector<double> distinct;
  distinct.reserve(observations.size());
  for (const auto& observation : observations) {
    distinct.push_back(observation.time);
  }
  std::sort(distinct.begin(), distinct.end());
  distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
  if (distinct.size() < 2) {
    return;
  }
  double meanAbsolute = 0.0;
  for (double time : distinct) {
    meanAbsolute += std::abs(time);
  }
  meanAbsolute /= static_cast<double>(distinct.size());
  // cuts: the first time of every run of nearly equal times.
  std::vector<double> cuts{distinct.front()};
  bool anyTied = false;
  for (std::size_t i = 1; i < distinct.size(); ++i) {
    const double step = distinct[i] - distinct[i - 1];
    const bool tied = step <= tolerance || (meanAbsolute > 0.0 && step / meanAbsolute <= tolerance);
    if (tied) {
      anyTied = true;
    } else {
      cuts.push_back(distinct[i]);
    }
  }
  if (!anyTied) {
    return;
  }
  for (auto& observation : observations) {
    // The last cut <= time (findInterval).
    const auto after = std::upper_bound(cuts.begin(), cuts.end(), observation.time);
    observation.time = *(after - 1);
  }
}

} // namespace seedplan::study
