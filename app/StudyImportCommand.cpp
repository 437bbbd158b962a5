// `seedplan study import --study FILE --table T --csv FILE`: a coordinator's spreadsheet in the
// export's own columns; every row checked, then all rows in one transaction, or none.

#include "StudyCommandSupport.h"
#include "StudyRecordCommands.h"
#include "seedplan/study/CohortExport.h"
#include "seedplan/study/CsvImport.h"

#include <iostream>

namespace seedplan::app {

namespace {
struct ImportOptions {
  StudyFileOptions file;
  std::string table;
  std::string csv;
};
} // namespace

void RegisterStudyImportCommand(CLI::App& study) {
  auto* command =
      study.add_subcommand("import", "Import a CSV in the export's columns (all rows or none)");
  auto options = std::make_shared<ImportOptions>();
  AddStudyFileOptions(*command, options->file);
  command
      ->add_option("--table", options->table,
                   "patients, lesions, followups, events or adverse_events")
      ->required();
  command->add_option("--csv", options->csv, "The CSV file (UTF-8, header row)")->required();
  command->callback([options]() {
    // The table name is checked before the record is opened.
    study::CohortExport::ImportLayout(options->table);
    auto record = OpenStudy(options->file, "study import " + options->table);
    const std::size_t rows = study::CsvImport::Import(record, options->table, options->csv);
    std::cout << "imported " << rows << " " << options->table << " rows from " << options->csv
              << " into " << options->file.study << '\n';
  });
}

} // namespace seedplan::app
