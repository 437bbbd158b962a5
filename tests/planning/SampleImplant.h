#pragma once
// The sample patient and its committed sample implant, loaded once per test suite by the tests of
// evaluation and live editing (planning and viewer), and once by the live editing benchmark
// (bench/EditBenchmark.cpp: a header only, so the bench builds with the tests off).

#include "../core/TempFolder.h"
#include "seedplan/core/SeedsCsv.h"
#include "seedplan/dosimetry/SeedStrength.h"
#include "seedplan/dosimetry/SourceLibrary.h"
#include "seedplan/imaging/CtImage.h"
#include "seedplan/imaging/CtLoader.h"
#include "seedplan/imaging/SamplePatient.h"
#include "seedplan/imaging/StructureLoader.h"
#include "seedplan/imaging/StructureSet.h"
#include "seedplan/planning/Plan.h"

namespace seedplan::test {

/// The sample patient written by the project's generator (~2 s) into a temporary folder (removed
/// with the object) and loaded: CT, structures, the source library, and a plan of the committed
/// sample implant (19 seeds of 6711 at kActivityMCi) with the sample's prescriptions and organ
/// limits.
class SampleImplant {
public:
  /// The sample implant's seeds: 0.55 mCi of 6711 (sample_data/README.md).
  static constexpr double kActivityMCi = 0.55;

  SampleImplant()
      : files(imaging::SamplePatient::Write(folder / "patient")),
        ct(imaging::CtLoader::Load(files.Ct())),
        structures(imaging::StructureLoader::Load(files.RtStruct(), ct)),
        library(SEEDPLAN_SOURCES_DIR) {
    plan.seedModel = "6711";
    plan.seeds = dosimetry::SeedStrength::Resolve(SeedsCsv::Read(files.SampleSeeds()),
                                                  files.SampleSeeds().string(), library, "6711",
                                                  std::nullopt, kActivityMCi);
    plan.strengthAtImplantU = plan.seeds.front().strengthU;
    plan.assayStrengthU = plan.strengthAtImplantU;
    for (const auto& lesion : imaging::SamplePatient::ReadPrescriptions(files.Prescriptions())) {
      plan.targets.push_back({lesion.structureName, lesion.site, lesion.prescriptionGy, 0.0});
    }
    for (const auto& limit : imaging::SamplePatient::ReadOrganLimits(files.OrganLimits())) {
      plan.limits.push_back({limit.structureName, limit.metric, limit.limitGy});
    }
  }

  TempFolder folder;
  imaging::SamplePatientFiles files;
  imaging::CtImage ct;
  imaging::StructureSet structures;
  dosimetry::SourceLibrary library;
  planning::Plan plan;
};

} // namespace seedplan::test
