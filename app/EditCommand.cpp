// `seedplan edit`: placeholder until issue 14 builds it (its file from the start, so that
// the command list does not change under parallel work).

#include "Commands.h"
#include "seedplan/core/Error.h"

namespace seedplan::app {

void RegisterEditCommand(CLI::App& app) {
  auto* command = app.add_subcommand("edit", "Not built yet (issue 14)");
  command->callback([]() { throw NotSupported("edit: not built yet (issue 14)"); });
}

} // namespace seedplan::app
