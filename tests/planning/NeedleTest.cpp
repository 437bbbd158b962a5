#include "seedplan/core/Error.h"
#include "seedplan/imaging/ThoraxPhantom.h"
#include "seedplan/planning/NeedlePlanner.h"
#include "seedplan/planning/TrajectoryCheck.h"

#include <gtest/gtest.h>

#include <Eigen/Geometry>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace seedplan::planning {
namespace {

using Eigen::Vector3d;

/// Nearest-voxel lookup through the mask's own grid (outside the grid = outside), as the planner
/// must do it: the test's own reference, independent of the planner's.
bool InMask(const Mask& mask, const Vector3d& pointMm) {
  const Vector3d index = mask.Geometry().PointToContinuousIndex(pointMm);
  std::array<std::int64_t, 3> nearest{};
  for (int axis = 0; axis < 3; ++axis) {
    nearest[axis] = static_cast<std::int64_t>(std::floor(index[axis] + 0.5));
    if (nearest[axis] < 0 || nearest[axis] >= mask.Geometry().Size()[axis]) {
      return false;
    }
  }
  return mask.At(nearest[0], nearest[1], nearest[2]) != 0;
}

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

std::string Join(const std::vector<std::string>& names) {
  std::string text;
  for (const auto& name : names) {
    text += (text.empty() ? "" : " > ") + name;
  }
  return text;
}

// The sample patient is generated once (1–2 s) and only read by the tests.
class NeedleTest : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    auto phantom = imaging::ThoraxPhantom::Generate();
    s_Structures = std::make_unique<imaging::StructureSet>();
    s_Structures->sourceFile = "sample patient";
    s_Structures->structures = std::move(phantom.structures);
    s_SampleSeeds = std::make_unique<std::vector<Seed>>(std::move(phantom.sampleSeeds));
  }
  static void TearDownTestSuite() {
    s_Structures.reset();
    s_SampleSeeds.reset();
  }

  static const imaging::StructureSet& Structures() { return *s_Structures; }
  static const imaging::Structure& Get(const std::string& name) {
    const imaging::Structure* structure = s_Structures->Find(name);
    EXPECT_NE(structure, nullptr) << name;
    return *structure;
  }
  static Vector3d LesionCentre(const std::string& name) {
    for (const auto& lesion : imaging::ThoraxPhantom::Lesions()) {
      if (lesion.structureName == name) {
        return lesion.centreMm;
      }
    }
    ADD_FAILURE() << "no lesion " << name;
    return Vector3d::Zero();
  }
  static TrajectoryOptions BoneAccessTo(const std::string& target) {
    TrajectoryOptions options;
    options.allowBoneAccessTo = {target};
    return options;
  }

  static std::unique_ptr<imaging::StructureSet> s_Structures;
  static std::unique_ptr<std::vector<Seed>> s_SampleSeeds;
};
std::unique_ptr<imaging::StructureSet> NeedleTest::s_Structures;
std::unique_ptr<std::vector<Seed>> NeedleTest::s_SampleSeeds;

// The transpedicular route to GTV_Bone (centre (-2, 36, 10) mm, in the body of vertebra level 0):
// from the back, through the right pedicle (its axis runs from (-11.5, 52) to (-14.5, 66) mm in
// the axial plane, from 5 mm below to 9 mm above the level's centre), aimed along the line from
// the pedicle's middle (-13, 59) to the lesion, 4 mm below the lesion's centre so that it passes
// under the transverse process (3 mm below to 7 mm above the level's centre). The entry lies in
// the air behind the back.
constexpr double kPedicleRouteZMm = 6.0;
Vector3d PedicleRouteTip() {
  return {-2.0, 36.0, kPedicleRouteZMm};
}
Vector3d PedicleRouteEntry() {
  const Vector3d direction =
      (PedicleRouteTip() - Vector3d(-13.0, 59.0, kPedicleRouteZMm)).normalized();
  return PedicleRouteTip() - 130.0 * direction;
}

TEST_F(NeedleTest, NeedleThroughTheSpinalCordIsRejectedNamingIt) {
  // Straight in from behind at the midline: spinous process and lamina (the lesion's own bone,
  // allowed here so that the bone rule does not stop it first), then the canal and the cord.
  const TrajectoryReport report =
      TrajectoryCheck::Check(Vector3d(-2, 236, 10), LesionCentre("GTV_Bone"), Structures(),
                             "GTV_Bone", BoneAccessTo("GTV_Bone"));
  EXPECT_FALSE(report.accepted);
  EXPECT_EQ(report.rejectedBy, "no-go SpinalCord");
  EXPECT_NE(report.reason.find("crosses no-go structure SpinalCord at ("), std::string::npos)
      << report.reason;
}

TEST_F(NeedleTest, NeedleThroughTheAortaIsRejectedNamingIt) {
  // From the right posterolateral skin to the para-aortic node, straight through the aorta.
  const TrajectoryReport report =
      TrajectoryCheck::Check(Vector3d(-135.2, 96.0, -55.0), LesionCentre("GTV_Node"), Structures(),
                             "GTV_Node", TrajectoryOptions{});
  EXPECT_FALSE(report.accepted);
  EXPECT_EQ(report.rejectedBy, "no-go Aorta");
  EXPECT_NE(report.reason.find("Aorta"), std::string::npos) << report.reason;
}

TEST_F(NeedleTest, SampleLungNeedleFromTheRightLateralSkinIsAcceptedWithItsPleuralCrossing) {
  // The centre needle of the sample arrangement ("L5", along +x), from the air beside the right
  // chest wall to its deepest seed.
  std::vector<Vector3d> positions;
  for (const auto& seed : *s_SampleSeeds) {
    if (seed.needle == "L5") {
      positions.push_back(seed.positionMm);
    }
  }
  ASSERT_FALSE(positions.empty());
  const Vector3d direction = imaging::ThoraxPhantom::SampleNeedleDirection();
  const Vector3d tip = *std::max_element(
      positions.begin(), positions.end(),
      [&](const Vector3d& a, const Vector3d& b) { return a.dot(direction) < b.dot(direction); });
  const Vector3d entry = tip - 120.0 * direction;
  const TrajectoryReport report =
      TrajectoryCheck::Check(entry, tip, Structures(), "GTV_Lung", TrajectoryOptions{});
  ASSERT_TRUE(report.accepted) << report.reason;
  EXPECT_EQ(report.pleuralCrossings, 1); // into the lung; the lesion is entered from the lung
  EXPECT_GT(report.passThroughLengthMm, 5.0);
  EXPECT_TRUE(Contains(report.tissuesCrossed, "Lung_R")) << Join(report.tissuesCrossed);
  EXPECT_EQ(report.tissuesCrossed.back(), "GTV_Lung");
  EXPECT_EQ(report.boneLengthMm, 0.0);
  const TrajectoryOptions defaults;
  EXPECT_NEAR(report.costMm,
              report.passThroughLengthMm + defaults.pleuralPenaltyMm +
                  defaults.depthCostPerMm * report.depthMm,
              1e-9);
  EXPECT_NEAR(report.depthMm, 120.0, 1e-9);
}

TEST_F(NeedleTest, PathThatEntersAndLeavesALungCountsBothPleuralCrossings) {
  // To the vertebral lesion from the left posterolateral skin: through the left lung and out of
  // it again before the vertebral body (the lesion's bone, allowed).
  const TrajectoryReport report =
      TrajectoryCheck::Check(Vector3d(195.0, 70.7, 10.0), LesionCentre("GTV_Bone"), Structures(),
                             "GTV_Bone", BoneAccessTo("GTV_Bone"));
  ASSERT_TRUE(report.accepted) << report.reason;
  EXPECT_EQ(report.pleuralCrossings, 2);
  EXPECT_TRUE(Contains(report.tissuesCrossed, "Lung_L")) << Join(report.tissuesCrossed);
}

TEST_F(NeedleTest, PathThroughARibIsRejectedNamingTheRib) {
  // To the lung lesion from behind and to the right, where the posterior ribs lie in the way.
  const TrajectoryReport report =
      TrajectoryCheck::Check(Vector3d(-185.0, 188.2, 49.5), LesionCentre("GTV_Lung"), Structures(),
                             "GTV_Lung", TrajectoryOptions{});
  EXPECT_FALSE(report.accepted);
  EXPECT_EQ(report.rejectedBy, "bone Ribs");
  EXPECT_NE(report.reason.find("crosses bone Ribs at ("), std::string::npos) << report.reason;
  // Allowing bone access to the lung lesion does not open a rib: the lesion does not lie in one.
  const TrajectoryReport allowed =
      TrajectoryCheck::Check(Vector3d(-185.0, 188.2, 49.5), LesionCentre("GTV_Lung"), Structures(),
                             "GTV_Lung", BoneAccessTo("GTV_Lung"));
  EXPECT_FALSE(allowed.accepted);
  EXPECT_EQ(allowed.rejectedBy, "bone Ribs");
}

TEST_F(NeedleTest, TranspedicularRouteToTheVertebralLesionIsAcceptedOnlyWhenBoneAccessIsAllowed) {
  const TrajectoryCheck allowed(Structures(), "GTV_Bone", BoneAccessTo("GTV_Bone"));
  EXPECT_EQ(allowed.HostBones(), std::vector<std::string>{"Vertebrae"});
  const TrajectoryReport report = allowed.Evaluate(PedicleRouteEntry(), PedicleRouteTip());
  ASSERT_TRUE(report.accepted) << report.reason;
  EXPECT_GT(report.boneLengthMm, 15.0);
  EXPECT_LE(report.boneLengthMm, TrajectoryOptions{}.maxBonePathMm);
  EXPECT_EQ(report.pleuralCrossings, 0);
  EXPECT_EQ(report.tissuesCrossed.back(), "GTV_Bone") << Join(report.tissuesCrossed);
  EXPECT_TRUE(Contains(report.tissuesCrossed, "Vertebrae"));

  TrajectoryOptions everyTarget;
  everyTarget.allowBoneAccessToAllTargets = true;
  EXPECT_TRUE(TrajectoryCheck::Check(PedicleRouteEntry(), PedicleRouteTip(), Structures(),
                                     "GTV_Bone", everyTarget)
                  .accepted);

  const TrajectoryReport refused = TrajectoryCheck::Check(
      PedicleRouteEntry(), PedicleRouteTip(), Structures(), "GTV_Bone", TrajectoryOptions{});
  EXPECT_FALSE(refused.accepted);
  EXPECT_EQ(refused.rejectedBy, "bone Vertebrae");
  EXPECT_NE(refused.reason.find("bone access to GTV_Bone is not allowed"), std::string::npos)
      << refused.reason;

  TrajectoryOptions shortRoute = BoneAccessTo("GTV_Bone");
  shortRoute.maxBonePathMm = 10.0;
  const TrajectoryReport tooLong = TrajectoryCheck::Check(PedicleRouteEntry(), PedicleRouteTip(),
                                                          Structures(), "GTV_Bone", shortRoute);
  EXPECT_FALSE(tooLong.accepted);
  EXPECT_EQ(tooLong.rejectedBy, "bone route Vertebrae") << tooLong.reason;
}

TEST_F(NeedleTest, TipOutsideTheTargetOrEntryDeepInsideTheBodyIsRejected) {
  const TrajectoryCheck check(Structures(), "GTV_Lung", TrajectoryOptions{});
  const Vector3d centre = LesionCentre("GTV_Lung");
  const TrajectoryReport shortTip =
      check.Evaluate(centre - Vector3d(120, 0, 0), centre - Vector3d(25, 0, 0));
  EXPECT_FALSE(shortTip.accepted);
  EXPECT_EQ(shortTip.rejectedBy, "tip outside target") << shortTip.reason;
  const TrajectoryReport deepEntry = check.Evaluate(centre - Vector3d(30, 0, 0), centre);
  EXPECT_FALSE(deepEntry.accepted);
  EXPECT_EQ(deepEntry.rejectedBy, "entry inside body") << deepEntry.reason;
}

TEST_F(NeedleTest, EntryThroughTheEndOfTheScanIsRejected) {
  // Straight down from above the scanned volume: the skin there is not on the CT.
  const Vector3d centre = LesionCentre("GTV_Lung");
  const TrajectoryReport report = TrajectoryCheck::Check(
      centre + Vector3d(0, 0, 200), centre, Structures(), "GTV_Lung", TrajectoryOptions{});
  EXPECT_FALSE(report.accepted);
  EXPECT_EQ(report.rejectedBy, "entry off scan") << report.reason;
}

TEST_F(NeedleTest, UnknownTargetIsAClearError) {
  EXPECT_THROW(TrajectoryCheck(Structures(), "GTV_Brain", TrajectoryOptions{}), InvalidInput);
  EXPECT_THROW(NeedlePlanner::Template(Structures(), "GTV_Lung", Vector3d::Zero(), 10.0,
                                       TrajectoryOptions{}),
               InvalidInput);
  EXPECT_THROW(NeedlePlanner::Template(Structures(), "GTV_Lung", Vector3d::UnitX(), 0.0,
                                       TrajectoryOptions{}),
               InvalidInput);
}

TEST_F(NeedleTest, TemplateAlongXGivesSeveralLungNeedlesWhoseCandidatesLieInTheLesion) {
  const NeedlePlan plan = NeedlePlanner::Template(Structures(), "GTV_Lung", Vector3d::UnitX(), 10.0,
                                                  TrajectoryOptions{});
  std::cout << "GTV_Lung template +x, 10 mm: " << plan.accepted.size() << " accepted, "
            << plan.rejected.size() << " rejected, coverage " << 100.0 * plan.coverage << " %\n";
  for (const auto& [needle, reason] : plan.rejected) {
    std::cout << "  rejected " << needle.id << ": " << reason << "\n";
  }
  EXPECT_GE(plan.accepted.size(), 4u);
  EXPECT_NEAR(plan.direction.x(), 1.0, 1e-12);
  const Mask& lesion = Get("GTV_Lung").mask;
  for (const auto& needle : plan.accepted) {
    EXPECT_EQ(needle.id.rfind("GTV_Lung-N", 0), 0u) << needle.id;
    EXPECT_EQ(needle.targetName, "GTV_Lung");
    EXPECT_NEAR(needle.Direction().x(), 1.0, 1e-9);
    EXPECT_NEAR(needle.depthMm, (needle.tipMm - needle.entryMm).norm(), 1e-9);
    EXPECT_TRUE(InMask(lesion, needle.tipMm)) << needle.id;
    EXPECT_TRUE(Contains(needle.tissuesCrossed, "Lung_R")) << Join(needle.tissuesCrossed);
    EXPECT_GE(needle.pleuralCrossings, 1);
    EXPECT_GT(needle.passThroughLengthMm, 0.0);
    std::cout << "  " << needle.id << ": depth " << needle.depthMm << " mm, lung "
              << needle.passThroughLengthMm << " mm, " << needle.pleuralCrossings
              << " pleural crossing(s): " << Join(needle.tissuesCrossed) << "\n";
  }
  const std::vector<Seed> candidates =
      NeedlePlanner::CandidatePositions(plan.accepted, Get("GTV_Lung"), 8.0, 0.0);
  EXPECT_GE(candidates.size(), plan.accepted.size());
  for (const auto& seed : candidates) {
    EXPECT_TRUE(InMask(lesion, seed.positionMm)) << seed.needle;
    ASSERT_TRUE(seed.direction.has_value());
    EXPECT_NEAR(seed.direction->x(), 1.0, 1e-9);
    EXPECT_EQ(seed.strengthU, 0.0);
  }
}

TEST_F(NeedleTest, CandidatePositionsAreSpacedAsAskedAndCentredOnEachChord) {
  const NeedlePlan plan = NeedlePlanner::Template(Structures(), "GTV_Lung", Vector3d::UnitX(), 10.0,
                                                  TrajectoryOptions{});
  ASSERT_FALSE(plan.accepted.empty());
  const Mask& lesion = Get("GTV_Lung").mask;
  for (double spacingMm : {5.0, 7.5, 10.0}) {
    const std::vector<Seed> candidates =
        NeedlePlanner::CandidatePositions(plan.accepted, Get("GTV_Lung"), spacingMm, 0.0);
    std::map<std::string, std::vector<Seed>> byNeedle;
    for (const auto& seed : candidates) {
      byNeedle[seed.needle].push_back(seed);
    }
    for (const auto& needle : plan.accepted) {
      const auto& seeds = byNeedle[needle.id];
      ASSERT_FALSE(seeds.empty()) << needle.id;
      std::vector<double> along;
      for (const auto& seed : seeds) {
        along.push_back((seed.positionMm - needle.entryMm).dot(needle.Direction()));
        // On the needle's line.
        EXPECT_LT((seed.positionMm - needle.entryMm).cross(needle.Direction()).norm(), 1e-6);
      }
      std::sort(along.begin(), along.end());
      for (std::size_t i = 1; i < along.size(); ++i) {
        EXPECT_NEAR(along[i] - along[i - 1], spacingMm, 1e-9) << needle.id;
      }
      // Centred: the positions' middle is the middle of the needle's stretch inside the lesion
      // (found here by dense sampling through the mask's own grid), within the sampling.
      double firstMm = -1.0;
      double lastMm = -1.0;
      for (double s = 0.0; s <= needle.depthMm; s += 0.05) {
        if (InMask(lesion, needle.entryMm + s * needle.Direction())) {
          firstMm = firstMm < 0.0 ? s : firstMm;
          lastMm = s;
        }
      }
      EXPECT_NEAR(0.5 * (along.front() + along.back()), 0.5 * (firstMm + lastMm), 0.3) << needle.id;
      EXPECT_LE(along.back() - along.front(), lastMm - firstMm + 0.3) << needle.id;
    }
  }
  // A margin grows the stretch: never fewer candidates.
  EXPECT_GE(NeedlePlanner::CandidatePositions(plan.accepted, Get("GTV_Lung"), 5.0, 3.0).size(),
            NeedlePlanner::CandidatePositions(plan.accepted, Get("GTV_Lung"), 5.0, 0.0).size());
}

TEST_F(NeedleTest, FreeModeFindsValidRoutesForAllFourTargets) {
  const TrajectoryOptions options = BoneAccessTo("GTV_Bone");
  for (const auto& lesion : imaging::ThoraxPhantom::Lesions()) {
    const auto start = std::chrono::steady_clock::now();
    const NeedlePlan plan = NeedlePlanner::Free(Structures(), lesion.structureName, 10.0, options);
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cout << lesion.structureName << " (" << lesion.site << "): direction ("
              << plan.direction.transpose() << "), " << plan.accepted.size()
              << " needles accepted, " << plan.rejected.size() << " rejected, coverage "
              << 100.0 * plan.coverage << " %, " << plan.directionsAccepted << " of "
              << plan.directionsSearched << " directions acceptable, " << seconds << " s\n";
    for (const auto& [rule, count] : plan.directionRejections) {
      std::cout << "    directions rejected by " << rule << ": " << count << "\n";
    }
    for (const auto& line : plan.candidateSummary) {
      std::cout << "    " << line << "\n";
    }
    const TrajectoryCheck check(Structures(), lesion.structureName, options);
    for (const auto& needle : plan.accepted) {
      const TrajectoryReport report = check.Evaluate(needle.entryMm, needle.tipMm);
      std::cout << "    " << needle.id << ": depth " << needle.depthMm << " mm, pass-through "
                << needle.passThroughLengthMm << " mm, bone " << report.boneLengthMm << " mm, "
                << needle.pleuralCrossings << " pleural crossing(s), cost " << report.costMm
                << " mm: " << Join(needle.tissuesCrossed) << "\n";
    }
    for (const auto& [needle, reason] : plan.rejected) {
      std::cout << "    rejected " << needle.id << ": " << reason << "\n";
    }
    ASSERT_FALSE(plan.accepted.empty()) << lesion.structureName;
    EXPECT_NEAR(plan.direction.norm(), 1.0, 1e-9);
    EXPECT_GE(plan.coverage, 0.5) << lesion.structureName;
    for (const auto& needle : plan.accepted) {
      EXPECT_TRUE(check.Evaluate(needle.entryMm, needle.tipMm).accepted) << needle.id;
      EXPECT_GT(needle.Direction().dot(plan.direction), 1.0 - 1e-9) << needle.id;
      for (const char* forbidden : {"SpinalCord", "Aorta", "IVC", "Heart", "Ribs", "Sternum"}) {
        EXPECT_FALSE(Contains(needle.tissuesCrossed, forbidden)) << needle.id;
      }
    }
    const std::vector<Seed> candidates =
        NeedlePlanner::CandidatePositions(plan.accepted, Get(lesion.structureName), 8.0, 0.0);
    EXPECT_FALSE(candidates.empty()) << lesion.structureName;
  }
}

TEST_F(NeedleTest, FreeModeFindsNoRouteIntoTheVertebralBodyWithoutBoneAccess) {
  const NeedlePlan plan = NeedlePlanner::Free(Structures(), "GTV_Bone", 10.0, TrajectoryOptions{});
  EXPECT_TRUE(plan.accepted.empty());
  EXPECT_EQ(plan.directionsAccepted, 0);
  EXPECT_GT(plan.directionRejections.count("bone Vertebrae"), 0u);
  // One example path per rule, with its reason.
  EXPECT_EQ(plan.rejected.size(), plan.directionRejections.size());
  const bool bonePathShown =
      std::any_of(plan.rejected.begin(), plan.rejected.end(), [](const auto& rejected) {
        return rejected.second.find("crosses bone Vertebrae") != std::string::npos;
      });
  EXPECT_TRUE(bonePathShown);
}

// Masks on their own grids: a cropped fine-grid target and a cropped no-go slab, unlike the
// body's coarse grid. Looking them up with the body's indices would put them elsewhere.
TEST(NeedleGeometry, MasksAreLookedUpThroughTheirOwnGrids) {
  imaging::StructureSet structures;
  auto add = [&](const std::string& name, imaging::StructureRole role, const GridGeometry& grid,
                 auto inside) {
    imaging::Structure structure;
    structure.name = name;
    structure.role = role;
    structure.mask = Mask(grid, 0);
    for (std::int64_t k = 0; k < grid.Size()[2]; ++k) {
      for (std::int64_t j = 0; j < grid.Size()[1]; ++j) {
        for (std::int64_t i = 0; i < grid.Size()[0]; ++i) {
          const Vector3d p = grid.IndexToPoint(static_cast<double>(i), static_cast<double>(j),
                                               static_cast<double>(k));
          structure.mask.At(i, j, k) = inside(p) ? 1 : 0;
        }
      }
    }
    structures.structures.push_back(std::move(structure));
  };
  // Body: a 100 mm cube on a 2 mm grid centred on 0.
  add("BODY", imaging::StructureRole::External,
      GridGeometry(Vector3d(-49, -49, -49), Vector3d(2, 2, 2), {50, 50, 50}),
      [](const Vector3d& p) { return p.cwiseAbs().maxCoeff() < 45.0; });
  // Target: a sphere of radius 9 mm at (20, 0, 0) on a cropped 0.5 mm grid.
  add("GTV", imaging::StructureRole::Target,
      GridGeometry(Vector3d(8.25, -11.75, -11.75), Vector3d(0.5, 0.5, 0.5), {48, 48, 48}),
      [](const Vector3d& p) { return (p - Vector3d(20, 0, 0)).norm() <= 9.0; });
  // No-go: a 4 mm slab at x = -20 .. -16 for y > 0 only, on a cropped 1 mm grid.
  add("Cord", imaging::StructureRole::NoGo,
      GridGeometry(Vector3d(-20.5, -30.5, -30.5), Vector3d(1, 1, 1), {6, 62, 62}),
      [](const Vector3d& p) { return p.x() >= -20.0 && p.x() <= -16.0 && p.y() > 0.0; });
  const imaging::Structure& target = structures.structures[1];

  const TrajectoryCheck check(structures, "GTV", TrajectoryOptions{});
  EXPECT_LE(check.SampleStepMm(), 0.25); // half the finest mask spacing
  const TrajectoryReport blocked = check.Evaluate(Vector3d(-60, 5, 0), Vector3d(20, 5, 0));
  EXPECT_FALSE(blocked.accepted);
  EXPECT_EQ(blocked.rejectedBy, "no-go Cord") << blocked.reason;
  const TrajectoryReport clear = check.Evaluate(Vector3d(-60, -5, 0), Vector3d(20, -5, 0));
  EXPECT_TRUE(clear.accepted) << clear.reason;
  EXPECT_EQ(clear.tissuesCrossed, std::vector<std::string>{"GTV"});

  // Template along +x, 5 mm lattice. The lattice shifted by half a spacing in both directions
  // keeps the most lines: y, z in {-7.5, -2.5, 2.5, 7.5} without the four corners (7.5² + 7.5²
  // > 9²), 12 needles; the six with y > 0 cross the slab.
  const NeedlePlan plan =
      NeedlePlanner::Template(structures, "GTV", Vector3d::UnitX(), 5.0, TrajectoryOptions{});
  EXPECT_EQ(plan.accepted.size(), 6u);
  EXPECT_EQ(plan.rejected.size(), 6u);
  for (const auto& needle : plan.accepted) {
    EXPECT_LT(needle.tipMm.y(), 0.0);
    // The body's voxels reach x = -44 mm (centres at -43 inside, -45 outside): the entry is the
    // first sample outside, within one step of it.
    EXPECT_LT(needle.entryMm.x(), -44.0);
    EXPECT_GE(needle.entryMm.x(), -44.5);
    EXPECT_TRUE(needle.tissuesCrossed == std::vector<std::string>{"GTV"});
    EXPECT_TRUE(InMask(target.mask, needle.tipMm));
  }
  for (const auto& [needle, reason] : plan.rejected) {
    EXPECT_GT(needle.tipMm.y(), 0.0);
    EXPECT_NE(reason.find("Cord"), std::string::npos) << reason;
  }

  // Candidates every 5 mm along each needle, centred on its stretch inside the sphere (found
  // here by dense sampling of the fine mask), the last one no deeper than the tip.
  for (const auto& needle : plan.accepted) {
    const std::vector<Seed> seeds = NeedlePlanner::CandidatePositions({needle}, target, 5.0, 0.0);
    double firstMm = -1.0;
    for (double s = 0.0; s <= needle.depthMm; s += 0.01) {
      if (InMask(target.mask, needle.entryMm + s * needle.Direction())) {
        firstMm = s;
        break;
      }
    }
    ASSERT_GT(firstMm, 0.0);
    const double stretchMm = needle.depthMm - firstMm;
    EXPECT_EQ(seeds.size(), static_cast<std::size_t>(std::floor(stretchMm / 5.0)) + 1u)
        << needle.id;
    double middleMm = 0.0;
    for (const auto& seed : seeds) {
      middleMm += (seed.positionMm - needle.entryMm).dot(needle.Direction()) /
                  static_cast<double>(seeds.size());
      EXPECT_TRUE(InMask(target.mask, seed.positionMm)) << needle.id;
    }
    EXPECT_NEAR(middleMm, firstMm + 0.5 * stretchMm, 0.3) << needle.id;
  }
}

} // namespace
} // namespace seedplan::planning
