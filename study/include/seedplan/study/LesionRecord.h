#pragma once

#include "seedplan/study/RecordFields.h"

#include <optional>
#include <string>

namespace seedplan::study {

/// A lesion of a patient: its id (unique within the patient; by default the name of its target
/// structure in the plans, e.g. GTV_Lung), site, size, and whether it is the index lesion (the one
/// whose local progression ends LPFS; every patient has exactly one).
struct LesionRecord {
  std::string patientId;
  std::string lesionId;
  std::string site;                 ///< StudyVocabulary::Sites()
  std::optional<double> diameterMm; ///< largest diameter (mm)
  std::optional<double> volumeCc;   ///< volume (cc)
  bool isIndex = false;

  /// patient_id, lesion_id, site, diameter_mm, volume_cc, is_index.
  static const RecordFields<LesionRecord>& Fields();
};

} // namespace seedplan::study
