#include "DicomFileLoader.h"

#include "seedplan/core/Error.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcfilefo.h>

namespace seedplan::imaging {

DicomFileSummary DicomFileLoader::Load(const std::filesystem::path& file, DcmFileFormat& fileFormat,
                                       const DicomFileCheck::Options& options,
                                       std::uint32_t maxReadLength) {
  DicomFileSummary summary = DicomFileCheck::CheckFile(file, options);
  const OFCondition status = fileFormat.loadFile(OFFilename(file.c_str()), EXS_Unknown,
                                                 EGL_noChange, maxReadLength, ERM_autoDetect);
  if (status.bad()) {
    throw DataFormat(file.string() + ": DCMTK cannot read the data set (" + status.text() + ")");
  }
  return summary;
}

} // namespace seedplan::imaging
