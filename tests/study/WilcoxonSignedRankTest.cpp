#include "Tolerances.h"

#include "seedplan/core/Error.h"
#include "seedplan/study/NotAvailable.h"
#include "seedplan/study/WilcoxonSignedRank.h"

#include <gtest/gtest.h>

namespace seedplan::test {
namespace {

using study::WilcoxonSignedRank;

TEST(WilcoxonSignedRank, DepressionScoresGiveThePublishedExactP) {
  // Hollander & Wolfe (1973), Nonparametric Statistical Methods, p. 29: Hamilton depression
  // scale before (y) and after (x) tranquilizer, 9 patients; R's wilcox.test example:
  // V = 40, exact two-sided p = 0.0390625 (= 20/512).
  const std::vector<double> x = {1.83, 0.50, 1.62, 2.48, 1.68, 1.88, 1.55, 3.06, 1.30};
  const std::vector<double> y = {0.878, 0.647, 0.598, 2.05, 1.06, 1.29, 1.06, 3.14, 1.29};
  const auto result = WilcoxonSignedRank::Test(x, y);
  EXPECT_TRUE(result.exact);
  EXPECT_EQ(result.statistic, 40.0);
  EXPECT_DOUBLE_EQ(result.p, 0.0390625);
}

TEST(WilcoxonSignedRank, TiesAndZerosUseTheCorrectedNormalApproximation) {
  // VAS-like integer scores with ties and one zero difference; R 4.2:
  // wilcox.test(f, b, paired = TRUE): V = 0, p = 0.003599760194 (with "cannot compute exact
  // p-value with ties").
  const std::vector<double> baseline = {7, 6, 8, 5, 7, 6, 9, 4, 6, 7, 8, 5};
  const std::vector<double> followUp = {3, 4, 5, 5, 2, 4, 6, 3, 2, 4, 5, 3};
  const auto result = WilcoxonSignedRank::Test(followUp, baseline);
  EXPECT_FALSE(result.exact);
  EXPECT_EQ(result.nonZero, 11);
  EXPECT_EQ(result.statistic, 0.0);
  EXPECT_LT(RelativeDifference(result.p, 0.003599760194), kRPrinted);
}

TEST(WilcoxonSignedRank, FiftyOrMorePairsUseTheNormalApproximation) {
  // R 4.2: set.seed(1); a <- round(rnorm(60), 6); b <- round(rnorm(60), 6);
  // wilcox.test(a, b, paired = TRUE): V = 917, p = 0.991189615 (no ties, n = 60 >= 50).
  const std::vector<double> a = {
      -0.626454, 0.183643,  -0.835629, 1.595281,  0.329508,  -0.820468, 0.487429, 0.738325,
      0.575781,  -0.305388, 1.511781,  0.389843,  -0.621241, -2.2147,   1.124931, -0.044934,
      -0.01619,  0.943836,  0.821221,  0.593901,  0.918977,  0.782136,  0.074565, -1.989352,
      0.619826,  -0.056129, -0.155796, -1.470752, -0.47815,  0.417942,  1.35868,  -0.102788,
      0.387672,  -0.053805, -1.37706,  -0.414995, -0.39429,  -0.059313, 1.100025, 0.763176,
      -0.164524, -0.253362, 0.696963,  0.556663,  -0.688756, -0.707495, 0.364582, 0.768533,
      -0.112346, 0.881108,  0.398106,  -0.612026, 0.34112,   -1.129363, 1.433024, 1.9804,
      -0.367221, -1.044135, 0.56972,   -0.135055};
  const std::vector<double> b = {
      2.401618,  -0.03924,  0.689739,  0.028002,  -0.743273, 0.188792,  -1.804959, 1.465555,
      0.153253,  2.172612,  0.47551,   -0.709946, 0.610726,  -0.934098, -1.253633, 0.291446,
      -0.443292, 0.001105,  0.074341,  -0.589521, -0.568669, -0.135179, 1.178087,  -1.523567,
      0.593946,  0.33295,   1.0631,    -0.304184, 0.370019,  0.267099,  -0.54252,  1.207868,
      1.160403,  0.700214,  1.586833,  0.558486,  -1.276592, -0.573265, -1.224613, -0.473401,
      -0.620367, 0.042116,  -0.910922, 0.158029,  -0.654585, 1.767287,  0.716707,  0.910174,
      0.384185,  1.682176,  -0.635736, -0.461645, 1.432282,  -0.650696, -0.207381, -0.392808,
      -0.319993, -0.279113, 0.494188,  -0.17733};
  const auto result = WilcoxonSignedRank::Test(a, b);
  EXPECT_FALSE(result.exact);
  EXPECT_EQ(result.statistic, 917.0);
  EXPECT_LT(RelativeDifference(result.p, 0.991189615), kRPrinted);
}

TEST(WilcoxonSignedRank, AllDifferencesZeroGiveNotAvailable) {
  const auto result = WilcoxonSignedRank::Test({3, 4}, {3, 4});
  EXPECT_EQ(result.nonZero, 0);
  EXPECT_TRUE(study::IsNotAvailable(result.p));
}

TEST(WilcoxonSignedRank, UnpairedSamplesAreRefused) {
  EXPECT_THROW(WilcoxonSignedRank::Test({1, 2}, {1}), InvalidInput);
}

} // namespace
} // namespace seedplan::test
