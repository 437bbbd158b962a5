#pragma once
// Helpers shared by the subcommands: checking an output path before any work is done, building a
// grid from the --grid-* options, describing what a dose file holds.

#include "seedplan/core/GridGeometry.h"
#include "seedplan/core/Volume.h"

#include <filesystem>
#include <string>
#include <vector>

namespace seedplan::app {

/// Refuses (InvalidInput/Io) an output whose extension is not one of `extensions` or whose folder
/// does not exist or is not writable, before any computation.
void CheckOutputPath(const std::filesystem::path& path, const std::vector<std::string>& extensions,
                     const std::string& option);

/// GridGeometry from "X,Y,Z" strings (origin mm, size voxels, spacing mm), validated.
GridGeometry GridFromOptions(const std::string& origin, const std::string& size,
                             const std::string& spacing);

/// Quantity, unit and provenance keys written into every dose file's header.
void DescribeDose(Volume<float>& dose, bool rate, const std::string& models,
                  const std::string& formalism, double halfLifeDays, std::size_t seedCount);

} // namespace seedplan::app
