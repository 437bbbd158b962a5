#include "RtHeaderWriter.h"

#include "seedplan/core/Error.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <set>

namespace seedplan::imaging {

namespace {

bool IsAscii(const std::string& text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string UidOrNew(const std::string& given, const char* root, const std::string& field) {
  if (given.empty()) {
    return DicomItemWriter::NewUid(root);
  }
  if (!DicomItemWriter::IsValidUid(given)) {
    throw InvalidInput(field + " is '" + given.substr(0, 80) +
                       "'; expected a UID of digits and dots, at most 64 characters");
  }
  return given;
}

} // namespace

RtWrittenIdentity RtHeaderWriter::Write(DicomItemWriter& data, const RtInstanceHeader& header,
                                        const std::string& modality, const std::string& sopClassUid,
                                        bool frameOfReference,
                                        const std::vector<std::string>& texts) {
  const DicomStudyContext& study = header.study;
  if (study.studyInstanceUid.empty() || study.frameOfReferenceUid.empty()) {
    throw InvalidInput("the CT has no Study Instance UID or Frame of Reference UID; a DICOM RT "
                       "object can only be written for a DICOM CT series");
  }
  RtWrittenIdentity identity;
  identity.sopInstanceUid =
      UidOrNew(header.sopInstanceUid, SITE_INSTANCE_UID_ROOT, "SOP Instance UID");
  identity.seriesInstanceUid =
      UidOrNew(header.seriesInstanceUid, SITE_SERIES_UID_ROOT, "Series Instance UID");

  // SOP Common
  bool ascii = IsAscii(header.seriesDescription) && IsAscii(header.operatorsName);
  for (const std::string& text : texts) {
    ascii = ascii && IsAscii(text);
  }
  if (!study.specificCharacterSet.empty()) {
    data.Put(DCM_SpecificCharacterSet, study.specificCharacterSet);
  } else if (!ascii) {
    data.Put(DCM_SpecificCharacterSet, "ISO_IR 192");
  }
  data.Put(DCM_SOPClassUID, sopClassUid);
  data.Put(DCM_SOPInstanceUID, identity.sopInstanceUid);
  const std::string date = DicomItemWriter::Today();
  const std::string time = DicomItemWriter::NowTime();
  data.Put(DCM_InstanceCreationDate, date);
  data.Put(DCM_InstanceCreationTime, time);

  // Patient, Patient Study and General Study: type 2 attributes first (empty), then the CT's.
  for (const DcmTagKey& tag :
       {DCM_PatientName, DCM_PatientID, DCM_PatientBirthDate, DCM_PatientSex, DCM_StudyDate,
        DCM_StudyTime, DCM_ReferringPhysicianName, DCM_StudyID, DCM_AccessionNumber}) {
    data.Put(tag, "");
  }
  std::set<std::pair<std::uint16_t, std::uint16_t>> copied;
  for (const DicomAttributeValue& attribute : study.patientAndStudy) {
    if (!copied.insert({attribute.group, attribute.element}).second) {
      continue;
    }
    data.Put(DcmTagKey(attribute.group, attribute.element), attribute.value);
  }
  data.Put(DCM_StudyInstanceUID, study.studyInstanceUid);

  // RT Series
  data.Put(DCM_Modality, modality);
  data.Put(DCM_SeriesInstanceUID, identity.seriesInstanceUid);
  data.Put(DCM_SeriesNumber, header.seriesNumber > 0 ? std::to_string(header.seriesNumber) : "");
  if (!header.seriesDescription.empty()) {
    data.Put(DCM_SeriesDescription, header.seriesDescription);
  }
  data.Put(DCM_SeriesDate, date);
  data.Put(DCM_SeriesTime, time);
  data.Put(DCM_OperatorsName, header.operatorsName);

  if (frameOfReference) {
    data.Put(DCM_FrameOfReferenceUID, study.frameOfReferenceUid);
    data.Put(DCM_PositionReferenceIndicator, study.positionReferenceIndicator);
  }

  // General Equipment
  data.Put(DCM_Manufacturer, "seedplan");
  data.Put(DCM_ManufacturerModelName, "seedplan");
  if (!header.softwareVersion.empty()) {
    data.Put(DCM_SoftwareVersions, header.softwareVersion);
  }
  return identity;
}

} // namespace seedplan::imaging
