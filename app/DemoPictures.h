#pragma once

#include "PlanningSession.h"

#include <filesystem>
#include <vector>

namespace seedplan::app {

/// The demo's pictures: `<target>_axial.png`, one axial slice through the centre of each target
/// (its prescription the isodoses' reference), and `dvh.png`, the DVH of every structure, 800 x
/// 800, into `folder`. Without an X display (DISPLAY unset or not opening) it prints "pictures
/// skipped: no X display" and writes none; otherwise it lists the files written. Returns them.
std::vector<std::filesystem::path> WriteDemoPictures(const PlanningSession& session,
                                                     const std::filesystem::path& folder);

} // namespace seedplan::app
