#pragma once
// The JSON of every structure's metrics, exactly as `seedplan evaluate --json` prints it (one
// array; the keys of `dvh --json` plus name, role, rx_Gy), for the commands that must print the
// same text for a plan: `edit --json` (issue 14).

#include "seedplan/planning/Plan.h"

#include <string>
#include <vector>

namespace seedplan::app {

/// The array text, without a trailing newline.
std::string MetricsJson(const std::vector<planning::StructureMetrics>& metrics);

} // namespace seedplan::app
