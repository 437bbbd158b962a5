// `seedplan demo [--out DIR]`: the README's main job. For now (until the sample patient of issue 3
// and the planner of issue 4) a fixed sample implant in water around a spherical lesion: its dose
// grid, seeds and lesion mask are written to DIR and the lesion's metrics printed.

#include "CommandLine.h"
#include "Commands.h"
#include "SampleImplant.h"
#include "seedplan/core/AtomicFileWriter.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/SeedsCsv.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/dosimetry/DoseCalculator.h"
#include "seedplan/dosimetry/DoseMetrics.h"
#include "seedplan/dosimetry/DvhCalculator.h"
#include "seedplan/dosimetry/PermanentImplantDecay.h"
#include "seedplan/dosimetry/SourceLibrary.h"
#include "seedplan/imaging/VolumeIo.h"

#include <iostream>
#include <memory>

namespace seedplan::app {

namespace {

void RunDemo(const std::filesystem::path& folder) {
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error || !std::filesystem::is_directory(folder)) {
    throw Io(folder.string() + ": cannot create the output folder (" + error.message() + ")");
  }
  const dosimetry::SourceLibrary library;
  const auto model = library.Load("6711");
  const std::vector<Seed> seeds = SampleImplant::Seeds(model->StrengthPerActivityUPerMCi());
  const Mask lesion = SampleImplant::LesionMask(0.5);

  // A 1 mm dose grid 80 mm wide around the lesion: it holds the whole prescription isodose, which
  // V_ref (CI, EI) needs.
  const GridGeometry grid({-39.5, -39.5, -39.5}, {1.0, 1.0, 1.0}, {80, 80, 80});
  dosimetry::DoseCalculator calculator(model, {});
  Volume<float> dose = calculator.DoseRateGridCGyPerH(grid, seeds);
  const dosimetry::PermanentImplantDecay decay(model->HalfLifeDays());
  for (float& value : dose.Data()) {
    value *= static_cast<float>(decay.TotalDoseGyPerCGyPerH());
  }
  DescribeDose(dose, false, model->Id(),
               "auto (2d for seeds with a direction, 1d-line for the others)",
               model->HalfLifeDays(), seeds.size());

  const auto dvh = dosimetry::DvhCalculator::Compute(lesion, dose);
  const double rx = SampleImplant::kPrescriptionGy;
  const auto metrics =
      dosimetry::DoseMetrics::Compute(dvh, rx, dosimetry::PrescriptionIsodoseVolumeCc(dose, rx));

  SeedsCsv::Write(folder / "seeds.csv", seeds, true);
  imaging::WriteMask(lesion, folder / "lesion_mask.mha");
  imaging::WriteVolume(dose, folder / "dose.mha");
  AtomicFileWriter json(folder / "lesion_metrics.json");
  json.WriteAll(metrics.ToJson() + "\n");
  json.Commit();

  double totalActivityMCi = 0.0;
  for (const Seed& seed : seeds) {
    totalActivityMCi += seed.strengthU / model->StrengthPerActivityUPerMCi();
  }
  std::cout << "seedplan demo: sample implant in water (fixed arrangement, not an optimised plan)\n"
            << "lesion: sphere of radius " << SampleImplant::kLesionRadiusMm << " mm ("
            << FormatNumber(dvh.VolumeCc(), 4) << " cc), prescription " << rx
            << " Gy (illustrative)\n"
            << "seeds: " << seeds.size() << " x model " << model->Id() << ", "
            << SampleImplant::kActivityMCi << " mCi = " << FormatNumber(seeds.front().strengthU, 4)
            << " U each (total " << FormatNumber(totalActivityMCi, 4)
            << " mCi), needles along +z every " << SampleImplant::kNeedleSpacingMm
            << " mm, seeds every " << SampleImplant::kSeedSpacingMm << " mm\n\n"
            << metrics.ToTable("lesion") << '\n'
            << "wrote " << (folder / "dose.mha").string() << " (total dose, Gy), "
            << (folder / "seeds.csv").string() << ", " << (folder / "lesion_mask.mha").string()
            << ", " << (folder / "lesion_metrics.json").string() << '\n';
}

} // namespace

void RegisterDemoCommand(CLI::App& app) {
  auto* command = app.add_subcommand(
      "demo", "The main job on the sample case: dose and lesion metrics of a sample implant");
  auto folder = std::make_shared<std::string>("seedplan-demo");
  command->add_option("--out", *folder, "Output folder (default: ./seedplan-demo)");
  command->callback([folder]() { RunDemo(*folder); });
}

} // namespace seedplan::app
