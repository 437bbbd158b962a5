// `seedplan study backup --study FILE --out COPY`: a consistent copy with SQLite's online backup,
// while others may be writing; the record is checked (integrity_check) first and the copy after.

#include "StudyCommandSupport.h"
#include "StudyRecordCommands.h"

#include <iostream>

namespace seedplan::app {

namespace {
struct BackupOptions {
  StudyFileOptions file;
  std::string out;
};
} // namespace

void RegisterStudyBackupCommand(CLI::App& study) {
  auto* command = study.add_subcommand("backup", "Copy the record with SQLite's online backup");
  auto options = std::make_shared<BackupOptions>();
  AddStudyFileOptions(*command, options->file);
  command->add_option("--out", options->out, "The copy to write (a new file)")->required();
  command->callback([options]() {
    auto record =
        OpenStudy(options->file, "study backup", study::StudyRecord::IntegrityCheck::Full);
    record.Backup(options->out);
    std::cout << "backed up " << options->file.study << " to " << options->out
              << " (integrity_check ok)\n";
  });
}

} // namespace seedplan::app
