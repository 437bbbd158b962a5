#include "PlanReport.h"

#include "seedplan/core/AtomicFileWriter.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/core/Version.h"
#include "seedplan/dosimetry/PermanentImplantDecay.h"
#include "seedplan/planning/PlanEditor.h"
#include "seedplan/planning/PlanEvaluator.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <map>
#include <set>
#include <sstream>

namespace seedplan::app {

namespace {

std::string Escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
    case '&':
      out += "&amp;";
      break;
    case '<':
      out += "&lt;";
      break;
    case '>':
      out += "&gt;";
      break;
    case '"':
      out += "&quot;";
      break;
    default:
      out += c;
    }
  }
  return out;
}

std::string Base64(const std::string& bytes) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned v = (unsigned(static_cast<unsigned char>(bytes[i])) << 16) |
                       (unsigned(static_cast<unsigned char>(bytes[i + 1])) << 8) |
                       unsigned(static_cast<unsigned char>(bytes[i + 2]));
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += kAlphabet[(v >> 6) & 63];
    out += kAlphabet[v & 63];
  }
  if (i < bytes.size()) {
    unsigned v = unsigned(static_cast<unsigned char>(bytes[i])) << 16;
    if (i + 1 < bytes.size()) {
      v |= unsigned(static_cast<unsigned char>(bytes[i + 1])) << 8;
    }
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < bytes.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

/// `value` with `decimals` decimals; "-" when undefined.
std::string Fixed(std::optional<double> value, int decimals) {
  if (!value || !std::isfinite(*value)) {
    return "-";
  }
  char text[64];
  std::snprintf(text, sizeof text, "%.*f", decimals, *value);
  return text;
}

std::string Or(const std::string& text, const std::string& fallback = "-") {
  return text.empty() ? fallback : text;
}

/// A DICOM date YYYYMMDD as YYYY-MM-DD (other text as it is).
std::string DicomDate(const std::string& date) {
  if (date.size() == 8 && date.find_first_not_of("0123456789") == std::string::npos) {
    return date.substr(0, 4) + "-" + date.substr(4, 2) + "-" + date.substr(6, 2);
  }
  return Or(date);
}

std::string PersonName(const std::string& dicom) {
  std::string name = dicom;
  for (char& c : name) {
    if (c == '^') {
      c = ' ';
    }
  }
  while (!name.empty() && name.back() == ' ') {
    name.pop_back();
  }
  return Or(name);
}

/// The plan's pseudonymous study patient id: the study record's, or the plan's own id when it is
/// not the CT's DICOM Patient ID (a plan outside any study carries the CT's id).
std::string StudyPatient(const planning::Plan& plan, const std::string& dicomPatientId) {
  if (plan.studyLog) {
    return Escape(plan.studyLog->patientId) + " (pseudonymous)";
  }
  if (!plan.patientId.empty() && plan.patientId != dicomPatientId) {
    return Escape(plan.patientId) + " (pseudonymous)";
  }
  return "- (the plan is not in a study record)";
}

std::string MetricKey(const std::string& limitMetric) {
  return limitMetric + "_Gy";
}

const planning::StructureMetrics* Find(const std::vector<planning::StructureMetrics>& all,
                                       const std::string& name) {
  for (const auto& entry : all) {
    if (entry.structureName == name) {
      return &entry;
    }
  }
  return nullptr;
}

/// Decimals of a volume in cc: 0.01 cc for lesions, at most 5 significant digits for the body.
int VolumeDecimals(double volumeCc) {
  return volumeCc < 100.0 ? 2 : volumeCc < 1000.0 ? 1 : 0;
}

/// A metric cell that a test can find: the evaluation's value rounded to `decimals`.
std::string Cell(const std::string& structure, const std::string& key, const std::string& plan,
                 std::optional<double> value, int decimals) {
  return "<td class=\"n\" data-structure=\"" + Escape(structure) + "\" data-metric=\"" + key +
         "\" data-plan=\"" + plan + "\">" + Fixed(value, decimals) + "</td>";
}

/// Per target: seeds, needles and the total apparent activity at implant (mCi).
struct LesionCounts {
  int seeds = 0;
  std::set<std::string> needles;
  double strengthU = 0.0;
};

std::map<std::string, LesionCounts> CountsOf(const EvaluatedPlan& evaluated) {
  const auto& session = evaluated.session;
  const planning::PlanEditor editor(session.plan, session.ct.hu.Geometry(), session.structures);
  std::map<std::string, LesionCounts> counts;
  for (const Seed& seed : session.plan.seeds) {
    LesionCounts& count = counts[editor.TargetOf(seed)];
    ++count.seeds;
    count.strengthU += seed.strengthU;
    if (!seed.needle.empty()) {
      count.needles.insert(seed.needle);
    }
  }
  return counts;
}

void LesionRow(std::ostringstream& html, const EvaluatedPlan& evaluated, const std::string& label,
               const std::string& planKey, const planning::TargetPrescription& target,
               const std::map<std::string, LesionCounts>& counts, double uPerMCi) {
  const auto* entry = Find(evaluated.session.plan.metrics, target.structureName);
  const std::string& name = target.structureName;
  const auto count = counts.find(name);
  const LesionCounts none;
  const LesionCounts& c = count != counts.end() ? count->second : none;
  html << "<tr><td>" << Escape(name) << "</td><td>" << label << "</td>";
  if (!entry) {
    html << "<td colspan=\"13\">not evaluated</td></tr>\n";
    return;
  }
  const auto& m = entry->metrics;
  html << Cell(name, "volume_cc", planKey, m.volumeCc, VolumeDecimals(m.volumeCc))
       << "<td class=\"n\">"
       << (c.needles.empty() ? std::string("-") : std::to_string(c.needles.size())) << "</td>"
       << "<td class=\"n\">" << c.seeds << "</td><td class=\"n\">"
       << Fixed(c.strengthU / uPerMCi, 2) << "</td>" << Cell(name, "D90_Gy", planKey, m.D90Gy, 1)
       << Cell(name, "D100_Gy", planKey, m.D100Gy, 1)
       << Cell(name, "V100_pct", planKey, m.V100Pct, 1)
       << Cell(name, "V150_pct", planKey, m.V150Pct, 1)
       << Cell(name, "V200_pct", planKey, m.V200Pct, 1) << Cell(name, "CI", planKey, m.CI, 2)
       << Cell(name, "EI", planKey, m.EI, 2) << Cell(name, "HI", planKey, m.HI, 2) << "</tr>\n";
}

constexpr const char* kStyle = R"(
@page { size: A4; margin: 14mm 12mm; }
body { font-family: "DejaVu Sans", Arial, sans-serif; font-size: 9.5pt; color: #000; margin: 0; }
h1 { font-size: 15pt; margin: 0 0 4pt 0; }
h2 { font-size: 11.5pt; margin: 12pt 0 4pt 0; border-bottom: 1px solid #444; }
table { border-collapse: collapse; margin: 2pt 0 6pt 0; page-break-inside: auto; }
tr { page-break-inside: avoid; }
th, td { border: 1px solid #999; padding: 1.5pt 4pt; text-align: left; vertical-align: top; }
th { background: #e8e8e8; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
table.id td:first-child { font-weight: bold; background: #f4f4f4; }
.status { border: 2px solid #b00; color: #b00; padding: 4pt; font-weight: bold; margin: 4pt 0; }
.exceeded { color: #b00; font-weight: bold; }
.note { color: #333; font-style: italic; }
figure { display: inline-block; margin: 2pt; page-break-inside: avoid; width: 31%; }
figure img { width: 100%; }
figure.wide { width: 70%; }
figcaption { font-size: 8pt; }
.signature td { height: 24pt; min-width: 140pt; }
.uid { font-family: monospace; font-size: 8pt; word-break: break-all; }
@media print { h2 { page-break-after: avoid; } .pictures { page-break-before: always; } }
)";

} // namespace

std::string PlanReport::Html(const PlanReportInput& input) {
  const EvaluatedPlan& planned = *input.planned;
  const auto& plan = planned.session.plan;
  const auto& ct = planned.session.ct.info;
  const dosimetry::SourceModel& model = *input.model;
  const double uPerMCi = model.StrengthPerActivityUPerMCi();
  const dosimetry::PermanentImplantDecay decay(model.HalfLifeDays());
  std::ostringstream html;

  html << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>Seed "
          "implant plan report "
       << Escape(plan.patientId) << "</title>\n<style>" << kStyle << "</style></head><body>\n";
  html << "<h1>Permanent <sup>125</sup>I seed implant &mdash; plan report</h1>\n";

  // Identity and status.
  html << "<table class=\"id\">\n<tr><td>Patient (CT)</td><td>" << Escape(Or(ct.patientId))
       << " &nbsp; " << Escape(PersonName(ct.patientName)) << "</td><td>Study patient</td><td>"
       << StudyPatient(plan, ct.patientId) << "</td></tr>\n<tr><td>Study</td><td>"
       << Escape(Or(plan.studyId)) << "</td><td>Study record</td><td>"
       << Escape(plan.studyLog ? plan.studyLog->studyFile : std::string("not logged"))
       << "</td></tr>\n</table>\n";
  html << "<div class=\"status\">Status: UNAPPROVED &mdash; for review; the plan is approved "
          "only by the signature below.";
  for (const auto& edit : plan.handEdits) {
    html << "<br>EDITED BY HAND on " << Escape(edit.utc)
         << (edit.user.empty() ? std::string() : " by " + Escape(edit.user))
         << (edit.fromPlan.empty() ? std::string() : " from " + Escape(edit.fromPlan)) << ": "
         << Escape(edit.summary);
  }
  if (plan.handEdits.empty()) {
    html << "<br>Not edited by hand (the seeds are the planner's).";
  }
  html << "</div>\n";

  // Plan and CT identity.
  html << "<h2>Plan and CT</h2>\n<table class=\"id\">\n";
  html << "<tr><td>Plan file</td><td>" << Escape(planned.file) << " (" << Escape(plan.kind)
       << ")</td></tr>\n";
  if (input.compare) {
    html << "<tr><td>Compared with</td><td>" << Escape(input.compare->file) << " ("
         << Escape(input.compare->session.plan.kind) << ")</td></tr>\n";
  }
  html << "<tr><td>CT</td><td>" << Escape(plan.ctPath) << " &nbsp; "
       << Escape(Or(ct.seriesDescription, "")) << " &nbsp; patient position "
       << Escape(Or(ct.patientPosition)) << "</td></tr>\n";
  html << "<tr><td>CT dates</td><td>study " << Escape(DicomDate(ct.studyDate)) << ", series "
       << Escape(DicomDate(ct.seriesDate)) << "</td></tr>\n";
  html << "<tr><td>Study UID</td><td class=\"uid\">" << Escape(Or(ct.studyInstanceUid))
       << "</td></tr>\n<tr><td>Series UID</td><td class=\"uid\">"
       << Escape(Or(ct.seriesInstanceUid))
       << "</td></tr>\n<tr><td>Frame of Reference UID</td><td class=\"uid\">"
       << Escape(Or(ct.frameOfReferenceUid)) << "</td></tr>\n";
  html << "<tr><td>Structures</td><td>" << Escape(plan.structuresPath) << "</td></tr>\n";
  html << "</table>\n";

  // Source and strength.
  html << "<h2>Seeds</h2>\n<table class=\"id\">\n";
  html << "<tr><td>Seed model</td><td>" << Escape(model.Id()) << " &mdash; " << Escape(model.Name())
       << " (" << Escape(model.Data().isotope) << ", T&frac12; "
       << FormatNumber(model.HalfLifeDays(), 5) << " d, &Lambda; "
       << FormatNumber(model.DoseRateConstant(), 4) << " cGy h<sup>-1</sup> U<sup>-1</sup>, "
       << FormatNumber(uPerMCi, 4) << " U/mCi)</td></tr>\n";
  html << "<tr><td>TG-43 data</td><td>" << Escape(model.Data().dataset) << " ("
       << Escape(model.Data().dataStatus) << ")";
  for (const auto& reference : model.Data().references) {
    html << "<br>" << Escape(reference.text)
         << (reference.doi.empty() ? std::string() : " doi:" + Escape(reference.doi));
  }
  html << "</td></tr>\n";
  html << "<tr><td>Strength at assay</td><td>S<sub>K</sub> " << Fixed(plan.assayStrengthU, 4)
       << " U = " << Fixed(plan.assayStrengthU / uPerMCi, 4) << " mCi (apparent) on "
       << Escape(Or(plan.assayDate)) << "</td></tr>\n";
  html << "<tr><td>Strength at implant</td><td>S<sub>K</sub> " << Fixed(plan.strengthAtImplantU, 4)
       << " U = " << Fixed(plan.strengthAtImplantU / uPerMCi, 4) << " mCi (apparent) on "
       << Escape(Or(plan.implantDate)) << "</td></tr>\n";
  html << "<tr><td>Seeds, needles</td><td>" << plan.seeds.size() << " seeds, "
       << plan.needles.size() << " needles"
       << (plan.seedSpacingMm > 0 ? ", seed spacing " + FormatNumber(plan.seedSpacingMm) + " mm"
                                  : std::string())
       << "</td></tr>\n</table>\n";

  // Prescriptions and lesions.
  const auto counts = CountsOf(planned);
  const auto compareCounts =
      input.compare ? CountsOf(*input.compare) : std::map<std::string, LesionCounts>{};
  html << "<h2>Lesions</h2>\n<table>\n<tr><th>Lesion</th><th>Site</th><th>Prescription "
          "(Gy, D90 &ge;)</th><th>Planning margin (mm)</th></tr>\n";
  for (const auto& target : plan.targets) {
    html << "<tr><td>" << Escape(target.structureName) << "</td><td>" << Escape(Or(target.site))
         << "</td><td class=\"n\">" << FormatNumber(target.prescriptionGy, 5)
         << "</td><td class=\"n\">" << FormatNumber(target.marginMm, 3) << "</td></tr>\n";
  }
  html << "</table>\n<table>\n<tr><th>Lesion</th><th></th><th>Volume (cc)</th><th>Needles</th>"
          "<th>Seeds</th><th>Activity (mCi)</th><th>D90 (Gy)</th><th>D100 (Gy)</th>"
          "<th>V100 (%)</th><th>V150 (%)</th><th>V200 (%)</th><th>CI</th><th>EI</th><th>HI</th>"
          "</tr>\n";
  for (const auto& target : plan.targets) {
    LesionRow(html, planned, "planned", "planned", target, counts, uPerMCi);
    if (input.compare) {
      LesionRow(html, *input.compare, "post-implant", "post", target, compareCounts, uPerMCi);
    }
  }
  html << "</table>\n<p class=\"note\">Activity: apparent activity at implant of the lesion's "
          "seeds (those on its needles, and seeds without a needle within "
       << FormatNumber(planning::PlanEditor::kTargetReachMm)
       << " mm of it). CI = (V<sub>T,ref</sub>/V<sub>T</sub>)(V<sub>T,ref</sub>/V<sub>ref</sub>), "
          "EI = (V<sub>ref</sub> &minus; V<sub>T,ref</sub>)/V<sub>T</sub>, HI = "
          "(V<sub>T,100</sub> &minus; V<sub>T,150</sub>)/V<sub>T,100</sub>; V<sub>ref</sub> "
          "within 20 mm of the lesion.</p>\n";

  // Organ limits.
  html << "<h2>Organ doses against their limits</h2>\n";
  if (plan.limits.empty()) {
    html << "<p>The plan has no organ limits.</p>\n";
  } else {
    html << "<table>\n<tr><th>Organ</th><th>Metric</th><th>Limit (Gy)</th><th>Planned "
            "(Gy)</th><th></th>"
         << (input.compare ? "<th>Post-implant (Gy)</th><th></th>" : "") << "</tr>\n";
    const auto compareChecks =
        input.compare ? input.compare->session.limitChecks : std::vector<planning::LimitCheck>{};
    for (std::size_t i = 0; i < planned.session.limitChecks.size(); ++i) {
      const auto& check = planned.session.limitChecks[i];
      const std::string& organ = check.limit.structureName;
      html << "<tr><td>" << Escape(organ) << "</td><td>" << Escape(check.limit.metric)
           << "</td><td class=\"n\">" << FormatNumber(check.limit.limitGy, 5) << "</td>"
           << Cell(organ, MetricKey(check.limit.metric), "planned", check.valueGy, 1)
           << (check.met ? "<td>within</td>" : "<td class=\"exceeded\">EXCEEDED</td>");
      if (input.compare) {
        const planning::LimitCheck* post = nullptr;
        for (const auto& other : compareChecks) {
          if (other.limit.structureName == organ && other.limit.metric == check.limit.metric) {
            post = &other;
          }
        }
        html << Cell(organ, MetricKey(check.limit.metric), "post",
                     post ? post->valueGy : std::nullopt, 1)
             << (!post ? "<td>-</td>"
                       : (post->met ? "<td>within</td>" : "<td class=\"exceeded\">EXCEEDED</td>"));
      }
      html << "</tr>\n";
    }
    html << "</table>\n";
  }

  // Every structure.
  html << "<h2>Every structure</h2>\n<table>\n<tr><th>Structure</th><th>Role</th><th></th>"
          "<th>Volume (cc)</th><th>Dmean (Gy)</th><th>D2cc (Gy)</th><th>D1cc (Gy)</th>"
          "<th>D0.1cc (Gy)</th><th>Dmax (Gy)</th></tr>\n";
  const auto structureRow = [&html](const planning::StructureMetrics& entry,
                                    const std::string& label, const std::string& key) {
    const auto& m = entry.metrics;
    const std::string& name = entry.structureName;
    html << "<tr><td>" << Escape(name) << "</td><td>" << Escape(entry.role) << "</td><td>" << label
         << "</td>" << Cell(name, "volume_cc", key, m.volumeCc, VolumeDecimals(m.volumeCc))
         << Cell(name, "Dmean_Gy", key, m.DmeanGy, 1) << Cell(name, "D2cc_Gy", key, m.D2ccGy, 1)
         << Cell(name, "D1cc_Gy", key, m.D1ccGy, 1) << Cell(name, "D0_1cc_Gy", key, m.D0_1ccGy, 1)
         << Cell(name, "Dmax_Gy", key, m.DmaxGy, 1) << "</tr>\n";
  };
  for (const auto& entry : plan.metrics) {
    structureRow(entry, "planned", "planned");
    if (input.compare) {
      if (const auto* post = Find(input.compare->session.plan.metrics, entry.structureName)) {
        structureRow(*post, "post-implant", "post");
      }
    }
  }
  html << "</table>\n";

  // Pictures.
  html << "<h2 class=\"pictures\">Pictures</h2>\n";
  if (!input.noPicturesReason.empty()) {
    html << "<p class=\"note\" id=\"no-pictures\">This report has no pictures: "
         << Escape(input.noPicturesReason) << ".</p>\n";
  } else {
    for (const auto& [target, pictures] : input.lesionPictures) {
      html << "<div>";
      for (const auto& picture : pictures) {
        html << "<figure><img alt=\"" << Escape(picture.caption)
             << "\" src=\"data:image/png;base64," << Base64(picture.png) << "\"><figcaption>"
             << Escape(picture.caption) << "</figcaption></figure>";
      }
      html << "</div>\n";
    }
    if (input.dvh) {
      html << "<figure class=\"wide\"><img alt=\"DVH\" src=\"data:image/png;base64,"
           << Base64(input.dvh->png) << "\"><figcaption>" << Escape(input.dvh->caption)
           << "</figcaption></figure>\n";
    }
  }

  // Seeds.
  html << "<h2>Seed list</h2>\n<table>\n<tr><th>#</th><th>x (mm)</th><th>y (mm)</th><th>z "
          "(mm)</th><th>Needle</th><th>Depth (mm)</th><th>S<sub>K</sub> (U)</th><th>Axis</th>"
          "</tr>\n";
  std::map<std::string, const planning::Needle*> needles;
  for (const auto& needle : plan.needles) {
    needles[needle.id] = &needle;
  }
  for (std::size_t i = 0; i < plan.seeds.size(); ++i) {
    const Seed& seed = plan.seeds[i];
    std::optional<double> depth;
    if (const auto at = needles.find(seed.needle); at != needles.end()) {
      depth = (seed.positionMm - at->second->entryMm).dot(at->second->Direction());
    }
    html << "<tr><td class=\"n\">" << i << "</td><td class=\"n\">" << Fixed(seed.positionMm.x(), 1)
         << "</td><td class=\"n\">" << Fixed(seed.positionMm.y(), 1) << "</td><td class=\"n\">"
         << Fixed(seed.positionMm.z(), 1) << "</td><td>" << Escape(Or(seed.needle))
         << "</td><td class=\"n\">" << Fixed(depth, 1) << "</td><td class=\"n\">"
         << Fixed(seed.strengthU, 4) << "</td><td>"
         << (seed.direction ? "known (2D)" : "unknown (1D)") << "</td></tr>\n";
  }
  html << "</table>\n<p class=\"note\">Positions in DICOM patient coordinates (LPS) of the "
          "planning CT; depth along the needle from its skin entry.</p>\n";

  // Dose definition.
  const auto& grid = planned.session.ct.hu.Geometry();
  html << "<h2>Dose definition</h2>\n<table class=\"id\">\n";
  html << "<tr><td>Quantity</td><td>Total dose of the permanent implant, decayed to infinity: D "
          "= &#7882;<sub>0</sub> &tau;, &tau; = T&frac12;/ln 2 = "
       << FormatNumber(decay.MeanLifeHours(), 5) << " h (T&frac12; "
       << FormatNumber(model.HalfLifeDays(), 5) << " d), in Gy</td></tr>\n";
  html << "<tr><td>Formalism</td><td>AAPM TG-43U1 (Rivard et al. 2004, 2007, 2017), water, no "
          "heterogeneity correction &mdash; formalism "
       << Escape(plan.engine.formalism)
       << " (2D line source for seeds of known axis, 1D line source for the others); cutoff "
       << FormatNumber(plan.engine.cutoffCm) << " cm</td></tr>\n";
  html << "<tr><td>Dose grid</td><td>the CT grid: " << grid.Size()[0] << " &times; "
       << grid.Size()[1] << " &times; " << grid.Size()[2] << " voxels of "
       << FormatNumber(grid.SpacingMm().x(), 4) << " &times; "
       << FormatNumber(grid.SpacingMm().y(), 4) << " &times; "
       << FormatNumber(grid.SpacingMm().z(), 4)
       << " mm; DVH from each structure's own mask, border voxels sub-sampled</td></tr>\n";
  html << "<tr><td>S<sub>K</sub></td><td>" << Fixed(plan.assayStrengthU, 4) << " U at assay ("
       << Escape(Or(plan.assayDate)) << "), " << Fixed(plan.strengthAtImplantU, 4)
       << " U at implant (" << Escape(Or(plan.implantDate)) << ")</td></tr>\n";
  html << "<tr><td>Dose engine</td><td>seedplan " << SEEDPLAN_VERSION
       << " (this report; the plan was computed by seedplan "
       << Escape(Or(plan.engine.programVersion)) << ")</td></tr>\n";
  html << "<tr><td>Model</td><td>TG-43, water</td></tr>\n</table>\n";

  // Signature.
  html << "<h2>Approval</h2>\n<table class=\"signature\"><tr><th>Physicist</th><td></td>"
          "<th>Signature</th><td></td><th>Date</th><td></td></tr></table>\n";
  html << "<p class=\"note\">Generated " << Escape(input.generatedUtc) << " by seedplan "
       << SEEDPLAN_VERSION << ".</p>\n</body></html>\n";
  return html.str();
}

std::string PlanReport::Write(const EvaluatedPlan& planned, const EvaluatedPlan* compare,
                              const dosimetry::SourceLibrary& library,
                              const std::filesystem::path& out) {
  const auto model = library.Load(planned.session.plan.seedModel);
  PlanReportInput input;
  input.planned = &planned;
  input.compare = compare;
  input.model = model.get();
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &utc);
  input.generatedUtc = text;

  const auto pictures = ReportPictureSource::Make();
  input.noPicturesReason = pictures->Unavailable();
  if (input.noPicturesReason.empty()) {
    ReportScene scene;
    scene.plan = &planned.session.plan;
    scene.ct = &planned.session.ct;
    scene.structures = &planned.session.structures;
    scene.doseGy = &planned.session.doseGy;
    scene.curves = &planned.session.curves;
    if (compare && compare->session.ct.info.frameOfReferenceUid ==
                       planned.session.ct.info.frameOfReferenceUid) {
      scene.comparePlan = &compare->session.plan;
      scene.compareDoseGy = &compare->session.doseGy;
      scene.compareCurves = &compare->session.curves;
    }
    for (const auto& target : planned.session.plan.targets) {
      input.lesionPictures.emplace_back(target.structureName,
                                        pictures->LesionSlices(scene, target.structureName));
    }
    input.dvh = pictures->Dvh(scene);
  }
  AtomicFileWriter writer(out);
  writer.WriteAll(Html(input));
  writer.Commit();
  return "wrote " + out.string() + " (pictures: " +
         (input.noPicturesReason.empty() ? std::string("drawn")
                                         : "none, " + input.noPicturesReason) +
         ")";
}

} // namespace seedplan::app
