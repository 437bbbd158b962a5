// `seedplan dose`: the TG-43 dose of a set of seeds on a grid, written as float32 .mha/.nrrd with
// its quantity, unit, seed model and formalism in the header.

#include "CommandLine.h"
#include "Commands.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/SeedsCsv.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/core/Units.h"
#include "seedplan/dosimetry/DoseCalculator.h"
#include "seedplan/dosimetry/PermanentImplantDecay.h"
#include "seedplan/dosimetry/SeedStrength.h"
#include "seedplan/dosimetry/SourceLibrary.h"
#include "seedplan/imaging/VolumeIo.h"

#include <algorithm>
#include <iostream>
#include <memory>
#include <set>

namespace seedplan::app {

namespace {

struct DoseOptions {
  std::string seeds;
  std::string model = dosimetry::SourceLibrary::kDefaultModelId;
  std::string origin;
  std::string size;
  std::string spacing;
  std::string out;
  bool rate = false;
  std::string formalism = "auto";
  std::optional<double> strengthU;
  std::optional<double> activityMCi;
  double cutoffCm = 10.0;
  bool allowSeedsOutside = false;
  std::optional<double> deliveredByDays;
};

void RunDose(const DoseOptions& options) {
  CheckOutputPath(options.out, {".mha", ".nrrd"}, "--out");
  const GridGeometry grid = GridFromOptions(options.origin, options.size, options.spacing);
  dosimetry::DoseCalculationOptions calculation;
  calculation.formalism = dosimetry::ParseFormalism(options.formalism, "--formalism");
  calculation.cutoffCm = options.cutoffCm;

  const dosimetry::SourceLibrary library;
  const auto defaultModel = library.Load(options.model);
  const std::vector<SeedsCsvRow> rows = SeedsCsv::Read(options.seeds);
  const std::vector<Seed> seeds = dosimetry::SeedStrength::Resolve(
      rows, options.seeds, library, options.model, options.strengthU, options.activityMCi);

  dosimetry::DoseCalculator calculator(defaultModel, calculation);
  std::set<std::string> modelIds;
  std::set<double> halfLives;
  for (std::size_t s = 0; s < seeds.size(); ++s) {
    const auto model = library.Load(seeds[s].model);
    calculator.AddModel(model);
    modelIds.insert(model->Id());
    halfLives.insert(model->HalfLifeDays());
    if (!options.allowSeedsOutside && !grid.ContainsPoint(seeds[s].positionMm, 0.5)) {
      const auto& p = seeds[s].positionMm;
      throw InvalidInput(options.seeds + ": line " + std::to_string(rows[s].line) + ": seed at (" +
                         FormatNumber(p.x()) + ", " + FormatNumber(p.y()) + ", " +
                         FormatNumber(p.z()) + ") mm is outside the dose grid (" + grid.Describe() +
                         "); expected seeds inside it, or --allow-seeds-outside");
    }
    if (calculation.formalism == dosimetry::Formalism::Line2D && !seeds[s].direction) {
      throw InvalidInput(options.seeds + ": line " + std::to_string(rows[s].line) +
                         ": seed has no direction (dir_x,dir_y,dir_z); --formalism 2d needs one "
                         "(use auto or 1d-line for seeds of unknown orientation)");
    }
  }
  if (halfLives.size() != 1) {
    throw NotSupported(options.seeds + ": seeds of models with different half-lives; expected one "
                                       "isotope per dose calculation");
  }

  const dosimetry::PermanentImplantDecay decay(*halfLives.begin());
  if (options.deliveredByDays && !(*options.deliveredByDays >= 0.0)) {
    throw InvalidInput("--delivered-by-days is " + FormatNumber(*options.deliveredByDays) +
                       "; expected a time >= 0 days after the implant");
  }
  Volume<float> dose = calculator.DoseRateGridCGyPerH(grid, seeds);
  if (!options.rate) {
    // Ḋ0 -> D(∞) = Ḋ0 τ, or D(t) = Ḋ0 τ (1 − e^(−t/τ)) with --delivered-by-days.
    const double factor =
        options.deliveredByDays
            ? decay.DoseDeliveredGy(1.0, *options.deliveredByDays * units::kHoursPerDay)
            : decay.TotalDoseGyPerCGyPerH();
    for (float& value : dose.Data()) {
      value *= static_cast<float>(factor);
    }
  }
  std::string models;
  for (const auto& id : modelIds) {
    models += (models.empty() ? "" : ";") + id;
  }
  const std::string formalism = calculation.formalism == dosimetry::Formalism::Auto
                                    ? "auto (2d for seeds with a direction, 1d-line for the others)"
                                    : dosimetry::FormalismName(calculation.formalism);
  DescribeDose(dose, options.rate, models, formalism, decay.HalfLifeDays(), seeds.size());
  std::string quantity =
      options.rate ? "initial dose rate in cGy/h" : "total dose in Gy (decay to infinity)";
  if (options.deliveredByDays && !options.rate) {
    quantity = "dose in Gy delivered in the first " + FormatNumber(*options.deliveredByDays) +
               " days after the implant";
    dose.MetaData()["seedplan_quantity"] = "dose delivered in the first " +
                                           FormatNumber(*options.deliveredByDays) +
                                           " days after the implant";
  }
  imaging::WriteVolume(dose, options.out);

  const float maximum = *std::max_element(dose.Data().begin(), dose.Data().end());
  std::cout << "wrote " << options.out << ": "
            << (options.rate ? "initial dose rate in cGy/h"
                             : "total dose in Gy (decay to infinity)")
            << ", TG-43U1 in water, model " << models << ", formalism " << formalism << "; "
            << grid.Describe() << "; " << seeds.size() << " seeds; maximum "
            << FormatNumber(maximum, 4) << (options.rate ? " cGy/h" : " Gy") << '\n';
}

} // namespace

void RegisterDoseCommand(CLI::App& app) {
  auto* command = app.add_subcommand("dose", "TG-43 dose of seeds on a grid (.mha or .nrrd)");
  auto options = std::make_shared<DoseOptions>();
  command
      ->add_option("--seeds", options->seeds,
                   "Seeds CSV (x_mm,y_mm,z_mm[,dir_x,dir_y,dir_z]"
                   "[,strength_U|activity_mCi][,model]...)")
      ->required();
  command->add_option("--model", options->model, "Seed model for seeds without one (default 6711)");
  command->add_option("--grid-origin", options->origin, "First voxel centre X,Y,Z (mm, LPS)")
      ->required();
  command->add_option("--grid-size", options->size, "Voxels NX,NY,NZ")->required();
  command->add_option("--grid-spacing", options->spacing, "Voxel spacing SX,SY,SZ (mm)")
      ->required();
  command->add_option("--out", options->out, "Output dose file (.mha or .nrrd)")->required();
  auto* rateFlag =
      command->add_flag("--rate", options->rate,
                        "Write the initial dose rate in cGy/h instead of the total dose in Gy");
  command->add_option("--formalism", options->formalism, "auto (default), 2d, 1d-line, 1d-point");
  auto* strength = command->add_option("--strength-u", options->strengthU,
                                       "Air-kerma strength (U) of seeds that have none");
  auto* activity = command->add_option("--activity-mci", options->activityMCi,
                                       "Apparent activity (mCi) of seeds that have none");
  strength->excludes(activity);
  command->add_option("--cutoff-cm", options->cutoffCm,
                      "Distance beyond which a seed adds nothing (cm, at least 10; default 10)");
  command
      ->add_option("--delivered-by-days", options->deliveredByDays,
                   "Write the dose delivered in the first D days instead of the total dose")
      ->excludes(rateFlag);
  command->add_flag("--allow-seeds-outside", options->allowSeedsOutside,
                    "Accept seeds outside the grid (their dose inside it is still computed)");
  command->callback([options]() { RunDose(*options); });
}

} // namespace seedplan::app
