#pragma once

#include "seedplan/imaging/RtDose.h"

#include <cstdint>
#include <filesystem>

namespace seedplan::imaging {

/// Reads a DICOM RT Dose (PS3.3 A.18) written by any system: the multi-frame dose grid (stored
/// value x Dose Grid Scaling, 16 or 32 bit unsigned; signed only for Dose Type ERROR) on its
/// geometry, and the DVH Sequence.
///
/// Geometry: origin = Image Position (Patient) of the first frame; direction columns = row
/// cosine, column cosine and ± their cross product n (the sign of the Grid Frame Offset Vector's
/// steps); spacing = (column spacing, row spacing, |frame step|). Grid Frame Offset Vector is
/// relative when its first value is 0, otherwise absolute (the older form, allowed only for
/// axial frames: the first value must equal the first frame's position along n). Frames must be
/// evenly spaced within max(1 % of the step, 0.02 mm), the tolerance of the CT reader.
///
/// Checked before DCMTK reads the file (DicomFileCheck) and then every value: the SOP Class (RT
/// Dose Storage), Rows, Columns and Number of Frames (at most kMaxVoxels voxels), Samples per
/// Pixel 1, Bits Allocated 16 or 32 with Bits Stored equal to it, the pixel data's length against
/// rows x columns x frames x bytes, Dose Grid Scaling > 0, an orthonormal Image Orientation, a
/// positive Pixel Spacing, the offsets' count. Each refusal is one line naming the file and the
/// attribute (DataFormat; NotSupported for a dose without pixel data or a compressed one).
class RtDoseReader {
public:
  /// 80 million voxels: 320 MB as float, above any dose grid a planning system exports.
  static constexpr std::int64_t kMaxVoxels = 80'000'000;
  static constexpr std::uintmax_t kMaxFileBytes = std::uintmax_t(1) << 30;

  static RtDoseGrid Read(const std::filesystem::path& file);
};

} // namespace seedplan::imaging
