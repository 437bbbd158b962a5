// `seedplan study add-lesion --study FILE --patient ID --lesion ID --site SITE [...] [--index]`.

#include "StudyCommandSupport.h"
#include "StudyRecordCommands.h"

#include <iostream>

namespace seedplan::app {

void RegisterStudyAddLesionCommand(CLI::App& study) {
  auto* command = study.add_subcommand("add-lesion",
                                       "Add a lesion of a patient (the index lesion with --index)");
  auto file = std::make_shared<StudyFileOptions>();
  AddStudyFileOptions(*command, *file);
  using Fields = FieldOptions<study::LesionRecord>;
  auto fields = std::make_shared<Fields>(
      study::LesionRecord::Fields(), std::vector<Fields::Binding>{{"--patient", "patient_id", true},
                                                                  {"--lesion", "lesion_id", true},
                                                                  {"--site", "site", true},
                                                                  {"--diameter-mm", "diameter_mm"},
                                                                  {"--volume-cc", "volume_cc"}});
  fields->Register(*command);
  auto index = std::make_shared<bool>(false);
  command->add_flag("--index", *index,
                    "The patient's index lesion (LPFS follows it; one per patient)");
  command->callback([file, fields, index]() {
    study::LesionRecord lesion;
    fields->Fill(lesion);
    lesion.isIndex = *index;
    auto record = OpenStudy(*file, "study add-lesion");
    record.AddLesion(lesion);
    std::cout << "added lesion " << lesion.lesionId << " (" << lesion.site
              << (lesion.isIndex ? ", index lesion" : "") << ") of patient " << lesion.patientId
              << " to " << file->study << '\n';
  });
}

} // namespace seedplan::app
