#pragma once
// Private to imaging: the modules every DICOM RT object seedplan writes shares with its CT.

#include "DicomItemWriter.h"
#include "seedplan/imaging/RtInstanceHeader.h"

#include <string>
#include <vector>

namespace seedplan::imaging {

/// The UIDs an RT object was written with.
struct RtWrittenIdentity {
  std::string sopInstanceUid;
  std::string seriesInstanceUid;
};

/// Writes the SOP Common, Patient (+ Patient Study), General Study, RT Series, Frame of Reference
/// (when `frameOfReference`; dciodvfy expects it in all three RT objects) and General Equipment
/// modules of an RT object: patient and study copied from header.study
/// exactly (type 2 attributes the CT lacked are written empty), the CT's Specific Character Set
/// (or ISO_IR 192 when the CT has none and `texts` hold non-ASCII characters), a new SOP Instance
/// and Series (header's UIDs when given, validated), Operators' Name (type 2 in the RT Series
/// module), Manufacturer "seedplan" and the software version.
class RtHeaderWriter {
public:
  static RtWrittenIdentity Write(DicomItemWriter& data, const RtInstanceHeader& header,
                                 const std::string& modality, const std::string& sopClassUid,
                                 bool frameOfReference, const std::vector<std::string>& texts);
};

} // namespace seedplan::imaging
