#pragma once

#include "ScannerSimulator.h"

#include "seedplan/imaging/SeedDetector.h"

#include <random>
#include <string>
#include <vector>

namespace seedplan::imaging::testing {

/// What a scan holds besides isolated seeds.
struct SceneRecipe {
  int isolatedSeeds = 8;
  int sideBySidePairs = 0; ///< parallel seeds, axes 1.0-1.6 mm apart
  int endToEndPairs = 0;   ///< collinear seeds, tips 0-0.3 mm apart
  int clustersOfFour = 0;  ///< four touching seeds in a random compact arrangement
  double sideBySideMinMm = 1.0;
  double sideBySideMaxMm = 1.6;
  std::optional<double> boneHu; ///< a bone block with seeds beside it (1-3 mm from its surface)
  bool boneShell = false;       ///< cortical shell around trabecular bone
  /// Keep seeds this far from the bone (a compressed seed darker than the bone beside it is the
  /// case the issue leaves out).
  double boneClearanceMm = 1.0;
  bool lung = false;
  std::optional<MetalRod> rod; ///< a large metal object
};

/// A scan made to measure detection: the grid, the scene and the scanner.
struct TestScan {
  GridGeometry geometry;
  Scene scene;
  ScannerModel scanner;
};

/// Seeds placed at random positions and orientations inside a grid of sizeMm (x, y, z) with
/// spacing, as the recipe says; every structure at least 9 mm from every other and 7 mm inside
/// the grid. The grid's origin is shifted by a random sub-voxel offset.
TestScan MakeScan(const Eigen::Vector3d& sizeMm, double pixelMm, double sliceSpacingMm,
                  const SceneRecipe& recipe, const ScannerModel& scanner, std::mt19937& random);

/// Scores of one or more detections against the truth. A true seed counts when it stands at
/// least kMinContrastHu above the tissue (the matrix); detections matched to a seed below
/// that are neither found nor false.
struct Score {
  int seeds = 0; ///< true seeds standing >= 500 HU above tissue
  int found = 0; ///< of those, matched within tolerance
  int detections = 0;
  int falseSeeds = 0; ///< detections matched to no true seed within tolerance
  /// Of the false seeds, those within tolerance of a true seed another detection matched (one
  /// seed reported twice).
  int duplicates = 0;
  double sumErrorMm = 0.0;
  double maxErrorMm = 0.0;
  int ignored = 0; ///< true seeds below 500 HU

  void Add(const Score& other);
  double FoundShare() const { return seeds > 0 ? static_cast<double>(found) / seeds : 1.0; }
  double FalseShare() const { return seeds > 0 ? static_cast<double>(falseSeeds) / seeds : 0.0; }
  double MeanErrorMm() const { return found > 0 ? sumErrorMm / found : 0.0; }
  std::string Describe() const;
};

constexpr double kMinContrastHu = 500.0;
/// The tolerance: 1.5 mm, 2 mm for slices of 3 mm or more.
double ToleranceMm(double sliceThicknessMm);

/// Matches detections to the truth (closest pairs first) and scores them; `contrasts` per true
/// seed (ScannerSimulator::PeakContrastHu).
Score ScoreDetection(const TestScan& scan, const std::vector<double>& contrasts,
                     const std::vector<Seed>& detected, std::vector<std::string>* misses);

/// Contrast of every seed of a scan.
std::vector<double> Contrasts(const TestScan& scan);

} // namespace seedplan::imaging::testing
