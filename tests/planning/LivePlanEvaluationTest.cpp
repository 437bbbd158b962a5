// Drift test of LivePlanEvaluation (issue 14) on the sample patient written by the project's
// generator (~2 s once per suite) with its committed sample implant (19 seeds of 6711): a long
// random sequence of edits (small drags and larger moves, additions, deletions, a seed's strength,
// every seed's strength at once) with the edited lesion's metrics asked for after every step and
// every structure's now and then (so that the kept samples are updated step by step and with
// several steps merged), compared at checkpoints with a fresh PlanEvaluator::Evaluate of the
// edited plan: every metric of every structure, to the 0.01 %; the window's copy of the
// dose grid, refreshed by the changed voxels only, equals the grid bit for bit. ~20 s.

#include "seedplan/planning/LivePlanEvaluation.h"
#include "FreshEvaluationCheck.h"
#include "SampleImplant.h"
#include "seedplan/planning/PlanEvaluator.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <memory>
#include <random>

namespace seedplan::planning {
namespace {

namespace fs = std::filesystem;

class LivePlanEvaluationOnTheSamplePatient : public ::testing::Test {
protected:
  static void SetUpTestSuite() { s_Sample = std::make_unique<test::SampleImplant>(); }
  static void TearDownTestSuite() { s_Sample.reset(); }

  static void ExpectEqualToFreshEvaluation(LivePlanEvaluation& live, int step) {
    test::ExpectEqualToFreshEvaluation(*s_Sample, live.CurrentPlan(), live.EvaluateAll(),
                                       "after step " + std::to_string(step));
  }

  inline static std::unique_ptr<test::SampleImplant> s_Sample;
};

TEST_F(LivePlanEvaluationOnTheSamplePatient, TwoHundredRandomEditsDoNotDriftFromAFreshEvaluation) {
  LivePlanEvaluation live(s_Sample->plan, s_Sample->structures, s_Sample->ct.hu.Geometry(),
                          s_Sample->library);
  const std::string lesion = s_Sample->plan.targets.front().structureName;
  const Eigen::Vector3d centre = test::InsideCentreMm(s_Sample->structures.Find(lesion)->mask);
  live.EvaluateAll(); // every structure's samples kept from here on
  Volume<float> windowCopy = live.DoseGy();
  std::mt19937 random(20261207);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  std::uniform_int_distribution<int> kind(0, 19);
  auto randomVector = [&](double size) {
    return Eigen::Vector3d(size * unit(random), size * unit(random), size * unit(random));
  };
  constexpr int kSteps = 200;
  for (int step = 1; step <= kSteps; ++step) {
    const std::vector<Seed>& seeds = live.CurrentPlan().seeds;
    std::uniform_int_distribution<std::size_t> pick(0, seeds.size() - 1);
    const int what = kind(random);
    if (step == 100) { // every seed's strength at once (one step of many seeds)
      std::vector<Seed> stronger = seeds;
      for (Seed& seed : stronger) {
        seed.strengthU *= 1.05;
      }
      const std::vector<Seed> before = seeds;
      live.ChangeSeeds(stronger, before, stronger);
    } else if (what < 12) { // a drag step
      const std::size_t index = pick(random);
      Seed moved = seeds[index];
      moved.positionMm += randomVector(0.5);
      live.ReplaceSeed(index, moved);
    } else if (what < 15) { // a larger move, kept near the lesion
      const std::size_t index = pick(random);
      Seed moved = seeds[index];
      moved.positionMm += randomVector(5.0);
      if ((moved.positionMm - centre).norm() > 25.0) {
        moved.positionMm = centre + randomVector(8.0);
      }
      live.ReplaceSeed(index, moved);
    } else if (what < 17 || seeds.size() < 12) { // an addition
      Seed added = seeds[pick(random)];
      added.positionMm = centre + randomVector(12.0);
      live.AddSeed(added);
    } else if (what < 19) { // a deletion
      live.RemoveSeed(pick(random));
    } else { // one seed's strength
      const std::size_t index = pick(random);
      Seed changed = seeds[index];
      changed.strengthU *= 1.0 + 0.3 * unit(random);
      live.ReplaceSeed(index, changed);
    }
    live.Metrics(lesion);
    if (step % 3 != 0) {
      live.CopyDoseChangesInto(windowCopy); // the window's copy of the grid, as it refreshes
    }
    if (step % 15 == 0) {
      live.EvaluateAll();
    }
    if (step == 70 || step == 140 || step == kSteps) {
      live.CopyDoseChangesInto(windowCopy);
      ASSERT_TRUE(windowCopy.Data() == live.DoseGy().Data()) << "the copy after step " << step;
      ExpectEqualToFreshEvaluation(live, step);
    }
  }
}

} // namespace
} // namespace seedplan::planning
