#pragma once

#include "seedplan/core/ByteSource.h"
#include "seedplan/imaging/VolumeFileHeader.h"

namespace seedplan::imaging::detail {

/// The NIfTI-1 (.nii, .nii.gz) part of VolumeHeaderCheck: the 348-byte header of the NIfTI-1
/// standard (either byte order), single-file magic "n+1", a 3D image of a scalar datatype whose
/// bitpix matches, finite scaling and geometry fields, and exactly vox_offset + voxels x bytes
/// bytes in the file (after inflating a .nii.gz).
class NiftiHeaderCheck {
public:
  static VolumeFileHeader Check(const ByteSource& source, bool compressedFile);
};

} // namespace seedplan::imaging::detail
