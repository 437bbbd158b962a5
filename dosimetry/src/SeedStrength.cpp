#include "seedplan/dosimetry/SeedStrength.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/InputLimits.h"
#include "seedplan/core/TextParsing.h"

#include <cmath>

namespace seedplan::dosimetry {

std::vector<Seed> SeedStrength::Resolve(const std::vector<SeedsCsvRow>& rows,
                                        const std::string& file, const SourceLibrary& library,
                                        const std::string& defaultModelId,
                                        std::optional<double> defaultStrengthU,
                                        std::optional<double> defaultActivityMCi) {
  if (defaultStrengthU) {
    limits::RequireInRange(*defaultStrengthU, 0.0, limits::kMaxStrengthU, true, "--strength-u",
                           "an air-kerma strength", "U");
  }
  if (defaultActivityMCi) {
    limits::RequireInRange(*defaultActivityMCi, 0.0, limits::kMaxActivityMCi, true,
                           "--activity-mci", "an apparent activity", "mCi");
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
    // An activity within its bound can still exceed the strength bound with a model's factor.
    limits::RequireInRange(seed.strengthU, 0.0, limits::kMaxStrengthU, true,
                           where + ": strength of the seed (model " + seed.model + ")",
                           "an air-kerma strength", "U");
    seeds.push_back(std::move(seed));
  }
  return seeds;
}

} // namespace seedplan::dosimetry
