#include "PublishedSurvivalData.h"
#include "Tolerances.h"

#include "seedplan/core/Error.h"
#include "seedplan/study/CoxModel.h"
#include "seedplan/study/NotAvailable.h"

#include <gtest/gtest.h>

namespace seedplan::test {
namespace {

using study::CoxModel;
using study::TiesMethod;

struct Data {
  std::vector<study::SurvivalObservation> observations;
  Eigen::MatrixXd x;
};

/// Freireich et al. (1963) with the placebo indicator as the covariate (6-MP the reference).
Data Freireich() {
  Data data;
  const std::size_t n = kFreireich6mpWeeks.size() + kFreireichPlaceboWeeks.size();
  data.x.resize(static_cast<Eigen::Index>(n), 1);
  Eigen::Index row = 0;
  for (std::size_t i = 0; i < kFreireich6mpWeeks.size(); ++i, ++row) {
    data.observations.push_back({kFreireich6mpWeeks[i], kFreireich6mpRelapse[i] == 1});
    data.x(row, 0) = 0.0;
  }
  for (double week : kFreireichPlaceboWeeks) {
    data.observations.push_back({week, true});
    data.x(row++, 0) = 1.0;
  }
  return data;
}

TEST(CoxModel, FreireichHazardRatioIs4point82WithEfronTies) {
  // Published: HR placebo vs 6-MP = 4.817 (coef 1.572) with Efron ties, R's default: Venables &
  // Ripley (2002), Modern Applied Statistics with S, 4th ed., sec. 13.3 (the same data as MASS's
  // `gehan`); the issue quotes 4.82. R survival
  // 3.5-3 summary(coxph(Surv(time, status) ~ group, ties = "efron")): coef 1.572125149, se
  // 0.4123967177, CI 2.146508213-10.80931068, LR 16.35169084, Wald 14.53 (printed rounded),
  // score 17.24653680, p(Wald) 0.000137753762.
  const auto data = Freireich();
  const auto fit = CoxModel::Fit(data.observations, data.x, {"groupplacebo"}, TiesMethod::Efron);
  ASSERT_TRUE(fit.estimable) << fit.problem;
  const auto& term = fit.terms.front();
  EXPECT_LT(RelativeDifference(term.hazardRatio, 4.817), kFourDigits);
  EXPECT_LT(RelativeDifference(term.hazardRatio, 4.816873898), kRPrinted);
  EXPECT_LT(RelativeDifference(term.coefficient, 1.572125149), kRPrinted);
  EXPECT_LT(RelativeDifference(term.standardError, 0.4123967177), kRPrinted);
  EXPECT_LT(RelativeDifference(term.lower, 2.146508213), kRPrinted);
  EXPECT_LT(RelativeDifference(term.upper, 10.80931068), kRPrinted);
  EXPECT_LT(RelativeDifference(term.pWald, 0.000137753762), kRPrinted);
  EXPECT_LT(RelativeDifference(fit.likelihoodRatioChiSquare, 16.35169084), kRPrinted);
  EXPECT_LT(RelativeDifference(fit.scoreChiSquare, 17.24653680), kRPrinted);
  EXPECT_LT(RelativeDifference(fit.waldChiSquare, 14.53), kFourDigits);
  EXPECT_EQ(fit.events, 30);
  EXPECT_EQ(fit.degreesOfFreedom, 1);
}

TEST(CoxModel, FreireichHazardRatioIs4point52WithBreslowTies) {
  // Published: HR 4.523 (coef 1.509, Breslow ties) in Kleinbaum & Klein (2012) ch. 3 (Stata
  // output of the remission data). R survival 3.5-3 with ties = "breslow": coef 1.509191413, se
  // 0.4095644064, LR 15.21085681, score 15.93053956.
  const auto data = Freireich();
  const auto fit = CoxModel::Fit(data.observations, data.x, {"groupplacebo"}, TiesMethod::Breslow);
  ASSERT_TRUE(fit.estimable) << fit.problem;
  const auto& term = fit.terms.front();
  EXPECT_LT(RelativeDifference(term.hazardRatio, 4.523), kFourDigits);
  EXPECT_LT(RelativeDifference(term.coefficient, 1.509191413), kRPrinted);
  EXPECT_LT(RelativeDifference(term.standardError, 0.4095644064), kRPrinted);
  EXPECT_LT(RelativeDifference(fit.likelihoodRatioChiSquare, 15.21085681), kRPrinted);
  EXPECT_LT(RelativeDifference(fit.scoreChiSquare, 15.93053956), kRPrinted);
}

TEST(CoxModel, LungAgeSexEcogIsRsCoxph) {
  // R survival 3.5-3: summary(coxph(Surv(time, status) ~ age + sex + ph.ecog, data = lung)),
  // 227 patients (one without ph.ecog left out): coef 0.01106676456, -0.55261239570,
  // 0.46372847537; se 0.009267411014, 0.167739053787, 0.113577266162; LR 30.50066877 (3 df),
  // score 30.49992270.
  std::vector<study::SurvivalObservation> observations;
  std::vector<std::array<double, 3>> rows;
  for (std::size_t i = 0; i < kLungTimeDays.size(); ++i) {
    if (kLungEcog[i] < 0) {
      continue;
    }
    observations.push_back({kLungTimeDays[i], kLungStatus[i] == 2});
    rows.push_back(
        {kLungAge[i], static_cast<double>(kLungSex[i]), static_cast<double>(kLungEcog[i])});
  }
  Eigen::MatrixXd x(static_cast<Eigen::Index>(rows.size()), 3);
  for (std::size_t i = 0; i < rows.size(); ++i) {
    for (int j = 0; j < 3; ++j) {
      x(static_cast<Eigen::Index>(i), j) = rows[i][static_cast<std::size_t>(j)];
    }
  }
  const auto fit = CoxModel::Fit(observations, x, {"age", "sex", "ph.ecog"}, TiesMethod::Efron);
  ASSERT_TRUE(fit.estimable) << fit.problem;
  const double coefficient[] = {0.01106676456, -0.55261239570, 0.46372847537};
  const double se[] = {0.009267411014, 0.167739053787, 0.113577266162};
  for (std::size_t j = 0; j < 3; ++j) {
    EXPECT_LT(RelativeDifference(fit.terms[j].coefficient, coefficient[j]), kRPrinted) << j;
    EXPECT_LT(RelativeDifference(fit.terms[j].standardError, se[j]), kRPrinted) << j;
  }
  EXPECT_LT(RelativeDifference(fit.likelihoodRatioChiSquare, 30.50066877), kRPrinted);
  EXPECT_LT(RelativeDifference(fit.scoreChiSquare, 30.49992270), kRPrinted);
  EXPECT_EQ(fit.n, 227);
  EXPECT_EQ(fit.degreesOfFreedom, 3);
}

TEST(CoxModel, OvarianAgeEcogIsRsCoxph) {
  // R survival 3.5-3: coxph(Surv(futime, fustat) ~ age + ecog.ps, data = ovarian): coef
  // 0.16150122036, 0.01866186023; se 0.04992258726, 0.59908458776; LR 14.29455735 (2 df),
  // score 12.26055791.
  std::vector<study::SurvivalObservation> observations;
  Eigen::MatrixXd x(static_cast<Eigen::Index>(kOvarianFutime.size()), 2);
  for (std::size_t i = 0; i < kOvarianFutime.size(); ++i) {
    observations.push_back({kOvarianFutime[i], kOvarianFustat[i] == 1});
    x(static_cast<Eigen::Index>(i), 0) = kOvarianAge[i];
    x(static_cast<Eigen::Index>(i), 1) = kOvarianEcog[i];
  }
  const auto fit = CoxModel::Fit(observations, x, {"age", "ecog.ps"}, TiesMethod::Efron);
  ASSERT_TRUE(fit.estimable) << fit.problem;
  EXPECT_LT(RelativeDifference(fit.terms[0].coefficient, 0.16150122036), kRPrinted);
  EXPECT_LT(RelativeDifference(fit.terms[1].coefficient, 0.01866186023), kRPrinted);
  EXPECT_LT(RelativeDifference(fit.terms[0].standardError, 0.04992258726), kRPrinted);
  EXPECT_LT(RelativeDifference(fit.terms[1].standardError, 0.59908458776), kRPrinted);
  EXPECT_LT(RelativeDifference(fit.likelihoodRatioChiSquare, 14.29455735), kRPrinted);
  EXPECT_LT(RelativeDifference(fit.scoreChiSquare, 12.26055791), kRPrinted);
}

TEST(CoxModel, GroupWithoutEventsIsAMonotoneLikelihoodAndNotEstimable) {
  // Every event in group 0, none in group 1: the MLE of the group coefficient is −infinity. R
  // warns "Loglik converged before variable 1; coefficient may be infinite" and prints about
  // −20; here the model is refused with NA numbers.
  std::vector<study::SurvivalObservation> observations;
  Eigen::MatrixXd x(12, 1);
  for (int i = 0; i < 12; ++i) {
    observations.push_back({1.0 + i, i < 6});
    x(i, 0) = i < 6 ? 0.0 : 1.0;
  }
  const auto fit = CoxModel::Fit(observations, x, {"groupB"}, TiesMethod::Efron);
  EXPECT_FALSE(fit.estimable);
  EXPECT_NE(fit.problem.find("monotone"), std::string::npos) << fit.problem;
  EXPECT_TRUE(study::IsNotAvailable(fit.terms.front().hazardRatio));
  EXPECT_TRUE(study::IsNotAvailable(fit.pLikelihoodRatio));
}

TEST(CoxModel, FewerThanTwoEventsIsNotEstimable) {
  Eigen::MatrixXd x(3, 1);
  x << 0, 1, 1;
  const auto fit = CoxModel::Fit({{1, true}, {2, false}, {3, false}}, x, {"g"}, TiesMethod::Efron);
  EXPECT_FALSE(fit.estimable);
  EXPECT_EQ(fit.events, 1);
}

TEST(CoxModel, ConstantCovariateIsAliasedAndTheOthersStillFit) {
  // As R: a constant column gets an NA coefficient; the others are those of the smaller model.
  const auto data = Freireich();
  Eigen::MatrixXd x(data.x.rows(), 2);
  x.col(0) = data.x.col(0);
  x.col(1).setConstant(7.0);
  const auto fit =
      CoxModel::Fit(data.observations, x, {"groupplacebo", "constant"}, TiesMethod::Efron);
  ASSERT_TRUE(fit.estimable) << fit.problem;
  EXPECT_TRUE(fit.terms[1].aliased);
  EXPECT_TRUE(study::IsNotAvailable(fit.terms[1].coefficient));
  EXPECT_LT(RelativeDifference(fit.terms[0].coefficient, 1.572125149), kRPrinted);
  EXPECT_EQ(fit.degreesOfFreedom, 1);
}

TEST(CoxModel, MismatchedSizesAreRefused) {
  Eigen::MatrixXd x(2, 1);
  x << 0, 1;
  EXPECT_THROW(CoxModel::Fit({{1, true}}, x, {"g"}, TiesMethod::Efron), InvalidInput);
  EXPECT_THROW(CoxModel::Fit({{1, true}, {2, true}}, x, {}, TiesMethod::Efron), InvalidInput);
}

} // namespace
} // namespace seedplan::test
