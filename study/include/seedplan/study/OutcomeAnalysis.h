#pragma once

#include "seedplan/study/AnalysisResults.h"
#include "seedplan/study/CohortTable.h"
#include "seedplan/study/CoxModel.h"
#include "seedplan/study/KaplanMeier.h"

#include <optional>
#include <string>
#include <vector>

namespace seedplan::study {

/// The choices of `seedplan study analyze`.
struct AnalysisOptions {
  /// The reference group; nullopt = `PD1` when present, else the first group in file order.
  std::optional<std::string> referenceGroup;
  /// Landmark times (months) of S(t); each > 0.
  std::vector<double> timesMonths{6.0, 12.0, 24.0};
  /// The band shown in report.txt and written to km_<endpoint>.csv (results.csv has both).
  ConfidenceType confidenceType = ConfidenceType::Log;
  /// Ties of the adjusted and D90 models (the group-only model is always given with both).
  TiesMethod ties = TiesMethod::Efron;
  /// Further covariates of the adjusted model (parse them with ParseCovariateList).
  std::string extraCovariates;
  /// Recompute the *_months columns as (event date − start date) days / 30.4375.
  bool timesFromDates = false;
};

/// The study's outcome analyses of a cohort, each numerically as R does it (survival 3.x, stats):
/// for PFS, OS and LPFS, Kaplan–Meier per group (log and log-log bands, median with interval,
/// S at the landmark times with n at risk, median follow-up by reverse Kaplan–Meier), the
/// log-rank test, Cox models of group alone (Efron and Breslow), group adjusted for child_pugh,
/// ecog and log10(afp_ng_ml) (plus --covariates), and D90 within the implanted patients; ORR, DCR
/// and (with local_response) LCR per group with Clopper–Pearson intervals and χ² (with and without
/// Yates) and Fisher tests between groups; VAS change per group by the Wilcoxon signed-rank test
/// (with vas_baseline and vas_followup).
///
/// This is the library entry point: the command line reads a CSV into a CohortTable, the study
/// record builds one in memory; both call Run and then AnalysisOutput::Write.
class OutcomeAnalysis {
public:
  /// Days per month for --from-dates (365.25 / 12, the usual convention of survival papers).
  static constexpr double kDaysPerMonth = 30.4375;

  /// Runs every analysis; nothing is written. Throws InvalidInput for bad options (unknown
  /// reference group or covariate, a landmark time <= 0) and DataFormat for bad cells that an
  /// analysis needs (non-numeric ecog, afp <= 0, an event date before the start date with
  /// --from-dates), always before any output exists. Problems that leave the others valid (one
  /// group only, fewer than 2 events, a monotone likelihood) become NA rows and warnings.
  static AnalysisResults Run(const CohortTable& cohort, const AnalysisOptions& options);
};

} // namespace seedplan::study
