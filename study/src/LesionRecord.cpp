#include "seedplan/study/LesionRecord.h"

#include "SpecBuilders.h"
#include "seedplan/study/StudyVocabulary.h"

namespace seedplan::study {

const RecordFields<LesionRecord>& LesionRecord::Fields() {
  using R = LesionRecord;
  static const RecordFields<R> fields({
      {spec::Id("patient_id", "Pseudonymous study patient id"), &R::patientId},
      {spec::Id("lesion_id", "Lesion id, unique within the patient (e.g. its target name)"),
       &R::lesionId},
      {spec::Choice("site", "Site of the lesion", StudyVocabulary::Sites(), true), &R::site},
      // 30 cm bounds any lesion a seed implant treats; 0 would be no lesion.
      {spec::Real("diameter_mm", "Largest diameter", "mm", 0.1, 300), &R::diameterMm},
      {spec::Real("volume_cc", "Volume", "cc", 0.001, 5000), &R::volumeCc},
      {spec::Flag("is_index", "Index lesion (1): the lesion LPFS follows"), &R::isIndex},
  });
  return fields;
}

} // namespace seedplan::study
