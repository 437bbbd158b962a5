#include "seedplan/planning/PlanEditor.h"

#include "seedplan/core/Error.h"
#include "seedplan/planning/PlanXml.h"

#include <gtest/gtest.h>

#include <cmath>

namespace seedplan::planning {
namespace {

// Positions are sums of the same doubles the test gives: they agree to rounding.
constexpr double kExactMm = 1e-12;

/// A 60 x 60 x 40 mm CT at 1 mm (centre at the origin), a spherical target of radius 10 mm at
/// the origin, a no-go box x in [15, 20] mm, and a plan of one needle along +x with three seeds
/// 5 mm apart in the target.
class PlanEditorTest : public ::testing::Test {
protected:
  PlanEditorTest() {
    m_Ct =
        GridGeometry(Eigen::Vector3d(-29.5, -29.5, -19.5), Eigen::Vector3d(1, 1, 1), {60, 60, 40});
    imaging::Structure target;
    target.name = "GTV";
    target.role = imaging::StructureRole::Target;
    target.mask = Mask(m_Ct, 0);
    imaging::Structure cord;
    cord.name = "SpinalCord";
    cord.role = imaging::StructureRole::NoGo;
    cord.mask = Mask(m_Ct, 0);
    for (std::int64_t k = 0; k < 40; ++k) {
      for (std::int64_t j = 0; j < 60; ++j) {
        for (std::int64_t i = 0; i < 60; ++i) {
          const Eigen::Vector3d p = m_Ct.IndexToPoint(double(i), double(j), double(k));
          target.mask.At(i, j, k) = p.norm() <= 10.0;
          cord.mask.At(i, j, k) = p.x() >= 15.0 && p.x() <= 20.0;
        }
      }
    }
    m_Structures.structures = {target, cord};

    m_Plan.targets = {{"GTV", "lung", 120.0, 0.0}};
    m_Plan.strengthAtImplantU = 0.5;
    m_Plan.assayStrengthU = 0.6;
    Needle needle;
    needle.id = "N1";
    needle.targetName = "GTV";
    needle.entryMm = Eigen::Vector3d(-28, 0, 0);
    needle.tipMm = Eigen::Vector3d(8, 0, 0);
    m_Plan.needles = {needle};
    for (double x : {-5.0, 0.0, 5.0}) {
      Seed seed;
      seed.positionMm = Eigen::Vector3d(x, 0, 0);
      seed.direction = Eigen::Vector3d::UnitX();
      seed.strengthU = 0.5;
      seed.model = "6711";
      seed.needle = "N1";
      m_Plan.seeds.push_back(seed);
    }
  }

  GridGeometry m_Ct;
  imaging::StructureSet m_Structures;
  Plan m_Plan;
};

TEST_F(PlanEditorTest, MovedSeedKeepsItsIndexAxisStrengthAndNeedle) {
  PlanEditor editor(m_Plan, m_Ct, m_Structures);
  const SeedChange change = editor.MoveSeed(1, Eigen::Vector3d(0, 2, -1));
  const Seed& moved = editor.Current().seeds[1];
  EXPECT_NEAR((moved.positionMm - Eigen::Vector3d(0, 2, -1)).norm(), 0.0, kExactMm);
  ASSERT_TRUE(moved.direction);
  EXPECT_EQ(*moved.direction, Eigen::Vector3d::UnitX());
  EXPECT_EQ(moved.strengthU, 0.5);
  EXPECT_EQ(moved.needle, "N1");
  EXPECT_EQ(editor.Current().seeds[0].positionMm, m_Plan.seeds[0].positionMm);
  EXPECT_EQ(editor.Current().seeds[2].positionMm, m_Plan.seeds[2].positionMm);
  ASSERT_EQ(change.removed.size(), 1u);
  ASSERT_EQ(change.added.size(), 1u);
  EXPECT_EQ(change.removed[0].positionMm, m_Plan.seeds[1].positionMm);
  EXPECT_EQ(change.added[0].positionMm, moved.positionMm);
}

TEST_F(PlanEditorTest, BatchIndicesReferToThePlanBeforeTheStep) {
  PlanEditor editor(m_Plan, m_Ct, m_Structures);
  SeedEditBatch batch;
  batch.deletions = {0};
  batch.moves = {{2, Eigen::Vector3d(0, 0, 1)}};
  batch.additions = {SeedAddition{Eigen::Vector3d(2.5, 0, 0), "N1", std::nullopt},
                     SeedAddition{Eigen::Vector3d(0, 5, 0), "", 0.7}};
  editor.Apply(batch);
  const auto& seeds = editor.Current().seeds;
  ASSERT_EQ(seeds.size(), 4u);
  EXPECT_EQ(seeds[0].positionMm, Eigen::Vector3d(0, 0, 0)); // former seed 1
  EXPECT_EQ(seeds[1].positionMm, Eigen::Vector3d(5, 0, 1)); // former seed 2, moved
  EXPECT_EQ(seeds[2].needle, "N1");                         // added on the needle:
  ASSERT_TRUE(seeds[2].direction);                          // its axis, the plan's strength
  EXPECT_NEAR((*seeds[2].direction - Eigen::Vector3d::UnitX()).norm(), 0.0, kExactMm);
  EXPECT_EQ(seeds[2].strengthU, 0.5);
  EXPECT_FALSE(seeds[3].direction); // added free: axis unknown (1D formalism)
  EXPECT_EQ(seeds[3].strengthU, 0.7);
  EXPECT_EQ(seeds[3].model, "6711");
}

TEST_F(PlanEditorTest, UndoAndRedoRestoreEveryStepAndReturnTheInverseChange) {
  PlanEditor editor(m_Plan, m_Ct, m_Structures);
  editor.MoveSeed(0, Eigen::Vector3d(0, 1, 0));
  editor.DeleteSeed(2);
  editor.SetStrengthOfAll(0.25);
  EXPECT_EQ(editor.Current().seeds.size(), 2u);
  EXPECT_EQ(editor.Current().assayStrengthU, 0.3); // 0.6 * 0.25 / 0.5: the decay is unchanged
  const SeedChange undoStrength = editor.Undo();
  EXPECT_EQ(undoStrength.added.front().strengthU, 0.5);
  EXPECT_EQ(undoStrength.removed.front().strengthU, 0.25);
  const SeedChange undoDelete = editor.Undo();
  ASSERT_EQ(undoDelete.added.size(), 1u);
  EXPECT_EQ(undoDelete.added[0].positionMm, m_Plan.seeds[2].positionMm);
  EXPECT_TRUE(undoDelete.removed.empty());
  editor.Undo();
  EXPECT_FALSE(editor.CanUndo());
  for (std::size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(editor.Current().seeds[i].positionMm, m_Plan.seeds[i].positionMm);
  }
  EXPECT_THROW(editor.Undo(), InvalidInput);
  editor.Redo();
  editor.Redo();
  EXPECT_EQ(editor.Current().seeds.size(), 2u);
  EXPECT_EQ(editor.Current().seeds[0].positionMm, Eigen::Vector3d(-5, 1, 0));
  editor.AddSeed(SeedAddition{Eigen::Vector3d(0, 3, 3), "", std::nullopt});
  EXPECT_FALSE(editor.CanRedo()) << "a new step discards what could have been redone";
}

TEST_F(PlanEditorTest, BadEditsAreRefusedAndChangeNothing) {
  PlanEditor editor(m_Plan, m_Ct, m_Structures);
  EXPECT_THROW(editor.MoveSeed(3, Eigen::Vector3d(1, 0, 0)), InvalidInput);
  EXPECT_THROW(editor.DeleteSeed(7), InvalidInput);
  EXPECT_THROW(editor.MoveSeed(0, Eigen::Vector3d(0, 0, 30)), InvalidInput); // z = 30: outside
  EXPECT_THROW(editor.AddSeed(SeedAddition{Eigen::Vector3d(0, 0, 0), "N9", std::nullopt}),
               InvalidInput);
  SeedEditBatch both;
  both.moves = {{1, Eigen::Vector3d(1, 0, 0)}};
  both.deletions = {1};
  EXPECT_THROW(editor.Apply(both), InvalidInput);
  SeedEditBatch partlyBad;
  partlyBad.moves = {{0, Eigen::Vector3d(1, 0, 0)}};
  partlyBad.additions = {SeedAddition{Eigen::Vector3d(100, 0, 0), "", std::nullopt}};
  EXPECT_THROW(editor.Apply(partlyBad), InvalidInput);
  EXPECT_FALSE(editor.CanUndo());
  EXPECT_EQ(editor.Current().seeds[0].positionMm, m_Plan.seeds[0].positionMm);

  Plan noStrength = m_Plan;
  noStrength.strengthAtImplantU = 0.0;
  PlanEditor unknown(noStrength, m_Ct, m_Structures);
  try {
    unknown.AddSeed(SeedAddition{Eigen::Vector3d(1, 1, 1), "", std::nullopt});
    FAIL() << "an added seed with no strength known must be refused";
  } catch (const InvalidInput& error) {
    EXPECT_NE(std::string(error.what()).find("--strength-u"), std::string::npos) << error.what();
  }
}

TEST_F(PlanEditorTest, WarnsWhenASeedLeavesItsNeedleEntersANoGoStructureOrCrowdsAnother) {
  PlanEditor editor(m_Plan, m_Ct, m_Structures);
  EXPECT_TRUE(editor.AllWarnings().empty());
  editor.MoveSeed(0, Eigen::Vector3d(0, 2, 0)); // 2 mm off the needle's axis
  editor.AddSeed(SeedAddition{Eigen::Vector3d(17, 5, 0), "", std::nullopt});   // in the cord
  editor.AddSeed(SeedAddition{Eigen::Vector3d(2, 0, 0), "N1", std::nullopt});  // 2 mm from seed 1
  editor.AddSeed(SeedAddition{Eigen::Vector3d(11, 0, 0), "N1", std::nullopt}); // 3 mm past tip
  const auto warnings = editor.Warnings(editor.EditedSeeds());
  std::string all;
  for (const auto& warning : warnings) {
    all += warning.text + "\n";
  }
  EXPECT_NE(all.find("seed 0 is 2 mm off the path of its needle N1"), std::string::npos) << all;
  EXPECT_NE(all.find("seed 3 lies in the no-go structure SpinalCord"), std::string::npos) << all;
  EXPECT_NE(all.find("seed 4 is 2 mm from seed 1"), std::string::npos) << all;
  EXPECT_NE(all.find("seed 5 lies 3 mm beyond the tip of its needle N1"), std::string::npos) << all;
  EXPECT_EQ(editor.EditedSeeds(), (std::vector<std::size_t>{0, 3, 4, 5}));
}

TEST_F(PlanEditorTest, SeedsBelongToTheirNeedlesTargetOrTheTargetTheyLieNextTo) {
  PlanEditor editor(m_Plan, m_Ct, m_Structures);
  Seed free;
  free.positionMm = Eigen::Vector3d(0, 14, 0); // 4 mm outside the sphere
  EXPECT_EQ(editor.TargetOf(free), "GTV");
  free.positionMm = Eigen::Vector3d(0, 25, 0);
  EXPECT_EQ(editor.TargetOf(free), "");
  EXPECT_EQ(editor.TargetOf(m_Plan.seeds[0]), "GTV");
}

TEST_F(PlanEditorTest, EditedPlanRecordsTheHandEditAndReadsBack) {
  PlanEditor editor(m_Plan, m_Ct, m_Structures);
  editor.MoveSeed(2, Eigen::Vector3d(0, 1.5, 0));
  editor.DeleteSeed(0);
  Plan plan = editor.EditedPlan("2026-02-11T10:00:00Z", "physicist", "plan.xml");
  plan.implantDate = "2026-02-11";
  plan.assayDate = "2026-02-01";
  ASSERT_EQ(plan.handEdits.size(), 1u);
  EXPECT_EQ(plan.handEdits[0].summary, "moved seed 2 by (0, 1.5, 0) mm; deleted seed 0");
  const Plan read = PlanXml::FromXml(PlanXml::ToXml(plan), "edited.xml");
  ASSERT_EQ(read.handEdits.size(), 1u);
  EXPECT_EQ(read.handEdits[0].utc, "2026-02-11T10:00:00Z");
  EXPECT_EQ(read.handEdits[0].user, "physicist");
  EXPECT_EQ(read.handEdits[0].fromPlan, "plan.xml");
  EXPECT_EQ(read.handEdits[0].summary, plan.handEdits[0].summary);
  EXPECT_EQ(read.seeds.size(), 2u);
  EXPECT_TRUE(PlanXml::FromXml(PlanXml::ToXml(m_Plan), "plan.xml").handEdits.empty());
}

} // namespace
} // namespace seedplan::planning
