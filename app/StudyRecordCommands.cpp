// The study record's commands: placeholder until the study-record issue (9) lands.

#include "Commands.h"

namespace seedplan::app {

void RegisterStudyRecordCommands(CLI::App& /*study*/) {}

} // namespace seedplan::app
