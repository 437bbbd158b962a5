// `seedplan study analyze`: placeholder until the outcome-analysis issue (8) lands.

#include "Commands.h"
#include "seedplan/core/Error.h"

namespace seedplan::app {

void RegisterStudyAnalyzeCommand(CLI::App& study) {
  auto* command = study.add_subcommand("analyze", "Outcome analyses of a cohort (not built yet)");
  command->callback([]() { throw NotSupported("study analyze: not built yet (issue 8)"); });
}

} // namespace seedplan::app
