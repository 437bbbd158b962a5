#pragma once

#include "seedplan/study/FollowUpRecord.h"
#include "seedplan/study/LesionRecord.h"
#include "seedplan/study/PatientRecord.h"
#include "seedplan/study/StudyEventRecord.h"

#include <optional>
#include <string>
#include <vector>

namespace seedplan::study {

/// A patient's outcomes derived from the record, with the event definitions of the export (stated
/// in the README):
///  - time zero is start_date; months = days / 30.4375 (the mean Gregorian month);
///  - last contact = the latest date the patient was seen: last-contact events, follow-up visits,
///    progression and local-progression events;
///  - PFS: the earliest progression anywhere (a progression event or the local progression of any
///    lesion) or death, whichever is first (event 1); otherwise censored at last contact (event 0);
///  - OS: death (1), otherwise censored at last contact (0);
///  - LPFS: the earliest local progression of the index lesion or death (1), otherwise censored at
///    last contact (0); undefined without an index lesion;
///  - best_response: the best overall response of all follow-ups (CR > PR > SD > PD);
///    local_response: the best response of the index lesion;
///  - vas_followup: the VAS of the first follow-up after start_date that records one.
/// A time is missing (nullopt) when start_date is, or when there is no date after it to censor at.
struct PatientOutcomes {
  static constexpr double kDaysPerMonth = 30.4375;

  struct Endpoint {
    std::optional<std::string> date;
    std::optional<int> event;
    std::optional<double> months;
  };

  Endpoint pfs;
  Endpoint os;
  Endpoint lpfs;
  std::optional<std::string> lastContactDate;
  std::optional<std::string> bestResponse;
  std::optional<std::string> localResponse;
  std::optional<double> vasFollowup;
  std::optional<std::string> indexLesionId;

  /// `lesions`, `followUps` and `events` may hold other patients' entries: only `patient`'s count.
  static PatientOutcomes Derive(const PatientRecord& patient,
                                const std::vector<LesionRecord>& lesions,
                                const std::vector<FollowUpRecord>& followUps,
                                const std::vector<StudyEventRecord>& events);
  /// Days from `from` to `to` (both YYYY-MM-DD) / kDaysPerMonth.
  static double MonthsBetween(const std::string& from, const std::string& to);
};

} // namespace seedplan::study
