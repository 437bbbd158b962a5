#include "seedplan/dosimetry/PermanentImplantDecay.h"
#include "seedplan/core/Error.h"

#include <gtest/gtest.h>

#include <cmath>

namespace seedplan::dosimetry {
namespace {

TEST(PermanentImplantDecay, MeanLifeOfIodine125Is2056_7Hours) {
  // τ = 59.4 d × 24 h/d / ln 2 = 2056.70 h (reference constants.csv).
  EXPECT_NEAR(PermanentImplantDecay(59.4).MeanLifeHours(), 2056.70, 0.01);
}

TEST(PermanentImplantDecay, TotalDoseIsInitialRateTimesMeanLife) {
  const PermanentImplantDecay decay(59.4);
  // 0.965 cGy/h × 2056.7 h = 19.847 Gy (1984.72 cGy, TPOR's unit test value).
  EXPECT_NEAR(decay.TotalDoseGy(0.965), 19.84721338531, 1e-9);
}

TEST(PermanentImplantDecay, DoseDeliveredByOneMeanLifeIsOneMinusOneOverE) {
  const PermanentImplantDecay decay(59.4);
  const double total = decay.TotalDoseGy(1.0);
  EXPECT_NEAR(decay.DoseDeliveredGy(1.0, decay.MeanLifeHours()), total * (1 - std::exp(-1.0)),
              1e-12);
  EXPECT_DOUBLE_EQ(decay.DoseDeliveredGy(1.0, 0.0), 0.0);
  EXPECT_NEAR(decay.DoseDeliveredGy(1.0, 1e7), total, 1e-9);
  // Early on the dose grows at the initial rate: 1 cGy/h for 24 h is 0.24 Gy, less decay (~0.6 %).
  EXPECT_NEAR(decay.DoseDeliveredGy(1.0, 24.0), 0.24 * (1 - 12.0 / decay.MeanLifeHours()), 1e-5);
  EXPECT_THROW(decay.DoseDeliveredGy(1.0, -1.0), InvalidInput);
}

TEST(PermanentImplantDecay, StrengthHalvesInOneHalfLife) {
  const PermanentImplantDecay decay(59.4);
  EXPECT_NEAR(decay.DecayedStrength(0.8, 59.4), 0.4, 1e-12);
  EXPECT_NEAR(decay.DecayedStrength(0.8, -59.4), 1.6, 1e-12);
  EXPECT_THROW(PermanentImplantDecay(0.0), InvalidInput);
}

} // namespace
} // namespace seedplan::dosimetry
