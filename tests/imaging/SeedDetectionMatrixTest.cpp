// The issue's acceptance matrix for seed detection on scans of other scanners (issue 11), made by
// ScannerSimulator (tests/imaging), which shares no code with SeedRenderer or the detector's
// model: each axis of the matrix varied from a reference scan, and scans with every parameter
// drawn at random within the matrix. The acceptance runs (DISABLED_, run with
// --gtest_also_run_disabled_tests) print the figures per cell, per axis and overall; CI runs one
// fixed cell of every axis and a few fixed scans of SeedRenderer's scanner.
// SEEDPLAN_MATRIX_DRAWS overrides the draws per cell, SEEDPLAN_MATRIX_CELL runs only cells whose
// name contains it, SEEDPLAN_MATRIX_VERBOSE=1 prints every miss.

#include "ScannerSimulator.h"
#include "SeedScenes.h"

#include "seedplan/imaging/SeedDetector.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace seedplan::imaging::testing {
namespace {

// The issue's acceptance: with the expected count >= 98 % found and <= 1 % false; without it
// >= 95 % and <= 2 %.
constexpr double kMinFoundWithCount = 0.98;
constexpr double kMaxFalseWithCount = 0.01;
constexpr double kMinFoundWithoutCount = 0.95;
constexpr double kMaxFalseWithoutCount = 0.02;
/// The scanned box (mm): room for 16 seeds 9 mm apart and the blur's reach.
const Eigen::Vector3d kScanSizeMm(64.0, 64.0, 48.0);

struct Cell {
  std::string axis;
  std::string name;
  ScannerModel scanner;
  SceneRecipe recipe;
  double pixelMm = 0.8;
  double sliceSpacingMm = 2.0;
};

Cell Reference() {
  Cell cell;
  cell.axis = "reference";
  cell.name = "reference";
  cell.scanner.metalHu = 30000.0;
  cell.scanner.inPlaneSigmaMm = 0.5;
  cell.scanner.sliceThicknessMm = 2.0;
  cell.scanner.sliceEdgeSigmaMm = 0.25;
  cell.scanner.streakHu = 300.0;
  cell.scanner.noiseSigmaHu = 15.0;
  cell.recipe.isolatedSeeds = 8;
  cell.recipe.sideBySidePairs = 1;
  cell.recipe.endToEndPairs = 1;
  cell.recipe.clustersOfFour = 1;
  cell.recipe.lung = true;
  return cell;
}

std::string Number(double value) {
  char text[32];
  std::snprintf(text, sizeof text, "%g", value);
  return text;
}

/// One axis at a time from the reference.
std::vector<Cell> MatrixCells() {
  std::vector<Cell> cells;
  const auto add = [&](const std::string& axis, const std::string& name, auto change) {
    Cell cell = Reference();
    cell.axis = axis;
    cell.name = name.empty() ? axis : axis + " " + name;
    change(cell);
    cells.push_back(cell);
  };
  cells.push_back(Reference());
  for (double metal : {8000.0, 15000.0, 25000.0, 50000.0, 100000.0}) {
    add("attenuation", Number(metal) + " HU", [&](Cell& c) { c.scanner.metalHu = metal; });
  }
  for (double sigma : {0.3, 0.5, 0.7, 1.0}) {
    add("in-plane sigma", Number(sigma) + " mm",
        [&](Cell& c) { c.scanner.inPlaneSigmaMm = sigma; });
  }
  for (double thickness : {1.0, 2.0, 3.0, 5.0}) {
    add("slices", Number(thickness) + " mm", [&](Cell& c) {
      c.scanner.sliceThicknessMm = thickness;
      c.sliceSpacingMm = thickness;
    });
  }
  for (auto [thickness, spacing] :
       {std::pair{2.0, 1.0}, std::pair{3.0, 1.5}, std::pair{5.0, 2.5}, std::pair{5.0, 3.0}}) {
    add("slices", Number(thickness) + " mm every " + Number(spacing) + " mm", [&](Cell& c) {
      c.scanner.sliceThicknessMm = thickness;
      c.sliceSpacingMm = spacing;
    });
  }
  const std::pair<HuScale, const char*> scales[] = {
      {HuScale::TwelveBit, "12-bit"},
      {HuScale::SignedIntercept1024, "int16 -1024"},
      {HuScale::UnsignedIntercept8192, "uint16 -8192"},
      {HuScale::Slope10, "slope 10"}};
  for (const auto& [scale, name] : scales) {
    for (double metal : {15000.0, 50000.0}) {
      add("HU scale", std::string(name) + " metal " + Number(metal), [&](Cell& c) {
        c.scanner.scale = scale;
        c.scanner.metalHu = metal;
      });
    }
  }
  for (double cap : {1200.0, 1600.0, 2000.0, 2500.0}) {
    for (bool hard : {false, true}) {
      add("MAR", Number(cap) + (hard ? " HU hard" : " HU soft"), [&](Cell& c) {
        c.scanner.marCapHu = cap;
        c.scanner.marHardCap = hard;
      });
    }
  }
  for (double streak : {0.0, 300.0, 600.0}) {
    add("streaks", Number(streak) + " HU", [&](Cell& c) { c.scanner.streakHu = streak; });
  }
  add("streaks", "600 HU unscaled, metal 15000", [&](Cell& c) {
    c.scanner.streakHu = 600.0;
    c.scanner.streaksScaleWithMetal = false;
    c.scanner.metalHu = 15000.0;
  });
  for (double bone : {1200.0, 1600.0, 1900.0}) {
    add("bone near seeds", Number(bone) + " HU, streaks 600", [&](Cell& c) {
      c.recipe.boneHu = bone;
      c.scanner.streakHu = 600.0;
    });
  }
  add("bone near seeds", "1900 HU shell, MAR 2500", [&](Cell& c) {
    c.recipe.boneHu = 1900.0;
    c.recipe.boneShell = true;
    c.scanner.marCapHu = 2500.0;
  });
  add("bone near seeds", "1500 HU, MAR 1200, seeds 4 mm away", [&](Cell& c) {
    c.recipe.boneHu = 1500.0;
    c.recipe.boneClearanceMm = 4.0;
    c.scanner.marCapHu = 1200.0;
  });
  for (auto [low, high] : {std::pair{1.0, 1.2}, std::pair{1.2, 1.4}, std::pair{1.4, 1.6}}) {
    add("side by side pairs", Number(low) + "-" + Number(high) + " mm", [&](Cell& c) {
      c.recipe.isolatedSeeds = 4;
      c.recipe.sideBySidePairs = 4;
      c.recipe.endToEndPairs = 0;
      c.recipe.clustersOfFour = 0;
      c.recipe.sideBySideMinMm = low;
      c.recipe.sideBySideMaxMm = high;
    });
  }
  add("end to end pairs", "", [&](Cell& c) {
    c.recipe.isolatedSeeds = 4;
    c.recipe.sideBySidePairs = 0;
    c.recipe.endToEndPairs = 4;
    c.recipe.clustersOfFour = 0;
  });
  add("clusters of 4", "", [&](Cell& c) {
    c.recipe.isolatedSeeds = 4;
    c.recipe.sideBySidePairs = 0;
    c.recipe.endToEndPairs = 0;
    c.recipe.clustersOfFour = 3;
  });
  return cells;
}

/// Every parameter at random within the matrix.
Cell RandomCell(std::mt19937& random, int index) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  Cell cell = Reference();
  cell.axis = "random";
  cell.name = "random " + std::to_string(index);
  ScannerModel& s = cell.scanner;
  s.metalHu = 8000.0 * std::pow(100000.0 / 8000.0, unit(random));
  s.inPlaneSigmaMm = 0.3 + 0.7 * unit(random);
  s.sliceThicknessMm = 1.0 + 4.0 * unit(random);
  cell.sliceSpacingMm =
      unit(random) < 0.6 ? s.sliceThicknessMm : s.sliceThicknessMm * (0.5 + 0.3 * unit(random));
  s.sliceEdgeSigmaMm = 0.05 + 0.5 * unit(random);
  cell.pixelMm = 0.5 + 0.5 * unit(random);
  s.scale = static_cast<HuScale>(static_cast<int>(unit(random) * 4.0) % 4);
  s.streakHu = 600.0 * unit(random);
  s.noiseSigmaHu = 5.0 + 25.0 * unit(random);
  s.correlatedNoise = unit(random) < 0.7;
  if (unit(random) < 0.3) {
    s.marCapHu = 1200.0 + 1300.0 * unit(random);
    s.marHardCap = unit(random) < 0.3;
  }
  SceneRecipe& r = cell.recipe;
  r.isolatedSeeds = 6 + static_cast<int>(4.0 * unit(random));
  r.sideBySidePairs = unit(random) < 0.6 ? 1 : 0;
  r.endToEndPairs = unit(random) < 0.5 ? 1 : 0;
  r.clustersOfFour = unit(random) < 0.4 ? 1 : 0;
  r.lung = unit(random) < 0.5;
  if (unit(random) < 0.4) {
    r.boneHu = 1200.0 + 700.0 * unit(random);
    r.boneShell = unit(random) < 0.5;
    // A compressed seed darker than the bone beside it is the case the issue leaves out.
    if (s.marCapHu && *s.marCapHu < *r.boneHu + 300.0) {
      r.boneClearanceMm = 4.0;
    }
  }
  return cell;
}

struct CellResult {
  Score withCount;
  Score withoutCount;
  double seconds = 0.0;
};

int EnvInt(const char* name, int fallback) {
  const char* value = std::getenv(name);
  return value != nullptr ? std::atoi(value) : fallback;
}

bool Verbose() {
  return EnvInt("SEEDPLAN_MATRIX_VERBOSE", 0) != 0;
}

CellResult RunCell(const Cell& cell, int draws, unsigned randomSeed) {
  CellResult result;
  std::mt19937 random(randomSeed);
  for (int draw = 0; draw < draws; ++draw) {
    ScannerModel scanner = cell.scanner;
    scanner.randomSeed = randomSeed * 31u + static_cast<unsigned>(draw);
    const TestScan scan =
        MakeScan(kScanSizeMm, cell.pixelMm, cell.sliceSpacingMm, cell.recipe, scanner, random);
    const Volume<short> ct = ScannerSimulator::Scan(scan.geometry, scan.scene, scan.scanner);
    const std::vector<double> contrasts = Contrasts(scan);
    const auto start = std::chrono::steady_clock::now();
    SeedDetectionOptions options;
    const SeedDetectionReport without = SeedDetector::Detect(ct, options);
    options.expectedCount = static_cast<int>(scan.scene.seeds.size());
    const SeedDetectionReport with = SeedDetector::Detect(ct, options);
    result.seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::vector<std::string> missesWith;
    std::vector<std::string> missesWithout;
    const Score scoreWith = ScoreDetection(scan, contrasts, with.seeds, &missesWith);
    const Score scoreWithout = ScoreDetection(scan, contrasts, without.seeds, &missesWithout);
    result.withCount.Add(scoreWith);
    result.withoutCount.Add(scoreWithout);
    if (Verbose() && (!missesWith.empty() || !missesWithout.empty())) {
      std::printf("[ details  ] %s draw %d: %s\n", cell.name.c_str(), draw,
                  ScannerSimulator::Describe(scanner).c_str());
      for (const std::string& line : with.notes) {
        std::printf("[ details  ]   note: %s\n", line.c_str());
      }
      for (const std::string& miss : missesWith) {
        std::printf("[ details  ]   with count: %s\n", miss.c_str());
      }
      for (const std::string& miss : missesWithout) {
        std::printf("[ details  ]   without: %s\n", miss.c_str());
      }
    }
  }
  return result;
}

struct MatrixTotals {
  Score withCount;
  Score withoutCount;
};

/// The matrix's cells (those named in `subset` when it is not empty), each `draws` times, and
/// randomCells scanners with every parameter at random, once each.
MatrixTotals RunMatrix(int draws, int randomCells, const std::vector<std::string>& subset = {}) {
  const char* only = std::getenv("SEEDPLAN_MATRIX_CELL");
  std::vector<Cell> cells = MatrixCells();
  std::mt19937 random(2024u);
  for (int n = 0; n < randomCells; ++n) {
    cells.push_back(RandomCell(random, n));
  }
  std::map<std::string, CellResult> byAxis;
  std::vector<std::string> axisOrder;
  MatrixTotals totals;
  double seconds = 0.0;
  unsigned seed = 100u;
  for (const Cell& cell : cells) {
    ++seed;
    // Cells left out still count in the random seeds: a cell's scans are the same whichever
    // cells run.
    if ((only != nullptr && cell.name.find(only) == std::string::npos) ||
        (!subset.empty() && std::find(subset.begin(), subset.end(), cell.name) == subset.end())) {
      continue;
    }
    const CellResult result = RunCell(cell, cell.axis == "random" ? 1 : draws, seed);
    seconds += result.seconds;
    std::printf("[ cell     ] %-44s with count %s | without %s\n", cell.name.c_str(),
                result.withCount.Describe().c_str(), result.withoutCount.Describe().c_str());
    if (!byAxis.contains(cell.axis)) {
      axisOrder.push_back(cell.axis);
    }
    byAxis[cell.axis].withCount.Add(result.withCount);
    byAxis[cell.axis].withoutCount.Add(result.withoutCount);
    totals.withCount.Add(result.withCount);
    totals.withoutCount.Add(result.withoutCount);
  }
  for (const std::string& axis : axisOrder) {
    std::printf("[ axis     ] %-20s with count %s\n", axis.c_str(),
                byAxis[axis].withCount.Describe().c_str());
    std::printf("[ axis     ] %-20s without    %s\n", "",
                byAxis[axis].withoutCount.Describe().c_str());
  }
  std::printf("[ matrix   ] all cells: with count %s\n", totals.withCount.Describe().c_str());
  std::printf("[ matrix   ] all cells: without    %s\n", totals.withoutCount.Describe().c_str());
  std::printf("[ matrix   ] detection time %.1f s\n", seconds);
  return totals;
}

void ExpectAcceptance(const MatrixTotals& totals) {
  EXPECT_GE(totals.withCount.FoundShare(), kMinFoundWithCount);
  EXPECT_LE(totals.withCount.FalseShare(), kMaxFalseWithCount);
  EXPECT_GE(totals.withoutCount.FoundShare(), kMinFoundWithoutCount);
  EXPECT_LE(totals.withoutCount.FalseShare(), kMaxFalseWithoutCount);
}

// The issue's acceptance over one draw per cell and 12 random scanners (60 scans, 924 seeds):
// the figures of the issue's closing note. The detector meets it narrowly (with the expected
// count 98.27 % found, 0.97 % false: 9 false seeds for a limit of 9; without it 97.73 % / 1.41 %,
// within the issue's 95 % / 2 %; the first, fixed-threshold detector, since removed, found
// 41.6 %; see README "Learned seed detection"). Run in CI since the learned detector became the
// only one (about 80 s on a quiet machine; the scans and the detector are deterministic).
TEST(SeedDetectionMatrix, EveryAxisOfTheIssuesMatrixMeetsTheAcceptanceOnAnotherScannersScans) {
  ExpectAcceptance(RunMatrix(EnvInt("SEEDPLAN_MATRIX_DRAWS", 1), 12));
}

TEST(SeedDetectionMatrix, DISABLED_FullMatrixWithSeveralDrawsPerCellAndManyRandomScanners) {
  ExpectAcceptance(RunMatrix(EnvInt("SEEDPLAN_MATRIX_DRAWS", 5), 100));
}

// In CI: the first draw of the cells of the scanner SeedRenderer models, for which the project's
// first (fixed-threshold, since removed) detector was designed (metal of ~50 000 HU, thin
// slices, 12-bit or extended scales), made by the independent simulator rather than
// SeedRenderer; with the expected count (as postplan runs it) the acceptance holds on these
// four fixed scans. A regression guard on data another program made, not a claim about the
// cells (other draws of them fell to ~88 % on the first detector).
TEST(SeedDetectionMatrix, ScansLikeTheDetectorsDesignScannerMadeByAnotherProgramMeetTheAcceptance) {
  const MatrixTotals totals =
      RunMatrix(1, 0,
                {"attenuation 50000 HU", "slices 1 mm", "HU scale 12-bit metal 50000",
                 "HU scale slope 10 metal 50000"});
  EXPECT_EQ(totals.withCount.seeds, 64);
  EXPECT_GE(totals.withCount.FoundShare(), kMinFoundWithCount);
  EXPECT_LE(totals.withCount.FalseShare(), kMaxFalseWithCount);
}

/// The learned detector's level on the CI subset below (first draw of each cell): found 97.4 % /
/// false 0 % with the expected count, 97.4 % / 0.65 % without (155 seeds; issue 11, after the
/// background across the slices, the clipped core's margin and blobs kept whole, then no seed
/// added by a crowded fit, which traded 2 found for 1 false here; 92.3 % / 0.6 % when it was
/// ported). The guards sit a few seeds below that level (found 149 of 155, false 3): a
/// regression guard, not the issue's acceptance (98 % and 1 % with the count, 95 % and 2 %
/// without), which the full matrix above measures.
constexpr double kLearnedGuardMinFound = 0.96;
constexpr double kLearnedGuardMaxFalseWithCount = 0.02;
constexpr double kLearnedGuardMaxFalseWithoutCount = 0.02;

// In CI: the learned detector on one fixed cell of every axis of the issue's matrix, each at the
// hard end of its axis (faintest metal, softest kernel, thick slices, an extended scale with
// faint metal, a metal-artefact-reduced image, the strongest streaks, dense bone beside seeds,
// the closest side-by-side pairs, end-to-end pairs, clusters of 4): 155 seeds on scans another
// program made, chosen by axis before measuring, not by result (~25 s of CPU).
TEST(SeedDetectionMatrix, TheLearnedDetectorHoldsItsLevelOnEveryAxisOfTheMatrix) {
  const MatrixTotals totals =
      RunMatrix(1, 0,
                {"attenuation 8000 HU", "in-plane sigma 1 mm", "slices 3 mm",
                 "HU scale uint16 -8192 metal 15000", "MAR 1600 HU soft", "streaks 600 HU",
                 "bone near seeds 1900 HU, streaks 600", "side by side pairs 1-1.2 mm",
                 "end to end pairs", "clusters of 4"});
  EXPECT_GE(totals.withCount.FoundShare(), kLearnedGuardMinFound);
  EXPECT_LE(totals.withCount.FalseShare(), kLearnedGuardMaxFalseWithCount);
  EXPECT_GE(totals.withoutCount.FoundShare(), kLearnedGuardMinFound);
  EXPECT_LE(totals.withoutCount.FalseShare(), kLearnedGuardMaxFalseWithoutCount);
}

// A short lump of metal (a clip or marker 8 mm long, 4 mm thick: the metal of ~40 seeds) is a
// large object by its metal alone, while clusters of 4 touching seeds in 5 mm slices, whose
// summed excess reads as 5-6 seeds (the blur of their neighbours lifts partial-volume voxels
// between them), stay seeds: the fit counts them (issue 11). Three draws (~10 s of CPU).
TEST(SeedDetectionMatrix, AShortHeavyLumpIsALargeObjectAndClustersOfFourInThickSlicesAreSeeds) {
  constexpr int kDraws = 3;
  for (int draw = 0; draw < kDraws; ++draw) {
    std::mt19937 random(500u + static_cast<unsigned>(draw));
    Cell cell = Reference();
    cell.scanner.sliceThicknessMm = 5.0;
    cell.sliceSpacingMm = 3.0;
    cell.scanner.randomSeed = 77u + static_cast<unsigned>(draw);
    cell.recipe.isolatedSeeds = 4;
    cell.recipe.sideBySidePairs = 0;
    cell.recipe.endToEndPairs = 0;
    cell.recipe.clustersOfFour = 2;
    cell.recipe.rod =
        MetalRod{Eigen::Vector3d(-4.0, 0.0, 0.0), Eigen::Vector3d(4.0, 0.0, 0.0), 2.0};
    const TestScan scan =
        MakeScan(kScanSizeMm, cell.pixelMm, cell.sliceSpacingMm, cell.recipe, cell.scanner, random);
    const Volume<short> ct = ScannerSimulator::Scan(scan.geometry, scan.scene, scan.scanner);
    SeedDetectionOptions options;
    options.expectedCount = static_cast<int>(scan.scene.seeds.size());
    const SeedDetectionReport report = SeedDetector::Detect(ct, options);
    ASSERT_EQ(report.excludedObjects.size(), 1u) << "draw " << draw;
    const ExcludedMetalObject& object = report.excludedObjects.front();
    EXPECT_LT(object.lowMm.x(), -3.0) << "draw " << draw;
    EXPECT_GT(object.highMm.x(), 3.0) << "draw " << draw;
    EXPECT_GT(object.seedEquivalents, 5.0) << "draw " << draw;
    // No seed inside the lump; the clusters' seeds reported (a cluster taken for an object
    // loses all 4). Their positions in 5 mm slices are the matrix's "slices" axis; here one seed
    // may fall outside the 2 mm tolerance per scan.
    for (const Seed& seed : report.seeds) {
      EXPECT_GT(seed.positionMm.norm(), 6.0) << "draw " << draw;
    }
    const Score score = ScoreDetection(scan, Contrasts(scan), report.seeds, nullptr);
    EXPECT_GE(report.seeds.size() + 1, scan.scene.seeds.size()) << "draw " << draw;
    EXPECT_GE(score.found + 2, score.seeds) << "draw " << draw;
  }
}

// Asked for one seed more than the scan shows (12 lone seeds in 3 mm slices every 2 and 3 mm,
// where a lone seed's misfit is large enough that the fit with two seeds saves more than a seed's
// penalty), the learned detector does not cut a lone seed in two to reach the count: it reports
// the seeds it sees and the mismatch (issue 11: a split seed is a false seed and moves the dose).
// Without that rule, draws 0 (2 mm) and 7 (3 mm) split a seed. In 5 mm slices it still can (a
// seed's halves across the thick slice need no crowding; README). Eight draws (~10 s of CPU).
TEST(SeedDetectionMatrix, AnExpectedCountAboveTheSeedsShownSplitsNoLoneSeedInTwo) {
  constexpr int kDraws = 8;
  for (int draw = 0; draw < kDraws; ++draw) {
    std::mt19937 random(600u + static_cast<unsigned>(draw));
    Cell cell = Reference();
    cell.scanner.sliceThicknessMm = 3.0;
    cell.sliceSpacingMm = draw < kDraws / 2 ? 2.0 : 3.0;
    cell.scanner.randomSeed = 91u + static_cast<unsigned>(draw);
    cell.recipe.isolatedSeeds = 12;
    cell.recipe.sideBySidePairs = 0;
    cell.recipe.endToEndPairs = 0;
    cell.recipe.clustersOfFour = 0;
    const TestScan scan =
        MakeScan(kScanSizeMm, cell.pixelMm, cell.sliceSpacingMm, cell.recipe, cell.scanner, random);
    const Volume<short> ct = ScannerSimulator::Scan(scan.geometry, scan.scene, scan.scanner);
    SeedDetectionOptions options;
    options.expectedCount = static_cast<int>(scan.scene.seeds.size()) + 1;
    const SeedDetectionReport report = SeedDetector::Detect(ct, options);
    const Score score = ScoreDetection(scan, Contrasts(scan), report.seeds, nullptr);
    EXPECT_EQ(score.found, score.seeds) << "draw " << draw;
    EXPECT_EQ(score.falseSeeds, 0) << "draw " << draw;
    for (std::size_t a = 0; a < report.seeds.size(); ++a) {
      for (std::size_t b = a + 1; b < report.seeds.size(); ++b) {
        // Solid seeds of 0.8 mm diameter: centres closer than that are one seed reported twice.
        EXPECT_GT((report.seeds[a].positionMm - report.seeds[b].positionMm).norm(), 0.8)
            << "draw " << draw;
      }
    }
  }
}

} // namespace
} // namespace seedplan::imaging::testing
