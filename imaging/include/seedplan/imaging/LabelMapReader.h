#pragma once

#include "seedplan/core/GridGeometry.h"
#include "seedplan/imaging/StructureSet.h"

#include <filesystem>

namespace seedplan::imaging {

/// Reads a label map (.nrrd, .nhdr, .mha, .mhd, .nii, .nii.gz read by VolumeIo): voxel value n > 0
/// belongs to structure n, 0 is background. Values must be non-negative integers (a float image
/// with fractions is not a label map).
///
/// Names, first found wins:
///  1. a sidecar CSV `<file>.labels.csv` (e.g. `ct_labels.nrrd.labels.csv`) with the header
///     `value,name` and optional columns `role` (target, oar, no-go, pass-through, bone,
///     external, unknown) and `color` ("r g b", 0-255); other columns are ignored;
///  2. key/value pairs in the image header (NRRD `key:=value`, MetaImage `key = value`):
///     `label_<n>:=<name>`, optional `label_<n>_role:=<role>` and `label_<n>_color:=r g b`, e.g.
///         label_1:=GTV_lung
///         label_1_role:=target
///         label_2:=SpinalCord
///  3. 3D Slicer segmentation fields (`Segment<i>_LabelValue`, `Segment<i>_Name`,
///     `Segment<i>_Color` as "r g b" in 0-1), so a single-layer .seg.nrrd reads as it is.
/// A label present in the image without a name is called "label_<n>" (with a warning); a named
/// label absent from the image is reported with a warning. A role given in the file is the
/// structure's role with roleSource "label map" (StructureRoles::Assign keeps it unless the
/// command line overrides it); otherwise role Unknown, roleSource "none".
///
/// Masks are on the label map's grid, cropped to each label's bounding box plus one voxel (same
/// voxel centres; a full-size mask per label would cost the whole CT's size each).
class LabelMapReader {
public:
  /// Largest distance (mm) between corresponding voxel centres accepted as "the same grid".
  static constexpr double kGeometryToleranceMm = 0.01;

  /// Throws what ReadVolumeFloat throws; InvalidInput naming both geometries if `expectedGrid`
  /// is given and the label map's grid differs from it (a label map drawn on another CT);
  /// DataFormat for a negative or non-integer value, a map without any label, or a malformed
  /// sidecar (bad value, unknown role).
  static StructureSet Read(const std::filesystem::path& file,
                           const GridGeometry* expectedGrid = nullptr);
};

} // namespace seedplan::imaging
