// seedplan: plans and checks permanent 125I seed implants. Each subcommand lives in its own file;
// library errors become one line on stderr and exit code 1.

#include "Commands.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/Version.h"
#include "seedplan/imaging/ToolkitLogging.h"

#include <iostream>

int main(int argc, char** argv) {
  seedplan::imaging::QuietToolkitLogging();
  CLI::App app{"seedplan " SEEDPLAN_VERSION
               ": planning and evaluation of permanent 125I seed implants (AAPM TG-43U1 dose "
               "in water)"};
  app.set_version_flag("--version", "seedplan " SEEDPLAN_VERSION);
  app.require_subcommand(1);
  seedplan::app::RegisterSourcesCommand(app);
  seedplan::app::RegisterDoseRateCommand(app);
  seedplan::app::RegisterDoseCommand(app);
  seedplan::app::RegisterDvhCommand(app);
  seedplan::app::RegisterDemoCommand(app);
  seedplan::app::RegisterDetectSeedsCommand(app);
  seedplan::app::RegisterInspectCommand(app);
  seedplan::app::RegisterPhantomCommand(app);
  seedplan::app::RegisterPlanCommand(app);
  seedplan::app::RegisterEvaluateCommand(app);
  seedplan::app::RegisterSeedsCommand(app);
  seedplan::app::RegisterPostplanCommand(app);
  seedplan::app::RegisterViewCommand(app);
  seedplan::app::RegisterExportCommand(app);
  seedplan::app::RegisterImportRtplanCommand(app);
  seedplan::app::RegisterCompareDoseCommand(app);
  seedplan::app::RegisterEditCommand(app);
  seedplan::app::RegisterReportCommand(app);
  seedplan::app::RegisterStudyCommand(app);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    return app.exit(error);
  } catch (const seedplan::Error& error) {
    std::cerr << "seedplan: error: " << error.what() << '\n';
    return 1;
  } catch (const std::exception& error) {
    std::cerr << "seedplan: internal error: " << error.what() << '\n';
    return 70;
  }
  return 0;
}
