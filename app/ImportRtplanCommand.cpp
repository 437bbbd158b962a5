// `seedplan import-rtplan`: placeholder until issue 10 builds it (its file from the start, so that
// the command list does not change under parallel work).

#include "Commands.h"
#include "seedplan/core/Error.h"

namespace seedplan::app {

void RegisterImportRtplanCommand(CLI::App& app) {
  auto* command = app.add_subcommand("import-rtplan", "Not built yet (issue 10)");
  command->callback([]() { throw NotSupported("import-rtplan: not built yet (issue 10)"); });
}

} // namespace seedplan::app
