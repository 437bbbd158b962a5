#include "seedplan/study/AdverseEventRecord.h"

#include "SpecBuilders.h"
#include "seedplan/study/StudyVocabulary.h"

namespace seedplan::study {

const RecordFields<AdverseEventRecord>& AdverseEventRecord::Fields() {
  using R = AdverseEventRecord;
  static const RecordFields<R> fields({
      {spec::Id("patient_id", "Pseudonymous study patient id"), &R::patientId},
      {spec::Text("term", "CTCAE term", true), &R::term},
      {spec::Integer("grade", "CTCAE grade", "", 1, 5, true), &R::grade},
      {spec::Date("date", "Date of onset", true), &R::date},
      {spec::Choice("attribution", "Attributed to", StudyVocabulary::Attributions()),
       &R::attribution},
  });
  return fields;
}

} // namespace seedplan::study
