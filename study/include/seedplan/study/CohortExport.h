#pragma once

#include "seedplan/study/CohortTable.h"
#include "seedplan/study/ExportTable.h"
#include "seedplan/study/StudySnapshot.h"

#include <filesystem>
#include <string>
#include <vector>

namespace seedplan::study {

/// The export of a study record for analysis in R, pandas or `seedplan study analyze`: one CSV per
/// table, each with patient_id as its first column (the data dictionary excepted), UTF-8 without
/// byte-order mark, missing values NA, and no names, birth dates, hospital ids, file paths or
/// DICOM UIDs (the record holds pseudonymous ids only; plan paths and UIDs stay inside it).
///  - patients.csv: one row per patient with exactly the cohort columns of the outcome analysis
///    (CohortColumns(), in that order), then bclc, hbv, vas_baseline, vas_followup,
///    local_response, index_lesion_id, post_d90_gy, post_v100_pct, n_lesions, n_implants,
///    last_contact_date. The dose columns are the index lesion's first implant; times and events
///    follow PatientOutcomes.
///  - lesions.csv, implants.csv (one row per implanted lesion, planned and post-implant values
///    side by side), organ_doses.csv, followups.csv, events.csv, adverse_events.csv;
///  - data_dictionary.csv: table, column, label, type, unit, allowed_values of every column.
class CohortExport {
public:
  /// The 26 columns of the cohort CSV that `study analyze` reads (issue 8), in its order.
  static const std::vector<std::string>& CohortColumns();

  /// Every table, data dictionary last.
  static std::vector<ExportTable> Tables(const StudySnapshot& snapshot);
  /// patients.csv alone (what `study analyze --study` analyses).
  static ExportTable Patients(const StudySnapshot& snapshot);
  /// patients.csv as the outcome analyses' cohort, in memory (`study analyze --study FILE`):
  /// `sourceName` (the record's file) and "patient ID" locate a value in messages.
  static CohortTable Cohort(const StudySnapshot& snapshot, const std::string& sourceName);
  /// The tables an import reads (their entered columns): patients, lesions, followups, events,
  /// adverse_events. Columns only, no rows.
  static ExportTable ImportLayout(const std::string& table);

  /// Writes every table into `folder` (created if missing; its parent must exist): all files are
  /// written under temporary names first and renamed only when all are complete, so an error
  /// leaves no new file (into a new folder: the folder appears complete or not at all). Returns
  /// the files written.
  static std::vector<std::filesystem::path> Write(const StudySnapshot& snapshot,
                                                  const std::filesystem::path& folder);
};

} // namespace seedplan::study
