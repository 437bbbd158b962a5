// Speed of the dose engine (issues 2 and 12). The reference case: 100 seeds of 6711 along +z at
// x, y in {-20, -10, 0, 10, 20} mm and z in {-15, -5, 5, 15} mm, on a 100^3 grid at 1 mm whose
// first voxel centre is (-49.5, -49.5, -49.5) mm: 10^8 seed-voxel pairs. "On phase": those
// positions, every seed on the same voxel corner (a template plan); "off phase": every seed moved
// by a fixed pseudo-random offset of up to 0.45 mm per axis.
//
//  - BM_Yardstick/phase/isa: the loop time of the direct TG-43 kernel of Tg43Yardstick.cpp (-O3
//    -ffast-math -fopenmp; isa 0: -march=native, the reference of issue 12; isa 1: -mavx2 -mfma,
//    no AVX-512, the reference on an AVX2-only machine, against which the AVX2 path is compared);
//  - BM_DoseCommand/phase/simd: the whole `seedplan dose --rate` process (start to exit, the .mha
//    written) with SEEDPLAN_SIMD forcing the path (2 = avx512, 1 = avx2);
//  - BM_DoseGrid/phase/simd: the grid alone in this process (kernel built), ns per pair;
//  - BM_KernelTabulation, BM_DvhOf3cmLesion: parts.
// Ratios are measured in one run: bench/dose_engine_vs_yardstick.sh runs this binary with
// OMP_NUM_THREADS=2 and interleaved repetitions, and prints them.

#include "Tg43Yardstick.h"
#include "seedplan/dosimetry/DoseCalculator.h"
#include "seedplan/dosimetry/DoseMetrics.h"
#include "seedplan/dosimetry/DvhCalculator.h"
#include "seedplan/dosimetry/PermanentImplantDecay.h"
#include "seedplan/dosimetry/SourceLibrary.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <fstream>
#include <random>
#include <spawn.h>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char** environ;

namespace {

using namespace seedplan;
using namespace seedplan::dosimetry;

constexpr double kPairs = 100.0 * 100 * 100 * 100;
/// Largest offset of an off-phase seed from its template position, per axis (issue 12).
constexpr double kOffPhaseMm = 0.45;

std::vector<Seed> ReferenceSeeds(bool offPhase) {
  std::mt19937_64 random(12);
  std::uniform_real_distribution<double> offset(-kOffPhaseMm, kOffPhaseMm);
  std::vector<Seed> seeds;
  for (double x : {-20, -10, 0, 10, 20}) {
    for (double y : {-20, -10, 0, 10, 20}) {
      for (double z : {-15, -5, 5, 15}) {
        Seed seed;
        seed.positionMm = {x, y, z};
        if (offPhase) {
          seed.positionMm += Eigen::Vector3d(offset(random), offset(random), offset(random));
        }
        seed.direction = Eigen::Vector3d::UnitZ();
        seed.strengthU = 0.5;
        seeds.push_back(seed);
      }
    }
  }
  return seeds;
}

GridGeometry ReferenceGrid() {
  return GridGeometry({-49.5, -49.5, -49.5}, {1.0, 1.0, 1.0}, {100, 100, 100});
}

std::shared_ptr<const SourceModel> Model6711() {
  static const SourceLibrary library(SEEDPLAN_SOURCES_DIR);
  return library.Load("6711");
}

SimdPath PathOf(std::int64_t code) {
  return code == 2 ? SimdPath::Avx512 : code == 1 ? SimdPath::Avx2 : SimdPath::Scalar;
}

void ReportPeakMemory(benchmark::State& state) {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  state.counters["peak_rss_MB"] = double(usage.ru_maxrss) / 1024.0;
}

/// The grid alone (kernel built once beforehand), on the path forced by the second argument.
void BM_DoseGrid(benchmark::State& state) {
  const SimdPath path = PathOf(state.range(1));
  if (!SimdPathSupported(path)) {
    state.SkipWithError("this CPU lacks the path");
    return;
  }
  DoseCalculationOptions options;
  options.simd = path;
  const DoseCalculator calculator(Model6711(), options);
  const auto seeds = ReferenceSeeds(state.range(0) != 0);
  const auto grid = ReferenceGrid();
  calculator.DoseRateGridCGyPerH(grid, seeds); // builds the kernel
  for (auto _ : state) {
    auto dose = calculator.DoseRateGridCGyPerH(grid, seeds);
    benchmark::DoNotOptimize(dose.Data().data());
  }
  state.counters["ns_per_seed_voxel_pair"] = benchmark::Counter(
      kPairs / 1e9, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  state.counters["stamped_seeds"] = double(calculator.LastStampStatistics().stampedSeeds);
  ReportPeakMemory(state);
}
BENCHMARK(BM_DoseGrid)
    ->ArgsProduct({{0, 1}, {2, 1, 0}})
    ->ArgNames({"offphase", "simd"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

/// The yardstick's loop on the reference case (its tables built once beforehand).
void BM_Yardstick(benchmark::State& state) {
  const auto model = Model6711();
  // g_L every 0.01 cm, F every 0.05 cm x 1 degree, to 10 cm: what a direct kernel would tabulate.
  std::vector<float> radial(1002), anisotropy(203 * 91);
  for (int i = 0; i < 1002; ++i) {
    radial[static_cast<std::size_t>(i)] = static_cast<float>(model->RadialDoseLine(i * 0.01));
  }
  for (int i = 0; i < 203; ++i) {
    for (int j = 0; j < 91; ++j) {
      anisotropy[static_cast<std::size_t>(i * 91 + j)] =
          static_cast<float>(model->Anisotropy2D(i * 0.05, j));
    }
  }
  bench::YardstickTables tables;
  tables.radialDose = radial.data();
  tables.radialCount = 1002;
  tables.radialStepCm = 0.01f;
  tables.anisotropy = anisotropy.data();
  tables.anisotropyRadialCount = 203;
  tables.anisotropyRadialStepCm = 0.05f;
  tables.anisotropyAngleCount = 91;
  tables.lambda = static_cast<float>(model->DoseRateConstant());
  tables.activeLengthCm = static_cast<float>(model->ActiveLengthCm());
  tables.geometryReference = static_cast<float>(model->GeometryLineReference());
  tables.minimumRadiusCm = static_cast<float>(model->MinimumRadiusCm());
  tables.cutoffCm = 10.0f;
  std::vector<bench::YardstickSeed> seeds;
  for (const Seed& seed : ReferenceSeeds(state.range(0) != 0)) {
    seeds.push_back({{static_cast<float>(seed.positionMm.x() / 10),
                      static_cast<float>(seed.positionMm.y() / 10),
                      static_cast<float>(seed.positionMm.z() / 10)},
                     {0.0f, 0.0f, 1.0f},
                     static_cast<float>(seed.strengthU)});
  }
  const bench::YardstickGrid grid{{-4.95f, -4.95f, -4.95f}, {0.1f, 0.1f, 0.1f}, {100, 100, 100}};
  std::vector<float> dose(1000000);
  // isa 0: -march=native (AVX-512 here); isa 1: -mavx2 -mfma (an AVX2-only machine's yardstick).
  const auto yardstick =
      state.range(1) == 0 ? &bench::YardstickDoseRate : &bench::YardstickDoseRateAvx2;
  for (auto _ : state) {
    std::fill(dose.begin(), dose.end(), 0.0f);
    yardstick(tables, seeds.data(), static_cast<int>(seeds.size()), grid, dose.data());
    benchmark::DoNotOptimize(dose.data());
  }
  state.counters["ns_per_seed_voxel_pair"] = benchmark::Counter(
      kPairs / 1e9, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  // Agreement with seedplan (a yardstick must compute the same dose): the hottest voxel.
  const DoseCalculator calculator(Model6711(), {});
  const auto reference = calculator.DoseRateGridCGyPerH(ReferenceGrid(), ReferenceSeeds(false));
  state.counters["max_dose_ratio_to_seedplan"] =
      double(*std::max_element(dose.begin(), dose.end())) /
      double(*std::max_element(reference.Data().begin(), reference.Data().end()));
}
BENCHMARK(BM_Yardstick)
    ->ArgsProduct({{0, 1}, {0, 1}})
    ->ArgNames({"offphase", "isa"})
    ->Unit(benchmark::kMillisecond)
    ->MeasureProcessCPUTime() // CPU time of every OpenMP thread, compared with the command's
    ->UseRealTime();

/// Tabulating one model's 2D kernel (done once per model, formalism and process).
void BM_KernelTabulation(benchmark::State& state) {
  const auto model = Model6711();
  for (auto _ : state) {
    DoseRateKernel kernel(*model, Formalism::Line2D, 10.0);
    benchmark::DoNotOptimize(kernel.Anisotropy().values.data());
  }
}
BENCHMARK(BM_KernelTabulation)->Unit(benchmark::kMillisecond)->UseRealTime();

std::filesystem::path WriteSeeds(bool offPhase) {
  const auto folder =
      std::filesystem::temp_directory_path() / ("seedplan-bench-" + std::to_string(::getpid()));
  std::filesystem::create_directories(folder);
  const auto path = folder / (offPhase ? "offphase.csv" : "onphase.csv");
  std::ofstream seeds(path);
  seeds << "x_mm,y_mm,z_mm,dir_x,dir_y,dir_z,strength_U\n";
  seeds.precision(17);
  for (const Seed& seed : ReferenceSeeds(offPhase)) {
    seeds << seed.positionMm.x() << ',' << seed.positionMm.y() << ',' << seed.positionMm.z()
          << ",0,0,1,0.5\n";
  }
  return path;
}

/// Runs `arguments` (argv[0] first) with SEEDPLAN_SIMD set, output to /dev/null; its exit code.
int Spawn(const std::vector<std::string>& arguments, const std::string& simd) {
  std::vector<std::string> environment;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    if (std::string(*entry).rfind("SEEDPLAN_SIMD=", 0) != 0) {
      environment.emplace_back(*entry);
    }
  }
  environment.push_back("SEEDPLAN_SIMD=" + simd);
  std::vector<char*> argv, envp;
  for (const auto& a : arguments) {
    argv.push_back(const_cast<char*>(a.c_str()));
  }
  argv.push_back(nullptr);
  for (const auto& e : environment) {
    envp.push_back(const_cast<char*>(e.c_str()));
  }
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  pid_t pid = 0;
  const int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (spawned != 0) {
    return -1;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/// The whole `seedplan dose --rate` process on the reference case, as a user runs it.
void BM_DoseCommand(benchmark::State& state) {
  const bool offPhase = state.range(0) != 0;
  const SimdPath path = PathOf(state.range(1));
  if (!SimdPathSupported(path)) {
    state.SkipWithError("this CPU lacks the path");
    return;
  }
  const auto seeds = WriteSeeds(offPhase);
  const auto out = seeds.parent_path() / (offPhase ? "offphase.mha" : "onphase.mha");
  const std::vector<std::string> command = {SEEDPLAN_EXECUTABLE,
                                            "dose",
                                            "--rate",
                                            "--seeds",
                                            seeds.string(),
                                            "--model",
                                            "6711",
                                            "--grid-origin",
                                            "-49.5,-49.5,-49.5",
                                            "--grid-size",
                                            "100,100,100",
                                            "--grid-spacing",
                                            "1,1,1",
                                            "--out",
                                            out.string()};
  const auto cpuSeconds = [] {
    rusage children{};
    getrusage(RUSAGE_CHILDREN, &children);
    return double(children.ru_utime.tv_sec + children.ru_stime.tv_sec) +
           1e-6 * double(children.ru_utime.tv_usec + children.ru_stime.tv_usec);
  };
  const double cpuBefore = cpuSeconds();
  for (auto _ : state) {
    if (Spawn(command, SimdPathName(path)) != 0) {
      state.SkipWithError("seedplan dose failed");
      break;
    }
  }
  rusage children{};
  getrusage(RUSAGE_CHILDREN, &children);
  state.counters["child_peak_rss_MB"] = double(children.ru_maxrss) / 1024.0;
  // CPU time of the command (all its threads) per run: on a loaded machine a steadier measure
  // than the wall time (it ignores that serial parts leave the second thread idle).
  state.counters["child_cpu_ms"] =
      1e3 * (cpuSeconds() - cpuBefore) /
      double(std::max<benchmark::IterationCount>(state.iterations(), 1));
  // The seeds file and the 4 MB dose written: not left behind in the temporary folder.
  std::error_code ignored;
  std::filesystem::remove_all(seeds.parent_path(), ignored);
}
BENCHMARK(BM_DoseCommand)
    ->ArgsProduct({{0, 1}, {2, 1}})
    ->ArgNames({"offphase", "simd"})
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

/// DVH of a 3 cm lesion (0.5 mm mask, 14 cc) on the reference dose grid.
void BM_DvhOf3cmLesion(benchmark::State& state) {
  const DoseCalculator calculator(Model6711(), {});
  auto dose = calculator.DoseRateGridCGyPerH(ReferenceGrid(), ReferenceSeeds(false));
  Mask mask(GridGeometry({-15.25, -15.25, -15.25}, {0.5, 0.5, 0.5}, {62, 62, 62}));
  for (std::int64_t k = 0; k < 62; ++k)
    for (std::int64_t j = 0; j < 62; ++j)
      for (std::int64_t i = 0; i < 62; ++i)
        mask.At(i, j, k) =
            mask.Geometry().IndexToPoint(double(i), double(j), double(k)).norm() <= 15.0;
  for (auto _ : state) {
    const auto dvh = DvhCalculator::Compute(mask, dose);
    benchmark::DoNotOptimize(DoseMetrics::Compute(dvh, 100.0, std::nullopt).D90Gy);
  }
}
BENCHMARK(BM_DvhOf3cmLesion)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
