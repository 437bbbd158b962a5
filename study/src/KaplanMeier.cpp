#include "seedplan/study/KaplanMeier.h"

#include "seedplan/core/Error.h"
#include "seedplan/study/NotAvailable.h"

#include <boost/math/distributions/normal.hpp>

#include <algorithm>
#include <cmath>
#include <limits>

namespace seedplan::study {

namespace {

/// survmean's tolerance for "S equals 0.5": sqrt(.Machine$double.eps). Products of fractions
/// such as (3/4)(2/3) land within a few ulps of 0.5, far inside it.
const double kHalfTolerance = std::sqrt(std::numeric_limits<double>::epsilon());

/// The first time the curve `values` (NA entries skipped) is <= 0.5, with the midpoint rule for
/// a flat stretch at exactly 0.5 (survival 3.x, survmean's `minmin`).
double FirstTimeAtOrBelowHalf(const std::vector<KaplanMeierStep>& steps,
                              double KaplanMeierStep::*member) {
  std::size_t first = steps.size();
  for (std::size_t i = 0; i < steps.size(); ++i) {
    const double value = steps[i].*member;
    if (!IsNotAvailable(value) && value < 0.5 + kHalfTolerance) {
      first = i;
      break;
    }
  }
  if (first == steps.size()) {
    return kNotAvailable;
  }
  const double firstValue = steps[first].*member;
  if (std::abs(firstValue - 0.5) < kHalfTolerance) {
    for (std::size_t j = first + 1; j < steps.size(); ++j) {
      const double value = steps[j].*member;
      if (!IsNotAvailable(value) && value < firstValue) {
        return (steps[first].time + steps[j].time) / 2.0;
      }
    }
  }
  return steps[first].time;
}

} // namespace

std::string ConfidenceTypeName(ConfidenceType type) {
  return type == ConfidenceType::Log ? "log" : "log-log";
}

KaplanMeier::KaplanMeier(std::vector<SurvivalObservation> observations, ConfidenceType type)
    : m_Type(type), m_Count(static_cast<int>(observations.size())) {
  for (const auto& observation : observations) {
    if (!std::isfinite(observation.time) || observation.time < 0.0) {
      throw InvalidInput("Kaplan-Meier: a time is " + std::to_string(observation.time) +
                         "; expected a finite time >= 0");
    }
  }
  std::sort(
      observations.begin(), observations.end(),
      [](const SurvivalObservation& a, const SurvivalObservation& b) { return a.time < b.time; });
  const double z =
      boost::math::quantile(boost::math::normal(), 1.0 - (1.0 - kConfidenceLevel) / 2.0);
  double survival = 1.0;
  double greenwoodSum = 0.0;
  std::size_t index = 0;
  while (index < observations.size()) {
    KaplanMeierStep step;
    step.time = observations[index].time;
    step.nRisk = static_cast<int>(observations.size() - index);
    while (index < observations.size() && observations[index].time == step.time) {
      (observations[index].event ? step.nEvent : step.nCensor) += 1;
      ++index;
    }
    m_Events += step.nEvent;
    if (step.nEvent > 0) {
      const double n = step.nRisk;
      const double d = step.nEvent;
      survival *= (n - d) / n;
      greenwoodSum +=
          step.nEvent < step.nRisk ? d / (n * (n - d)) : std::numeric_limits<double>::infinity();
    }
    step.survival = survival;
    step.standardError = std::sqrt(greenwoodSum);
    if (m_Type == ConfidenceType::Log) {
      if (survival == 0.0) {
        step.lower = step.upper = kNotAvailable;
      } else {
        step.lower = std::exp(std::log(survival) - z * step.standardError);
        step.upper = std::min(std::exp(std::log(survival) + z * step.standardError), 1.0);
      }
    } else {
      if (survival == 0.0 || survival == 1.0) {
        step.lower = step.upper = kNotAvailable;
      } else {
        const double logMinusLog = std::log(-std::log(survival));
        const double halfWidth = z * step.standardError / std::log(survival);
        step.lower = std::exp(-std::exp(logMinusLog - halfWidth));
        step.upper = std::exp(-std::exp(logMinusLog + halfWidth));
      }
    }
    m_Steps.push_back(step);
  }
}

EstimateWithInterval KaplanMeier::Median() const {
  return {FirstTimeAtOrBelowHalf(m_Steps, &KaplanMeierStep::survival),
          FirstTimeAtOrBelowHalf(m_Steps, &KaplanMeierStep::lower),
          FirstTimeAtOrBelowHalf(m_Steps, &KaplanMeierStep::upper)};
}

SurvivalAtTime KaplanMeier::At(double time) const {
  SurvivalAtTime result{kNotAvailable, kNotAvailable, kNotAvailable, 0};
  if (m_Steps.empty()) {
    return result;
  }
  // First step with a time >= `time`: everyone from it on is still at risk at `time`.
  const auto atOrAfter =
      std::lower_bound(m_Steps.begin(), m_Steps.end(), time,
                       [](const KaplanMeierStep& step, double t) { return step.time < t; });
  result.nRisk = atOrAfter == m_Steps.end() ? 0 : atOrAfter->nRisk;
  const auto after =
      std::upper_bound(m_Steps.begin(), m_Steps.end(), time,
                       [](double t, const KaplanMeierStep& step) { return t < step.time; });
  if (after == m_Steps.begin()) {
    result.survival = result.lower = result.upper = 1.0;
    return result;
  }
  const KaplanMeierStep& last = *(after - 1);
  if (time > m_Steps.back().time && last.survival > 0.0) {
    return result; // beyond the last follow-up of a curve that has not reached 0
  }
  result.survival = last.survival;
  result.lower = last.lower;
  result.upper = last.upper;
  return result;
}

} // namespace seedplan::study
