#pragma once
// One file per subcommand; each registers its options and its action on the application.

#include <CLI/CLI.hpp>

namespace seedplan::app {

void RegisterSourcesCommand(CLI::App& app);
void RegisterDoseRateCommand(CLI::App& app);
void RegisterDoseCommand(CLI::App& app);
void RegisterDvhCommand(CLI::App& app);
void RegisterDemoCommand(CLI::App& app);
void RegisterDetectSeedsCommand(CLI::App& app);
void RegisterInspectCommand(CLI::App& app);
void RegisterPhantomCommand(CLI::App& app);
void RegisterPlanCommand(CLI::App& app);
void RegisterEvaluateCommand(CLI::App& app);
void RegisterSeedsCommand(CLI::App& app);
void RegisterPostplanCommand(CLI::App& app);
void RegisterViewCommand(CLI::App& app);
void RegisterExportCommand(CLI::App& app);
void RegisterImportRtplanCommand(CLI::App& app);
void RegisterCompareDoseCommand(CLI::App& app);
void RegisterEditCommand(CLI::App& app);
void RegisterReportCommand(CLI::App& app);
void RegisterStudyCommand(CLI::App& app);
/// `study analyze` (outcome analyses, StudyAnalyzeCommand.cpp) on the `study` command group.
void RegisterStudyAnalyzeCommand(CLI::App& study);
/// The study record's commands (init, add-*, import, export, show, correct, backup) on `study`.
void RegisterStudyRecordCommands(CLI::App& study);

} // namespace seedplan::app
