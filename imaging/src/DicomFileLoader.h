#pragma once
// Private to imaging: DCMTK reads a DICOM file only after DicomFileCheck has checked it.

#include "seedplan/imaging/DicomFileCheck.h"

#include <cstdint>
#include <filesystem>

class DcmFileFormat;

namespace seedplan::imaging {

/// DicomFileCheck, then DCMTK: the readers that go through DCMTK's data set (RT Plan, RT Dose,
/// the export's study context) load their files here.
class DicomFileLoader {
public:
  /// Checks `file` with `options` (DicomFileCheck's refusals), then DCMTK reads it: values longer
  /// than `maxReadLength` bytes stay on disk until they are accessed. A DCMTK failure becomes
  /// DataFormat naming the file and DCMTK's reason.
  static DicomFileSummary Load(const std::filesystem::path& file, DcmFileFormat& fileFormat,
                               const DicomFileCheck::Options& options,
                               std::uint32_t maxReadLength = 65536);
};

} // namespace seedplan::imaging
