// End-to-end tests of the seedplan executable: output formats other tools rely on, and the
// contract for bad input (one line on stderr naming file/field/value, non-zero exit, no output).

#include "RunSeedplan.h"
#include "seedplan/core/Units.h"
#include "seedplan/dosimetry/SourceLibrary.h"
#include "seedplan/imaging/VolumeIo.h"

#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <numbers>
#include <sstream>
#include <sys/wait.h>

namespace seedplan {
namespace {

using test::ExpectRefused;
using test::Result;
using test::Seedplan;
using test::TempFolder;
using test::Write;

std::string GridOptions() {
  return "--grid-origin -10,-10,-10 --grid-size 21,21,21 --grid-spacing 1,1,1";
}

TEST(CommandLine, VersionAndHelpAreAvailableForEveryCommand) {
  TempFolder folder;
  const auto version = Seedplan("--version", folder);
  EXPECT_EQ(version.exitCode, 0);
  EXPECT_NE(version.out.find("seedplan 0."), std::string::npos);
  const auto help = Seedplan("--help", folder);
  EXPECT_EQ(help.exitCode, 0);
  for (const char* command : {"sources", "dose-rate", "dose", "dvh", "demo"}) {
    EXPECT_NE(help.out.find(command), std::string::npos) << command;
    EXPECT_EQ(Seedplan(std::string(command) + " --help", folder).exitCode, 0) << command;
  }
  EXPECT_NE(Seedplan("", folder).exitCode, 0);
  EXPECT_NE(Seedplan("no-such-command", folder).exitCode, 0);
}

TEST(CommandLine, SourcesListsEveryModelAndShowsOneWithProvenance) {
  TempFolder folder;
  const auto list = Seedplan("sources", folder);
  ASSERT_EQ(list.exitCode, 0) << list.err;
  for (const char* id : {"6711", "6702", "2301", "I25S06", "IAI125A", "130002", "LS1"}) {
    EXPECT_NE(list.out.find(std::string("\n") + id + " "), std::string::npos) << id;
  }
  EXPECT_NE(list.out.find("single-source"), std::string::npos);
  const auto one = Seedplan("sources --model IAI125A", folder);
  ASSERT_EQ(one.exitCode, 0) << one.err;
  EXPECT_NE(one.out.find("0.981"), std::string::npos);
  EXPECT_NE(one.out.find("phi_an(r)  [DERIVED"), std::string::npos);
  EXPECT_NE(one.out.find("10.1118/1.1646040"), std::string::npos);
  ExpectRefused(Seedplan("sources --model 9999", folder), {"unknown seed model '9999'"},
                folder / "none");
}

TEST(CommandLine, DoseRatePrintsOneRowPerPointWithSixSignificantDigits) {
  TempFolder folder;
  Write(folder / "points.csv", "y_cm,z_cm\n1,0\n0,2\n0.5,-0.5\n3,4\n");
  const auto result =
      Seedplan("dose-rate --model 6711 --points " + (folder / "points.csv").string(), folder);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const auto model = dosimetry::SourceLibrary().Load("6711");
  const double onAxis = model->DoseRatePerU(2.0, 0.0, dosimetry::Formalism::Line2D);
  const double oblique = model->DoseRatePerU(std::hypot(0.5, 0.5), 3 * std::numbers::pi / 4,
                                             dosimetry::Formalism::Line2D);
  char expected[512];
  std::snprintf(
      expected, sizeof expected,
      "y_cm,z_cm,dose_rate_cGy_per_h_per_U\n1,0,0.965\n0,2,%.6g\n0.5,-0.5,%.6g\n3,4,%.6g\n", onAxis,
      oblique, model->DoseRatePerU(5.0, std::atan2(3.0, 4.0), dosimetry::Formalism::Line2D));
  EXPECT_EQ(result.out, expected);
  const auto point = Seedplan("dose-rate --model 6711 --formalism 1d-point --points " +
                                  (folder / "points.csv").string(),
                              folder);
  ASSERT_EQ(point.exitCode, 0) << point.err;
  // 1D point source at (1 cm): Λ g_P(1) φ_an(1) = 0.965 × 1 × 0.944.
  EXPECT_NE(point.out.find("1,0,0.91096\n"), std::string::npos) << point.out;
}

TEST(CommandLine, DoseRateRefusesBadPointFiles) {
  TempFolder folder;
  Write(folder / "p.csv", "y_cm\n1\n");
  ExpectRefused(Seedplan("dose-rate --model 6711 --points " + (folder / "p.csv").string(), folder),
                {"p.csv", "z_cm"}, folder / "none");
  Write(folder / "p.csv", "y_cm,z_cm\n1,x\n");
  const auto bad =
      Seedplan("dose-rate --model 6711 --points " + (folder / "p.csv").string(), folder);
  ExpectRefused(bad, {"p.csv: line 2, column 'z_cm'", "'x'"}, folder / "none");
  EXPECT_TRUE(bad.out.empty()) << "no partial output";
  Write(folder / "p.csv", "y_cm,z_cm\n");
  ExpectRefused(Seedplan("dose-rate --model 6711 --points " + (folder / "p.csv").string(), folder),
                {"p.csv", "no points"}, folder / "none");
}

TEST(CommandLine, DoseWritesTotalDoseInGyWithItsDescriptionInTheHeader) {
  TempFolder folder;
  Write(folder / "seeds.csv", "x_mm,y_mm,z_mm,dir_x,dir_y,dir_z\n0,0,0,0,0,1\n");
  for (const std::string extension : {".mha", ".nrrd"}) {
    const auto out = folder / ("dose" + extension);
    const auto result =
        Seedplan("dose --seeds " + (folder / "seeds.csv").string() +
                     " --model 6711 --strength-u 1 " + GridOptions() + " --out " + out.string(),
                 folder);
    ASSERT_EQ(result.exitCode, 0) << result.err;
    const Volume<float> dose = imaging::ReadVolumeFloat(out);
    EXPECT_EQ(dose.MetaData().at("seedplan_unit"), "Gy");
    EXPECT_NE(dose.MetaData().at("seedplan_quantity").find("total dose"), std::string::npos);
    EXPECT_EQ(dose.MetaData().at("seedplan_seed_model"), "6711");
    EXPECT_NE(dose.MetaData().at("seedplan_formalism").find("auto"), std::string::npos);
    // Voxel (20, 10, 10) is at (10, 0, 0) mm: 1 cm from the seed at 90°: Λ τ = 19.8472 Gy per U.
    EXPECT_NEAR(dose.At(20, 10, 10), 19.84721, 19.84721 * 1e-5);
  }
  const auto rate =
      Seedplan("dose --seeds " + (folder / "seeds.csv").string() + " --activity-mci 1 " +
                   GridOptions() + " --rate --out " + (folder / "rate.mha").string(),
               folder);
  ASSERT_EQ(rate.exitCode, 0) << rate.err;
  const Volume<float> doseRate = imaging::ReadVolumeFloat(folder / "rate.mha");
  EXPECT_EQ(doseRate.MetaData().at("seedplan_unit"), "cGy/h");
  // 1 mCi = 1.270 U: 0.965 × 1.270 cGy/h at 1 cm.
  EXPECT_NEAR(doseRate.At(20, 10, 10), 0.965 * 1.270, 1e-5);
}

TEST(CommandLine, DoseDeliveredByAGivenTimeFollowsTheDecayLaw) {
  TempFolder folder;
  Write(folder / "seeds.csv", "x_mm,y_mm,z_mm,dir_x,dir_y,dir_z\n0,0,0,0,0,1\n");
  // One mean life τ = 59.4 d / ln 2 = 85.697 d delivers (1 − 1/e) of the total dose.
  const double meanLifeDays = 59.4 / std::numbers::ln2;
  const auto result =
      Seedplan("dose --seeds " + (folder / "seeds.csv").string() + " --strength-u 1 " +
                   GridOptions() + " --delivered-by-days " + std::to_string(meanLifeDays) +
                   " --out " + (folder / "d.mha").string(),
               folder);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const Volume<float> dose = imaging::ReadVolumeFloat(folder / "d.mha");
  EXPECT_NE(dose.MetaData().at("seedplan_quantity").find("delivered in the first"),
            std::string::npos);
  EXPECT_NEAR(dose.At(20, 10, 10), 19.84721 * (1 - std::exp(-1.0)), 19.84721 * 1e-5);
  EXPECT_NE(Seedplan("dose --seeds " + (folder / "seeds.csv").string() + " --strength-u 1 " +
                         GridOptions() + " --delivered-by-days -1 --out " +
                         (folder / "e.mha").string(),
                     folder)
                .exitCode,
            0);
  EXPECT_FALSE(std::filesystem::exists(folder / "e.mha"));
}

TEST(CommandLine, DvhJsonHasExactlyTheDocumentedKeys) {
  TempFolder folder;
  Write(folder / "seeds.csv", "x_mm,y_mm,z_mm,dir_x,dir_y,dir_z,strength_U\n0,0,0,0,0,1,0.6\n");
  ASSERT_EQ(Seedplan("dose --seeds " + (folder / "seeds.csv").string() + " " + GridOptions() +
                         " --out " + (folder / "dose.mha").string(),
                     folder)
                .exitCode,
            0);
  Mask mask(GridGeometry({-5, -5, -5}, {0.5, 0.5, 0.5}, {21, 21, 21}));
  for (std::int64_t k = 0; k < 21; ++k)
    for (std::int64_t j = 0; j < 21; ++j)
      for (std::int64_t i = 0; i < 21; ++i)
        mask.At(i, j, k) =
            mask.Geometry().IndexToPoint(double(i), double(j), double(k)).norm() <= 4.0;
  imaging::WriteMask(mask, folder / "mask.mha");
  const auto result = Seedplan("dvh --dose " + (folder / "dose.mha").string() + " --mask " +
                                   (folder / "mask.mha").string() + " --rx 100 --json",
                               folder);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  std::string keys;
  for (std::size_t at = result.out.find('"'); at != std::string::npos;
       at = result.out.find('"', result.out.find('"', at + 1) + 1)) {
    const std::size_t end = result.out.find('"', at + 1);
    keys += result.out.substr(at + 1, end - at - 1) + " ";
  }
  EXPECT_EQ(keys, "volume_cc D90_Gy D98_Gy D100_Gy Dmean_Gy Dmin_Gy Dmax_Gy V100_pct V150_pct "
                  "V200_pct D2cc_Gy D1cc_Gy D0_1cc_Gy CI EI HI V_ref_cc V_ref_reach_mm ");
  // A 4 mm sphere is 0.27 cc: D2cc and D1cc are undefined, D0.1cc defined.
  EXPECT_NE(result.out.find("\"D2cc_Gy\": null"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("\"D1cc_Gy\": null"), std::string::npos) << result.out;
  EXPECT_EQ(result.out.find("\"D0_1cc_Gy\": null"), std::string::npos) << result.out;
  const auto table = Seedplan("dvh --dose " + (folder / "dose.mha").string() + " --mask " +
                                  (folder / "mask.mha").string() + " --rx 100",
                              folder);
  ASSERT_EQ(table.exitCode, 0) << table.err;
  EXPECT_NE(table.out.find("TG-43, water"), std::string::npos);
}

class BadDoseInput : public ::testing::Test {
protected:
  void SetUp() override { Write(m_Folder / "good.csv", "x_mm,y_mm,z_mm\n0,0,0\n"); }
  Result Dose(const std::string& seedsText, const std::string& extra,
              const std::string& grid = GridOptions()) {
    Write(m_Folder / "seeds.csv", seedsText);
    return Seedplan("dose --seeds " + (m_Folder / "seeds.csv").string() + " " + grid + " " + extra +
                        " --out " + Out().string(),
                    m_Folder);
  }
  std::filesystem::path Out() const { return m_Folder / "out" / "dose.mha"; }
  void TearDown() override {}
  TempFolder m_Folder;

public:
  BadDoseInput() { std::filesystem::create_directories(m_Folder / "out"); }
};

TEST_F(BadDoseInput, UnknownModel) {
  ExpectRefused(Dose("x_mm,y_mm,z_mm\n0,0,0\n", "--model 6799 --strength-u 1"),
                {"unknown seed model '6799'"}, Out());
}
TEST_F(BadDoseInput, MalformedCsv) {
  ExpectRefused(Dose("x_mm,y_mm,z_mm\n0,0\n", "--strength-u 1"), {"seeds.csv: line 2"}, Out());
}
TEST_F(BadDoseInput, EmptyCsv) {
  ExpectRefused(Dose("", "--strength-u 1"), {"seeds.csv", "empty"}, Out());
}
TEST_F(BadDoseInput, IncompleteCsv) {
  ExpectRefused(Dose("x_mm,y_mm\n0,0\n", "--strength-u 1"), {"seeds.csv", "'z_mm' is missing"},
                Out());
  ExpectRefused(Dose("x_mm,y_mm,z_mm\n", "--strength-u 1"), {"seeds.csv", "no seeds"}, Out());
}
TEST_F(BadDoseInput, NegativeOrZeroStrength) {
  ExpectRefused(Dose("x_mm,y_mm,z_mm,strength_U\n0,0,0,-0.5\n", ""),
                {"seeds.csv: line 2, column strength_U", "-0.5"}, Out());
  ExpectRefused(Dose("x_mm,y_mm,z_mm,strength_U\n0,0,0,0\n", ""),
                {"seeds.csv: line 2, column strength_U"}, Out());
  ExpectRefused(Dose("x_mm,y_mm,z_mm\n0,0,0\n", "--strength-u -1"), {"--strength-u", "-1"}, Out());
  ExpectRefused(Dose("x_mm,y_mm,z_mm\n0,0,0\n", "--activity-mci 0"), {"--activity-mci"}, Out());
}
TEST_F(BadDoseInput, SeedWithNoStrengthAnywhere) {
  ExpectRefused(Dose("x_mm,y_mm,z_mm,strength_U\n0,0,0,0.5\n1,1,1,\n", ""),
                {"seeds.csv: line 3", "no strength"}, Out());
}
TEST_F(BadDoseInput, NonFinitePosition) {
  ExpectRefused(Dose("x_mm,y_mm,z_mm\n0,inf,0\n", "--strength-u 1"),
                {"seeds.csv: line 2, column 'y_mm'", "'inf'"}, Out());
  ExpectRefused(Dose("x_mm,y_mm,z_mm\nnan,0,0\n", "--strength-u 1"),
                {"seeds.csv: line 2, column 'x_mm'"}, Out());
}
TEST_F(BadDoseInput, ZeroDirectionVector) {
  ExpectRefused(Dose("x_mm,y_mm,z_mm,dir_x,dir_y,dir_z\n0,0,0,0,0,0\n", "--strength-u 1"),
                {"seeds.csv: line 2", "dir_x,dir_y,dir_z", "(0, 0, 0)"}, Out());
}
TEST_F(BadDoseInput, GridOfZeroSizeOrNonPositiveSpacing) {
  ExpectRefused(Dose("x_mm,y_mm,z_mm\n0,0,0\n", "--strength-u 1",
                     "--grid-origin 0,0,0 --grid-size 0,10,10 --grid-spacing 1,1,1"),
                {"--grid-size", "0,10,10"}, Out());
  ExpectRefused(Dose("x_mm,y_mm,z_mm\n0,0,0\n", "--strength-u 1",
                     "--grid-origin 0,0,0 --grid-size 10,10,10 --grid-spacing 1,0,1"),
                {"--grid-spacing", "1,0,1"}, Out());
  ExpectRefused(Dose("x_mm,y_mm,z_mm\n0,0,0\n", "--strength-u 1",
                     "--grid-origin 0,0,0 --grid-size 10,10,10 --grid-spacing 1,-1,1"),
                {"--grid-spacing"}, Out());
}
/// Issue 13: values whose index ranges overflowed the engine (a segfault), or whose grid could not
/// be allocated (an internal error), are refused with one line before anything is allocated.
TEST_F(BadDoseInput, ValuesBeyondPhysicalBoundsAreRefusedBeforeAnyAllocation) {
  ExpectRefused(Dose("x_mm,y_mm,z_mm\n1.8e19,0,0\n", "--strength-u 1 --allow-seeds-outside"),
                {"seeds.csv", "1.8e+19", "10000 mm"}, Out());
  ExpectRefused(Dose("x_mm,y_mm,z_mm,strength_U\n0,0,0,1e308\n", ""),
                {"seeds.csv", "1e+308", "100 U"}, Out());
  ExpectRefused(Dose("x_mm,y_mm,z_mm\n0,0,0\n", "--strength-u 1 --allow-seeds-outside",
                     "--grid-origin 0,0,0 --grid-size 10,10,10 --grid-spacing 1e-300,2,2"),
                {"--grid-spacing", "1e-300,2,2", "0.01 mm"}, Out());
  ExpectRefused(Dose("x_mm,y_mm,z_mm\n0,0,0\n", "--strength-u 1 --cutoff-cm 1e308"),
                {"cutoff", "1e+308", "100 cm"}, Out());
  ExpectRefused(Dose("x_mm,y_mm,z_mm\n0,0,0\n", "--strength-u 1",
                     "--grid-origin 0,0,0 --grid-size 3000,3000,3000 --grid-spacing 1,1,1"),
                {"--grid-size", "3000,3000,3000", "108 GB"}, Out());
}
TEST_F(BadDoseInput, SeedOutsideTheGrid) {
  ExpectRefused(Dose("x_mm,y_mm,z_mm\n50,0,0\n", "--strength-u 1"),
                {"seeds.csv: line 2", "outside the dose grid"}, Out());
}
TEST_F(BadDoseInput, OutputThatCannotBeWritten) {
  Write(m_Folder / "seeds.csv", "x_mm,y_mm,z_mm\n0,0,0\n");
  const auto missingFolder = m_Folder / "missing" / "dose.mha";
  ExpectRefused(Seedplan("dose --seeds " + (m_Folder / "seeds.csv").string() + " --strength-u 1 " +
                             GridOptions() + " --out " + missingFolder.string(),
                         m_Folder),
                {"--out", "does not exist"}, missingFolder);
  ExpectRefused(Seedplan("dose --seeds " + (m_Folder / "seeds.csv").string() + " --strength-u 1 " +
                             GridOptions() + " --out " + (m_Folder / "out" / "dose.png").string(),
                         m_Folder),
                {"--out", "'.png'", ".mha or .nrrd"}, m_Folder / "out" / "dose.png");
}

TEST(BadDvhInput, MaskOutsideTheDoseGridAndNonPositivePrescription) {
  TempFolder folder;
  Write(folder / "seeds.csv", "x_mm,y_mm,z_mm,strength_U\n0,0,0,0.6\n");
  ASSERT_EQ(Seedplan("dose --seeds " + (folder / "seeds.csv").string() + " " + GridOptions() +
                         " --out " + (folder / "dose.mha").string(),
                     folder)
                .exitCode,
            0);
  Mask far(GridGeometry({30, 30, 30}, {1, 1, 1}, {4, 4, 4}), 1);
  imaging::WriteMask(far, folder / "far.mha");
  const std::string base = "dvh --dose " + (folder / "dose.mha").string() + " --mask ";
  ExpectRefused(Seedplan(base + (folder / "far.mha").string() + " --rx 100", folder),
                {"far.mha", "outside the dose grid"}, folder / "none");
  Mask near(GridGeometry({-2, -2, -2}, {1, 1, 1}, {4, 4, 4}), 1);
  imaging::WriteMask(near, folder / "near.mha");
  ExpectRefused(Seedplan(base + (folder / "near.mha").string() + " --rx 0", folder), {"--rx", "0"},
                folder / "none");
  ExpectRefused(Seedplan(base + (folder / "near.mha").string() + " --rx -5", folder),
                {"--rx", "-5"}, folder / "none");
  ExpectRefused(Seedplan(base + (folder / "missing.mha").string() + " --rx 100", folder),
                {"missing.mha"}, folder / "none");
}

} // namespace
} // namespace seedplan
