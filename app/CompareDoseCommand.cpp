// `seedplan compare-dose`: placeholder until issue 10 builds it (its file from the start, so that
// the command list does not change under parallel work).

#include "Commands.h"
#include "seedplan/core/Error.h"

namespace seedplan::app {

void RegisterCompareDoseCommand(CLI::App& app) {
  auto* command = app.add_subcommand("compare-dose", "Not built yet (issue 10)");
  command->callback([]() { throw NotSupported("compare-dose: not built yet (issue 10)"); });
}

} // namespace seedplan::app
