#include "seedplan/imaging/DicomStudyContext.h"

#include "DicomFileLoader.h"
#include "DicomItemReader.h"
#include "seedplan/core/Error.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>

#include <algorithm>
#include <array>

namespace seedplan::imaging {

namespace {

namespace fs = std::filesystem;

/// Headers only: values longer than this (the pixel data) stay on disk.
constexpr std::uint32_t kHeaderReadLength = 4096;

/// The General Study module attributes that are not sequences (PS3.3 C.7.2.1).
constexpr std::array<std::pair<std::uint16_t, std::uint16_t>, 8> kStudyTags = {{
    {0x0020, 0x000D}, // Study Instance UID
    {0x0008, 0x0020}, // Study Date
    {0x0008, 0x0030}, // Study Time
    {0x0008, 0x0090}, // Referring Physician's Name
    {0x0020, 0x0010}, // Study ID
    {0x0008, 0x0050}, // Accession Number
    {0x0008, 0x1030}, // Study Description
    {0x0008, 0x1048}, // Physician(s) of Record
}};
constexpr std::pair<std::uint16_t, std::uint16_t> kReadingPhysicians = {0x0008, 0x1060};

bool IsStudyTag(const DcmTagKey& tag) {
  const auto key = std::pair{tag.getGroup(), tag.getElement()};
  return key == kReadingPhysicians ||
         std::find(kStudyTags.begin(), kStudyTags.end(), key) != kStudyTags.end();
}

std::string Raw(DcmElement& element) {
  char* value = nullptr;
  Uint32 length = 0;
  if (element.getString(value, length).bad() || value == nullptr) {
    return {};
  }
  std::string text(value, length);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\0')) {
    text.pop_back();
  }
  return text;
}

} // namespace

DicomStudyContext DicomStudyContext::FromSeriesInfo(const DicomSeriesInfo& info) {
  DicomStudyContext context;
  context.patientId = info.patientId;
  context.studyInstanceUid = info.studyInstanceUid;
  context.frameOfReferenceUid = info.frameOfReferenceUid;
  context.ctSeriesInstanceUid = info.seriesInstanceUid;
  context.ctSopInstanceUids = info.sopInstanceUids;
  context.patientAndStudy.push_back({0x0010, 0x0020, "LO", info.patientId});
  context.patientAndStudy.push_back({0x0020, 0x000D, "UI", info.studyInstanceUid});
  return context;
}

DicomStudyContext DicomStudyContext::ReadFromCt(const CtImage& ct) {
  const std::string where = ct.source.string();
  if (ct.info.frameOfReferenceUid.empty() || ct.info.studyInstanceUid.empty() ||
      ct.info.sopInstanceUids.empty()) {
    throw InvalidInput(where + ": the CT has no DICOM identity (Study Instance UID, Frame of "
                               "Reference UID, SOP Instance UIDs); expected a DICOM CT series");
  }
  std::error_code error;
  if (!fs::is_directory(ct.source, error)) {
    throw Io(where + ": not a folder; expected the folder of the CT series");
  }
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(ct.source, error)) {
    const std::string name = entry.path().filename().string();
    if (entry.is_regular_file(error) && !name.empty() && name[0] != '.' && name != "DICOMDIR") {
      files.push_back(entry.path());
    }
  }
  if (error) {
    throw Io(where + ": cannot list the folder (" + error.message() + ")");
  }
  std::sort(files.begin(), files.end());
  const std::string& wanted = ct.info.sopInstanceUids.front();
  for (const fs::path& file : files) {
    DcmFileFormat fileFormat;
    try {
      DicomFileLoader::Load(file, fileFormat, DicomFileCheck::Options{}, kHeaderReadLength);
    } catch (const Error&) {
      continue; // not a slice of this series (DicomCtSeries already refused bad slices)
    }
    DcmDataset& data = *fileFormat.getDataset();
    const DicomItemReader reader(data, file.string());
    if (reader.String(DCM_SOPInstanceUID).value_or("") != wanted) {
      continue;
    }
    DicomStudyContext context;
    context.specificCharacterSet = reader.String(DCM_SpecificCharacterSet).value_or("");
    for (unsigned long n = 0; n < data.card(); ++n) {
      DcmElement* element = data.getElement(n);
      if (element == nullptr || !element->isaString()) {
        continue;
      }
      const DcmTagKey tag = element->getTag();
      if (tag.getGroup() == 0x0010 || IsStudyTag(tag)) {
        context.patientAndStudy.push_back(
            {tag.getGroup(), tag.getElement(), DcmVR(element->ident()).getVRName(), Raw(*element)});
      }
    }
    context.patientId = reader.String(DCM_PatientID).value_or("");
    context.studyInstanceUid = reader.String(DCM_StudyInstanceUID).value_or("");
    context.frameOfReferenceUid = reader.String(DCM_FrameOfReferenceUID).value_or("");
    context.positionReferenceIndicator = reader.String(DCM_PositionReferenceIndicator).value_or("");
    context.ctSopClassUid = reader.String(DCM_SOPClassUID).value_or(context.ctSopClassUid);
    context.ctSeriesInstanceUid = ct.info.seriesInstanceUid;
    context.ctSopInstanceUids = ct.info.sopInstanceUids;
    if (context.studyInstanceUid != ct.info.studyInstanceUid ||
        context.frameOfReferenceUid != ct.info.frameOfReferenceUid) {
      throw InvalidInput(file.string() + ": Study Instance UID " + context.studyInstanceUid +
                         " / Frame of Reference UID " + context.frameOfReferenceUid +
                         " differ from the loaded CT's (" + ct.info.studyInstanceUid + " / " +
                         ct.info.frameOfReferenceUid + "); the folder changed while reading");
    }
    return context;
  }
  throw Io(where + ": no file with SOP Instance UID " + wanted +
           " (the CT's first slice); the folder changed since the CT was loaded");
}

} // namespace seedplan::imaging
