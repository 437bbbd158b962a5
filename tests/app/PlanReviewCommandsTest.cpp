// End-to-end tests of plan review at the console (issue 14) on the sample patient: `seedplan edit`
// (scripted hand edits equal the evaluation of a plan written independently with the same seeds;
// bad input is refused) and `seedplan report` (every number of its tables is `evaluate --json`'s;
// headless Chromium renders it to PDF and PNG).

#include "DicomRtTestSupport.h"
#include "PngPixels.h"
#include "SamplePatientFixture.h"
#include "seedplan/core/CsvTable.h"
#include "seedplan/planning/PlanXml.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <regex>
#include <string_view>

namespace seedplan {
namespace {

using test::ExpectRefused;
using test::Result;
using test::Seedplan;

// The issue: the edited plan's metrics equal a full recomputation to 0.01 %.
constexpr double kRelativeTolerance = 1e-4;

/// The numbers of a JSON text in order ("null" as NaN) and its text with every number replaced by
/// '#', so that two outputs can be compared key for key and number for number.
std::pair<std::vector<double>, std::string> Numbers(const std::string& json) {
  static const std::regex number(R"(-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?|null)");
  std::vector<double> values;
  for (auto it = std::sregex_iterator(json.begin(), json.end(), number);
       it != std::sregex_iterator(); ++it) {
    values.push_back(it->str() == "null" ? std::nan("") : std::stod(it->str()));
  }
  return {values, std::regex_replace(json, number, "#")};
}

/// `evaluate --json` as (structure, key) -> value (nullopt for null).
std::map<std::pair<std::string, std::string>, std::optional<double>>
EvaluateJson(const std::string& json) {
  static const std::regex object(R"(\{[^{}]*\})");
  static const std::regex name(R"re("name": "([^"]*)")re");
  static const std::regex pair(R"re("([A-Za-z0-9_]+)": (null|-?[0-9][0-9.eE+-]*))re");
  std::map<std::pair<std::string, std::string>, std::optional<double>> values;
  for (auto it = std::sregex_iterator(json.begin(), json.end(), object);
       it != std::sregex_iterator(); ++it) {
    const std::string text = it->str();
    std::smatch structure;
    if (!std::regex_search(text, structure, name)) {
      continue;
    }
    for (auto p = std::sregex_iterator(text.begin(), text.end(), pair); p != std::sregex_iterator();
         ++p) {
      values[{structure[1].str(), (*p)[1].str()}] =
          (*p)[2].str() == "null" ? std::nullopt : std::optional<double>(std::stod((*p)[2].str()));
    }
  }
  return values;
}

/// Checks every metric cell of a report (data-structure, data-metric, data-plan) against the
/// evaluation's number of that plan, rounded to the cell's decimals; returns the count per plan.
std::map<std::string, int> CheckReportCells(
    const std::string& html,
    std::map<std::string, std::map<std::pair<std::string, std::string>, std::optional<double>>>&
        expected) {
  static const std::regex cell(
      R"re(<td class="n" data-structure="([^"]+)" data-metric="([^"]+)" data-plan="([^"]+)">([^<]*)</td>)re");
  std::map<std::string, int> checked;
  for (auto it = std::sregex_iterator(html.begin(), html.end(), cell); it != std::sregex_iterator();
       ++it) {
    const std::string structure = (*it)[1], metric = (*it)[2], plan = (*it)[3], text = (*it)[4];
    const auto value = expected[plan].find({structure, metric});
    if (value == expected[plan].end()) {
      ADD_FAILURE() << "no " << metric << " of " << structure << " in the " << plan << " JSON";
      continue;
    }
    if (!value->second) {
      EXPECT_EQ(text, "-") << plan << ' ' << structure << ' ' << metric;
      continue;
    }
    const auto point = text.find('.');
    const double halfUnit =
        point == std::string::npos ? 0.5 : 0.5 * std::pow(10.0, -double(text.size() - point - 1));
    // The JSON is itself rounded to 6 significant digits (JsonWriter's default).
    const double jsonHalfUnit =
        *value->second == 0.0
            ? 0.0
            : 0.5 * std::pow(10.0, std::floor(std::log10(std::abs(*value->second))) - 5.0);
    // Rounded: half a unit of the cell's last digit away at most, plus the JSON's rounding.
    EXPECT_LE(std::abs(std::stod(text) - *value->second), (halfUnit + jsonHalfUnit) * (1 + 1e-9))
        << plan << ' ' << structure << ' ' << metric << ": " << text << " vs " << *value->second;
    ++checked[plan];
  }
  return checked;
}

std::string ReadText(const std::filesystem::path& file) {
  std::ifstream in(file);
  std::ostringstream content;
  content << in.rdbuf();
  return content.str();
}

/// With an X display (the tests run under xvfb-run in CI) the report embeds an axial, a coronal
/// and a sagittal PNG per lesion and the DVH; without one it says that it has no pictures and why.
void ExpectPicturesOrTheirReason(const std::string& html, int lesions, bool display) {
  std::size_t pictures = 0;
  for (auto at = html.find("src=\"data:image/png;base64,iVBORw0KGgo"); at != std::string::npos;
       at = html.find("src=\"data:image/png;base64,iVBORw0KGgo", at + 1)) {
    ++pictures;
  }
  if (display) {
    EXPECT_EQ(pictures, std::size_t(3 * lesions + 1)) << "pictures drawn with an X display";
    EXPECT_EQ(html.find("This report has no pictures"), std::string::npos);
  } else {
    EXPECT_EQ(pictures, 0u);
    EXPECT_NE(html.find("This report has no pictures: no X display"), std::string::npos);
  }
}

std::string Base64Decode(const std::string& text) {
  std::string bytes;
  unsigned value = 0;
  int bits = 0;
  for (char c : text) {
    const auto at =
        std::string_view("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")
            .find(c);
    if (at == std::string_view::npos) {
      break; // '=' padding or the closing quote
    }
    value = (value << 6) | unsigned(at);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes += char((value >> bits) & 0xFF);
    }
  }
  return bytes;
}

bool HasDisplay() {
  const char* display = std::getenv("DISPLAY");
  return display && *display;
}

/// Runs a command line (Chromium, xvfb-run) with a time limit, its output into `log`; its exit
/// code.
int RunTool(const std::string& command, const std::string& log = "/dev/null") {
  const int status = std::system(("timeout 600 " + command + " >" + log + " 2>&1").c_str());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

class PlanReviewCommands : public test::SamplePatientFixture {
protected:
  /// The sample seeds as a forward plan of GTV_Lung logged to a study record, with a needle
  /// added in code along the first seed's axis (forward plans have no needles).
  static void SetUpTestSuite() {
    SamplePatientFixture::SetUpTestSuite();
    const test::TempFolder& folder = *s_Folder;
    const std::string study = StudyFile();
    for (const std::string& command :
         {"study init --study " + study + " --id HCC --title T --groups PD1,PD1_I125",
          "study add-patient --study " + study + " --patient S07 --group PD1_I125",
          "study add-lesion --study " + study + " --patient S07 --lesion LUNG1 --site lung",
          "plan --ct " + Path("ct") + " --structures " + Path("rtstruct.dcm") +
              " --target GTV_Lung:120 --oar Heart:D1cc:15 --activity-mci 0.55 --seeds " +
              Path("sample_seeds.csv") + " --study " + study +
              " --study-patient S07 --lesion GTV_Lung=LUNG1 --out " + BasePlan()}) {
      const Result result = Seedplan(command, folder);
      ASSERT_EQ(result.exitCode, 0) << command << '\n' << result.err;
    }
    planning::Plan plan = planning::PlanXml::Read(BasePlan());
    const Seed& first = plan.seeds.front();
    const Eigen::Vector3d axis = first.direction.value_or(Eigen::Vector3d::UnitX());
    planning::Needle needle;
    needle.id = "N1";
    needle.targetName = "GTV_Lung";
    needle.entryMm = first.positionMm - 40.0 * axis;
    needle.tipMm = first.positionMm + 10.0 * axis;
    needle.depthMm = 50.0;
    plan.needles.push_back(needle);
    planning::PlanXml::Write(plan, BasePlan());
  }
  static std::string StudyFile() { return (s_Folder->Path() / "study.sqlite").string(); }
  static std::string BasePlan() { return (s_Folder->Path() / "base.xml").string(); }
};

TEST_F(PlanReviewCommands, EditedPlanEvaluatesAsAPlanWrittenIndependentlyWithTheSameSeeds) {
  const planning::Plan base = planning::PlanXml::Read(BasePlan());
  ASSERT_GE(base.seeds.size(), 10u);
  const Eigen::Vector3d delta(1.0, -2.0, 0.5);
  const planning::Needle& needle = base.needles.front();
  const Eigen::Vector3d onNeedle = base.seeds[0].positionMm + 5.0 * needle.Direction();
  const Eigen::Vector3d free = base.seeds[3].positionMm + Eigen::Vector3d(0.0, 4.0, 0.0);
  const auto text = [](const Eigen::Vector3d& p) {
    return std::to_string(p.x()) + "," + std::to_string(p.y()) + "," + std::to_string(p.z());
  };
  const auto edited = m_Work / "edited.plan.xml";
  const Result result =
      Seedplan("edit --plan " + BasePlan() + " --move 2:1,-2,0.5 --delete 5 --add " +
                   text(onNeedle) + ":N1 --add " + text(free) + " --json --out " + edited.string(),
               m_Work);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  ASSERT_FALSE(result.out.empty());
  EXPECT_EQ(result.out.front(), '[') << "only the JSON on stdout: " << result.out.substr(0, 200);
  EXPECT_EQ(result.out.substr(result.out.size() - 2), "]\n");

  // `evaluate --json` of the written plan prints exactly the same text.
  const Result evaluated = Seedplan("evaluate --json --plan " + edited.string(), m_Work);
  ASSERT_EQ(evaluated.exitCode, 0) << evaluated.err;
  EXPECT_EQ(evaluated.out, result.out);

  // The same seeds, written independently: seed 2 moved, seed 5 gone, two appended (the one on
  // the needle along its axis, the free one of unknown axis), the plan's strength.
  planning::Plan independent = base;
  std::vector<Seed> seeds = base.seeds;
  seeds[2].positionMm += delta;
  seeds.erase(seeds.begin() + 5);
  Seed added = base.seeds[0];
  added.positionMm = Eigen::Vector3d(std::stod(std::to_string(onNeedle.x())),
                                     std::stod(std::to_string(onNeedle.y())),
                                     std::stod(std::to_string(onNeedle.z())));
  added.direction = needle.Direction();
  added.strengthU = base.strengthAtImplantU;
  added.needle = "N1";
  seeds.push_back(added);
  added.positionMm =
      Eigen::Vector3d(std::stod(std::to_string(free.x())), std::stod(std::to_string(free.y())),
                      std::stod(std::to_string(free.z())));
  added.direction.reset();
  added.needle.clear();
  seeds.push_back(added);
  independent.seeds = seeds;
  independent.metrics.clear();
  const auto independentFile = m_Work / "independent.xml";
  planning::PlanXml::Write(independent, independentFile);
  const Result reference = Seedplan("evaluate --json --plan " + independentFile.string(), m_Work);
  ASSERT_EQ(reference.exitCode, 0) << reference.err;

  const auto [editedNumbers, editedSkeleton] = Numbers(result.out);
  const auto [referenceNumbers, referenceSkeleton] = Numbers(reference.out);
  EXPECT_EQ(editedSkeleton, referenceSkeleton);
  ASSERT_EQ(editedNumbers.size(), referenceNumbers.size());
  for (std::size_t i = 0; i < editedNumbers.size(); ++i) {
    if (std::isnan(referenceNumbers[i])) {
      EXPECT_TRUE(std::isnan(editedNumbers[i])) << "number " << i;
    } else {
      EXPECT_NEAR(editedNumbers[i], referenceNumbers[i],
                  kRelativeTolerance * std::abs(referenceNumbers[i]))
          << "number " << i;
    }
  }

  const planning::Plan plan = planning::PlanXml::Read(edited);
  ASSERT_EQ(plan.seeds.size(), seeds.size());
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    EXPECT_LT((plan.seeds[i].positionMm - seeds[i].positionMm).norm(), 1e-9) << "seed " << i;
    EXPECT_EQ(plan.seeds[i].direction.has_value(), seeds[i].direction.has_value()) << i;
    EXPECT_EQ(plan.seeds[i].strengthU, seeds[i].strengthU) << i;
  }
  ASSERT_EQ(plan.handEdits.size(), 1u);
  EXPECT_FALSE(plan.handEdits[0].utc.empty());
  EXPECT_EQ(plan.handEdits[0].fromPlan, BasePlan());
  EXPECT_NE(plan.handEdits[0].summary.find("moved seed 2"), std::string::npos);

  // The base plan was logged to a study: the edited plan is logged there (messages on stderr).
  ASSERT_TRUE(plan.studyLog);
  EXPECT_EQ(plan.studyLog->patientId, "S07");
  EXPECT_NE(result.err.find("logged 1 implant(s) of patient S07"), std::string::npos) << result.err;
  const Result exported = Seedplan(
      "study export --study " + StudyFile() + " --out " + (m_Work / "export").string(), m_Work);
  ASSERT_EQ(exported.exitCode, 0) << exported.err;
  const CsvTable implants = CsvTable::Read(m_Work / "export" / "implants.csv");
  ASSERT_EQ(implants.RowCount(), 1u);
  EXPECT_EQ(implants.Row(0)[implants.RequireColumn("n_seeds")], std::to_string(seeds.size()));
}

TEST_F(PlanReviewCommands, StrengthOfAddedSeedsIsTheOptionsOrThePlans) {
  const planning::Plan base = planning::PlanXml::Read(BasePlan());
  const Eigen::Vector3d p = base.seeds[1].positionMm + Eigen::Vector3d(0.0, 0.0, 4.0);
  const std::string at =
      std::to_string(p.x()) + "," + std::to_string(p.y()) + "," + std::to_string(p.z());
  const auto out = m_Work / "stronger.xml";
  const Result result = Seedplan("edit --plan " + BasePlan() + " --add " + at +
                                     " --activity-mci 0.8 --no-study-log --out " + out.string(),
                                 m_Work);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("wrote " + out.string()), std::string::npos) << result.out;
  const planning::Plan plan = planning::PlanXml::Read(out);
  ASSERT_EQ(plan.seeds.size(), base.seeds.size() + 1);
  EXPECT_NEAR(plan.seeds.back().strengthU, 0.8 * 1.270, 1e-9); // 6711: 1.270 U/mCi
  EXPECT_EQ(plan.seeds.front().strengthU, base.seeds.front().strengthU);
  EXPECT_FALSE(plan.seeds.back().direction) << "no needle: axis unknown";
}

TEST_F(PlanReviewCommands, BadEditsAreRefusedWithOneLineAndNothingWritten) {
  const auto out = m_Work / "edited.xml";
  const std::string edit = "edit --no-study-log --plan " + BasePlan() + " --out " + out.string();
  ExpectRefused(Seedplan(edit + " --move 99:1,0,0", m_Work), {"--move 99", "out of range", "0 to"},
                out);
  ExpectRefused(Seedplan(edit + " --delete 99", m_Work), {"--delete 99", "out of range"}, out);
  ExpectRefused(Seedplan(edit + " --delete -1", m_Work), {"--delete -1", "whole number"}, out);
  ExpectRefused(Seedplan(edit + " --move 1:1,0", m_Work), {"--move 1:1,0"}, out);
  ExpectRefused(Seedplan(edit + " --move 1,0,0", m_Work), {"SEED_INDEX:DX,DY,DZ"}, out);
  ExpectRefused(Seedplan(edit + " --move 1:1,0,0 --delete 1", m_Work), {"moved or deleted"}, out);
  ExpectRefused(Seedplan(edit, m_Work), {"no edit given"}, out);
  ExpectRefused(Seedplan(edit + " --add 0,0,0 --strength-u -1", m_Work), {"--strength-u"}, out);
  // A move that puts the seed outside the CT (1 m away).
  ExpectRefused(Seedplan(edit + " --move 0:0,0,1000", m_Work), {"--move 0", "outside the CT"}, out);
  ExpectRefused(Seedplan(edit + " --add 0,0,0:N7", m_Work), {"no needle 'N7'", "N1"}, out);
  // An output that cannot be written.
  const auto missing = m_Work / "no-such-folder" / "edited.xml";
  ExpectRefused(
      Seedplan("edit --plan " + BasePlan() + " --delete 1 --out " + missing.string(), m_Work),
      {"--out", "does not exist"}, missing);
  ExpectRefused(
      Seedplan("edit --plan " + BasePlan() + " --delete 1 --out " + (m_Work / "e.txt").string(),
               m_Work),
      {"--out", ".xml"}, m_Work / "e.txt");
}

TEST_F(PlanReviewCommands, ViewEditRefusesWhatItCannotDoWithOneLine) {
  // Checked before the CT or a display is touched: the window itself is tested off screen in
  // tests/viewer/LiveEditTest.cpp.
  const auto out = m_Work / "view-edited.xml";
  const auto shot = m_Work / "shot.png";
  const std::string view = "view --plan " + BasePlan();
  ExpectRefused(Seedplan(view + " --edit --screenshot " + shot.string(), m_Work),
                {"--edit", "--screenshot"}, shot);
  ExpectRefused(Seedplan(view + " --out " + out.string(), m_Work), {"--out", "--edit"}, out);
  ExpectRefused(Seedplan(view + " --edit --out " + (m_Work / "e.txt").string(), m_Work),
                {"--out", ".xml"}, m_Work / "e.txt");
}

TEST_F(PlanReviewCommands, ReportTablesHoldEvaluateJsonsNumbersAndChromiumRendersThem) {
  const auto post = m_Work / "post.xml";
  const Result postplan = Seedplan("postplan --no-study-log --plan " + BasePlan() + " --post-ct " +
                                       Path("post_ct") + " --out " + post.string(),
                                   m_Work);
  ASSERT_EQ(postplan.exitCode, 0) << postplan.err;
  const auto report = m_Work / "report.html";
  // Under Xvfb (as the viewer tests run): the viewer draws the pictures off screen.
  const auto log = m_Work / "report.log";
  ASSERT_EQ(RunTool(std::string("xvfb-run -a ") + SEEDPLAN_EXECUTABLE + " report --plan " +
                        BasePlan() + " --compare " + post.string() + " --out " + report.string(),
                    log.string()),
            0)
      << ReadText(log);
  EXPECT_NE(ReadText(log).find("wrote " + report.string() + " (pictures: drawn)"),
            std::string::npos)
      << ReadText(log);
  const std::string html = ReadText(report);

  std::map<std::string, std::map<std::pair<std::string, std::string>, std::optional<double>>>
      expected;
  for (const auto& [key, file] : {std::pair<std::string, std::string>{"planned", BasePlan()},
                                  std::pair<std::string, std::string>{"post", post.string()}}) {
    const Result json = Seedplan("evaluate --json --plan " + file, m_Work);
    ASSERT_EQ(json.exitCode, 0) << json.err;
    expected[key] = EvaluateJson(json.out);
    ASSERT_FALSE(expected[key].empty());
  }
  const auto checked = CheckReportCells(html, expected);
  // The lesion row (9 numbers), the organ limit and 6 per structure, planned and post-implant.
  EXPECT_GE(checked.at("planned"), 9 + 1 + 6 * 10) << html.size();
  EXPECT_GE(checked.at("post"), 9 + 1 + 6 * 10);
  EXPECT_NE(html.find("UNAPPROVED"), std::string::npos);
  EXPECT_NE(html.find("SP-PHANTOM-001"), std::string::npos) << "the CT's patient id";
  EXPECT_NE(html.find("S07 (pseudonymous)"), std::string::npos);
  EXPECT_NE(html.find("TG-43, water"), std::string::npos);
  ExpectPicturesOrTheirReason(html, 1, true);
  // The first picture is the axial slice through GTV_Lung: the 100 % isodose (red in the
  // viewer's colours) wraps the lesion, so red pixels are there, on a CT that is not blank.
  const std::string marker = "src=\"data:image/png;base64,";
  const auto first = html.find(marker);
  ASSERT_NE(first, std::string::npos);
  const auto axial = m_Work / "axial.png";
  std::ofstream(axial, std::ios::binary) << Base64Decode(html.substr(
      first + marker.size(), html.find('"', first + marker.size()) - first - marker.size()));
  const test::PngImage slice = test::ReadPng(axial);
  std::size_t isodoseRed = 0, grey = 0;
  for (const auto& p : slice.rgb) {
    isodoseRed += p[0] > 200 && p[1] < 60 && p[2] < 60;
    grey += p[0] == p[1] && p[1] == p[2] && p[0] > 30 && p[0] < 220;
  }
  EXPECT_GT(isodoseRed, 50u) << "the 100 % isodose line";
  EXPECT_GT(grey, slice.rgb.size() / 10) << "the CT";
  EXPECT_NE(html.find("@page { size: A4"), std::string::npos);
  // Self-contained: nothing is fetched from elsewhere.
  for (const char* external : {"src=\"http", "href=", "<link", "<script", "url("}) {
    EXPECT_EQ(html.find(external), std::string::npos) << external;
  }

  // Headless Chromium (Debian's package, as a physicist would print it) renders it.
  const auto pdf = m_Work / "report.pdf";
  const auto png = m_Work / "report.png";
  const std::string chromium = "chromium --headless --no-sandbox --disable-gpu --user-data-dir=" +
                               (m_Work / "chromium").string() + " ";
  ASSERT_EQ(RunTool(chromium + "--print-to-pdf=" + pdf.string() + " file://" + report.string()), 0);
  std::ifstream pdfIn(pdf, std::ios::binary);
  std::string magic(5, '\0');
  pdfIn.read(magic.data(), 5);
  EXPECT_EQ(magic, "%PDF-");
  EXPECT_GT(std::filesystem::file_size(pdf), 20000u);
  ASSERT_EQ(RunTool(chromium + "--hide-scrollbars --window-size=1240,1754 --screenshot=" +
                    png.string() + " file://" + report.string()),
            0);
  const test::PngImage image = test::ReadPng(png);
  EXPECT_EQ(image.width, 1240u);
  EXPECT_EQ(image.height, 1754u);
  // Not blank: text (dark pixels) and the red status box, on a white page.
  std::size_t dark = 0, red = 0, white = 0;
  for (const auto& p : image.rgb) {
    dark += p[0] < 80 && p[1] < 80 && p[2] < 80;
    red += p[0] > 150 && p[1] < 60 && p[2] < 60;
    white += p[0] > 240 && p[1] > 240 && p[2] > 240;
  }
  EXPECT_GT(dark, image.rgb.size() / 200) << "text";
  EXPECT_GT(red, 500u) << "the status box";
  EXPECT_GT(white, image.rgb.size() / 2) << "the page";
}

TEST_F(PlanReviewCommands, ReportRefusesAnotherPatientsPlanAndAnUnwritableOutput) {
  planning::Plan other = planning::PlanXml::Read(BasePlan());
  other.patientId = "S99";
  const auto otherFile = m_Work / "other.xml";
  planning::PlanXml::Write(other, otherFile);
  const auto report = m_Work / "report.html";
  ExpectRefused(Seedplan("report --plan " + BasePlan() + " --compare " + otherFile.string() +
                             " --out " + report.string(),
                         m_Work),
                {"--compare", "S99", "S07", "same patient"}, report);
  const auto missing = m_Work / "no-such-folder" / "report.html";
  ExpectRefused(Seedplan("report --plan " + BasePlan() + " --out " + missing.string(), m_Work),
                {"--out", "does not exist"}, missing);
  ExpectRefused(
      Seedplan("report --plan " + BasePlan() + " --out " + (m_Work / "r.pdf").string(), m_Work),
      {"--out", ".html"}, m_Work / "r.pdf");
}

/// `seedplan demo` writes report.html: its numbers are `evaluate --json`'s of the demo's plan.
TEST(DemoReport, DemoWritesTheReportWithEvaluateJsonsNumbers) {
  const auto& demo = test::DemoOutput::Get();
  const std::string html = ReadText(demo / "report.html");
  ASSERT_FALSE(html.empty()) << demo.DemoLog();
  EXPECT_NE(demo.DemoLog().find("report.html (pictures:"), std::string::npos) << demo.DemoLog();
  const test::TempFolder work;
  const Result json = Seedplan("evaluate --json --plan " + (demo / "plan.xml").string(), work);
  ASSERT_EQ(json.exitCode, 0) << json.err;
  std::map<std::string, std::map<std::pair<std::string, std::string>, std::optional<double>>>
      expected{{"planned", EvaluateJson(json.out)}};
  const auto checked = CheckReportCells(html, expected);
  ExpectPicturesOrTheirReason(html, 4, HasDisplay());
  // Four lesion rows of 9 numbers, the organ limits, 22 structures.
  EXPECT_GE(checked.at("planned"), 4 * 9 + 22 * 3);
  for (const char* lesion : {"GTV_Lung", "GTV_Bone", "GTV_Node", "GTV_Adrenal"}) {
    EXPECT_NE(html.find("data-structure=\"" + std::string(lesion) + "\" data-metric=\"D90_Gy\""),
              std::string::npos)
        << lesion;
  }
}

} // namespace
} // namespace seedplan
