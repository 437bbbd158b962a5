// `seedplan study add-patient --study FILE --patient ID --group G [...]`: a patient with a
// pseudonymous study id (never the hospital id, the DICOM Patient ID or a name).

#include "StudyCommandSupport.h"
#include "StudyRecordCommands.h"

#include <iostream>

namespace seedplan::app {

void RegisterStudyAddPatientCommand(CLI::App& study) {
  auto* command = study.add_subcommand(
      "add-patient", "Add a patient (pseudonymous study id, group, baseline characteristics)");
  auto file = std::make_shared<StudyFileOptions>();
  AddStudyFileOptions(*command, *file);
  using Fields = FieldOptions<study::PatientRecord>;
  auto fields =
      std::make_shared<Fields>(study::PatientRecord::Fields(),
                               std::vector<Fields::Binding>{{"--patient", "patient_id", true},
                                                            {"--group", "group", true},
                                                            {"--age", "age"},
                                                            {"--sex", "sex"},
                                                            {"--bclc", "bclc"},
                                                            {"--child-pugh", "child_pugh"},
                                                            {"--ecog", "ecog"},
                                                            {"--afp", "afp_ng_ml"},
                                                            {"--hbv", "hbv"},
                                                            {"--pd1-agent", "pd1_agent"},
                                                            {"--start-date", "start_date"},
                                                            {"--n-extrahepatic", "n_extrahepatic"},
                                                            {"--vas-baseline", "vas_baseline"}});
  fields->Register(*command);
  command->callback([file, fields]() {
    study::PatientRecord patient;
    fields->Fill(patient);
    auto record = OpenStudy(*file, "study add-patient");
    record.AddPatient(patient);
    std::cout << "added patient " << patient.patientId << " (" << patient.group << ") to "
              << file->study << '\n';
  });
}

} // namespace seedplan::app
