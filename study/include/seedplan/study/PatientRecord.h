#pragma once

#include "seedplan/study/RecordFields.h"

#include <optional>
#include <string>

namespace seedplan::study {

/// A patient of the study: a pseudonymous study id (never the hospital id, the DICOM Patient ID or
/// a name: the link to the hospital stays outside seedplan), the treatment group, baseline
/// characteristics and the start of treatment (time zero of PFS, OS and LPFS).
struct PatientRecord {
  std::string patientId;
  std::string group;
  std::optional<int> age;               ///< years
  std::optional<std::string> sex;       ///< M, F
  std::optional<std::string> bclc;      ///< Barcelona Clinic Liver Cancer stage A-D
  std::optional<std::string> childPugh; ///< A, B, C
  std::optional<int> ecog;              ///< ECOG performance status 0-4
  std::optional<double> afpNgMl;        ///< alpha-fetoprotein (ng/mL)
  std::optional<std::string> hbv;       ///< yes, no
  std::optional<std::string> pd1Agent;  ///< e.g. camrelizumab
  std::optional<std::string> startDate; ///< YYYY-MM-DD: start of treatment
  std::optional<int> nExtrahepatic;     ///< number of extrahepatic metastases
  std::optional<double> vasBaseline;    ///< pain (VAS 0-10) before treatment

  /// patient_id, group, age, sex, bclc, child_pugh, ecog, afp_ng_ml, hbv, pd1_agent, start_date,
  /// n_extrahepatic, vas_baseline.
  static const RecordFields<PatientRecord>& Fields();
};

} // namespace seedplan::study
