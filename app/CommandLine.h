#pragma once
// Helpers shared by the subcommands: checking an output path before any work is done, building a
// grid from the --grid-* options or over a CT's box.

#include "seedplan/core/GridGeometry.h"
#include "seedplan/core/Volume.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace seedplan::app {

/// Thrown by a command compiled into the light launcher (app/Launcher.cpp, SEEDPLAN_LIGHT_PROGRAM)
/// when its options need what only seedplan-full links (a DICOM CT): the launcher then runs
/// seedplan-full with the same arguments. Not an error, and never thrown in seedplan-full.
struct NeedsFullProgram {};

/// Refuses (InvalidInput/Io) an output whose extension is not one of `extensions` or whose folder
/// does not exist or is not writable, before any computation.
void CheckOutputPath(const std::filesystem::path& path, const std::vector<std::string>& extensions,
                     const std::string& option);

/// GridGeometry from "X,Y,Z" strings (origin mm, size voxels, spacing mm), validated.
GridGeometry GridFromOptions(const std::string& origin, const std::string& size,
                             const std::string& spacing);

/// A grid over the same box as `box` (same direction; the first voxel centre at box's first voxel
/// centre) at `spacing` "SX,SY,SZ" mm; `box` itself when `spacing` is empty.
GridGeometry GridOverBox(const GridGeometry& box, const std::string& spacing);

/// A metric for a text table: 4 significant digits by default, "-" where it is undefined.
std::string MetricCell(std::optional<double> value, int digits = 4);

} // namespace seedplan::app
