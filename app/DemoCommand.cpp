// `seedplan demo [--out DIR]`: the README's main job on the sample patient. Until the planner
// (issue 4) exists: the dose of the fixed sample seed arrangement in the lung metastasis, computed
// on the planning CT read back from DICOM, with the metrics of every structure of the RT Structure
// Set and the organ doses against the sample case's (illustrative) limits.

#include "Commands.h"
#include "seedplan/core/AtomicFileWriter.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/JsonWriter.h"
#include "seedplan/core/SeedsCsv.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/dosimetry/DoseMetrics.h"
#include "seedplan/dosimetry/DvhCalculator.h"
#include "seedplan/dosimetry/ImplantDose.h"
#include "seedplan/dosimetry/SeedStrength.h"
#include "seedplan/dosimetry/SourceLibrary.h"
#include "seedplan/imaging/CtLoader.h"
#include "seedplan/imaging/SamplePatient.h"
#include "seedplan/imaging/StructureLoader.h"
#include "seedplan/imaging/VolumeIo.h"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <map>
#include <memory>

namespace seedplan::app {

namespace {

namespace fs = std::filesystem;

struct DemoOptions {
  std::string out = "seedplan-demo";
  std::string patient;
};

/// Where the sample patient lives: --patient, $SEEDPLAN_SAMPLE_PATIENT, or sample_data/patient in
/// the source tree (generated there on first use: it is ~40 MB of DICOM, too large to commit).
fs::path PatientFolder(const DemoOptions& options) {
  if (!options.patient.empty()) {
    return options.patient;
  }
  if (const char* fromEnvironment = std::getenv("SEEDPLAN_SAMPLE_PATIENT")) {
    if (*fromEnvironment) {
      return fromEnvironment;
    }
  }
  return fs::path(SEEDPLAN_SAMPLE_DATA_DIR) / "patient";
}

class Stopwatch {
public:
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_Start).count();
  }

private:
  std::chrono::steady_clock::time_point m_Start = std::chrono::steady_clock::now();
};

std::optional<double> LimitMetric(const dosimetry::DoseMetrics& metrics,
                                  const std::string& metric) {
  if (metric == "Dmax") {
    return metrics.DmaxGy;
  }
  if (metric == "D0_1cc") {
    return metrics.D0_1ccGy;
  }
  if (metric == "D1cc") {
    return metrics.D1ccGy;
  }
  if (metric == "D2cc") {
    return metrics.D2ccGy;
  }
  return std::nullopt;
}

std::string Cell(std::optional<double> value, int digits = 4) {
  return value ? FormatNumber(*value, digits) : "-";
}

void RunDemo(const DemoOptions& options) {
  const Stopwatch clock;
  const fs::path outFolder = options.out;
  std::error_code error;
  fs::create_directories(outFolder, error);
  if (error || !fs::is_directory(outFolder)) {
    throw Io(outFolder.string() + ": cannot create the output folder (" + error.message() + ")");
  }
  imaging::SamplePatientFiles files{PatientFolder(options)};
  if (!files.Complete()) {
    std::cerr << "seedplan: generating the sample patient in " << files.folder.string()
              << " (first run) ...\n";
    files = imaging::SamplePatient::Write(files.folder);
    std::cerr << "seedplan: sample patient written (" << FormatNumber(clock.Seconds(), 3)
              << " s)\n";
  }

  const imaging::CtImage ct = imaging::CtLoader::Load(files.Ct());
  const imaging::StructureSet structures = imaging::StructureLoader::Load(files.RtStruct(), ct);
  const auto prescriptions = imaging::SamplePatient::ReadPrescriptions(files.Prescriptions());
  const auto limits = imaging::SamplePatient::ReadOrganLimits(files.OrganLimits());
  std::cerr << "seedplan: read the CT and " << structures.structures.size() << " structures ("
            << FormatNumber(clock.Seconds(), 3) << " s)\n";

  const dosimetry::SourceLibrary library;
  const std::string sampleSeeds = files.SampleSeeds().string();
  const std::vector<Seed> seeds =
      dosimetry::SeedStrength::Resolve(SeedsCsv::Read(files.SampleSeeds()), sampleSeeds, library,
                                       "6711", std::nullopt, std::nullopt);
  const Volume<float> dose = dosimetry::ImplantDose::Compute(ct.hu.Geometry(), seeds, library,
                                                             "6711", {}, dosimetry::DoseQuantity{});
  std::cerr << "seedplan: dose of " << seeds.size() << " seeds on the CT grid ("
            << FormatNumber(clock.Seconds(), 3) << " s)\n";

  std::map<std::string, double> rxOf;
  std::map<std::string, std::string> siteOf;
  for (const auto& lesion : prescriptions) {
    rxOf[lesion.structureName] = lesion.prescriptionGy;
    siteOf[lesion.structureName] = lesion.site;
  }
  double totalActivityMCi = 0.0;
  for (const Seed& seed : seeds) {
    totalActivityMCi += seed.strengthU / library.Load(seed.model)->StrengthPerActivityUPerMCi();
  }

  JsonWriter json;
  json.BeginArray();
  std::cout << "seedplan demo: sample patient " << ct.info.patientId << " ("
            << files.folder.string() << ")\n"
            << "sample implant (fixed arrangement, not an optimised plan): " << seeds.size()
            << " seeds of model 6711 in GTV_Lung, total " << FormatNumber(totalActivityMCi, 4)
            << " mCi; dose: TG-43U1 in water, total dose (Gy, decay to infinity), CT grid\n\n";
  std::printf("%-12s %-12s %-10s %8s %6s %7s %7s %7s %7s %7s %8s %8s %8s\n", "structure", "role",
              "site", "vol cc", "Rx Gy", "D90", "D100", "V100%", "V150%", "V200%", "Dmean",
              "D0.1cc", "Dmax");
  struct LimitRow {
    std::string text;
  };
  std::vector<std::string> limitLines;
  for (const imaging::Structure& structure : structures.structures) {
    const auto dvh = dosimetry::DvhCalculator::Compute(structure.mask, dose);
    const auto rx = rxOf.find(structure.name);
    const bool target = rx != rxOf.end();
    const double rxGy = target ? rx->second : rxOf.begin()->second;
    const auto metrics = dosimetry::DoseMetrics::Compute(
        dvh, rxGy,
        target ? std::optional<double>(dosimetry::PrescriptionIsodoseVolumeCc(dose, rxGy))
               : std::nullopt);
    std::printf("%-12s %-12s %-10s %8s %6s %7s %7s %7s %7s %7s %8s %8s %8s\n",
                structure.name.c_str(), imaging::RoleName(structure.role).c_str(),
                target ? siteOf[structure.name].c_str() : "",
                FormatNumber(metrics.volumeCc, 6).c_str(),
                target ? FormatNumber(rxGy, 4).c_str() : "", Cell(metrics.D90Gy).c_str(),
                Cell(metrics.D100Gy).c_str(), target ? Cell(metrics.V100Pct, 3).c_str() : "",
                target ? Cell(metrics.V150Pct, 3).c_str() : "",
                target ? Cell(metrics.V200Pct, 3).c_str() : "", Cell(metrics.DmeanGy).c_str(),
                Cell(metrics.D0_1ccGy).c_str(), Cell(metrics.DmaxGy).c_str());
    json.BeginObject()
        .Key("name")
        .String(structure.name)
        .Key("role")
        .String(imaging::RoleName(structure.role));
    if (target) {
      json.Key("rx_Gy").Number(rxGy);
    }
    const std::optional<double> none;
    json.Key("volume_cc").Number(metrics.volumeCc);
    json.Key("D90_Gy").Number(metrics.D90Gy).Key("D98_Gy").Number(metrics.D98Gy);
    json.Key("D100_Gy").Number(metrics.D100Gy).Key("Dmean_Gy").Number(metrics.DmeanGy);
    json.Key("Dmin_Gy").Number(metrics.DminGy).Key("Dmax_Gy").Number(metrics.DmaxGy);
    json.Key("V100_pct").Number(target ? std::optional<double>(metrics.V100Pct) : none);
    json.Key("V150_pct").Number(target ? std::optional<double>(metrics.V150Pct) : none);
    json.Key("V200_pct").Number(target ? std::optional<double>(metrics.V200Pct) : none);
    json.Key("D2cc_Gy").Number(metrics.D2ccGy).Key("D1cc_Gy").Number(metrics.D1ccGy);
    json.Key("D0_1cc_Gy").Number(metrics.D0_1ccGy);
    json.Key("CI").Number(target ? metrics.CI : none).Key("EI").Number(target ? metrics.EI : none);
    json.Key("HI").Number(target ? metrics.HI : none);
    json.EndObject();
    for (const auto& limit : limits) {
      if (limit.structureName != structure.name) {
        continue;
      }
      const auto value = LimitMetric(metrics, limit.metric);
      const bool met = value && *value <= limit.limitGy;
      limitLines.push_back("  " + structure.name + " " + limit.metric + " " + Cell(value) +
                           " Gy (limit " + FormatNumber(limit.limitGy) +
                           " Gy): " + (met ? "within" : "EXCEEDED"));
    }
  }
  json.EndArray();
  std::cout << "\norgan doses against the sample case's limits (illustrative values):\n";
  for (const auto& line : limitLines) {
    std::cout << line << '\n';
  }

  SeedsCsv::Write(outFolder / "seeds.csv", seeds, true);
  imaging::WriteVolume(dose, outFolder / "dose.mha");
  AtomicFileWriter metricsFile(outFolder / "metrics.json");
  metricsFile.WriteAll(json.Text() + "\n");
  metricsFile.Commit();
  std::cout << "\nwrote " << (outFolder / "dose.mha").string()
            << " (total dose, Gy, on the CT grid), " << (outFolder / "seeds.csv").string() << ", "
            << (outFolder / "metrics.json").string() << " in " << FormatNumber(clock.Seconds(), 3)
            << " s\n";
}

} // namespace

void RegisterDemoCommand(CLI::App& app) {
  auto* command = app.add_subcommand(
      "demo", "The main job on the sample patient: dose and metrics of a sample implant");
  auto options = std::make_shared<DemoOptions>();
  command->add_option("--out", options->out, "Output folder (default: ./seedplan-demo)");
  command->add_option("--patient", options->patient,
                      "Sample patient folder (default: sample_data/patient, made on first use)");
  command->callback([options]() { RunDemo(*options); });
}

} // namespace seedplan::app
