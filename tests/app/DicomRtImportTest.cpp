// End-to-end tests of `seedplan import-rtplan` on brachy RT Plans written by an independent
// generator (tests/dicomrt/make_foreign_rtplans.py, pydicom) in the styles of other planning
// systems, and on the plans it must refuse.

#include "DicomRtTestSupport.h"
#include "seedplan/core/CsvTable.h"
#include "seedplan/core/SeedsCsv.h"

#include <gtest/gtest.h>

#include <memory>

namespace seedplan {
namespace {

namespace fs = std::filesystem;
using test::ExpectRefused;
using test::Quote;
using test::Result;
using test::RunTool;
using test::Seedplan;
using test::TempFolder;

/// The generator writes positions with 10 significant digits and the seeds CSV keeps 8: 1e-5 mm
/// at 1 m from the origin.
constexpr double kPositionToleranceMm = 1e-4;
/// Orientation: FL in the file, 8 digits in the CSV.
constexpr double kDirectionTolerance = 1e-6;
/// Strengths: 6 digits in the file, 8 in the CSV; decayed ones are computed the same way.
constexpr double kStrengthRelativeTolerance = 1e-6;

struct ForeignCase {
  std::string file;
  std::string arguments;
  std::string expect;
  std::vector<std::string> fragments;
  std::string seeds;
};

std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (!text.empty() && start <= text.size()) {
    const std::size_t end = std::min(text.find(separator, start), text.size());
    parts.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return parts;
}

class ForeignRtPlans : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    s_Folder = std::make_unique<TempFolder>();
    const Result made =
        RunTool(test::Python() + " " + Quote(test::Script("make_foreign_rtplans.py")) + " " +
                Quote(s_Folder->Path()));
    ASSERT_EQ(made.exitCode, 0) << made.out;
    std::cout << made.out;
    const CsvTable table = CsvTable::Read(s_Folder->Path() / "cases.csv");
    for (std::size_t row = 0; row < table.RowCount(); ++row) {
      const auto& cells = table.Row(row);
      s_Cases.push_back({cells[table.RequireColumn("file")], cells[table.RequireColumn("args")],
                         cells[table.RequireColumn("expect")],
                         Split(cells[table.RequireColumn("fragments")], '|'),
                         cells[table.RequireColumn("seeds")]});
    }
  }
  static void TearDownTestSuite() {
    s_Folder.reset();
    s_Cases.clear();
  }
  static fs::path File(const std::string& name) { return s_Folder->Path() / name; }

  inline static std::unique_ptr<TempFolder> s_Folder;
  inline static std::vector<ForeignCase> s_Cases;
  TempFolder m_Work;
};

TEST_F(ForeignRtPlans, SeedsOfEverySystemsStyleImportWithPositionsOrientationsStrengthsAndModels) {
  std::size_t imported = 0;
  for (const ForeignCase& c : s_Cases) {
    if (c.expect != "ok") {
      continue;
    }
    SCOPED_TRACE(c.file);
    const fs::path out = m_Work / (c.file + ".csv");
    const Result result = Seedplan("import-rtplan --rtplan " + Quote(File(c.file)) + " --out " +
                                       Quote(out) + " " + c.arguments,
                                   m_Work);
    ASSERT_EQ(result.exitCode, 0) << result.err;
    std::cout << c.file << ": " << result.err;
    for (const auto& fragment : c.fragments) {
      EXPECT_NE(result.err.find(fragment), std::string::npos)
          << result.err << "\nexpected: " << fragment;
    }
    const auto got = SeedsCsv::Read(out);
    const auto expected = SeedsCsv::Read(File(c.seeds));
    ASSERT_EQ(got.size(), expected.size());
    for (std::size_t n = 0; n < got.size(); ++n) {
      const Seed& g = got[n].seed;
      const Seed& e = expected[n].seed;
      EXPECT_LE((g.positionMm - e.positionMm).cwiseAbs().maxCoeff(), kPositionToleranceMm) << n;
      ASSERT_EQ(g.direction.has_value(), e.direction.has_value()) << n;
      if (e.direction) {
        EXPECT_LE((*g.direction - *e.direction).cwiseAbs().maxCoeff(), kDirectionTolerance) << n;
      }
      ASSERT_TRUE(got[n].strengthU && expected[n].strengthU);
      EXPECT_NEAR(*got[n].strengthU, *expected[n].strengthU,
                  kStrengthRelativeTolerance * *expected[n].strengthU)
          << n;
      EXPECT_EQ(g.model, e.model) << n;
    }
    ++imported;
  }
  EXPECT_GE(imported, 6u);
}

TEST_F(ForeignRtPlans, HdrExternalBeamIncompleteAndSeedlessPlansAreRefusedWithOneLine) {
  std::size_t refused = 0;
  for (const ForeignCase& c : s_Cases) {
    if (c.expect != "refused") {
      continue;
    }
    SCOPED_TRACE(c.file);
    const fs::path out = m_Work / (c.file + ".csv");
    const Result result = Seedplan("import-rtplan --rtplan " + Quote(File(c.file)) + " --out " +
                                       Quote(out) + " " + c.arguments,
                                   m_Work);
    std::vector<std::string> fragments = c.fragments;
    fragments.push_back(c.file);
    std::cout << result.err;
    ExpectRefused(result, fragments, out);
    ++refused;
  }
  EXPECT_GE(refused, 10u);
}

TEST_F(ForeignRtPlans, AnUnknownModelOptionIsRefusedBeforeTheFileIsRead) {
  const fs::path out = m_Work / "seeds.csv";
  const Result result = Seedplan("import-rtplan --rtplan " + Quote(File("variseed_like.dcm")) +
                                     " --out " + Quote(out) + " --model 9999",
                                 m_Work);
  ExpectRefused(result, {"9999"}, out);
}

} // namespace
} // namespace seedplan
