// `seedplan dose`: the TG-43 dose of a set of seeds on a grid (given by --grid-* options, or taken
// from a CT with --ct), written as float32 .mha/.nrrd with its quantity, unit, seed model and
// formalism in the header. Compiled into seedplan-full and into the light launcher
// (SEEDPLAN_LIGHT_PROGRAM, app/Launcher.cpp), which hands `--ct` over to seedplan-full.

#include "CommandLine.h"
#include "Commands.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/InputLimits.h"
#include "seedplan/core/SeedsCsv.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/dosimetry/ImplantDose.h"
#include "seedplan/dosimetry/SeedStrength.h"
#include "seedplan/dosimetry/SourceLibrary.h"
#include "seedplan/imaging/RawVolumeWriter.h"
#ifndef SEEDPLAN_LIGHT_PROGRAM
#include "seedplan/imaging/CtLoader.h"
#endif

#include <algorithm>
#include <iostream>
#include <memory>

namespace seedplan::app {

namespace {

struct DoseOptions {
  std::string seeds;
  std::string model = dosimetry::SourceLibrary::kDefaultModelId;
  std::string ct;
  std::string series;
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

GridGeometry DoseGrid(const DoseOptions& options) {
  if (options.ct.empty()) {
    if (options.origin.empty() || options.size.empty() || options.spacing.empty()) {
      throw InvalidInput("dose grid: give --ct PATH, or all of --grid-origin, --grid-size and "
                         "--grid-spacing");
    }
    return GridFromOptions(options.origin, options.size, options.spacing);
  }
  if (!options.origin.empty() || !options.size.empty()) {
    throw InvalidInput("--ct gives the grid: --grid-origin and --grid-size are not allowed with it "
                       "(--grid-spacing chooses a coarser grid over the same box)");
  }
#ifdef SEEDPLAN_LIGHT_PROGRAM
  throw NeedsFullProgram{}; // reading a CT needs the toolkits
#else
  const imaging::CtImage ct = imaging::CtLoader::Load(options.ct, options.series);
  return GridOverBox(ct.hu.Geometry(), options.spacing);
#endif
}

void RunDose(const DoseOptions& options) {
  CheckOutputPath(options.out, {".mha", ".nrrd"}, "--out");
  dosimetry::DoseCalculationOptions calculation;
  calculation.formalism = dosimetry::ParseFormalism(options.formalism, "--formalism");
  // Refused here, naming the option, before the engine's own check (which names the seeds file).
  limits::RequireInRange(options.cutoffCm, 10.0, limits::kMaxPointDistanceCm, false, "--cutoff-cm",
                         "a dose cutoff", "cm");
  calculation.cutoffCm = options.cutoffCm;
  dosimetry::DoseQuantity quantity;
  if (options.rate) {
    quantity.kind = dosimetry::DoseQuantity::Kind::InitialRate;
  } else if (options.deliveredByDays) {
    quantity.kind = dosimetry::DoseQuantity::Kind::DeliveredBy;
    quantity.deliveredByDays = *options.deliveredByDays;
    limits::RequireInRange(quantity.deliveredByDays, 0.0, limits::kMaxDeliveredByDays, false,
                           "--delivered-by-days", "a time after the implant", "days");
  }

  const dosimetry::SourceLibrary library;
  library.Load(options.model);
  const std::vector<SeedsCsvRow> rows = SeedsCsv::Read(options.seeds);
  const std::vector<Seed> seeds = dosimetry::SeedStrength::Resolve(
      rows, options.seeds, library, options.model, options.strengthU, options.activityMCi);
  try {
    // Positions, strengths and directions within their physical bounds, refused naming the file
    // before the grid (or a CT) is touched.
    dosimetry::ImplantDose::MakeEngine(seeds, library, options.model, calculation)
        .calculator->ValidateSeeds(seeds);
  } catch (const InvalidInput& error) {
    throw InvalidInput(options.seeds + ": " + error.what());
  }
  const GridGeometry grid = DoseGrid(options);
  for (std::size_t s = 0; s < seeds.size(); ++s) {
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

  const Volume<float> dose =
      dosimetry::ImplantDose::Compute(grid, seeds, library, options.model, calculation, quantity);
  imaging::WriteRawVolume(dose, options.out);

  // Eight running maxima (the grid is >= 0): a loop the compiler vectorises; std::max_element's
  // one running maximum cost ~2-5 ms of the command on a 100³ grid (issue 12).
  float lanes[8] = {};
  const std::vector<float>& values = dose.Data();
  std::size_t n = 0;
  for (; n + 8 <= values.size(); n += 8) {
    for (std::size_t lane = 0; lane < 8; ++lane) {
      lanes[lane] = values[n + lane] > lanes[lane] ? values[n + lane] : lanes[lane];
    }
  }
  for (; n < values.size(); ++n) {
    lanes[0] = values[n] > lanes[0] ? values[n] : lanes[0];
  }
  const float maximum = *std::max_element(std::begin(lanes), std::end(lanes));
  std::cout << "wrote " << options.out << ": " << quantity.Description() << " in "
            << quantity.Unit() << ", TG-43U1 in water, model "
            << dose.MetaData().at("seedplan_seed_model") << ", formalism "
            << dose.MetaData().at("seedplan_formalism") << "; " << grid.Describe() << "; "
            << seeds.size() << " seeds; maximum " << FormatNumber(maximum, 4) << ' '
            << quantity.Unit() << '\n';
}

} // namespace

void RegisterDoseCommand(CLI::App& app) {
  auto* command = app.add_subcommand("dose", "TG-43 dose of seeds on a grid (.mha or .nrrd)");
  auto options = std::make_shared<DoseOptions>();
  command
      ->add_option("--seeds", options->seeds,
                   "Seeds CSV (x_mm,y_mm,z_mm[,dir_x,dir_y,dir_z][,strength_U|activity_mCi]"
                   "[,model]...)")
      ->required();
  command->add_option("--model", options->model, "Seed model for seeds without one (default 6711)");
  auto* ct = command->add_option("--ct", options->ct,
                                 "Take the grid from this CT (DICOM folder, .mha, .nrrd, .nii)");
  command->add_option("--series", options->series, "SeriesInstanceUID when --ct holds several")
      ->needs(ct);
  command->add_option("--grid-origin", options->origin, "First voxel centre X,Y,Z (mm, LPS)");
  command->add_option("--grid-size", options->size, "Voxels NX,NY,NZ");
  command->add_option("--grid-spacing", options->spacing,
                      "Voxel spacing SX,SY,SZ (mm); with --ct a coarser grid over the CT's box");
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
