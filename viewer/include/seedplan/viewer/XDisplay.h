#pragma once

#include <string>

namespace seedplan::viewer {

/// Why no X display can be used, or empty when one can: DISPLAY unset or empty, libX11 missing,
/// or XOpenDisplay failing. Checked through libX11 (dlopen) before VTK is touched, because VTK
/// 9.1 aborts the process when it finds no display, even for off-screen rendering.
std::string XDisplayProblem();

} // namespace seedplan::viewer
