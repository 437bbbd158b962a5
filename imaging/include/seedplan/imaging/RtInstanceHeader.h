#pragma once

#include "seedplan/imaging/DicomStudyContext.h"

#include <string>

namespace seedplan::imaging {

/// What identifies one DICOM RT object seedplan writes for a CT: the CT's patient, study and frame
/// of reference (copied), the new object's SOP Instance and Series UIDs (empty: generated), its
/// RT Series (number, description, Operators' Name, type 2: may be empty) and the equipment's
/// software version.
struct RtInstanceHeader {
  DicomStudyContext study;
  std::string sopInstanceUid;
  std::string seriesInstanceUid;
  int seriesNumber = 0; ///< 0 = written empty (type 2)
  std::string seriesDescription;
  std::string operatorsName;
  std::string softwareVersion;
};

} // namespace seedplan::imaging
