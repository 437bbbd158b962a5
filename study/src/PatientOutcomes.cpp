#include "seedplan/study/PatientOutcomes.h"

#include "seedplan/study/IsoDate.h"
#include "seedplan/study/StudyVocabulary.h"

#include <algorithm>

namespace seedplan::study {

namespace {

void KeepEarliest(std::optional<std::string>& earliest, const std::string& date) {
  if (!earliest || date < *earliest) {
    earliest = date;
  }
}

void KeepLatest(std::optional<std::string>& latest, const std::string& date) {
  if (!latest || date > *latest) {
    latest = date;
  }
}

void KeepBest(std::optional<std::string>& best, const std::string& response) {
  if (StudyVocabulary::ResponseRank(response) < 0) {
    return;
  }
  if (!best || StudyVocabulary::ResponseRank(response) < StudyVocabulary::ResponseRank(*best)) {
    best = response;
  }
}

} // namespace

double PatientOutcomes::MonthsBetween(const std::string& from, const std::string& to) {
  return static_cast<double>(
             IsoDate::DaysBetween(IsoDate::Parse(from, "date"), IsoDate::Parse(to, "date"))) /
         kDaysPerMonth;
}

PatientOutcomes PatientOutcomes::Derive(const PatientRecord& patient,
                                        const std::vector<LesionRecord>& lesions,
                                        const std::vector<FollowUpRecord>& followUps,
                                        const std::vector<StudyEventRecord>& events) {
  PatientOutcomes outcomes;
  for (const LesionRecord& lesion : lesions) {
    if (lesion.patientId == patient.patientId && lesion.isIndex) {
      outcomes.indexLesionId = lesion.lesionId;
    }
  }
  std::optional<std::string> death, progression, indexProgression;
  std::optional<std::string> firstVasDate;
  for (const StudyEventRecord& event : events) {
    if (event.patientId != patient.patientId) {
      continue;
    }
    if (event.type == "death") {
      KeepEarliest(death, event.date);
      continue;
    }
    KeepLatest(outcomes.lastContactDate, event.date);
    if (event.type == "progression" || event.type == "local-progression") {
      KeepEarliest(progression, event.date);
    }
    if (event.type == "local-progression" && outcomes.indexLesionId &&
        event.lesionId == outcomes.indexLesionId) {
      KeepEarliest(indexProgression, event.date);
    }
  }
  for (const FollowUpRecord& followUp : followUps) {
    if (followUp.patientId != patient.patientId) {
      continue;
    }
    KeepLatest(outcomes.lastContactDate, followUp.date);
    if (followUp.response) {
      KeepBest(outcomes.bestResponse, *followUp.response);
    }
    for (const auto& lesionResponse : followUp.lesionResponses) {
      if (outcomes.indexLesionId && lesionResponse.lesionId == *outcomes.indexLesionId) {
        KeepBest(outcomes.localResponse, lesionResponse.response);
      }
    }
    if (followUp.vas && patient.startDate && followUp.date > *patient.startDate &&
        (!firstVasDate || followUp.date < *firstVasDate)) {
      firstVasDate = followUp.date;
      outcomes.vasFollowup = followUp.vas;
    }
  }

  if (!patient.startDate) {
    return outcomes;
  }
  const std::string& start = *patient.startDate;
  const auto endpoint = [&](std::optional<std::string> eventDate) {
    Endpoint result;
    if (death && (!eventDate || *death < *eventDate)) {
      eventDate = death;
    }
    if (eventDate) {
      result.date = eventDate;
      result.event = 1;
    } else if (outcomes.lastContactDate && *outcomes.lastContactDate >= start) {
      result.date = outcomes.lastContactDate;
      result.event = 0;
    } else {
      return result;
    }
    result.months = MonthsBetween(start, *result.date);
    return result;
  };
  outcomes.pfs = endpoint(progression);
  outcomes.os = endpoint(std::nullopt);
  if (outcomes.indexLesionId) {
    outcomes.lpfs = endpoint(indexProgression);
  }
  return outcomes;
}

} // namespace seedplan::study
