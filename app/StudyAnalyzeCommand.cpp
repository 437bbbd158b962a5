// `seedplan study analyze --cohort FILE|--study RECORD --out DIR [--ref GROUP] [--times 6,12,24]
// [--conf-type log|log-log] [--ties efron|breslow] [--covariates LIST] [--from-dates]`:
// the study's outcome analyses (survival, response, VAS) of a cohort CSV or of a study record's
// patients (the export's patients table, built in memory), written as
// DIR/results.csv, DIR/report.txt and DIR/km_<endpoint>.csv, all or nothing.

#include "Commands.h"
#include "StudyRecordCommands.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/Log.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/study/AnalysisOutput.h"
#include "seedplan/study/CohortTable.h"
#include "seedplan/study/OutcomeAnalysis.h"

#include <iostream>
#include <memory>

namespace seedplan::app {

namespace {

struct AnalyzeOptions {
  std::string cohort;
  std::string studyFile;
  std::string out;
  std::string reference;
  std::string times = "6,12,24";
  std::string confidenceType = "log";
  std::string ties = "efron";
  std::string covariates;
  bool fromDates = false;
};

std::vector<double> ParseTimes(const std::string& text) {
  std::vector<double> times;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    const std::string part =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    try {
      times.push_back(ParseFiniteNumber(part, "--times"));
    } catch (const DataFormat&) {
      throw InvalidInput("--times is '" + text +
                         "'; expected comma-separated landmark times in months, e.g. 6,12,24");
    }
    if (comma == std::string::npos) {
      break;
    }
    start = comma + 1;
  }
  return times;
}

void RunAnalyze(const AnalyzeOptions& options) {
  if (options.cohort.empty() && options.studyFile.empty()) {
    throw InvalidInput("study analyze: no input; expected --cohort FILE (a cohort CSV) or --study "
                       "FILE (a study record)");
  }
  study::AnalysisOptions analysis;
  if (!options.reference.empty()) {
    analysis.referenceGroup = options.reference;
  }
  analysis.timesMonths = ParseTimes(options.times);
  if (options.confidenceType == "log") {
    analysis.confidenceType = study::ConfidenceType::Log;
  } else if (options.confidenceType == "log-log") {
    analysis.confidenceType = study::ConfidenceType::LogLog;
  } else {
    throw InvalidInput("--conf-type is '" + options.confidenceType + "'; expected log or log-log");
  }
  if (options.ties == "efron") {
    analysis.ties = study::TiesMethod::Efron;
  } else if (options.ties == "breslow") {
    analysis.ties = study::TiesMethod::Breslow;
  } else {
    throw InvalidInput("--ties is '" + options.ties + "'; expected efron or breslow");
  }
  analysis.extraCovariates = options.covariates;
  analysis.timesFromDates = options.fromDates;

  const study::CohortTable cohort = options.studyFile.empty()
                                        ? study::CohortTable::Read(options.cohort)
                                        : StudyRecordCohort(options.studyFile);
  const study::AnalysisResults results = study::OutcomeAnalysis::Run(cohort, analysis);
  study::AnalysisOutput::Write(results, options.out);
  for (const auto& warning : results.warnings) {
    log::Warning(cohort.SourceName() + ": " + warning);
  }
  std::cout << "study analyze: " << results.patients << " patients in " << results.groups.size()
            << " group(s), reference " << results.referenceGroup << "; wrote "
            << results.rows.size() << " results to " << options.out
            << "/results.csv, the report to " << options.out << "/report.txt and the curves to "
            << options.out << "/km_{pfs,os,lpfs}.csv\n";
}

} // namespace

void RegisterStudyAnalyzeCommand(CLI::App& study) {
  auto* command = study.add_subcommand(
      "analyze", "Outcome analyses of a cohort as R's survival package computes them: "
                 "Kaplan-Meier, log-rank, Cox, ORR/DCR/LCR, VAS");
  auto options = std::make_shared<AnalyzeOptions>();
  auto* cohort = command->add_option(
      "--cohort", options->cohort,
      "Cohort CSV, one row per patient (columns: see README, 'Outcome analyses')");
  command
      ->add_option("--study", options->studyFile,
                   "Study record: analyse its patients (the export's patients.csv, in memory)")
      ->excludes(cohort);
  command->add_option("--out", options->out, "Output folder (created; all files or none)")
      ->required();
  command->add_option(
      "--ref", options->reference,
      "Reference group (default: PD1 if present, else the first group in the file)");
  command->add_option("--times", options->times, "Landmark times in months for S(t)")
      ->capture_default_str();
  command
      ->add_option("--conf-type", options->confidenceType,
                   "Kaplan-Meier band in the report and curve files: log or log-log "
                   "(results.csv has both)")
      ->capture_default_str();
  command
      ->add_option("--ties", options->ties,
                   "Ties of the adjusted and D90 Cox models: efron or breslow (the group model "
                   "is given with both)")
      ->capture_default_str();
  command->add_option("--covariates", options->covariates,
                      "Further covariates of the adjusted Cox model: column names, log10(NAME)");
  command->add_flag("--from-dates", options->fromDates,
                    "Times from the dates: (event date - start_date) days / 30.4375");
  command->callback([options]() { RunAnalyze(*options); });
}

} // namespace seedplan::app
