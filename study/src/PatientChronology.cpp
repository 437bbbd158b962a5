#include "seedplan/study/PatientChronology.h"

#include "seedplan/core/Error.h"

#include <optional>

namespace seedplan::study {

void PatientChronology::Check(const PatientRecord& patient,
                              const std::vector<FollowUpRecord>& followUps,
                              const std::vector<StudyEventRecord>& events,
                              const std::vector<AdverseEventRecord>& adverseEvents) {
  const std::string who = "patient " + patient.patientId + ": ";
  const std::optional<std::string>& start = patient.startDate;
  // Dates are YYYY-MM-DD, so text order is date order.
  const auto notBeforeStart = [&](const std::string& what, const std::string& date) {
    if (start && date < *start) {
      throw InvalidInput(who + what + " date " + date + " is before start_date " + *start +
                         "; expected on or after the start of treatment");
    }
  };
  const StudyEventRecord* death = nullptr;
  for (const StudyEventRecord& event : events) {
    if (event.type == "local-progression" && !event.lesionId) {
      throw InvalidInput(who + "local-progression on " + event.date +
                         " names no lesion; expected --lesion ID");
    }
    if (event.type != "local-progression" && event.lesionId) {
      throw InvalidInput(who + event.type + " on " + event.date + " names lesion " +
                         *event.lesionId + "; expected a lesion for local-progression only");
    }
    if (event.type == "death") {
      if (death) {
        throw InvalidInput(who + "death on " + event.date + " and death on " + death->date +
                           "; expected one death");
      }
      death = &event;
    }
  }
  for (const FollowUpRecord& followUp : followUps) {
    notBeforeStart("follow-up", followUp.date);
  }
  for (const StudyEventRecord& event : events) {
    notBeforeStart(event.type, event.date);
  }
  for (const AdverseEventRecord& adverseEvent : adverseEvents) {
    notBeforeStart("adverse event '" + adverseEvent.term + "'", adverseEvent.date);
  }
  if (!death) {
    return;
  }
  const auto notAfterDeath = [&](const std::string& what, const std::string& date) {
    if (date > death->date) {
      throw InvalidInput(who + what + " on " + date + " is after death on " + death->date +
                         "; expected death on or after every other entry");
    }
  };
  for (const FollowUpRecord& followUp : followUps) {
    notAfterDeath("follow-up", followUp.date);
  }
  for (const StudyEventRecord& event : events) {
    notAfterDeath(event.type, event.date);
  }
  for (const AdverseEventRecord& adverseEvent : adverseEvents) {
    notAfterDeath("adverse event '" + adverseEvent.term + "'", adverseEvent.date);
  }
}

} // namespace seedplan::study
