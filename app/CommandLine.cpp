#include "CommandLine.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/dosimetry/DoseCalculator.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <unistd.h>

namespace seedplan::app {

void CheckOutputPath(const std::filesystem::path& path, const std::vector<std::string>& extensions,
                     const std::string& option) {
  const std::string extension = path.extension().string();
  if (std::find(extensions.begin(), extensions.end(), extension) == extensions.end()) {
    std::string expected;
    for (const auto& e : extensions) {
      expected += (expected.empty() ? "" : " or ") + e;
    }
    throw InvalidInput(option + " " + path.string() + ": extension '" + extension + "'; expected " +
                       expected);
  }
  std::filesystem::path folder = path.parent_path();
  if (folder.empty()) {
    folder = ".";
  }
  std::error_code error;
  if (!std::filesystem::is_directory(folder, error)) {
    throw Io(option + " " + path.string() + ": folder '" + folder.string() +
             "' does not exist; expected an existing folder");
  }
  if (::access(folder.c_str(), W_OK) != 0) {
    throw Io(option + " " + path.string() + ": folder '" + folder.string() + "' is not writable");
  }
}

namespace {

/// Spacings >= the engine's minimum (0.01 mm): checked before any voxel count is formed from them.
std::array<double, 3> CheckedSpacing(const std::string& spacing) {
  const auto s = ParseNumberList(spacing, 3, "--grid-spacing");
  for (int axis = 0; axis < 3; ++axis) {
    if (!(s[axis] >= dosimetry::DoseCalculator::kMinimumSpacingMm) || !std::isfinite(s[axis])) {
      throw InvalidInput("--grid-spacing is '" + spacing +
                         "'; expected three spacings of at least " +
                         FormatNumber(dosimetry::DoseCalculator::kMinimumSpacingMm) + " mm");
    }
  }
  return {s[0], s[1], s[2]};
}

/// Refuses a grid beyond the engine's voxel budget, naming the memory it would need.
void CheckVoxelBudget(double voxels, const std::string& option, const std::string& value) {
  const auto budget = static_cast<double>(dosimetry::DoseCalculator::kMaximumGridVoxels);
  if (!(voxels <= budget)) {
    throw InvalidInput(option + " is '" + value + "': " + FormatNumber(voxels, 4) +
                       " voxels would need " + FormatNumber(voxels * sizeof(float) / 1e9, 4) +
                       " GB of float32; expected at most " + FormatNumber(budget, 10) +
                       " voxels (" + FormatNumber(budget * sizeof(float) / 1e9, 3) + " GB)");
  }
}

} // namespace

GridGeometry GridFromOptions(const std::string& origin, const std::string& size,
                             const std::string& spacing) {
  const auto o = ParseNumberList(origin, 3, "--grid-origin");
  const auto n = ParseNumberList(size, 3, "--grid-size");
  const auto s = CheckedSpacing(spacing);
  std::array<std::int64_t, 3> voxels{};
  for (int axis = 0; axis < 3; ++axis) {
    if (n[axis] != std::floor(n[axis]) || n[axis] < 1 || n[axis] > 4096) {
      throw InvalidInput("--grid-size is '" + size +
                         "'; expected three whole numbers of voxels from 1 to 4096");
    }
    voxels[axis] = static_cast<std::int64_t>(n[axis]);
    if (!(std::abs(o[axis]) <= dosimetry::DoseCalculator::kMaximumPositionMm)) {
      throw InvalidInput("--grid-origin is '" + origin +
                         "'; expected coordinates within +-10000 mm (10 m)");
    }
  }
  CheckVoxelBudget(n[0] * n[1] * n[2], "--grid-size", size);
  GridGeometry geometry({o[0], o[1], o[2]}, {s[0], s[1], s[2]}, voxels);
  geometry.Validate("dose grid");
  return geometry;
}

GridGeometry GridOverBox(const GridGeometry& box, const std::string& spacing) {
  if (spacing.empty()) {
    return box;
  }
  const auto s = CheckedSpacing(spacing);
  std::array<double, 3> counts{};
  for (int axis = 0; axis < 3; ++axis) {
    // Voxel centres from the box's first centre up to (at least) its last one.
    const double extentMm = double(box.Size()[axis] - 1) * box.SpacingMm()[axis];
    counts[axis] = std::ceil(extentMm / s[axis] - 1e-9) + 1.0;
  }
  CheckVoxelBudget(counts[0] * counts[1] * counts[2], "--grid-spacing", spacing);
  std::array<std::int64_t, 3> voxels{};
  for (int axis = 0; axis < 3; ++axis) {
    voxels[axis] = static_cast<std::int64_t>(counts[axis]);
  }
  GridGeometry geometry(box.OriginMm(), {s[0], s[1], s[2]}, voxels, box.Direction());
  geometry.Validate("dose grid");
  return geometry;
}

std::string MetricCell(std::optional<double> value, int digits) {
  return value ? FormatNumber(*value, digits) : "-";
}

} // namespace seedplan::app
