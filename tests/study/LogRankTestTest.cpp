#include "PublishedSurvivalData.h"
#include "Tolerances.h"

#include "seedplan/core/Error.h"
#include "seedplan/study/LogRankTest.h"
#include "seedplan/study/NotAvailable.h"

#include <gtest/gtest.h>

namespace seedplan::test {
namespace {

using study::LogRankTest;

struct TwoGroups {
  std::vector<study::SurvivalObservation> observations;
  std::vector<int> group;
};

TwoGroups Freireich() {
  TwoGroups data;
  for (std::size_t i = 0; i < kFreireich6mpWeeks.size(); ++i) {
    data.observations.push_back({kFreireich6mpWeeks[i], kFreireich6mpRelapse[i] == 1});
    data.group.push_back(0);
  }
  for (double week : kFreireichPlaceboWeeks) {
    data.observations.push_back({week, true});
    data.group.push_back(1);
  }
  return data;
}

TEST(LogRankTest, FreireichChiSquareIsThePublished16point79) {
  // Kleinbaum & Klein (2012), Survival Analysis, 3rd ed., ch. 2: log-rank chi-square of the
  // Freireich et al. (1963) remission data = 16.79 on 1 df. Expected relapses (R survdiff, survival
  // 3.5-3): 6-MP 19.25050095, placebo 10.74949905; p = 4.168809109e-05.
  const auto data = Freireich();
  const auto result = LogRankTest::Compute(data.observations, data.group, 2);
  EXPECT_LT(RelativeDifference(result.chiSquare, 16.79), kFourDigits);
  EXPECT_EQ(result.degreesOfFreedom, 1);
  EXPECT_LT(RelativeDifference(result.expected[0], 19.25050095), kRPrinted);
  EXPECT_LT(RelativeDifference(result.expected[1], 10.74949905), kRPrinted);
  EXPECT_LT(RelativeDifference(result.p, 4.168809109e-05), kRPrinted);
  EXPECT_EQ(result.observed[0], 9.0);
  EXPECT_EQ(result.observed[1], 21.0);
}

TEST(LogRankTest, LungBySexIsRsSurvdiff) {
  // R survival 3.5-3: survdiff(Surv(time, status) ~ sex, data = lung)$chisq = 10.32674195.
  TwoGroups data;
  for (std::size_t i = 0; i < kLungTimeDays.size(); ++i) {
    data.observations.push_back({kLungTimeDays[i], kLungStatus[i] == 2});
    data.group.push_back(kLungSex[i] - 1);
  }
  const auto result = LogRankTest::Compute(data.observations, data.group, 2);
  EXPECT_LT(RelativeDifference(result.chiSquare, 10.32674195), kRPrinted);
}

TEST(LogRankTest, ThreeGroupsHaveTwoDegreesOfFreedomAndIgnoreTheOrderOfGroups) {
  // ovarian split by rx and ecog.ps into three groups; the statistic must not depend on which
  // group is dropped from (O - E). R survival 3.5-3, with g = 0 for rx 2, 1 for rx 1 and ecog.ps
  // 1, 2 otherwise: survdiff(Surv(futime, fustat) ~ g, data = ovarian)$chisq = 1.328543608.
  std::vector<study::SurvivalObservation> observations;
  std::vector<int> group;
  std::vector<int> shuffled;
  for (std::size_t i = 0; i < kOvarianFutime.size(); ++i) {
    observations.push_back({kOvarianFutime[i], kOvarianFustat[i] == 1});
    const int g = kOvarianRx[i] == 2 ? 0 : (kOvarianEcog[i] == 1 ? 1 : 2);
    group.push_back(g);
    shuffled.push_back((g + 1) % 3);
  }
  const auto a = LogRankTest::Compute(observations, group, 3);
  const auto b = LogRankTest::Compute(observations, shuffled, 3);
  EXPECT_EQ(a.degreesOfFreedom, 2);
  EXPECT_LT(RelativeDifference(a.chiSquare, 1.328543608), kRPrinted);
  EXPECT_LT(RelativeDifference(a.chiSquare, b.chiSquare), 1e-12);
  EXPECT_NEAR(a.observed.sum(), a.expected.sum(), 1e-9);
}

TEST(LogRankTest, OneGroupGivesNotAvailable) {
  const auto result = LogRankTest::Compute({{1, true}, {2, true}}, {0, 0}, 2);
  EXPECT_TRUE(study::IsNotAvailable(result.chiSquare));
  EXPECT_TRUE(study::IsNotAvailable(result.p));
}

TEST(LogRankTest, GroupIndexOutOfRangeIsRefused) {
  EXPECT_THROW(LogRankTest::Compute({{1, true}}, {2}, 2), InvalidInput);
  EXPECT_THROW(LogRankTest::Compute({{1, true}}, {}, 2), InvalidInput);
}

} // namespace
} // namespace seedplan::test
