// `seedplan study export --study FILE --out DIR`: the cohort dataset for R, pandas or
// `seedplan study analyze` (see study::CohortExport).

#include "StudyCommandSupport.h"
#include "StudyRecordCommands.h"
#include "seedplan/core/Log.h"
#include "seedplan/study/CohortExport.h"

#include <iostream>

namespace seedplan::app {

namespace {
struct ExportOptions {
  StudyFileOptions file;
  std::string out;
};
} // namespace

study::CohortTable StudyRecordCohort(const std::string& studyFile) {
  auto record = study::StudyRecord::Open(studyFile, StudyUser(""), "study analyze");
  return study::CohortExport::Cohort(record.Snapshot(), studyFile);
}

void RegisterStudyExportCommand(CLI::App& study) {
  auto* command = study.add_subcommand(
      "export", "Export the cohort dataset (patients.csv in the cohort columns, lesions, "
                "implants, organ doses, follow-ups, events, adverse events, data dictionary)");
  auto options = std::make_shared<ExportOptions>();
  AddStudyFileOptions(*command, options->file);
  command->add_option("--out", options->out, "Folder to write the CSV files into")->required();
  command->callback([options]() {
    auto record = OpenStudy(options->file, "study export");
    const study::StudySnapshot snapshot = record.Snapshot();
    std::size_t withoutIndex = 0;
    std::size_t withoutStart = 0;
    for (const auto& patient : snapshot.patients) {
      withoutStart += !patient.startDate;
      bool hasIndex = false;
      for (const auto& lesion : snapshot.lesions) {
        hasIndex |= lesion.patientId == patient.patientId && lesion.isIndex;
      }
      withoutIndex += !hasIndex;
    }
    const auto files = study::CohortExport::Write(snapshot, options->out);
    if (withoutStart > 0) {
      log::Warning(std::to_string(withoutStart) +
                   " patient(s) without start_date: their PFS, OS and LPFS are NA");
    }
    if (withoutIndex > 0) {
      log::Warning(std::to_string(withoutIndex) +
                   " patient(s) without an index lesion: their LPFS and dose columns are NA");
    }
    std::cout << "exported " << snapshot.patients.size() << " patients (" << snapshot.lesions.size()
              << " lesions, " << snapshot.implants.size() << " implants, "
              << snapshot.followUps.size() << " follow-ups, " << snapshot.events.size()
              << " events, " << snapshot.adverseEvents.size() << " adverse events) of study "
              << snapshot.info.studyId << " to " << options->out << " (" << files.size()
              << " files)\n";
  });
}

} // namespace seedplan::app
