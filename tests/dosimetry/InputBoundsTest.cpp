// Physical bounds of the dosimetry inputs (issue 13): TG-43 source files and dose-rate points.

#include "../core/ErrorMessage.h"
#include "seedplan/core/Error.h"
#include "seedplan/dosimetry/DoseRatePointsCsv.h"
#include "seedplan/dosimetry/SourceModelXml.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>

namespace seedplan::dosimetry {
namespace {

using test::MessageOf;

std::string Shipped6711() {
  std::ifstream in(std::filesystem::path(SEEDPLAN_SOURCES_DIR) / "6711.xml");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  const auto at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) {
    text.replace(at, from.size(), to);
  }
  return text;
}

TEST(SourceModelXml, RefusesDataOutsideThePhysicalBoundsOfAn125ISeed) {
  const std::string xml = Shipped6711();
  const auto refused = [&](const std::string& from, const std::string& to,
                           const std::string& expected) {
    const std::string message =
        MessageOf<DataFormat>([&] { SourceModelXml::Parse(Replace(xml, from, to), "bad.xml"); });
    EXPECT_NE(message.find("bad.xml: " + expected), std::string::npos) << message;
  };
  refused("<halfLifeDays>59.4<", "<halfLifeDays>1e308<", "element <halfLifeDays> is 1e+308 days");
  refused(">0.965</doseRateConstant>", ">1e300</doseRateConstant>",
          "element <doseRateConstant> is 1e+300");
  refused(">1.270</strengthPerActivity>", ">127</strengthPerActivity>",
          "element <strengthPerActivity> is 127");
  refused("<value r_cm=\"10\"", "<value r_cm=\"1e9\"", "element <radialDoseFunction");
}

TEST(SourceModelXml, ReadsAtMostFourMebibytes) {
  const std::filesystem::path file =
      std::filesystem::temp_directory_path() / "seedplan-bounds-big-source.xml";
  {
    std::ofstream out(file);
    out << Shipped6711() << "<!--" << std::string(5 << 20, ' ') << "-->";
  }
  const std::string message = MessageOf<InvalidInput>([&] { SourceModelXml::Read(file); });
  EXPECT_NE(message.find("source model file is larger than 4 MiB"), std::string::npos) << message;
  std::filesystem::remove(file);
}

TEST(DoseRatePointsCsv, ReadsPointsAndKeepsTheirText) {
  const auto points = DoseRatePointsCsv::Parse("label,z_cm,y_cm\na,2,0.50\nb,-1,3\n", "p.csv");
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0].yCm, 0.5);
  EXPECT_EQ(points[0].yText, "0.50");
  EXPECT_EQ(points[1].zCm, -1.0);
}

TEST(DoseRatePointsCsv, RefusesPointsBeyondAMetreAndEmptyTables) {
  EXPECT_NE(MessageOf<InvalidInput>([] {
              DoseRatePointsCsv::Parse("y_cm,z_cm\n1,1\n0,-1e300\n", "p.csv");
            }).find("p.csv: line 3, column z_cm is -1e+300 cm"),
            std::string::npos);
  EXPECT_THROW(DoseRatePointsCsv::Parse("y_cm,z_cm\n", "p.csv"), DataFormat);
  EXPECT_THROW(DoseRatePointsCsv::Parse("y_cm\n1\n", "p.csv"), DataFormat);
}

} // namespace
} // namespace seedplan::dosimetry
