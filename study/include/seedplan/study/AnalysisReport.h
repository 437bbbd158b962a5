#pragma once

#include "seedplan/study/AnalysisResults.h"

#include <string>

namespace seedplan::study {

/// The readable report of the outcome analyses (report.txt): per endpoint a Kaplan–Meier table
/// (n, events, median and S at the landmark times with 95 % CI and n at risk), the median
/// follow-up, the log-rank test and the Cox models (HR with 95 % CI, coef, se, p; the model's
/// likelihood-ratio, Wald and score tests); then ORR, DCR, LCR with exact intervals and the
/// between-group tests; VAS change; the warnings. Plain UTF-8 text, fixed-width columns.
class AnalysisReport {
public:
  static std::string Text(const AnalysisResults& results);
};

} // namespace seedplan::study
