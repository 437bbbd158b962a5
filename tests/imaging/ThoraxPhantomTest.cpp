#include "seedplan/imaging/ThoraxPhantom.h"
#include "seedplan/imaging/PostImplantPhantom.h"
#include "seedplan/imaging/StructureRoles.h"
#include "seedplan/imaging/StructureSet.h"

#include <gtest/gtest.h>

#include <Eigen/Geometry>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <map>
#include <memory>
#include <numbers>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace seedplan::imaging {
namespace {

// The sample patient is generated once for all tests (about a second): the tests only read it.
class ThoraxPhantomTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    s_Case = std::make_unique<PhantomCase>(ThoraxPhantom::Generate());
    s_Post = std::make_unique<PostImplantScan>(PostImplantPhantom::Generate(
        *s_Case, PostImplantPhantom::DeviatedSeeds(s_Case->sampleSeeds)));
  }
  static void TearDownTestSuite() {
    s_Case.reset();
    s_Post.reset();
  }

  static const Structure& Get(const std::string& name) {
    for (const auto& structure : s_Case->structures) {
      if (structure.name == name) {
        return structure;
      }
    }
    throw std::runtime_error("no structure " + name);
  }

  static std::unique_ptr<PhantomCase> s_Case;
  static std::unique_ptr<PostImplantScan> s_Post;
};

std::unique_ptr<PhantomCase> ThoraxPhantomTest::s_Case;
std::unique_ptr<PostImplantScan> ThoraxPhantomTest::s_Post;

double VolumeCc(const Mask& mask) {
  const auto inside = std::count_if(mask.Data().begin(), mask.Data().end(),
                                    [](std::uint8_t value) { return value != 0; });
  return static_cast<double>(inside) * mask.Geometry().VoxelVolumeMm3() / 1000.0;
}

/// Mask value at the voxel nearest to a point (0 outside the grid).
bool MaskAt(const Mask& mask, const Eigen::Vector3d& pointMm) {
  const Eigen::Vector3d index = mask.Geometry().PointToContinuousIndex(pointMm);
  const auto& size = mask.Geometry().Size();
  std::array<std::int64_t, 3> voxel{};
  for (int axis = 0; axis < 3; ++axis) {
    voxel[axis] = std::llround(index[axis]);
    if (voxel[axis] < 0 || voxel[axis] >= size[axis]) {
      return false;
    }
  }
  return mask.At(voxel[0], voxel[1], voxel[2]) != 0;
}

/// Centres of the voxels of `mask` that have a face neighbour outside it.
std::vector<Eigen::Vector3d> BorderPoints(const Mask& mask) {
  const auto& geometry = mask.Geometry();
  const auto& size = geometry.Size();
  std::vector<Eigen::Vector3d> points;
  const std::array<std::array<int, 3>, 6> neighbours{
      {{1, 0, 0}, {-1, 0, 0}, {0, 1, 0}, {0, -1, 0}, {0, 0, 1}, {0, 0, -1}}};
  for (std::int64_t k = 0; k < size[2]; ++k) {
    for (std::int64_t j = 0; j < size[1]; ++j) {
      for (std::int64_t i = 0; i < size[0]; ++i) {
        if (mask.At(i, j, k) == 0) {
          continue;
        }
        for (const auto& n : neighbours) {
          const std::int64_t ni = i + n[0];
          const std::int64_t nj = j + n[1];
          const std::int64_t nk = k + n[2];
          if (ni < 0 || nj < 0 || nk < 0 || ni >= size[0] || nj >= size[1] || nk >= size[2] ||
              mask.At(ni, nj, nk) == 0) {
            points.push_back(geometry.IndexToPoint(static_cast<double>(i), static_cast<double>(j),
                                                   static_cast<double>(k)));
            break;
          }
        }
      }
    }
  }
  return points;
}

/// Smallest distance (mm) between the voxel centres of two masks.
double MaskDistanceMm(const Mask& a, const Mask& b) {
  const auto pointsA = BorderPoints(a);
  const auto pointsB = BorderPoints(b);
  double best = std::numeric_limits<double>::infinity();
  for (const auto& p : pointsA) {
    for (const auto& q : pointsB) {
      best = std::min(best, (p - q).squaredNorm());
    }
  }
  return std::sqrt(best);
}

/// Points of the segment from `from` to `to`, every `stepMm`.
std::vector<Eigen::Vector3d> Segment(const Eigen::Vector3d& from, const Eigen::Vector3d& to,
                                     double stepMm = 0.25) {
  const double length = (to - from).norm();
  const int steps = static_cast<int>(std::ceil(length / stepMm));
  std::vector<Eigen::Vector3d> points;
  for (int s = 0; s <= steps; ++s) {
    points.push_back(from + (to - from) * (static_cast<double>(s) / steps));
  }
  return points;
}

/// The point where a ray from `inside` along `direction` leaves the body.
Eigen::Vector3d SkinEntry(const Eigen::Vector3d& inside, const Eigen::Vector3d& direction) {
  Eigen::Vector3d point = inside;
  while (ThoraxPhantom::RegionAt(point + 0.25 * direction) != PhantomRegion::Outside) {
    point += 0.25 * direction;
  }
  return point;
}

/// Mean of the CT over the voxels within `radiusMm` of a point (noise averages out).
double MeanHuAround(const Volume<short>& ct, const Eigen::Vector3d& pointMm, double radiusMm) {
  const auto& geometry = ct.Geometry();
  const Eigen::Vector3d centre = geometry.PointToContinuousIndex(pointMm);
  const Eigen::Vector3d reach = radiusMm * geometry.SpacingMm().cwiseInverse();
  double sum = 0;
  int count = 0;
  for (auto k = static_cast<std::int64_t>(std::ceil(centre.z() - reach.z()));
       k <= static_cast<std::int64_t>(std::floor(centre.z() + reach.z())); ++k) {
    for (auto j = static_cast<std::int64_t>(std::ceil(centre.y() - reach.y()));
         j <= static_cast<std::int64_t>(std::floor(centre.y() + reach.y())); ++j) {
      for (auto i = static_cast<std::int64_t>(std::ceil(centre.x() - reach.x()));
           i <= static_cast<std::int64_t>(std::floor(centre.x() + reach.x())); ++i) {
        const Eigen::Vector3d p = geometry.IndexToPoint(
            static_cast<double>(i), static_cast<double>(j), static_cast<double>(k));
        if ((p - pointMm).norm() <= radiusMm) {
          sum += ct.At(i, j, k);
          ++count;
        }
      }
    }
  }
  return count > 0 ? sum / count : std::nan("");
}

/// CT value interpolated trilinearly at a point inside the grid.
double InterpolatedHu(const Volume<short>& ct, const Eigen::Vector3d& pointMm) {
  const Eigen::Vector3d index = ct.Geometry().PointToContinuousIndex(pointMm);
  const Eigen::Vector3d base = index.array().floor();
  const Eigen::Vector3d fraction = index - base;
  double value = 0;
  for (int corner = 0; corner < 8; ++corner) {
    const int di = corner & 1;
    const int dj = (corner >> 1) & 1;
    const int dk = (corner >> 2) & 1;
    const double weight = (di ? fraction.x() : 1 - fraction.x()) *
                          (dj ? fraction.y() : 1 - fraction.y()) *
                          (dk ? fraction.z() : 1 - fraction.z());
    value += weight * ct.At(static_cast<std::int64_t>(base.x()) + di,
                            static_cast<std::int64_t>(base.y()) + dj,
                            static_cast<std::int64_t>(base.z()) + dk);
  }
  return value;
}

/// Largest CT value within `radiusMm` of a point.
short MaxHuAround(const Volume<short>& ct, const Eigen::Vector3d& pointMm, double radiusMm) {
  const auto& geometry = ct.Geometry();
  const Eigen::Vector3d centre = geometry.PointToContinuousIndex(pointMm);
  const Eigen::Vector3d reach = radiusMm * geometry.SpacingMm().cwiseInverse();
  short best = -32768;
  for (auto k = static_cast<std::int64_t>(std::floor(centre.z() - reach.z()));
       k <= static_cast<std::int64_t>(std::ceil(centre.z() + reach.z())); ++k) {
    for (auto j = static_cast<std::int64_t>(std::floor(centre.y() - reach.y()));
         j <= static_cast<std::int64_t>(std::ceil(centre.y() + reach.y())); ++j) {
      for (auto i = static_cast<std::int64_t>(std::floor(centre.x() - reach.x()));
           i <= static_cast<std::int64_t>(std::ceil(centre.x() + reach.x())); ++i) {
        best = std::max(best, ct.At(i, j, k));
      }
    }
  }
  return best;
}

/// Median CT value over the interior voxels of a mask (all 6 neighbours inside): the tissue's
/// value away from blurred edges.
double InteriorMedianHu(const Volume<short>& ct, const Mask& mask) {
  const auto& size = mask.Geometry().Size();
  std::vector<short> values;
  for (std::int64_t k = 1; k + 1 < size[2]; ++k) {
    for (std::int64_t j = 1; j + 1 < size[1]; ++j) {
      for (std::int64_t i = 1; i + 1 < size[0]; ++i) {
        if (mask.At(i, j, k) && mask.At(i - 1, j, k) && mask.At(i + 1, j, k) &&
            mask.At(i, j - 1, k) && mask.At(i, j + 1, k) && mask.At(i, j, k - 1) &&
            mask.At(i, j, k + 1)) {
          values.push_back(ct.At(i, j, k));
        }
      }
    }
  }
  if (values.empty()) {
    return std::nan("");
  }
  std::nth_element(values.begin(), values.begin() + values.size() / 2, values.end());
  return values[values.size() / 2];
}

double EllipsoidVolumeCc(double a, double b, double c) {
  return 4.0 / 3.0 * std::numbers::pi * a * b * c / 1000.0;
}

TEST_F(ThoraxPhantomTest, TwoRunsGiveIdenticalCtStructuresAndSeeds) {
  const PhantomCase again = ThoraxPhantom::Generate();
  EXPECT_TRUE(again.ct.Geometry().SameAs(s_Case->ct.Geometry()));
  EXPECT_TRUE(again.ct.Data() == s_Case->ct.Data());
  ASSERT_EQ(again.structures.size(), s_Case->structures.size());
  for (std::size_t index = 0; index < again.structures.size(); ++index) {
    EXPECT_EQ(again.structures[index].name, s_Case->structures[index].name);
    EXPECT_TRUE(again.structures[index].mask.Data() == s_Case->structures[index].mask.Data())
        << again.structures[index].name;
  }
  ASSERT_EQ(again.sampleSeeds.size(), s_Case->sampleSeeds.size());
  for (std::size_t index = 0; index < again.sampleSeeds.size(); ++index) {
    EXPECT_EQ(again.sampleSeeds[index].positionMm, s_Case->sampleSeeds[index].positionMm);
  }
}

TEST_F(ThoraxPhantomTest, PlanningGridIsAtClinicalResolution) {
  const auto& geometry = s_Case->ct.Geometry();
  EXPECT_EQ(geometry.Size(), (std::array<std::int64_t, 3>{384, 288, 80}));
  EXPECT_DOUBLE_EQ(geometry.SpacingMm().x(), 0.9);
  EXPECT_DOUBLE_EQ(geometry.SpacingMm().z(), 2.5);
  EXPECT_TRUE(geometry.Direction().isIdentity());
}

TEST_F(ThoraxPhantomTest, EveryStructureIsNonEmptyWithAPlausibleVolume) {
  // Adult reference volumes, cut to the 200 mm slab of the CT (lower thorax, upper abdomen).
  struct Expected {
    const char* name;
    double minCc;
    double maxCc;
  };
  const std::vector<Expected> expected{
      {"BODY", 9000, 16000}, {"Skin", 250, 700},      {"Lung_L", 600, 1800}, {"Lung_R", 700, 2000},
      {"Liver", 700, 1800},  {"Heart", 300, 800},     {"Aorta", 50, 150},    {"IVC", 15, 80},
      {"SpinalCord", 6, 20}, {"Vertebrae", 150, 400}, {"Ribs", 100, 350},    {"Sternum", 8, 40},
      {"Kidney_L", 50, 200}, {"Kidney_R", 40, 200},   {"Adrenal_L", 1, 8},   {"Adrenal_R", 1, 8},
      {"Spleen", 40, 250},   {"Stomach", 60, 400},
  };
  for (const auto& e : expected) {
    const double volumeCc = VolumeCc(Get(e.name).mask);
    EXPECT_GE(volumeCc, e.minCc) << e.name;
    EXPECT_LE(volumeCc, e.maxCc) << e.name;
  }
  EXPECT_EQ(s_Case->structures.size(), expected.size() + 4);

  // Targets: their analytic volumes. Voxelising a 4-14 cc body at 0.9 x 0.9 x 2.5 mm costs a
  // few per cent; the lobulated lesions are within a few per cent of their sphere.
  constexpr double kTargetVolumeTolerance = 0.06;
  const double lungSphere = EllipsoidVolumeCc(15, 15, 15); // 3 cm: 14.1 cc
  EXPECT_NEAR(VolumeCc(Get("GTV_Lung").mask), lungSphere, kTargetVolumeTolerance * lungSphere);
  const double bone = EllipsoidVolumeCc(11, 9, 8.5);
  EXPECT_NEAR(VolumeCc(Get("GTV_Bone").mask), bone, kTargetVolumeTolerance * bone);
  const double node = EllipsoidVolumeCc(11, 9.5, 10);
  EXPECT_NEAR(VolumeCc(Get("GTV_Node").mask), node, kTargetVolumeTolerance * node);
  const double adrenal = EllipsoidVolumeCc(12.5, 12.5, 12.5);
  EXPECT_NEAR(VolumeCc(Get("GTV_Adrenal").mask), adrenal, kTargetVolumeTolerance * adrenal);
}

TEST_F(ThoraxPhantomTest, RolesAndInterpretedTypesReadBackTheSameThroughTheRoleRules) {
  StructureSet set;
  for (const auto& structure : s_Case->structures) {
    Structure copy;
    copy.name = structure.name;
    copy.interpretedType = structure.interpretedType;
    set.structures.push_back(std::move(copy));
  }
  StructureRoles::Assign(set);
  for (std::size_t index = 0; index < set.structures.size(); ++index) {
    EXPECT_EQ(RoleName(set.structures[index].role), RoleName(s_Case->structures[index].role))
        << set.structures[index].name;
  }
  EXPECT_EQ(Get("BODY").interpretedType, "EXTERNAL");
  EXPECT_EQ(Get("GTV_Lung").interpretedType, "GTV");
  EXPECT_EQ(Get("SpinalCord").interpretedType, "AVOIDANCE");
  EXPECT_EQ(Get("Heart").role, StructureRole::NoGo);
  EXPECT_EQ(Get("Lung_R").role, StructureRole::PassThrough);
  EXPECT_EQ(Get("Vertebrae").role, StructureRole::Bone);
}

TEST_F(ThoraxPhantomTest, EveryLesionHasAStructureAPrescriptionInRangeAndEveryLimitAnOrgan) {
  ASSERT_EQ(s_Case->lesions.size(), 4U);
  const std::map<std::string, std::pair<double, double>> range{{"lung", {110, 140}},
                                                               {"bone", {90, 130}},
                                                               {"lymph node", {110, 130}},
                                                               {"adrenal", {110, 130}}};
  const std::map<std::string, PhantomRegion> region{{"GTV_Lung", PhantomRegion::GtvLung},
                                                    {"GTV_Bone", PhantomRegion::GtvBone},
                                                    {"GTV_Node", PhantomRegion::GtvNode},
                                                    {"GTV_Adrenal", PhantomRegion::GtvAdrenal}};
  for (const auto& lesion : s_Case->lesions) {
    EXPECT_EQ(Get(lesion.structureName).role, StructureRole::Target);
    EXPECT_GE(lesion.prescriptionGy, range.at(lesion.site).first) << lesion.site;
    EXPECT_LE(lesion.prescriptionGy, range.at(lesion.site).second) << lesion.site;
    EXPECT_EQ(ThoraxPhantom::RegionAt(lesion.centreMm), region.at(lesion.structureName));
    EXPECT_TRUE(MaskAt(Get(lesion.structureName).mask, lesion.centreMm)) << lesion.structureName;
  }
  const std::set<std::string> metrics{"Dmax", "D0_1cc", "D1cc", "D2cc"};
  for (const auto& limit : s_Case->limits) {
    EXPECT_NO_THROW(Get(limit.structureName));
    EXPECT_TRUE(metrics.count(limit.metric)) << limit.metric;
    EXPECT_GT(limit.limitGy, 0.0);
  }
}

TEST_F(ThoraxPhantomTest, TissuesHaveTheirHounsfieldUnits) {
  const auto& ct = s_Case->ct;
  // Interior medians: noise (10 HU) and texture average out; edges are excluded.
  for (const char* lung : {"Lung_L", "Lung_R"}) {
    EXPECT_LT(InteriorMedianHu(ct, Get(lung).mask), -700) << lung;
  }
  for (const char* bone : {"Vertebrae", "Ribs", "Sternum"}) {
    EXPECT_GT(InteriorMedianHu(ct, Get(bone).mask), 200) << bone;
  }
  for (const char* soft : {"Liver", "Heart", "Aorta", "IVC", "SpinalCord", "Kidney_L", "Kidney_R",
                           "Spleen", "GTV_Lung", "GTV_Node", "GTV_Adrenal"}) {
    const double hu = InteriorMedianHu(ct, Get(soft).mask);
    EXPECT_GE(hu, -100) << soft;
    EXPECT_LE(hu, 100) << soft;
  }
  // Lesions differ from their host: a solid nodule in air, a lytic lesion in cancellous bone.
  const auto& lesions = s_Case->lesions;
  EXPECT_GT(ThoraxPhantom::HuAt(lesions[0].centreMm) -
                ThoraxPhantom::HuAt(lesions[0].centreMm + Eigen::Vector3d(0, 0, 25)),
            700);
  const double boneLesionHu = InteriorMedianHu(ct, Get("GTV_Bone").mask);
  EXPECT_GT(boneLesionHu, 100);
  EXPECT_LT(boneLesionHu, 200);
  // Skin and subcutaneous fat at the right lateral wall, beside the lung lesion.
  EXPECT_EQ(ThoraxPhantom::HuAt(Eigen::Vector3d(-160.5, 0, 50)), 40);
  EXPECT_EQ(ThoraxPhantom::HuAt(Eigen::Vector3d(-150, 0, 50)), -100);
}

TEST_F(ThoraxPhantomTest, VertebralLesionIsAtLeastEightMillimetresFromTheCord) {
  constexpr double kMinCordDistanceMm = 8.0; // issue 3 asks >= 5 mm
  EXPECT_GE(MaskDistanceMm(Get("GTV_Bone").mask, Get("SpinalCord").mask), kMinCordDistanceMm);
}

TEST_F(ThoraxPhantomTest, LesionsLieInTheirHostAndClearOfTheNoGoStructures) {
  const auto& lesions = s_Case->lesions;
  // Lung lesion: lung all around, 4-8 mm outside its surface (its radius is 15 mm +- 15 %).
  int lungSamples = 0;
  for (double radius : {21.5, 23.0}) {
    for (int index = 0; index < 400; ++index) {
      // Fibonacci sphere: evenly spread directions.
      const double z = 1.0 - 2.0 * (index + 0.5) / 400.0;
      const double phi = index * std::numbers::pi * (3.0 - std::sqrt(5.0));
      const Eigen::Vector3d direction(std::sqrt(1 - z * z) * std::cos(phi),
                                      std::sqrt(1 - z * z) * std::sin(phi), z);
      EXPECT_EQ(ThoraxPhantom::RegionAt(lesions[0].centreMm + radius * direction),
                PhantomRegion::LungRight);
      ++lungSamples;
    }
  }
  EXPECT_EQ(lungSamples, 800);
  // Vertebral lesion: inside the vertebral body (bone 1.5 mm outside it all round).
  for (int index = 0; index < 400; ++index) {
    const double z = 1.0 - 2.0 * (index + 0.5) / 400.0;
    const double phi = index * std::numbers::pi * (3.0 - std::sqrt(5.0));
    const Eigen::Vector3d direction(std::sqrt(1 - z * z) * std::cos(phi),
                                    std::sqrt(1 - z * z) * std::sin(phi), z);
    const Eigen::Vector3d point =
        lesions[1].centreMm +
        (Eigen::Vector3d(11, 9, 8.5) + Eigen::Vector3d::Constant(1.5)).cwiseProduct(direction);
    EXPECT_EQ(ThoraxPhantom::RegionAt(point), PhantomRegion::Vertebra);
  }
  // Node beside the aorta, with a fat plane between; adrenal lesion touching the adrenal.
  const double nodeToAortaMm = MaskDistanceMm(Get("GTV_Node").mask, Get("Aorta").mask);
  EXPECT_GE(nodeToAortaMm, 3.0);
  EXPECT_LE(nodeToAortaMm, 10.0);
  const double voxelDiagonalMm = s_Case->ct.Geometry().SpacingMm().norm();
  EXPECT_LE(MaskDistanceMm(Get("GTV_Adrenal").mask, Get("Adrenal_R").mask), voxelDiagonalMm);
  // No lesion touches a no-go structure.
  constexpr double kMinNoGoDistanceMm = 3.0;
  for (const auto& lesion : lesions) {
    for (const auto& structure : s_Case->structures) {
      if (structure.role == StructureRole::NoGo) {
        EXPECT_GE(MaskDistanceMm(Get(lesion.structureName).mask, structure.mask),
                  kMinNoGoDistanceMm)
            << lesion.structureName << " - " << structure.name;
      }
    }
  }
}

TEST_F(ThoraxPhantomTest, AStraightPathFromTheSideReachesTheLungLesionThroughLungOnly) {
  // The central needle of the sample arrangement, from the right lateral skin.
  const Eigen::Vector3d target = s_Case->lesions[0].centreMm;
  const Eigen::Vector3d entry = SkinEntry(target, -Eigen::Vector3d::UnitX());
  int pleuralCrossings = 0;
  bool inLung = false;
  for (const Eigen::Vector3d& point : Segment(entry, target)) {
    for (const auto& structure : s_Case->structures) {
      if (structure.role == StructureRole::NoGo || structure.role == StructureRole::Bone) {
        EXPECT_FALSE(MaskAt(structure.mask, point)) << structure.name << " at " << point.x();
      }
    }
    const bool lung = MaskAt(Get("Lung_R").mask, point);
    pleuralCrossings += lung && !inLung ? 1 : 0;
    inLung = lung;
  }
  EXPECT_EQ(pleuralCrossings, 1);
}

TEST_F(ThoraxPhantomTest, ATranspedicularPathFromTheBackReachesTheVertebralLesionClearOfTheCord) {
  // From the lesion's centre through the right pedicle (its axis runs from (-11.5, 52) to
  // (-14.5, 66) in plane, at the upper half of the vertebra) out to the skin of the back.
  const Eigen::Vector3d target = s_Case->lesions[1].centreMm;
  const Eigen::Vector3d pedicle(-13.0, 59.0, 12.0);
  const Eigen::Vector3d direction = (pedicle - target).normalized();
  const Eigen::Vector3d entry = SkinEntry(pedicle, direction);
  EXPECT_GT(entry.y(), 100.0); // the back
  const Mask& cord = Get("SpinalCord").mask;
  bool crossesPedicle = false;
  // The needle is a tube 1 mm across; it must stay out of the cord, the canal and the ribs.
  constexpr double kNeedleRadiusMm = 0.5;
  for (const Eigen::Vector3d& point : Segment(entry, target)) {
    for (double angle = 0; angle < 2 * std::numbers::pi; angle += std::numbers::pi / 4) {
      const Eigen::Vector3d side = direction.unitOrthogonal();
      const Eigen::Vector3d offset =
          kNeedleRadiusMm * (std::cos(angle) * side + std::sin(angle) * direction.cross(side));
      const PhantomRegion region = ThoraxPhantom::RegionAt(point + offset);
      EXPECT_NE(region, PhantomRegion::SpinalCanal);
      EXPECT_NE(region, PhantomRegion::SpinalCord);
      EXPECT_NE(region, PhantomRegion::Rib);
      EXPECT_FALSE(MaskAt(cord, point + offset));
    }
    crossesPedicle =
        crossesPedicle || (MaskAt(Get("Vertebrae").mask, point) && (point - pedicle).norm() < 4.0);
  }
  EXPECT_TRUE(crossesPedicle);
  // The path stays well away from the cord.
  constexpr double kMinPathToCordMm = 5.0;
  for (const Eigen::Vector3d& c : BorderPoints(cord)) {
    if (std::abs(c.z() - target.z()) > 30.0) {
      continue;
    }
    const Eigen::Vector3d ab = target - entry;
    const double t = std::clamp((c - entry).dot(ab) / ab.squaredNorm(), 0.0, 1.0);
    EXPECT_GE((entry + t * ab - c).norm(), kMinPathToCordMm);
  }
}

TEST_F(ThoraxPhantomTest, SampleSeedsLieInTheLungLesionOnParallelNeedlesFromTheSkin) {
  const auto& seeds = s_Case->sampleSeeds;
  ASSERT_GE(seeds.size(), 10U);
  const Mask& lesion = Get("GTV_Lung").mask;
  std::map<std::string, std::vector<Eigen::Vector3d>> needles;
  constexpr double kActivityToleranceU = 1e-12;
  for (const Seed& seed : seeds) {
    EXPECT_TRUE(MaskAt(lesion, seed.positionMm));
    EXPECT_EQ(ThoraxPhantom::RegionAt(seed.positionMm), PhantomRegion::GtvLung);
    ASSERT_TRUE(seed.direction.has_value());
    EXPECT_TRUE(seed.direction->isApprox(ThoraxPhantom::SampleNeedleDirection()));
    EXPECT_NEAR(seed.strengthU, 0.55 * 1.270, kActivityToleranceU);
    EXPECT_EQ(seed.model, "6711");
    EXPECT_FALSE(seed.needle.empty());
    needles[seed.needle].push_back(seed.positionMm);
  }
  EXPECT_GE(needles.size(), 6U);
  for (const auto& [id, positions] : needles) {
    for (std::size_t index = 1; index < positions.size(); ++index) {
      const Eigen::Vector3d step = positions[index] - positions[index - 1];
      EXPECT_NEAR(step.norm(), 8.0, 1e-9) << id; // seed spacing along the needle
      EXPECT_TRUE(step.normalized().isApprox(ThoraxPhantom::SampleNeedleDirection())) << id;
    }
    // From the skin to the first seed: no bone (through an intercostal space), no no-go.
    const Eigen::Vector3d entry = SkinEntry(positions.front(), -Eigen::Vector3d::UnitX());
    for (const Eigen::Vector3d& point : Segment(entry, positions.front())) {
      for (const auto& structure : s_Case->structures) {
        if (structure.role == StructureRole::NoGo || structure.role == StructureRole::Bone) {
          EXPECT_FALSE(MaskAt(structure.mask, point)) << id << " crosses " << structure.name;
        }
      }
    }
  }
}

TEST_F(ThoraxPhantomTest, PostImplantTransformIsTheDocumentedRigidMotion) {
  const Eigen::Matrix4d& transform = s_Post->planningToPost;
  EXPECT_TRUE(transform.isApprox(PostImplantPhantom::PlanningToPost()));
  const Eigen::Matrix3d rotation = transform.topLeftCorner<3, 3>();
  EXPECT_TRUE((rotation * rotation.transpose()).isIdentity(1e-12));
  EXPECT_NEAR(rotation.determinant(), 1.0, 1e-12);
  const double angleDeg = Eigen::AngleAxisd(rotation).angle() * 180.0 / std::numbers::pi;
  EXPECT_NEAR(angleDeg, std::hypot(2.5, 1.0), 0.01);
  const Eigen::Vector3d shift = transform.topRightCorner<3, 1>();
  EXPECT_TRUE(shift.isApprox(Eigen::Vector3d(4, -3, 6)));
  EXPECT_TRUE((transform.row(3).isApprox(Eigen::RowVector4d(0, 0, 0, 1))));
}

TEST_F(ThoraxPhantomTest, PostImplantAnatomyIsThePlanningAnatomyMovedByTheTransform) {
  const Eigen::Matrix4d& transform = s_Post->planningToPost;
  const auto toPost = [&](const Eigen::Vector3d& x) {
    return Eigen::Vector3d((transform * x.homogeneous()).head<3>());
  };
  // Landmarks in the middle of homogeneous tissue: the mean over a 2.5 mm ball (about 25
  // voxels) has a noise of 10 / 5 = 2 HU; 15 HU allows for the texture of lung and bowel.
  constexpr double kLandmarkToleranceHu = 15.0;
  const std::vector<Eigen::Vector3d> landmarks{
      {0, 40, -17},    // vertebral body (marrow)
      {20.8, 9.2, 40}, // aorta
      {-80, -20, -30}, // liver
      {20, -50, 60},   // heart
      {74, 52, -60},   // left kidney
      {-110, 10, 80},  // right lung
  };
  // No landmark in the lung lesion: it holds the implanted seeds, whose streaks (real since the
  // renderer draws them) brighten its tissue for several millimetres around each seed; its former
  // landmark (-85, 15, 49.5) sat among the seeds and saw 151 HU for 30. This test is about the
  // anatomy moved by the transform, not the seeds (the seed tests see to them), so it compares
  // only landmarks at least 10 mm from every seed; no point of the lesion qualifies (measured: the
  // point of the lesion farthest from the seeds with its 2.5 mm ball inside is 8.5 mm from the
  // nearest). The lesion still takes part in the many-point comparison below.
  constexpr double kClearOfSeedsMm = 10.0;
  for (const auto& x : landmarks) {
    for (const auto& seed : s_Post->seedsInPlanningFrame) {
      EXPECT_GE((seed.positionMm - x).norm(), kClearOfSeedsMm) << x.transpose();
    }
  }
  for (const auto& x : landmarks) {
    const double planned = ThoraxPhantom::HuAt(x);
    const double post = MeanHuAround(s_Post->ct, toPost(x), 2.5);
    EXPECT_NEAR(post, planned, kLandmarkToleranceHu) << x.transpose();
  }
  // Beyond noise: over many points of the body the moved anatomy matches far better than the
  // unmoved one would.
  double errorMoved = 0;
  double errorUnmoved = 0;
  int count = 0;
  for (double z = -40; z <= 90; z += 10) {
    for (double y = -100; y <= 100; y += 7) {
      for (double x = -140; x <= 140; x += 7) {
        const Eigen::Vector3d p(x, y, z);
        if (ThoraxPhantom::RegionAt(p) == PhantomRegion::Outside) {
          continue;
        }
        const double planned = ThoraxPhantom::HuAt(p);
        errorMoved += std::abs(InterpolatedHu(s_Post->ct, toPost(p)) - planned);
        errorUnmoved += std::abs(InterpolatedHu(s_Post->ct, p) - planned);
        ++count;
      }
    }
  }
  ASSERT_GT(count, 1000);
  errorMoved /= count;
  errorUnmoved /= count;
  EXPECT_LT(errorMoved, 0.5 * errorUnmoved);
  EXPECT_LT(errorMoved, 40.0); // noise, blur at edges and lung texture; far below tissue contrast
}

TEST_F(ThoraxPhantomTest, PostImplantScanShowsBrightMetalAtEverySeedAndNowhereElse) {
  const auto& seeds = s_Post->seedsInPostFrame;
  ASSERT_EQ(seeds.size(), s_Case->sampleSeeds.size());
  constexpr short kMetalHu = 2500; // bone stays below ~800 HU; a 6711 seed saturates the scale
  for (const Seed& seed : seeds) {
    EXPECT_GE(MaxHuAround(s_Post->ct, seed.positionMm, 1.0), kMetalHu)
        << seed.positionMm.transpose();
  }
  // No metal far from the seeds.
  const auto& geometry = s_Post->ct.Geometry();
  const auto& size = geometry.Size();
  int metalFarFromSeeds = 0;
  for (std::int64_t k = 0; k < size[2]; ++k) {
    for (std::int64_t j = 0; j < size[1]; ++j) {
      for (std::int64_t i = 0; i < size[0]; ++i) {
        if (s_Post->ct.At(i, j, k) < kMetalHu) {
          continue;
        }
        const Eigen::Vector3d p = geometry.IndexToPoint(
            static_cast<double>(i), static_cast<double>(j), static_cast<double>(k));
        const bool nearSeed = std::any_of(seeds.begin(), seeds.end(), [&](const Seed& seed) {
          return (seed.positionMm - p).norm() < 6.0;
        });
        metalFarFromSeeds += nearSeed ? 0 : 1;
      }
    }
  }
  EXPECT_EQ(metalFarFromSeeds, 0);
}

TEST_F(ThoraxPhantomTest, ImplantedSeedsDeviateNeedleByNeedleByOneToFourMillimetres) {
  const auto& planned = s_Case->sampleSeeds;
  const auto& implanted = s_Post->seedsInPlanningFrame;
  ASSERT_EQ(implanted.size(), planned.size());
  std::map<std::string, Eigen::Vector3d> offsets;
  for (std::size_t index = 0; index < planned.size(); ++index) {
    const Eigen::Vector3d offset = implanted[index].positionMm - planned[index].positionMm;
    EXPECT_GE(offset.norm(), PostImplantPhantom::kMinNeedleDeviationMm - 1e-9);
    EXPECT_LE(offset.norm(), PostImplantPhantom::kMaxNeedleDeviationMm + 1e-9);
    const auto [found, inserted] = offsets.emplace(planned[index].needle, offset);
    if (!inserted) {
      EXPECT_TRUE(found->second.isApprox(offset)) << "needle " << planned[index].needle;
    }
  }
  // Needles do not all move alike, and the truth in the post frame is the moved truth.
  EXPECT_FALSE(offsets.begin()->second.isApprox(offsets.rbegin()->second));
  const Eigen::Matrix4d& transform = s_Post->planningToPost;
  for (std::size_t index = 0; index < implanted.size(); ++index) {
    const Eigen::Vector3d moved = (transform * implanted[index].positionMm.homogeneous()).head<3>();
    EXPECT_TRUE(moved.isApprox(s_Post->seedsInPostFrame[index].positionMm, 1e-12));
  }
  const auto again = PostImplantPhantom::DeviatedSeeds(planned);
  for (std::size_t index = 0; index < implanted.size(); ++index) {
    EXPECT_EQ(again[index].positionMm, implanted[index].positionMm);
  }
}

} // namespace
} // namespace seedplan::imaging
