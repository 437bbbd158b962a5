#pragma once
// CT series written by pydicom (tests/viewer/write_ct_series.py), not by seedplan: the second,
// independent generator of the viewer's orientation and end-to-end tests.

#include "seedplan/core/TextParsing.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>

namespace seedplan::test {

/// Rows and columns as scanners write them for `position`, turned in plane by `rotationDeg`
/// about the slice normal, with these spacings.
struct ForeignSeries {
  std::string position;
  double rotationDeg = 0.0;
  double rowSpacingMm = 1.0; ///< between rows (PixelSpacing[0])
  double columnSpacingMm = 1.0;
  double sliceSpacingMm = 1.0;
};

/// A python3 that has pydicom and numpy: Debian's has them (python3-pydicom, numpy with
/// python3-pandas, scripts/install-deps.sh); a pyenv or venv python3 first on PATH may not.
inline std::string PythonWithPydicom() {
  for (const char* candidate : {"python3", "/usr/bin/python3"}) {
    const std::string probe =
        std::string(candidate) + " -c 'import pydicom, numpy' > /dev/null 2>&1";
    if (std::system(probe.c_str()) == 0) {
      return candidate;
    }
  }
  return "";
}

/// Writes the series into `folder` (created), and with `labels` a label map on its voxels (BODY,
/// GTV_Test, Cord: see the script). Fails the test when it cannot.
inline void WriteForeignSeries(const std::filesystem::path& folder, const ForeignSeries& series,
                               const std::filesystem::path& labels = {}) {
  const std::string python = PythonWithPydicom();
  ASSERT_FALSE(python.empty()) << "no python3 with pydicom and numpy (scripts/install-deps.sh)";
  std::filesystem::create_directories(folder);
  const std::string command =
      python + " " SEEDPLAN_VIEWER_TEST_DIR "/write_ct_series.py " + folder.string() + " " +
      series.position + " " + FormatNumber(series.rotationDeg, 6) + " " +
      FormatNumber(series.rowSpacingMm, 6) + " " + FormatNumber(series.columnSpacingMm, 6) + " " +
      FormatNumber(series.sliceSpacingMm, 6) + (labels.empty() ? "" : " " + labels.string());
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
}

} // namespace seedplan::test
