// `seedplan study add-ae --study FILE --patient ID --term TEXT --grade 1-5 --date DATE
// [--attribution procedure|seeds|pd1|other]`: an adverse event (CTCAE).

#include "StudyCommandSupport.h"
#include "StudyRecordCommands.h"

#include <iostream>

namespace seedplan::app {

void RegisterStudyAddAeCommand(CLI::App& study) {
  auto* command =
      study.add_subcommand("add-ae", "Add an adverse event (CTCAE term, grade 1-5, attribution)");
  auto file = std::make_shared<StudyFileOptions>();
  AddStudyFileOptions(*command, *file);
  using Fields = FieldOptions<study::AdverseEventRecord>;
  auto fields =
      std::make_shared<Fields>(study::AdverseEventRecord::Fields(),
                               std::vector<Fields::Binding>{{"--patient", "patient_id", true},
                                                            {"--term", "term", true},
                                                            {"--grade", "grade", true},
                                                            {"--date", "date", true},
                                                            {"--attribution", "attribution"}});
  fields->Register(*command);
  command->callback([file, fields]() {
    study::AdverseEventRecord adverseEvent;
    fields->Fill(adverseEvent);
    auto record = OpenStudy(*file, "study add-ae");
    const std::int64_t number = record.AddAdverseEvent(adverseEvent);
    std::cout << "added adverse event #" << number << " (" << adverseEvent.term << ", grade "
              << *adverseEvent.grade << ") of patient " << adverseEvent.patientId << " to "
              << file->study << '\n';
  });
}

} // namespace seedplan::app
