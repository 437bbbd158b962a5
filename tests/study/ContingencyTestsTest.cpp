#include "Tolerances.h"

#include "seedplan/core/Error.h"
#include "seedplan/study/ContingencyTests.h"
#include "seedplan/study/NotAvailable.h"

#include <gtest/gtest.h>

namespace seedplan::test {
namespace {

using study::ContingencyTests;

TEST(ContingencyTests, FisherTeaTastingIsThePublished0point4857) {
  // Fisher (1935), The Design of Experiments: the lady tasting tea, 3 of 4 cups right; two-sided
  // p = 0.4857 (Agresti 2007, An Introduction to Categorical Data Analysis, 2nd ed., sec. 2.6;
  // R: fisher.test(matrix(c(3, 1, 1, 3), 2))$p.value = 0.4857142857 = 34/70).
  EXPECT_LT(RelativeDifference(ContingencyTests::FisherExactP({{3, 1}, {1, 3}}), 34.0 / 70.0),
            1e-12);
}

TEST(ContingencyTests, PartyIdentificationByGenderIsThePublished30point07) {
  // Agresti (2007), Table 2.5: party identification by gender, X² = 30.07 on 2 df (R's
  // chisq.test example: X-squared = 30.07014910, p = 2.953589183e-07); fisher.test gives
  // p = 3.027479806e-07 (R 4.2).
  const study::CountTable table = {{762, 327, 468}, {484, 239, 477}};
  const auto chiSquare = ContingencyTests::PearsonChiSquare(table, false);
  EXPECT_LT(RelativeDifference(chiSquare.statistic, 30.07), kFourDigits);
  EXPECT_LT(RelativeDifference(chiSquare.statistic, 30.07014910), kRPrinted);
  EXPECT_LT(RelativeDifference(chiSquare.p, 2.953589183e-07), kRPrinted);
  EXPECT_EQ(chiSquare.degreesOfFreedom, 2);
  EXPECT_LT(RelativeDifference(ContingencyTests::FisherExactP(table), 3.027479806e-07), kRPrinted);
  // Yates' correction exists for 2×2 tables only.
  EXPECT_TRUE(study::IsNotAvailable(ContingencyTests::PearsonChiSquare(table, true).statistic));
}

TEST(ContingencyTests, TwoByTwoWithAndWithoutYatesIsRsChisqTest) {
  // R 4.2, m <- matrix(c(12, 5, 7, 7), 2): chisq.test(m) X² = 0.6411202639, p = 0.4233054243;
  // chisq.test(m, correct = FALSE) X² = 1.3716460268, p = 0.2415292748; fisher.test(m)$p.value =
  // 0.288308104.
  const study::CountTable table = {{12, 7}, {5, 7}};
  const auto corrected = ContingencyTests::PearsonChiSquare(table, true);
  const auto plain = ContingencyTests::PearsonChiSquare(table, false);
  EXPECT_LT(RelativeDifference(corrected.statistic, 0.6411202639), kRPrinted);
  EXPECT_LT(RelativeDifference(corrected.p, 0.4233054243), kRPrinted);
  EXPECT_LT(RelativeDifference(plain.statistic, 1.3716460268), kRPrinted);
  EXPECT_LT(RelativeDifference(plain.p, 0.2415292748), kRPrinted);
  EXPECT_LT(RelativeDifference(ContingencyTests::FisherExactP(table), 0.288308104), kRPrinted);
}

TEST(ContingencyTests, FisherTwoByThreeIsRsFisherTest) {
  // R 4.2: fisher.test(matrix(c(3, 9, 8, 2, 5, 6), 2))$p.value = 0.03728475321; the same table
  // transposed (3×2) gives the same p.
  const study::CountTable table = {{3, 8, 5}, {9, 2, 6}};
  EXPECT_LT(RelativeDifference(ContingencyTests::FisherExactP(table), 0.03728475321), kRPrinted);
  EXPECT_LT(
      RelativeDifference(ContingencyTests::FisherExactP({{3, 9}, {8, 2}, {5, 6}}), 0.03728475321),
      kRPrinted);
}

TEST(ContingencyTests, EmptyMarginGivesNotAvailableChiSquareAndFisherOne) {
  // No responder in either group: R's chisq.test gives NaN, fisher.test p = 1.
  const study::CountTable table = {{0, 10}, {0, 12}};
  EXPECT_TRUE(study::IsNotAvailable(ContingencyTests::PearsonChiSquare(table, false).statistic));
  EXPECT_DOUBLE_EQ(ContingencyTests::FisherExactP(table), 1.0);
}

TEST(ContingencyTests, FisherLargerThanTwoInBothDimensionsIsNotAvailable) {
  EXPECT_TRUE(
      study::IsNotAvailable(ContingencyTests::FisherExactP({{1, 2, 3}, {4, 5, 6}, {7, 8, 9}})));
}

TEST(ContingencyTests, RaggedOrNegativeTablesAreRefused) {
  EXPECT_THROW(ContingencyTests::PearsonChiSquare({{1, 2}, {3}}, false), InvalidInput);
  EXPECT_THROW(ContingencyTests::FisherExactP({{1, -2}, {3, 4}}), InvalidInput);
  EXPECT_THROW(ContingencyTests::FisherExactP({{1, 2}}), InvalidInput);
}

} // namespace
} // namespace seedplan::test
