// Bounded reads and physical bounds of what seedplan reads (issue 13).

#include "ErrorMessage.h"
#include "TempFolder.h"

#include "seedplan/core/CsvTable.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/FileByteSource.h"
#include "seedplan/core/InputFile.h"
#include "seedplan/core/InputLimits.h"
#include "seedplan/core/MemoryByteSource.h"
#include "seedplan/core/SeedsCsv.h"
#include "seedplan/core/TextParsing.h"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <functional>

namespace seedplan {
namespace {

using test::Contains;
using test::MessageOf;

using test::TempFolder;

TEST(Excerpt, KeepsShortTextAndCutsLongTextNamingItsLength) {
  EXPECT_EQ(Excerpt("1.5e3"), "1.5e3");
  const std::string shown = Excerpt(std::string(70000, '9'));
  EXPECT_EQ(shown, std::string(80, '9') + "... (70000 characters)");
}

TEST(Excerpt, ShowsControlCharactersSoThatAMessageStaysOneLine) {
  EXPECT_EQ(Excerpt(std::string("a\nb\0c", 5)), "a\\x0Ab\\x00c");
  EXPECT_EQ(Excerpt("Rückenmark"), "Rückenmark");
}

TEST(TextParsing, ANulInsideANumberIsNotTheEndOfIt) {
  EXPECT_THROW(ParseFiniteNumber(std::string("12\0x", 4), "field"), DataFormat);
  EXPECT_EQ(ParseFiniteNumber("12", "field"), 12.0);
}

TEST(InputLimits, RequireInRangeNamesContextValueBoundsAndUnit) {
  EXPECT_NO_THROW(
      limits::RequireInRange(100.0, 0.0, 100.0, true, "--strength-u", "a strength", "U"));
  const std::string message = MessageOf<InvalidInput>(
      [] { limits::RequireInRange(1e308, 0.0, 100.0, true, "--strength-u", "a strength", "U"); });
  EXPECT_EQ(message, "--strength-u is 1e+308 U; expected a strength greater than 0 U and at most "
                     "100 U");
  EXPECT_THROW(limits::RequireInRange(0.0, 0.0, 100.0, true, "x", "q", "U"), InvalidInput);
  EXPECT_NO_THROW(limits::RequireInRange(0.0, 0.0, 100.0, false, "x", "q", "U"));
  EXPECT_THROW(limits::RequireInRange(std::nan(""), 0.0, 100.0, false, "x", "q", "U"),
               InvalidInput);
  EXPECT_THROW(limits::RequireInRange(-1e-300, 0.0, 100.0, false, "x", "q", "U"), InvalidInput);
}

TEST(InputFile, ReadsAFileWithinItsLimitAndRefusesALargerOne) {
  TempFolder folder;
  std::ofstream(folder / "small.csv") << "x_mm,y_mm,z_mm\n1,2,3\n";
  // The file is 21 bytes: a limit of 21 reads it whole, a limit of 20 refuses it.
  EXPECT_EQ(InputFile::ReadAll(folder / "small.csv", 21, "seeds CSV").size(), 21u);
  const std::string message =
      MessageOf<InvalidInput>([&] { InputFile::ReadAll(folder / "small.csv", 20, "seeds CSV"); });
  EXPECT_TRUE(Contains(message, (folder / "small.csv").string())) << message;
  EXPECT_TRUE(Contains(message, "seeds CSV is larger than 20 bytes")) << message;
}

TEST(InputFile, DevZeroIsRefusedAfterReadingTheLimitOnly) {
  const auto start = std::chrono::steady_clock::now();
  const std::string message = MessageOf<InvalidInput>(
      [] { InputFile::ReadAll("/dev/zero", limits::kMaxPointsCsvBytes, "points CSV"); });
  EXPECT_TRUE(Contains(message, "/dev/zero: the points CSV is larger than 16 MiB")) << message;
  // 16 MiB from /dev/zero take milliseconds; the old unbounded read never ended.
  EXPECT_LT(std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count(), 10.0);
}

TEST(InputFile, MissingFilesAndFoldersAreIoErrorsNamingThem) {
  TempFolder folder;
  EXPECT_TRUE(Contains(MessageOf<Io>([&] { InputFile::ReadAll(folder / "none", 10, "plan file"); }),
                       "none: cannot open the plan file: no such file"));
  EXPECT_TRUE(Contains(MessageOf<Io>([&] { InputFile::ReadAll(folder.Path(), 10, "plan file"); }),
                       "it is a folder"));
}

TEST(CsvTable, ReadRefusesAFileBeyondItsLimit) {
  TempFolder folder;
  std::ofstream(folder / "big.csv") << "a\n" << std::string(100, '1') << "\n";
  EXPECT_THROW(CsvTable::Read(folder / "big.csv", 50, "CSV file"), InvalidInput);
  EXPECT_EQ(CsvTable::Read(folder / "big.csv", 200, "CSV file").RowCount(), 1u);
}

TEST(SeedsCsv, PositionsBeyondTenMetresAreRefusedNamingLineAndColumn) {
  const std::string message = MessageOf<InvalidInput>(
      [] { SeedsCsv::Parse("x_mm,y_mm,z_mm\n0,0,0\n0,1.8e19,0\n", "far.csv"); });
  EXPECT_EQ(message, "far.csv: line 3, column y_mm is 1.8e+19 mm; expected a position in patient "
                     "coordinates from -10000 to 10000 mm");
  EXPECT_NO_THROW(SeedsCsv::Parse("x_mm,y_mm,z_mm\n-10000,10000,0\n", "edge.csv"));
}

TEST(SeedsCsv, StrengthsAndActivitiesBeyondTheirBoundsAreRefused) {
  EXPECT_TRUE(Contains(MessageOf<InvalidInput>([] {
                         SeedsCsv::Parse("x_mm,y_mm,z_mm,strength_U\n0,0,0,1e308\n", "s.csv");
                       }),
                       "s.csv: line 2, column strength_U is 1e+308 U"));
  EXPECT_THROW(SeedsCsv::Parse("x_mm,y_mm,z_mm,strength_U\n0,0,0,100.5\n", "s.csv"), InvalidInput);
  EXPECT_NO_THROW(SeedsCsv::Parse("x_mm,y_mm,z_mm,strength_U\n0,0,0,100\n", "s.csv"));
  EXPECT_THROW(SeedsCsv::Parse("x_mm,y_mm,z_mm,activity_mCi\n0,0,0,81\n", "s.csv"), InvalidInput);
}

TEST(SeedsCsv, AHugeDirectionIsNormalisedWithoutOverflow) {
  const auto rows =
      SeedsCsv::Parse("x_mm,y_mm,z_mm,dir_x,dir_y,dir_z\n0,0,0,1e200,1e200,0\n", "d.csv");
  ASSERT_TRUE(rows.front().seed.direction.has_value());
  EXPECT_NEAR(rows.front().seed.direction->x(), std::sqrt(0.5), 1e-15);
  EXPECT_THROW(SeedsCsv::Parse("x_mm,y_mm,z_mm,dir_x,dir_y,dir_z\n0,0,0,1e-300,0,0\n", "d.csv"),
               InvalidInput);
}

TEST(FileByteSource, ReadsAnyRangeThroughItsWindowAndRefusesDevices) {
  TempFolder folder;
  std::string bytes;
  for (int n = 0; n < 200000; ++n) {
    bytes += static_cast<char>(n * 7);
  }
  std::ofstream(folder / "data.bin", std::ios::binary) << bytes;
  const FileByteSource file(folder / "data.bin", "test file");
  const MemoryByteSource memory(bytes, "memory");
  ASSERT_EQ(file.Size(), bytes.size());
  for (const auto& [offset, count] : std::vector<std::pair<std::uint64_t, std::size_t>>{
           {0, 10}, {65530, 20}, {199990, 100}, {100, 150000}, {200000, 5}, {3, 0}}) {
    EXPECT_EQ(file.ReadString(offset, count), memory.ReadString(offset, count))
        << offset << " " << count;
  }
  EXPECT_THROW(FileByteSource("/dev/zero", "image file"), Io);
  EXPECT_THROW(FileByteSource(folder.Path(), "image file"), Io);
}

} // namespace
} // namespace seedplan
