// ITK and DCMTK headers only (no core headers: Debian's ITK bundles a clashing Eigen).
#include "seedplan/imaging/ToolkitLogging.h"

#include <dcmtk/oflog/oflog.h>
#include <itkObject.h>

namespace seedplan::imaging {

void QuietToolkitLogging() {
  OFLog::configure(OFLogger::FATAL_LOG_LEVEL);
  itk::Object::GlobalWarningDisplayOff();
}

} // namespace seedplan::imaging
