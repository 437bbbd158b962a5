// Tests of GammaIndex against distributions whose gamma index is known in closed form (Low et al.
// 1998): a uniform dose offset, a shifted linear ramp, a difference beyond the search limit, and
// the exclusions (low-dose threshold, spheres around seeds).

#include "seedplan/dosimetry/GammaIndex.h"
#include "seedplan/core/Error.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>

namespace {

using seedplan::GridGeometry;
using seedplan::InvalidInput;
using seedplan::Volume;
using seedplan::dosimetry::GammaIndex;
using seedplan::dosimetry::GammaOptions;
using seedplan::dosimetry::GammaResult;

/// The search lattice has a step of DTA/10 = 0.2 mm: the minimising offset of a smooth
/// distribution lies within 0.1 mm (per axis) of a lattice point, which raises gamma by at most
/// ~0.01 for the ramp below (computed: 0.3606 on the lattice against 0.3536 exactly).
constexpr double kLatticeTolerance = 0.01;

/// A 41 x 11 x 11 grid of 0.5 mm voxels centred on the origin (x from -10 to 10 mm).
GridGeometry TestGrid() {
  return GridGeometry({-10.0, -2.5, -2.5}, {0.5, 0.5, 0.5}, {41, 11, 11});
}

Volume<float> Fill(const GridGeometry& grid,
                   const std::function<double(const Eigen::Vector3d&)>& f) {
  Volume<float> dose(grid, 0.0f);
  for (std::int64_t k = 0; k < grid.Size()[2]; ++k) {
    for (std::int64_t j = 0; j < grid.Size()[1]; ++j) {
      for (std::int64_t i = 0; i < grid.Size()[0]; ++i) {
        dose.At(i, j, k) =
            static_cast<float>(f(grid.IndexToPoint(double(i), double(j), double(k))));
      }
    }
  }
  return dose;
}

GammaOptions Options() {
  GammaOptions options;
  options.normalisationDoseGy = 100.0; // ΔD = 2 Gy
  return options;
}

TEST(GammaIndex, IdenticalDistributionsPassEverywhereWithGammaZero) {
  const Volume<float> dose = Fill(TestGrid(), [](const Eigen::Vector3d& p) { return 60 + p.x(); });
  const GammaResult result = GammaIndex::Compute(dose, dose, Options());
  EXPECT_EQ(result.evaluatedPoints, TestGrid().NumberOfVoxels());
  EXPECT_EQ(result.passedPoints, result.evaluatedPoints);
  EXPECT_DOUBLE_EQ(result.passRatePct, 100.0);
  EXPECT_DOUBLE_EQ(result.maxGamma, 0.0);
}

TEST(GammaIndex, UniformDoseOffsetGivesGammaOfTheOffsetOverTheDoseCriterion) {
  const GridGeometry grid = TestGrid();
  const Volume<float> reference = Fill(grid, [](const Eigen::Vector3d&) { return 50.0; });
  const Volume<float> evaluated = Fill(grid, [](const Eigen::Vector3d&) { return 51.0; });
  const GammaResult result = GammaIndex::Compute(reference, evaluated, Options());
  // 1 Gy against 2 % of 100 Gy: gamma 0.5 at every point, found at zero distance.
  EXPECT_NEAR(result.meanGamma, 0.5, 1e-6);
  EXPECT_NEAR(result.maxGamma, 0.5, 1e-6);
  EXPECT_DOUBLE_EQ(result.passRatePct, 100.0);
}

TEST(GammaIndex, ShiftedRampMatchesTheClosedFormGamma) {
  // D_r(x) = 50 + a x and D_e(x) = 50 + a (x - s): gamma = |a s| / sqrt(ΔD² + a² Δd²).
  const double slope = 1.0; // Gy/mm
  const double shift = 1.0; // mm
  const GridGeometry grid = TestGrid();
  // Reference points only where the whole search sphere (4 mm) stays inside the grid.
  const Volume<float> reference = Fill(grid, [&](const Eigen::Vector3d& p) {
    return std::abs(p.x()) <= 5.0 ? 50.0 + slope * p.x() : 0.0;
  });
  const Volume<float> evaluated =
      Fill(grid, [&](const Eigen::Vector3d& p) { return 50.0 + slope * (p.x() - shift); });
  const GammaResult result = GammaIndex::Compute(reference, evaluated, Options());
  const double expected =
      std::abs(slope * shift) / std::sqrt(2.0 * 2.0 + slope * slope * 2.0 * 2.0);
  std::cout << "ramp: closed form " << expected << ", mean " << result.meanGamma << ", max "
            << result.maxGamma << "\n";
  EXPECT_EQ(result.evaluatedPoints, 21 * 11 * 11);
  EXPECT_GE(result.meanGamma, expected - 1e-4); // float storage of the doses
  EXPECT_LE(result.maxGamma, expected + kLatticeTolerance);
  EXPECT_DOUBLE_EQ(result.passRatePct, 100.0);
}

TEST(GammaIndex, DifferenceBeyondTheSearchLimitFailsAndIsReportedAtTheLimit) {
  const GridGeometry grid = TestGrid();
  const Volume<float> reference = Fill(grid, [](const Eigen::Vector3d&) { return 50.0; });
  const Volume<float> evaluated = Fill(grid, [](const Eigen::Vector3d&) { return 60.0; });
  const GammaOptions options = Options();
  const GammaResult result = GammaIndex::Compute(reference, evaluated, options);
  EXPECT_EQ(result.passedPoints, 0);
  EXPECT_DOUBLE_EQ(result.passRatePct, 0.0);
  EXPECT_DOUBLE_EQ(result.maxGamma, options.maxGamma); // the true gamma is 5
}

TEST(GammaIndex, ADifferenceJustBeyondTheLimitNearAGradientIsStillSearched) {
  // Evaluated: 54 Gy for x < 0, 50 Gy beyond; reference 50 Gy. The 54 Gy points (gamma 2 at
  // zero distance) lie within the search radius of points with x < 4 mm whose neighbourhood
  // holds 50 Gy: those find gamma = distance to x = 0 over 2 mm, not the cap.
  const GridGeometry grid = TestGrid();
  const Volume<float> reference = Fill(grid, [](const Eigen::Vector3d&) { return 50.0; });
  const Volume<float> evaluated =
      Fill(grid, [](const Eigen::Vector3d& p) { return p.x() < -0.25 ? 54.0 : 50.0; });
  const GammaResult result = GammaIndex::Compute(reference, evaluated, Options());
  const std::int64_t plane = 11 * 11;
  EXPECT_EQ(result.evaluatedPoints, 41 * plane);
  // Passing: x >= 0 (21 columns) and the columns within about 2 mm of x = 0 (the 50 Gy side is
  // within the DTA); failing: the columns beyond, where only 54 Gy lies within 2 mm.
  EXPECT_GE(result.passedPoints, 21 * plane);
  EXPECT_LT(result.passedPoints, 41 * plane);
}

TEST(GammaIndex, LowDosePointsAndPointsNearSeedsAreNotEvaluated) {
  const GridGeometry grid({-5.0, -5.0, -5.0}, {1.0, 1.0, 1.0}, {11, 11, 11});
  // Half the grid (x < 0) below 10 % of 100 Gy.
  const Volume<float> dose =
      Fill(grid, [](const Eigen::Vector3d& p) { return p.x() < 0.0 ? 5.0 : 50.0; });
  GammaOptions options = Options();
  options.excludedCentresMm = {Eigen::Vector3d(3.0, 0.0, 0.0)};
  options.excludedRadiusMm = 2.0;
  const GammaResult result = GammaIndex::Compute(dose, dose, options);
  // Integer points within 2 of a lattice point: 1 + 6 + 12 + 8 + 6 = 33, all at x >= 1.
  EXPECT_EQ(result.belowThresholdPoints, 5 * 11 * 11);
  EXPECT_EQ(result.nearExcludedPoints, 33);
  EXPECT_EQ(result.evaluatedPoints, 6 * 11 * 11 - 33);
}

TEST(GammaIndex, DifferentGridsAndNonPositiveCriteriaAreRefused) {
  const Volume<float> a = Fill(TestGrid(), [](const Eigen::Vector3d&) { return 1.0; });
  const Volume<float> b(GridGeometry({0, 0, 0}, {1, 1, 1}, {4, 4, 4}), 1.0f);
  EXPECT_THROW(GammaIndex::Compute(a, b, Options()), InvalidInput);
  GammaOptions options = Options();
  options.normalisationDoseGy = 0.0;
  EXPECT_THROW(GammaIndex::Compute(a, a, options), InvalidInput);
  options = Options();
  options.distanceToAgreementMm = -2.0;
  EXPECT_THROW(GammaIndex::Compute(a, a, options), InvalidInput);
  options = Options();
  options.maxGamma = 0.5;
  EXPECT_THROW(GammaIndex::Compute(a, a, options), InvalidInput);
}

} // namespace
