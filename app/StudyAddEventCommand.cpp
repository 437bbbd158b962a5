// `seedplan study add-event --study FILE --patient ID --type TYPE --date DATE [--lesion ID]`.

#include "StudyCommandSupport.h"
#include "StudyRecordCommands.h"

#include <iostream>

namespace seedplan::app {

void RegisterStudyAddEventCommand(CLI::App& study) {
  auto* command = study.add_subcommand(
      "add-event", "Add an outcome event: progression, local-progression (of --lesion), death, "
                   "last-contact");
  auto file = std::make_shared<StudyFileOptions>();
  AddStudyFileOptions(*command, *file);
  using Fields = FieldOptions<study::StudyEventRecord>;
  auto fields =
      std::make_shared<Fields>(study::StudyEventRecord::Fields(),
                               std::vector<Fields::Binding>{{"--patient", "patient_id", true},
                                                            {"--type", "type", true},
                                                            {"--date", "date", true},
                                                            {"--lesion", "lesion_id"}});
  fields->Register(*command);
  command->callback([file, fields]() {
    study::StudyEventRecord event;
    fields->Fill(event);
    auto record = OpenStudy(*file, "study add-event");
    const std::int64_t number = record.AddEvent(event);
    std::cout << "added event #" << number << " (" << event.type << " on " << event.date
              << (event.lesionId ? " of lesion " + *event.lesionId : std::string())
              << ") of patient " << event.patientId << " to " << file->study << '\n';
  });
}

} // namespace seedplan::app
