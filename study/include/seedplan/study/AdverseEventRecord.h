#pragma once

#include "seedplan/study/RecordFields.h"

#include <cstdint>
#include <optional>
#include <string>

namespace seedplan::study {

/// An adverse event: CTCAE term and grade (1-5), date of onset, and what it is attributed to.
struct AdverseEventRecord {
  std::int64_t aeNo = 0; ///< the record's number of the entry (0 until stored)
  std::string patientId;
  std::string term;         ///< CTCAE term, e.g. "Pneumothorax"
  std::optional<int> grade; ///< CTCAE grade 1-5
  std::string date;
  std::optional<std::string> attribution; ///< procedure, seeds, pd1, other

  /// patient_id, term, grade, date, attribution.
  static const RecordFields<AdverseEventRecord>& Fields();
};

} // namespace seedplan::study
