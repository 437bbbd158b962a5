// `seedplan report --plan plan.xml [--compare post.xml] --out report.html`: the plan report for
// the patient's chart (issue 14), one self-contained HTML page for A4. Both plans are evaluated
// as `evaluate` does, so every number of its tables is `evaluate --json`'s; the pictures come from
// the viewer when it is built and an X display opens, otherwise the report says it has none.

#include "CommandLine.h"
#include "Commands.h"
#include "EvaluatedPlan.h"
#include "PlanReport.h"
#include "seedplan/core/Error.h"
#include "seedplan/planning/PlanXml.h"

#include <iostream>
#include <memory>

namespace seedplan::app {

namespace {

struct ReportOptions {
  std::string plan;
  std::string compare;
  std::string out;
};

void RefuseOtherPatient(const std::string& what, const std::string& planned,
                        const std::string& compared, const ReportOptions& options) {
  if (!planned.empty() && !compared.empty() && planned != compared) {
    throw InvalidInput("--compare " + options.compare + ": " + what + " " + compared +
                       " is not the plan's (" + planned + " in " + options.plan +
                       "); expected a plan of the same patient");
  }
}

void RunReport(const ReportOptions& options) {
  CheckOutputPath(options.out, {".html", ".htm"}, "--out");
  if (!options.compare.empty()) {
    // Refused before the long work when the plan files already tell.
    const planning::Plan planned = planning::PlanXml::Read(options.plan);
    const planning::Plan compared = planning::PlanXml::Read(options.compare);
    RefuseOtherPatient("patient id", planned.patientId, compared.patientId, options);
    RefuseOtherPatient("study", planned.studyId, compared.studyId, options);
  }
  const dosimetry::SourceLibrary library;
  const EvaluatedPlan planned = EvaluatedPlan::Load(options.plan, library);
  std::unique_ptr<EvaluatedPlan> compared;
  if (!options.compare.empty()) {
    compared = std::make_unique<EvaluatedPlan>(EvaluatedPlan::Load(options.compare, library));
    RefuseOtherPatient("the CT's DICOM patient id", planned.session.ct.info.patientId,
                       compared->session.ct.info.patientId, options);
  }
  std::cout << PlanReport::Write(planned, compared.get(), library, options.out) << '\n';
}

} // namespace

void RegisterReportCommand(CLI::App& app) {
  auto* command = app.add_subcommand(
      "report", "The plan report for the chart: one self-contained HTML page for A4");
  auto options = std::make_shared<ReportOptions>();
  command->add_option("--plan", options->plan, "Plan file (.xml)")->required();
  command->add_option("--compare", options->compare,
                      "A second plan of the same patient shown beside it (e.g. the post-implant "
                      "evaluation)");
  command->add_option("--out", options->out, "Report file (.html)")->required();
  command->callback([options]() { RunReport(*options); });
}

} // namespace seedplan::app
