#pragma once

#include "seedplan/study/KaplanMeier.h"

#include <string>
#include <vector>

namespace seedplan::study {

/// One number of results.csv (long format): which endpoint, analysis, group (empty on
/// between-group rows), model term (empty otherwise) and statistic, with its 95 % interval. Any of
/// value, lower, upper may be NA (NaN).
struct ResultRow {
  std::string endpoint;
  std::string analysis;
  std::string group;
  std::string term;
  std::string statistic;
  double value = 0.0;
  double lower = 0.0;
  double upper = 0.0;
};

/// The Kaplan–Meier curve of one group for the curve files, with the band chosen by --conf-type.
struct GroupCurve {
  std::string group;
  KaplanMeier curve;
};

/// The curves of one endpoint (pfs, os, lpfs), groups in analysis order.
struct EndpointCurves {
  std::string endpoint;
  std::vector<GroupCurve> groups;
};

/// Everything one run of the outcome analyses produces, before anything is written: the rows of
/// results.csv, the curves, the facts the report states, and the warnings.
struct AnalysisResults {
  std::string source; ///< the cohort's source name (file or study)
  int patients = 0;
  std::vector<std::string> groups; ///< analysis order: the reference first, then file order
  std::vector<int> groupSizes;     ///< patients per group, same order
  std::string referenceGroup;
  std::vector<double> timesMonths;                     ///< the landmark times of surv_<t>
  ConfidenceType confidenceType = ConfidenceType::Log; ///< the band of the report and curve files
  std::string tiesName; ///< ties of the adjusted and d90 models ("efron"/"breslow")
  bool timesFromDates = false;
  std::vector<std::string> adjustedTerms; ///< the covariates of the adjusted model, as named
  std::vector<ResultRow> rows;
  std::vector<EndpointCurves> curves;
  std::vector<std::string> warnings; ///< one sentence each, no trailing newline

  /// The row with these keys, or nullptr.
  const ResultRow* Find(const std::string& endpoint, const std::string& analysis,
                        const std::string& group, const std::string& term,
                        const std::string& statistic) const;
};

} // namespace seedplan::study
