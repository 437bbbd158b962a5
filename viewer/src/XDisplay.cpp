#include "seedplan/viewer/XDisplay.h"

#include <cstdlib>
#include <dlfcn.h>

namespace seedplan::viewer {

std::string XDisplayProblem() {
  const char* display = std::getenv("DISPLAY");
  if (!display || !*display) {
    return "DISPLAY is not set";
  }
  // libX11 is loaded by name rather than linked so that this check needs no X headers; VTK loads
  // the same library when it renders.
  void* library = dlopen("libX11.so.6", RTLD_LAZY | RTLD_LOCAL);
  if (!library) {
    return "libX11.so.6 cannot be loaded";
  }
  using OpenDisplay = void* (*)(const char*);
  using CloseDisplay = int (*)(void*);
  const auto open = reinterpret_cast<OpenDisplay>(dlsym(library, "XOpenDisplay"));
  const auto close = reinterpret_cast<CloseDisplay>(dlsym(library, "XCloseDisplay"));
  std::string problem;
  if (!open || !close) {
    problem = "libX11.so.6 has no XOpenDisplay";
  } else if (void* connection = open(display)) {
    close(connection);
  } else {
    problem = "the X display '" + std::string(display) + "' cannot be opened";
  }
  dlclose(library);
  return problem;
}

} // namespace seedplan::viewer
