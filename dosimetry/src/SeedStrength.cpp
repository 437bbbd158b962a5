#include "seedplan/dosimetry/SeedStrength.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"

#include <cmath>

namespace seedplan::dosimetry {

std::vector<Seed> SeedStrength::Resolve(const std::vector<SeedsCsvRow>& rows,
                                        const std::string& file, const SourceLibrary& library,
                                        const std::string& defaultModelId,
                                        std::optional<double> defaultStrengthU,
                                        std::optional<double> defaultActivityMCi) {
  if (defaultStrengthU && (!(*defaultStrengthU > 0.0) || !std::isfinite(*defaultStrengthU))) {
    throw InvalidInput("--strength-u is " + FormatNumber(*defaultStrengthU) +
                       "; expected an air-kerma strength > 0 U");
  }
  if (defaultActivityMCi && (!(*defaultActivityMCi > 0.0) || !std::isfinite(*defaultActivityMCi))) {
    throw InvalidInput("--activity-mci is " + FormatNumber(*defaultActivityMCi) +
                       "; expected an apparent activity > 0 mCi");
  }
  std::vector<Seed> seeds;
  seeds.reserve(rows.size());
  for (const SeedsCsvRow& row : rows) {
    const std::string where = file + ": line " + std::to_string(row.line);
    Seed seed = row.seed;
    const std::string modelId = seed.model.empty() ? defaultModelId : seed.model;
    std::shared_ptr<const SourceModel> model;
    try {
      model = library.Load(modelId);
    } catch (const InvalidInput& error) {
      throw InvalidInput(where + ", column model: " + error.what());
    }
    seed.model = model->Id();
    if (row.strengthU) {
      seed.strengthU = *row.strengthU;
    } else if (row.activityMCi) {
      seed.strengthU = *row.activityMCi * model->StrengthPerActivityUPerMCi();
    } else if (defaultStrengthU) {
      seed.strengthU = *defaultStrengthU;
    } else if (defaultActivityMCi) {
      seed.strengthU = *defaultActivityMCi * model->StrengthPerActivityUPerMCi();
    } else {
      throw InvalidInput(where + ": seed has no strength; expected a strength_U or activity_mCi "
                                 "value, or --strength-u / --activity-mci");
    }
    seeds.push_back(std::move(seed));
  }
  return seeds;
}

} // namespace seedplan::dosimetry
