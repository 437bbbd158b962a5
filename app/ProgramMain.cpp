#include "ProgramMain.h"

#include "CommandLine.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/Version.h"

#include <iostream>

namespace seedplan::app {

int RunProgram(int argc, char** argv, const std::function<void(CLI::App&)>& registerCommands,
               const std::function<int()>& needsFullProgram) {
  CLI::App app{"seedplan " SEEDPLAN_VERSION
               ": planning and evaluation of permanent 125I seed implants (AAPM TG-43U1 dose "
               "in water)"};
  app.set_version_flag("--version", "seedplan " SEEDPLAN_VERSION);
  app.require_subcommand(1);
  registerCommands(app);
  try {
    app.parse(argc, argv);
  } catch (const NeedsFullProgram&) {
    if (needsFullProgram) {
      return needsFullProgram();
    }
    std::cerr << "seedplan: internal error: a command asked for seedplan-full inside it\n";
    return 70;
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  } catch (const Error& error) {
    std::cerr << "seedplan: error: " << error.what() << '\n';
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "seedplan: internal error: " << error.what() << '\n';
    return 70;
  }
  return 0;
}

} // namespace seedplan::app
