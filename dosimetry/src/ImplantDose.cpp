#include "seedplan/dosimetry/ImplantDose.h"

#include "ZeroedDoseGrid.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/core/Units.h"
#include "seedplan/core/Version.h"
#include "seedplan/dosimetry/PermanentImplantDecay.h"

#include <cmath>
#include <set>

namespace seedplan::dosimetry {

std::string DoseQuantity::Description() const {
  switch (kind) {
  case Kind::InitialRate:
    return "initial dose rate";
  case Kind::Total:
    return "total dose (permanent implant, decay to infinity)";
  case Kind::DeliveredBy:
    return "dose delivered in the first " + FormatNumber(deliveredByDays) +
           " days after the implant";
  }
  return "";
}

std::string ImplantDose::ModelList(const std::vector<Seed>& seeds,
                                   const std::string& defaultModelId) {
  std::set<std::string> ids;
  for (const Seed& seed : seeds) {
    ids.insert(seed.model.empty() ? defaultModelId : seed.model);
  }
  std::string list;
  for (const auto& id : ids) {
    list += (list.empty() ? "" : ";") + id;
  }
  return list;
}

ImplantDose::Engine ImplantDose::MakeEngine(const std::vector<Seed>& seeds,
                                            const SourceLibrary& library,
                                            const std::string& defaultModelId,
                                            const DoseCalculationOptions& calculation) {
  Engine engine;
  engine.calculator = std::make_unique<DoseCalculator>(library.Load(defaultModelId), calculation);
  std::set<double> halfLives;
  for (const Seed& seed : seeds) {
    const auto model = library.Load(seed.model.empty() ? defaultModelId : seed.model);
    engine.calculator->AddModel(model);
    halfLives.insert(model->HalfLifeDays());
  }
  if (halfLives.size() > 1) {
    throw NotSupported("seeds of models with different half-lives; expected one isotope per dose");
  }
  engine.halfLifeDays =
      halfLives.empty() ? library.Load(defaultModelId)->HalfLifeDays() : *halfLives.begin();
  return engine;
}

Volume<float> ImplantDose::Compute(const GridGeometry& grid, const std::vector<Seed>& seeds,
                                   const SourceLibrary& library, const std::string& defaultModelId,
                                   const DoseCalculationOptions& calculation,
                                   const DoseQuantity& quantity) {
  if (quantity.kind == DoseQuantity::Kind::DeliveredBy &&
      !(quantity.deliveredByDays >= 0.0 && std::isfinite(quantity.deliveredByDays))) {
    throw InvalidInput("dose delivered by " + FormatNumber(quantity.deliveredByDays) +
                       " days; expected a time >= 0 days after the implant");
  }
  const Engine engine = MakeEngine(seeds, library, defaultModelId, calculation);
  const double halfLifeDays = engine.halfLifeDays;
  const PermanentImplantDecay decay(halfLifeDays);
  DoseCalculator::ValidateGrid(grid, "dose grid");
  engine.calculator->ValidateSeeds(seeds);
  // Ḋ0 (cGy/h), D(∞) = Ḋ0 τ, or D(t) = Ḋ0 τ (1 − e^(−t/τ)): one factor per seed, so the grid is
  // written once (and equals the incremental updates of LivePlanEvaluation to float rounding).
  const double factor =
      quantity.kind == DoseQuantity::Kind::InitialRate ? 1.0
      : quantity.kind == DoseQuantity::Kind::Total
          ? decay.TotalDoseGyPerCGyPerH()
          : decay.DoseDeliveredGy(1.0, quantity.deliveredByDays * units::kHoursPerDay);
  Volume<float> dose = detail::ZeroedDoseGrid(grid);
  engine.calculator->AddDoseRate(dose, seeds, factor);
  auto& meta = dose.MetaData();
  meta["seedplan_quantity"] = quantity.Description();
  meta["seedplan_unit"] = quantity.Unit();
  meta["seedplan_dose_model"] = "AAPM TG-43U1, water";
  meta["seedplan_seed_model"] = ModelList(seeds, defaultModelId);
  meta["seedplan_formalism"] = calculation.formalism == Formalism::Auto
                                   ? "auto (2d for seeds with a direction, 1d-line for the others)"
                                   : FormalismName(calculation.formalism);
  meta["seedplan_half_life_days"] = FormatNumber(halfLifeDays, 6);
  meta["seedplan_seed_count"] = std::to_string(seeds.size());
  meta["seedplan_version"] = SEEDPLAN_VERSION;
  return dose;
}

} // namespace seedplan::dosimetry
