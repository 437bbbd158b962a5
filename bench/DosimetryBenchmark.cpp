// Speed of the dose engine (issue 2): the reference case is 100 seeds of 6711 along +z at
// x, y in {-20, -10, 0, 10, 20} mm and z in {-15, -5, 5, 15} mm, on a 100^3 grid at 1 mm whose
// first voxel centre is (-49.5, -49.5, -49.5) mm: 10^8 seed-voxel pairs. Run:
//   build/bench/seedplan_bench_dosimetry
// BM_DoseCommand times the whole `seedplan dose` process (start, source loading, kernel, grid,
// .mha writing); its budget is 0.5 s on the project's 2-core machine.

#include "seedplan/dosimetry/DoseCalculator.h"
#include "seedplan/dosimetry/DoseMetrics.h"
#include "seedplan/dosimetry/DvhCalculator.h"
#include "seedplan/dosimetry/PermanentImplantDecay.h"
#include "seedplan/dosimetry/SourceLibrary.h"

#include <benchmark/benchmark.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sys/resource.h>

namespace {

using namespace seedplan;
using namespace seedplan::dosimetry;

constexpr double kPairs = 100.0 * 100 * 100 * 100;

std::vector<Seed> ReferenceSeeds() {
  std::vector<Seed> seeds;
  for (double x : {-20, -10, 0, 10, 20}) {
    for (double y : {-20, -10, 0, 10, 20}) {
      for (double z : {-15, -5, 5, 15}) {
        Seed seed;
        seed.positionMm = {x, y, z};
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

void ReportPeakMemory(benchmark::State& state) {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  state.counters["peak_rss_MB"] = double(usage.ru_maxrss) / 1024.0;
}

/// The grid alone (kernel built once beforehand), SIMD path when the CPU has AVX2.
void BM_DoseGrid100Seeds(benchmark::State& state) {
  DoseCalculationOptions options;
  options.useSimd = state.range(0) != 0;
  const DoseCalculator calculator(Model6711(), options);
  const auto seeds = ReferenceSeeds();
  const auto grid = ReferenceGrid();
  calculator.DoseRateGridCGyPerH(grid, seeds); // builds the kernel
  for (auto _ : state) {
    auto dose = calculator.DoseRateGridCGyPerH(grid, seeds);
    benchmark::DoNotOptimize(dose.Data().data());
  }
  state.counters["ns_per_seed_voxel_pair"] = benchmark::Counter(
      kPairs / 1e9, benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
  ReportPeakMemory(state);
}
BENCHMARK(BM_DoseGrid100Seeds)
    ->Arg(1)
    ->Arg(0)
    ->ArgName("simd")
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

/// Tabulating the 2D kernel of one model (done once per model and formalism per run).
void BM_KernelTabulation(benchmark::State& state) {
  const auto model = Model6711();
  for (auto _ : state) {
    DoseRateKernel kernel(*model, Formalism::Line2D, 10.0);
    benchmark::DoNotOptimize(kernel.Table());
  }
}
BENCHMARK(BM_KernelTabulation)->Unit(benchmark::kMillisecond)->UseRealTime();

/// The whole `seedplan dose` command on the reference case, as a user runs it.
void BM_DoseCommand(benchmark::State& state) {
  const auto folder = std::filesystem::temp_directory_path() / "seedplan-bench";
  std::filesystem::create_directories(folder);
  {
    std::ofstream seeds(folder / "seeds.csv");
    seeds << "x_mm,y_mm,z_mm,dir_x,dir_y,dir_z,strength_U\n";
    for (const Seed& seed : ReferenceSeeds()) {
      seeds << seed.positionMm.x() << ',' << seed.positionMm.y() << ',' << seed.positionMm.z()
            << ",0,0,1,0.5\n";
    }
  }
  const std::string command = std::string(SEEDPLAN_EXECUTABLE) + " dose --seeds " +
                              (folder / "seeds.csv").string() +
                              " --model 6711 --grid-origin -49.5,-49.5,-49.5 --grid-size "
                              "100,100,100 --grid-spacing 1,1,1 --out " +
                              (folder / "dose.mha").string() + " > /dev/null";
  for (auto _ : state) {
    if (std::system(command.c_str()) != 0) {
      state.SkipWithError("seedplan dose failed");
      break;
    }
  }
  rusage children{};
  getrusage(RUSAGE_CHILDREN, &children);
  state.counters["child_peak_rss_MB"] = double(children.ru_maxrss) / 1024.0;
  std::filesystem::remove_all(folder);
}
BENCHMARK(BM_DoseCommand)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(10);

/// DVH of a 3 cm lesion (0.5 mm mask, 14 cc) on the reference dose grid.
void BM_DvhOf3cmLesion(benchmark::State& state) {
  const DoseCalculator calculator(Model6711(), {});
  auto dose = calculator.DoseRateGridCGyPerH(ReferenceGrid(), ReferenceSeeds());
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
