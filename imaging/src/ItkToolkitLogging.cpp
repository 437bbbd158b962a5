// ITK and DCMTK headers only (no core headers: Debian's ITK bundles a clashing Eigen).
#include "seedplan/imaging/ToolkitLogging.h"

#include <dcmtk/oflog/oflog.h>
#include <gdcmTrace.h>
#include <itkObject.h>

namespace seedplan::imaging {

void QuietToolkitLogging() {
  OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
  itk::Object::GlobalWarningDisplayOff();
  // GDCM (ITK's DICOM pixel decoder) prints its warnings and errors on std::cerr by default.
  gdcm::Trace::SetDebug(false);
  gdcm::Trace::SetWarning(false);
  gdcm::Trace::SetError(false);
}

} // namespace seedplan::imaging
