// Tests of GridDoseSampler, Dvh and DvhCalculator: analytic dose distributions whose DVH is known
// in closed form, and the two requirements of issue 2 for small lesions around 6711 seeds.

#include "seedplan/dosimetry/Dvh.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/Units.h"
#include "seedplan/core/Volume.h"
#include "seedplan/dosimetry/DvhCalculator.h"
#include "seedplan/dosimetry/GridDoseSampler.h"
#include "seedplan/dosimetry/SourceModelXml.h"

#include <Eigen/Geometry>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <functional>
#include <iostream>
#include <numbers>
#include <string>
#include <vector>

namespace {

using seedplan::GridGeometry;
using seedplan::InvalidInput;
using seedplan::Mask;
using seedplan::Volume;
using seedplan::dosimetry::Dvh;
using seedplan::dosimetry::DvhCalculator;
using seedplan::dosimetry::Formalism;
using seedplan::dosimetry::GridDoseSampler;
using seedplan::dosimetry::SourceModel;
using seedplan::dosimetry::SourceModelXml;
using PointFunction = std::function<double(const Eigen::Vector3d&)>;

constexpr double kMm3PerCc = 1000.0;

/// A cubic grid of `count` voxels per axis, of side `spacingMm`, whose voxel centres are symmetric
/// about `centreMm` (for an even count, `centreMm` is a voxel corner).
GridGeometry CenteredGrid(const Eigen::Vector3d& centreMm, double spacingMm, std::int64_t count,
                          const Eigen::Matrix3d& direction = Eigen::Matrix3d::Identity()) {
  const double half = 0.5 * spacingMm * static_cast<double>(count - 1);
  const Eigen::Vector3d originMm = centreMm - direction * Eigen::Vector3d::Constant(half);
  return GridGeometry(originMm, Eigen::Vector3d::Constant(spacingMm), {count, count, count},
                      direction);
}

/// Binary mask: a voxel is inside if its centre is.
Mask MakeMask(const GridGeometry& geometry,
              const std::function<bool(const Eigen::Vector3d&)>& inside) {
  Mask mask(geometry, 0);
  const auto& size = geometry.Size();
  for (std::int64_t k = 0; k < size[2]; ++k) {
    for (std::int64_t j = 0; j < size[1]; ++j) {
      for (std::int64_t i = 0; i < size[0]; ++i) {
        mask.At(i, j, k) = inside(geometry.IndexToPoint(double(i), double(j), double(k))) ? 1 : 0;
      }
    }
  }
  return mask;
}

/// Dose grid filled with `doseGyAt` at the voxel centres.
Volume<float> MakeDose(const GridGeometry& geometry, const PointFunction& doseGyAt) {
  Volume<float> dose(geometry, 0.0f);
  const auto& size = geometry.Size();
  for (std::int64_t k = 0; k < size[2]; ++k) {
    for (std::int64_t j = 0; j < size[1]; ++j) {
      for (std::int64_t i = 0; i < size[0]; ++i) {
        dose.At(i, j, k) =
            static_cast<float>(doseGyAt(geometry.IndexToPoint(double(i), double(j), double(k))));
      }
    }
  }
  return dose;
}

double MaskVolumeMm3(const Mask& mask) {
  const auto inside = std::count_if(mask.Data().begin(), mask.Data().end(),
                                    [](std::uint8_t value) { return value != 0; });
  return static_cast<double>(inside) * mask.Geometry().VoxelVolumeMm3();
}

SourceModel Load6711() {
  return SourceModelXml::Read(std::filesystem::path(SEEDPLAN_SOURCES_DIR) / "6711.xml");
}

/// Total dose (Gy) of a permanent implant per U of air-kerma strength at a point, for a seed at
/// `seedMm` with long axis `axis`, 2D formalism: Ḋ0 τ with τ = T½/ln 2.
double TotalDoseGyPerU(const SourceModel& model, const Eigen::Vector3d& seedMm,
                       const Eigen::Vector3d& axis, const Eigen::Vector3d& pointMm) {
  const Eigen::Vector3d offsetMm = pointMm - seedMm;
  const double distanceMm = offsetMm.norm();
  const double thetaRad = distanceMm > 0.0
                              ? std::acos(std::clamp(offsetMm.dot(axis) / distanceMm, -1.0, 1.0))
                              : std::numbers::pi / 2;
  const double doseRateCGyPerHPerU =
      model.DoseRatePerU(seedplan::units::CmFromMm(distanceMm), thetaRad, Formalism::Line2D);
  return seedplan::units::GyFromCGy(doseRateCGyPerHPerU *
                                    seedplan::units::MeanLifeHours(model.HalfLifeDays()));
}

/// Minimum dose of the hottest `fraction` of the volume, from (dose, volume) pairs, by its plain
/// definition (the dose of the sample at which the cumulative volume from the top reaches the
/// fraction): independent of Dvh's interpolation, and equal to it when the samples are fine.
double HottestFractionMinimumDose(std::vector<Dvh::Sample> samples, double fraction) {
  std::sort(samples.begin(), samples.end(),
            [](const Dvh::Sample& a, const Dvh::Sample& b) { return a.doseGy > b.doseGy; });
  double totalMm3 = 0.0;
  for (const auto& sample : samples) {
    totalMm3 += sample.volumeMm3;
  }
  double cumulativeMm3 = 0.0;
  for (const auto& sample : samples) {
    cumulativeMm3 += sample.volumeMm3;
    if (cumulativeMm3 >= fraction * totalMm3) {
      return sample.doseGy;
    }
  }
  return samples.back().doseGy;
}

// ---------------------------------------------------------------------------------------------
// GridDoseSampler

TEST(GridDoseSampler, ReproducesALinearDoseExactlyOnARotatedGrid) {
  // Trilinear interpolation is exact for a linear function; only the float storage rounds.
  constexpr double kFloatRoundingGy = 1e-4;
  const Eigen::Matrix3d direction =
      Eigen::AngleAxisd(0.4, Eigen::Vector3d(1, 2, 3).normalized()).toRotationMatrix();
  const GridGeometry geometry(Eigen::Vector3d(-10, 5, 3), Eigen::Vector3d(1.0, 1.5, 2.0),
                              {12, 9, 7}, direction);
  const auto linear = [](const Eigen::Vector3d& p) {
    return 50.0 + 2.0 * p.x() - p.y() + 0.5 * p.z();
  };
  const Volume<float> dose = MakeDose(geometry, linear);
  const GridDoseSampler sampler(dose);
  for (const Eigen::Vector3d& index :
       {Eigen::Vector3d(0.3, 0.7, 0.1), Eigen::Vector3d(5.5, 4.25, 3.9),
        Eigen::Vector3d(10.99, 7.5, 5.01), Eigen::Vector3d(11, 8, 6)}) {
    const Eigen::Vector3d pointMm = geometry.IndexToPoint(index.x(), index.y(), index.z());
    ASSERT_TRUE(sampler.Covers(pointMm));
    EXPECT_NEAR(sampler.DoseAt(pointMm), linear(pointMm), kFloatRoundingGy);
  }
}

TEST(GridDoseSampler, CoversTheVoxelsUpToHalfAVoxelBeyondTheOuterCentres) {
  // Centres at x = 0, 2, 4 mm (spacing 2 mm): the voxels span [-1, 5] mm.
  const GridGeometry geometry(Eigen::Vector3d(0, 0, 0), Eigen::Vector3d(2, 2, 2), {3, 3, 3});
  const Volume<float> dose(geometry, 1.0f);
  const GridDoseSampler sampler(dose);
  EXPECT_TRUE(sampler.Covers(Eigen::Vector3d(-0.99, 2, 2)));
  EXPECT_TRUE(sampler.Covers(Eigen::Vector3d(4.99, -0.99, 4.99)));
  EXPECT_FALSE(sampler.Covers(Eigen::Vector3d(-1.01, 2, 2)));
  EXPECT_FALSE(sampler.Covers(Eigen::Vector3d(2, 2, 5.01)));
}

TEST(GridDoseSampler, BeyondTheOuterCentresTakesTheNearestCentrePlane) {
  // Exact: the clamped index lands on the centre plane, whose stored floats are returned.
  constexpr double kExactGy = 1e-12;
  const GridGeometry geometry(Eigen::Vector3d(0, 0, 0), Eigen::Vector3d(2, 2, 2), {3, 3, 3});
  const Volume<float> dose =
      MakeDose(geometry, [](const Eigen::Vector3d& p) { return 10.0 + p.x(); });
  const GridDoseSampler sampler(dose);
  EXPECT_NEAR(sampler.DoseAt(Eigen::Vector3d(-0.9, 1, 1)), 10.0, kExactGy);
  EXPECT_NEAR(sampler.DoseAt(Eigen::Vector3d(4.9, 1, 1)), 14.0, kExactGy);
}

// ---------------------------------------------------------------------------------------------
// Dvh

TEST(Dvh, DoseAtVolumeFractionInterpolatesBetweenTheMidpointsOfTheSortedSamples) {
  // Arithmetic on a few doubles only.
  constexpr double kArithmeticGy = 1e-12;
  // Sorted: 10 Gy on [0, 1], 8 Gy on [1, 2], 6 Gy on [2, 4] mm^3; midpoints 0.5, 1.5, 3.
  const Dvh dvh({{8.0, 1.0}, {6.0, 2.0}, {10.0, 1.0}});
  EXPECT_NEAR(dvh.DoseAtVolumeFraction(0.1), 10.0, kArithmeticGy); // 0.4 < first midpoint
  EXPECT_NEAR(dvh.DoseAtVolumeFraction(0.25), 9.0, kArithmeticGy); // 1.0: half way 0.5 -> 1.5
  EXPECT_NEAR(dvh.DoseAtVolumeFraction(0.5), 8.0 - 2.0 / 3.0,
              kArithmeticGy);                                     // 2.0: 1/3 of 1.5 -> 3
  EXPECT_NEAR(dvh.DoseAtVolumeFraction(1.0), 6.0, kArithmeticGy); // beyond the last midpoint
  EXPECT_NEAR(dvh.DoseAtVolumeFraction(0.0), 10.0, kArithmeticGy);
  EXPECT_NEAR(dvh.MeanDoseGy(), (10.0 + 8.0 + 12.0) / 4.0, kArithmeticGy);
  EXPECT_NEAR(dvh.MinDoseGy(), 6.0, kArithmeticGy);
  EXPECT_NEAR(dvh.MaxDoseGy(), 10.0, kArithmeticGy);
  EXPECT_NEAR(dvh.VolumeCc(), 4.0 / kMm3PerCc, kArithmeticGy);
}

TEST(Dvh, VolumeAtLeastADoseCountsTheSamplesAtOrAboveIt) {
  constexpr double kArithmetic = 1e-12; // sums of a few doubles
  const Dvh dvh({{8.0, 1.0}, {6.0, 2.0}, {10.0, 1.0}});
  EXPECT_NEAR(dvh.VolumeFractionAtLeast(8.0), 0.5, kArithmetic);
  EXPECT_NEAR(dvh.VolumeFractionAtLeast(8.5), 0.25, kArithmetic);
  EXPECT_NEAR(dvh.VolumeFractionAtLeast(0.0), 1.0, kArithmetic);
  EXPECT_NEAR(dvh.VolumeFractionAtLeast(10.5), 0.0, kArithmetic);
  EXPECT_NEAR(dvh.VolumeCcAtLeast(6.0), 4.0 / kMm3PerCc, kArithmetic);
}

TEST(Dvh, DoseAtAVolumeLargerThanTheStructureIsUndefined) {
  const Dvh dvh({{50.0, 600.0}, {40.0, 400.0}}); // exactly 1 cc
  EXPECT_FALSE(dvh.DoseAtVolumeCc(2.0).has_value());
  ASSERT_TRUE(dvh.DoseAtVolumeCc(1.0).has_value());
  EXPECT_DOUBLE_EQ(*dvh.DoseAtVolumeCc(1.0), 40.0);
}

TEST(Dvh, CurveFallsFromHundredPercentAtZeroDoseToTheHottestSampleAtDmax) {
  constexpr double kArithmetic = 1e-12; // sums of a few doubles
  const Dvh dvh({{8.0, 1.0}, {6.0, 2.0}, {10.0, 1.0}});
  const auto curve = dvh.Curve(11);
  ASSERT_EQ(curve.size(), 11u);
  EXPECT_NEAR(curve.front().doseGy, 0.0, kArithmetic);
  EXPECT_NEAR(curve.front().volumePct, 100.0, kArithmetic);
  EXPECT_NEAR(curve.back().doseGy, 10.0, kArithmetic);
  EXPECT_NEAR(curve.back().volumePct, 25.0, kArithmetic);
  for (std::size_t n = 1; n < curve.size(); ++n) {
    EXPECT_LE(curve[n].volumePct, curve[n - 1].volumePct);
  }
}

TEST(Dvh, RejectsNoSamplesBadSamplesAndFractionsOutsideZeroToOne) {
  EXPECT_THROW(Dvh(std::vector<Dvh::Sample>{}), InvalidInput);
  EXPECT_THROW(Dvh({{1.0, -1.0}}), InvalidInput);
  EXPECT_THROW(Dvh({{std::nan(""), 1.0}}), InvalidInput);
  EXPECT_THROW(Dvh({{1.0, 0.0}}), InvalidInput);
  const Dvh dvh({{1.0, 1.0}});
  EXPECT_THROW(dvh.DoseAtVolumeFraction(1.5), InvalidInput);
  EXPECT_THROW(dvh.DoseAtVolumeCc(-1.0), InvalidInput);
  EXPECT_THROW(dvh.Curve(1), InvalidInput);
}

// ---------------------------------------------------------------------------------------------
// DvhCalculator: analytic cases

TEST(DvhCalculator, UniformDoseGivesEveryDxEqualToTheDoseAndFullV100) {
  // A uniform float grid interpolates to the stored value exactly.
  constexpr double kExactGy = 1e-9;
  constexpr double kDoseGy = 145.0;
  const Mask mask = MakeMask(CenteredGrid(Eigen::Vector3d::Zero(), 1.0, 16),
                             [](const Eigen::Vector3d& p) { return p.norm() < 6.0; });
  const Volume<float> dose(CenteredGrid(Eigen::Vector3d::Zero(), 2.0, 12), float(kDoseGy));
  const Dvh dvh = DvhCalculator::Compute(mask, dose);
  for (double fraction : {0.0, 0.02, 0.5, 0.9, 0.98, 1.0}) {
    EXPECT_NEAR(dvh.DoseAtVolumeFraction(fraction), kDoseGy, kExactGy) << fraction;
  }
  EXPECT_NEAR(dvh.MeanDoseGy(), kDoseGy, kExactGy);
  EXPECT_DOUBLE_EQ(dvh.VolumeFractionAtLeast(kDoseGy), 1.0);
  // The volume is the mask's, not the dose grid's.
  EXPECT_NEAR(dvh.VolumeCc(), MaskVolumeMm3(mask) / kMm3PerCc, 1e-12);
}

TEST(DvhCalculator, LinearGradientThroughABoxGivesTheClosedFormDxMeanAndV100) {
  // Box x in [0, 20] mm, y and z in [0, 10] mm, dose d(x) = d0 + g x: the dose is uniformly
  // distributed on [d0, d0 + 20 g], so Dx = dMax - x (dMax - dMin), Dmean = (dMin + dMax)/2 and the
  // volume >= d is (dMax - d)/(dMax - dMin).
  constexpr double kD0Gy = 100.0;
  constexpr double kGradientGyPerMm = 2.0;
  constexpr double kLengthMm = 20.0;
  constexpr double kVoxelMm = 1.0;
  const double dMinGy = kD0Gy;
  const double dMaxGy = kD0Gy + kGradientGyPerMm * kLengthMm;
  const double d90Gy = dMaxGy - 0.9 * (dMaxGy - dMinGy);
  const double d50Gy = dMaxGy - 0.5 * (dMaxGy - dMinGy);
  const double meanGy = 0.5 * (dMinGy + dMaxGy);
  const double rxGy = kD0Gy + kGradientGyPerMm * 15.0; // a voxel face: V100 is exact
  const double v100 = (dMaxGy - rxGy) / (dMaxGy - dMinGy);
  // Within a 1 mm slab the samples (centre or 4 sub-voxel planes) spread over the slab, so the
  // quantile of the discrete samples can be off by at most half a slab of dose.
  constexpr double kHalfSlabGy = 0.5 * kGradientGyPerMm * kVoxelMm;
  // Samples are symmetric about each slab's centre: the mean is exact up to rounding (float grid).
  constexpr double kMeanRoundingGy = 1e-4;
  constexpr double kVolumeRounding = 1e-9; // sums of equal volumes

  const GridGeometry maskGeometry(Eigen::Vector3d(-1.5, -1.5, -1.5),
                                  Eigen::Vector3d::Constant(kVoxelMm), {24, 14, 14});
  const Mask mask = MakeMask(maskGeometry, [&](const Eigen::Vector3d& p) {
    return p.x() > 0 && p.x() < kLengthMm && p.y() > 0 && p.y() < 10 && p.z() > 0 && p.z() < 10;
  });
  const auto doseGyAt = [](const Eigen::Vector3d& p) { return kD0Gy + kGradientGyPerMm * p.x(); };
  const Volume<float> doseGrid = MakeDose(
      GridGeometry(Eigen::Vector3d(-5, -5, -5), Eigen::Vector3d(2, 2, 2), {16, 11, 11}), doseGyAt);
  for (const Dvh& dvh :
       {DvhCalculator::Compute(mask, doseGyAt), DvhCalculator::Compute(mask, doseGrid)}) {
    EXPECT_NEAR(dvh.VolumeCc(), kLengthMm * 10 * 10 / kMm3PerCc, kVolumeRounding);
    EXPECT_NEAR(dvh.DoseAtVolumeFraction(0.9), d90Gy, kHalfSlabGy);
    EXPECT_NEAR(dvh.DoseAtVolumeFraction(0.5), d50Gy, kHalfSlabGy);
    EXPECT_NEAR(dvh.MeanDoseGy(), meanGy, kMeanRoundingGy);
    EXPECT_NEAR(dvh.VolumeFractionAtLeast(rxGy), v100, kVolumeRounding);
  }
}

TEST(DvhCalculator, SphereAroundAPointSourceWithInverseSquareDoseMatchesTheClosedForm) {
  // Dose k/r^2 in a sphere of radius R centred on the source: the volume receiving >= d is the
  // sphere of radius sqrt(k/d), so Dx = k/(R^2 x^(2/3)), and Dmean = (1/V) ∫ k/r^2 4πr^2 dr =
  // 3k/R^2.
  constexpr double kKGyMm2 = 1000.0;
  constexpr double kRadiusMm = 10.0;
  constexpr double kVoxelMm = 0.5;
  const double sphereMm3 = 4.0 / 3.0 * std::numbers::pi * std::pow(kRadiusMm, 3);
  const double d90Gy = kKGyMm2 / (kRadiusMm * kRadiusMm * std::pow(0.9, 2.0 / 3.0));
  const double meanGy = 3.0 * kKGyMm2 / (kRadiusMm * kRadiusMm);
  const double d50Gy = kKGyMm2 / (kRadiusMm * kRadiusMm * std::pow(0.5, 2.0 / 3.0));
  // A mask of R/h = 20 voxels: the staircase surface deviates from the sphere by up to ±h/2 locally
  // but cancels on average, leaving the volume within 0.5 % (measured 0.12 %).
  constexpr double kVolumeTolerance = 0.005;
  // D90 is set by the coldest 10 %, a 0.35 mm shell thinner than a voxel, where the cancellation is
  // incomplete: a residual radial shift of h/10 (0.05 mm) moves D90 ∝ r^-2 by 1 % (measured 0.57 %;
  // 0.75 % at h = 1 mm, 0.05 % at h = 0.25 mm). D50 lies well inside and is resolved better.
  constexpr double kD90Tolerance = 0.01;
  constexpr double kD50Tolerance = 0.005;
  // The mean is a midpoint rule on the integrable singularity at the source, which sits on a voxel
  // corner: the 8 voxels touching it hold ∫k/r^2 dV ≈ 15.4 k h but are sampled as 32/3 k h, a
  // deficit of about 4.7 k h out of 4πkR, i.e. 1.9 % for h = 0.5 mm, R = 10 mm; the next voxels
  // add a little (measured 2.3 %, from below).
  constexpr double kMeanTolerance = 0.03;

  const Mask mask = MakeMask(CenteredGrid(Eigen::Vector3d::Zero(), kVoxelMm, 44),
                             [&](const Eigen::Vector3d& p) { return p.norm() < kRadiusMm; });
  const Dvh dvh = DvhCalculator::Compute(
      mask, [](const Eigen::Vector3d& p) { return kKGyMm2 / p.squaredNorm(); });
  std::cout << "[ sphere k/r^2 ] volume " << dvh.VolumeMm3() << " mm^3 (true " << sphereMm3
            << "), D90 " << dvh.DoseAtVolumeFraction(0.9) << " Gy (true " << d90Gy << "), Dmean "
            << dvh.MeanDoseGy() << " Gy (true " << meanGy << ")\n";
  EXPECT_NEAR(dvh.VolumeMm3(), sphereMm3, kVolumeTolerance * sphereMm3);
  EXPECT_NEAR(dvh.DoseAtVolumeFraction(0.9), d90Gy, kD90Tolerance * d90Gy);
  EXPECT_NEAR(dvh.DoseAtVolumeFraction(0.5), d50Gy, kD50Tolerance * d50Gy);
  EXPECT_NEAR(dvh.MeanDoseGy(), meanGy, kMeanTolerance * meanGy);
  EXPECT_LT(dvh.MeanDoseGy(), meanGy); // the midpoint rule underestimates a convex integrand
}

TEST(DvhCalculator, MaskOnAFinerShiftedRotatedGridThanTheDoseWorks) {
  // The dose is linear, so the 2 mm dose grid interpolates it exactly (float rounding only), and
  // the mask's box is symmetric about its centre: Dmean is the dose at the centre.
  constexpr double kFloatRoundingGy = 1e-3;
  // The DVH's volume is the mask's voxel count x its own voxel volume, summed over ~10^5 samples.
  constexpr double kVolumeRelativeRounding = 1e-10;
  const Eigen::Matrix3d direction =
      Eigen::AngleAxisd(0.3, Eigen::Vector3d(0, 0, 1)).toRotationMatrix();
  const Eigen::Vector3d centreMm(1.3, -0.7, 0.45);
  const Mask mask = MakeMask(CenteredGrid(centreMm, 0.4, 30, direction),
                             [&](const Eigen::Vector3d& p) { return (p - centreMm).norm() < 5.0; });
  const auto doseGyAt = [](const Eigen::Vector3d& p) {
    return 80.0 + 3.0 * p.x() + 1.0 * p.y() - 2.0 * p.z();
  };
  const Volume<float> dose =
      MakeDose(CenteredGrid(Eigen::Vector3d(0.6, 0.2, -0.3), 2.0, 10), doseGyAt);
  const Dvh dvh = DvhCalculator::Compute(mask, dose);
  EXPECT_NEAR(dvh.VolumeMm3(), MaskVolumeMm3(mask), kVolumeRelativeRounding * MaskVolumeMm3(mask));
  EXPECT_NEAR(dvh.MeanDoseGy(), doseGyAt(centreMm), kFloatRoundingGy);
  const Dvh direct = DvhCalculator::Compute(mask, doseGyAt);
  EXPECT_NEAR(dvh.DoseAtVolumeFraction(0.9), direct.DoseAtVolumeFraction(0.9), kFloatRoundingGy);
}

TEST(DvhCalculator, MaskExtendingOutsideTheDoseGridIsRefused) {
  const Mask mask = MakeMask(CenteredGrid(Eigen::Vector3d::Zero(), 1.0, 20),
                             [](const Eigen::Vector3d& p) { return p.norm() < 8.0; });
  const Volume<float> dose(CenteredGrid(Eigen::Vector3d(5, 0, 0), 1.0, 20), 1.0f);
  try {
    DvhCalculator::Compute(mask, dose);
    FAIL() << "expected InvalidInput";
  } catch (const InvalidInput& error) {
    const std::string message = error.what();
    EXPECT_NE(message.find("outside the dose grid"), std::string::npos) << message;
    EXPECT_NE(message.find("mm"), std::string::npos) << message;
    EXPECT_EQ(message.find('\n'), std::string::npos) << message;
  }
}

TEST(DvhCalculator, EmptyMaskIsRefused) {
  const GridGeometry geometry = CenteredGrid(Eigen::Vector3d::Zero(), 1.0, 8);
  const Mask mask(geometry, 0);
  const Volume<float> dose(geometry, 1.0f);
  EXPECT_THROW(DvhCalculator::Compute(mask, dose), InvalidInput);
  EXPECT_THROW(DvhCalculator::Compute(mask, [](const Eigen::Vector3d&) { return 1.0; }),
               InvalidInput);
}

TEST(DvhCalculator, AnExceptionFromTheDoseFunctionReachesTheCaller) {
  const Mask mask = MakeMask(CenteredGrid(Eigen::Vector3d::Zero(), 1.0, 12),
                             [](const Eigen::Vector3d& p) { return p.norm() < 5.0; });
  EXPECT_THROW(DvhCalculator::Compute(mask,
                                      [](const Eigen::Vector3d& p) -> double {
                                        if (p.z() > 2.0) {
                                          throw seedplan::DataFormat("dose unavailable");
                                        }
                                        return 1.0;
                                      }),
               seedplan::DataFormat);
}

TEST(DvhCalculator, BorderVoxelsAreSubsampledAndInteriorVoxelsSampledOnce) {
  // A 3x3x3 block: one interior voxel, 26 border voxels of n^3 sub-samples each.
  const Mask mask =
      MakeMask(CenteredGrid(Eigen::Vector3d::Zero(), 1.0, 5),
               [](const Eigen::Vector3d& p) { return p.cwiseAbs().maxCoeff() < 1.5; });
  const auto one = [](const Eigen::Vector3d&) { return 1.0; };
  EXPECT_EQ(DvhCalculator::Compute(mask, one, 4).SampleCount(), 1u + 26u * 64u);
  EXPECT_EQ(DvhCalculator::Compute(mask, one, 1).SampleCount(), 27u);
  EXPECT_THROW(DvhCalculator::Compute(mask, one, 0), InvalidInput);
}

// ---------------------------------------------------------------------------------------------
// Issue 2: small lesions around 6711 seeds

/// Volumes and doses of the true sphere of radius R around a 6711 seed at the origin along z, by
/// midpoint quadrature in (r, θ) with volume element 2π r^2 sinθ dr dθ (total dose per U, 2D).
std::vector<Dvh::Sample> TrueSphereSamples(const SourceModel& model, double radiusMm, int steps) {
  const double drMm = radiusMm / steps;
  const double dTheta = std::numbers::pi / steps;
  std::vector<Dvh::Sample> samples;
  samples.reserve(static_cast<std::size_t>(steps) * static_cast<std::size_t>(steps));
  for (int a = 0; a < steps; ++a) {
    const double rMm = (a + 0.5) * drMm;
    for (int b = 0; b < steps; ++b) {
      const double theta = (b + 0.5) * dTheta;
      const double volumeMm3 = 2.0 * std::numbers::pi * rMm * rMm * std::sin(theta) * drMm * dTheta;
      const double doseGy = seedplan::units::GyFromCGy(
          model.DoseRatePerU(seedplan::units::CmFromMm(rMm), theta, Formalism::Line2D) *
          seedplan::units::MeanLifeHours(model.HalfLifeDays()));
      samples.push_back({doseGy, volumeMm3});
    }
  }
  return samples;
}

constexpr double kSphereRadiusMm = 5.0;
constexpr int kQuadratureSteps = 400;

TEST(DvhCalculator,
     FiveMillimetreSphereAsAQuarterMillimetreMaskAroundA6711SeedReproducesTheTrueD90) {
  // Issue 2: within 1 % of the true sphere's D90.
  constexpr double kIssueTolerance = 0.01;
  // The issue quotes "about 87.2 Gy per U" (total dose, 2D): our quadrature must agree to 0.5 %.
  constexpr double kQuotedD90GyPerU = 87.2;
  constexpr double kQuotedTolerance = 0.005;
  const SourceModel model = Load6711();
  const double trueD90 =
      HottestFractionMinimumDose(TrueSphereSamples(model, kSphereRadiusMm, kQuadratureSteps), 0.9);
  const Eigen::Vector3d seedMm = Eigen::Vector3d::Zero();
  const Eigen::Vector3d axis = Eigen::Vector3d::UnitZ();
  const Mask mask = MakeMask(CenteredGrid(seedMm, 0.25, 44),
                             [](const Eigen::Vector3d& p) { return p.norm() < kSphereRadiusMm; });
  const Dvh dvh = DvhCalculator::Compute(
      mask, [&](const Eigen::Vector3d& p) { return TotalDoseGyPerU(model, seedMm, axis, p); });
  const double maskD90 = dvh.DoseAtVolumeFraction(0.9);
  std::cout << "[ 6711, R = 5 mm ] true D90 " << trueD90 << " Gy/U; 0.25 mm mask D90 " << maskD90
            << " Gy/U (" << 100.0 * (maskD90 / trueD90 - 1.0) << " %), mask volume "
            << dvh.VolumeMm3() << " mm^3 vs " << 4.0 / 3.0 * std::numbers::pi * 125.0 << "\n";
  EXPECT_NEAR(trueD90, kQuotedD90GyPerU, kQuotedTolerance * kQuotedD90GyPerU);
  EXPECT_NEAR(maskD90, trueD90, kIssueTolerance * trueD90);
}

TEST(DvhCalculator, OneMillimetreMaskOfTheSameSphereIsFurtherFromTheTrueD90) {
  // Documentation of why small structures need fine masks: the 1 mm binary mask's staircase
  // changes the volume by a few percent and D90 with it. Asserted only as "worse than 0.25 mm".
  const SourceModel model = Load6711();
  const double trueD90 =
      HottestFractionMinimumDose(TrueSphereSamples(model, kSphereRadiusMm, kQuadratureSteps), 0.9);
  const Eigen::Vector3d seedMm = Eigen::Vector3d::Zero();
  const Eigen::Vector3d axis = Eigen::Vector3d::UnitZ();
  const auto doseGyAt = [&](const Eigen::Vector3d& p) {
    return TotalDoseGyPerU(model, seedMm, axis, p);
  };
  const auto inSphere = [](const Eigen::Vector3d& p) { return p.norm() < kSphereRadiusMm; };
  const double fineD90 =
      DvhCalculator::Compute(MakeMask(CenteredGrid(seedMm, 0.25, 44), inSphere), doseGyAt)
          .DoseAtVolumeFraction(0.9);
  const Dvh coarse =
      DvhCalculator::Compute(MakeMask(CenteredGrid(seedMm, 1.0, 12), inSphere), doseGyAt);
  const double coarseD90 = coarse.DoseAtVolumeFraction(0.9);
  std::cout << "[ 6711, R = 5 mm ] true D90 " << trueD90 << " Gy/U; 1 mm mask D90 " << coarseD90
            << " Gy/U (" << 100.0 * (coarseD90 / trueD90 - 1.0) << " %, volume "
            << coarse.VolumeMm3() << " mm^3); 0.25 mm mask " << 100.0 * (fineD90 / trueD90 - 1.0)
            << " %\n";
  EXPECT_GT(std::abs(coarseD90 - trueD90), std::abs(fineD90 - trueD90));
}

TEST(DvhCalculator, HalfCcLesionD90IsWithinOnePercentOfTheDenselySampledD90) {
  // Issue 2: a 0.5 cc lesion at CT-like resolution, dose on a 1 mm grid from three 6711 seeds.
  constexpr double kIssueTolerance = 0.01;
  constexpr double kStrengthU = 0.8; // about 0.63 mCi, a typical seed
  constexpr int kDenseSubdivisions = 10;
  constexpr double kVolumeRoundingCc = 1e-9; // both sum the same voxels' volumes
  const SourceModel model = Load6711();
  struct SeedPose {
    Eigen::Vector3d positionMm;
    Eigen::Vector3d axis;
  };
  const std::vector<SeedPose> seeds = {
      {Eigen::Vector3d(-2.5, 0.5, -1.0), Eigen::Vector3d::UnitZ()},
      {Eigen::Vector3d(2.5, -0.5, 0.5), Eigen::Vector3d::UnitZ()},
      {Eigen::Vector3d(0.0, 1.5, 3.5), Eigen::Vector3d(1, 0, 1).normalized()}};
  const auto totalDoseGy = [&](const Eigen::Vector3d& p) {
    double doseGy = 0.0;
    for (const auto& seed : seeds) {
      doseGy += kStrengthU * TotalDoseGyPerU(model, seed.positionMm, seed.axis, p);
    }
    return doseGy;
  };
  const Volume<float> dose = MakeDose(CenteredGrid(Eigen::Vector3d::Zero(), 1.0, 30), totalDoseGy);

  // An ellipsoid of semi-axes 6, 5, 4 mm (0.503 cc), tilted, off the grid's centre, with a bump.
  const Eigen::Matrix3d tilt =
      Eigen::AngleAxisd(0.5, Eigen::Vector3d(1, -1, 2).normalized()).toRotationMatrix();
  const Eigen::Vector3d centreMm(0.3, -0.4, 0.2);
  const auto inLesion = [&](const Eigen::Vector3d& p) {
    const Eigen::Vector3d q = tilt.transpose() * (p - centreMm);
    const bool ellipsoid =
        std::pow(q.x() / 6.0, 2) + std::pow(q.y() / 5.0, 2) + std::pow(q.z() / 4.0, 2) < 1.0;
    const bool bump = (q - Eigen::Vector3d(0, 4.5, 1.5)).norm() < 2.0;
    return ellipsoid || bump;
  };
  const GridGeometry ctGeometry(Eigen::Vector3d(-9.7, -9.2, -8.5),
                                Eigen::Vector3d(0.9765625, 0.9765625, 1.0), {20, 20, 18});
  const Mask mask = MakeMask(ctGeometry, inLesion);

  const Dvh dvh = DvhCalculator::Compute(mask, dose);
  const Dvh centresOnly = DvhCalculator::Compute(mask, dose, 1);
  // The reference sub-samples every voxel of the mask (not only the border) on a 10^3 grid, with
  // the same trilinear interpolation of the same dose grid.
  const GridDoseSampler sampler(dose);
  std::vector<Dvh::Sample> denseSamples;
  const auto& size = ctGeometry.Size();
  const double subVolumeMm3 = ctGeometry.VoxelVolumeMm3() / std::pow(kDenseSubdivisions, 3);
  for (std::int64_t k = 0; k < size[2]; ++k) {
    for (std::int64_t j = 0; j < size[1]; ++j) {
      for (std::int64_t i = 0; i < size[0]; ++i) {
        if (mask.At(i, j, k) == 0) {
          continue;
        }
        for (int c = 0; c < kDenseSubdivisions; ++c) {
          for (int b = 0; b < kDenseSubdivisions; ++b) {
            for (int a = 0; a < kDenseSubdivisions; ++a) {
              const auto offset = [](int s) { return (s + 0.5) / kDenseSubdivisions - 0.5; };
              const Eigen::Vector3d p = ctGeometry.IndexToPoint(
                  double(i) + offset(a), double(j) + offset(b), double(k) + offset(c));
              denseSamples.push_back({sampler.DoseAt(p), subVolumeMm3});
            }
          }
        }
      }
    }
  }
  const Dvh reference(std::move(denseSamples));
  const double d90 = dvh.DoseAtVolumeFraction(0.9);
  const double referenceD90 = reference.DoseAtVolumeFraction(0.9);
  std::cout << "[ 0.5 cc lesion ] volume " << dvh.VolumeCc() << " cc; D90 " << d90
            << " Gy (border 4^3), dense 10^3 " << referenceD90 << " Gy ("
            << 100.0 * (d90 / referenceD90 - 1.0) << " %), centres only "
            << centresOnly.DoseAtVolumeFraction(0.9) << " Gy ("
            << 100.0 * (centresOnly.DoseAtVolumeFraction(0.9) / referenceD90 - 1.0) << " %)\n";
  EXPECT_NEAR(dvh.VolumeCc(), reference.VolumeCc(), kVolumeRoundingCc);
  EXPECT_NEAR(d90, referenceD90, kIssueTolerance * referenceD90);
}

} // namespace
