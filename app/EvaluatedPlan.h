#pragma once
// A plan file evaluated exactly as `seedplan evaluate` does (its CT and structures loaded, the
// total dose of all its seeds on the CT grid, every structure's metrics, the organ limits
// checked), for the commands that show a plan's numbers beside others: `report` (issue 14).

#include "PlanningSession.h"
#include "seedplan/dosimetry/SourceLibrary.h"

#include <string>

namespace seedplan::app {

struct EvaluatedPlan {
  std::string file;
  PlanningSession session; ///< plan (its metrics recomputed), CT, structures, dose, limit checks

  /// Reads and evaluates `file`; throws InvalidInput when the plan's Frame of Reference UID is
  /// not its CT's, and what PlanXml, the loaders and the engine throw.
  static EvaluatedPlan Load(const std::string& file, const dosimetry::SourceLibrary& library);
};

} // namespace seedplan::app
