// The independent scanner simulator checked against what it claims to model (issue 11): the HU
// scales' ceilings and steps, the metal-artefact-reduction cap, and the metal a seed adds (its
// excess HU summed over the voxels) equal to the capsule's volume times its attenuation whatever
// the blur, so that the detection matrix measures the detector and not a faulty generator.

#include "ScannerSimulator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace seedplan::imaging::testing {
namespace {

/// One seed along x in soft tissue without texture, noise or streaks, on a 0.5 mm grid of 1 mm
/// slices.
Scene OneSeed() {
  Scene scene;
  scene.textureHu = 0.0;
  scene.seeds.push_back({Eigen::Vector3d(0.1, -0.2, 0.15), Eigen::Vector3d::UnitX()});
  return scene;
}

GridGeometry SmallGrid() {
  return GridGeometry(Eigen::Vector3d(-8.0, -8.0, -8.0), Eigen::Vector3d(0.5, 0.5, 1.0),
                      {33, 33, 17});
}

ScannerModel Quiet(double metalHu, HuScale scale) {
  ScannerModel scanner;
  scanner.metalHu = metalHu;
  scanner.scale = scale;
  scanner.noiseSigmaHu = 0.0;
  scanner.streakHu = 0.0;
  scanner.inPlaneSigmaMm = 0.3;
  scanner.sliceThicknessMm = 1.0;
  return scanner;
}

short Highest(const Volume<short>& ct) {
  return *std::max_element(ct.Data().begin(), ct.Data().end());
}

TEST(ScannerSimulator, TwelveBitClipsMetalAt3071AndExtendedScalesKeepItUnclipped) {
  const Scene scene = OneSeed();
  EXPECT_EQ(Highest(ScannerSimulator::Scan(SmallGrid(), scene, Quiet(15000.0, HuScale::TwelveBit))),
            3071);
  for (HuScale scale :
       {HuScale::SignedIntercept1024, HuScale::UnsignedIntercept8192, HuScale::Slope10}) {
    const short highest =
        Highest(ScannerSimulator::Scan(SmallGrid(), scene, Quiet(15000.0, scale)));
    // A voxel of 0.5 x 0.5 x 1 mm at the seed's middle is mostly metal after a 0.3 mm blur.
    EXPECT_GT(highest, 5000) << static_cast<int>(scale);
    EXPECT_LE(highest, 15000) << static_cast<int>(scale);
  }
  // Slope 10: stored integers times 10 minus 1024, so every HU + 1024 is a multiple of 10.
  const Volume<short> coarse =
      ScannerSimulator::Scan(SmallGrid(), scene, Quiet(15000.0, HuScale::Slope10));
  EXPECT_TRUE(std::all_of(coarse.Data().begin(), coarse.Data().end(),
                          [](short hu) { return (hu + 1024) % 10 == 0; }));
}

TEST(ScannerSimulator, MetalArtefactReductionKeepsTheSeedAtOrBelowItsCap) {
  for (bool hard : {false, true}) {
    ScannerModel scanner = Quiet(30000.0, HuScale::SignedIntercept1024);
    scanner.marCapHu = 1600.0;
    scanner.marHardCap = hard;
    const short highest = Highest(ScannerSimulator::Scan(SmallGrid(), OneSeed(), scanner));
    EXPECT_LE(highest, 1600) << hard;
    // Still a seed: well above the 40 HU tissue.
    EXPECT_GT(highest, 1000) << hard;
  }
}

/// The excess a seed adds, summed over the voxels, is its volume times its attenuation: the blur
/// spreads the metal but keeps it (a point-sampled spread of unit integral). Tolerance: the
/// capsule's sampling by the simulator (sub-voxel points) and the grid's point sampling of the
/// blurred seed (0.5 mm pixels against a 0.3 mm sigma, 1 mm slices against a 1 mm box), a few
/// percent each.
constexpr double kExcessTolerance = 0.08;

TEST(ScannerSimulator, TheMetalASeedAddsIsItsVolumeTimesItsAttenuationWhateverTheBlur) {
  const Scene scene = OneSeed();
  const double radius = 0.5 * scene.seedDiameterMm;
  const double capsuleMm3 =
      std::numbers::pi * radius * radius * (scene.seedLengthMm - 2.0 * radius) +
      4.0 / 3.0 * std::numbers::pi * radius * radius * radius;
  const double cylinderMm3 = std::numbers::pi * radius * radius * scene.seedLengthMm;
  const GridGeometry grid = SmallGrid();
  const double voxelMm3 = grid.SpacingMm().prod();
  for (double sigma : {0.3, 0.7}) {
    ScannerModel scanner = Quiet(10000.0, HuScale::SignedIntercept1024);
    scanner.inPlaneSigmaMm = sigma;
    const Volume<short> ct = ScannerSimulator::Scan(grid, scene, scanner);
    double excess = 0.0;
    for (short hu : ct.Data()) {
      excess += (hu - scene.softTissueHu) * voxelMm3;
    }
    const double volumeMm3 = excess / (scanner.metalHu - scene.softTissueHu);
    // Rounded ends or flat ends: the simulator's capsule lies between the two shapes' volumes.
    EXPECT_GE(volumeMm3, (1.0 - kExcessTolerance) * capsuleMm3) << sigma;
    EXPECT_LE(volumeMm3, (1.0 + kExcessTolerance) * cylinderMm3) << sigma;
  }
}

} // namespace
} // namespace seedplan::imaging::testing
