#pragma once

#include "seedplan/study/SurvivalObservation.h"

#include <string>
#include <vector>

namespace seedplan::study {

/// The confidence band of a survival curve (R survival 3.x, survfit's `conf.type`).
/// Log: exp(log S ± z·se), upper limit capped at 1, NA where S = 0 (R's default).
/// LogLog: exp(−exp(log(−log S) ∓ z·se/log S)), NA where S = 0 or S = 1 (SAS's and Stata's
/// default; Kalbfleisch & Prentice 2002, eq. 1.15).
enum class ConfidenceType { Log, LogLog };

/// "log" or "log-log", as R and the command line spell them.
std::string ConfidenceTypeName(ConfidenceType type);

/// One step of the curve, at a distinct observed time (event or censoring).
struct KaplanMeierStep {
  double time = 0.0;
  int nRisk = 0;
  int nEvent = 0;
  int nCensor = 0;
  double survival = 1.0;
  /// Greenwood standard error of −log S (R's `std.err`): sqrt(Σ d/(n(n−d))); +inf once S = 0.
  double standardError = 0.0;
  double lower = 1.0; ///< NA (NaN) where the band is undefined
  double upper = 1.0; ///< NA (NaN) where the band is undefined
};

/// A point estimate with its 95 % confidence interval; each member may be NA (NaN).
struct EstimateWithInterval {
  double value = 0.0;
  double lower = 0.0;
  double upper = 0.0;
};

/// S(t) at a chosen time with its interval and the number still at risk at t.
struct SurvivalAtTime {
  double survival = 0.0;
  double lower = 0.0;
  double upper = 0.0;
  int nRisk = 0;
};

/// The Kaplan–Meier product-limit estimate of one group (Kaplan & Meier 1958), with Greenwood's
/// variance (Greenwood 1926) and a 95 % pointwise confidence band; numerically the same as R's
/// `survfit(Surv(time, event) ~ 1, conf.type = ...)` (survival 3.x), including its conventions
/// for the median and its interval (print.survfit) and for S at given times (summary.survfit).
class KaplanMeier {
public:
  /// 95 % pointwise intervals, as survfit's default conf.int.
  static constexpr double kConfidenceLevel = 0.95;

  /// Fits the curve. Throws InvalidInput for a negative or non-finite time. An empty sample
  /// gives an empty curve (every estimate NA).
  KaplanMeier(std::vector<SurvivalObservation> observations, ConfidenceType type);

  ConfidenceType Type() const { return m_Type; }
  const std::vector<KaplanMeierStep>& Steps() const { return m_Steps; }
  int Count() const { return m_Count; }
  int Events() const { return m_Events; }

  /// Median survival time as print.survfit reports it (survmean's rule): the first time S(t) <=
  /// 0.5; if S equals 0.5 exactly (within sqrt(machine epsilon)) on a flat stretch, the midpoint
  /// between that time and the time of the next drop (the time itself if it never drops again);
  /// NA when S stays above 0.5. The interval applies the same rule to the lower and upper bands:
  /// the times at which the band crosses 0.5 (Brookmeyer & Crowley 1982); an upper limit that is
  /// never reached is NA.
  EstimateWithInterval Median() const;

  /// S(t) as summary.survfit(times = t): the value after the last step at or before t (1, with
  /// interval [1, 1], before the first step); n at risk = the number with time >= t. Past the
  /// last follow-up time S is NA (with its interval) unless the curve has reached 0.
  SurvivalAtTime At(double time) const;

private:
  ConfidenceType m_Type;
  int m_Count = 0;
  int m_Events = 0;
  std::vector<KaplanMeierStep> m_Steps;
};

} // namespace seedplan::study
