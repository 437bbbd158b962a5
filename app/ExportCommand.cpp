// `seedplan export`: placeholder until issue 10 builds it (its file from the start, so that
// the command list does not change under parallel work).

#include "Commands.h"
#include "seedplan/core/Error.h"

namespace seedplan::app {

void RegisterExportCommand(CLI::App& app) {
  auto* command = app.add_subcommand("export", "Not built yet (issue 10)");
  command->callback([]() { throw NotSupported("export: not built yet (issue 10)"); });
}

} // namespace seedplan::app
