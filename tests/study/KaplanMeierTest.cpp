#include "PublishedSurvivalData.h"
#include "Tolerances.h"

#include "seedplan/core/Error.h"
#include "seedplan/study/KaplanMeier.h"
#include "seedplan/study/NotAvailable.h"

#include <gtest/gtest.h>

namespace seedplan::test {
namespace {

using study::ConfidenceType;
using study::IsNotAvailable;
using study::KaplanMeier;

std::vector<study::SurvivalObservation> LungBySex(int sex) {
  std::vector<study::SurvivalObservation> observations;
  for (std::size_t i = 0; i < kLungTimeDays.size(); ++i) {
    if (kLungSex[i] == sex) {
      observations.push_back({kLungTimeDays[i], kLungStatus[i] == 2});
    }
  }
  return observations;
}

std::vector<study::SurvivalObservation> OvarianByRx(int rx) {
  std::vector<study::SurvivalObservation> observations;
  for (std::size_t i = 0; i < kOvarianFutime.size(); ++i) {
    if (kOvarianRx[i] == rx) {
      observations.push_back({kOvarianFutime[i], kOvarianFustat[i] == 1});
    }
  }
  return observations;
}

TEST(KaplanMeier, SixMpSurvivalMatchesThePublishedTable) {
  // Kleinbaum & Klein (2012), Survival Analysis, 3rd ed., ch. 2, KM table of the 6-MP group of
  // Freireich et al. (1963): S(t) = 0.8571, 0.8067, 0.7529, 0.6902, 0.6275, 0.5378, 0.4482 at
  // t = 6, 7, 10, 13, 16, 22, 23 weeks.
  const KaplanMeier curve(Observations(kFreireich6mpWeeks, kFreireich6mpRelapse),
                          ConfidenceType::Log);
  const std::vector<std::pair<double, double>> published = {
      {6, 0.8571},  {7, 0.8067},  {10, 0.7529}, {13, 0.6902},
      {16, 0.6275}, {22, 0.5378}, {23, 0.4482}};
  for (const auto& [week, survival] : published) {
    EXPECT_LT(RelativeDifference(curve.At(week).survival, survival), kFourDigits) << week;
  }
  EXPECT_EQ(curve.Count(), 21);
  EXPECT_EQ(curve.Events(), 9);
}

TEST(KaplanMeier, FreireichMediansAndIntervalsAreRs) {
  // R 4.2, survival 3.5-3: print(survfit(Surv(time, status) ~ group)) on Freireich's data:
  // 6-MP median 23 (16, NA), placebo 8 (4, 12); with conf.type = "log-log" 23 (13, NA), 8 (4, 11).
  const auto sixMp = Observations(kFreireich6mpWeeks, kFreireich6mpRelapse);
  const auto placebo =
      Observations(kFreireichPlaceboWeeks, std::vector<int>(kFreireichPlaceboWeeks.size(), 1));
  auto median = KaplanMeier(sixMp, ConfidenceType::Log).Median();
  EXPECT_EQ(median.value, 23.0);
  EXPECT_EQ(median.lower, 16.0);
  EXPECT_TRUE(IsNotAvailable(median.upper));
  median = KaplanMeier(sixMp, ConfidenceType::LogLog).Median();
  EXPECT_EQ(median.lower, 13.0);
  EXPECT_TRUE(IsNotAvailable(median.upper));
  median = KaplanMeier(placebo, ConfidenceType::Log).Median();
  EXPECT_EQ(median.value, 8.0);
  EXPECT_EQ(median.lower, 4.0);
  EXPECT_EQ(median.upper, 12.0);
  median = KaplanMeier(placebo, ConfidenceType::LogLog).Median();
  EXPECT_EQ(median.lower, 4.0);
  EXPECT_EQ(median.upper, 11.0);
}

TEST(KaplanMeier, OvarianMediansAndIntervalsAreRs) {
  // R survival 3.5-3, print(survfit(Surv(futime, fustat) ~ rx, data = ovarian)):
  // rx=1 median 638 (268, NA), rx=2 NA (475, NA); log-log: rx=1 638 (156, NA), rx=2 NA (464, NA).
  auto median = KaplanMeier(OvarianByRx(1), ConfidenceType::Log).Median();
  EXPECT_EQ(median.value, 638.0);
  EXPECT_EQ(median.lower, 268.0);
  EXPECT_TRUE(IsNotAvailable(median.upper));
  median = KaplanMeier(OvarianByRx(2), ConfidenceType::Log).Median();
  EXPECT_TRUE(IsNotAvailable(median.value));
  EXPECT_EQ(median.lower, 475.0);
  EXPECT_TRUE(IsNotAvailable(median.upper));
  median = KaplanMeier(OvarianByRx(1), ConfidenceType::LogLog).Median();
  EXPECT_EQ(median.lower, 156.0);
  median = KaplanMeier(OvarianByRx(2), ConfidenceType::LogLog).Median();
  EXPECT_EQ(median.lower, 464.0);
}

TEST(KaplanMeier, LungMediansAndIntervalsAreRs) {
  // R survival 3.5-3, print(survfit(Surv(time, status) ~ sex, data = lung)): overall 310 (285,
  // 363); male 270 (212, 310), female 426 (348, 550); log-log: 270 (210, 306), 426 (345, 524).
  const auto all = Observations(kLungTimeDays, kLungStatus, 2);
  auto median = KaplanMeier(all, ConfidenceType::Log).Median();
  EXPECT_EQ(median.value, 310.0);
  EXPECT_EQ(median.lower, 285.0);
  EXPECT_EQ(median.upper, 363.0);
  median = KaplanMeier(LungBySex(1), ConfidenceType::Log).Median();
  EXPECT_EQ(median.value, 270.0);
  EXPECT_EQ(median.lower, 212.0);
  EXPECT_EQ(median.upper, 310.0);
  median = KaplanMeier(LungBySex(2), ConfidenceType::Log).Median();
  EXPECT_EQ(median.value, 426.0);
  EXPECT_EQ(median.lower, 348.0);
  EXPECT_EQ(median.upper, 550.0);
  median = KaplanMeier(LungBySex(1), ConfidenceType::LogLog).Median();
  EXPECT_EQ(median.lower, 210.0);
  EXPECT_EQ(median.upper, 306.0);
  median = KaplanMeier(LungBySex(2), ConfidenceType::LogLog).Median();
  EXPECT_EQ(median.lower, 345.0);
  EXPECT_EQ(median.upper, 524.0);
  EXPECT_EQ(KaplanMeier(all, ConfidenceType::Log).Events(), 165);
}

TEST(KaplanMeier, LungSurvivalAtLandmarksIsSummarySurvfit) {
  // R survival 3.5-3, summary(survfit(Surv(time, status) ~ sex, data = lung), times = c(180,
  // 365)), printed to 6 digits: male S(180) = 0.644465 (0.569284, 0.729574) n.risk 89,
  // S(365) = 0.336088 (0.260901, 0.432943) n.risk 35; female S(180) = 0.842402 (0.769900,
  // 0.921731) n.risk 71, S(365) = 0.526463 (0.421486, 0.657586) n.risk 30.
  struct Expected {
    int sex;
    double day, survival, lower, upper;
    int nRisk;
  };
  const std::vector<Expected> expected = {{1, 180, 0.644465, 0.569284, 0.729574, 89},
                                          {1, 365, 0.336088, 0.260901, 0.432943, 35},
                                          {2, 180, 0.842402, 0.769900, 0.921731, 71},
                                          {2, 365, 0.526463, 0.421486, 0.657586, 30}};
  constexpr double kSixDigits = 5e-6 / 0.26; // half a unit of the 6th decimal of the smallest
  for (const auto& e : expected) {
    const auto at = KaplanMeier(LungBySex(e.sex), ConfidenceType::Log).At(e.day);
    EXPECT_LT(RelativeDifference(at.survival, e.survival), kSixDigits);
    EXPECT_LT(RelativeDifference(at.lower, e.lower), kSixDigits);
    EXPECT_LT(RelativeDifference(at.upper, e.upper), kSixDigits);
    EXPECT_EQ(at.nRisk, e.nRisk);
  }
}

TEST(KaplanMeier, GreenwoodErrorAndBandsFollowRConventions) {
  // survfit(Surv(c(1,2,2,3,4,5), c(1,1,0,1,1,1)) ~ 1): std.err 0.1825742, 0.2886751, 0.5,
  // 0.8660254, Inf; log band at t=1 (0.5826548, 1); S = 0 at t=5 gives NA limits; log-log band at
  // t = 1 (0.273122850, 0.9747124).
  const std::vector<study::SurvivalObservation> data = {{1, true}, {2, true}, {2, false},
                                                        {3, true}, {4, true}, {5, true}};
  const KaplanMeier log(data, ConfidenceType::Log);
  ASSERT_EQ(log.Steps().size(), 5u);
  EXPECT_NEAR(log.Steps()[0].standardError, 0.1825742, 1e-7);
  EXPECT_NEAR(log.Steps()[3].standardError, 0.8660254, 1e-7);
  EXPECT_NEAR(log.Steps()[0].lower, 0.5826548, 1e-7);
  EXPECT_EQ(log.Steps()[0].upper, 1.0);
  EXPECT_EQ(log.Steps()[4].survival, 0.0);
  EXPECT_TRUE(IsNotAvailable(log.Steps()[4].lower));
  EXPECT_TRUE(IsNotAvailable(log.Steps()[4].upper));
  EXPECT_EQ(log.Steps()[1].nCensor, 1);
  EXPECT_EQ(log.Steps()[1].nRisk, 5);
  const KaplanMeier logLog(data, ConfidenceType::LogLog);
  EXPECT_NEAR(logLog.Steps()[0].lower, 0.273122850, 1e-8);
  EXPECT_NEAR(logLog.Steps()[0].upper, 0.9747124, 1e-7);
}

TEST(KaplanMeier, MedianIsTheMidpointWhereTheCurveIsFlatAtOneHalf) {
  // print.survfit: S = 0.5 exactly from t = 2 to the next drop at t = 3 gives 2.5; when it never
  // drops again the median is the time it reached 0.5 (R: 2.5 and 2).
  EXPECT_EQ(KaplanMeier({{1, true}, {2, true}, {3, true}, {4, false}}, ConfidenceType::Log)
                .Median()
                .value,
            2.5);
  EXPECT_EQ(KaplanMeier({{1, true}, {2, true}, {3, false}, {4, false}}, ConfidenceType::Log)
                .Median()
                .value,
            2.0);
}

TEST(KaplanMeier, SurvivalPastTheLastFollowUpIsNotAvailableUnlessZero) {
  const KaplanMeier open({{1, true}, {2, false}}, ConfidenceType::Log);
  EXPECT_TRUE(IsNotAvailable(open.At(3).survival));
  EXPECT_EQ(open.At(2).survival, 0.5);
  EXPECT_EQ(open.At(0.5).survival, 1.0);
  EXPECT_EQ(open.At(0.5).lower, 1.0);
  EXPECT_EQ(open.At(0.5).nRisk, 2);
  EXPECT_EQ(open.At(1.5).nRisk, 1);
  const KaplanMeier closed({{1, true}, {2, true}}, ConfidenceType::Log);
  EXPECT_EQ(closed.At(10).survival, 0.0);
  EXPECT_TRUE(IsNotAvailable(closed.At(10).lower));
  EXPECT_EQ(closed.At(10).nRisk, 0);
}

TEST(KaplanMeier, EmptyGroupGivesNotAvailableEstimates) {
  const KaplanMeier empty({}, ConfidenceType::Log);
  EXPECT_EQ(empty.Count(), 0);
  EXPECT_TRUE(IsNotAvailable(empty.Median().value));
  EXPECT_TRUE(IsNotAvailable(empty.At(6).survival));
}

TEST(KaplanMeier, NegativeTimeIsRefused) {
  EXPECT_THROW(KaplanMeier({{-1, true}}, ConfidenceType::Log), InvalidInput);
}

TEST(SurvivalObservation, NearlyEqualTimesAreMergedAsRTimefix) {
  // 10 days and 10 days computed through months (x / 30.4375 * 30.4375) differ in the last bit;
  // R's aeqSurv makes them one time, distinct times stay apart.
  std::vector<study::SurvivalObservation> data = {
      {10.0 / 30.4375, true}, {(10.0 / 30.4375) * (1 + 1e-15), false}, {11.0 / 30.4375, true}};
  study::MergeNearlyTiedTimes(data);
  EXPECT_EQ(data[0].time, data[1].time);
  EXPECT_NE(data[0].time, data[2].time);
}

} // namespace
} // namespace seedplan::test
