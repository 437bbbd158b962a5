// `seedplan study correct --study FILE --patient ID --field NAME --value V --reason TEXT`: one
// value corrected, with its old value, the new one, who and why in the audit trail. The entry is
// the patient itself, or one of --lesion ID, --followup DATE, --event N, --ae N,
// --implant LESION@DATE; --delete removes a wrongly entered follow-up, event or adverse event.

#include "StudyCommandSupport.h"
#include "StudyRecordCommands.h"
#include "seedplan/core/Error.h"

#include <iostream>

namespace seedplan::app {

namespace {

struct CorrectOptions {
  StudyFileOptions file;
  std::string patient;
  std::string lesion;
  std::string followUp;
  std::string event;
  std::string adverseEvent;
  std::string implant;
  std::string field;
  std::string value;
  bool remove = false;
  std::string reason;
};

void RunCorrect(const CorrectOptions& options, const CLI::App& command) {
  study::Correction correction;
  correction.patientId = options.patient;
  const std::vector<std::pair<const char*, study::Correction::Entry>> entries = {
      {"--lesion", study::Correction::Entry::Lesion},
      {"--followup", study::Correction::Entry::FollowUp},
      {"--event", study::Correction::Entry::Event},
      {"--ae", study::Correction::Entry::AdverseEvent},
      {"--implant", study::Correction::Entry::Implant}};
  int given = 0;
  for (const auto& [option, entry] : entries) {
    if (command.count(option) > 0) {
      ++given;
      correction.entry = entry;
      correction.key = command.get_option(option)->as<std::string>();
    }
  }
  if (given > 1) {
    throw InvalidInput("--lesion, --followup, --event, --ae and --implant name the entry to "
                       "correct; expected at most one of them");
  }
  correction.remove = options.remove;
  if (!options.remove && (command.count("--field") == 0 || command.count("--value") == 0)) {
    throw InvalidInput("--field and --value are required (or --delete to remove an entry)");
  }
  if (options.remove && (command.count("--field") > 0 || command.count("--value") > 0)) {
    throw InvalidInput("--delete removes the whole entry; expected no --field or --value");
  }
  correction.field = options.field;
  correction.value = options.value;
  correction.reason = options.reason;
  auto record = OpenStudy(options.file, "study correct");
  record.Correct(correction);
  if (options.remove) {
    std::cout << "removed the entry of patient " << options.patient << " from "
              << options.file.study << " (kept in the audit trail)\n";
  } else {
    std::cout << "corrected " << options.field << " of patient " << options.patient
              << (correction.key.empty() ? "" : " (" + correction.key + ")") << " to '"
              << options.value << "' in " << options.file.study << '\n';
  }
}

} // namespace

void RegisterStudyCorrectCommand(CLI::App& study) {
  auto* command = study.add_subcommand(
      "correct", "Correct one value (or --delete an entry), with a reason for the audit trail");
  auto options = std::make_shared<CorrectOptions>();
  AddStudyFileOptions(*command, options->file);
  command->add_option("--patient", options->patient, "Patient id")->required();
  command->add_option("--lesion", options->lesion, "Correct this lesion of the patient");
  command->add_option("--followup", options->followUp,
                      "Correct the follow-up of this date (YYYY-MM-DD)");
  command->add_option("--event", options->event, "Correct event number N (study show --patient)");
  command->add_option("--ae", options->adverseEvent,
                      "Correct adverse event number N (study show --patient)");
  command->add_option("--implant", options->implant,
                      "Correct the implant LESION@YYYY-MM-DD (seed_lot, seeds_ordered, "
                      "seeds_implanted, post_ct_date)");
  command->add_option("--field", options->field, "Field (column name of the export), e.g. ecog");
  command->add_option("--value", options->value, "New value (empty clears an optional field)");
  command->add_flag("--delete", options->remove,
                    "Remove the --followup, --event or --ae entry (kept in the audit trail)");
  command->add_option("--reason", options->reason, "Why (kept in the audit trail)")->required();
  command->callback([options, command]() { RunCorrect(*options, *command); });
}

} // namespace seedplan::app
