// `seedplan dvh --dose FILE --mask FILE --rx GY [--json]`: cumulative DVH metrics of one structure.
// V_ref for CI and EI is the prescription isodose within --isodose-reach-mm of the structure (as
// `evaluate` takes it for each lesion of a multi-lesion plan), or over the whole grid with
// --isodose-whole-grid; the output says which.

#include "Commands.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/InputLimits.h"
#include "seedplan/core/Log.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/dosimetry/DoseMetrics.h"
#include "seedplan/dosimetry/DvhCalculator.h"
#include "seedplan/imaging/CtLoader.h"
#include "seedplan/imaging/StructureLoader.h"
#include "seedplan/imaging/VolumeIo.h"

#include <cmath>
#include <iostream>
#include <memory>

namespace seedplan::app {

namespace {

struct DvhOptions {
  std::string dose;
  std::string mask;
  std::string ct;
  std::string series;
  std::string structures;
  std::string structure;
  double rxGy = 0.0;
  double isodoseReachMm = dosimetry::kDefaultIsodoseReachMm;
  bool wholeGrid = false;
  bool json = false;
};

void RunDvh(const DvhOptions& options) {
  limits::RequireInRange(options.rxGy, 0.0, limits::kMaxDoseGy, true, "--rx",
                         "the prescription dose", "Gy");
  const Volume<float> dose = imaging::ReadVolumeFloat(options.dose);
  const auto unit = dose.MetaData().find("seedplan_unit");
  if (unit == dose.MetaData().end()) {
    log::Warning(options.dose + ": no seedplan_unit in the header; taking the values as total "
                                "dose in Gy");
  } else if (unit->second != "Gy") {
    throw InvalidInput(options.dose + ": field seedplan_unit is '" + unit->second +
                       "'; expected total dose in Gy (compute it without --rate)");
  }
  Mask mask;
  std::string maskSource;
  if (!options.mask.empty()) {
    mask = imaging::ReadMask(options.mask);
    maskSource = options.mask;
  } else {
    if (options.ct.empty() || options.structures.empty() || options.structure.empty()) {
      throw InvalidInput("dvh: give --mask FILE, or --ct PATH --structures FILE --structure NAME");
    }
    const imaging::CtImage ct = imaging::CtLoader::Load(options.ct, options.series);
    imaging::StructureSet set = imaging::StructureLoader::Load(options.structures, ct);
    mask = imaging::StructureLoader::Require(set, options.structure).mask;
    maskSource = options.structures + ": " + options.structure;
  }
  try {
    dosimetry::DvhCalculator::ValidateDoseGrid(dose);
  } catch (const InvalidInput& error) {
    throw InvalidInput(options.dose + ": " + error.what());
  }
  dosimetry::Dvh dvh = [&] {
    try {
      return dosimetry::DvhCalculator::Compute(mask, dose);
    } catch (const InvalidInput& error) {
      throw InvalidInput(maskSource + ": " + error.what());
    }
  }();
  const double referenceCc = options.wholeGrid
                                 ? dosimetry::PrescriptionIsodoseVolumeCc(dose, options.rxGy)
                                 : dosimetry::PrescriptionIsodoseVolumeCc(dose, options.rxGy, mask,
                                                                          options.isodoseReachMm);
  const auto metrics = dosimetry::DoseMetrics::Compute(dvh, options.rxGy, referenceCc);
  const std::string where = options.wholeGrid ? "over the whole dose grid"
                                              : "within " + FormatNumber(options.isodoseReachMm) +
                                                    " mm of the structure's box";
  if (options.json) {
    // The keys of DoseMetrics::ToJson, then the V_ref used for CI and EI and the distance it was
    // taken within (null: the whole grid).
    std::string json = metrics.ToJson();
    json.pop_back();
    json += ", \"V_ref_cc\": " + FormatNumber(referenceCc, 6) + ", \"V_ref_reach_mm\": " +
            (options.wholeGrid ? std::string("null") : FormatNumber(options.isodoseReachMm)) + "}";
    std::cout << json << '\n';
  } else {
    std::cout << metrics.ToTable(maskSource);
    std::cout << "  V_ref for CI and EI: " << FormatNumber(referenceCc, 6) << " cc inside the "
              << FormatNumber(options.rxGy, 6) << " Gy isodose " << where << "\n";
  }
}

} // namespace

void RegisterDvhCommand(CLI::App& app) {
  auto* command = app.add_subcommand("dvh", "DVH metrics of a structure mask in a dose grid");
  auto options = std::make_shared<DvhOptions>();
  command->add_option("--dose", options->dose, "Total dose in Gy (.mha/.nrrd from `seedplan dose`)")
      ->required();
  auto* mask = command->add_option("--mask", options->mask,
                                   "Structure mask (.mha/.nrrd/.nii), non-zero inside");
  auto* ct = command->add_option("--ct", options->ct, "CT the structures are drawn on");
  command->add_option("--series", options->series, "SeriesInstanceUID when --ct holds several")
      ->needs(ct);
  auto* structures =
      command
          ->add_option("--structures", options->structures, "RT Structure Set (.dcm) or label map")
          ->needs(ct);
  command->add_option("--structure", options->structure, "Name of the structure")
      ->needs(structures);
  mask->excludes(ct);
  command->add_option("--rx", options->rxGy, "Prescription dose (Gy)")->required();
  command
      ->add_option("--isodose-reach-mm", options->isodoseReachMm,
                   "V_ref for CI/EI: the prescription isodose within this distance (mm) of the "
                   "structure's box, so that other lesions' isodoses do not count (default 20)")
      ->check(CLI::NonNegativeNumber);
  command->add_flag("--isodose-whole-grid", options->wholeGrid,
                    "V_ref for CI/EI over the whole dose grid (one lesion per dose)");
  command->add_flag("--json", options->json,
                    "One JSON object instead of a table (with V_ref_cc and V_ref_reach_mm)");
  command->callback([options]() { RunDvh(*options); });
}

} // namespace seedplan::app
