// `seedplan dvh --dose FILE --mask FILE --rx GY [--json]`: cumulative DVH metrics of one structure.

#include "Commands.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/Log.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/dosimetry/DoseMetrics.h"
#include "seedplan/dosimetry/DvhCalculator.h"
#include "seedplan/imaging/VolumeIo.h"

#include <cmath>
#include <iostream>
#include <memory>

namespace seedplan::app {

namespace {

struct DvhOptions {
  std::string dose;
  std::string mask;
  double rxGy = 0.0;
  bool json = false;
};

void RunDvh(const DvhOptions& options) {
  if (!(options.rxGy > 0.0) || !std::isfinite(options.rxGy)) {
    throw InvalidInput("--rx is " + FormatNumber(options.rxGy) +
                       "; expected the prescription dose > 0 Gy");
  }
  const Volume<float> dose = imaging::ReadVolumeFloat(options.dose);
  const auto unit = dose.MetaData().find("seedplan_unit");
  if (unit == dose.MetaData().end()) {
    log::Warning(options.dose + ": no seedplan_unit in the header; taking the values as total "
                                "dose in Gy");
  } else if (unit->second != "Gy") {
    throw InvalidInput(options.dose + ": field seedplan_unit is '" + unit->second +
                       "'; expected total dose in Gy (compute it without --rate)");
  }
  const Mask mask = imaging::ReadMask(options.mask);
  dosimetry::Dvh dvh = [&] {
    try {
      return dosimetry::DvhCalculator::Compute(mask, dose);
    } catch (const InvalidInput& error) {
      throw InvalidInput(options.mask + ": " + error.what());
    }
  }();
  const auto metrics = dosimetry::DoseMetrics::Compute(
      dvh, options.rxGy, dosimetry::PrescriptionIsodoseVolumeCc(dose, options.rxGy));
  if (options.json) {
    std::cout << metrics.ToJson() << '\n';
  } else {
    std::cout << metrics.ToTable(options.mask);
  }
}

} // namespace

void RegisterDvhCommand(CLI::App& app) {
  auto* command = app.add_subcommand("dvh", "DVH metrics of a structure mask in a dose grid");
  auto options = std::make_shared<DvhOptions>();
  command->add_option("--dose", options->dose, "Total dose in Gy (.mha/.nrrd from `seedplan dose`)")
      ->required();
  command->add_option("--mask", options->mask, "Structure mask (.mha/.nrrd/.nii), non-zero inside")
      ->required();
  command->add_option("--rx", options->rxGy, "Prescription dose (Gy)")->required();
  command->add_flag("--json", options->json, "One JSON object instead of a table");
  command->callback([options]() { RunDvh(*options); });
}

} // namespace seedplan::app
