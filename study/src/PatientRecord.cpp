#include "seedplan/study/PatientRecord.h"

#include "SpecBuilders.h"

namespace seedplan::study {

const RecordFields<PatientRecord>& PatientRecord::Fields() {
  using R = PatientRecord;
  static const RecordFields<R> fields({
      {spec::Id("patient_id", "Pseudonymous study patient id (never a hospital id or name)"),
       &R::patientId},
      {spec::Id("group", "Treatment group (one of the study's groups)"), &R::group},
      {spec::Integer("age", "Age at the start of treatment", "years", 0, 120), &R::age},
      {spec::Choice("sex", "Sex", {"M", "F"}), &R::sex},
      {spec::Choice("bclc", "BCLC stage", {"A", "B", "C", "D"}), &R::bclc},
      {spec::Choice("child_pugh", "Child-Pugh class", {"A", "B", "C"}), &R::childPugh},
      {spec::Integer("ecog", "ECOG performance status", "", 0, 4), &R::ecog},
      // 10^7 ng/mL is beyond any reported AFP: a larger value is a typing error.
      {spec::Real("afp_ng_ml", "Serum alpha-fetoprotein at baseline", "ng/mL", 0, 1e7),
       &R::afpNgMl},
      {spec::Choice("hbv", "Hepatitis B virus infection", {"yes", "no"}), &R::hbv},
      {spec::Text("pd1_agent", "PD-1 inhibitor given"), &R::pd1Agent},
      {spec::Date("start_date", "Start of treatment: time zero of PFS, OS and LPFS"),
       &R::startDate},
      {spec::Integer("n_extrahepatic", "Number of extrahepatic metastases", "", 0, 100),
       &R::nExtrahepatic},
      {spec::Real("vas_baseline", "Pain before treatment, visual analogue scale", "0-10", 0, 10),
       &R::vasBaseline},
  });
  return fields;
}

} // namespace seedplan::study
