// `seedplan demo` and `seedplan view` end to end on a small synthetic patient written to disk:
// the pictures the demo writes (and skips without a display), the screenshots `view` draws, the
// comparison of two plans, and every bad input refused with one line and no picture.

#include "../app/RunSeedplan.h"
#include "ForeignSeries.h"
#include "PixelChecks.h"
#include "SyntheticPatient.h"

#include "seedplan/imaging/VolumeIo.h"
#include "seedplan/planning/PlanXml.h"
#include "seedplan/viewer/RgbImage.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <memory>

namespace seedplan::test {
namespace {

/// Sets (or with nullptr unsets) an environment variable for the scope: the seedplan processes
/// started meanwhile inherit it.
class ScopedEnvironment {
public:
  ScopedEnvironment(const char* name, const char* value) : m_Name(name) {
    if (const char* old = std::getenv(name)) {
      m_Old = old;
    }
    if (value) {
      setenv(name, value, 1);
    } else {
      unsetenv(name);
    }
  }
  ~ScopedEnvironment() {
    if (m_Old) {
      setenv(m_Name.c_str(), m_Old->c_str(), 1);
    } else {
      unsetenv(m_Name.c_str());
    }
  }

private:
  std::string m_Name;
  std::optional<std::string> m_Old;
};

struct PngHeader {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  int bitDepth = 0;
  int colorType = 0;
  int interlace = -1;
};

/// The IHDR fields of a PNG file (PNG specification 11.2.2).
PngHeader ReadPngHeader(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::array<unsigned char, 33> bytes{};
  in.read(reinterpret_cast<char*>(bytes.data()), bytes.size());
  auto be32 = [&](int at) {
    return (std::uint32_t(bytes[at]) << 24) | (std::uint32_t(bytes[at + 1]) << 16) |
           (std::uint32_t(bytes[at + 2]) << 8) | std::uint32_t(bytes[at + 3]);
  };
  PngHeader header;
  if (!in || bytes[1] != 'P' || bytes[2] != 'N' || bytes[3] != 'G') {
    return header;
  }
  header.width = be32(16);
  header.height = be32(20);
  header.bitDepth = bytes[24];
  header.colorType = bytes[25];
  header.interlace = bytes[28];
  return header;
}

/// What `--screenshot` promises: an 8-bit RGB or RGBA PNG, not interlaced, exactly W x H.
void ExpectScreenshot(const std::filesystem::path& path, std::uint32_t width,
                      std::uint32_t height) {
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  const PngHeader header = ReadPngHeader(path);
  EXPECT_EQ(header.width, width);
  EXPECT_EQ(header.height, height);
  EXPECT_EQ(header.bitDepth, 8);
  EXPECT_TRUE(header.colorType == 2 || header.colorType == 6) << header.colorType;
  EXPECT_EQ(header.interlace, 0);
}

int Count(const viewer::RgbImage& image, const viewer::Rgb& color) {
  return CountColor(image, color, [](int, int) { return true; });
}

class ViewCommand : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    s_Folder = std::make_unique<TempFolder>();
    WriteSyntheticPatient(Patient());
    s_Demo =
        Seedplan("demo --patient " + Patient().string() + " --out " + Demo().string(), *s_Folder);
  }
  static void TearDownTestSuite() { s_Folder.reset(); }
  static std::filesystem::path Patient() { return s_Folder->Path() / "patient"; }
  static std::filesystem::path Demo() { return s_Folder->Path() / "demo"; }
  static std::string Plan() { return (Demo() / "plan.xml").string(); }
  Result View(const std::string& arguments) {
    return Seedplan("view --plan " + Plan() + " " + arguments, m_Work);
  }

  TempFolder m_Work;
  inline static std::unique_ptr<TempFolder> s_Folder;
  inline static Result s_Demo;
};

TEST_F(ViewCommand, DemoWritesAnAxialPictureThroughEachTargetAndTheDvh) {
  SEEDPLAN_REQUIRE_DISPLAY();
  ASSERT_EQ(s_Demo.exitCode, 0) << s_Demo.err;
  for (const char* file : {"plan.xml", "dose.mha", "seeds.csv"}) {
    EXPECT_TRUE(std::filesystem::exists(Demo() / file)) << file;
  }
  ExpectScreenshot(Demo() / "GTV_Test_axial.png", 800, 800);
  ExpectScreenshot(Demo() / "dvh.png", 800, 800);
  EXPECT_NE(s_Demo.out.find("pictures: "), std::string::npos) << s_Demo.out;
  const viewer::RgbImage axial = viewer::ReadPng(Demo() / "GTV_Test_axial.png");
  // The prescription isodose and the target's contour are on it.
  EXPECT_GT(Count(axial, {255, 0, 0}), 200);
  EXPECT_GT(Count(axial, kTargetColor), 200);
  const viewer::RgbImage dvh = viewer::ReadPng(Demo() / "dvh.png");
  EXPECT_GT(Count(dvh, kTargetColor), 200);
}

TEST_F(ViewCommand, DemoWithoutADisplaySkipsOnlyThePictures) {
  // (An X display that cannot be opened is the same "no display": `view` checks it below.)
  {
    TempFolder out;
    ScopedEnvironment noDisplay("DISPLAY", nullptr);
    const Result demo =
        Seedplan("demo --patient " + Patient().string() + " --out " + out.Path().string(), out);
    EXPECT_EQ(demo.exitCode, 0) << demo.err;
    EXPECT_NE(demo.out.find("pictures skipped: no X display\n"), std::string::npos) << demo.out;
    EXPECT_TRUE(std::filesystem::exists(out / "plan.xml"));
    EXPECT_TRUE(std::filesystem::exists(out / "dose.mha"));
    EXPECT_FALSE(std::filesystem::exists(out / "dvh.png"));
    EXPECT_FALSE(std::filesystem::exists(out / "GTV_Test_axial.png"));
  }
}

TEST_F(ViewCommand, ScreenshotsOfEveryViewAreDrawnExactlyAsAsked) {
  SEEDPLAN_REQUIRE_DISPLAY();
  ASSERT_EQ(s_Demo.exitCode, 0) << s_Demo.err;
  const auto axial = m_Work / "axial.png";
  const Result result = View("--through GTV_Test --size 640x480 --screenshot " + axial.string());
  ASSERT_EQ(result.exitCode, 0) << result.err;
  ExpectScreenshot(axial, 640, 480);
  EXPECT_GT(Count(viewer::ReadPng(axial), {255, 0, 0}), 100);
  for (const char* plane : {"3d", "dvh"}) {
    const auto file = m_Work / (std::string(plane) + ".png");
    const Result other = View(std::string("--plane ") + plane + " --screenshot " + file.string());
    ASSERT_EQ(other.exitCode, 0) << plane << ": " << other.err;
    ExpectScreenshot(file, 800, 800);
  }
  // A coronal slice at absolute levels.
  const auto levels = m_Work / "levels.png";
  ASSERT_EQ(
      View("--plane coronal --slice 5 --levels-gy 50,100 --screenshot " + levels.string()).exitCode,
      0);
  const viewer::RgbImage image = viewer::ReadPng(levels);
  EXPECT_GT(Count(image, {0, 0, 255}), 100);   // 50 Gy: the palette's first hue
  EXPECT_GT(Count(image, {0, 255, 255}), 100); // 100 Gy: its second
  EXPECT_EQ(Count(image, {255, 0, 255}), 0);
}

TEST_F(ViewCommand, ASecondPlanOnTheSameCtIsDrawnDashedBesideTheFirst) {
  SEEDPLAN_REQUIRE_DISPLAY();
  ASSERT_EQ(s_Demo.exitCode, 0) << s_Demo.err;
  planning::Plan post = planning::PlanXml::Read(Plan());
  post.kind = "post-implant";
  post.evaluatesPlan = Plan();
  for (Seed& seed : post.seeds) {
    seed.positionMm.x() += 3.0; // every seed 3 mm to the patient's left
    seed.direction.reset();     // detected seeds: orientation unknown
  }
  const auto postFile = m_Work / "post.xml";
  planning::PlanXml::Write(post, postFile);
  // The demo's picture through the target is the same slice (z = 0) without the second plan.
  const auto alone = Demo() / "GTV_Test_axial.png";
  const auto both = m_Work / "both.png";
  const Result compared =
      View("--slice 0 --compare " + postFile.string() + " --screenshot " + both.string());
  ASSERT_EQ(compared.exitCode, 0) << compared.err;
  // The second plan's 100 % isodose adds red dashes (and a legend row).
  EXPECT_GT(Count(viewer::ReadPng(both), {255, 0, 0}),
            Count(viewer::ReadPng(alone), {255, 0, 0}) + 100);
  const auto dvh = m_Work / "dvh.png";
  ASSERT_EQ(
      View("--plane dvh --compare " + postFile.string() + " --screenshot " + dvh.string()).exitCode,
      0);
  ExpectScreenshot(dvh, 800, 800);
}

TEST_F(ViewCommand, ADoseRateFileIsDrawnInCGyPerHourButNotInPercent) {
  SEEDPLAN_REQUIRE_DISPLAY();
  ASSERT_EQ(s_Demo.exitCode, 0) << s_Demo.err;
  Volume<float> rate = imaging::ReadVolumeFloat(Demo() / "dose.mha");
  for (float& value : rate.Data()) {
    value = float(value * 100.0 / 2056.7);
  }
  rate.MetaData()["seedplan_quantity"] = "initial dose rate";
  rate.MetaData()["seedplan_unit"] = "cGy/h";
  const auto rateFile = m_Work / "rate.mha";
  imaging::WriteVolume(rate, rateFile);
  const auto out = m_Work / "rate.png";
  const Result drawn =
      View("--slice 0 --dose " + rateFile.string() + " --screenshot " + out.string());
  ASSERT_EQ(drawn.exitCode, 0) << drawn.err;
  EXPECT_GT(Count(viewer::ReadPng(out), {255, 0, 0}), 100);
  const auto refused = m_Work / "refused.png";
  ExpectRefused(
      View("--dose " + rateFile.string() + " --levels-pct 100 --screenshot " + refused.string()),
      {"--levels-pct", "dose-rate", "cGy/h"}, refused);
}

TEST_F(ViewCommand, BadInputIsRefusedWithOneLineAndNoPicture) {
  SEEDPLAN_REQUIRE_DISPLAY();
  ASSERT_EQ(s_Demo.exitCode, 0) << s_Demo.err;
  const auto out = m_Work / "out.png";
  const std::string shot = " --screenshot " + out.string();
  ExpectRefused(View("--slice 100" + shot), {"--slice 100", "from z = -25 to 25 mm"}, out);
  ExpectRefused(View("--through Liver" + shot), {"--through Liver", "BODY, GTV_Test, Cord"}, out);
  ExpectRefused(View("--size 800" + shot), {"--size", "WIDTHxHEIGHT"}, out);
  ExpectRefused(View("--size 0x800" + shot), {"--size"}, out);
  ExpectRefused(View("--size 80x80" + shot), {"--size", "200 to 8000"}, out);
  ExpectRefused(View("--levels-pct 50,,80" + shot), {"--levels-pct", "not a number"}, out);
  ExpectRefused(View("--levels-pct 50,-5" + shot), {"--levels-pct", "levels > 0"}, out);
  ExpectRefused(View("--levels-gy abc" + shot), {"--levels-gy", "not a number"}, out);
  ExpectRefused(View("--levels-pct 50 --levels-gy 60" + shot), {"--levels-gy"}, out);
  ExpectRefused(View("--slice 0 --through GTV_Test" + shot), {"--slice", "--through"}, out);
  ExpectRefused(View("--plane oblique" + shot), {"--plane", "oblique"}, out);
  ExpectRefused(View("--rx-of Cord" + shot), {"--rx-of Cord", "GTV_Test"}, out);
  ExpectRefused(View("--screenshot " + (m_Work / "out.jpg").string()), {"extension '.jpg'"},
                m_Work / "out.jpg");

  // A dose grid that covers only part of the slice: the part outside is named.
  Volume<float> dose = imaging::ReadVolumeFloat(Demo() / "dose.mha");
  const GridGeometry box({-39.5, -79.5, -25.0}, {1.0, 1.0, 2.5}, {80, 160, 21});
  Volume<float> part(box, 1.0f);
  part.MetaData() = dose.MetaData();
  imaging::WriteVolume(part, m_Work / "part.mha");
  ExpectRefused(View("--slice 0 --dose " + (m_Work / "part.mha").string() + shot),
                {"part.mha", "does not cover", "x from -79.5 to -40 mm"}, out);

  // The CT missing, or another series than the plan's.
  planning::Plan moved = planning::PlanXml::Read(Plan());
  moved.ctPath = (m_Work / "nowhere").string();
  planning::PlanXml::Write(moved, m_Work / "moved.xml");
  ExpectRefused(Seedplan("view --plan " + (m_Work / "moved.xml").string() + shot, m_Work),
                {"nowhere", "missing"}, out);
  WriteSyntheticPatient(m_Work / "other");
  ExpectRefused(View("--ct " + (m_Work / "other" / "ct").string() + shot),
                {"series UID", "is not the plan's"}, out);

  // No display: the window is refused, and so is a screenshot (VTK would abort without X).
  {
    ScopedEnvironment noDisplay("DISPLAY", nullptr);
    ExpectRefused(View(""), {"no X display", "DISPLAY is not set", "--screenshot"}, out);
    ExpectRefused(View(shot), {"no X display", "xvfb-run"}, out);
  }
  {
    ScopedEnvironment badDisplay("DISPLAY", ":31999");
    ExpectRefused(View(""), {"no X display", "cannot be opened"}, out);
  }
}

TEST(ViewOnAForeignCt, AnObliqueFeetFirstSeriesFromPydicomIsPlannedAndDrawn) {
  // Another program's CT, feet first, turned 20 degrees in plane, with unequal pixel spacing:
  // the picture's corners lie outside the scan (and outside the dose grid on its voxels), which
  // must not refuse the view; the target (on the patient's right) is drawn on the side labelled R.
  SEEDPLAN_REQUIRE_DISPLAY();
  TempFolder folder;
  WriteForeignSeries(folder / "ct", {"FFS", 20.0, 0.7, 0.9, 3.0}, folder / "labels.nrrd");
  if (HasFatalFailure()) {
    return;
  }
  const auto plan = folder / "plan.xml";
  const Result planned =
      Seedplan("plan --ct " + (folder / "ct").string() + " --structures " +
                   (folder / "labels.nrrd").string() +
                   " --target GTV_Test:120 --oar Cord:Dmax:60 --activity-mci 0.6 --needles "
                   "template --template-normal -1,-1,0 --needle-spacing 7.5 --out " +
                   plan.string(),
               folder);
  ASSERT_EQ(planned.exitCode, 0) << planned.err;
  for (const char* plane : {"axial", "coronal"}) {
    SCOPED_TRACE(plane);
    const auto picture = folder / (std::string(plane) + ".png");
    const Result viewed = Seedplan("view --plan " + plan.string() + " --through GTV_Test --plane " +
                                       plane + " --screenshot " + picture.string(),
                                   folder);
    ASSERT_EQ(viewed.exitCode, 0) << viewed.err;
    ExpectScreenshot(picture, 800, 800);
    const viewer::RgbImage image = viewer::ReadPng(picture);
    KeepForInspection(image, std::string("pydicom_ffs_view_") + plane);
    // The 100 % isodose: red, around the target at x = -20 mm (the patient's right: the picture's
    // left half, whose label is R for a supine patient), none on the other side.
    const auto inBody = [](int y) { return y > 250 && y < 750; };
    const int leftHalf = CountColor(image, {255, 0, 0},
                                    [&](int x, int y) { return inBody(y) && x < image.width / 2; });
    const int rightHalf = CountColor(image, {255, 0, 0}, [&](int x, int y) {
      return inBody(y) && x >= image.width / 2 && x < image.width - 150;
    });
    EXPECT_GT(leftHalf, 200);
    EXPECT_LT(rightHalf, leftHalf / 20);
  }
}

} // namespace
} // namespace seedplan::test
