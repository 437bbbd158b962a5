#pragma once
// Saving a plan edited by hand (issue 14), shared by `seedplan edit` and `seedplan view --edit`:
// the per-target seed and needle counts logged with it when the plan was logged to a study record.

#include "ImplantRecordFromPlan.h"
#include "seedplan/planning/PlanEditor.h"

#include <string>

namespace seedplan::app {

/// Seeds and needles per target of the edited plan, for the study record (seeds added without a
/// needle count for the target they lie in or next to).
ImplantFacts HandEditFacts(const planning::PlanEditor& editor);

} // namespace seedplan::app
