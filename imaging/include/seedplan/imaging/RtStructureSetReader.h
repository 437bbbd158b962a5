#pragma once

#include "seedplan/imaging/CtImage.h"
#include "seedplan/imaging/StructureSet.h"

#include <cstdint>
#include <filesystem>

namespace seedplan::imaging {

/// How RtStructureSetReader turns contours into masks.
struct RtStructureReadOptions {
  /// A structure covering fewer CT voxels than this is rasterised on a fine grid
  /// (ContourRasterizer::FineGridFor): 10000 voxels of 0.9 x 0.9 x 2.5 mm are about 20 cc, so
  /// every lesion of a seed implant gets sub-mm voxels in plane.
  std::int64_t minimumCtVoxels = 10000;
  /// Largest accepted |mask volume - contour volume| / contour volume (DESIGN.md: 1 %). A structure
  /// beyond it on the CT grid goes to a fine grid; beyond it on the finest grid tried, a warning.
  double volumeToleranceFraction = 0.01;
  /// Contour points outside the CT volume: refuse the file (false, default) or clip the structure
  /// to the CT with a warning (true).
  bool clipToCt = false;
};

/// Reads a DICOM RT Structure Set (DCMTK) drawn on `ct`: for every ROI its number, name, ROI
/// Display Color, RT ROI Interpreted Type, closed planar contours (patient coordinates, mm) and a
/// mask rasterised with ContourRasterizer. Roles are not assigned here (StructureRoles::Assign):
/// role Unknown, roleSource "none".
///
/// Masks: on the part of the CT grid that covers the structure (same voxel centres as the CT,
/// cropped to the contours' bounding box plus one voxel in plane), or, for a structure smaller
/// than options.minimumCtVoxels or whose CT-grid volume misses the contours' volume
/// (ContourRasterizer::ContourVolumeMm3) by more than options.volumeToleranceFraction, on a fine
/// grid (sub-mm in plane, slices on the contour planes), refined up to twice until the volume is
/// within the tolerance; otherwise a warning names both volumes. Cropping keeps memory at the
/// structures' size (a 512 x 512 x 200 mask per structure would be 52 MB); every consumer takes a
/// mask's geometry from the mask.
///
/// Refused (the whole file): a missing file (Io); not a DICOM file or a truncated one
/// (DataFormat); another kind of DICOM object: SOP Class UID not RT Structure Set Storage, or
/// Modality not RTSTRUCT when the SOP Class UID is missing (DataFormat, naming both); a Frame of
/// Reference UID different from the CT's (InvalidInput naming both UIDs: the structure set was
/// drawn on another CT); a structure with contour points outside the CT volume, i.e. farther than
/// half a voxel beyond the outer voxel centres (InvalidInput naming the ROI, the farthest point
/// and the CT's extent), unless options.clipToCt: a clipped structure would have a wrong volume,
/// which DESIGN.md forbids to guess silently.
///
/// Read with one warning line each (log::Warning, naming the ROI and the problem), the rest kept:
/// POINT and OPEN_* contours (ignored), an ROI without closed planar contours or with an empty
/// mask (skipped), an ROI referencing another Frame of Reference in a set that also references
/// the CT's (skipped), contour data that are not numbers or not planar along the CT's slice axis
/// (that contour skipped), a coordinate count that is not a multiple of 3 or disagrees with
/// Number of Contour Points (the complete triplets used), a duplicated ROI number (the later ROI
/// skipped), an empty or duplicated ROI name (renamed "ROI_<n>" or "<name>_ROI<n>"), contours
/// referencing an unknown ROI, a referenced CT series different from the CT's (same Frame of
/// Reference: the contours still fit), a CT without a Frame of Reference UID (NRRD/MetaImage: no
/// check possible). UIDs are compared after trimming spaces and NUL padding; contour data of any
/// length are parsed in one pass.
class RtStructureSetReader {
public:
  static StructureSet Read(const std::filesystem::path& file, const CtImage& ct,
                           const RtStructureReadOptions& options = {});

  /// The structures' names, numbers, colours, interpreted types and contours, without a CT: no
  /// masks, no Frame of Reference check (what `seedplan inspect` shows of a structure set alone).
  static StructureSet ReadContours(const std::filesystem::path& file);
};

} // namespace seedplan::imaging
