#pragma once
// Looking at rendered pictures: colours near points, colour counts in boxes, a display check.

#include "seedplan/viewer/PictureLayout.h"
#include "seedplan/viewer/RgbImage.h"
#include "seedplan/viewer/XDisplay.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>

namespace seedplan::test {

/// Rendering needs an X server (ctest runs this binary under `xvfb-run -a`); without one the
/// rendering tests fail with this message rather than pass unseen.
#define SEEDPLAN_REQUIRE_DISPLAY()                                                                 \
  do {                                                                                             \
    const std::string problem = viewer::XDisplayProblem();                                         \
    ASSERT_TRUE(problem.empty()) << "no X display (" << problem << "): run under xvfb-run -a";     \
  } while (false)

inline bool Same(const viewer::Rgb& a, const viewer::Rgb& b) {
  return a == b;
}

/// True if a pixel of exactly `color` lies within `radiusPx` of (x, y).
inline bool ColorNear(const viewer::RgbImage& image, const Eigen::Vector2d& pixel,
                      const viewer::Rgb& color, int radiusPx) {
  const int cx = int(std::floor(pixel.x()));
  const int cy = int(std::floor(pixel.y()));
  for (int y = cy - radiusPx; y <= cy + radiusPx; ++y) {
    for (int x = cx - radiusPx; x <= cx + radiusPx; ++x) {
      if (x >= 0 && y >= 0 && x < image.width && y < image.height && image.At(x, y) == color) {
        return true;
      }
    }
  }
  return false;
}

/// Pixels of exactly `color` for which `where(x, y)` holds.
inline int CountColor(const viewer::RgbImage& image, const viewer::Rgb& color,
                      const std::function<bool(int, int)>& where) {
  int count = 0;
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      if (where(x, y) && image.At(x, y) == color) {
        ++count;
      }
    }
  }
  return count;
}

/// Writes a picture for a look by eye when SEEDPLAN_VIEWER_TEST_OUT names a folder.
inline void KeepForInspection(const viewer::RgbImage& image, const std::string& name) {
  if (const char* folder = std::getenv("SEEDPLAN_VIEWER_TEST_OUT")) {
    viewer::WritePngFile(std::filesystem::path(folder) / (name + ".png"), viewer::EncodePng(image));
  }
}

} // namespace seedplan::test
