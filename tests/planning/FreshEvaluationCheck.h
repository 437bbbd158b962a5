#pragma once
// The live-editing tests' check (planning and viewer): a live evaluation of an edited plan equals a
// fresh PlanEvaluator::Evaluate of it on the sample patient, metric by metric, to issue 14's
// 0.01 %.

#include "SampleImplant.h"
#include "seedplan/core/Volume.h"
#include "seedplan/planning/Plan.h"
#include "seedplan/planning/PlanEvaluator.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <tuple>

namespace seedplan::test {

/// The acceptance: live metrics equal a full recomputation of the edited plan to 0.01 %
/// (relative; absolute below 1 Gy or 1 cc).
inline constexpr double kLiveTolerance = 1e-4;
/// V-metrics are volume fractions in %: 0.01 % of the structure's volume, the same promise.
inline constexpr double kVolumePctTolerance = 1e-2;

/// Expects `live`, the live evaluation of `edited`, to equal a fresh evaluation of `edited` on
/// the sample's CT grid: every structure's volume, D90, D98, D100, Dmean, Dmax, D2cc, D1cc,
/// D0.1cc, CI and EI (the same ones defined, each to kLiveTolerance), V100, V150 and V200 (to
/// kVolumePctTolerance), and every limit's verdict. `when` ends the failure messages.
inline void ExpectEqualToFreshEvaluation(const SampleImplant& sample, const planning::Plan& edited,
                                         const planning::PlanEvaluation& live,
                                         const std::string& when) {
  const Volume<float> dose =
      planning::PlanEvaluator::TotalDose(edited, sample.ct.hu.Geometry(), sample.library);
  const planning::PlanEvaluation fresh =
      planning::PlanEvaluator::Evaluate(edited, dose, sample.structures, sample.library);
  ASSERT_EQ(live.metrics.size(), fresh.metrics.size());
  for (std::size_t s = 0; s < fresh.metrics.size(); ++s) {
    const auto& a = fresh.metrics[s].metrics;
    const auto& b = live.metrics[s].metrics;
    const std::string& name = fresh.metrics[s].structureName;
    auto doseNear = [&](double x, double y, const char* metric) {
      EXPECT_NEAR(y, x, kLiveTolerance * std::max(1.0, std::abs(x)))
          << name << " " << metric << " " << when;
    };
    doseNear(a.volumeCc, b.volumeCc, "volume");
    doseNear(a.D90Gy, b.D90Gy, "D90");
    doseNear(a.D98Gy, b.D98Gy, "D98");
    doseNear(a.D100Gy, b.D100Gy, "D100");
    doseNear(a.DmeanGy, b.DmeanGy, "Dmean");
    doseNear(a.DmaxGy, b.DmaxGy, "Dmax");
    for (const auto& [x, y, metric] : {std::tuple{a.V100Pct, b.V100Pct, "V100"},
                                       {a.V150Pct, b.V150Pct, "V150"},
                                       {a.V200Pct, b.V200Pct, "V200"}}) {
      EXPECT_NEAR(y, x, kVolumePctTolerance) << name << " " << metric << " " << when;
    }
    for (const auto& [x, y, metric] : {std::tuple{a.D2ccGy, b.D2ccGy, "D2cc"},
                                       {a.D1ccGy, b.D1ccGy, "D1cc"},
                                       {a.D0_1ccGy, b.D0_1ccGy, "D0.1cc"},
                                       {a.CI, b.CI, "CI"},
                                       {a.EI, b.EI, "EI"}}) {
      ASSERT_EQ(x.has_value(), y.has_value()) << name << " " << metric << " " << when;
      if (x) {
        doseNear(*x, *y, metric);
      }
    }
  }
  ASSERT_EQ(live.limits.size(), fresh.limits.size());
  for (std::size_t l = 0; l < fresh.limits.size(); ++l) {
    EXPECT_EQ(live.limits[l].met, fresh.limits[l].met)
        << fresh.limits[l].limit.structureName << " " << when;
  }
}

/// The centre of a mask's inside voxels (mean of their centres, mm).
inline Eigen::Vector3d InsideCentreMm(const Mask& mask) {
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

} // namespace seedplan::test
