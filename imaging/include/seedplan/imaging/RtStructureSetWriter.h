#pragma once

#include "seedplan/imaging/CtImage.h"
#include "seedplan/imaging/StructureSet.h"

#include <filesystem>
#include <string>

namespace seedplan::imaging {

/// Writes a DICOM RT Structure Set (SOP Class 1.2.840.10008.5.1.4.1.1.481.3) for a DICOM CT with
/// DCMTK: patient and study from ct.info; a new series and SOP instance; the Referenced Frame of
/// Reference Sequence down to a Contour Image Sequence listing every CT slice (ct.info's SOP
/// Instance UIDs, CT Image Storage); per structure a Structure Set ROI item (number, name, the CT's
/// Frame of Reference), an ROI Contour item (ROI Display Color, CLOSED_PLANAR contours in patient
/// coordinates, mm, each pointing to the CT slice it lies on when it lies on one) and an RT ROI
/// Observations item whose RT ROI Interpreted Type is structure.interpretedType, or when that is
/// empty comes from the role: target -> GTV, oar -> ORGAN, no-go -> AVOIDANCE, external ->
/// EXTERNAL, pass-through, bone and unknown -> ORGAN (the name then carries the finer role, see
/// StructureRoles).
///
/// A structure's contours are written as they are; a structure without contours (label map,
/// phantom) is contoured from its mask with MaskContourer. ROI numbers are the structures' numbers
/// when positive and unique, otherwise the next free number. Coordinates are written with up to
/// 10 significant digits (a Decimal String holds at most 16 characters).
///
/// Transfer syntax: Implicit VR Little Endian, which every DICOM reader must accept and which,
/// unlike explicit VR, has no 64 KiB limit on a Contour Data value (a long body outline exceeds
/// it). The file is written atomically (temporary file in the same folder, then renamed).
class RtStructureSetWriter {
public:
  /// Throws InvalidInput if the CT lacks what the references need (Study, Series and Frame of
  /// Reference UIDs, one SOP Instance UID per slice: a NRRD/MetaImage CT has none); Io if the
  /// file cannot be written. A structure with neither contours nor a non-empty mask is written
  /// without contours, with a warning.
  static void Write(const std::filesystem::path& file, const StructureSet& structures,
                    const CtImage& ct, const std::string& structureSetLabel = "SEEDPLAN");

  /// RT ROI Interpreted Type written for a structure with no interpreted type of its own.
  static std::string InterpretedTypeFor(StructureRole role);
};

} // namespace seedplan::imaging
