#include "Tolerances.h"

#include "seedplan/core/Error.h"
#include "seedplan/study/BinomialCi.h"
#include "seedplan/study/NotAvailable.h"

#include <gtest/gtest.h>

#include <cmath>

namespace seedplan::test {
namespace {

using study::BinomialCi;

TEST(BinomialCi, ClopperPearsonHasItsClosedFormAtZeroAndAll) {
  // Clopper & Pearson (1934): for x = 0 the upper limit solves (1 − p)^n = α/2, for x = n the
  // lower limit solves p^n = α/2.
  const auto none = BinomialCi::ClopperPearson(0, 10);
  EXPECT_EQ(none.lower, 0.0);
  EXPECT_NEAR(none.upper, 1.0 - std::pow(0.025, 0.1), 1e-12);
  const auto all = BinomialCi::ClopperPearson(10, 10);
  EXPECT_NEAR(all.lower, std::pow(0.025, 0.1), 1e-12);
  EXPECT_EQ(all.upper, 1.0);
}

TEST(BinomialCi, IntervalsAreRsBinomTest) {
  // R 4.2: binom.test(7, 20)$conf.int = 0.1539092048 0.5921885345;
  // binom.test(1, 40)$conf.int = 0.000632744932 0.131585858483.
  const auto seven = BinomialCi::ClopperPearson(7, 20);
  EXPECT_DOUBLE_EQ(seven.estimate, 0.35);
  EXPECT_LT(RelativeDifference(seven.lower, 0.1539092048), kRPrinted);
  EXPECT_LT(RelativeDifference(seven.upper, 0.5921885345), kRPrinted);
  const auto one = BinomialCi::ClopperPearson(1, 40);
  EXPECT_LT(RelativeDifference(one.lower, 0.000632744932), kRPrinted);
  EXPECT_LT(RelativeDifference(one.upper, 0.131585858483), kRPrinted);
}

TEST(BinomialCi, NoTrialsGiveNotAvailable) {
  const auto empty = BinomialCi::ClopperPearson(0, 0);
  EXPECT_TRUE(study::IsNotAvailable(empty.estimate));
  EXPECT_TRUE(study::IsNotAvailable(empty.lower));
}

TEST(BinomialCi, ImpossibleCountsAreRefused) {
  EXPECT_THROW(BinomialCi::ClopperPearson(3, 2), InvalidInput);
  EXPECT_THROW(BinomialCi::ClopperPearson(-1, 2), InvalidInput);
}

} // namespace
} // namespace seedplan::test
