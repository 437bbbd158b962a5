#pragma once

#include "seedplan/imaging/CtImage.h"

#include <filesystem>
#include <string>

namespace seedplan::imaging {

/// Loads a planning or post-implant CT in HU from what a physicist points at: a folder holding a
/// DICOM CT series (DicomCtSeries::Load, `seriesUid` choosing among several series), or a volume
/// file (.mha, .mhd, .nrrd, .nhdr, .nii, .nii.gz: imaging::ReadVolumeFloat, values rounded to the
/// nearest HU and clamped to the range of short with a warning). A volume file carries no series
/// identity: info.modality is "CT" (assumed), the other info fields are empty, and a warning says
/// so.
class CtLoader {
public:
  /// Throws Io if `path` does not exist; InvalidInput for a single DICOM file ("expected the folder
  /// of the series"), a series UID given with a volume file, or a file of another kind; DataFormat
  /// for a volume holding non-finite values; and whatever DicomCtSeries::Load or ReadVolumeFloat
  /// throw.
  static CtImage Load(const std::filesystem::path& path, const std::string& seriesUid = "");
};

} // namespace seedplan::imaging
