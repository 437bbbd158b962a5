// `seedplan study <command>`: the study record (init, add-*, import, export, show, correct,
// backup; StudyRecordCommands.cpp) and the outcome analyses (analyze; StudyAnalyzeCommand.cpp).

#include "Commands.h"

namespace seedplan::app {

void RegisterStudyCommand(CLI::App& app) {
  auto* study = app.add_subcommand("study", "The study record and the outcome analyses");
  study->require_subcommand(1);
  RegisterStudyAnalyzeCommand(*study);
  RegisterStudyRecordCommands(*study);
}

} // namespace seedplan::app
