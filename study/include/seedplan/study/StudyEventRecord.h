#pragma once

#include "seedplan/study/RecordFields.h"

#include <cstdint>
#include <optional>
#include <string>

namespace seedplan::study {

/// An outcome event: progression (anywhere), local progression (of one lesion), death, or last
/// contact (the patient was seen alive on that date). The export derives PFS, OS and LPFS from
/// these (see PatientOutcomes).
struct StudyEventRecord {
  std::int64_t eventNo = 0; ///< the record's number of the entry (0 until stored)
  std::string patientId;
  std::string type; ///< StudyVocabulary::EventTypes()
  std::string date;
  std::optional<std::string> lesionId; ///< local-progression only

  /// patient_id, type, date, lesion_id.
  static const RecordFields<StudyEventRecord>& Fields();
};

} // namespace seedplan::study
