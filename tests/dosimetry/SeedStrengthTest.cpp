#include "seedplan/dosimetry/SeedStrength.h"
#include "TestModels.h"
#include "seedplan/core/Error.h"

#include <gtest/gtest.h>

namespace seedplan::dosimetry {
namespace {

using test::Library;

SeedsCsvRow Row(std::optional<double> strengthU, std::optional<double> activityMCi,
                std::string model = "") {
  SeedsCsvRow row;
  row.strengthU = strengthU;
  row.activityMCi = activityMCi;
  row.seed.model = std::move(model);
  row.line = 2;
  return row;
}

TEST(SeedStrength, RowStrengthWinsThenRowActivityThenTheCommandLine) {
  const auto seeds = SeedStrength::Resolve(
      {Row(0.9, std::nullopt), Row(std::nullopt, 0.5), Row(std::nullopt, std::nullopt)},
      "seeds.csv", Library(), "6711", std::nullopt, 0.6);
  ASSERT_EQ(seeds.size(), 3u);
  EXPECT_DOUBLE_EQ(seeds[0].strengthU, 0.9);
  // 0.5 mCi × 1.270 U/mCi (the 6711 file's factor).
  EXPECT_DOUBLE_EQ(seeds[1].strengthU, 0.635);
  EXPECT_DOUBLE_EQ(seeds[2].strengthU, 0.6 * 1.270);
  EXPECT_EQ(seeds[2].model, "6711");
}

TEST(SeedStrength, SeedWithoutStrengthAnywhereIsRefusedNamingTheLine) {
  try {
    SeedStrength::Resolve({Row(std::nullopt, std::nullopt)}, "seeds.csv", Library(), "6711",
                          std::nullopt, std::nullopt);
    FAIL();
  } catch (const InvalidInput& error) {
    EXPECT_NE(std::string(error.what()).find("seeds.csv: line 2"), std::string::npos);
  }
}

TEST(SeedStrength, RefusesNonPositiveDefaultsAndUnknownModels) {
  EXPECT_THROW(SeedStrength::Resolve({Row(std::nullopt, std::nullopt)}, "s.csv", Library(), "6711",
                                     0.0, std::nullopt),
               InvalidInput);
  EXPECT_THROW(SeedStrength::Resolve({Row(std::nullopt, std::nullopt)}, "s.csv", Library(), "6711",
                                     std::nullopt, -0.4),
               InvalidInput);
  EXPECT_THROW(SeedStrength::Resolve({Row(0.5, std::nullopt, "nope")}, "s.csv", Library(), "6711",
                                     std::nullopt, std::nullopt),
               InvalidInput);
}

} // namespace
} // namespace seedplan::dosimetry
