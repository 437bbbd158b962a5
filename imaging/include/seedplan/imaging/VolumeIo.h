#pragma once
// Reading and writing 3D scalar volumes (CT, masks, dose grids) as MetaImage, NRRD and NIfTI
// files. The geometry (origin = centre of the first voxel, spacing, size, direction columns) is
// copied exactly between the file and seedplan::GridGeometry, in DICOM patient coordinates (LPS,
// mm): NIfTI's RAS header is converted to LPS on reading.

#include "seedplan/core/Volume.h"

#include <filesystem>

namespace seedplan::imaging {

/// Reads a 3D scalar image (.mha, .mhd, .nrrd, .nhdr, .nii, .nii.gz); any pixel type (integer or
/// floating point) is converted to float. MetaImage extra header fields and NRRD key:=value pairs
/// come back in MetaData() (the fields that describe the image itself, and ITK's and NRRD's own
/// keys, are left out); NIfTI has no key/value header, so its MetaData() is empty.
/// Throws InvalidInput for an unsupported extension; Io if the file is missing or unreadable;
/// DataFormat if it is not a 3D scalar image (2D, 4D, vector pixels), its geometry is invalid
/// (zero size, non-positive spacing, non-orthonormal direction) or its pixel data are incomplete
/// (truncated file) or unreadable; NotSupported for a compressed MetaImage without the
/// CompressedDataSize field (ITK 5.2 would silently read it as zeros). Messages name the file and
/// what was expected.
Volume<float> ReadVolumeFloat(const std::filesystem::path& path);

/// Reads a 3D structure mask like ReadVolumeFloat; every non-zero voxel of any integer or floating
/// point pixel type becomes 1, zero stays 0.
Mask ReadMask(const std::filesystem::path& path);

/// Writes a float32 .mha or .nrrd file (chosen by the extension, in lower case) atomically: the
/// data go to a temporary file in the target's folder, which is renamed over the target only when
/// complete, so nothing is left behind on error. MetaData() is stored in the header (MetaImage
/// extra fields, NRRD key:=value pairs) and read back by ReadVolumeFloat.
/// Metadata rules, the same for both formats so that every volume writes to either: a key is a
/// letter followed by letters, digits, '_', '.' or '-', does not start with "ITK_" or "NRRD_" and
/// is not a MetaImage header field name (DimSize, ElementType, Offset, ...; any letter case); a
/// value is non-empty printable ASCII without leading or trailing spaces (MetaImage cannot keep
/// the others).
/// Throws InvalidInput for another extension, an invalid geometry, a data size that does not match
/// the geometry or metadata breaking the rules; Io if the folder does not exist or the file
/// cannot be written.
void WriteVolume(const Volume<float>& volume, const std::filesystem::path& path);

/// Writes a uint8 mask (values as they are) like WriteVolume.
void WriteMask(const Mask& mask, const std::filesystem::path& path);

} // namespace seedplan::imaging
