#include "seedplan/dosimetry/SourceModelXml.h"
#include "seedplan/core/Error.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace seedplan::dosimetry {
namespace {

std::string Original() {
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

/// Parses `xml` as "bad.xml" and returns the error message (empty if it was accepted).
std::string ErrorOf(const std::string& xml) {
  try {
    SourceModelXml::Parse(xml, "bad.xml");
  } catch (const DataFormat& error) {
    return error.what();
  }
  return "";
}

void ExpectRefused(const std::string& xml, const std::string& element) {
  const std::string message = ErrorOf(xml);
  ASSERT_FALSE(message.empty()) << "accepted a bad file; expected an error about " << element;
  EXPECT_NE(message.find("bad.xml"), std::string::npos) << message;
  EXPECT_NE(message.find(element), std::string::npos) << message;
}

TEST(SourceModelXml, ReadsTheShippedFile) {
  const SourceModel model = SourceModelXml::Parse(Original(), "6711.xml");
  EXPECT_EQ(model.Id(), "6711");
  EXPECT_DOUBLE_EQ(model.DoseRateConstant(), 0.965);
  EXPECT_DOUBLE_EQ(model.ActiveLengthCm(), 0.3);
  EXPECT_DOUBLE_EQ(model.StrengthPerActivityUPerMCi(), 1.270);
  EXPECT_DOUBLE_EQ(model.HalfLifeDays(), 59.4);
  EXPECT_FALSE(model.Data().references.empty());
  EXPECT_FALSE(model.Data().transcriptions.empty());
}

TEST(SourceModelXml, RefusesAFileOfAnotherKindOrVersion) {
  ExpectRefused("<plan schemaVersion=\"1\"/>", "<seedplanSourceModel>");
  ExpectRefused(Replace(Original(), "schemaVersion=\"1\"", "schemaVersion=\"2\""), "schemaVersion");
  ExpectRefused("not xml at all", "XML");
  ExpectRefused("", "XML");
}

TEST(SourceModelXml, RefusesMissingOrBadScalars) {
  ExpectRefused(Replace(Original(), "<doseRateConstant", "<doseRateConstantX"), "doseRateConstant");
  ExpectRefused(Replace(Original(), ">0.965<", ">-0.965<"), "doseRateConstant");
  ExpectRefused(Replace(Original(), ">0.965<", ">abc<"), "doseRateConstant");
  ExpectRefused(Replace(Original(), ">59.4<", ">0<"), "halfLifeDays");
  ExpectRefused(Replace(Original(), "<isotope>I-125", "<isotope>Pd-103"), "isotope");
}

TEST(SourceModelXml, RefusesBadTables) {
  // Non-monotonic radii in g_L.
  ExpectRefused(Replace(Original(), "r_cm=\"0.15\"", "r_cm=\"0.05\""), "radialDoseFunction");
  // A negative g_L value.
  ExpectRefused(Replace(Original(), ">1.078</value>", ">-1.078</value>"), "radialDoseFunction");
  // An F row with a value missing.
  ExpectRefused(Replace(Original(), "0.333 0.400 0.519", "0.333 0.519"), "anisotropyFunction");
  // Angles out of order.
  ExpectRefused(Replace(Original(), "0 5 10 20", "0 10 5 20"), "angles");
  // An F value that is not a number.
  ExpectRefused(Replace(Original(), "0.333 0.400", "0.333 x"), "anisotropyFunction");
  // No F at all.
  ExpectRefused(Replace(Original(), "<anisotropyFunction", "<anisotropyFunctionX"),
                "anisotropyFunction");
}

} // namespace
} // namespace seedplan::dosimetry
