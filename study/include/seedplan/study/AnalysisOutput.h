#pragma once

#include "seedplan/study/AnalysisResults.h"

#include <filesystem>
#include <string>

namespace seedplan::study {

/// The files of `seedplan study analyze`: results.csv (long format, one number per row), the
/// report and one curve file per endpoint.
class AnalysisOutput {
public:
  /// Significant digits of every number written (the issue asks for at least 8).
  static constexpr int kSignificantDigits = 12;

  /// results.csv: `endpoint,analysis,group,term,statistic,value,lower,upper`, UTF-8 without BOM,
  /// numbers with kSignificantDigits significant digits, `NA` for a missing value.
  static std::string ResultsCsv(const AnalysisResults& results);
  /// km_<endpoint>.csv: `group,time,surv,lower,upper,n_risk,n_event,n_censor`, per group a start
  /// row at time 0 (S = 1) and then one row per distinct time (event or censoring): the step
  /// coordinates of the curve and its band (the band of --conf-type).
  static std::string CurveCsv(const EndpointCurves& curves);
  /// Writes results.csv, report.txt and km_<endpoint>.csv into `folder`, all or nothing: when the
  /// folder does not exist, everything goes to a hidden sibling folder renamed into place at the
  /// end; when it exists, every file goes to a temporary file and all are renamed at the end. On
  /// failure (Io) nothing new is left behind.
  static void Write(const AnalysisResults& results, const std::filesystem::path& folder);
};

} // namespace seedplan::study
