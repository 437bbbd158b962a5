// Tests of PlanEditSession (issue 14's live editing without a display) on the sample patient
// written by the project's generator (~2 s once per suite) with its committed sample implant:
// after a sequence of steps (moves, a drag, along-needle moves, additions, a deletion, a change of
// strength, undo and redo) the live metrics equal a fresh PlanEvaluator::Evaluate of the edited
// plan; a limit crossed by an added seed turns to an alarm; warnings; refusals.

#include "seedplan/planning/PlanEditSession.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/SeedsCsv.h"
#include "seedplan/dosimetry/SeedStrength.h"
#include "seedplan/imaging/CtLoader.h"
#include "seedplan/imaging/SamplePatient.h"
#include "seedplan/imaging/StructureLoader.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <memory>
#include <unistd.h>

namespace seedplan::planning {
namespace {

namespace fs = std::filesystem;

/// The acceptance: live metrics equal a full recomputation of the edited plan to 0.01 %.
constexpr double kLiveTolerance = 1e-4;
/// The sample implant's seeds: 0.55 mCi of 6711 (sample_data/README.md).
constexpr double kSampleActivityMCi = 0.55;

class PlanEditSessionOnTheSamplePatient : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    s_Folder = fs::temp_directory_path() /
               ("seedplan-edit-session-" + std::to_string(::getpid()) + "-" +
                std::to_string(std::chrono::steady_clock::now().time_since_epoch().count()));
    fs::create_directories(s_Folder);
    const imaging::SamplePatientFiles files = imaging::SamplePatient::Write(s_Folder / "patient");
    s_Ct = std::make_unique<imaging::CtImage>(imaging::CtLoader::Load(files.Ct()));
    s_Structures = std::make_unique<imaging::StructureSet>(
        imaging::StructureLoader::Load(files.RtStruct(), *s_Ct));
    s_Library = std::make_unique<dosimetry::SourceLibrary>(SEEDPLAN_SOURCES_DIR);
    s_Plan = std::make_unique<Plan>();
    s_Plan->seedModel = "6711";
    const auto rows = SeedsCsv::Read(files.SampleSeeds());
    s_Plan->seeds = dosimetry::SeedStrength::Resolve(rows, files.SampleSeeds().string(), *s_Library,
                                                     "6711", std::nullopt, kSampleActivityMCi);
    s_Plan->strengthAtImplantU = s_Plan->seeds.front().strengthU;
    s_Plan->assayStrengthU = s_Plan->strengthAtImplantU;
    for (const auto& lesion : imaging::SamplePatient::ReadPrescriptions(files.Prescriptions())) {
      s_Plan->targets.push_back({lesion.structureName, lesion.site, lesion.prescriptionGy, 0.0});
    }
    for (const auto& limit : imaging::SamplePatient::ReadOrganLimits(files.OrganLimits())) {
      s_Plan->limits.push_back({limit.structureName, limit.metric, limit.limitGy});
    }
  }
  static void TearDownTestSuite() {
    s_Plan.reset();
    s_Structures.reset();
    s_Ct.reset();
    s_Library.reset();
    std::error_code error;
    fs::remove_all(s_Folder, error);
  }

  static void ExpectEqualToFreshEvaluation(PlanEditSession& session) {
    const Plan& edited = session.Current();
    const Volume<float> dose = PlanEvaluator::TotalDose(edited, s_Ct->hu.Geometry(), *s_Library);
    const PlanEvaluation fresh = PlanEvaluator::Evaluate(edited, dose, *s_Structures, *s_Library);
    const PlanEvaluation live = session.Evaluation();
    ASSERT_EQ(live.metrics.size(), fresh.metrics.size());
    for (std::size_t s = 0; s < fresh.metrics.size(); ++s) {
      const auto& a = fresh.metrics[s].metrics;
      const auto& b = live.metrics[s].metrics;
      const std::string& name = fresh.metrics[s].structureName;
      for (const auto& [x, y] : {std::pair{a.D90Gy, b.D90Gy},
                                 {a.DmaxGy, b.DmaxGy},
                                 {a.DmeanGy, b.DmeanGy},
                                 {a.V100Pct, b.V100Pct},
                                 {a.V150Pct, b.V150Pct},
                                 {a.V200Pct, b.V200Pct}}) {
        EXPECT_NEAR(y, x, kLiveTolerance * std::max(1.0, std::abs(x))) << name;
      }
      ASSERT_EQ(a.D2ccGy.has_value(), b.D2ccGy.has_value()) << name;
      if (a.D2ccGy) {
        EXPECT_NEAR(*b.D2ccGy, *a.D2ccGy, kLiveTolerance * std::max(1.0, *a.D2ccGy)) << name;
      }
    }
    ASSERT_EQ(live.limits.size(), fresh.limits.size());
    for (std::size_t l = 0; l < fresh.limits.size(); ++l) {
      EXPECT_EQ(live.limits[l].met, fresh.limits[l].met) << fresh.limits[l].limit.structureName;
    }
  }

  /// The centre of a structure's mask (mean of its voxel centres).
  static Eigen::Vector3d CentreOf(const std::string& name) {
    const Mask& mask = s_Structures->Find(name)->mask;
    const auto size = mask.Geometry().Size();
    Eigen::Vector3d sum = Eigen::Vector3d::Zero();
    double count = 0.0;
    for (std::int64_t k = 0; k < size[2]; ++k) {
      for (std::int64_t j = 0; j < size[1]; ++j) {
        for (std::int64_t i = 0; i < size[0]; ++i) {
          if (mask.At(i, j, k)) {
            sum += mask.Geometry().IndexToPoint(double(i), double(j), double(k));
            count += 1.0;
          }
        }
      }
    }
    return sum / count;
  }

  inline static fs::path s_Folder;
  inline static std::unique_ptr<imaging::CtImage> s_Ct;
  inline static std::unique_ptr<imaging::StructureSet> s_Structures;
  inline static std::unique_ptr<dosimetry::SourceLibrary> s_Library;
  inline static std::unique_ptr<Plan> s_Plan;
};

TEST_F(PlanEditSessionOnTheSamplePatient, LiveMetricsAfterASequenceOfEditsEqualAFullEvaluation) {
  PlanEditSession session(*s_Plan, s_Ct->hu.Geometry(), *s_Structures, *s_Library);
  const std::size_t seeds = s_Plan->seeds.size();
  session.Select(2);
  session.MoveSelected(Eigen::Vector3d(1.5, -0.5, 2.0));
  session.BeginDrag(5);
  session.DragTo(s_Plan->seeds[5].positionMm + Eigen::Vector3d(0.7, 0.3, 0.0));
  session.DragTo(s_Plan->seeds[5].positionMm + Eigen::Vector3d(2.0, 1.0, 0.0));
  session.EndDrag();
  EXPECT_NEAR((session.Current().seeds[5].positionMm - s_Plan->seeds[5].positionMm -
               Eigen::Vector3d(2.0, 1.0, 0.0))
                  .norm(),
              0.0, 1e-9);
  session.Select(7);
  session.MoveSelectedAlongNeedle(2.5);
  session.AddSeed(s_Plan->seeds[0].positionMm + Eigen::Vector3d(0.0, 6.0, 0.0));
  EXPECT_EQ(session.Selected(), seeds);
  session.Select(1);
  session.DeleteSelected();
  session.SetStrengthOfAll(1.1 * s_Plan->seeds.front().strengthU);
  session.Undo();
  session.Undo();
  session.Redo();
  EXPECT_EQ(session.Current().seeds.size(), seeds); // +1 added, -1 deleted; strength undone
  EXPECT_DOUBLE_EQ(session.Current().seeds.back().strengthU, s_Plan->seeds.front().strengthU);
  ExpectEqualToFreshEvaluation(session);
  const Plan saved = session.PlanToSave("2026-12-07T03:00:00Z", "physicist", "plan.xml");
  ASSERT_EQ(saved.handEdits.size(), 1u);
  EXPECT_EQ(saved.handEdits.back().utc, "2026-12-07T03:00:00Z");
  EXPECT_NE(saved.handEdits.back().summary.find("deleted seed"), std::string::npos)
      << saved.handEdits.back().summary;
  EXPECT_EQ(saved.metrics.size(), s_Structures->structures.size());
}

TEST_F(PlanEditSessionOnTheSamplePatient, AStepRecomputesOnlyTheStructuresItReaches) {
  PlanEditSession session(*s_Plan, s_Ct->hu.Geometry(), *s_Structures, *s_Library);
  session.Evaluation();
  EXPECT_TRUE(session.StaleStructures().empty());
  session.Select(0);
  session.MoveSelected(Eigen::Vector3d(0.0, 1.0, 0.0));
  const auto stale = session.StaleStructures();
  EXPECT_FALSE(stale.empty());
  EXPECT_LT(stale.size(), s_Structures->structures.size());
  const std::string lesion = session.Editor().TargetOf(session.Current().seeds[0]);
  EXPECT_NE(std::find(stale.begin(), stale.end(), lesion), stale.end()) << lesion;
  ASSERT_TRUE(session.EditedLesionMetrics().has_value());
  EXPECT_EQ(session.EditedLesionMetrics()->structureName, lesion);
}

TEST_F(PlanEditSessionOnTheSamplePatient, AnOrganLimitCrossedByAnAddedSeedBecomesAnAlarm) {
  Plan plan = *s_Plan;
  const OrganLimitSpec first = plan.limits.front();
  // A limit 5 % above the organ's current dose: a seed added inside the organ crosses it.
  PlanEditSession probe(plan, s_Ct->hu.Geometry(), *s_Structures, *s_Library);
  const auto checks = probe.Evaluation().limits;
  ASSERT_TRUE(checks.front().valueGy.has_value());
  plan.limits = {{first.structureName, first.metric, 1.05 * *checks.front().valueGy}};
  PlanEditSession session(plan, s_Ct->hu.Geometry(), *s_Structures, *s_Library);
  const auto count = [&](EditStatusLine::Kind kind) {
    const auto lines = session.StatusLines();
    return std::count_if(lines.begin(), lines.end(),
                         [&](const EditStatusLine& line) { return line.kind == kind; });
  };
  EXPECT_EQ(count(EditStatusLine::Kind::Alarm), 0);
  session.AddSeed(CentreOf(first.structureName));
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
  PlanEditSession session(*s_Plan, s_Ct->hu.Geometry(), *s_Structures, *s_Library);
  EXPECT_THROW(session.MoveSelected(Eigen::Vector3d(1, 0, 0)), InvalidInput); // no selection
  EXPECT_THROW(session.Undo(), InvalidInput);
  EXPECT_THROW(session.Select(s_Plan->seeds.size()), InvalidInput);
  session.Select(0);
  EXPECT_THROW(session.MoveSelected(Eigen::Vector3d(0, 0, 1e4)), InvalidInput); // outside the CT
  // A drag outside the CT stops at the last point inside it.
  session.BeginDrag(0);
  session.DragTo(Eigen::Vector3d(1e4, 0, 0));
  session.EndDrag();
  EXPECT_FALSE(session.Edited());
  EXPECT_EQ(session.Current().seeds[0].positionMm, s_Plan->seeds[0].positionMm);
  ExpectEqualToFreshEvaluation(session);
}

} // namespace
} // namespace seedplan::planning
