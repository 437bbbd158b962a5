// Issue 12: target volumes within 0.2 % of the volume their contours enclose. Contours drawn on the
// CT's lattice (vertices on voxel faces, edges axis-aligned or at 45 degrees: what marching
// squares and many planning systems produce) cut the sub-voxels of an even split exactly in half
// along their 45-degree edges; the expected volumes here are computed independently (shoelace
// area of the constructed polygons x slab thickness), not with ContourVolumeMm3.

#include "seedplan/imaging/ContourRasterizer.h"

#include <gtest/gtest.h>

#include <Eigen/Geometry>
#include <cmath>
#include <iostream>
#include <numbers>
#include <random>
#include <vector>

namespace {

using seedplan::GridGeometry;
using seedplan::Mask;
using seedplan::imaging::ContourPolygon;
using seedplan::imaging::ContourRasterizer;

/// The acceptance of issue 12 for target volumes.
constexpr double kTargetVolumeTolerance = 0.002;
/// What the structure loader asks of a fine grid (RtStructureReadOptions::volumeToleranceFraction).
constexpr double kLoaderTolerance = 0.01;

const GridGeometry& Ct() {
  static const GridGeometry ct({-45.0, -45.0, -30.0}, {0.9, 0.9, 2.5}, {101, 101, 25});
  return ct;
}

double MaskVolumeMm3(const Mask& mask) {
  double count = 0.0;
  for (auto v : mask.Data()) {
    count += v != 0 ? 1.0 : 0.0;
  }
  return count * mask.Geometry().VoxelVolumeMm3();
}

/// Shoelace area (mm^2) of a polygon in the z plane.
double Area(const ContourPolygon& polygon) {
  double twice = 0.0;
  const auto& p = polygon.pointsMm;
  for (std::size_t v = 0; v < p.size(); ++v) {
    const auto& a = p[v];
    const auto& b = p[(v + 1) % p.size()];
    twice += a.x() * b.y() - b.x() * a.y();
  }
  return 0.5 * std::abs(twice);
}

/// A point of the CT's lattice: continuous index (i, j) in plane, slice k.
Eigen::Vector3d Lattice(double i, double j, int k) {
  return Ct().IndexToPoint(i, j, double(k));
}

/// An octagon on the lattice: an axis-aligned box of voxel faces [i0 - 0.5, i1 + 0.5] x [j0 - 0.5,
/// j1 + 0.5] with its corners cut at 45 degrees by `cut` voxels.
ContourPolygon LatticeOctagon(int i0, int i1, int j0, int j1, int cut, int k) {
  const double a = i0 - 0.5, b = i1 + 0.5, c = j0 - 0.5, d = j1 + 0.5;
  return ContourPolygon{{Lattice(a + cut, c, k), Lattice(b - cut, c, k), Lattice(b, c + cut, k),
                         Lattice(b, d - cut, k), Lattice(b - cut, d, k), Lattice(a + cut, d, k),
                         Lattice(a, d - cut, k), Lattice(a, c + cut, k)}};
}

/// A lattice "lesion": octagons on consecutive CT slices, shrinking towards both ends.
std::vector<ContourPolygon> LatticeLesion(int centreI, int centreJ, int halfWidth, int planes,
                                          int firstSlice) {
  std::vector<ContourPolygon> contours;
  for (int p = 0; p < planes; ++p) {
    const double t = (p + 0.5) / planes * 2.0 - 1.0; // -1..1 along the axis
    const int half = std::max(2, static_cast<int>(std::lround(halfWidth * std::sqrt(1 - t * t))));
    const int cut = std::max(1, half / 2);
    contours.push_back(LatticeOctagon(centreI - half, centreI + half, centreJ - half,
                                      centreJ + half, cut, firstSlice + p));
  }
  return contours;
}

double ExpectedVolumeMm3(const std::vector<ContourPolygon>& contours) {
  double volume = 0.0;
  for (const auto& polygon : contours) {
    volume += Area(polygon) * Ct().SpacingMm().z(); // one plane per CT slice: 2.5 mm slabs
  }
  return volume;
}

/// A fine grid over CT voxels i in [i0, i1], j in [j0, j1] and slices [k0, k1], each CT voxel
/// split m x m in plane (slices on the CT's).
GridGeometry SplitGrid(int i0, int i1, int j0, int j1, int k0, int k1, int m) {
  const Eigen::Vector3d origin = Ct().IndexToPoint(i0 - 0.5 + 0.5 / m, j0 - 0.5 + 0.5 / m, k0);
  return GridGeometry(origin, {Ct().SpacingMm().x() / m, Ct().SpacingMm().y() / m, 2.5},
                      {(i1 - i0 + 1) * m, (j1 - j0 + 1) * m, k1 - k0 + 1});
}

TEST(ContourRasterizerVolume, LatticeLesionsOnTheFineGridAreWithinAFifthOfAPercent) {
  double worst = 0.0;
  int lesions = 0;
  for (int halfWidth : {5, 7, 9, 12}) {
    for (int planes : {5, 7, 9}) {
      for (int shift = 0; shift < 3; ++shift) {
        const auto contours = LatticeLesion(50 + shift, 48 - shift, halfWidth, planes, 8 + shift);
        const double expected = ExpectedVolumeMm3(contours);
        const GridGeometry fine = ContourRasterizer::FineGridFor(contours, Ct(), kLoaderTolerance);
        const double volume = MaskVolumeMm3(ContourRasterizer::Rasterize(contours, fine));
        worst = std::max(worst, std::abs(volume / expected - 1.0));
        ++lesions;
        EXPECT_NEAR(volume / expected, 1.0, kTargetVolumeTolerance)
            << "half width " << halfWidth << " voxels, " << planes << " planes, expected "
            << expected << " mm3";
      }
    }
  }
  std::cout << "[ figures  ] " << lesions
            << " lattice lesions on the fine grid: worst volume error " << 100 * worst << " %\n";
}

/// The root of the bias: 45-degree edges through voxel corners bisect the sub-voxels they cross
/// for any split, even or odd; counting every half grew such lesions by ~1 %. Exact halves are now
/// split evenly (ContourRasterizer's tie rule), so both splits give the enclosed volume.
TEST(ContourRasterizerVolume, BisectedSubVoxelsCountHalfForEvenAndOddSplits) {
  // Centre (50, 48), half width 6 voxels, slices 9-15: the box 43..57 x 41..55 holds it.
  const auto contours = LatticeLesion(50, 48, 6, 7, 9);
  const double expected = ExpectedVolumeMm3(contours);
  const double even =
      MaskVolumeMm3(ContourRasterizer::Rasterize(contours, SplitGrid(42, 58, 40, 56, 9, 15, 4)));
  const double odd =
      MaskVolumeMm3(ContourRasterizer::Rasterize(contours, SplitGrid(42, 58, 40, 56, 9, 15, 5)));
  std::cout << "[ figures  ] lattice lesion " << expected / 1000 << " cc: 4 x 4 split "
            << 100 * (even / expected - 1) << " %, 5 x 5 split " << 100 * (odd / expected - 1)
            << " %\n";
  EXPECT_NEAR(even / expected, 1.0, kTargetVolumeTolerance);
  EXPECT_NEAR(odd / expected, 1.0, kTargetVolumeTolerance);
}

TEST(ContourRasterizerVolume, SmoothLesionsAnywhereAreWithinAFifthOfAPercent) {
  std::mt19937_64 random(12);
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  double worst = 0.0;
  for (int n = 0; n < 20; ++n) {
    // Ellipses of 12-28 mm at any position and rotation, on 5-11 CT slices.
    const double a = 6.0 + 8.0 * unit(random), b = 6.0 + 8.0 * unit(random);
    const double rotation = std::numbers::pi * unit(random);
    const Eigen::Vector2d centre(-5.0 + 10.0 * unit(random), -5.0 + 10.0 * unit(random));
    const int planes = 5 + static_cast<int>(7 * unit(random));
    std::vector<ContourPolygon> contours;
    for (int p = 0; p < planes; ++p) {
      const double t = (p + 0.5) / planes * 2.0 - 1.0;
      const double scale = std::sqrt(1.0 - t * t);
      ContourPolygon polygon;
      for (int v = 0; v < 120; ++v) {
        const double angle = 2.0 * std::numbers::pi * v / 120;
        const Eigen::Vector2d local(a * scale * std::cos(angle), b * scale * std::sin(angle));
        const Eigen::Vector2d rotated = Eigen::Rotation2Dd(rotation) * local + centre;
        polygon.pointsMm.emplace_back(rotated.x(), rotated.y(), -10.0 + 2.5 * p);
      }
      contours.push_back(std::move(polygon));
    }
    const double expected = ExpectedVolumeMm3(contours);
    // Off the lattice the border errors are random (+-h^2/2 per border voxel): the fine grid asked
    // for the target tolerance is fine enough (the loader's 1 % grid gives up to 0.4 % here).
    const GridGeometry fine =
        ContourRasterizer::FineGridFor(contours, Ct(), kTargetVolumeTolerance);
    const double volume = MaskVolumeMm3(ContourRasterizer::Rasterize(contours, fine));
    worst = std::max(worst, std::abs(volume / expected - 1.0));
    EXPECT_NEAR(volume / expected, 1.0, kTargetVolumeTolerance) << "lesion " << n;
  }
  std::cout << "[ figures  ] 20 smooth lesions on the fine grid: worst volume error " << 100 * worst
            << " %\n";
}

} // namespace
