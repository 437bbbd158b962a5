#pragma once

#include "seedplan/core/Seed.h"
#include "seedplan/core/SeedsCsv.h"
#include "seedplan/dosimetry/SourceLibrary.h"

#include <optional>
#include <string>
#include <vector>

namespace seedplan::dosimetry {

/// Turns seeds CSV rows into seeds with a resolved model and air-kerma strength (U). A row's own
/// strength_U wins; else its activity_mCi times its model's U/mCi factor (1.270 for 125I unless the
/// source file says otherwise); else the command line's strength (U) or activity (mCi). A seed with
/// no strength anywhere, or a model that is not in the library, is an InvalidInput naming the file
/// and line.
class SeedStrength {
public:
  static std::vector<Seed> Resolve(const std::vector<SeedsCsvRow>& rows, const std::string& file,
                                   const SourceLibrary& library, const std::string& defaultModelId,
                                   std::optional<double> defaultStrengthU,
                                   std::optional<double> defaultActivityMCi);
};

} // namespace seedplan::dosimetry
