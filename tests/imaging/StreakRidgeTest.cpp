#include "SeedScenes.h"
#include "StreakRays.h"

#include "seedplan/imaging/SeedDetector.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace seedplan::imaging::testing {
namespace {

/// Draws of the scene (each ~2 s of CPU).
constexpr int kDraws = 2;
/// Without the count: at most this many false seeds per scan of 10 (the issue allows 2 % over
/// its matrix; one is a share of 10 a single doubtful fit may take).
constexpr int kMaxFalseWithoutCount = 1;

struct StreakScan {
  TestScan scan;
  Volume<short> ct;
};

/// Ten isolated seeds of weakly attenuating metal (8 000 HU: they stand ~1 500 HU above soft
/// tissue in 2 mm slices) whose rays, 400 HU at their start, cross between them into ridges of
/// 200-800 HU, 2-6 mm wide and tens of mm long: as bright as a seed's faintest appearance (one
/// lying in the slice of a thick scan) but not compact.
StreakScan MakeStreakScan(unsigned draw) {
  std::mt19937 random(900u + draw);
  SceneRecipe recipe;
  recipe.isolatedSeeds = 10;
  ScannerModel scanner;
  scanner.metalHu = 8000.0;
  scanner.inPlaneSigmaMm = 0.5;
  scanner.sliceThicknessMm = 2.0;
  scanner.streakHu = 0.0; // the rays below instead
  scanner.noiseSigmaHu = 15.0;
  scanner.randomSeed = 31u + draw;
  StreakScan result{MakeScan(Eigen::Vector3d(80.0, 80.0, 40.0), 0.7, 2.0, recipe, scanner, random),
                    {}};
  result.ct = ScannerSimulator::Scan(result.scan.geometry, result.scan.scene, result.scan.scanner);
  StreakRays rays;
  rays.AddTo(result.ct, result.scan.scene, scanner.sliceThicknessMm, random);
  return result;
}

std::string Misses(const std::vector<std::string>& misses) {
  std::string text;
  for (const std::string& miss : misses) {
    text += "\n  " + miss;
  }
  return text;
}

} // namespace

// Streak rays and their crossings are ridges that run on beyond any capsule fitted to them; a
// seed's excess falls to the tissue within the blur. Capsules fitted to ridges are not seeds
// (StreakRidge), and with the expected count the ten seeds are returned, not ridge tiles (issue
// 11: "streaks up to 600 HU" must make no false seeds). Before StreakRidge: 2 and 7 false seeds
// without the count, 2 and 6 seeds missed with it (ridge tiles kept instead).
TEST(SeedDetection, StreakRaysBetweenFaintSeedsAreNotTakenForSeeds) {
  for (int draw = 0; draw < kDraws; ++draw) {
    const StreakScan made = MakeStreakScan(static_cast<unsigned>(draw));
    const std::vector<double> contrasts = Contrasts(made.scan);
    SeedDetectionOptions options;
    std::vector<std::string> misses;
    const Score free =
        ScoreDetection(made.scan, contrasts, SeedDetector::Detect(made.ct, options).seeds, &misses);
    EXPECT_EQ(free.found, free.seeds)
        << "draw " << draw << ": " << free.Describe() << Misses(misses);
    EXPECT_LE(free.falseSeeds, kMaxFalseWithoutCount)
        << "draw " << draw << ": " << free.Describe() << Misses(misses);
    misses.clear();
    options.expectedCount = static_cast<int>(made.scan.scene.seeds.size());
    const Score counted =
        ScoreDetection(made.scan, contrasts, SeedDetector::Detect(made.ct, options).seeds, &misses);
    EXPECT_EQ(counted.found, counted.seeds)
        << "draw " << draw << ": " << counted.Describe() << Misses(misses);
    EXPECT_EQ(counted.falseSeeds, 0)
        << "draw " << draw << ": " << counted.Describe() << Misses(misses);
  }
}

} // namespace seedplan::imaging::testing
