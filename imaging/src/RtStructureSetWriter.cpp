#include "seedplan/imaging/RtStructureSetWriter.h"

#include "DicomItemWriter.h"
#include "RtHeaderWriter.h"
#include "seedplan/core/AtomicFileWriter.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/Log.h"
#include "seedplan/imaging/ContourRasterizer.h"
#include "seedplan/imaging/MaskContourer.h"
#include "seedplan/imaging/StructureRoles.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cmath>
#include <set>

namespace seedplan::imaging {

namespace {

/// Detached Study Management SOP Class, as RT Structure Sets customarily reference the study.
constexpr const char* kDetachedStudyManagement = "1.2.840.10008.3.1.2.3.1";
/// Polyline points closer than this are one point (a clipped end on top of the next point).
constexpr double kSamePointMm = 1e-6;

std::string Coordinates(const std::vector<Eigen::Vector3d>& points) {
  std::string text;
  text.reserve(points.size() * 3 * 12);
  for (const auto& point : points) {
    for (int a = 0; a < 3; ++a) {
      if (!text.empty()) {
        text += '\\';
      }
      text += DicomItemWriter::FormatDecimal(point[a]);
    }
  }
  return text;
}

std::string ColorText(const std::array<std::uint8_t, 3>& rgb) {
  return std::to_string(rgb[0]) + "\\" + std::to_string(rgb[1]) + "\\" + std::to_string(rgb[2]);
}

/// The interpreted type to export for a structure: the role's, unless the structure's own type
/// already gives that role (GTV/CTV/PTV for a target; ORGAN for an organ, pass-through or bone
/// structure, which StructureRoles refines by the name).
std::string ExportInterpretedType(const Structure& structure) {
  const std::string& own = structure.interpretedType;
  if (!own.empty()) {
    const std::optional<StructureRole> fromType = StructureRoles::FromInterpretedType(own);
    if (fromType == structure.role) {
      return own;
    }
    const bool organLike = structure.role == StructureRole::OrganAtRisk ||
                           structure.role == StructureRole::PassThrough ||
                           structure.role == StructureRole::Bone;
    if (fromType == StructureRole::OrganAtRisk && organLike) {
      return own;
    }
  }
  return RtStructureSetWriter::InterpretedTypeFor(structure.role);
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

std::vector<std::vector<Eigen::Vector3d>>
RtStructureSetWriter::ClipToBox(const std::vector<Eigen::Vector3d>& pointsMm,
                                const GridGeometry& grid) {
  std::vector<std::vector<Eigen::Vector3d>> parts;
  std::vector<Eigen::Vector3d> current;
  const auto flush = [&]() {
    if (current.size() >= 2) {
      parts.push_back(current);
    }
    current.clear();
  };
  for (std::size_t n = 0; n + 1 < pointsMm.size(); ++n) {
    const Eigen::Vector3d a = grid.PointToContinuousIndex(pointsMm[n]);
    const Eigen::Vector3d b = grid.PointToContinuousIndex(pointsMm[n + 1]);
    // Liang-Barsky: the part of a + t (b - a), t in [0, 1], inside [-0.5, size - 0.5] per axis.
    double enter = 0.0;
    double leave = 1.0;
    bool inside = true;
    for (int axis = 0; axis < 3 && inside; ++axis) {
      const double low = -0.5;
      const double high = static_cast<double>(grid.Size()[static_cast<std::size_t>(axis)]) - 0.5;
      const double delta = b[axis] - a[axis];
      if (std::abs(delta) < 1e-12) {
        inside = a[axis] >= low && a[axis] <= high;
        continue;
      }
      double t0 = (low - a[axis]) / delta;
      double t1 = (high - a[axis]) / delta;
      if (t0 > t1) {
        std::swap(t0, t1);
      }
      enter = std::max(enter, t0);
      leave = std::min(leave, t1);
      inside = enter <= leave;
    }
    if (!inside) {
      flush();
      continue;
    }
    const Eigen::Vector3d start = pointsMm[n] + enter * (pointsMm[n + 1] - pointsMm[n]);
    const Eigen::Vector3d end = pointsMm[n] + leave * (pointsMm[n + 1] - pointsMm[n]);
    if (!current.empty() && (current.back() - start).norm() > kSamePointMm) {
      flush();
    }
    if (current.empty()) {
      current.push_back(start);
    }
    if ((current.back() - end).norm() > kSamePointMm) {
      current.push_back(end);
    }
    if (leave < 1.0) {
      flush();
    }
  }
  flush();
  return parts;
}

void RtStructureSetWriter::Write(const std::filesystem::path& file, const StructureSet& structures,
                                 const CtImage& ct, const std::string& structureSetLabel) {
  RtStructureSetWriteOptions options;
  options.structureSetLabel = structureSetLabel;
  Write(file, structures, ct, options);
}

RtStructureSetWritten RtStructureSetWriter::Write(const std::filesystem::path& file,
                                                  const StructureSet& structures, const CtImage& ct,
                                                  const RtStructureSetWriteOptions& options) {
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
  for (const RtOpenPolyline& polyline : options.openPolylines) {
    const bool finite = std::all_of(polyline.pointsMm.begin(), polyline.pointsMm.end(),
                                    [](const Eigen::Vector3d& p) { return p.allFinite(); });
    if (polyline.pointsMm.size() < 2 || !finite) {
      throw InvalidInput(where + ": polyline '" + polyline.name +
                         "' has fewer than 2 points or non-finite ones; expected a track");
    }
  }
  RtInstanceHeader header = options.header;
  if (header.study.studyInstanceUid.empty()) {
    header.study = DicomStudyContext::FromSeriesInfo(info);
  }
  if (header.seriesDescription.empty()) {
    header.seriesDescription = "seedplan structures";
  }

  DcmFileFormat fileFormat;
  DicomItemWriter data(*fileFormat.getDataset(), where);
  std::vector<std::string> texts{options.structureSetLabel};
  for (const auto& structure : structures.structures) {
    texts.push_back(structure.name);
  }
  for (const auto& polyline : options.openPolylines) {
    texts.push_back(polyline.name);
  }
  RtStructureSetWritten written;
  const RtWrittenIdentity identity =
      RtHeaderWriter::Write(data, header, "RTSTRUCT", UID_RTStructureSetStorage, true, texts);
  written.sopInstanceUid = identity.sopInstanceUid;
  written.seriesInstanceUid = identity.seriesInstanceUid;

  // Structure Set
  data.Put(DCM_InstanceNumber, "1");
  data.Put(DCM_StructureSetLabel, options.structureSetLabel.substr(0, 16));
  data.Put(DCM_StructureSetDate, DicomItemWriter::Today());
  data.Put(DCM_StructureSetTime, DicomItemWriter::NowTime());
  DicomItemWriter frame = data.AppendItem(DCM_ReferencedFrameOfReferenceSequence);
  frame.Put(DCM_FrameOfReferenceUID, info.frameOfReferenceUid);
  DicomItemWriter study = frame.AppendItem(DCM_RTReferencedStudySequence);
  study.Put(DCM_ReferencedSOPClassUID, kDetachedStudyManagement);
  study.Put(DCM_ReferencedSOPInstanceUID, info.studyInstanceUid);
  DicomItemWriter series = study.AppendItem(DCM_RTReferencedSeriesSequence);
  series.Put(DCM_SeriesInstanceUID, info.seriesInstanceUid);
  const std::string ctSopClass = header.study.ctSopClassUid;
  for (const auto& sopInstanceUid : info.sopInstanceUids) {
    DicomItemWriter image = series.AppendItem(DCM_ContourImageSequence);
    image.Put(DCM_ReferencedSOPClassUID, ctSopClass);
    image.Put(DCM_ReferencedSOPInstanceUID, sopInstanceUid);
  }

  std::set<int> usedNumbers;
  std::vector<int> numbers;
  const auto nextFree = [&usedNumbers](int wanted) {
    int number = wanted;
    if (number <= 0 || usedNumbers.count(number) != 0) {
      number = 1;
      while (usedNumbers.count(number) != 0) {
        ++number;
      }
    }
    usedNumbers.insert(number);
    return number;
  };
  for (const auto& structure : structures.structures) {
    numbers.push_back(nextFree(structure.number));
  }
  std::vector<int> polylineNumbers;
  for (std::size_t p = 0; p < options.openPolylines.size(); ++p) {
    polylineNumbers.push_back(nextFree(0));
  }

  const Eigen::Vector3d axis = grid.Direction().col(2);
  const double originAlongMm = axis.dot(grid.OriginMm());
  const auto addRoi = [&](int roiNumber, const std::string& name) {
    DicomItemWriter roi = data.AppendItem(DCM_StructureSetROISequence);
    roi.PutInteger(DCM_ROINumber, roiNumber);
    roi.Put(DCM_ReferencedFrameOfReferenceUID, info.frameOfReferenceUid);
    roi.Put(DCM_ROIName, name);
    roi.Put(DCM_ROIGenerationAlgorithm, "");
    written.roiNumbers.emplace_back(name, roiNumber);
  };
  const auto addObservation = [&](int roiNumber, const std::string& type) {
    DicomItemWriter observation = data.AppendItem(DCM_RTROIObservationsSequence);
    observation.PutInteger(DCM_ObservationNumber, roiNumber);
    observation.PutInteger(DCM_ReferencedROINumber, roiNumber);
    observation.Put(DCM_RTROIInterpretedType, type);
    observation.Put(DCM_ROIInterpreter, "");
  };

  for (std::size_t s = 0; s < structures.structures.size(); ++s) {
    const Structure& structure = structures.structures[s];
    addRoi(numbers[s], structure.name);
    std::vector<ContourPolygon> contours = structure.contours;
    if (contours.empty() && structure.mask.NumberOfVoxels() > 0) {
      contours = MaskContourer::Contour(structure.mask);
    }
    DicomItemWriter roiContour = data.AppendItem(DCM_ROIContourSequence);
    roiContour.Put(DCM_ROIDisplayColor, ColorText(structure.colorRgb));
    roiContour.PutInteger(DCM_ReferencedROINumber, numbers[s]);
    if (contours.empty()) {
      log::Warning(where + ": structure '" + structure.name +
                   "' has neither contours nor a non-empty mask; written without contours");
    }
    int contourNumber = 0;
    for (const auto& contour : contours) {
      if (contour.pointsMm.size() < 3) {
        continue;
      }
      DicomItemWriter item = roiContour.AppendItem(DCM_ContourSequence);
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
        DicomItemWriter image = item.AppendItem(DCM_ContourImageSequence);
        image.Put(DCM_ReferencedSOPClassUID, ctSopClass);
        image.Put(DCM_ReferencedSOPInstanceUID,
                  info.sopInstanceUids[static_cast<std::size_t>(nearest)]);
      }
      item.Put(DCM_ContourGeometricType, "CLOSED_PLANAR");
      item.PutInteger(DCM_NumberOfContourPoints, static_cast<long>(contour.pointsMm.size()));
      item.PutInteger(DCM_ContourNumber, ++contourNumber);
      item.Put(DCM_ContourData, Coordinates(contour.pointsMm));
    }
    addObservation(numbers[s], options.interpretedTypeFromRole ? ExportInterpretedType(structure)
                               : structure.interpretedType.empty()
                                   ? InterpretedTypeFor(structure.role)
                                   : structure.interpretedType);
  }

  for (std::size_t p = 0; p < options.openPolylines.size(); ++p) {
    const RtOpenPolyline& polyline = options.openPolylines[p];
    addRoi(polylineNumbers[p], polyline.name);
    DicomItemWriter roiContour = data.AppendItem(DCM_ROIContourSequence);
    roiContour.Put(DCM_ROIDisplayColor, ColorText(polyline.colorRgb));
    roiContour.PutInteger(DCM_ReferencedROINumber, polylineNumbers[p]);
    const auto parts = ClipToBox(polyline.pointsMm, grid);
    if (parts.empty()) {
      log::Warning(where + ": '" + polyline.name +
                   "' lies wholly outside the CT; written without contours");
    }
    int contourNumber = 0;
    for (const auto& part : parts) {
      DicomItemWriter item = roiContour.AppendItem(DCM_ContourSequence);
      item.Put(DCM_ContourGeometricType, "OPEN_NONPLANAR");
      item.PutInteger(DCM_NumberOfContourPoints, static_cast<long>(part.size()));
      item.PutInteger(DCM_ContourNumber, ++contourNumber);
      item.Put(DCM_ContourData, Coordinates(part));
    }
    addObservation(polylineNumbers[p], polyline.interpretedType);
  }

  AtomicFileWriter writer(file);
  const OFCondition status =
      fileFormat.saveFile(writer.TemporaryPath().string().c_str(), EXS_LittleEndianImplicit);
  if (status.bad()) {
    throw Io(where + ": cannot write the RT Structure Set (DCMTK: " + status.text() + ")");
  }
  writer.Commit();
  return written;
}

} // namespace seedplan::imaging
