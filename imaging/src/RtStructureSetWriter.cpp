#include "seedplan/imaging/RtStructureSetWriter.h"

#include "seedplan/core/AtomicFileWriter.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/Log.h"
#include "seedplan/imaging/ContourRasterizer.h"
#include "seedplan/imaging/MaskContourer.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <set>

namespace seedplan::imaging {

namespace {

void Put(DcmItem& item, const DcmTagKey& tag, const std::string& value, const std::string& file) {
  const OFCondition status = item.putAndInsertString(DcmTag(tag), value.c_str());
  if (status.bad()) {
    throw InvalidInput(file + ": cannot store " + DcmTag(tag).getTagName() + " '" +
                       value.substr(0, 64) + "' (DCMTK: " + status.text() + ")");
  }
}

DcmItem& AppendItem(DcmItem& parent, const DcmTagKey& sequence) {
  DcmItem* item = nullptr;
  if (parent.findOrCreateSequenceItem(DcmTag(sequence), item, -2).bad() || item == nullptr) {
    throw InvalidInput(std::string("cannot create an item of ") + DcmTag(sequence).getTagName());
  }
  return *item;
}

/// A Decimal String value: at most 16 characters, as many significant digits as fit (<= 10).
std::string FormatDs(double value) {
  char buffer[64];
  for (int digits = 10; digits >= 4; --digits) {
    std::snprintf(buffer, sizeof buffer, "%.*g", digits, value);
    if (std::string(buffer).size() <= 16) {
      break;
    }
  }
  std::string text(buffer);
  return text == "-0" ? "0" : text;
}

std::string NewUid(const char* root) {
  char uid[100];
  dcmGenerateUniqueIdentifier(uid, root);
  return uid;
}

bool IsAscii(const std::string& text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 128; });
}

} // namespace

std::string RtStructureSetWriter::InterpretedTypeFor(StructureRole role) {
  switch (role) {
  case StructureRole::Target:
    return "GTV";
  case StructureRole::NoGo:
    return "AVOIDANCE";
  case StructureRole::External:
    return "EXTERNAL";
  case StructureRole::OrganAtRisk:
  case StructureRole::PassThrough:
  case StructureRole::Bone:
  case StructureRole::Unknown:
    break;
  }
  return "ORGAN";
}

void RtStructureSetWriter::Write(const std::filesystem::path& file, const StructureSet& structures,
                                 const CtImage& ct, const std::string& structureSetLabel) {
  const std::string where = file.string();
  const GridGeometry& grid = ct.hu.Geometry();
  grid.Validate(where + ": CT grid");
  const DicomSeriesInfo& info = ct.info;
  for (const auto& [value, field] :
       {std::pair{&info.studyInstanceUid, "Study Instance UID"},
        std::pair{&info.seriesInstanceUid, "Series Instance UID"},
        std::pair{&info.frameOfReferenceUid, "Frame of Reference UID"}}) {
    if (value->empty()) {
      throw InvalidInput(where + ": the CT (" + ct.source.string() + ") has no " + field +
                         "; an RT Structure Set can only be written for a DICOM CT series");
    }
  }
  if (static_cast<std::int64_t>(info.sopInstanceUids.size()) != grid.Size()[2]) {
    throw InvalidInput(where + ": the CT has " + std::to_string(grid.Size()[2]) + " slices but " +
                       std::to_string(info.sopInstanceUids.size()) +
                       " SOP Instance UIDs; expected one per slice to reference them");
  }

  DcmFileFormat fileFormat;
  DcmDataset& data = *fileFormat.getDataset();
  bool ascii = IsAscii(structureSetLabel) && IsAscii(info.patientId);
  for (const auto& structure : structures.structures) {
    ascii = ascii && IsAscii(structure.name);
  }
  char date[16], time[16];
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  std::strftime(date, sizeof date, "%Y%m%d", &local);
  std::strftime(time, sizeof time, "%H%M%S", &local);

  Put(data, DCM_SpecificCharacterSet, ascii ? "ISO_IR 100" : "ISO_IR 192", where);
  Put(data, DCM_SOPClassUID, UID_RTStructureSetStorage, where);
  Put(data, DCM_SOPInstanceUID, NewUid(SITE_INSTANCE_UID_ROOT), where);
  Put(data, DCM_InstanceCreationDate, date, where);
  Put(data, DCM_InstanceCreationTime, time, where);
  Put(data, DCM_Modality, "RTSTRUCT", where);
  Put(data, DCM_Manufacturer, "seedplan", where);
  Put(data, DCM_StudyDate, "", where);
  Put(data, DCM_StudyTime, "", where);
  Put(data, DCM_AccessionNumber, "", where);
  Put(data, DCM_ReferringPhysicianName, "", where);
  Put(data, DCM_PatientName, "", where);
  Put(data, DCM_PatientID, info.patientId, where);
  Put(data, DCM_PatientBirthDate, "", where);
  Put(data, DCM_PatientSex, "", where);
  Put(data, DCM_StudyInstanceUID, info.studyInstanceUid, where);
  Put(data, DCM_StudyID, "", where);
  Put(data, DCM_SeriesInstanceUID, NewUid(SITE_SERIES_UID_ROOT), where);
  Put(data, DCM_SeriesNumber, "", where);
  Put(data, DCM_SeriesDescription, "seedplan structures", where);
  Put(data, DCM_InstanceNumber, "1", where);
  Put(data, DCM_FrameOfReferenceUID, info.frameOfReferenceUid, where);
  Put(data, DCM_PositionReferenceIndicator, "", where);
  Put(data, DCM_StructureSetLabel, structureSetLabel.substr(0, 16), where);
  Put(data, DCM_StructureSetDate, date, where);
  Put(data, DCM_StructureSetTime, time, where);

  DcmItem& frame = AppendItem(data, DCM_ReferencedFrameOfReferenceSequence);
  Put(frame, DCM_FrameOfReferenceUID, info.frameOfReferenceUid, where);
  DcmItem& study = AppendItem(frame, DCM_RTReferencedStudySequence);
  // Detached Study Management SOP Class, as RT Structure Sets customarily reference the study.
  Put(study, DCM_ReferencedSOPClassUID, "1.2.840.10008.3.1.2.3.1", where);
  Put(study, DCM_ReferencedSOPInstanceUID, info.studyInstanceUid, where);
  DcmItem& series = AppendItem(study, DCM_RTReferencedSeriesSequence);
  Put(series, DCM_SeriesInstanceUID, info.seriesInstanceUid, where);
  for (const auto& sopInstanceUid : info.sopInstanceUids) {
    DcmItem& image = AppendItem(series, DCM_ContourImageSequence);
    Put(image, DCM_ReferencedSOPClassUID, UID_CTImageStorage, where);
    Put(image, DCM_ReferencedSOPInstanceUID, sopInstanceUid, where);
  }

  std::set<int> usedNumbers;
  std::vector<int> numbers;
  for (const auto& structure : structures.structures) {
    int number = structure.number;
    if (number <= 0 || usedNumbers.count(number) != 0) {
      number = 1;
      while (usedNumbers.count(number) != 0) {
        ++number;
      }
    }
    usedNumbers.insert(number);
    numbers.push_back(number);
  }

  const Eigen::Vector3d axis = grid.Direction().col(2);
  const double originAlongMm = axis.dot(grid.OriginMm());
  for (std::size_t s = 0; s < structures.structures.size(); ++s) {
    const Structure& structure = structures.structures[s];
    const std::string number = std::to_string(numbers[s]);
    DcmItem& roi = AppendItem(data, DCM_StructureSetROISequence);
    Put(roi, DCM_ROINumber, number, where);
    Put(roi, DCM_ReferencedFrameOfReferenceUID, info.frameOfReferenceUid, where);
    Put(roi, DCM_ROIName, structure.name, where);
    Put(roi, DCM_ROIGenerationAlgorithm, "", where);

    std::vector<ContourPolygon> contours = structure.contours;
    if (contours.empty() && structure.mask.NumberOfVoxels() > 0) {
      contours = MaskContourer::Contour(structure.mask);
    }
    DcmItem& roiContour = AppendItem(data, DCM_ROIContourSequence);
    const auto& rgb = structure.colorRgb;
    Put(roiContour, DCM_ROIDisplayColor,
        std::to_string(rgb[0]) + "\\" + std::to_string(rgb[1]) + "\\" + std::to_string(rgb[2]),
        where);
    Put(roiContour, DCM_ReferencedROINumber, number, where);
    if (contours.empty()) {
      log::Warning(where + ": structure '" + structure.name +
                   "' has neither contours nor a non-empty mask; written without contours");
    }
    int contourNumber = 0;
    for (const auto& contour : contours) {
      if (contour.pointsMm.size() < 3) {
        continue;
      }
      DcmItem& item = AppendItem(roiContour, DCM_ContourSequence);
      double alongMm = 0.0;
      for (const auto& point : contour.pointsMm) {
        alongMm += axis.dot(point);
      }
      alongMm /= static_cast<double>(contour.pointsMm.size());
      const double k = (alongMm - originAlongMm) / grid.SpacingMm().z();
      const double nearest = std::round(k);
      if (std::abs(k - nearest) * grid.SpacingMm().z() <=
              ContourRasterizer::kPlaneMergeToleranceMm &&
          nearest >= 0 && nearest < static_cast<double>(grid.Size()[2])) {
        DcmItem& image = AppendItem(item, DCM_ContourImageSequence);
        Put(image, DCM_ReferencedSOPClassUID, UID_CTImageStorage, where);
        Put(image, DCM_ReferencedSOPInstanceUID,
            info.sopInstanceUids[static_cast<std::size_t>(nearest)], where);
      }
      Put(item, DCM_ContourGeometricType, "CLOSED_PLANAR", where);
      Put(item, DCM_NumberOfContourPoints, std::to_string(contour.pointsMm.size()), where);
      Put(item, DCM_ContourNumber, std::to_string(++contourNumber), where);
      std::string coordinates;
      coordinates.reserve(contour.pointsMm.size() * 3 * 12);
      for (const auto& point : contour.pointsMm) {
        for (int a = 0; a < 3; ++a) {
          if (!coordinates.empty()) {
            coordinates += '\\';
          }
          coordinates += FormatDs(point[a]);
        }
      }
      Put(item, DCM_ContourData, coordinates, where);
    }

    DcmItem& observation = AppendItem(data, DCM_RTROIObservationsSequence);
    Put(observation, DCM_ObservationNumber, number, where);
    Put(observation, DCM_ReferencedROINumber, number, where);
    Put(observation, DCM_RTROIInterpretedType,
        structure.interpretedType.empty() ? InterpretedTypeFor(structure.role)
                                          : structure.interpretedType,
        where);
    Put(observation, DCM_ROIInterpreter, "", where);
  }

  AtomicFileWriter writer(file);
  const OFCondition status =
      fileFormat.saveFile(writer.TemporaryPath().string().c_str(), EXS_LittleEndianImplicit);
  if (status.bad()) {
    throw Io(where + ": cannot write the RT Structure Set (DCMTK: " + status.text() + ")");
  }
  writer.Commit();
}

} // namespace seedplan::imaging
