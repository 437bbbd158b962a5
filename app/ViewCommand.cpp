// `seedplan view`: placeholder until issue 7 builds it (its file from the start, so that
// the command list does not change under parallel work).

#include "Commands.h"
#include "seedplan/core/Error.h"

namespace seedplan::app {

void RegisterViewCommand(CLI::App& app) {
  auto* command = app.add_subcommand("view", "Not built yet (issue 7)");
  command->callback([]() { throw NotSupported("view: not built yet (issue 7)"); });
}

} // namespace seedplan::app
