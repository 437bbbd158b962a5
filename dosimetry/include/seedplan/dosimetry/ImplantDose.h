#pragma once

#include "seedplan/core/GridGeometry.h"
#include "seedplan/core/Seed.h"
#include "seedplan/core/Volume.h"
#include "seedplan/dosimetry/DoseCalculator.h"
#include "seedplan/dosimetry/SourceLibrary.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace seedplan::dosimetry {

/// What a dose grid holds: the initial dose rate (cGy/h), the total dose of a permanent implant
/// (Gy, decay to infinity: D = Ḋ0 τ) or the dose delivered in the first t days (Gy,
/// D(t) = Ḋ0 τ (1 − e^(−t/τ))). DESIGN.md: every dose shown to a user says which it is.
struct DoseQuantity {
  enum class Kind { InitialRate, Total, DeliveredBy };
  Kind kind = Kind::Total;
  double deliveredByDays = 0.0; ///< for DeliveredBy

  std::string Unit() const { return kind == Kind::InitialRate ? "cGy/h" : "Gy"; }
  /// "total dose (permanent implant, decay to infinity)" and the like.
  std::string Description() const;
};

/// The dose of an implant on a grid, from seeds whose model ids are resolved (empty = the default
/// model), with the quantity, unit, seed models, formalism, half-life, seed count and program
/// version written into the volume's metadata (kept in the .mha/.nrrd header). Refuses seeds of
/// models with different half-lives (one isotope per dose).
class ImplantDose {
public:
  /// A calculator for `seeds` (the default model and every model a seed names loaded from
  /// `library`) and the half-life they share; NotSupported for seeds of models with different
  /// half-lives (one isotope per dose).
  struct Engine {
    std::unique_ptr<DoseCalculator> calculator;
    double halfLifeDays = 0.0;
  };
  static Engine MakeEngine(const std::vector<Seed>& seeds, const SourceLibrary& library,
                           const std::string& defaultModelId,
                           const DoseCalculationOptions& calculation);

  /// The dose on `grid` (validated before anything is allocated: DoseCalculator::ValidateGrid).
  static Volume<float> Compute(const GridGeometry& grid, const std::vector<Seed>& seeds,
                               const SourceLibrary& library, const std::string& defaultModelId,
                               const DoseCalculationOptions& calculation,
                               const DoseQuantity& quantity);

  /// Seed model ids used by `seeds`, ';'-separated, sorted.
  static std::string ModelList(const std::vector<Seed>& seeds, const std::string& defaultModelId);
};

} // namespace seedplan::dosimetry
