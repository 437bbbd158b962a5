#pragma once

#include "seedplan/study/AdverseEventRecord.h"
#include "seedplan/study/FollowUpRecord.h"
#include "seedplan/study/ImplantRecord.h"
#include "seedplan/study/LesionRecord.h"
#include "seedplan/study/PatientRecord.h"
#include "seedplan/study/StudyEventRecord.h"
#include "seedplan/study/StudyInfo.h"

#include <vector>

namespace seedplan::study {

/// Everything a study record holds (or one patient's part of it), read in one transaction so that
/// it is consistent even while others write: what the export and `study show` work from. Entries
/// are in the order they were entered, patients by id.
struct StudySnapshot {
  StudyInfo info;
  std::vector<PatientRecord> patients;
  std::vector<LesionRecord> lesions;
  std::vector<ImplantRecord> implants;
  std::vector<FollowUpRecord> followUps;
  std::vector<StudyEventRecord> events;
  std::vector<AdverseEventRecord> adverseEvents;
};

} // namespace seedplan::study
