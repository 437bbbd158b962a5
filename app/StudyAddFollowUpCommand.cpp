// `seedplan study add-followup --study FILE --patient ID --date DATE [...]`: a follow-up visit
// with pain, tumour response (overall and per lesion) and blood values.

#include "StudyCommandSupport.h"
#include "StudyRecordCommands.h"

#include <iostream>

namespace seedplan::app {

void RegisterStudyAddFollowUpCommand(CLI::App& study) {
  auto* command = study.add_subcommand(
      "add-followup", "Add a follow-up visit: VAS, response (RECIST 1.1 or mRECIST), labs");
  auto file = std::make_shared<StudyFileOptions>();
  AddStudyFileOptions(*command, *file);
  using Fields = FieldOptions<study::FollowUpRecord>;
  auto fields =
      std::make_shared<Fields>(study::FollowUpRecord::Fields(),
                               std::vector<Fields::Binding>{{"--patient", "patient_id", true},
                                                            {"--date", "date", true},
                                                            {"--vas", "vas"},
                                                            {"--response", "response"},
                                                            {"--criteria", "criteria"},
                                                            {"--wbc", "wbc_1e9_l"},
                                                            {"--neutrophils", "neutrophils_1e9_l"},
                                                            {"--platelets", "platelets_1e9_l"},
                                                            {"--haemoglobin", "haemoglobin_g_l"},
                                                            {"--alt", "alt_u_l"},
                                                            {"--ast", "ast_u_l"},
                                                            {"--bilirubin", "bilirubin_umol_l"},
                                                            {"--albumin", "albumin_g_l"},
                                                            {"--creatinine", "creatinine_umol_l"}});
  fields->Register(*command);
  auto lesionResponses = std::make_shared<std::vector<std::string>>();
  command->add_option("--lesion-response", *lesionResponses,
                      "LESION:CR|PR|SD|PD, the response of one lesion; repeatable");
  command->callback([file, fields, lesionResponses]() {
    study::FollowUpRecord followUp;
    fields->Fill(followUp);
    for (const std::string& item : *lesionResponses) {
      for (auto& parsed :
           study::FollowUpRecord::ParseLesionResponses(item, "--lesion-response " + item)) {
        followUp.lesionResponses.push_back(parsed);
      }
    }
    auto record = OpenStudy(*file, "study add-followup");
    record.AddFollowUp(followUp);
    std::cout << "added follow-up of patient " << followUp.patientId << " on " << followUp.date
              << " to " << file->study << '\n';
  });
}

} // namespace seedplan::app
