#include "seedplan/dosimetry/SourceModel.h"
#include "TestModels.h"
#include "seedplan/core/CsvTable.h"
#include "seedplan/core/Units.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <numbers>

namespace seedplan::dosimetry {
namespace {

using test::Library;

constexpr double kHalfPi = std::numbers::pi / 2;
/// Values copied from the reference tables must be identical up to the parsing of decimal text.
constexpr double kExactTolerance = 1e-12;
/// TG-43 tables carry 3–4 significant digits; the reference README states that the g_P tables of
/// 6711 and 2301 are reproduced from g_L within 0.0005 (half a unit of the last published digit).
constexpr double kGpReproductionTolerance = 0.0005;

const std::vector<std::string> kRequestedModels = {"6711",   "6702",    "2301",
                                                   "I25S06", "IAI125A", "130002"};

TEST(SourceLibrary, HoldsTheSixRequestedConsensusModelsAndFlagsTheExtraOnesAsSingleSource) {
  const auto ids = Library().ModelIds();
  for (const auto& id : kRequestedModels) {
    ASSERT_NE(std::find(ids.begin(), ids.end(), id), ids.end()) << id;
    EXPECT_FALSE(Library().Load(id)->IsSingleSource()) << id;
  }
  EXPECT_GT(ids.size(), kRequestedModels.size());
  for (const auto& id : ids) {
    const bool requested =
        std::find(kRequestedModels.begin(), kRequestedModels.end(), id) != kRequestedModels.end();
    if (!requested) {
      EXPECT_TRUE(Library().Load(id)->IsSingleSource()) << id;
    }
  }
}

TEST(SourceLibrary, UnknownModelIsRefusedWithTheListOfKnownOnes) {
  try {
    Library().Load("6712");
    FAIL() << "expected InvalidInput";
  } catch (const InvalidInput& error) {
    EXPECT_NE(std::string(error.what()).find("unknown seed model '6712'"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("6711"), std::string::npos);
  }
}

/// Every value of every source file equals the reference table it was encoded from
/// (shared/reference/tg43); skipped only where the reference folder is not beside the project.
TEST(SourceModelReference, EveryTabulatedValueEqualsTheReferenceTables) {
  const std::filesystem::path reference = SEEDPLAN_REFERENCE_DIR;
  if (!std::filesystem::exists(reference / "models.csv")) {
    GTEST_SKIP() << "reference tables not found at " << reference;
  }
  const CsvTable models = CsvTable::Read(reference / "models.csv");
  const std::size_t idColumn = models.RequireColumn("model_id");
  const std::size_t filesColumn = models.RequireColumn("table_files");
  int checkedModels = 0;
  for (std::size_t row = 0; row < models.RowCount(); ++row) {
    const std::string id = models.Row(row)[idColumn];
    const auto ids = Library().ModelIds();
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
      continue; // left out for an incomplete table (AgX100): documented in sources/README.md
    }
    const auto model = Library().Load(id);
    std::string files = models.Row(row)[filesColumn];
    std::size_t start = 0;
    while (start < files.size()) {
      const std::size_t end = std::min(files.find(';', start), files.size());
      const std::string file = files.substr(start, end - start);
      start = end + 1;
      const CsvTable table = CsvTable::Read(reference / file);
      if (table.Column("theta_deg")) {
        if (file.find("consensus_grid") != std::string::npos) {
          continue; // 130002: the Karaiskos grid is the one encoded (README decision)
        }
        const auto& f = model->Data().anisotropy;
        for (std::size_t r = 0; r < table.RowCount(); ++r) {
          const double rCm = table.Number(r, table.RequireColumn("r_cm"));
          const double theta = table.Number(r, table.RequireColumn("theta_deg"));
          const auto ri = std::find(f.rCm.begin(), f.rCm.end(), rCm) - f.rCm.begin();
          const auto ti =
              std::find(f.thetaDeg.begin(), f.thetaDeg.end(), theta) - f.thetaDeg.begin();
          ASSERT_LT(std::size_t(ri), f.rCm.size()) << id << " r " << rCm;
          ASSERT_LT(std::size_t(ti), f.thetaDeg.size()) << id << " theta " << theta;
          EXPECT_NEAR(f.values[ri * f.thetaDeg.size() + ti],
                      table.Number(r, table.RequireColumn("F")), kExactTolerance)
              << id << " F(" << rCm << ", " << theta << ")";
        }
        continue;
      }
      const RadialTable* encoded = nullptr;
      std::string column;
      if (table.Column("gL")) {
        if (file.find("consensus_grid") != std::string::npos) {
          continue;
        }
        encoded = &model->Data().radialDoseLine;
        column = "gL";
      } else if (table.Column("gP")) {
        encoded = &model->Data().radialDosePoint;
        column = "gP";
      } else if (table.Column("phi_an")) {
        encoded = &model->Data().anisotropyFactor;
        column = "phi_an";
      }
      ASSERT_NE(encoded, nullptr) << file;
      ASSERT_EQ(encoded->rCm.size(), table.RowCount()) << id << " " << file;
      for (std::size_t r = 0; r < table.RowCount(); ++r) {
        EXPECT_NEAR(encoded->rCm[r], table.Number(r, table.RequireColumn("r_cm")), kExactTolerance);
        EXPECT_NEAR(encoded->values[r], table.Number(r, table.RequireColumn(column)),
                    kExactTolerance)
            << id << " " << column << " at r " << encoded->rCm[r];
      }
    }
    const double lambdaReference =
        models.Number(row, models.RequireColumn("Lambda_cGy_per_h_per_U"));
    EXPECT_NEAR(model->DoseRateConstant(), lambdaReference, kExactTolerance) << id;
    ++checkedModels;
  }
  EXPECT_GE(checkedModels, 15);
}

TEST(Tg43LineSource, DoseRateAtReferencePointIsSkTimesLambdaForEveryModel) {
  for (const auto& id : Library().ModelIds()) {
    const auto model = Library().Load(id);
    for (Formalism f : {Formalism::Line2D, Formalism::Line1D}) {
      // F(1, 90°) = 1 and g_L(1) = 1 by definition; φ_an(1) is not 1, so only 2D is exact.
      if (f == Formalism::Line2D) {
        EXPECT_NEAR(model->DoseRatePerU(1.0, kHalfPi, f), model->DoseRateConstant(), 1e-12) << id;
      }
    }
    EXPECT_NEAR(model->DoseRatePerU(1.0, kHalfPi, Formalism::Line1D),
                model->DoseRateConstant() * model->Anisotropy1D(1.0), 1e-12)
        << id;
  }
}

TEST(Tg43LineSource, TotalDoseOfA6711At1cmIs1984_72cGyPerU) {
  // TPOR's unit test (reference constants.csv): 0.965 × 59.4 d × 24 h/d / ln 2 = 1984.721338531
  // cGy.
  const auto model = Library().Load("6711");
  const double totalCGy = model->DoseRatePerU(1.0, kHalfPi, Formalism::Line2D) *
                          units::MeanLifeHours(model->HalfLifeDays());
  EXPECT_NEAR(totalCGy, 1984.721338531, 1e-6);
}

TEST(Tg43LineSource, GeometryFunctionAtReferencePointMatchesTheClosedForm) {
  // README: G_L(1 cm, 90°) = 2 atan(L/2)/L = 0.99260 cm^-2 for L = 0.3 cm.
  const auto model = Library().Load("6711");
  EXPECT_NEAR(model->GeometryLine(1.0, kHalfPi), 0.99260, 5e-6);
  EXPECT_NEAR(model->GeometryLineReference(), model->GeometryLine(1.0, kHalfPi), 1e-14);
  // On the axis the limit 1/(r² − L²/4); just off it the general formula must approach it.
  EXPECT_NEAR(model->GeometryLine(2.0, 0.0), 1.0 / (4.0 - 0.0225), 1e-14);
  EXPECT_NEAR(model->GeometryLine(2.0, 1e-7), model->GeometryLine(2.0, 0.0), 1e-9);
  EXPECT_THROW(model->GeometryLine(0.1, 0.0), InvalidInput);
}

TEST(Tg43Interpolation, RadialDoseFunctionIsLinearInsideHeldBelowAndExtrapolatedBeyond) {
  const auto model = Library().Load("6711");
  // At nodes.
  EXPECT_DOUBLE_EQ(model->RadialDoseLine(0.5), 1.071);
  EXPECT_DOUBLE_EQ(model->RadialDoseLine(10.0), 0.0803);
  // Between nodes: linear in r (1.5 cm: 0.908; 2 cm: 0.814).
  EXPECT_NEAR(model->RadialDoseLine(1.75), 0.5 * (0.908 + 0.814), 1e-12);
  EXPECT_NEAR(model->RadialDoseLine(1.6), 0.908 + 0.2 * (0.814 - 0.908), 1e-12);
  // Below the first radius (0.1 cm): the first value.
  EXPECT_DOUBLE_EQ(model->RadialDoseLine(0.05), 1.055);
  // Beyond the last radius: linear from 9 and 10 cm, never below zero.
  EXPECT_NEAR(model->RadialDoseLine(11.0), 0.0803 + (0.0803 - 0.109), 1e-12);
  EXPECT_DOUBLE_EQ(model->RadialDoseLine(100.0), 0.0);
}

TEST(Tg43Interpolation, AnisotropyFunctionIsBilinearInsideAndFollowsTheExtrapolationRules) {
  const auto model = Library().Load("6711");
  // Node: F(2, 20°) = 0.727.
  EXPECT_DOUBLE_EQ(model->Anisotropy2D(2.0, 20.0), 0.727);
  // Between nodes: bilinear, the mean of F(1,20)=0.705, F(1,30)=0.834, F(2,20)=0.727,
  // F(2,30)=0.842.
  EXPECT_NEAR(model->Anisotropy2D(1.5, 25.0), 0.25 * (0.705 + 0.834 + 0.727 + 0.842), 1e-12);
  // Below the first radius (0.5 cm): the 0.5 cm row.
  EXPECT_DOUBLE_EQ(model->Anisotropy2D(0.25, 10.0), 0.519);
  // Beyond the last radius (5 cm): linear in r from 4 and 5 cm at fixed θ (AAPM/ESTRO 2012).
  EXPECT_NEAR(model->Anisotropy2D(7.0, 0.0), 0.550 + 2.0 * (0.550 - 0.520), 1e-12);
  // θ > 90°: symmetric about 90°.
  EXPECT_DOUBLE_EQ(model->Anisotropy2D(1.0, 120.0), model->Anisotropy2D(1.0, 60.0));
  EXPECT_DOUBLE_EQ(model->Anisotropy2D(3.0, 175.0), model->Anisotropy2D(3.0, 5.0));
  // Below the first tabulated angle (130002 starts at 0.5°): the first angle's value.
  const auto select = Library().Load("130002");
  EXPECT_DOUBLE_EQ(select->Anisotropy2D(1.0, 0.0), select->Anisotropy2D(1.0, 0.5));
}

TEST(Tg43Interpolation, AnisotropyFactorIsLinearInsideAndNearestOutside) {
  const auto model = Library().Load("6711");
  EXPECT_DOUBLE_EQ(model->Anisotropy1D(1.0), 0.944);
  EXPECT_NEAR(model->Anisotropy1D(0.75), 0.5 * (0.973 + 0.944), 1e-12);
  EXPECT_DOUBLE_EQ(model->Anisotropy1D(0.2), 0.973);
  EXPECT_DOUBLE_EQ(model->Anisotropy1D(9.0), 0.944);
  EXPECT_FALSE(model->AnisotropyFactorIsDerived());
  EXPECT_TRUE(Library().Load("IAI125A")->AnisotropyFactorIsDerived());
}

TEST(Tg43Interpolation, DoseInsideTheSourceIsTheDoseAtTheStatedMinimumRadius) {
  const auto model = Library().Load("6711");
  // L = 0.3 cm: L/2 + 0.05 cm = 0.2 cm.
  EXPECT_DOUBLE_EQ(model->MinimumRadiusCm(), 0.2);
  for (Formalism f : {Formalism::Line2D, Formalism::Line1D, Formalism::Point1D}) {
    EXPECT_DOUBLE_EQ(model->DoseRatePerU(0.05, 0.0, f), model->DoseRatePerU(0.2, 0.0, f));
    EXPECT_DOUBLE_EQ(model->DoseRatePerU(0.0, 1.0, f), model->DoseRatePerU(0.2, 1.0, f));
    EXPECT_TRUE(std::isfinite(model->DoseRatePerU(0.0, 0.0, f)));
  }
}

/// Independent check of G_L: the published g_P of 6711 and 2301 follows from their g_L through
/// g_P(r) = g_L(r) G_L(r,90°)/G_L(1,90°) r² (reference README).
TEST(Tg43IndependentCheck, PublishedRadialDoseFunctionOfPointSourceIsReproducedFromLineSource) {
  for (const std::string id : {"6711", "2301"}) {
    const auto model = Library().Load(id);
    ASSERT_FALSE(model->RadialDosePointIsDerived()) << id;
    const RadialTable& published = model->RadialDosePointTable();
    double worst = 0.0;
    for (std::size_t i = 0; i < published.rCm.size(); ++i) {
      const double r = published.rCm[i];
      const double fromLine = model->RadialDoseLine(r) * model->GeometryLine(r, kHalfPi) /
                              model->GeometryLineReference() * r * r;
      worst = std::max(worst, std::abs(fromLine - published.values[i]));
      EXPECT_NEAR(fromLine, published.values[i], kGpReproductionTolerance) << id << " r " << r;
    }
    std::cout << "[ figures  ] g_P reproduced from g_L, model " << id
              << ": max |difference| = " << worst << '\n';
  }
}

/// Independent check of F and G_L against φ_an: the solid-angle average of the 2D dose rate over a
/// sphere of radius r, divided by the dose rate at θ0 (TG-43U1 Eq. 10), equals the published
/// φ_an(r). The published φ_an were computed from the full Monte Carlo dose distributions, not from
/// the F tables, so agreement is limited by the F tables' angular sampling: 0.5 % in general and
/// 0.2 % for 6711, whose F is finely sampled near the axis.
///
/// Where the published data are not consistent with each other the test pins the measured deviation
/// instead (kKnownInconsistencies), so that the finding is recorded and any change of it is seen:
///  - 2301: φ_an(1 cm) = 0.945 against 0.995 from its F table and G_L (the F row at 1 cm
///  has 1.01–1.04 at
///    50–80°, so its mean cannot be 0.945); also 2, 6 and 7 cm differ by 0.7–1.2 %.
///  - I25S06 at 6 cm: F is not tabulated there (5 and 7 cm) and φ_an is from one transcription.
///  - IS12501 (single source): φ_an radii (1, 2, 3, 4, 7 cm) differ from the F radii (1, 2, 3, 5,
///    7 cm): the two tables come from different datasets (reference models.csv), 1.9–2.4 % apart.
TEST(Tg43IndependentCheck, SolidAngleAverageOf2DDoseEqualsPublishedAnisotropyFactor) {
  constexpr double kPhiTolerance = 0.005;
  constexpr double kPhiTolerance6711 = 0.002;
  /// Measured deviations (from F − published)/published of the inconsistent entries, ± 0.1 %.
  constexpr double kKnownDeviationTolerance = 0.001;
  const std::map<std::pair<std::string, double>, double> kKnownInconsistencies = {
      {{"2301", 1.0}, +0.0525},    {{"2301", 2.0}, -0.0118},    {{"2301", 6.0}, -0.0071},
      {{"2301", 7.0}, -0.0075},    {{"I25S06", 6.0}, -0.0060},  {{"IS12501", 2.0}, -0.0190},
      {{"IS12501", 3.0}, -0.0190}, {{"IS12501", 4.0}, -0.0224}, {{"IS12501", 7.0}, -0.0235}};
  int consistent = 0;
  for (const auto& id : Library().ModelIds()) {
    const auto model = Library().Load(id);
    if (model->AnisotropyFactorIsDerived()) {
      continue;
    }
    const RadialTable& published = model->AnisotropyFactorTable();
    double worst = 0.0;
    for (std::size_t i = 0; i < published.rCm.size(); ++i) {
      const double r = published.rCm[i];
      const double relative = model->SolidAngleAveragedAnisotropy(r) / published.values[i] - 1.0;
      std::cout << "[ figures  ] phi_an " << id << " r " << r << " cm: published "
                << published.values[i] << ", from F and G_L " << 1 + relative << " x published ("
                << 100 * relative << " %)\n";
      const auto known = kKnownInconsistencies.find({id, r});
      if (known != kKnownInconsistencies.end()) {
        EXPECT_NEAR(relative, known->second, kKnownDeviationTolerance) << id << " r " << r;
        continue;
      }
      worst = std::max(worst, std::abs(relative));
      EXPECT_LE(std::abs(relative), id == "6711" ? kPhiTolerance6711 : kPhiTolerance)
          << id << " r " << r;
      ++consistent;
    }
    std::cout << "[ figures  ] phi_an check " << id
              << ": max |relative difference| over consistent radii = " << 100 * worst << " %\n";
  }
  EXPECT_GE(consistent, 20);
}

TEST(Tg43DerivedData, DerivedAnisotropyFactorIsTheSolidAngleAverageAtEveryFRadius) {
  const auto model = Library().Load("IAI125A");
  const RadialTable& derived = model->AnisotropyFactorTable();
  ASSERT_EQ(derived.rCm, model->Data().anisotropy.rCm);
  for (std::size_t i = 0; i < derived.rCm.size(); ++i) {
    EXPECT_DOUBLE_EQ(derived.values[i], model->SolidAngleAveragedAnisotropy(derived.rCm[i]));
    EXPECT_GT(derived.values[i], 0.8);
    EXPECT_LT(derived.values[i], 1.05);
  }
}

TEST(Tg43DerivedData, OneDimensionalDoseEqualsTheShellAverageOfTheTwoDimensionalDose) {
  // With a derived φ_an, the 1D line-source dose at r is by construction the solid-angle mean of
  // the 2D dose at r; check it through DoseRatePerU itself at F table radii.
  const auto model = Library().Load("IAI125A");
  for (double r : model->Data().anisotropy.rCm) {
    const int panels = 3600;
    double sum = 0.0;
    for (int k = 0; k < panels; ++k) {
      const double theta = (k + 0.5) * std::numbers::pi / panels;
      sum += model->DoseRatePerU(r, theta, Formalism::Line2D) * std::sin(theta);
    }
    const double shellMean = 0.5 * sum * std::numbers::pi / panels;
    // Midpoint rule on 0.05° panels against Simpson on 0.01°: agree to 1e-4 relative.
    EXPECT_NEAR(model->DoseRatePerU(r, 0.3, Formalism::Line1D) / shellMean, 1.0, 1e-4) << r;
  }
}

} // namespace
} // namespace seedplan::dosimetry
