#include "seedplan/core/GridRow.h"

#include <gtest/gtest.h>

#include <Eigen/Geometry>
#include <cmath>
#include <limits>
#include <random>

namespace {

using seedplan::GridGeometry;
using seedplan::GridRow;

/// Voxels this close (mm) to the sphere's surface are not judged: the chord and a direct distance
/// round differently by ~1e-13 mm at these sizes; 1e-9 mm is far above that and far below any
/// spacing.
constexpr double kSurfaceMarginMm = 1e-9;

TEST(GridRow, InsideSpanHoldsExactlyTheVoxelsWithinTheSphereOnObliqueGrids) {
  std::mt19937 random(14);
  std::uniform_real_distribution<double> unit(-1.0, 1.0);
  std::uniform_real_distribution<double> spacing(0.3, 3.0);
  int judged = 0;
  for (int trial = 0; trial < 200; ++trial) {
    const Eigen::Matrix3d direction =
        Eigen::AngleAxisd(3.0 * unit(random),
                          Eigen::Vector3d(unit(random), unit(random), unit(random)).normalized())
            .toRotationMatrix();
    const std::array<std::int64_t, 3> size = {40, 9, 7};
    const GridGeometry geometry(Eigen::Vector3d(unit(random), unit(random), unit(random)) * 50.0,
                                Eigen::Vector3d(spacing(random), spacing(random), spacing(random)),
                                size, direction);
    const std::int64_t j = trial % size[1];
    const std::int64_t k = trial % size[2];
    const GridRow row(geometry, j, k);
    const Eigen::Vector3d centre = geometry.IndexToPoint(
        20.0 + 25.0 * unit(random), double(j) + 3.0 * unit(random), double(k) + 3.0 * unit(random));
    const double radiusMm = 20.0 * (unit(random) + 1.0);
    const auto chord = row.ChordOf(centre, radiusMm);
    const auto inside = chord ? chord->Inside().Within(0, size[0] - 1) : std::nullopt;
    const auto enclosing = chord ? chord->Enclosing().Within(0, size[0] - 1) : std::nullopt;
    for (std::int64_t i = 0; i < size[0]; ++i) {
      const double distanceMm =
          (geometry.IndexToPoint(double(i), double(j), double(k)) - centre).norm();
      if (std::abs(distanceMm - radiusMm) < kSurfaceMarginMm) {
        continue;
      }
      ++judged;
      const bool inSpan = inside && i >= inside->first && i <= inside->last;
      EXPECT_EQ(inSpan, distanceMm < radiusMm) << "trial " << trial << " voxel " << i;
      if (distanceMm < radiusMm) {
        ASSERT_TRUE(enclosing);
        EXPECT_TRUE(i >= enclosing->first && i <= enclosing->last);
      }
    }
    if (inside) {
      // Rounded outward: at most one voxel more on either side.
      EXPECT_GE(inside->first - enclosing->first, 0);
      EXPECT_LE(inside->first - enclosing->first, 1);
      EXPECT_GE(enclosing->last - inside->last, 0);
      EXPECT_LE(enclosing->last - inside->last, 1);
    }
  }
  EXPECT_GT(judged, 4000);
}

TEST(GridRow, HullOfChordsIsClampedToTheRangeBeforeBecomingIndices) {
  const GridGeometry geometry(Eigen::Vector3d::Zero(), Eigen::Vector3d(2.0, 1.0, 1.0), {10, 1, 1});
  const GridRow row(geometry, 0, 0);
  EXPECT_EQ(row.StepMm(), 2.0);
  GridRow::Span hull;
  EXPECT_FALSE(hull.Within(0, 9)); // empty by default
  // Spheres about x = 4 mm (i = 2) and x = 14 mm (i = 7), radius 2.5 mm: i 1..3 and 6..8.
  hull.Include(row.ChordOf(Eigen::Vector3d(4.0, 0.0, 0.0), 2.5)->Inside());
  hull.Include(row.ChordOf(Eigen::Vector3d(14.0, 0.0, 0.0), 2.5)->Inside());
  ASSERT_TRUE(hull.Within(0, 9));
  EXPECT_EQ(hull.Within(0, 9)->first, 1);
  EXPECT_EQ(hull.Within(0, 9)->last, 8);
  EXPECT_EQ(hull.Within(4, 5)->first, 4);
  EXPECT_EQ(hull.Within(4, 5)->last, 5);
  EXPECT_FALSE(hull.Within(9, 9));
  // A sphere off the line, bounds far beyond any index, and NaN bounds or centres give nothing or
  // the range.
  EXPECT_FALSE(row.ChordOf(Eigen::Vector3d(4.0, 3.0, 0.0), 2.5));
  EXPECT_FALSE((GridRow::Span{1e300, 2e300}.Within(0, 9)));
  EXPECT_EQ((GridRow::Span{-1e300, 1e300}.Within(0, 9)->last), 9);
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_FALSE((GridRow::Span{nan, 5.0}.Within(0, 9)));
  EXPECT_FALSE((GridRow::Span{0.0, nan}.Within(0, 9)));
  const auto nanChord = row.ChordOf(Eigen::Vector3d(nan, 0.0, 0.0), 2.5);
  EXPECT_FALSE(nanChord && nanChord->Inside().Within(0, 9));
  EXPECT_FALSE(nanChord && nanChord->Enclosing().Within(0, 9));
}

} // namespace
