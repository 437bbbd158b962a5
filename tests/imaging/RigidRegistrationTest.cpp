#include "seedplan/imaging/RigidRegistration.h"

#include "seedplan/imaging/PostImplantPhantom.h"
#include "seedplan/imaging/ThoraxPhantom.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/Volume.h"

#include <gtest/gtest.h>

#include <Eigen/Geometry>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <numbers>
#include <string>
#include <vector>

namespace seedplan::imaging {
namespace {

// The requirement: on the sample post-implant CT the known shift is recovered within 1 mm
// (at the lesions, where the seeds are evaluated).
constexpr double kLesionToleranceMm = 1.0;
// 1 mm at the edge of a lesion 100 mm from the centre of rotation is 0.57 degrees; a rotation
// error of a quarter of that keeps the rotation's share of the error at 0.25 mm.
constexpr double kRotationToleranceDeg = 0.15;
// Two scans of the same patient in the same position differ by noise only: the alignment must
// stay put to a tenth of the finest level's 2 mm voxels.
constexpr double kIdentityToleranceMm = 0.2;
// The consistency residual should be far below the tolerance when the images pin the optimum.
constexpr double kResidualLimitMm = 0.5;
// The sample patient takes about 4 s of CPU (2-3 s on two idle cores, phantom generation not
// counted); the limit catches a level that runs to its iteration limit without failing on a
// machine shared with builds.

double DegreesOf(const Eigen::Matrix3d& rotation) {
  return Eigen::AngleAxisd(rotation).angle() * 180.0 / std::numbers::pi;
}

/// Points of every lesion: the centre and the six points on its approximate surface along the
/// axes (planning coordinates, mm).
std::vector<std::pair<std::string, Eigen::Vector3d>> LesionPoints() {
  std::vector<std::pair<std::string, Eigen::Vector3d>> points;
  for (const PhantomLesion& lesion : ThoraxPhantom::Lesions()) {
    const double radiusMm = 0.5 * lesion.approximateDiameterMm;
    points.emplace_back(lesion.structureName, lesion.centreMm);
    for (int axis = 0; axis < 3; ++axis) {
      for (const double sign : {-1.0, 1.0}) {
        points.emplace_back(lesion.structureName,
                            lesion.centreMm + sign * radiusMm * Eigen::Vector3d::Unit(axis));
      }
    }
  }
  return points;
}

/// Largest distance, per lesion, between where the found movingToFixed and the true one put the
/// lesion points of the moving scan; prints the figures.
double WorstLesionErrorMm(const Eigen::Matrix4d& foundMovingToFixed,
                          const Eigen::Matrix4d& trueMovingToFixed, const std::string& label) {
  const Eigen::Matrix4d fixedToMovingTrue = trueMovingToFixed.inverse();
  double worst = 0.0;
  std::string lesionName;
  double lesionWorst = 0.0;
  auto flush = [&]() {
    if (!lesionName.empty()) {
      std::cout << "[ figures  ] " << label << ": " << lesionName << " worst error " << lesionWorst
                << " mm\n";
    }
  };
  for (const auto& [name, fixedPoint] : LesionPoints()) {
    if (name != lesionName) {
      flush();
      lesionName = name;
      lesionWorst = 0.0;
    }
    const Eigen::Vector4d movingPoint = fixedToMovingTrue * fixedPoint.homogeneous();
    const double error = ((foundMovingToFixed * movingPoint).head<3>() - fixedPoint).norm();
    lesionWorst = std::max(lesionWorst, error);
    worst = std::max(worst, error);
  }
  flush();
  return worst;
}

Eigen::Matrix4d Translation(const Eigen::Vector3d& shiftMm) {
  Eigen::Matrix4d transform = Eigen::Matrix4d::Identity();
  transform.topRightCorner<3, 1>() = shiftMm;
  return transform;
}

/// A faster grid than the planning CT's for the cases that test the mechanics, not the sample.
GridGeometry CoarseGeometry() {
  ThoraxPhantomOptions options;
  options.inPlaneSpacingMm = 1.8;
  options.sliceSpacingMm = 2.5;
  return ThoraxPhantom::PlanningGeometry(options);
}

struct Timed {
  RigidRegistrationResult result;
  double seconds = 0.0;
};

Timed TimedRegister(const Volume<short>& fixed, const Volume<short>& moving,
                    const RigidRegistrationOptions& options = {}) {
  const auto start = std::chrono::steady_clock::now();
  Timed timed{RigidRegistration::Register(fixed, moving, options), 0.0};
  timed.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return timed;
}

class SamplePatientRegistration : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    s_Planning = ThoraxPhantom::Generate();
    s_Post = PostImplantPhantom::Generate(
        s_Planning, PostImplantPhantom::DeviatedSeeds(s_Planning.sampleSeeds));
  }
  static void TearDownTestSuite() {
    s_Planning = {};
    s_Post = {};
  }
  static PhantomCase s_Planning;
  static PostImplantScan s_Post;
};

PhantomCase SamplePatientRegistration::s_Planning;
PostImplantScan SamplePatientRegistration::s_Post;

TEST_F(SamplePatientRegistration, PostImplantCtIsAlignedWithinOneMillimetreAtEveryLesion) {
  const Timed timed = TimedRegister(s_Planning.ct, s_Post.ct);
  const Eigen::Matrix4d truth = s_Post.planningToPost.inverse(); // post -> planning
  const double worst = WorstLesionErrorMm(timed.result.movingToFixed, truth, "sample post CT");
  const double rotationErrorDeg = DegreesOf(timed.result.movingToFixed.topLeftCorner<3, 3>() *
                                            truth.topLeftCorner<3, 3>().transpose());
  std::cout << "[ figures  ] sample post CT: worst lesion error " << worst << " mm, rotation error "
            << rotationErrorDeg << " deg (true rotation " << DegreesOf(truth.topLeftCorner<3, 3>())
            << " deg), residual " << timed.result.residualMm << " mm, mean |HU difference| "
            << timed.result.meanAbsoluteHuDifference << ", " << timed.result.iterations
            << " iterations, " << timed.seconds << " s\n";
  std::cout << "[ figures  ] " << timed.result.description << "\n";
  EXPECT_LE(worst, kLesionToleranceMm);
  EXPECT_LE(rotationErrorDeg, kRotationToleranceDeg);
  EXPECT_LE(timed.result.residualMm, kResidualLimitMm);
}

TEST_F(SamplePatientRegistration, RegionOfInterestAroundTheLungLesionAlignsIt) {
  const PhantomLesion lung = ThoraxPhantom::Lesions().front();
  ASSERT_EQ(lung.structureName, "GTV_Lung");
  RigidRegistrationOptions options;
  options.regionOfInterest = RegionOfInterestMm{lung.centreMm - Eigen::Vector3d::Constant(50.0),
                                                lung.centreMm + Eigen::Vector3d::Constant(50.0)};
  const Timed timed = TimedRegister(s_Planning.ct, s_Post.ct, options);
  const Eigen::Matrix4d truth = s_Post.planningToPost.inverse();
  const Eigen::Matrix4d fixedToMovingTrue = s_Post.planningToPost;
  double worst = 0.0;
  for (const auto& [name, fixedPoint] : LesionPoints()) {
    if (name == lung.structureName) {
      const Eigen::Vector4d movingPoint = fixedToMovingTrue * fixedPoint.homogeneous();
      worst = std::max(worst,
                       ((timed.result.movingToFixed * movingPoint).head<3>() - fixedPoint).norm());
    }
  }
  std::cout << "[ figures  ] lung region of interest (100 mm box): GTV_Lung worst error " << worst
            << " mm, rotation error "
            << DegreesOf(timed.result.movingToFixed.topLeftCorner<3, 3>() *
                         truth.topLeftCorner<3, 3>().transpose())
            << " deg, residual " << timed.result.residualMm << " mm, " << timed.seconds << " s\n";
  EXPECT_LE(worst, kLesionToleranceMm);
}

TEST_F(SamplePatientRegistration, IdentityStartAlsoConverges) {
  RigidRegistrationOptions options;
  options.initialisation = RigidInitialisation::Identity;
  options.estimateResidual = false;
  const Timed timed = TimedRegister(s_Planning.ct, s_Post.ct, options);
  const double worst = WorstLesionErrorMm(timed.result.movingToFixed,
                                          s_Post.planningToPost.inverse(), "identity start");
  EXPECT_LE(worst, kLesionToleranceMm);
  EXPECT_TRUE(std::isnan(timed.result.residualMm));
}

TEST(RigidRegistration, PureTranslationIsRecovered) {
  const GridGeometry geometry = CoarseGeometry();
  const Volume<short> fixed =
      ThoraxPhantom::SampleCt(geometry, Eigen::Matrix4d::Identity(), 10.0, 1);
  // x_planning = movingToFixed * x_moving.
  const Eigen::Matrix4d movingToFixed = Translation(Eigen::Vector3d(-6.3, 4.1, -7.4));
  const Volume<short> moving = ThoraxPhantom::SampleCt(geometry, movingToFixed, 10.0, 2);
  const Timed timed = TimedRegister(fixed, moving);
  const double worst = WorstLesionErrorMm(timed.result.movingToFixed, movingToFixed, "translation");
  const double rotationErrorDeg = DegreesOf(timed.result.movingToFixed.topLeftCorner<3, 3>());
  std::cout << "[ figures  ] translation: worst lesion error " << worst << " mm, rotation "
            << rotationErrorDeg << " deg, " << timed.result.iterations << " iterations, "
            << timed.seconds << " s\n";
  EXPECT_LE(worst, kLesionToleranceMm);
  EXPECT_LE(rotationErrorDeg, kRotationToleranceDeg);
}

TEST(RigidRegistration, MovingCtOnAGridTurnedAboutTheAxisIsAligned) {
  // The moving CT's i axis runs along +y and its j axis along -x (a direction matrix that is not
  // the identity, as for a patient scanned lying on the side): the geometry must reach ITK intact.
  const GridGeometry fixedGeometry = CoarseGeometry();
  Eigen::Matrix3d direction;
  direction << 0, -1, 0, 1, 0, 0, 0, 0, 1;
  const auto& fixedSize = fixedGeometry.Size();
  const std::array<std::int64_t, 3> size{fixedSize[1], fixedSize[0], fixedSize[2]};
  const Eigen::Vector3d spacing = fixedGeometry.SpacingMm();
  const Eigen::Vector3d halfExtent(0.5 * static_cast<double>(size[0] - 1) * spacing.y(),
                                   0.5 * static_cast<double>(size[1] - 1) * spacing.x(),
                                   0.5 * static_cast<double>(size[2] - 1) * spacing.z());
  const GridGeometry movingGeometry(-direction * halfExtent,
                                    Eigen::Vector3d(spacing.y(), spacing.x(), spacing.z()), size,
                                    direction);
  Eigen::Matrix4d movingToFixed = Translation(Eigen::Vector3d(5.0, -4.0, 3.0));
  movingToFixed.topLeftCorner<3, 3>() =
      Eigen::AngleAxisd(3.0 * std::numbers::pi / 180.0, Eigen::Vector3d::UnitY())
          .toRotationMatrix();
  const Volume<short> fixed =
      ThoraxPhantom::SampleCt(fixedGeometry, Eigen::Matrix4d::Identity(), 10.0, 5);
  const Volume<short> moving = ThoraxPhantom::SampleCt(movingGeometry, movingToFixed, 10.0, 6);
  const Timed timed = TimedRegister(fixed, moving);
  const double worst = WorstLesionErrorMm(timed.result.movingToFixed, movingToFixed, "turned grid");
  const double rotationErrorDeg = DegreesOf(timed.result.movingToFixed.topLeftCorner<3, 3>() *
                                            movingToFixed.topLeftCorner<3, 3>().transpose());
  std::cout << "[ figures  ] turned grid: worst lesion error " << worst << " mm, rotation error "
            << rotationErrorDeg << " deg, " << timed.result.iterations << " iterations, "
            << timed.seconds << " s\n";
  EXPECT_LE(worst, kLesionToleranceMm);
  EXPECT_LE(rotationErrorDeg, kRotationToleranceDeg);
}

TEST(RigidRegistration, SameScanWithOtherNoiseStaysAtIdentity) {
  const GridGeometry geometry = CoarseGeometry();
  const Volume<short> fixed =
      ThoraxPhantom::SampleCt(geometry, Eigen::Matrix4d::Identity(), 10.0, 3);
  const Volume<short> moving =
      ThoraxPhantom::SampleCt(geometry, Eigen::Matrix4d::Identity(), 10.0, 4);
  const Timed timed = TimedRegister(fixed, moving);
  const double worst =
      WorstLesionErrorMm(timed.result.movingToFixed, Eigen::Matrix4d::Identity(), "identity");
  std::cout << "[ figures  ] identity: worst lesion error " << worst << " mm, mean |HU difference| "
            << timed.result.meanAbsoluteHuDifference << ", " << timed.result.iterations
            << " iterations, " << timed.seconds << " s\n";
  std::cout << "[ figures  ] " << timed.result.description << "\n";
  EXPECT_LE(worst, kIdentityToleranceMm);
  EXPECT_TRUE((timed.result.movingToFixed.topLeftCorner<3, 3>().isUnitary(1e-9)));
}

TEST(RigidRegistration, EmptyCtIsRefused) {
  const Volume<short> empty;
  const Volume<short> ct(CoarseGeometry(), 0);
  EXPECT_THROW(RigidRegistration::Register(empty, ct), InvalidInput);
  EXPECT_THROW(RigidRegistration::Register(ct, empty), InvalidInput);
}

TEST(RigidRegistration, RegionOfInterestOutsideTheFixedCtIsRefused) {
  const Volume<short> ct =
      ThoraxPhantom::SampleCt(CoarseGeometry(), Eigen::Matrix4d::Identity(), 0.0, 1);
  RigidRegistrationOptions options;
  options.regionOfInterest =
      RegionOfInterestMm{Eigen::Vector3d(1000, 1000, 1000), Eigen::Vector3d(1100, 1100, 1100)};
  EXPECT_THROW(RigidRegistration::Register(ct, ct, options), InvalidInput);
  options.regionOfInterest =
      RegionOfInterestMm{Eigen::Vector3d(10, 10, 10), Eigen::Vector3d(0, 20, 20)};
  EXPECT_THROW(RigidRegistration::Register(ct, ct, options), InvalidInput);
}

TEST(RigidRegistration, AirOnlyCtIsRefused) {
  const Volume<short> air(CoarseGeometry(), -1000);
  EXPECT_THROW(RigidRegistration::Register(air, air), InvalidInput);
}

} // namespace
} // namespace seedplan::imaging
