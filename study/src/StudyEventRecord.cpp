#include "seedplan/study/StudyEventRecord.h"

#include "SpecBuilders.h"
#include "seedplan/study/StudyVocabulary.h"

namespace seedplan::study {

const RecordFields<StudyEventRecord>& StudyEventRecord::Fields() {
  using R = StudyEventRecord;
  static const RecordFields<R> fields({
      {spec::Id("patient_id", "Pseudonymous study patient id"), &R::patientId},
      {spec::Choice("type", "Event", StudyVocabulary::EventTypes(), true), &R::type},
      {spec::Date("date", "Date of the event", true), &R::date},
      {spec::Id("lesion_id", "Lesion that progressed (local-progression only)", false),
       &R::lesionId},
  });
  return fields;
}

} // namespace seedplan::study
