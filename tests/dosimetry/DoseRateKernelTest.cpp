#include "seedplan/dosimetry/DoseRateKernel.h"
#include "TestModels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <iostream>
#include <numbers>
#include <random>

namespace seedplan::dosimetry {
namespace {

using test::Library;

/// The requirement for the kernel (issues 2 and 12): within 0.05 % of the direct formula at points
/// from 1 mm to the cutoff.
constexpr double kKernelTolerance = 5e-4;
constexpr double kCutoffCm = 10.0;

/// Compares the kernel with SourceModel::DoseRatePerU at `count` random points: r log-uniform from
/// 0.1 cm to the cutoff (so near points, where the dose varies fastest, are well represented), θ
/// with cos θ uniform (uniform over the sphere); returns the worst relative difference.
double WorstRelativeDifference(const SourceModel& model, Formalism formalism, int count,
                               unsigned seed) {
  const DoseRateKernel kernel(model, formalism, kCutoffCm);
  std::mt19937_64 random(seed);
  std::uniform_real_distribution<double> logR(std::log(0.1), std::log(kCutoffCm));
  std::uniform_real_distribution<double> cosTheta(-1.0, 1.0);
  double worst = 0.0;
  for (int n = 0; n < count; ++n) {
    const double r = std::exp(logR(random));
    const double theta = std::acos(cosTheta(random));
    const double direct = model.DoseRatePerU(r, theta, formalism);
    const double tabulated = kernel.DoseRatePerU(r, theta);
    worst = std::max(worst, std::abs(tabulated / direct - 1.0));
  }
  return worst;
}

TEST(DoseRateKernel, AgreesWithTheDirectFormulaWithinATwentiethOfAPercentAt100000RandomPoints) {
  const auto model = Library().Load("6711");
  for (Formalism formalism : {Formalism::Line2D, Formalism::Line1D, Formalism::Point1D}) {
    const double worst = WorstRelativeDifference(*model, formalism, 100000, 43);
    std::cout << "[ figures  ] kernel vs direct, 6711 " << FormalismName(formalism)
              << ": worst relative difference " << 100 * worst << " % over 1e5 points\n";
    EXPECT_LT(worst, kKernelTolerance) << FormalismName(formalism);
  }
}

TEST(DoseRateKernel, AgreesWithTheDirectFormulaForEveryModelIn2D) {
  for (const auto& id : Library().ModelIds()) {
    const double worst = WorstRelativeDifference(*Library().Load(id), Formalism::Line2D, 20000, 7);
    std::cout << "[ figures  ] kernel vs direct, " << id << " 2d: worst " << 100 * worst << " %\n";
    EXPECT_LT(worst, kKernelTolerance) << id;
  }
}

TEST(DoseRateKernel, IsExactAtTableNodesAndZeroBeyondTheCutoff) {
  const auto model = Library().Load("6711");
  const DoseRateKernel kernel(*model, Formalism::Line2D, kCutoffCm);
  // (2 cm, 30°) is a node of both the kernel and the F table. Float storage: 1e-6 relative.
  const double theta = 30.0 * std::numbers::pi / 180.0;
  EXPECT_NEAR(kernel.DoseRatePerU(2.0, theta) / model->DoseRatePerU(2.0, theta, Formalism::Line2D),
              1.0, 1e-6);
  EXPECT_EQ(kernel.DoseRatePerU(kCutoffCm + 0.01, theta), 0.0);
  EXPECT_GT(kernel.DoseRatePerU(kCutoffCm - 0.01, theta), 0.0);
}

TEST(DoseRateKernel, RefusesACutoffOutsideTenToOneHundredCentimetres) {
  EXPECT_THROW(DoseRateKernel(*Library().Load("6711"), Formalism::Line2D, 5.0), InvalidInput);
  EXPECT_THROW(DoseRateKernel(*Library().Load("6711"), Formalism::Line2D, 1e308), InvalidInput);
  EXPECT_THROW(DoseRateKernel(*Library().Load("6711"), Formalism::Auto, 10.0), InvalidInput);
}

} // namespace
} // namespace seedplan::dosimetry
