#include "seedplan/imaging/RtStructureSetReader.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/Log.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/imaging/ContourRasterizer.h"
#include "seedplan/imaging/DicomFileCheck.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcsequen.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>

namespace seedplan::imaging {

namespace {

std::string Trim(const std::string& text) {
  const auto notSpace = [](char c) {
    return c != ' ' && c != '\0' && c != '\t' && c != '\r' && c != '\n';
  };
  const auto first = std::find_if(text.begin(), text.end(), notSpace);
  const auto last = std::find_if(text.rbegin(), text.rend(), notSpace).base();
  return first < last ? std::string(first, last) : std::string();
}

/// The whole value (all components, backslash-separated) of a string attribute, trimmed; "" if
/// absent. Read in one piece: DCMTK's getOFStringArray rescans the value for every component,
/// which takes minutes for a Contour Data of 60000 numbers.
std::string Get(DcmItem& item, const DcmTagKey& tag) {
  DcmElement* element = nullptr;
  if (item.findAndGetElement(tag, element).bad() || element == nullptr) {
    return {};
  }
  char* value = nullptr;
  Uint32 length = 0;
  if (element->getString(value, length).bad() || value == nullptr) {
    return {};
  }
  return Trim(std::string(value, length));
}

std::vector<DcmItem*> Items(DcmItem& item, const DcmTagKey& tag) {
  std::vector<DcmItem*> items;
  DcmSequenceOfItems* sequence = nullptr;
  if (item.findAndGetSequence(tag, sequence).good() && sequence != nullptr) {
    for (unsigned long n = 0; n < sequence->card(); ++n) {
      items.push_back(sequence->getItem(n));
    }
  }
  return items;
}

/// An Integer String as int, or nullopt.
std::optional<int> ParseInt(const std::string& text) {
  if (text.empty()) {
    return std::nullopt;
  }
  char* end = nullptr;
  errno = 0;
  const long value = std::strtol(text.c_str(), &end, 10);
  if (errno != 0 || Trim(end).size() != 0 || value < -2147483647L || value > 2147483647L) {
    return std::nullopt;
  }
  return static_cast<int>(value);
}

std::string Describe(const Eigen::Vector3d& point) {
  return "(" + FormatNumber(point.x()) + ", " + FormatNumber(point.y()) + ", " +
         FormatNumber(point.z()) + ") mm";
}

/// What the file says about one ROI.
struct RoiRecord {
  int number = 0;
  std::string name;
  std::string frameOfReferenceUid;
  std::string interpretedType;
  std::optional<std::array<std::uint8_t, 3>> color;
  std::vector<DcmItem*> contourItems;
  bool hasContourItem = false;
};

/// A default colour per ROI when the file has none (ROI Display Color is optional).
std::array<std::uint8_t, 3> PaletteColor(std::size_t index) {
  static const std::array<std::array<std::uint8_t, 3>, 8> kPalette{{{255, 0, 0},
                                                                    {0, 200, 0},
                                                                    {0, 128, 255},
                                                                    {255, 200, 0},
                                                                    {200, 0, 200},
                                                                    {0, 200, 200},
                                                                    {255, 128, 0},
                                                                    {128, 128, 255}}};
  return kPalette[index % kPalette.size()];
}

class Reader {
public:
  Reader(const std::filesystem::path& file, const CtImage& ct,
         const RtStructureReadOptions& options, bool contoursOnly = false)
      : m_File(file.string()), m_Ct(ct), m_Options(options), m_Grid(ct.hu.Geometry()),
        m_ContoursOnly(contoursOnly) {}

  StructureSet Read(DcmDataset& data) {
    CheckKind(data);
    StructureSet set;
    set.sourceFile = m_File;
    if (m_ContoursOnly) {
      // No CT to check against: the structure set's own frame of reference.
      for (DcmItem* frame : Items(data, DCM_ReferencedFrameOfReferenceSequence)) {
        if (set.frameOfReferenceUid.empty()) {
          set.frameOfReferenceUid = Get(*frame, DCM_FrameOfReferenceUID);
        }
      }
    } else {
      CheckFrameOfReference(data, set);
    }
    std::vector<RoiRecord> rois = CollectRois(data);
    RefuseIfAllOnAnotherFrame(rois);
    std::set<std::string> names;
    for (auto& roi : rois) {
      if (OnAnotherFrame(roi)) {
        Defect(roi,
               "references Frame of Reference UID " + Excerpt(roi.frameOfReferenceUid) +
                   ", not the CT's " + m_CtFrameUid + "; expected contours drawn on this CT",
               true);
        continue;
      }
      std::optional<Structure> structure = MakeStructure(roi, set.structures.size());
      if (!structure) {
        continue;
      }
      if (!names.insert(structure->name).second) {
        const std::string renamed = structure->name + "_ROI" + std::to_string(roi.number);
        Warn(roi, "has the same name as an earlier ROI; renamed '" + renamed + "'");
        structure->name = renamed;
        names.insert(renamed);
      }
      set.structures.push_back(std::move(*structure));
    }
    set.defects = std::move(m_Defects);
    return set;
  }

private:
  bool OnAnotherFrame(const RoiRecord& roi) const {
    return !roi.frameOfReferenceUid.empty() && !m_CtFrameUid.empty() &&
           roi.frameOfReferenceUid != m_CtFrameUid;
  }

  /// A structure set whose every ROI with contours lies on another Frame of Reference was drawn
  /// on another CT, even if it also names this CT's frame (README: refused).
  void RefuseIfAllOnAnotherFrame(const std::vector<RoiRecord>& rois) const {
    std::size_t withContours = 0;
    std::size_t elsewhere = 0;
    std::set<std::string> frames;
    for (const RoiRecord& roi : rois) {
      if (!roi.contourItems.empty()) {
        ++withContours;
        if (OnAnotherFrame(roi)) {
          ++elsewhere;
          frames.insert(roi.frameOfReferenceUid);
        }
      }
    }
    if (withContours == 0 || elsewhere != withContours) {
      return;
    }
    std::string list;
    for (const std::string& uid : frames) {
      list += (list.empty() ? "" : ", ") + Excerpt(uid);
    }
    throw InvalidInput(
        m_File + ": all " + std::to_string(withContours) +
        " ROIs with contours reference Frame of Reference UID " + list +
        " (Referenced Frame of Reference UID (3006,0024)), but the CT (" + m_Ct.source.string() +
        ") has Frame of Reference UID " + m_CtFrameUid +
        "; the structures were drawn on another CT and cannot be used with this one");
  }

  void Defect(const RoiRecord& roi, const std::string& problem, bool dropped) {
    m_Defects.push_back(StructureDefect{roi.number, roi.name, problem, dropped});
  }

  void Warn(const RoiRecord& roi, const std::string& problem) const {
    log::Warning(m_File + ": ROI " + std::to_string(roi.number) + " '" + Excerpt(roi.name) + "' " +
                 problem);
  }

  void CheckKind(DcmDataset& data) const {
    const std::string sopClass = Get(data, DCM_SOPClassUID);
    const std::string modality = Get(data, DCM_Modality);
    const bool isRtStruct =
        sopClass.empty() ? modality == "RTSTRUCT" : sopClass == UID_RTStructureSetStorage;
    if (!isRtStruct) {
      const char* sopName = sopClass.empty() ? nullptr : dcmFindNameOfUID(sopClass.c_str());
      throw DataFormat(m_File + " is not an RT Structure Set: SOP Class UID is " +
                       (sopClass.empty() ? std::string("missing")
                                         : sopClass + (sopName ? std::string(" (") + sopName + ")"
                                                               : std::string())) +
                       ", Modality is " + (modality.empty() ? std::string("missing") : modality) +
                       "; expected SOP Class UID " + UID_RTStructureSetStorage +
                       " (RT Structure Set Storage) and Modality RTSTRUCT");
    }
  }

  void CheckFrameOfReference(DcmDataset& data, StructureSet& set) {
    m_CtFrameUid = Trim(m_Ct.info.frameOfReferenceUid);
    std::vector<std::string> referenced;
    for (DcmItem* frame : Items(data, DCM_ReferencedFrameOfReferenceSequence)) {
      const std::string uid = Get(*frame, DCM_FrameOfReferenceUID);
      if (uid.empty()) {
        continue;
      }
      referenced.push_back(uid);
      if (set.referencedSeriesUid.empty() && (m_CtFrameUid.empty() || uid == m_CtFrameUid)) {
        for (DcmItem* study : Items(*frame, DCM_RTReferencedStudySequence)) {
          for (DcmItem* series : Items(*study, DCM_RTReferencedSeriesSequence)) {
            if (set.referencedSeriesUid.empty()) {
              set.referencedSeriesUid = Get(*series, DCM_SeriesInstanceUID);
            }
          }
        }
      }
    }
    for (DcmItem* roi : Items(data, DCM_StructureSetROISequence)) {
      const std::string uid = Get(*roi, DCM_ReferencedFrameOfReferenceUID);
      if (!uid.empty() &&
          std::find(referenced.begin(), referenced.end(), uid) == referenced.end()) {
        referenced.push_back(uid);
      }
    }
    if (m_CtFrameUid.empty()) {
      log::Warning(m_File + ": the CT (" + m_Ct.source.string() +
                   ") has no Frame of Reference UID (not a DICOM CT); cannot check that the "
                   "structure set was drawn on it");
      set.frameOfReferenceUid = referenced.empty() ? std::string() : referenced.front();
    } else if (referenced.empty()) {
      log::Warning(m_File +
                   ": the structure set names no Frame of Reference UID; assuming the "
                   "CT's (" +
                   m_CtFrameUid + ")");
      set.frameOfReferenceUid = m_CtFrameUid;
    } else if (std::find(referenced.begin(), referenced.end(), m_CtFrameUid) == referenced.end()) {
      std::string list;
      for (const auto& uid : referenced) {
        list += (list.empty() ? "" : ", ") + uid;
      }
      throw InvalidInput(m_File + ": the RT Structure Set references Frame of Reference UID " +
                         list + ", but the CT (" + m_Ct.source.string() +
                         ") has Frame of Reference UID " + m_CtFrameUid +
                         "; it was drawn on another CT and cannot be used with this one");
    } else {
      set.frameOfReferenceUid = m_CtFrameUid;
    }
    const std::string ctSeries = Trim(m_Ct.info.seriesInstanceUid);
    if (!set.referencedSeriesUid.empty() && !ctSeries.empty() &&
        set.referencedSeriesUid != ctSeries) {
      log::Warning(m_File + ": the structure set was drawn on CT series " +
                   set.referencedSeriesUid + ", the CT is series " + ctSeries +
                   "; both share Frame of Reference " + set.frameOfReferenceUid +
                   ", so the contours are used in the same patient coordinates");
    }
  }

  std::vector<RoiRecord> CollectRois(DcmDataset& data) {
    std::vector<RoiRecord> rois;
    std::map<int, std::size_t> byNumber;
    for (DcmItem* item : Items(data, DCM_StructureSetROISequence)) {
      RoiRecord roi;
      roi.name = Get(*item, DCM_ROIName);
      const std::string numberText = Get(*item, DCM_ROINumber);
      const std::optional<int> number = ParseInt(numberText);
      // Refuse, do not skip (issue 13): an ROI that cannot be identified is a defect, so that
      // every command that uses all structures refuses the file instead of losing one.
      if (!number) {
        Defect(roi, "has ROI Number '" + Excerpt(numberText) + "'; expected an integer", true);
        continue;
      }
      roi.number = *number;
      if (byNumber.count(roi.number) != 0) {
        Defect(roi,
               "repeats ROI Number " + std::to_string(roi.number) +
                   "; expected each ROI Number once",
               true);
        continue;
      }
      if (roi.name.empty()) {
        roi.name = "ROI_" + std::to_string(roi.number);
        Warn(roi, "has no ROI Name; named '" + roi.name + "'");
      }
      roi.frameOfReferenceUid = Get(*item, DCM_ReferencedFrameOfReferenceUID);
      byNumber[roi.number] = rois.size();
      rois.push_back(std::move(roi));
    }
    for (DcmItem* item : Items(data, DCM_ROIContourSequence)) {
      const std::string numberText = Get(*item, DCM_ReferencedROINumber);
      const std::optional<int> number = ParseInt(numberText);
      if (!number || byNumber.count(*number) == 0) {
        RoiRecord orphan;
        orphan.number = number.value_or(0);
        orphan.name = "(no Structure Set ROI)";
        Defect(orphan,
               "has an ROI Contour item with Referenced ROI Number '" + Excerpt(numberText) +
                   "', which is not in the Structure Set ROI Sequence; expected contours of a "
                   "listed ROI",
               true);
        continue;
      }
      RoiRecord& roi = rois[byNumber.at(*number)];
      if (roi.hasContourItem) {
        Warn(roi, "has a second ROI Contour item; its contours are added");
      }
      roi.hasContourItem = true;
      const std::string colorText = Get(*item, DCM_ROIDisplayColor);
      if (!colorText.empty()) {
        std::array<std::uint8_t, 3> color{};
        std::stringstream stream(colorText);
        std::string part;
        int count = 0;
        bool valid = true;
        while (std::getline(stream, part, '\\')) {
          const std::optional<int> value = ParseInt(Trim(part));
          valid = valid && value && *value >= 0 && *value <= 255 && count < 3;
          if (valid) {
            color[static_cast<std::size_t>(count)] = static_cast<std::uint8_t>(*value);
          }
          ++count;
        }
        if (valid && count == 3) {
          roi.color = color;
        } else {
          Warn(roi, "has ROI Display Color '" + colorText +
                        "'; expected three integers 0-255; a default colour is used");
        }
      }
      for (DcmItem* contour : Items(*item, DCM_ContourSequence)) {
        roi.contourItems.push_back(contour);
      }
    }
    for (DcmItem* item : Items(data, DCM_RTROIObservationsSequence)) {
      const std::optional<int> number = ParseInt(Get(*item, DCM_ReferencedROINumber));
      if (number && byNumber.count(*number) != 0) {
        RoiRecord& roi = rois[byNumber.at(*number)];
        const std::string type = Get(*item, DCM_RTROIInterpretedType);
        if (roi.interpretedType.empty()) {
          roi.interpretedType = type;
        }
      }
    }
    return rois;
  }

  /// Parses Contour Data in one pass; nullopt (with the reason) if a value is not a number.
  std::optional<std::vector<double>> ParseCoordinates(const std::string& text,
                                                      std::string& problem) const {
    std::vector<double> values;
    values.reserve(text.size() / 8);
    const char* position = text.c_str();
    const char* const end = position + text.size();
    while (position <= end) {
      const char* separator = std::find(position, end, '\\');
      const std::string token = Trim(std::string(position, separator));
      char* parsedEnd = nullptr;
      const double value = std::strtod(token.c_str(), &parsedEnd);
      if (token.empty() || *parsedEnd != '\0' || !std::isfinite(value)) {
        problem = "value " + std::to_string(values.size() + 1) + " is '" + Excerpt(token, 32) + "'";
        return std::nullopt;
      }
      values.push_back(value);
      position = separator + 1;
    }
    return values;
  }

  std::optional<Structure> MakeStructure(const RoiRecord& roi, std::size_t index) {
    Structure structure;
    structure.number = roi.number;
    structure.name = roi.name;
    structure.colorRgb = roi.color.value_or(PaletteColor(index));
    structure.interpretedType = roi.interpretedType;
    structure.role = StructureRole::Unknown;
    structure.roleSource = "none";

    std::map<std::string, int> ignoredTypes;
    int tripletProblems = 0, countMismatches = 0;
    // Corrupt closed contours: the structure is unfit for use (StructureDefect), not quietly
    // smaller. Only the first is described; the count says how many there are.
    std::string firstCorrupt;
    int corrupt = 0;
    const auto corruptContour = [&](std::size_t contourIndex, const std::string& problem) {
      if (corrupt++ == 0) {
        firstCorrupt = "contour " + std::to_string(contourIndex) + " of " +
                       std::to_string(roi.contourItems.size()) +
                       " (Contour Sequence item): " + problem;
      }
    };
    const Eigen::Vector3d axis = m_Grid.Direction().col(2);
    std::size_t contourIndex = 0;
    for (DcmItem* item : roi.contourItems) {
      ++contourIndex;
      std::string type = Get(*item, DCM_ContourGeometricType);
      std::transform(type.begin(), type.end(), type.begin(),
                     [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
      if (type != "CLOSED_PLANAR") {
        ++ignoredTypes[type.empty() ? std::string("untyped") : Excerpt(type, 24)];
        continue;
      }
      std::string problem;
      const std::optional<std::vector<double>> values =
          ParseCoordinates(Get(*item, DCM_ContourData), problem);
      if (!values) {
        corruptContour(contourIndex, "Contour Data (3006,0050) " + problem +
                                         "; expected finite coordinates x\\y\\z in mm");
        continue;
      }
      if (values->size() % 3 != 0) {
        ++tripletProblems;
      }
      const std::size_t pointCount = values->size() / 3;
      const std::optional<int> declared = ParseInt(Get(*item, DCM_NumberOfContourPoints));
      if (declared && static_cast<std::size_t>(*declared) != pointCount) {
        ++countMismatches;
      }
      if (pointCount < 3) {
        corruptContour(contourIndex, "Contour Data (3006,0050) holds " +
                                         std::to_string(pointCount) +
                                         " point(s); expected at least 3 for a closed contour");
        continue;
      }
      ContourPolygon polygon;
      polygon.pointsMm.reserve(pointCount);
      double lowest = std::numeric_limits<double>::infinity(), highest = -lowest;
      for (std::size_t p = 0; p < pointCount; ++p) {
        polygon.pointsMm.emplace_back((*values)[3 * p], (*values)[3 * p + 1], (*values)[3 * p + 2]);
        lowest = std::min(lowest, axis.dot(polygon.pointsMm.back()));
        highest = std::max(highest, axis.dot(polygon.pointsMm.back()));
      }
      if (highest - lowest > ContourRasterizer::kPlanarityToleranceMm) {
        corruptContour(contourIndex,
                       "its points spread " + FormatNumber(highest - lowest) +
                           " mm along the CT's slice axis; expected a contour in one slice plane "
                           "(spread <= " +
                           FormatNumber(ContourRasterizer::kPlanarityToleranceMm) + " mm)");
        continue;
      }
      structure.contours.push_back(std::move(polygon));
    }
    for (const auto& [type, count] : ignoredTypes) {
      Warn(roi, "has " + std::to_string(count) + " " + type +
                    " contour(s), ignored: only CLOSED_PLANAR contours enclose a volume");
    }
    if (tripletProblems > 0) {
      Warn(roi, "has " + std::to_string(tripletProblems) +
                    " contour(s) whose coordinate count is not a multiple of 3; the complete "
                    "(x, y, z) triplets are used");
    }
    if (countMismatches > 0) {
      Warn(roi, "has " + std::to_string(countMismatches) +
                    " contour(s) whose Number of Contour Points differs from its Contour Data; "
                    "the data are used");
    }
    if (corrupt > 0) {
      Defect(roi, "has " + std::to_string(corrupt) + " corrupt contour(s); first " + firstCorrupt,
             structure.contours.empty());
      if (structure.contours.empty()) {
        return std::nullopt;
      }
    } else if (structure.contours.empty()) {
      Warn(roi, "has no usable CLOSED_PLANAR contour; skipped");
      return std::nullopt;
    }
    if (!m_ContoursOnly) {
      const bool clipped = CheckInsideCt(roi, structure.contours);
      Rasterize(roi, structure, clipped);
    }
    if (!m_ContoursOnly && std::none_of(structure.mask.Data().begin(), structure.mask.Data().end(),
                                        [](std::uint8_t v) { return v != 0; })) {
      Defect(roi,
             "encloses no voxel of the CT (" + std::to_string(structure.contours.size()) +
                 " contour(s) of zero area?); expected contours around a volume",
             true);
      return std::nullopt;
    }
    return structure;
  }

  /// Throws (or warns, when clipping is allowed) if a contour point lies outside the CT volume;
  /// returns true if the structure will be clipped.
  bool CheckInsideCt(const RoiRecord& roi, const std::vector<ContourPolygon>& contours) const {
    constexpr double kToleranceMm = 0.01;
    double worstMm = 0.0;
    Eigen::Vector3d worstPoint = Eigen::Vector3d::Zero();
    for (const auto& contour : contours) {
      for (const auto& point : contour.pointsMm) {
        const Eigen::Vector3d index = m_Grid.PointToContinuousIndex(point);
        Eigen::Vector3d excessMm = Eigen::Vector3d::Zero();
        for (int a = 0; a < 3; ++a) {
          const double high = static_cast<double>(m_Grid.Size()[static_cast<std::size_t>(a)]) - 0.5;
          const double excess = index[a] < -0.5 ? -0.5 - index[a] : std::max(0.0, index[a] - high);
          excessMm[a] = excess * m_Grid.SpacingMm()[a];
        }
        if (excessMm.norm() > worstMm) {
          worstMm = excessMm.norm();
          worstPoint = point;
        }
      }
    }
    if (worstMm <= kToleranceMm) {
      return false;
    }
    const Eigen::Vector3d first = m_Grid.IndexToPoint(-0.5, -0.5, -0.5);
    const Eigen::Vector3d last = m_Grid.IndexToPoint(static_cast<double>(m_Grid.Size()[0]) - 0.5,
                                                     static_cast<double>(m_Grid.Size()[1]) - 0.5,
                                                     static_cast<double>(m_Grid.Size()[2]) - 0.5);
    const std::string detail =
        "contour point " + Describe(worstPoint) + " lies " + FormatNumber(worstMm, 4) +
        " mm outside the CT volume, whose voxels span " + Describe(first) + " to " + Describe(last);
    if (!m_Options.clipToCt) {
      throw InvalidInput(m_File + ": ROI " + std::to_string(roi.number) + " '" + roi.name +
                         "' extends outside the CT (" + detail +
                         "); a clipped structure would have the wrong volume (clipping to the CT "
                         "must be asked for)");
    }
    Warn(roi, "extends outside the CT (" + detail + "); clipped to the CT");
    return true;
  }

  static double MaskVolumeMm3(const Mask& mask) {
    const auto inside = std::count_if(mask.Data().begin(), mask.Data().end(),
                                      [](std::uint8_t v) { return v != 0; });
    return static_cast<double>(inside) * mask.Geometry().VoxelVolumeMm3();
  }

  void Rasterize(const RoiRecord& roi, Structure& structure, bool clipped) const {
    const double sliceMm = m_Grid.SpacingMm().z();
    const double contourVolumeMm3 =
        ContourRasterizer::ContourVolumeMm3(structure.contours, sliceMm);
    const double tolerance = m_Options.volumeToleranceFraction;
    auto relativeError = [&](const Mask& mask) {
      return contourVolumeMm3 > 0.0
                 ? std::abs(MaskVolumeMm3(mask) - contourVolumeMm3) / contourVolumeMm3
                 : 0.0;
    };
    const GridGeometry box = ContourRasterizer::BoundingSubGrid(structure.contours, m_Grid, 1);
    structure.mask = ContourRasterizer::Rasterize(structure.contours, box, sliceMm);
    const double ctVoxels = MaskVolumeMm3(structure.mask) / m_Grid.VoxelVolumeMm3();
    if (clipped) {
      return;
    }
    double error = relativeError(structure.mask);
    if (ctVoxels >= static_cast<double>(m_Options.minimumCtVoxels) && error <= tolerance) {
      return;
    }
    // Fine grid; tightened twice (target / 4 each time) if the first one misses the tolerance.
    double target = tolerance;
    for (int attempt = 0; attempt < 3; ++attempt, target /= 4.0) {
      const GridGeometry fine = ContourRasterizer::FineGridFor(structure.contours, m_Grid, target);
      Mask mask = ContourRasterizer::Rasterize(structure.contours, fine, sliceMm);
      const double fineError = relativeError(mask);
      if (attempt == 0 || fineError < error) {
        structure.mask = std::move(mask);
        error = fineError;
      }
      if (error <= tolerance) {
        return;
      }
    }
    Warn(roi, "mask volume " + FormatNumber(MaskVolumeMm3(structure.mask) / 1000.0, 5) +
                  " cc differs from the contours' volume " +
                  FormatNumber(contourVolumeMm3 / 1000.0, 5) + " cc by " +
                  FormatNumber(100.0 * error, 3) + " % (more than " +
                  FormatNumber(100.0 * tolerance, 3) + " %)");
  }

  std::string m_File;
  const CtImage& m_Ct;
  RtStructureReadOptions m_Options;
  const GridGeometry& m_Grid;
  std::string m_CtFrameUid;
  bool m_ContoursOnly = false;
  std::vector<StructureDefect> m_Defects;
};

DcmFileFormat LoadStructureSetFile(const std::filesystem::path& file) {
  const std::string where = file.string();
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) {
    throw Io(where + ": RT Structure Set file does not exist or is not a regular file");
  }
  // The project's own check of the file's structure first (no toolkit reads an unchecked file).
  DicomFileCheck::CheckFile(file);
  DcmFileFormat fileFormat;
  const OFCondition status = fileFormat.loadFile(where.c_str());
  if (status.bad()) {
    throw DataFormat(where + " is not a readable DICOM file (DCMTK: " + status.text() +
                     "); expected a complete DICOM RT Structure Set");
  }
  if (fileFormat.getDataset()->loadAllDataIntoMemory().bad()) {
    throw DataFormat(where + ": the DICOM data cannot be read completely (truncated file?)");
  }
  return fileFormat;
}

} // namespace

StructureSet RtStructureSetReader::Read(const std::filesystem::path& file, const CtImage& ct,
                                        const RtStructureReadOptions& options) {
  DcmFileFormat fileFormat = LoadStructureSetFile(file);
  ct.hu.Geometry().Validate(file.string() + ": CT grid");
  return Reader(file, ct, options).Read(*fileFormat.getDataset());
}

StructureSet RtStructureSetReader::ReadContours(const std::filesystem::path& file) {
  DcmFileFormat fileFormat = LoadStructureSetFile(file);
  const CtImage none;
  return Reader(file, none, {}, true).Read(*fileFormat.getDataset());
}

} // namespace seedplan::imaging
