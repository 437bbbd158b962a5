#pragma once

#include "seedplan/imaging/CtImage.h"
#include "seedplan/imaging/RtInstanceHeader.h"
#include "seedplan/imaging/StructureSet.h"

#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace seedplan::imaging {

/// An ROI drawn as an open polyline (a needle's track), in patient coordinates (LPS, mm).
struct RtOpenPolyline {
  std::string name;
  std::vector<Eigen::Vector3d> pointsMm;
  std::array<std::uint8_t, 3> colorRgb{255, 255, 0};
  std::string interpretedType = "BRACHY_CHANNEL"; ///< RT ROI Interpreted Type
};

/// How RtStructureSetWriter::Write writes a structure set.
struct RtStructureSetWriteOptions {
  std::string structureSetLabel = "SEEDPLAN";
  /// Patient, study and frame of reference of the CT, new UIDs (empty: generated), RT Series.
  /// When header.study has no Study Instance UID, it is taken from ct.info alone
  /// (DicomStudyContext::FromSeriesInfo).
  RtInstanceHeader header;
  /// Written after the structures, each as one ROI of OPEN_NONPLANAR contours clipped to the
  /// CT's box (the voxels' extent, half a voxel beyond the outer centres); a polyline wholly
  /// outside it is written without contours, with a warning.
  std::vector<RtOpenPolyline> openPolylines;
  /// RT ROI Interpreted Type from each structure's role (InterpretedTypeFor), keeping the
  /// structure's own type when it gives the same role (StructureRoles::FromInterpretedType; an
  /// ORGAN stays ORGAN for organs at risk, pass-through and bone). When false: the structure's own
  /// type, or the role's when it has none.
  bool interpretedTypeFromRole = false;
};

/// What RtStructureSetWriter::Write wrote: the new object's UIDs and each ROI's number by name.
struct RtStructureSetWritten {
  std::string sopInstanceUid;
  std::string seriesInstanceUid;
  std::vector<std::pair<std::string, int>> roiNumbers;
  /// The ROI number of `name`; 0 if there is none.
  int RoiNumber(const std::string& name) const {
    for (const auto& [roiName, number] : roiNumbers) {
      if (roiName == name) {
        return number;
      }
    }
    return 0;
  }
};

/// Writes a DICOM RT Structure Set (SOP Class 1.2.840.10008.5.1.4.1.1.481.3) for a DICOM CT with
/// DCMTK: Patient and General Study copied from the CT (options.header.study), RT Series (with
/// Operators' Name, type 2), Frame of Reference (the CT's), General Equipment, a new series and
/// SOP instance; the Referenced
/// Frame of Reference Sequence down to a Contour Image Sequence listing every CT slice (ct.info's
/// SOP Instance UIDs, CT Image Storage); per structure a Structure Set ROI item (number, name, the
/// CT's Frame of Reference), an ROI Contour item (ROI Display Color, CLOSED_PLANAR contours in
/// patient coordinates, mm, each pointing to the CT slice it lies on when it lies on one) and an
/// RT ROI Observations item whose RT ROI Interpreted Type follows options.interpretedTypeFromRole
/// (InterpretedTypeFor: target -> GTV, oar -> ORGAN, no-go -> AVOIDANCE, external -> EXTERNAL,
/// pass-through, bone and unknown -> ORGAN; the name then carries the finer role, see
/// StructureRoles); then the open polylines.
///
/// A structure's contours are written as they are (copied, never re-traced); a structure without
/// contours (label map, phantom) is contoured from its mask with MaskContourer. ROI numbers are
/// the structures' numbers when positive and unique, otherwise the next free number; polylines
/// take the next free numbers. Coordinates are written as the shortest decimal text that reads
/// back to the same double when it fits the 16 characters of a Decimal String (a coordinate read
/// from a DS comes back exactly), otherwise with the most significant digits that fit.
///
/// Transfer syntax: Implicit VR Little Endian, which every DICOM reader must accept and which,
/// unlike explicit VR, has no 64 KiB limit on a Contour Data value (a long body outline exceeds
/// it). The file is written atomically (temporary file in the same folder, then renamed).
class RtStructureSetWriter {
public:
  /// Throws InvalidInput if the CT lacks what the references need (Study, Series and Frame of
  /// Reference UIDs, one SOP Instance UID per slice: a NRRD/MetaImage CT has none) or a polyline
  /// has fewer than 2 points or non-finite ones; Io if the file cannot be written. A structure
  /// with neither contours nor a non-empty mask is written without contours, with a warning.
  static RtStructureSetWritten Write(const std::filesystem::path& file,
                                     const StructureSet& structures, const CtImage& ct,
                                     const RtStructureSetWriteOptions& options);

  /// Write with the label, the study from ct.info alone and no polylines.
  static void Write(const std::filesystem::path& file, const StructureSet& structures,
                    const CtImage& ct, const std::string& structureSetLabel = "SEEDPLAN");

  /// RT ROI Interpreted Type written for a structure with no interpreted type of its own.
  static std::string InterpretedTypeFor(StructureRole role);

  /// The parts of a polyline inside the CT's box (each part at least two points), in order.
  static std::vector<std::vector<Eigen::Vector3d>>
  ClipToBox(const std::vector<Eigen::Vector3d>& pointsMm, const GridGeometry& grid);
};

} // namespace seedplan::imaging
