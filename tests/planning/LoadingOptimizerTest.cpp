// Seed-loading optimisation (issue 4, "Seed-loading optimisation"): a 3 cm spherical lesion in
// water with parallel needles 10 mm apart and a candidate every 5 mm, 0.5 mCi 6711 seeds
// (S_K = 0.635 U), Rx 120 Gy; organ limits, background dose of another lesion, minimality,
// determinism; and GTV_Lung of the sample patient.

#include "seedplan/planning/LoadingOptimizer.h"
#include "seedplan/core/Error.h"
#include "seedplan/dosimetry/SourceLibrary.h"
#include "seedplan/imaging/ThoraxPhantom.h"
#include "seedplan/planning/DoseInfluenceMatrix.h"
#include "seedplan/planning/LoadingDoseCheck.h"

#include <Eigen/Geometry>
#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <omp.h>

namespace {

using namespace seedplan;
using namespace seedplan::planning;

constexpr double kRxGy = 120.0;
constexpr double kStrengthU = 0.5 * 1.270; ///< 0.5 mCi of 6711 at 1.270 U/mCi
/// Predicted (influence-matrix points, border 2^3, exact point doses) against exact (1 mm grid,
/// trilinear, DvhCalculator border 4^3): both resolve the edge's gradient to well under 1 %.
constexpr double kD90RelativeTolerance = 0.01;
/// V100, V150 differ by the sub-voxels whose dose crosses the level between the two samplings,
/// and the grid's trilinear interpolation overestimates the convex 1/r^2 dose near seeds (V150,
/// V200): 2 % of the volume.
constexpr double kVolumePctTolerance = 2.0;
/// Organ metrics: the organ's hottest 0.1 cc lies at its surface facing the seeds, where the dose
/// changes by ~10 %/mm; 3 % covers the two samplings.
constexpr double kOrganRelativeTolerance = 0.03;

const dosimetry::SourceLibrary& Library() {
  static const dosimetry::SourceLibrary library(SEEDPLAN_SOURCES_DIR);
  return library;
}

/// A sphere on a 1 mm grid whose voxel centres are symmetric about `centreMm`.
Mask SphereMask(const Eigen::Vector3d& centreMm, double radiusMm, double spacingMm = 1.0) {
  const std::int64_t n = 2 * static_cast<std::int64_t>(std::ceil(radiusMm / spacingMm + 1.0));
  const Eigen::Vector3d origin =
      centreMm - Eigen::Vector3d::Constant(0.5 * double(n - 1) * spacingMm);
  Mask mask(GridGeometry(origin, Eigen::Vector3d::Constant(spacingMm), {n, n, n}), 0);
  for (std::int64_t k = 0; k < n; ++k) {
    for (std::int64_t j = 0; j < n; ++j) {
      for (std::int64_t i = 0; i < n; ++i) {
        const Eigen::Vector3d p = mask.Geometry().IndexToPoint(double(i), double(j), double(k));
        mask.At(i, j, k) = (p - centreMm).norm() <= radiusMm ? 1 : 0;
      }
    }
  }
  return mask;
}

/// Candidates on parallel needles along `direction` through a square lattice of `needleSpacingMm`
/// centred on the lesion, one every `seedSpacingMm`, kept if within `reachMm` of the centre.
std::vector<Seed> LatticeCandidates(const Eigen::Vector3d& centreMm, double reachMm,
                                    const Eigen::Vector3d& direction, double needleSpacingMm = 10.0,
                                    double seedSpacingMm = 5.0) {
  const Eigen::Vector3d along = direction.normalized();
  const Eigen::Vector3d helper =
      std::abs(along.z()) < 0.9 ? Eigen::Vector3d::UnitZ() : Eigen::Vector3d::UnitX();
  const Eigen::Vector3d u = along.cross(helper).normalized();
  const Eigen::Vector3d v = along.cross(u);
  const int needleReach = static_cast<int>(std::floor(reachMm / needleSpacingMm));
  const int seedReach = static_cast<int>(std::floor(reachMm / seedSpacingMm));
  std::vector<Seed> candidates;
  int needle = 0;
  for (int a = -needleReach; a <= needleReach; ++a) {
    for (int b = -needleReach; b <= needleReach; ++b) {
      ++needle;
      for (int s = -seedReach; s <= seedReach; ++s) {
        const Eigen::Vector3d p = centreMm + u * (a * needleSpacingMm) + v * (b * needleSpacingMm) +
                                  along * (s * seedSpacingMm);
        if ((p - centreMm).norm() <= reachMm) {
          Seed seed;
          seed.positionMm = p;
          seed.direction = along;
          seed.needle = std::string("N").append(std::to_string(needle));
          candidates.push_back(seed);
        }
      }
    }
  }
  return candidates;
}

DoseInfluenceOptions Options() {
  DoseInfluenceOptions options;
  options.strengthU = kStrengthU;
  return options;
}

LoadingGoals Goals() {
  LoadingGoals goals;
  goals.prescriptionGy = kRxGy;
  return goals;
}

void Print(const std::string& title, const LoadingResult& result,
           const LoadingDoseCheckResult& exact, const DoseInfluenceMatrix& matrix) {
  std::cout << title << ": " << result.seeds.size() << " seeds of " << matrix.CandidateCount()
            << " candidates, " << matrix.PointCount() << " points; predicted D90 "
            << result.predicted.target.D90Gy << " V100 " << result.predicted.target.V100Pct
            << " V150 " << result.predicted.target.V150Pct << " V200 "
            << result.predicted.target.V200Pct << "; exact D90 " << exact.target.D90Gy << " V100 "
            << exact.target.V100Pct << " V150 " << exact.target.V150Pct << " V200 "
            << exact.target.V200Pct << "; greedy " << result.greedyAdditions << " removals "
            << result.removals << " swaps " << result.swaps << "; matrix "
            << matrix.ComputeSeconds() << " s, optimise " << result.seconds << " s\n";
  for (const OrganCheck& organ : exact.organs) {
    std::cout << "  " << organ.limit.structureName << " " << organ.limit.metric << " predicted "
              << (organ.predictedGy ? *organ.predictedGy : -1) << " exact "
              << (organ.exactGy ? *organ.exactGy : -1) << " limit " << organ.limit.limitGy << "\n";
  }
  for (const std::string& line : result.predicted.Unmet()) {
    std::cout << "  unmet: " << line << "\n";
  }
}

TEST(LoadingOptimizer, ThreeCentimetreSphereReachesPrescriptionWithClinicalSeedCount) {
  const Eigen::Vector3d centre(0, 0, 0);
  const Mask target = SphereMask(centre, 15.0);
  const auto candidates = LatticeCandidates(centre, 15.0, Eigen::Vector3d::UnitZ());
  const auto matrix =
      DoseInfluenceMatrix::Compute(target, {}, candidates, {}, Library(), Options());
  const LoadingOptimizer optimizer(matrix, Goals(), {});
  const LoadingResult result = optimizer.Optimize();
  const auto exact = LoadingDoseCheck::Compute(matrix, optimizer, result, {}, {}, Library());
  Print("3 cm sphere", result, exact, matrix);
  EXPECT_TRUE(result.predicted.feasible);
  EXPECT_GE(exact.target.D90Gy, kRxGy);
  EXPECT_GE(exact.target.V100Pct, 95.0);
  EXPECT_GE(result.seeds.size(), 15u);
  EXPECT_LE(result.seeds.size(), 35u);
  EXPECT_NEAR(result.predicted.target.D90Gy, exact.target.D90Gy,
              kD90RelativeTolerance * exact.target.D90Gy);
  EXPECT_NEAR(result.predicted.target.V100Pct, exact.target.V100Pct, kVolumePctTolerance);
  EXPECT_NEAR(result.predicted.target.V150Pct, exact.target.V150Pct, kVolumePctTolerance);
}

const Eigen::Vector3d kCentre(0, 0, 0);
constexpr double kRadiusMm = 15.0;
/// An organ-at-risk sphere of radius 10 mm whose surface is 8 mm from the target's.
const Eigen::Vector3d kOrganCentre(kRadiusMm + 8.0 + 10.0, 0, 0);
constexpr double kOrganRadiusMm = 10.0;

/// The 3 cm sphere with the organ at risk, its influence matrix computed once.
struct SphereCase {
  Mask target = SphereMask(kCentre, kRadiusMm);
  Mask organ = SphereMask(kOrganCentre, kOrganRadiusMm);
  std::vector<OrganAtRiskMask> organs{{"OAR", &organ}};
  DoseInfluenceMatrix matrix = DoseInfluenceMatrix::Compute(
      target, organs, LatticeCandidates(kCentre, kRadiusMm, Eigen::Vector3d::UnitZ()), {},
      Library(), Options());
};

const SphereCase& Sphere() {
  static const SphereCase sphereCase;
  return sphereCase;
}

std::vector<OrganLimitSpec> OrganLimit(double limitGy) {
  return {{"OAR", "D0_1cc", limitGy}};
}

bool Mentions(const std::vector<std::string>& lines, const std::string& word) {
  for (const std::string& line : lines) {
    if (line.rfind(word, 0) == 0) {
      return true;
    }
  }
  return false;
}

TEST(LoadingOptimizer, OrganAtRiskLimitIsRespectedAndTheTargetStillCovered) {
  const SphereCase& sphere = Sphere();
  const LoadingOptimizer free(sphere.matrix, Goals(), OrganLimit(1000.0));
  const double unconstrainedGy = free.Optimize().predicted.organs.at(0).value.value();
  // 33 Gy is below what the unconstrained plan gives (about 34 Gy), so the limit binds (the
  // optimiser finds no loading under 31 Gy: the organ is 8 mm from a 120 Gy edge).
  constexpr double kLimitGy = 33.0;
  ASSERT_GT(unconstrainedGy, kLimitGy);
  const LoadingOptimizer optimizer(sphere.matrix, Goals(), OrganLimit(kLimitGy));
  const LoadingResult result = optimizer.Optimize();
  const auto exact =
      LoadingDoseCheck::Compute(sphere.matrix, optimizer, result, sphere.organs, {}, Library());
  Print("3 cm sphere, OAR D0.1cc <= 33 Gy", result, exact, sphere.matrix);
  EXPECT_TRUE(result.predicted.feasible);
  EXPECT_LE(result.predicted.organs.at(0).value.value(), kLimitGy);
  EXPECT_LE(exact.organs.at(0).exactGy.value(), kLimitGy * (1.0 + kOrganRelativeTolerance));
  EXPECT_NEAR(exact.organs.at(0).exactGy.value(), exact.organs.at(0).predictedGy.value(),
              kOrganRelativeTolerance * kLimitGy);
  EXPECT_GE(exact.target.D90Gy, kRxGy);
  EXPECT_GE(exact.target.V100Pct, 95.0);
}

TEST(LoadingOptimizer, ImpossibleOrganLimitIsReportedNotMetInsteadOfSilentlyViolated) {
  const SphereCase& sphere = Sphere();
  // 5 Gy at 8 mm from a 3 cm lesion planned to 120 Gy cannot be kept (about 34 Gy).
  constexpr double kImpossibleGy = 5.0;

  // Organ limits first (the default): the limit holds, the coverage is reported short.
  const LoadingOptimizer organFirst(sphere.matrix, Goals(), OrganLimit(kImpossibleGy));
  const LoadingResult kept = organFirst.Optimize();
  EXPECT_FALSE(kept.predicted.feasible);
  EXPECT_TRUE(Mentions(kept.predicted.Unmet(), "V100"));
  EXPECT_TRUE(kept.predicted.organs.at(0).met);
  const auto keptExact =
      LoadingDoseCheck::Compute(sphere.matrix, organFirst, kept, sphere.organs, {}, Library());
  EXPECT_FALSE(keptExact.feasible);
  EXPECT_LT(keptExact.target.V100Pct, 95.0);

  // Coverage first: the target is covered, the limit is reported exceeded and by how much.
  LoadingGoals goals = Goals();
  goals.organLimitsFirst = false;
  const LoadingOptimizer coverageFirst(sphere.matrix, goals, OrganLimit(kImpossibleGy));
  const LoadingResult covered = coverageFirst.Optimize();
  EXPECT_FALSE(covered.predicted.feasible);
  EXPECT_TRUE(Mentions(covered.predicted.Unmet(), "OAR D0_1cc"));
  EXPECT_FALSE(covered.predicted.organs.at(0).met);
  EXPECT_NE(covered.predicted.organs.at(0).description.find("over by"), std::string::npos);
  EXPECT_GE(covered.predicted.target.V100Pct, 95.0);
  const auto coveredExact = LoadingDoseCheck::Compute(sphere.matrix, coverageFirst, covered,
                                                      sphere.organs, {}, Library());
  EXPECT_FALSE(coveredExact.organs.at(0).met);
}

TEST(LoadingOptimizer, BackgroundDoseOfAnotherLesionReducesTheSeedsNeeded) {
  const SphereCase& sphere = Sphere();
  const std::size_t alone = LoadingOptimizer(sphere.matrix, Goals(), {}).Optimize().seeds.size();
  // Another lesion 10 mm beside the target, already planned: 8 seeds around (-30, 0, 0) mm.
  std::vector<Seed> background;
  for (double x : {-32.5, -27.5}) {
    for (double y : {-5.0, 5.0}) {
      for (double z : {-5.0, 5.0}) {
        Seed seed;
        seed.positionMm = {x, y, z};
        seed.direction = Eigen::Vector3d::UnitZ();
        seed.strengthU = kStrengthU;
        background.push_back(seed);
      }
    }
  }
  const auto matrix = DoseInfluenceMatrix::Compute(
      sphere.target, {}, LatticeCandidates(kCentre, kRadiusMm, Eigen::Vector3d::UnitZ()),
      background, Library(), Options());
  const LoadingOptimizer optimizer(matrix, Goals(), {});
  const LoadingResult result = optimizer.Optimize();
  const auto exact =
      LoadingDoseCheck::Compute(matrix, optimizer, result, {}, background, Library());
  Print("3 cm sphere with background", result, exact, matrix);
  std::cout << "  seeds alone " << alone << "\n";
  EXPECT_LT(result.seeds.size(), alone);
  EXPECT_TRUE(result.predicted.feasible);
  EXPECT_GE(exact.target.D90Gy, kRxGy);
  EXPECT_GE(exact.target.V100Pct, 95.0);
}

TEST(LoadingOptimizer, SixCentimetreSphereSampledWithinThePointBudgetAgreesWithTheExactDose) {
  const Mask target = SphereMask(kCentre, 30.0);
  const auto matrix = DoseInfluenceMatrix::Compute(
      target, {}, LatticeCandidates(kCentre, 30.0, Eigen::Vector3d::UnitZ()), {}, Library(),
      Options());
  EXPECT_LE(matrix.Target().pointCount, Options().targetPointBudget);
  EXPECT_GT(matrix.TargetInteriorStride(), 1);
  const LoadingOptimizer optimizer(matrix, Goals(), {});
  const LoadingResult result = optimizer.Optimize();
  const auto exact = LoadingDoseCheck::Compute(matrix, optimizer, result, {}, {}, Library());
  Print("6 cm sphere", result, exact, matrix);
  EXPECT_TRUE(result.predicted.feasible);
  EXPECT_GE(exact.target.D90Gy, kRxGy);
  EXPECT_GE(exact.target.V100Pct, 95.0);
  EXPECT_NEAR(result.predicted.target.D90Gy, exact.target.D90Gy,
              kD90RelativeTolerance * exact.target.D90Gy);
  EXPECT_NEAR(result.predicted.target.V100Pct, exact.target.V100Pct, kVolumePctTolerance);
  EXPECT_NEAR(result.predicted.target.V150Pct, exact.target.V150Pct, kVolumePctTolerance);
}

/// A 2 cm sphere: small enough to check every single removal.
struct SmallCase {
  Mask target = SphereMask(kCentre, 10.0);
  /// Candidates up to 2.5 mm outside the lesion: inside it the lattice has too few positions.
  DoseInfluenceMatrix matrix = DoseInfluenceMatrix::Compute(
      target, {}, LatticeCandidates(kCentre, 12.5, Eigen::Vector3d::UnitZ()), {}, Library(),
      Options());
};

TEST(LoadingOptimizer, RemovingAnyChosenSeedBreaksAConstraint) {
  const SmallCase small;
  const LoadingOptimizer optimizer(small.matrix, Goals(), {});
  const LoadingResult result = optimizer.Optimize();
  ASSERT_TRUE(result.predicted.feasible);
  const std::vector<std::size_t>& chosen = result.predicted.chosen;
  std::cout << "2 cm sphere: " << chosen.size() << " seeds of " << small.matrix.CandidateCount()
            << " candidates, D90 " << result.predicted.target.D90Gy << " V100 "
            << result.predicted.target.V100Pct << "\n";
  for (std::size_t s = 0; s < chosen.size(); ++s) {
    std::vector<std::size_t> fewer = chosen;
    fewer.erase(fewer.begin() + static_cast<std::ptrdiff_t>(s));
    EXPECT_FALSE(optimizer.Evaluate(fewer).feasible) << "seed " << chosen[s] << " is not needed";
  }
}

TEST(LoadingOptimizer, ResultsAreDeterministicAndIndependentOfTheThreadCount) {
  const SmallCase first;
  const LoadingResult a = LoadingOptimizer(first.matrix, Goals(), {}).Optimize();
  const int threads = omp_get_max_threads();
  omp_set_num_threads(1);
  const SmallCase second;
  const LoadingResult b = LoadingOptimizer(second.matrix, Goals(), {}).Optimize();
  omp_set_num_threads(threads);
  EXPECT_EQ(a.predicted.chosen, b.predicted.chosen);
  EXPECT_EQ(a.predicted.target.D90Gy, b.predicted.target.D90Gy);
  EXPECT_EQ(a.predicted.target.V150Pct, b.predicted.target.V150Pct);
  EXPECT_EQ(a.iterations, b.iterations);
}

TEST(LoadingOptimizer, MarginGrowsThePlanningTarget) {
  DoseInfluenceOptions options = Options();
  options.targetMarginMm = 3.0;
  const Mask target = SphereMask(kCentre, 10.0);
  const auto matrix = DoseInfluenceMatrix::Compute(
      target, {}, LatticeCandidates(kCentre, 10.0, Eigen::Vector3d::UnitZ()), {}, Library(),
      options);
  // The grown mask holds the voxels whose centre is within 3 mm of an inside voxel's centre: all
  // centres within 11 mm of the sphere's centre (an inside centre lies within half a voxel
  // diagonal, 0.87 mm, of radius 9) and none beyond 13 mm.
  const Mask& grown = matrix.PlanningTargetMask();
  const auto& size = grown.Geometry().Size();
  int wrong = 0;
  for (std::int64_t k = 0; k < size[2]; ++k) {
    for (std::int64_t j = 0; j < size[1]; ++j) {
      for (std::int64_t i = 0; i < size[0]; ++i) {
        const double r =
            (grown.Geometry().IndexToPoint(double(i), double(j), double(k)) - kCentre).norm();
        wrong +=
            (r <= 11.0 && grown.At(i, j, k) == 0) || (r > 13.0 + 1e-9 && grown.At(i, j, k) != 0);
      }
    }
  }
  EXPECT_EQ(wrong, 0);
  EXPECT_NEAR(matrix.Target().sampledVolumeMm3, matrix.Target().totalVolumeMm3, 1e-6);
}

TEST(LoadingOptimizer, BadInputsAreRefusedWithAClearError) {
  const SmallCase small;
  DoseInfluenceOptions options = Options();
  options.strengthU = 0.0;
  EXPECT_THROW(DoseInfluenceMatrix::Compute(small.target, {}, {Seed{}}, {}, Library(), options),
               InvalidInput);
  EXPECT_THROW(DoseInfluenceMatrix::Compute(small.target, {}, {}, {}, Library(), Options()),
               InvalidInput);
  EXPECT_THROW(LoadingOptimizer(small.matrix, Goals(), OrganLimit(10.0)), InvalidInput);
  LoadingGoals noRx;
  EXPECT_THROW(LoadingOptimizer(small.matrix, noRx, {}), InvalidInput);
  EXPECT_THROW(LoadingOptimizer(small.matrix, Goals(), {}).Evaluate({0, 0}), InvalidInput);
}

TEST(LoadingOptimizer, SamplePatientLungLesionReachesItsPrescription) {
  const imaging::PhantomCase phantom = imaging::ThoraxPhantom::Generate();
  const imaging::PhantomLesion& lesion = phantom.lesions.at(0);
  ASSERT_EQ(lesion.structureName, "GTV_Lung");
  auto find = [&](const std::string& name) -> const Mask& {
    for (const auto& structure : phantom.structures) {
      if (structure.name == name) {
        return structure.mask;
      }
    }
    throw std::runtime_error("no structure " + name);
  };
  std::vector<OrganAtRiskMask> organs;
  std::vector<OrganLimitSpec> limits;
  for (const auto& limit : phantom.limits) {
    organs.push_back({limit.structureName, &find(limit.structureName)});
    limits.push_back({limit.structureName, limit.metric, limit.limitGy});
  }
  const auto candidates = LatticeCandidates(lesion.centreMm, 0.5 * lesion.approximateDiameterMm,
                                            imaging::ThoraxPhantom::SampleNeedleDirection());
  const auto matrix = DoseInfluenceMatrix::Compute(find(lesion.structureName), organs, candidates,
                                                   {}, Library(), Options());
  LoadingGoals goals = Goals();
  goals.prescriptionGy = lesion.prescriptionGy;
  const LoadingOptimizer optimizer(matrix, goals, limits);
  const LoadingResult result = optimizer.Optimize();
  const auto exact = LoadingDoseCheck::Compute(matrix, optimizer, result, organs, {}, Library());
  Print("sample patient GTV_Lung", result, exact, matrix);
  EXPECT_TRUE(result.predicted.feasible);
  EXPECT_TRUE(exact.feasible);
  EXPECT_GE(exact.target.D90Gy, lesion.prescriptionGy);
  EXPECT_GE(exact.target.V100Pct, 95.0);
  EXPECT_NEAR(result.predicted.target.D90Gy, exact.target.D90Gy,
              kD90RelativeTolerance * exact.target.D90Gy);
}

} // namespace
