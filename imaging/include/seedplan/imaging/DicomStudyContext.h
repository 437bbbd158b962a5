#pragma once

#include "seedplan/imaging/CtImage.h"

#include <cstdint>
#include <string>
#include <vector>

namespace seedplan::imaging {

/// One attribute copied from a DICOM file as it is stored: tag, VR and the raw value text (in the
/// file's Specific Character Set).
struct DicomAttributeValue {
  std::uint16_t group = 0;
  std::uint16_t element = 0;
  std::string vr;
  std::string value;
};

/// What every DICOM RT object written for a CT shares with it (DICOM PS3.3 A.19-A.21): the
/// Patient, Patient Study and General Study modules copied exactly from the CT, its Specific
/// Character Set, its Frame of Reference (UID and Position Reference Indicator) and the CT's
/// identity that structure sets reference (series UID, SOP Class and one SOP Instance UID per
/// slice, in slice order).
///
/// Copied: every attribute of group 0010 with a text VR (Patient and Patient Study modules:
/// name, ID, issuer, birth date and time, sex, age, size, weight, comments, ...), and of the
/// General Study module Study Instance UID, Study Date and Time, Referring Physician's Name, Study
/// ID, Accession Number, Study Description, Physician(s) of Record and Name of Physician(s)
/// Reading Study. Sequences are not copied (all of them are type 3 in these modules).
struct DicomStudyContext {
  std::string specificCharacterSet; ///< (0008,0005) of the CT; empty = default repertoire
  std::vector<DicomAttributeValue> patientAndStudy;
  std::string patientId;
  std::string studyInstanceUid;
  std::string frameOfReferenceUid;
  std::string positionReferenceIndicator;
  std::string ctSeriesInstanceUid;
  std::string ctSopClassUid = "1.2.840.10008.5.1.4.1.1.2"; ///< CT Image Storage
  std::vector<std::string> ctSopInstanceUids;

  /// Only what a CT in memory knows (DicomSeriesInfo: patient ID and UIDs): for CTs that were
  /// never files, e.g. in tests. The other patient and study attributes are then written empty.
  static DicomStudyContext FromSeriesInfo(const DicomSeriesInfo& info);

  /// Reads the patient and study attributes from the CT's first slice (the file in the folder
  /// ct.source whose SOP Instance UID is ct.info.sopInstanceUids[0]; each candidate checked by
  /// the project before DCMTK reads it) and takes the UIDs from ct.info. Throws InvalidInput if
  /// the CT has no DICOM identity (a NRRD/MetaImage volume: no UIDs), Io/DataFormat if the slice
  /// cannot be found or read, InvalidInput if its Study Instance UID or Frame of Reference UID
  /// differ from ct.info's.
  static DicomStudyContext ReadFromCt(const CtImage& ct);
};

} // namespace seedplan::imaging
