#pragma once

#include <string>

namespace seedplan::study {

/// A person's correction of one value of the record (`seedplan study correct`), or the removal of
/// a wrongly entered follow-up, event or adverse event, always with a reason for the audit trail.
struct Correction {
  enum class Entry {
    Patient,      ///< a field of the patient
    Lesion,       ///< key: lesion id
    FollowUp,     ///< key: the follow-up's date
    Event,        ///< key: the event's number (study show --patient)
    AdverseEvent, ///< key: the adverse event's number
    Implant       ///< key: LESION@YYYY-MM-DD; only seed_lot, seeds_ordered, seeds_implanted,
                  ///< post_ct_date (everything else comes from the plans)
  };

  std::string patientId;
  Entry entry = Entry::Patient;
  std::string key;
  std::string field;
  std::string value; ///< as typed; empty clears an optional field
  bool remove = false;
  std::string reason;
};

} // namespace seedplan::study
