// Tests of PlanEditSession (issue 14's live editing without a display) on the sample patient
// written by the project's generator (~2 s once per suite) with its committed sample implant:
// after a sequence of steps (moves, a drag, along-needle moves, additions, a deletion, a change of
// strength, undo and redo) the live metrics equal a fresh PlanEvaluator::Evaluate of the edited
// plan; a limit crossed by an added seed turns to an alarm; warnings; refusals.

#include "seedplan/planning/PlanEditSession.h"
#include "FreshEvaluationCheck.h"
#include "SampleImplant.h"

#include "seedplan/core/Error.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <memory>

namespace seedplan::planning {
namespace {

namespace fs = std::filesystem;

class PlanEditSessionOnTheSamplePatient : public ::testing::Test {
protected:
  static void SetUpTestSuite() { s_Sample = std::make_unique<test::SampleImplant>(); }
  static void TearDownTestSuite() { s_Sample.reset(); }

  static void ExpectEqualToFreshEvaluation(PlanEditSession& session) {
    test::ExpectEqualToFreshEvaluation(*s_Sample, session.Current(), session.Evaluation(),
                                       "after the edits");
  }

  inline static std::unique_ptr<test::SampleImplant> s_Sample;
};

TEST_F(PlanEditSessionOnTheSamplePatient, LiveMetricsAfterASequenceOfEditsEqualAFullEvaluation) {
  PlanEditSession session(s_Sample->plan, s_Sample->ct.hu.Geometry(), s_Sample->structures,
                          s_Sample->library);
  const std::size_t seeds = s_Sample->plan.seeds.size();
  session.Select(2);
  session.MoveSelected(Eigen::Vector3d(1.5, -0.5, 2.0));
  session.BeginDrag(5);
  session.DragTo(s_Sample->plan.seeds[5].positionMm + Eigen::Vector3d(0.7, 0.3, 0.0));
  session.DragTo(s_Sample->plan.seeds[5].positionMm + Eigen::Vector3d(2.0, 1.0, 0.0));
  session.EndDrag();
  EXPECT_NEAR((session.Current().seeds[5].positionMm - s_Sample->plan.seeds[5].positionMm -
               Eigen::Vector3d(2.0, 1.0, 0.0))
                  .norm(),
              0.0, 1e-9);
  session.Select(7);
  session.MoveSelectedAlongNeedle(2.5);
  session.AddSeed(s_Sample->plan.seeds[0].positionMm + Eigen::Vector3d(0.0, 6.0, 0.0));
  EXPECT_EQ(session.Selected(), seeds);
  session.Select(1);
  session.DeleteSelected();
  session.SetStrengthOfAll(1.1 * s_Sample->plan.seeds.front().strengthU);
  session.Undo();
  session.Undo();
  session.Redo();
  EXPECT_EQ(session.Current().seeds.size(), seeds); // +1 added, -1 deleted; strength undone
  EXPECT_DOUBLE_EQ(session.Current().seeds.back().strengthU,
                   s_Sample->plan.seeds.front().strengthU);
  ExpectEqualToFreshEvaluation(session);
  const Plan saved = session.PlanToSave("2026-12-07T03:00:00Z", "physicist", "plan.xml");
  ASSERT_EQ(saved.handEdits.size(), 1u);
  EXPECT_EQ(saved.handEdits.back().utc, "2026-12-07T03:00:00Z");
  EXPECT_NE(saved.handEdits.back().summary.find("deleted seed"), std::string::npos)
      << saved.handEdits.back().summary;
  EXPECT_EQ(saved.metrics.size(), s_Sample->structures.structures.size());
}

TEST_F(PlanEditSessionOnTheSamplePatient, AStepRecomputesOnlyTheStructuresItReaches) {
  PlanEditSession session(s_Sample->plan, s_Sample->ct.hu.Geometry(), s_Sample->structures,
                          s_Sample->library);
  session.Evaluation();
  EXPECT_TRUE(session.StaleStructures().empty());
  session.Select(0);
  session.MoveSelected(Eigen::Vector3d(0.0, 1.0, 0.0));
  const auto stale = session.StaleStructures();
  EXPECT_FALSE(stale.empty());
  EXPECT_LT(stale.size(), s_Sample->structures.structures.size());
  const std::string lesion = session.Editor().TargetOf(session.Current().seeds[0]);
  EXPECT_NE(std::find(stale.begin(), stale.end(), lesion), stale.end()) << lesion;
  ASSERT_TRUE(session.EditedLesionMetrics().has_value());
  EXPECT_EQ(session.EditedLesionMetrics()->structureName, lesion);
}

TEST_F(PlanEditSessionOnTheSamplePatient, AnOrganLimitCrossedByAnAddedSeedBecomesAnAlarm) {
  Plan plan = s_Sample->plan;
  const OrganLimitSpec first = plan.limits.front();
  // A limit 5 % above the organ's current dose: a seed added inside the organ crosses it.
  PlanEditSession probe(plan, s_Sample->ct.hu.Geometry(), s_Sample->structures, s_Sample->library);
  const auto checks = probe.Evaluation().limits;
  ASSERT_TRUE(checks.front().valueGy.has_value());
  plan.limits = {{first.structureName, first.metric, 1.05 * *checks.front().valueGy}};
  PlanEditSession session(plan, s_Sample->ct.hu.Geometry(), s_Sample->structures,
                          s_Sample->library);
  const auto count = [&](EditStatusLine::Kind kind) {
    const auto lines = session.StatusLines();
    return std::count_if(lines.begin(), lines.end(),
                         [&](const EditStatusLine& line) { return line.kind == kind; });
  };
  EXPECT_EQ(count(EditStatusLine::Kind::Alarm), 0);
  session.AddSeed(test::InsideCentreMm(s_Sample->structures.Find(first.structureName)->mask));
  EXPECT_EQ(count(EditStatusLine::Kind::Alarm), 1);
  EXPECT_GE(count(EditStatusLine::Kind::Warning), 1); // a seed inside an organ at risk / no-go
  const auto lines = session.StatusLines();
  EXPECT_NE(lines.front().text.find(std::to_string(plan.seeds.size() + 1) + " seeds"),
            std::string::npos)
      << lines.front().text;
  session.Undo();
  EXPECT_EQ(count(EditStatusLine::Kind::Alarm), 0);
}

TEST_F(PlanEditSessionOnTheSamplePatient, RefusalsChangeNothing) {
  PlanEditSession session(s_Sample->plan, s_Sample->ct.hu.Geometry(), s_Sample->structures,
                          s_Sample->library);
  EXPECT_THROW(session.MoveSelected(Eigen::Vector3d(1, 0, 0)), InvalidInput); // no selection
  EXPECT_THROW(session.Undo(), InvalidInput);
  EXPECT_THROW(session.Select(s_Sample->plan.seeds.size()), InvalidInput);
  session.Select(0);
  EXPECT_THROW(session.MoveSelected(Eigen::Vector3d(0, 0, 1e4)), InvalidInput); // outside the CT
  // A drag outside the CT stops at the last point inside it.
  session.BeginDrag(0);
  session.DragTo(Eigen::Vector3d(1e4, 0, 0));
  session.EndDrag();
  EXPECT_FALSE(session.Edited());
  EXPECT_EQ(session.Current().seeds[0].positionMm, s_Sample->plan.seeds[0].positionMm);
  ExpectEqualToFreshEvaluation(session);
}

} // namespace
} // namespace seedplan::planning
