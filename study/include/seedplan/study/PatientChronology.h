#pragma once

#include "seedplan/study/AdverseEventRecord.h"
#include "seedplan/study/FollowUpRecord.h"
#include "seedplan/study/PatientRecord.h"
#include "seedplan/study/StudyEventRecord.h"

#include <vector>

namespace seedplan::study {

/// The order of a patient's dates that every entry must respect; checked after each change, inside
/// its transaction, so that a change that breaks it is refused and nothing is written:
///  - follow-ups, events and adverse events are on or after the start of treatment;
///  - at most one death, and nothing (follow-up, progression, last contact, adverse event) after
///  it;
///  - a local progression names a lesion, other events do not.
/// Throws InvalidInput naming the patient, the entries and their dates.
class PatientChronology {
public:
  static void Check(const PatientRecord& patient, const std::vector<FollowUpRecord>& followUps,
                    const std::vector<StudyEventRecord>& events,
                    const std::vector<AdverseEventRecord>& adverseEvents);
};

} // namespace seedplan::study
