// Tests of DoseMetrics: the DESIGN.md metrics on DVHs built from hand-made samples, where every
// value is known by arithmetic.

#include "seedplan/dosimetry/DoseMetrics.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/Volume.h"
#include "seedplan/dosimetry/Dvh.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>
#include <vector>

namespace {

using seedplan::GridGeometry;
using seedplan::InvalidInput;
using seedplan::Volume;
using seedplan::dosimetry::DoseMetrics;
using seedplan::dosimetry::Dvh;
using seedplan::dosimetry::PrescriptionIsodoseVolumeCc;

/// Ratios and sums of a few doubles.
constexpr double kArithmetic = 1e-12;
constexpr double kRxGy = 100.0;
constexpr double kMm3PerCc = 1000.0;

/// Samples of `volumeCc` cc at `doseGy`, split into `count` equal samples.
void Append(std::vector<Dvh::Sample>& samples, double doseGy, double volumeCc, int count = 1) {
  for (int n = 0; n < count; ++n) {
    samples.push_back({doseGy, volumeCc * kMm3PerCc / count});
  }
}

TEST(DoseMetrics, UniformDoseAtPrescriptionGivesEveryDxEqualToItAndFullV100) {
  std::vector<Dvh::Sample> samples;
  Append(samples, kRxGy, 3.0, 300);
  const DoseMetrics metrics = DoseMetrics::Compute(Dvh(samples), kRxGy, 3.0);
  for (double dose : {metrics.D90Gy, metrics.D98Gy, metrics.D100Gy, metrics.DmeanGy, metrics.DminGy,
                      metrics.DmaxGy, *metrics.D2ccGy, *metrics.D1ccGy, *metrics.D0_1ccGy}) {
    EXPECT_NEAR(dose, kRxGy, kArithmetic);
  }
  EXPECT_NEAR(metrics.volumeCc, 3.0, kArithmetic);
  EXPECT_NEAR(metrics.V100Pct, 100.0, kArithmetic);
  EXPECT_NEAR(metrics.V150Pct, 0.0, kArithmetic);
  EXPECT_NEAR(metrics.V200Pct, 0.0, kArithmetic);
  EXPECT_NEAR(*metrics.CI, 1.0, kArithmetic);
  EXPECT_NEAR(*metrics.EI, 0.0, kArithmetic);
  EXPECT_NEAR(*metrics.HI, 1.0, kArithmetic);
}

TEST(DoseMetrics, D2ccOfAOneCcStructureIsNullNotZero) {
  std::vector<Dvh::Sample> samples;
  Append(samples, 120.0, 0.5, 50);
  Append(samples, 80.0, 0.5, 50);
  const DoseMetrics metrics = DoseMetrics::Compute(Dvh(samples), kRxGy, std::nullopt);
  EXPECT_FALSE(metrics.D2ccGy.has_value());
  ASSERT_TRUE(metrics.D1ccGy.has_value());
  EXPECT_NEAR(*metrics.D1ccGy, 80.0, kArithmetic);
  ASSERT_TRUE(metrics.D0_1ccGy.has_value());
  EXPECT_NEAR(*metrics.D0_1ccGy, 120.0, kArithmetic);
  EXPECT_NE(metrics.ToJson().find("\"D2cc_Gy\": null"), std::string::npos) << metrics.ToJson();
}

TEST(DoseMetrics, ConformityExternalAndHomogeneityIndicesFollowTheirDefinitions) {
  // Target 10 cc: 2 cc at 2.1 Rx, 6 cc at 1.6 Rx, 1 cc at 1.1 Rx, 1 cc at 0.5 Rx; V_ref = 12 cc.
  std::vector<Dvh::Sample> samples;
  Append(samples, 2.1 * kRxGy, 2.0, 20);
  Append(samples, 1.6 * kRxGy, 6.0, 60);
  Append(samples, 1.1 * kRxGy, 1.0, 10);
  Append(samples, 0.5 * kRxGy, 1.0, 10);
  const double targetCc = 10.0;
  const double target100Cc = 9.0;
  const double target150Cc = 8.0;
  const double referenceCc = 12.0;
  const DoseMetrics metrics = DoseMetrics::Compute(Dvh(samples), kRxGy, referenceCc);
  EXPECT_NEAR(metrics.V100Pct, 100.0 * target100Cc / targetCc, kArithmetic);
  EXPECT_NEAR(metrics.V150Pct, 100.0 * target150Cc / targetCc, kArithmetic);
  EXPECT_NEAR(metrics.V200Pct, 100.0 * 2.0 / targetCc, kArithmetic);
  EXPECT_NEAR(*metrics.CI, (target100Cc / targetCc) * (target100Cc / referenceCc), kArithmetic);
  EXPECT_NEAR(*metrics.EI, (referenceCc - target100Cc) / targetCc, kArithmetic);
  EXPECT_NEAR(*metrics.HI, (target100Cc - target150Cc) / target100Cc, kArithmetic);
  EXPECT_NEAR(metrics.DmeanGy, (2 * 210.0 + 6 * 160.0 + 110.0 + 50.0) / targetCc, kArithmetic);
  EXPECT_NEAR(metrics.DmaxGy, 210.0, kArithmetic);
  EXPECT_NEAR(metrics.DminGy, 50.0, kArithmetic);
  // The hottest 1 cc is inside the 2 cc at 2.1 Rx. 2 cc is the boundary between the 2.1 Rx and the
  // 1.6 Rx samples: half way between the midpoints of the last (1.95 cc) and the next (2.05 cc).
  EXPECT_NEAR(*metrics.D1ccGy, 210.0, kArithmetic);
  EXPECT_NEAR(*metrics.D2ccGy, 0.5 * (210.0 + 160.0), kArithmetic);
}

TEST(DoseMetrics, IndicesAreNullWhenTheirDenominatorIsMissingOrZero) {
  std::vector<Dvh::Sample> samples;
  Append(samples, 0.5 * kRxGy, 1.0, 10);
  const Dvh dvh(samples);
  const DoseMetrics withoutReference = DoseMetrics::Compute(dvh, kRxGy, std::nullopt);
  EXPECT_FALSE(withoutReference.CI.has_value());
  EXPECT_FALSE(withoutReference.EI.has_value());
  EXPECT_FALSE(withoutReference.HI.has_value()); // nothing receives Rx: V_T,100 = 0
  const DoseMetrics zeroReference = DoseMetrics::Compute(dvh, kRxGy, 0.0);
  EXPECT_FALSE(zeroReference.CI.has_value());
  EXPECT_FALSE(zeroReference.EI.has_value());
  const std::string json = zeroReference.ToJson();
  EXPECT_NE(json.find("\"CI\": null"), std::string::npos) << json;
  EXPECT_NE(json.find("\"HI\": null"), std::string::npos) << json;
}

TEST(DoseMetrics, NonPositiveOrNonFinitePrescriptionIsRefused) {
  const Dvh dvh({{1.0, 1.0}});
  for (double rxGy : {0.0, -145.0, std::numeric_limits<double>::quiet_NaN(),
                      std::numeric_limits<double>::infinity()}) {
    try {
      DoseMetrics::Compute(dvh, rxGy, std::nullopt);
      FAIL() << "expected InvalidInput for " << rxGy;
    } catch (const InvalidInput& error) {
      EXPECT_NE(std::string(error.what()).find("expected > 0 Gy"), std::string::npos)
          << error.what();
    }
  }
  EXPECT_THROW(DoseMetrics::Compute(dvh, kRxGy, -1.0), InvalidInput);
  const Volume<float> dose(
      GridGeometry(Eigen::Vector3d::Zero(), Eigen::Vector3d::Ones(), {2, 2, 2}));
  EXPECT_THROW(PrescriptionIsodoseVolumeCc(dose, 0.0), InvalidInput);
}

TEST(DoseMetrics, PrescriptionIsodoseVolumeCountsDoseGridVoxelsAtOrAboveRx) {
  // 2 mm voxels (8 mm^3): 5 of them at or above Rx.
  const GridGeometry geometry(Eigen::Vector3d::Zero(), Eigen::Vector3d::Constant(2.0), {4, 2, 2});
  Volume<float> dose(geometry, 10.0f);
  for (std::int64_t i = 0; i < 4; ++i) {
    dose.At(i, 0, 0) = static_cast<float>(kRxGy + i);
  }
  dose.At(3, 1, 1) = static_cast<float>(3.0 * kRxGy);
  EXPECT_NEAR(PrescriptionIsodoseVolumeCc(dose, kRxGy), 5 * 8.0 / kMm3PerCc, kArithmetic);
}

TEST(DoseMetrics, JsonHasExactlyTheDocumentedKeysInOrder) {
  std::vector<Dvh::Sample> samples;
  Append(samples, 1.5 * kRxGy, 0.2, 2);
  Append(samples, 1.0 * kRxGy, 0.3, 3);
  const std::string json = DoseMetrics::Compute(Dvh(samples), kRxGy, 0.6).ToJson();
  const std::vector<std::string> keys = {
      "volume_cc", "D90_Gy",   "D98_Gy",  "D100_Gy", "Dmean_Gy",  "Dmin_Gy", "Dmax_Gy", "V100_pct",
      "V150_pct",  "V200_pct", "D2cc_Gy", "D1cc_Gy", "D0_1cc_Gy", "CI",      "EI",      "HI"};
  std::size_t position = 0;
  for (const std::string& key : keys) {
    const std::size_t found = json.find("\"" + key + "\": ", position);
    ASSERT_NE(found, std::string::npos) << key << " in " << json;
    position = found;
  }
  std::size_t quotes = 0;
  for (char c : json) {
    quotes += c == '"' ? 1 : 0;
  }
  EXPECT_EQ(quotes, 2 * keys.size()) << json; // no other key
  EXPECT_EQ(json.front(), '{');
  EXPECT_EQ(json.back(), '}');
  EXPECT_NE(json.find("\"volume_cc\": 0.5,"), std::string::npos) << json;
  EXPECT_NE(json.find("\"D1cc_Gy\": null"), std::string::npos) << json;
  EXPECT_NE(json.find("\"V150_pct\": 40,"), std::string::npos) << json;
}

TEST(DoseMetrics, TableSaysTheDoseIsTotalTg43DoseInWater) {
  std::vector<Dvh::Sample> samples;
  Append(samples, 1.2 * kRxGy, 0.5, 5);
  const std::string table = DoseMetrics::Compute(Dvh(samples), kRxGy, 0.7).ToTable("Lesion 1");
  const std::string header = table.substr(0, table.find('\n'));
  EXPECT_NE(header.find("Lesion 1"), std::string::npos) << header;
  EXPECT_NE(header.find("TG-43, water"), std::string::npos) << header;
  EXPECT_NE(header.find("total dose (Gy)"), std::string::npos) << header;
  EXPECT_NE(table.find("D90"), std::string::npos) << table;
  EXPECT_NE(table.find("D2cc"), std::string::npos) << table;
  EXPECT_NE(table.find("n/a"), std::string::npos) << table;
}

} // namespace
