// `seedplan evaluate --plan plan.xml [--json]`: recomputes the plan's dose from its seeds and
// prints the metrics of every structure; organs at risk against the plan's limits.

#include "CommandLine.h"
#include "Commands.h"
#include "MetricsJson.h"
#include "PlanningSession.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/planning/PlanXml.h"

#include <cstdio>
#include <iostream>
#include <memory>

namespace seedplan::app {

namespace {

struct EvaluateOptions {
  std::string plan;
  bool json = false;
};

void RunEvaluate(const EvaluateOptions& options) {
  PlanningSession session;
  session.plan = planning::PlanXml::Read(options.plan);
  // Load() stamps the CT's identity into the plan, so the plan's own UID is kept to compare.
  const std::string planFrame = session.plan.frameOfReferenceUid;
  session.Load(session.plan.ctPath, "", session.plan.structuresPath, {});
  if (!planFrame.empty() && session.ct.info.frameOfReferenceUid != planFrame) {
    throw InvalidInput(options.plan + ": the plan's Frame of Reference UID " + planFrame +
                       " is not the CT's (" + session.ct.info.frameOfReferenceUid + " at " +
                       session.plan.ctPath + ")");
  }
  const dosimetry::SourceLibrary library;
  try {
    session.doseGy =
        planning::PlanEvaluator::TotalDose(session.plan, session.ct.hu.Geometry(), library);
    session.Evaluate(library);
  } catch (const InvalidInput& error) {
    throw InvalidInput(options.plan + ": " + error.what());
  }
  const auto& metrics = session.plan.metrics;
  const auto& checks = session.limitChecks;
  if (options.json) {
    std::cout << MetricsJson(metrics) << '\n';
    return;
  }
  std::cout << "plan " << options.plan << " (" << session.plan.kind << "), "
            << session.plan.seeds.size()
            << " seeds; dose: TG-43U1 in water, total dose (Gy, decay to infinity)\n";
  std::printf("%-12s %-12s %8s %6s %7s %7s %7s %7s %8s %8s %8s %8s\n", "structure", "role",
              "vol cc", "Rx Gy", "D90", "V100%", "V150%", "V200%", "Dmean", "D2cc", "D0.1cc",
              "Dmax");
  for (const auto& entry : metrics) {
    const auto& m = entry.metrics;
    const bool target = entry.rxGy.has_value();
    std::printf(
        "%-12s %-12s %8s %6s %7s %7s %7s %7s %8s %8s %8s %8s\n", entry.structureName.c_str(),
        entry.role.c_str(), FormatNumber(m.volumeCc, 5).c_str(),
        target ? FormatNumber(*entry.rxGy, 4).c_str() : "", MetricCell(m.D90Gy).c_str(),
        target ? MetricCell(m.V100Pct, 3).c_str() : "",
        target ? MetricCell(m.V150Pct, 3).c_str() : "",
        target ? MetricCell(m.V200Pct, 3).c_str() : "", MetricCell(m.DmeanGy).c_str(),
        MetricCell(m.D2ccGy).c_str(), MetricCell(m.D0_1ccGy).c_str(), MetricCell(m.DmaxGy).c_str());
  }
  PlanningSession::PrintLimitChecks(checks);
}

} // namespace

void RegisterEvaluateCommand(CLI::App& app) {
  auto* command = app.add_subcommand("evaluate", "Metrics of every structure under a plan");
  auto options = std::make_shared<EvaluateOptions>();
  command->add_option("--plan", options->plan, "Plan file (.xml)")->required();
  command->add_flag("--json", options->json, "One JSON array instead of a table");
  command->callback([options]() { RunEvaluate(*options); });
}

} // namespace seedplan::app
