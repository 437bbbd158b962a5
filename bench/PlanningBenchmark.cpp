// Speed of seed-loading optimisation (issue 4: a 3 cm lesion plans in at most 5 s and a 6 cm
// lesion in at most 30 s on the project's 2-core machine). The case: a spherical lesion of the
// given diameter in water on a 1 mm mask, parallel needles along +z on a 10 mm square lattice
// through its centre, a candidate every 5 mm inside the lesion, 6711 seeds of 0.5 mCi
// (S_K = 0.635 U), Rx 120 Gy (D90 >= Rx, V100 >= 95 %). Timed: influence matrix (sampling and
// dose) + optimisation; the exact check is not timed. Run:
//   build/bench/seedplan_bench_planning

#include "seedplan/dosimetry/SourceLibrary.h"
#include "seedplan/planning/DoseInfluenceMatrix.h"
#include "seedplan/planning/LoadingOptimizer.h"

#include <benchmark/benchmark.h>

#include <cmath>
#include <sys/resource.h>

namespace {

using namespace seedplan;
using namespace seedplan::planning;

constexpr double kRxGy = 120.0;
constexpr double kStrengthU = 0.5 * 1.270;
constexpr double kNeedleSpacingMm = 10.0;
constexpr double kSeedSpacingMm = 5.0;

const dosimetry::SourceLibrary& Library() {
  static const dosimetry::SourceLibrary library(SEEDPLAN_SOURCES_DIR);
  return library;
}

Mask SphereMask(double radiusMm) {
  const std::int64_t n = 2 * static_cast<std::int64_t>(std::ceil(radiusMm + 1.0));
  const double half = 0.5 * double(n - 1);
  Mask mask(GridGeometry(Eigen::Vector3d::Constant(-half), Eigen::Vector3d::Ones(), {n, n, n}), 0);
  for (std::int64_t k = 0; k < n; ++k) {
    for (std::int64_t j = 0; j < n; ++j) {
      for (std::int64_t i = 0; i < n; ++i) {
        const Eigen::Vector3d p(double(i) - half, double(j) - half, double(k) - half);
        mask.At(i, j, k) = p.norm() <= radiusMm ? 1 : 0;
      }
    }
  }
  return mask;
}

std::vector<Seed> Candidates(double radiusMm) {
  const int needles = static_cast<int>(std::floor(radiusMm / kNeedleSpacingMm));
  const int seeds = static_cast<int>(std::floor(radiusMm / kSeedSpacingMm));
  std::vector<Seed> candidates;
  for (int a = -needles; a <= needles; ++a) {
    for (int b = -needles; b <= needles; ++b) {
      for (int s = -seeds; s <= seeds; ++s) {
        const Eigen::Vector3d p(a * kNeedleSpacingMm, b * kNeedleSpacingMm, s * kSeedSpacingMm);
        if (p.norm() <= radiusMm) {
          Seed seed;
          seed.positionMm = p;
          seed.direction = Eigen::Vector3d::UnitZ();
          candidates.push_back(seed);
        }
      }
    }
  }
  return candidates;
}

void BM_PlanSphericalLesion(benchmark::State& state) {
  const double diameterMm = double(state.range(0));
  const Mask target = SphereMask(0.5 * diameterMm);
  const std::vector<Seed> candidates = Candidates(0.5 * diameterMm);
  DoseInfluenceOptions options;
  options.strengthU = kStrengthU;
  LoadingGoals goals;
  goals.prescriptionGy = kRxGy;
  Library().Load(options.modelId);
  LoadingResult result;
  double matrixSeconds = 0.0;
  std::size_t points = 0;
  double memoryMb = 0.0;
  for (auto _ : state) {
    const auto matrix =
        DoseInfluenceMatrix::Compute(target, {}, candidates, {}, Library(), options);
    result = LoadingOptimizer(matrix, goals, {}).Optimize();
    matrixSeconds = matrix.ComputeSeconds();
    points = matrix.PointCount();
    memoryMb = double(matrix.MemoryBytes()) / (1024.0 * 1024.0);
    benchmark::DoNotOptimize(result.seeds.data());
  }
  state.counters["candidates"] = double(candidates.size());
  state.counters["points"] = double(points);
  state.counters["matrix_MB"] = memoryMb;
  state.counters["matrix_s"] = matrixSeconds;
  state.counters["optimise_s"] = result.seconds;
  state.counters["seeds"] = double(result.seeds.size());
  state.counters["D90_Gy"] = result.predicted.target.D90Gy;
  state.counters["V100_pct"] = result.predicted.target.V100Pct;
  state.counters["V150_pct"] = result.predicted.target.V150Pct;
  state.counters["V200_pct"] = result.predicted.target.V200Pct;
  state.counters["greedy"] = result.greedyAdditions;
  state.counters["removals"] = result.removals;
  state.counters["swaps"] = result.swaps;
  state.counters["feasible"] = result.predicted.feasible ? 1.0 : 0.0;
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  state.counters["peak_rss_MB"] = double(usage.ru_maxrss) / 1024.0;
}
BENCHMARK(BM_PlanSphericalLesion)
    ->Arg(30)
    ->Arg(60)
    ->ArgName("diameter_mm")
    ->Unit(benchmark::kSecond)
    ->UseRealTime()
    ->Iterations(1);

} // namespace

BENCHMARK_MAIN();
