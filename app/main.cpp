// seedplan: plans and checks permanent 125I seed implants. Each subcommand lives in its own file;
// library errors become one line on stderr and exit code 1 (app/ProgramMain.cpp, shared with the
// launcher).

#include "Commands.h"
#include "ProgramMain.h"
#include "seedplan/imaging/ToolkitLogging.h"

int main(int argc, char** argv) {
  seedplan::imaging::QuietToolkitLogging();
  return seedplan::app::RunProgram(argc, argv, [](CLI::App& app) {
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
  });
}
