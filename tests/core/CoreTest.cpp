#include "TempFolder.h"
#include "seedplan/core/AtomicFileWriter.h"
#include "seedplan/core/CsvTable.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/GridGeometry.h"
#include "seedplan/core/JsonWriter.h"
#include "seedplan/core/Log.h"
#include "seedplan/core/SeedsCsv.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/core/Units.h"

#include <gtest/gtest.h>

#include <Eigen/Geometry>
#include <fstream>

namespace seedplan {
namespace {

using test::TempFolder;

void WriteText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

std::string MessageOf(const std::function<void()>& action) {
  try {
    action();
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

TEST(GridGeometry, IndexAndPointAreInverseForARotatedGrid) {
  const Eigen::Matrix3d rotation =
      Eigen::AngleAxisd(0.7, Eigen::Vector3d(1, -1, 2).normalized()).toRotationMatrix();
  const GridGeometry geometry({-10, 20, 5}, {0.8, 0.8, 2.5}, {10, 12, 14}, rotation);
  const Eigen::Vector3d point = geometry.IndexToPoint(3.5, 7.0, 2.25);
  EXPECT_TRUE(geometry.PointToContinuousIndex(point).isApprox(Eigen::Vector3d(3.5, 7.0, 2.25)));
  EXPECT_TRUE(geometry.ContainsPoint(point));
  EXPECT_FALSE(geometry.ContainsPoint(geometry.IndexToPoint(-0.5, 0, 0)));
  EXPECT_EQ(geometry.NumberOfVoxels(), 10 * 12 * 14);
  EXPECT_DOUBLE_EQ(geometry.VoxelVolumeMm3(), 0.8 * 0.8 * 2.5);
}

TEST(GridGeometry, ValidateRefusesZeroSizeBadSpacingAndNonOrthonormalDirection) {
  EXPECT_NE(MessageOf([] {
              GridGeometry({0, 0, 0}, {1, 1, 1}, {0, 5, 5}).Validate("grid");
            }).find("size along x is 0"),
            std::string::npos);
  EXPECT_THROW(GridGeometry({0, 0, 0}, {1, 0, 1}, {5, 5, 5}).Validate("grid"), InvalidInput);
  EXPECT_THROW(GridGeometry({0, 0, 0}, {1, 1, -2}, {5, 5, 5}).Validate("grid"), InvalidInput);
  Eigen::Matrix3d skew = Eigen::Matrix3d::Identity();
  skew(0, 1) = 0.5;
  EXPECT_THROW(GridGeometry({0, 0, 0}, {1, 1, 1}, {5, 5, 5}, skew).Validate("grid"), InvalidInput);
  EXPECT_NO_THROW(GridGeometry({0, 0, 0}, {1, 1, 1}, {1, 1, 1}).Validate("grid"));
}

TEST(Units, MeanLifeAndConversions) {
  EXPECT_NEAR(units::MeanLifeHours(59.4), 2056.70, 0.01);
  EXPECT_DOUBLE_EQ(units::CmFromMm(15.0), 1.5);
  EXPECT_DOUBLE_EQ(units::GyFromCGy(150.0), 1.5);
}

TEST(TextParsing, AcceptsOnlyWholeFiniteNumbers) {
  EXPECT_DOUBLE_EQ(ParseFiniteNumber("-1.5e2", "x"), -150.0);
  EXPECT_THROW(ParseFiniteNumber("1.5mm", "x"), DataFormat);
  EXPECT_THROW(ParseFiniteNumber("", "x"), DataFormat);
  EXPECT_THROW(ParseFiniteNumber("nan", "x"), DataFormat);
  EXPECT_THROW(ParseFiniteNumber("inf", "x"), DataFormat);
  EXPECT_EQ(ParseNumberList("1,2.5,-3", 3, "--grid-origin"), (std::vector<double>{1, 2.5, -3}));
  EXPECT_THROW(ParseNumberList("1,2", 3, "--grid-origin"), InvalidInput);
  EXPECT_THROW(ParseNumberList("1,,3", 3, "--grid-origin"), InvalidInput);
  EXPECT_EQ(FormatNumber(0.96512345, 6), "0.965123");
}

TEST(CsvTable, ParsesQuotesCrLfBomAndBlankLines) {
  const CsvTable table = CsvTable::Parse(
      "\xEF\xBB\xBFname,value\r\n\"a, b\",1\r\n\r\n\"say \"\"hi\"\"\",2\n", "t.csv");
  ASSERT_EQ(table.RowCount(), 2u);
  EXPECT_EQ(table.Row(0)[0], "a, b");
  EXPECT_EQ(table.Row(1)[0], "say \"hi\"");
  EXPECT_DOUBLE_EQ(table.Number(1, 1), 2.0);
  EXPECT_EQ(table.LineOf(1), 4u);
}

TEST(CsvTable, RefusesRaggedRowsEmptyFilesAndBadNumbersNamingFileAndLine) {
  EXPECT_NE(MessageOf([] { CsvTable::Parse("a,b\n1,2\n3\n", "t.csv"); }).find("t.csv: line 3"),
            std::string::npos);
  EXPECT_NE(MessageOf([] { CsvTable::Parse("", "t.csv"); }).find("empty"), std::string::npos);
  EXPECT_NE(MessageOf([] { CsvTable::Parse("a,b\n\"open,2\n", "t.csv"); }).find("unterminated"),
            std::string::npos);
  const CsvTable table = CsvTable::Parse("x_mm\nabc\n", "t.csv");
  EXPECT_NE(MessageOf([&] { table.Number(0, 0); }).find("t.csv: line 2, column 'x_mm'"),
            std::string::npos);
  EXPECT_THROW(CsvTable::Read("/nonexistent/seeds.csv"), Io);
}

TEST(SeedsCsv, ReadsOptionalColumnsInAnyOrderAndWarnsAboutUnknownOnes) {
  TempFolder folder;
  WriteText(folder / "seeds.csv", "needle,z_mm,y_mm,x_mm,dir_z,dir_y,dir_x,activity_mCi,colour\n"
                                  "N1,3,2,1,2,0,0,0.5,red\n"
                                  "N2,6,5,4,,,,,blue\n");
  std::vector<std::string> warnings;
  auto previous = log::SetSink([&](log::Level, const std::string& m) { warnings.push_back(m); });
  const auto rows = SeedsCsv::Read(folder / "seeds.csv");
  log::SetSink(previous);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[0].seed.positionMm.isApprox(Eigen::Vector3d(1, 2, 3)));
  ASSERT_TRUE(rows[0].seed.direction.has_value());
  EXPECT_TRUE(rows[0].seed.direction->isApprox(Eigen::Vector3d(0, 0, 1)));
  EXPECT_DOUBLE_EQ(*rows[0].activityMCi, 0.5);
  EXPECT_EQ(rows[0].seed.needle, "N1");
  EXPECT_FALSE(rows[1].seed.direction.has_value());
  EXPECT_FALSE(rows[1].activityMCi.has_value());
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_NE(warnings[0].find("colour"), std::string::npos);
}

TEST(SeedsCsv, RefusesEachKindOfBadRowNamingFileLineAndColumn) {
  TempFolder folder;
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"x_mm,y_mm,z_mm\n", "no seeds"},
      {"x_mm,y_mm\n1,2\n", "column 'z_mm' is missing"},
      {"x_mm,y_mm,z_mm\n1,2,nan\n", "line 2, column 'z_mm'"},
      {"x_mm,y_mm,z_mm\n1,2,abc\n", "line 2, column 'z_mm'"},
      {"x_mm,y_mm,z_mm,dir_x,dir_y,dir_z\n1,2,3,0,0,0\n", "(0, 0, 0)"},
      {"x_mm,y_mm,z_mm,dir_x,dir_y,dir_z\n1,2,3,1,,\n", "only 1 of 3"},
      {"x_mm,y_mm,z_mm,dir_x,dir_y\n1,2,3,1,0\n", "some of dir_x"},
      {"x_mm,y_mm,z_mm,strength_U\n1,2,3,-0.5\n", "column strength_U"},
      {"x_mm,y_mm,z_mm,strength_U\n1,2,3,0\n", "column strength_U"},
      {"x_mm,y_mm,z_mm,activity_mCi\n1,2,3,-1\n", "column activity_mCi"},
      {"x_mm,y_mm,z_mm,strength_U,activity_mCi\n1,2,3,0.5,0.4\n", "both"},
      {"x_mm,y_mm,z_mm,confidence\n1,2,3,1.5\n", "column confidence"},
      {"x_mm,y_mm,z_mm\n1,2,3,4\n", "line 2 has 4 fields"},
      {"", "empty"},
  };
  for (const auto& [text, expected] : cases) {
    WriteText(folder / "bad.csv", text);
    const std::string message = MessageOf([&] { SeedsCsv::Read(folder / "bad.csv"); });
    EXPECT_NE(message.find("bad.csv"), std::string::npos) << text;
    EXPECT_NE(message.find(expected), std::string::npos) << text << " -> " << message;
  }
}

TEST(SeedsCsv, WriteThenReadGivesTheSameSeeds) {
  TempFolder folder;
  Seed a;
  a.positionMm = {1.25, -2.5, 3.125};
  a.direction = Eigen::Vector3d(0, 0.6, 0.8);
  a.strengthU = 0.635;
  a.needle = "N3";
  Seed b;
  b.positionMm = {-4, 5, 6};
  b.strengthU = 0.7;
  SeedsCsv::Write(folder / "out.csv", {a, b}, true);
  const auto rows = SeedsCsv::Read(folder / "out.csv");
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_TRUE(rows[0].seed.positionMm.isApprox(a.positionMm));
  EXPECT_TRUE(rows[0].seed.direction->isApprox(*a.direction));
  EXPECT_DOUBLE_EQ(*rows[0].strengthU, 0.635);
  EXPECT_EQ(rows[0].seed.needle, "N3");
  EXPECT_FALSE(rows[1].seed.direction.has_value());
}

TEST(AtomicFileWriter, LeavesNothingBehindWithoutCommitAndReplacesOnCommit) {
  TempFolder folder;
  {
    AtomicFileWriter writer(folder / "a.txt");
    writer.WriteAll("half");
  }
  EXPECT_TRUE(std::filesystem::is_empty(folder.Path()));
  WriteText(folder / "a.txt", "old");
  {
    AtomicFileWriter writer(folder / "a.txt");
    writer.WriteAll("new");
    writer.Commit();
  }
  std::ifstream in(folder / "a.txt");
  std::string content;
  in >> content;
  EXPECT_EQ(content, "new");
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(folder.Path()), {}), 1);
}

TEST(AtomicFileWriter, RefusesAMissingFolderOrAFolderAsTarget) {
  TempFolder folder;
  EXPECT_NE(
      MessageOf([&] { AtomicFileWriter(folder / "missing" / "a.txt"); }).find("does not exist"),
      std::string::npos);
  EXPECT_THROW(AtomicFileWriter(folder.Path()), Io);
}

} // namespace
} // namespace seedplan

namespace seedplan {
namespace {

TEST(JsonWriter, NestsObjectsAndArraysEscapesStringsAndWritesNullForUndefined) {
  JsonWriter json;
  json.BeginObject()
      .Key("name")
      .String("GTV \"lung\"\n")
      .Key("volume_cc")
      .Number(14.1372)
      .Key("D2cc_Gy")
      .Number(std::nullopt)
      .Key("size")
      .NumberArray({1, 2, 3})
      .Key("items")
      .BeginArray()
      .BeginObject()
      .Key("ok")
      .Bool(true)
      .EndObject()
      .Integer(7)
      .EndArray()
      .EndObject();
  EXPECT_EQ(json.Text(), "{\"name\": \"GTV \\\"lung\\\"\\n\", \"volume_cc\": 14.1372, \"D2cc_Gy\": "
                         "null, \"size\": [1, 2, 3], \"items\": [{\"ok\": true}, 7]}");
}

} // namespace
} // namespace seedplan
