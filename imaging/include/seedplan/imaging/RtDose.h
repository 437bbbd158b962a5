#pragma once

#include "seedplan/core/Volume.h"

#include <optional>
#include <string>
#include <vector>

namespace seedplan::imaging {

/// One item of the DVH Sequence (3004,0050) of an RT Dose (PS3.3 C.8.8.4) as stored: bin widths
/// D_n and volumes V_n (DVH Data (3004,0058) = D1\V1\D2\V2...). For a CUMULATIVE DVH, V_n is the
/// volume receiving at least the dose at the start of bin n (D1 + ... + D(n-1)), so V_1 is the
/// whole volume.
struct RtDvh {
  int roiNumber = 0;        ///< Referenced ROI Number (3006,0084) in the structure set
  std::string type;         ///< DVH Type (3004,0001): CUMULATIVE, DIFFERENTIAL or NATURAL
  std::string doseUnits;    ///< Dose Units (3004,0002): GY or RELATIVE
  std::string doseType;     ///< Dose Type (3004,0004): PHYSICAL, EFFECTIVE or ERROR
  std::string volumeUnits;  ///< DVH Volume Units (3004,0054): CM3, PERCENT or PER_U
  double doseScaling = 1.0; ///< DVH Dose Scaling (3004,0052): bin widths x scaling = dose
  std::vector<double> binWidths;
  std::vector<double> volumes;
  std::optional<double> minimumGy; ///< DVH Minimum Dose (3004,0070)
  std::optional<double> maximumGy; ///< DVH Maximum Dose (3004,0072)
  std::optional<double> meanGy;    ///< DVH Mean Dose (3004,0074)
};

/// A DICOM RT Dose as read: the dose grid in Gy (stored value x Dose Grid Scaling) on its own
/// geometry (LPS, mm), what the dose is, what it references, and its DVHs.
struct RtDoseGrid {
  Volume<float> dose;                  ///< in doseUnits (Gy unless RELATIVE)
  std::string doseUnits;               ///< GY or RELATIVE
  std::string doseType;                ///< PHYSICAL, EFFECTIVE or ERROR
  std::string summationType;           ///< Dose Summation Type (3004,000A): PLAN, MULTI_PLAN, ...
  std::string heterogeneityCorrection; ///< (3004,0014), may be empty
  std::string comment;                 ///< Dose Comment (3004,0006)
  double doseGridScaling = 1.0;
  int bitsAllocated = 0;
  std::string sopInstanceUid;
  std::string frameOfReferenceUid;
  std::string studyInstanceUid;
  std::string patientId;
  std::string referencedPlanUid;         ///< Referenced RT Plan Sequence (300C,0002)
  std::string referencedStructureSetUid; ///< of the RT DVH module
  std::vector<RtDvh> dvhs;
};

} // namespace seedplan::imaging
