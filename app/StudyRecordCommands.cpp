// The study record's commands on `seedplan study` (issue 9): init, add-patient, add-lesion,
// add-followup, add-event, add-ae, correct, import, export, show, backup. Each runs as one
// transaction of the record and prints one line (or the report asked for) on success.

#include "StudyRecordCommands.h"
#include "Commands.h"

namespace seedplan::app {

void RegisterStudyRecordCommands(CLI::App& study) {
  RegisterStudyInitCommand(study);
  RegisterStudyAddPatientCommand(study);
  RegisterStudyAddLesionCommand(study);
  RegisterStudyAddFollowUpCommand(study);
  RegisterStudyAddEventCommand(study);
  RegisterStudyAddAeCommand(study);
  RegisterStudyCorrectCommand(study);
  RegisterStudyImportCommand(study);
  RegisterStudyExportCommand(study);
  RegisterStudyShowCommand(study);
  RegisterStudyBackupCommand(study);
}

} // namespace seedplan::app
