#pragma once
// Writing a float32 dose grid as MetaImage (.mha) or NRRD (.nrrd) without a toolkit: what
// `seedplan dose` uses, so that the command runs in the light program (app/Launcher.cpp) that
// loads neither ITK, GDCM nor DCMTK. Only core types; no ITK header (it may be compiled outside
// seedplan_imaging).

#include "seedplan/core/Volume.h"

#include <filesystem>

namespace seedplan::imaging {

/// Writes `volume` as uncompressed little-endian float32 MetaImage (.mha: header fields as ITK's
/// MetaIO writes them, MetaData() as extra fields) or NRRD (.nrrd, NRRD0004 with `space:
/// left-posterior-superior`, MetaData() as key:=value lines), atomically (a temporary file in the
/// target's folder, renamed when complete; nothing is left behind on error). The geometry (origin =
/// first voxel centre, spacing, direction columns) is written exactly (17 significant digits), in
/// DICOM patient coordinates (LPS, mm); imaging::ReadVolumeFloat reads it back with its metadata.
/// Metadata follow the rules of imaging::WriteVolume (VolumeIo.h). Throws InvalidInput for another
/// extension, an invalid geometry, a data size that does not match it or metadata breaking the
/// rules; Io if the file cannot be written.
void WriteRawVolume(const Volume<float>& volume, const std::filesystem::path& path);

} // namespace seedplan::imaging
