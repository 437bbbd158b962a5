// `seedplan seeds --plan plan.xml`: the plan's seeds as the seeds CSV of DESIGN.md.

#include "Commands.h"
#include "seedplan/core/SeedsCsv.h"
#include "seedplan/planning/PlanXml.h"

#include <iostream>
#include <memory>

namespace seedplan::app {

void RegisterSeedsCommand(CLI::App& app) {
  auto* seeds = app.add_subcommand("seeds", "A plan's seeds as the seeds CSV");
  auto planFile = std::make_shared<std::string>();
  seeds->add_option("--plan", *planFile, "Plan file (.xml)")->required();
  seeds->callback([planFile]() {
    const planning::Plan plan = planning::PlanXml::Read(*planFile);
    std::cout << SeedsCsv::Format(plan.seeds, true);
  });
}

} // namespace seedplan::app
