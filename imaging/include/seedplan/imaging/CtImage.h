#pragma once

#include "seedplan/core/Volume.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace seedplan::imaging {

/// What identifies and describes a DICOM series (empty fields for NRRD/MetaImage/NIfTI volumes).
struct DicomSeriesInfo {
  std::string seriesInstanceUid;
  std::string studyInstanceUid;
  std::string frameOfReferenceUid;
  std::string modality;        ///< (0008,0060), "CT" for a planning CT
  std::string patientPosition; ///< (0018,5100): HFS, FFS, HFP, FFP, ...
  std::string patientId;
  std::string patientName; ///< (0010,0010), DICOM PN text (Family^Given...), may be empty
  std::string studyDate;   ///< (0008,0020), YYYYMMDD as stored, may be empty
  std::string seriesDate;  ///< (0008,0021), may be empty
  std::string seriesDescription;
  std::string seriesNumber;
  std::string transferSyntax; ///< of the first slice, for inspect
  std::size_t fileCount = 0;
  /// SOP Instance UIDs of the slices in slice order (k = 0, 1, ...): an RT Structure Set written
  /// for this CT references them.
  std::vector<std::string> sopInstanceUids;
};

/// A CT volume in Hounsfield units with the identity of its series. Orientation and patient
/// position are carried by the grid's direction matrix (LPS).
struct CtImage {
  Volume<short> hu;
  DicomSeriesInfo info;
  std::filesystem::path source;
};

} // namespace seedplan::imaging
