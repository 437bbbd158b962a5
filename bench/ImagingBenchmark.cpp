// Speed of seed detection and registration on clinical-size CTs. Run:
//   build/bench/seedplan_bench_imaging

#include "seedplan/imaging/PostImplantPhantom.h"
#include "seedplan/imaging/RigidRegistration.h"
#include "seedplan/imaging/SeedDetector.h"
#include "seedplan/imaging/SeedRenderer.h"
#include "seedplan/imaging/ThoraxPhantom.h"

#include <benchmark/benchmark.h>

#include <random>

namespace {

using namespace seedplan;
using namespace seedplan::imaging;

/// 100 seeds at random positions and orientations, >= 10 mm apart, in a 512 x 512 x 200 CT of
/// 0.8 x 0.8 x 1.25 mm (a clinical post-implant scan; the benchmark: <= 3 s on 2 cores),
/// on soft tissue with noise and streaks.
void BM_SeedDetection(benchmark::State& state) {
  const GridGeometry geometry({-204.4, -204.4, -124.375}, {0.8, 0.8, 1.25}, {512, 512, 200});
  std::mt19937 random(7);
  std::uniform_real_distribution<double> position(-90.0, 90.0);
  std::normal_distribution<double> gauss;
  std::vector<Seed> seeds;
  while (seeds.size() < 100) {
    Seed seed;
    seed.positionMm = {position(random), position(random), 0.9 * position(random)};
    bool apart = true;
    for (const Seed& other : seeds) {
      apart = apart && (other.positionMm - seed.positionMm).norm() >= 10.0;
    }
    if (!apart) {
      continue;
    }
    seed.direction = Eigen::Vector3d(gauss(random), gauss(random), gauss(random)).normalized();
    seed.strengthU = 0.7;
    seeds.push_back(seed);
  }
  Volume<short> ct(geometry, 40);
  SeedRenderer::Render(ct, seeds, {});
  const SeedDetectionOptions options;
  for (auto _ : state) {
    const auto report = SeedDetector::Detect(ct, options);
    benchmark::DoNotOptimize(report.seeds.data());
    state.counters["seeds_found"] = static_cast<double>(report.seeds.size());
  }
}
BENCHMARK(BM_SeedDetection)->Unit(benchmark::kMillisecond)->UseRealTime()->Iterations(3);

/// The sample patient's post-implant CT registered to its planning CT.
void BM_RigidRegistrationOfTheSamplePatient(benchmark::State& state) {
  const PhantomCase planning = ThoraxPhantom::Generate();
  const PostImplantScan post = PostImplantPhantom::Generate(
      planning, PostImplantPhantom::DeviatedSeeds(planning.sampleSeeds));
  for (auto _ : state) {
    const auto result = RigidRegistration::Register(planning.ct, post.ct);
    benchmark::DoNotOptimize(result.residualMm);
  }
}
BENCHMARK(BM_RigidRegistrationOfTheSamplePatient)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime()
    ->Iterations(2);

} // namespace

BENCHMARK_MAIN();
