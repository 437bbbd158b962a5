#include "seedplan/planning/PlanXml.h"

#include "seedplan/core/AtomicFileWriter.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/InputFile.h"
#include "seedplan/core/InputLimits.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/core/Version.h"
#include "seedplan/dosimetry/Formalism.h"
#include "seedplan/dosimetry/SourceLibrary.h"
#include "seedplan/planning/CalendarDate.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <ctime>
#include <memory>
#include <sstream>
#include <tinyxml2.h>

namespace seedplan::planning {

namespace {

using tinyxml2::XMLDocument;
using tinyxml2::XMLElement;

constexpr const char* kKindPlan = "plan";
constexpr const char* kKindPostImplant = "post-implant";
constexpr const char* kOrganLimitMetrics[] = {"Dmax", "D0_1cc", "D1cc", "D2cc"};
// Bounds of the plan's numbers beyond core/InputLimits.h: the dose cutoff (README: at least
// 10 cm, where a seed gives < 0.1 % of its dose at 1 cm; the engine accepts up to 100 cm), the
// planning margin and seed spacing as `seedplan plan` accepts them.
constexpr double kMinCutoffCm = 10.0;
constexpr double kMaxCutoffCm = 100.0;
constexpr double kMaxMarginMm = 10.0;
constexpr double kMaxSeedSpacingMm = 20.0;
constexpr double kMinDirectionComponent = 1e-9;
constexpr double kMaxDirectionComponent = 1e6;

/// The DoseMetrics fields and their attribute names: the keys of DoseMetrics::ToJson.
struct MetricField {
  const char* key;
  double dosimetry::DoseMetrics::*value;
};
struct OptionalMetricField {
  const char* key;
  std::optional<double> dosimetry::DoseMetrics::*value;
};
constexpr MetricField kMetricFields[] = {
    {"prescription_Gy", &dosimetry::DoseMetrics::prescriptionGy},
    {"volume_cc", &dosimetry::DoseMetrics::volumeCc},
    {"D90_Gy", &dosimetry::DoseMetrics::D90Gy},
    {"D98_Gy", &dosimetry::DoseMetrics::D98Gy},
    {"D100_Gy", &dosimetry::DoseMetrics::D100Gy},
    {"Dmean_Gy", &dosimetry::DoseMetrics::DmeanGy},
    {"Dmin_Gy", &dosimetry::DoseMetrics::DminGy},
    {"Dmax_Gy", &dosimetry::DoseMetrics::DmaxGy},
    {"V100_pct", &dosimetry::DoseMetrics::V100Pct},
    {"V150_pct", &dosimetry::DoseMetrics::V150Pct},
    {"V200_pct", &dosimetry::DoseMetrics::V200Pct},
};
constexpr OptionalMetricField kOptionalMetricFields[] = {
    {"D2cc_Gy", &dosimetry::DoseMetrics::D2ccGy},
    {"D1cc_Gy", &dosimetry::DoseMetrics::D1ccGy},
    {"D0_1cc_Gy", &dosimetry::DoseMetrics::D0_1ccGy},
    {"CI", &dosimetry::DoseMetrics::CI},
    {"EI", &dosimetry::DoseMetrics::EI},
    {"HI", &dosimetry::DoseMetrics::HI},
};

bool IsOrganLimitMetric(const std::string& metric) {
  return std::find(std::begin(kOrganLimitMetrics), std::end(kOrganLimitMetrics), metric) !=
         std::end(kOrganLimitMetrics);
}

/// The shortest text that reads back to exactly `value` (std::to_chars round-trip guarantee).
std::string ExactNumber(double value) {
  char buffer[64];
  const auto result = std::to_chars(buffer, buffer + sizeof buffer, value);
  return std::string(buffer, result.ptr);
}

std::string DescribeVector(const Eigen::Vector3d& v) {
  // Appended piece by piece: GCC 12 gives a false -Wrestrict for "(" + std::string.
  std::string text = "(";
  text += FormatNumber(v.x());
  text += ", ";
  text += FormatNumber(v.y());
  text += ", ";
  text += FormatNumber(v.z());
  text += ")";
  return text;
}

/// Builds the document, refusing values that could not be read back (InvalidInput naming the
/// field): what ToXml writes, FromXml reads.
class Writer {
public:
  XMLElement* Child(XMLElement* parent, const char* name) {
    return parent->InsertNewChildElement(name);
  }

  void Number(XMLElement* element, const char* name, double value, const std::string& where) {
    if (!std::isfinite(value)) {
      throw InvalidInput("cannot write plan: " + where + " " + name + " is " + FormatNumber(value) +
                         "; expected a finite number");
    }
    element->SetAttribute(name, ExactNumber(value).c_str());
  }

  void PositiveNumber(XMLElement* element, const char* name, double value,
                      const std::string& where) {
    if (!(value > 0.0)) {
      throw InvalidInput("cannot write plan: " + where + " " + name + " is " + FormatNumber(value) +
                         "; expected a positive strength");
    }
    Number(element, name, value, where);
  }

  void OptionalNumber(XMLElement* element, const char* name, const std::optional<double>& value,
                      const std::string& where) {
    if (value) {
      Number(element, name, *value, where);
    }
  }

  void Text(XMLElement* element, const char* name, const std::string& value) {
    if (!value.empty()) {
      element->SetAttribute(name, value.c_str());
    }
  }

  void RequiredText(XMLElement* element, const char* name, const std::string& value,
                    const std::string& where) {
    if (value.empty()) {
      throw InvalidInput("cannot write plan: " + where + " " + name +
                         " is empty; expected a structure name");
    }
    element->SetAttribute(name, value.c_str());
  }

  void Date(XMLElement* element, const char* name, const std::string& value,
            const std::string& where) {
    if (!value.empty() && !CalendarDate::IsValid(value)) {
      throw InvalidInput("cannot write plan: " + where + " " + name + " is '" + value +
                         "'; expected a date YYYY-MM-DD");
    }
    Text(element, name, value);
  }

  void Point(XMLElement* element, const Eigen::Vector3d& pointMm, const std::string& where) {
    Number(element, "x_mm", pointMm.x(), where);
    Number(element, "y_mm", pointMm.y(), where);
    Number(element, "z_mm", pointMm.z(), where);
  }
};

/// Reads the document; every refusal is a DataFormat naming the file and the element.
class Reader {
public:
  explicit Reader(std::string file) : m_File(std::move(file)) {}

  [[noreturn]] void Fail(const std::string& message) const {
    throw DataFormat(m_File + ": " + message);
  }

  const XMLElement* Require(const XMLElement* parent, const char* name,
                            const std::string& parentWhere) const {
    const XMLElement* element = parent->FirstChildElement(name);
    if (!element) {
      Fail(std::string("element <") + name + "> is missing; expected it inside " + parentWhere);
    }
    return element;
  }

  std::string Text(const XMLElement* element, const char* name) const {
    const char* value = element->Attribute(name);
    return value ? value : "";
  }

  std::string RequireText(const XMLElement* element, const char* name,
                          const std::string& where) const {
    const std::string value = Text(element, name);
    if (value.empty()) {
      Fail(where + " has no attribute " + name + "; expected a structure name");
    }
    return value;
  }

  std::optional<double> OptionalNumber(const XMLElement* element, const char* name,
                                       const std::string& where) const {
    const char* value = element->Attribute(name);
    if (!value) {
      return std::nullopt;
    }
    const std::string text = value;
    double number = 0.0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), number);
    if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size() ||
        !std::isfinite(number)) {
      Fail(where + " attribute " + name + " is '" + Excerpt(text) + "'; expected a finite number");
    }
    return number;
  }

  double Number(const XMLElement* element, const char* name, const std::string& where) const {
    const std::optional<double> value = OptionalNumber(element, name, where);
    if (!value) {
      Fail(where + " has no attribute " + name + "; expected a number");
    }
    return *value;
  }

  /// A number within physical bounds (core/InputLimits.h): DataFormat naming the file otherwise.
  double Bounded(const XMLElement* element, const char* name, const std::string& where, double low,
                 double high, bool lowExclusive, const std::string& quantity,
                 const std::string& unit) const {
    const double value = Number(element, name, where);
    InRange(value, low, high, lowExclusive, where + " attribute " + name, quantity, unit);
    return value;
  }

  void InRange(double value, double low, double high, bool lowExclusive, const std::string& what,
               const std::string& quantity, const std::string& unit) const {
    try {
      limits::RequireInRange(value, low, high, lowExclusive, what, quantity, unit);
    } catch (const InvalidInput& error) {
      Fail(error.what());
    }
  }

  double Strength(const XMLElement* element, const char* name, const std::string& where) const {
    return Bounded(element, name, where, 0.0, limits::kMaxStrengthU, true, "an air-kerma strength",
                   "U");
  }

  Eigen::Vector3d Position(const XMLElement* element, const std::string& where) const {
    const Eigen::Vector3d point = Point(element, where);
    for (int axis = 0; axis < 3; ++axis) {
      static const char* const kNames[] = {"x_mm", "y_mm", "z_mm"};
      InRange(point[axis], -limits::kMaxCoordinateMm, limits::kMaxCoordinateMm, false,
              where + " attribute " + kNames[axis], "a position in patient coordinates", "mm");
    }
    return point;
  }

  int Count(const XMLElement* element, const char* name, const std::string& where) const {
    const std::string text = Text(element, name);
    int value = 0;
    const auto result = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size() ||
        value < 0) {
      Fail(where + " attribute " + name + " is '" + Excerpt(text) +
           "'; expected a whole number >= 0");
    }
    return value;
  }

  std::string Date(const XMLElement* element, const char* name, const std::string& where) const {
    const std::string value = Text(element, name);
    if (element->Attribute(name) && !CalendarDate::IsValid(value)) {
      Fail(where + " attribute " + name + " is '" + Excerpt(value) +
           "'; expected a date YYYY-MM-DD");
    }
    return value;
  }

  /// Refuses a seed model that is not in the source library, naming the plan file.
  void KnownModel(const std::string& id, const std::string& where) const {
    const std::vector<std::string> ids = Library().ModelIds();
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
      std::string known;
      for (const std::string& candidate : ids) {
        known += (known.empty() ? "" : ", ") + candidate;
      }
      Fail(where + " is '" + Excerpt(id) +
           "', which is not a seed model of the source library; "
           "expected one of: " +
           known);
    }
  }

  const dosimetry::SourceLibrary& Library() const {
    if (!m_Library) {
      m_Library = std::make_unique<dosimetry::SourceLibrary>();
    }
    return *m_Library;
  }

  Eigen::Vector3d Point(const XMLElement* element, const std::string& where) const {
    return {Number(element, "x_mm", where), Number(element, "y_mm", where),
            Number(element, "z_mm", where)};
  }

private:
  std::string m_File;
  mutable std::unique_ptr<dosimetry::SourceLibrary> m_Library;
};

std::string KnownKind(const std::string& rootName) {
  if (rootName == "seedplanSourceModel") {
    return " (a seed source model file)";
  }
  if (rootName.rfind("seedplanStudy", 0) == 0) {
    return " (a study record)";
  }
  return "";
}

std::string ToXmlText(const Plan& plan) {
  XMLDocument document;
  document.InsertEndChild(document.NewDeclaration());
  XMLElement* root = document.NewElement(PlanXml::kRootElement);
  document.InsertEndChild(root);
  Writer writer;

  if (plan.kind != kKindPlan && plan.kind != kKindPostImplant) {
    throw InvalidInput("cannot write plan: kind is '" + plan.kind +
                       "'; expected plan or post-implant");
  }
  root->SetAttribute("schemaVersion", PlanXml::kSchemaVersion);
  root->SetAttribute("kind", plan.kind.c_str());

  XMLElement* provenance = writer.Child(root, "provenance");
  XMLElement* program = writer.Child(provenance, "program");
  program->SetAttribute("name", "seedplan");
  program->SetAttribute("version", SEEDPLAN_VERSION);
  writer.Child(provenance, "created")->SetAttribute("utc", PlanXml::NowUtc().c_str());
  XMLElement* engine = writer.Child(provenance, "engine");
  writer.Text(engine, "sourceModel", plan.seedModel);
  dosimetry::ParseFormalism(plan.engine.formalism, "cannot write plan: engine formalism");
  engine->SetAttribute("formalism", plan.engine.formalism.c_str());
  writer.Number(engine, "cutoff_cm", plan.engine.cutoffCm, "<engine>");
  writer.Number(engine, "doseGridSpacing_mm", plan.engine.doseGridSpacingMm, "<engine>");
  writer.Text(engine, "programVersion", plan.engine.programVersion);

  XMLElement* patient = writer.Child(root, "patient");
  writer.Text(patient, "id", plan.patientId);
  writer.Text(patient, "studyId", plan.studyId);
  if (plan.studyLog) {
    // Additive (schema version 1 still): readers that do not know it ignore it.
    const StudyLogLink& link = *plan.studyLog;
    if (link.studyFile.empty() || link.patientId.empty()) {
      throw InvalidInput("cannot write plan: <studyLog> needs the study file and the patient id");
    }
    XMLElement* studyLog = writer.Child(root, "studyLog");
    studyLog->SetAttribute("file", link.studyFile.c_str());
    writer.Text(studyLog, "studyId", link.studyId);
    studyLog->SetAttribute("patient", link.patientId.c_str());
    for (const auto& [target, lesion] : link.lesions) {
      if (target.empty() || lesion.empty()) {
        throw InvalidInput("cannot write plan: <studyLog><lesion> needs a target and a lesion id");
      }
      XMLElement* element = writer.Child(studyLog, "lesion");
      element->SetAttribute("target", target.c_str());
      element->SetAttribute("id", lesion.c_str());
    }
  }
  if (!plan.handEdits.empty()) {
    // Additive (schema version 1 still), like <studyLog>.
    XMLElement* edits = writer.Child(root, "handEdits");
    for (const HandEdit& edit : plan.handEdits) {
      if (edit.utc.empty()) {
        throw InvalidInput("cannot write plan: <handEdits><edit> needs its time (utc)");
      }
      XMLElement* element = writer.Child(edits, "edit");
      element->SetAttribute("utc", edit.utc.c_str());
      writer.Text(element, "user", edit.user);
      writer.Text(element, "from", edit.fromPlan);
      writer.Text(element, "summary", edit.summary);
    }
  }
  if (!plan.evaluatesPlan.empty()) {
    writer.Child(root, "evaluates")->SetAttribute("plan", plan.evaluatesPlan.c_str());
  }
  XMLElement* ct = writer.Child(root, "ct");
  writer.Text(ct, "path", plan.ctPath);
  writer.Text(ct, "studyUid", plan.ctStudyUid);
  writer.Text(ct, "seriesUid", plan.ctSeriesUid);
  writer.Text(ct, "frameOfReferenceUid", plan.frameOfReferenceUid);
  writer.Text(writer.Child(root, "structures"), "path", plan.structuresPath);

  XMLElement* targets = writer.Child(root, "targets");
  for (std::size_t i = 0; i < plan.targets.size(); ++i) {
    const TargetPrescription& target = plan.targets[i];
    const std::string where = "<target> #" + std::to_string(i + 1);
    XMLElement* element = writer.Child(targets, "target");
    writer.RequiredText(element, "structure", target.structureName, where);
    writer.Text(element, "site", target.site);
    writer.Number(element, "prescription_Gy", target.prescriptionGy, where);
    writer.Number(element, "margin_mm", target.marginMm, where);
  }
  XMLElement* limits = writer.Child(root, "organLimits");
  for (std::size_t i = 0; i < plan.limits.size(); ++i) {
    const OrganLimitSpec& limit = plan.limits[i];
    const std::string where = "<limit> #" + std::to_string(i + 1);
    XMLElement* element = writer.Child(limits, "limit");
    writer.RequiredText(element, "structure", limit.structureName, where);
    if (!IsOrganLimitMetric(limit.metric)) {
      throw InvalidInput("cannot write plan: " + where + " metric is '" + limit.metric +
                         "'; expected Dmax, D0_1cc, D1cc or D2cc");
    }
    element->SetAttribute("metric", limit.metric.c_str());
    writer.Number(element, "limit_Gy", limit.limitGy, where);
  }

  XMLElement* implant = writer.Child(root, "implant");
  writer.PositiveNumber(implant, "assayStrength_U", plan.assayStrengthU, "<implant>");
  writer.Date(implant, "assayDate", plan.assayDate, "<implant>");
  writer.Date(implant, "implantDate", plan.implantDate, "<implant>");
  writer.PositiveNumber(implant, "strengthAtImplant_U", plan.strengthAtImplantU, "<implant>");
  writer.Number(implant, "seedSpacing_mm", plan.seedSpacingMm, "<implant>");
  // Informative: the apparent activity with the model's own U/mCi factor (DESIGN.md, Conventions);
  // left out rather than guessed when the model is not in the source library.
  try {
    const double uPerMCi =
        dosimetry::SourceLibrary().Load(plan.seedModel)->StrengthPerActivityUPerMCi();
    writer.Number(implant, "activityAtImplant_mCi", plan.strengthAtImplantU / uPerMCi, "<implant>");
    writer.Number(implant, "strengthPerActivity_UPerMCi", uPerMCi, "<implant>");
  } catch (const Error&) {
  }

  XMLElement* needles = writer.Child(root, "needles");
  for (std::size_t i = 0; i < plan.needles.size(); ++i) {
    const Needle& needle = plan.needles[i];
    const std::string where = "<needle> #" + std::to_string(i + 1);
    XMLElement* element = writer.Child(needles, "needle");
    writer.Text(element, "id", needle.id);
    writer.Text(element, "target", needle.targetName);
    writer.Number(element, "depth_mm", needle.depthMm, where);
    writer.Number(element, "passThroughLength_mm", needle.passThroughLengthMm, where);
    if (needle.pleuralCrossings < 0) {
      throw InvalidInput("cannot write plan: " + where + " pleuralCrossings is " +
                         std::to_string(needle.pleuralCrossings) + "; expected >= 0");
    }
    element->SetAttribute("pleuralCrossings", needle.pleuralCrossings);
    writer.Point(writer.Child(element, "entry"), needle.entryMm, where + " <entry>");
    writer.Point(writer.Child(element, "tip"), needle.tipMm, where + " <tip>");
    const Eigen::Vector3d axis = needle.tipMm - needle.entryMm;
    if (axis.norm() > 0.0) {
      const Eigen::Vector3d direction = axis.normalized();
      XMLElement* directionElement = writer.Child(element, "direction");
      writer.Number(directionElement, "x", direction.x(), where + " <direction>");
      writer.Number(directionElement, "y", direction.y(), where + " <direction>");
      writer.Number(directionElement, "z", direction.z(), where + " <direction>");
    }
    for (const std::string& tissue : needle.tissuesCrossed) {
      writer.Child(element, "tissue")->SetAttribute("name", tissue.c_str());
    }
  }

  XMLElement* seeds = writer.Child(root, "seeds");
  for (std::size_t i = 0; i < plan.seeds.size(); ++i) {
    const Seed& seed = plan.seeds[i];
    const std::string where = "<seed> #" + std::to_string(i + 1);
    XMLElement* element = writer.Child(seeds, "seed");
    writer.Point(element, seed.positionMm, where);
    if (seed.direction) {
      if (!(seed.direction->norm() > 0.0)) {
        throw InvalidInput("cannot write plan: " + where + " direction is " +
                           DescribeVector(*seed.direction) +
                           "; expected a non-zero vector along the seed's long axis");
      }
      writer.Number(element, "dir_x", seed.direction->x(), where);
      writer.Number(element, "dir_y", seed.direction->y(), where);
      writer.Number(element, "dir_z", seed.direction->z(), where);
    }
    writer.PositiveNumber(element, "strength_U", seed.strengthU, where);
    writer.Text(element, "model", seed.model);
    writer.Text(element, "needle", seed.needle);
    if (seed.confidence && !(*seed.confidence >= 0.0 && *seed.confidence <= 1.0)) {
      throw InvalidInput("cannot write plan: " + where + " confidence is " +
                         FormatNumber(*seed.confidence) + "; expected a value in [0, 1]");
    }
    writer.OptionalNumber(element, "confidence", seed.confidence, where);
  }

  XMLElement* metrics = writer.Child(root, "metrics");
  for (std::size_t i = 0; i < plan.metrics.size(); ++i) {
    const StructureMetrics& structure = plan.metrics[i];
    const std::string where = "<metrics><structure> #" + std::to_string(i + 1);
    XMLElement* element = writer.Child(metrics, "structure");
    writer.RequiredText(element, "name", structure.structureName, where);
    writer.Text(element, "role", structure.role);
    writer.OptionalNumber(element, "rx_Gy", structure.rxGy, where);
    for (const MetricField& field : kMetricFields) {
      writer.Number(element, field.key, structure.metrics.*field.value, where);
    }
    for (const OptionalMetricField& field : kOptionalMetricFields) {
      writer.OptionalNumber(element, field.key, structure.metrics.*field.value, where);
    }
  }

  tinyxml2::XMLPrinter printer;
  document.Print(&printer);
  return std::string(printer.CStr(), static_cast<std::size_t>(printer.CStrSize() - 1));
}

// In the program a relative path is relative to the working directory (as the user typed it); in
// a plan file it is relative to the file's folder, so that a plan is read the same from any
// working directory and a patient folder holding its plans can be moved. Absolute paths stay
// absolute.
std::string RelativeToFileFolder(const std::string& path, const std::filesystem::path& file) {
  namespace fs = std::filesystem;
  if (path.empty() || fs::path(path).is_absolute()) {
    return path;
  }
  const fs::path folder = fs::absolute(file).parent_path().lexically_normal();
  const fs::path target = fs::absolute(path).lexically_normal();
  const fs::path relative = target.lexically_relative(folder);
  return relative.empty() ? target.string() : relative.string();
}

// The inverse of RelativeToFileFolder for a plan file being read. Plans written before paths were
// stored relative to their folder hold paths relative to the working directory they were written
// from; such a path is kept when it names something and the one beside the plan file does not.
std::string RelativeToWorkingDirectory(const std::string& path, const std::filesystem::path& file) {
  namespace fs = std::filesystem;
  if (path.empty() || fs::path(path).is_absolute()) {
    return path;
  }
  const fs::path besideFile = (file.parent_path() / path).lexically_normal();
  std::error_code error;
  if (!fs::exists(besideFile, error) && fs::exists(path, error)) {
    return path;
  }
  return besideFile.string();
}

} // namespace

std::string PlanXml::ToXml(const Plan& plan) {
  return ToXmlText(plan);
}

std::string PlanXml::ToXml(const Plan& plan, const std::filesystem::path& file) {
  Plan stored = plan;
  stored.ctPath = RelativeToFileFolder(plan.ctPath, file);
  stored.structuresPath = RelativeToFileFolder(plan.structuresPath, file);
  stored.evaluatesPlan = RelativeToFileFolder(plan.evaluatesPlan, file);
  return ToXmlText(stored);
}

void PlanXml::Write(const Plan& plan, const std::filesystem::path& file) {
  std::string text;
  try {
    text = ToXml(plan, file);
  } catch (const InvalidInput& error) {
    throw InvalidInput(file.string() + ": " + error.what());
  }
  AtomicFileWriter writer(file);
  writer.WriteAll(text);
  writer.Commit();
}

Plan PlanXml::Read(const std::filesystem::path& file) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(file, error)) {
    throw Io(file.string() + ": cannot read plan file: " +
             (std::filesystem::exists(file, error) ? "it is not a file" : "no such file"));
  }
  Plan plan =
      FromXml(InputFile::ReadAll(file, limits::kMaxPlanXmlBytes, "plan file"), file.string());
  plan.sourceFile = file.string();
  plan.ctPath = RelativeToWorkingDirectory(plan.ctPath, file);
  plan.structuresPath = RelativeToWorkingDirectory(plan.structuresPath, file);
  plan.evaluatesPlan = RelativeToWorkingDirectory(plan.evaluatesPlan, file);
  return plan;
}

Plan PlanXml::FromXml(const std::string& text, const std::string& fileName) {
  tinyxml2::XMLDocument document;
  if (text.empty() || document.Parse(text.c_str(), text.size()) != tinyxml2::XML_SUCCESS) {
    throw DataFormat(fileName + ": not well-formed XML (" +
                     (text.empty() ? std::string("the file is empty") : document.ErrorStr()) +
                     "); expected a seedplan plan file <" + kRootElement + ">");
  }
  const Reader reader(fileName);
  const XMLElement* root = document.RootElement();
  const std::string rootName = root ? root->Name() : "";
  if (rootName != kRootElement) {
    reader.Fail("root element is <" + Excerpt(rootName) + ">" + KnownKind(rootName) +
                "; expected <" + kRootElement + ">, a seedplan plan file");
  }
  const std::string rootWhere = std::string("<") + kRootElement + ">";
  const std::string version = reader.Text(root, "schemaVersion");
  const std::string expected = std::to_string(kSchemaVersion);
  if (version != expected) {
    int number = 0;
    const auto result = std::from_chars(version.data(), version.data() + version.size(), number);
    const bool newer = result.ec == std::errc() && result.ptr == version.data() + version.size() &&
                       number > kSchemaVersion;
    const std::string found =
        rootWhere + " attribute schemaVersion is '" + Excerpt(version) + "'; ";
    if (newer) {
      reader.Fail(found + "this seedplan (" + SEEDPLAN_VERSION +
                  ") reads plan files of schema version " + expected +
                  " only: the file was written by a newer seedplan");
    }
    reader.Fail(found + "expected " + expected);
  }

  Plan plan;
  plan.kind = reader.Text(root, "kind");
  if (plan.kind != kKindPlan && plan.kind != kKindPostImplant) {
    reader.Fail(rootWhere + " attribute kind is '" + Excerpt(plan.kind) +
                "'; expected plan or post-implant");
  }

  const XMLElement* provenance = reader.Require(root, "provenance", rootWhere);
  reader.Require(provenance, "program", "<provenance>");
  const XMLElement* engine = reader.Require(provenance, "engine", "<provenance>");
  plan.seedModel = reader.Text(engine, "sourceModel");
  plan.engine.formalism = reader.Text(engine, "formalism");
  try {
    dosimetry::ParseFormalism(plan.engine.formalism, "<engine> attribute formalism");
  } catch (const InvalidInput& error) {
    reader.Fail(error.what());
  }
  if (plan.seedModel.empty()) {
    reader.Fail("<engine> has no attribute sourceModel; expected the seed model of the plan");
  }
  reader.KnownModel(plan.seedModel, "<engine> attribute sourceModel");
  plan.engine.cutoffCm = reader.Bounded(engine, "cutoff_cm", "<engine>", kMinCutoffCm, kMaxCutoffCm,
                                        false, "a dose cutoff distance", "cm");
  plan.engine.doseGridSpacingMm = reader.Number(engine, "doseGridSpacing_mm", "<engine>");
  if (plan.engine.doseGridSpacingMm != 0.0) {
    reader.InRange(plan.engine.doseGridSpacingMm, limits::kMinVoxelSpacingMm,
                   limits::kMaxVoxelSpacingMm, false, "<engine> attribute doseGridSpacing_mm",
                   "0 (the CT grid) or a grid spacing", "mm");
  }
  plan.engine.programVersion = reader.Text(engine, "programVersion");

  const XMLElement* patient = reader.Require(root, "patient", rootWhere);
  plan.patientId = reader.Text(patient, "id");
  plan.studyId = reader.Text(patient, "studyId");
  if (const XMLElement* studyLog = root->FirstChildElement("studyLog")) {
    StudyLogLink link;
    link.studyFile = reader.Text(studyLog, "file");
    link.studyId = reader.Text(studyLog, "studyId");
    link.patientId = reader.Text(studyLog, "patient");
    if (link.studyFile.empty() || link.patientId.empty()) {
      reader.Fail("element <studyLog> needs attributes file and patient; expected where the plan "
                  "was logged");
    }
    for (const XMLElement* lesion = studyLog->FirstChildElement("lesion"); lesion;
         lesion = lesion->NextSiblingElement("lesion")) {
      link.lesions.emplace_back(reader.Text(lesion, "target"), reader.Text(lesion, "id"));
      if (link.lesions.back().first.empty() || link.lesions.back().second.empty()) {
        reader.Fail("element <studyLog><lesion> needs attributes target and id");
      }
    }
    plan.studyLog = std::move(link);
  }
  if (const XMLElement* edits = root->FirstChildElement("handEdits")) {
    for (const XMLElement* element = edits->FirstChildElement("edit"); element;
         element = element->NextSiblingElement("edit")) {
      HandEdit edit;
      edit.utc = reader.Text(element, "utc");
      if (edit.utc.empty()) {
        reader.Fail("element <handEdits><edit> needs attribute utc; expected when the plan was "
                    "edited by hand");
      }
      edit.user = reader.Text(element, "user");
      edit.fromPlan = reader.Text(element, "from");
      edit.summary = reader.Text(element, "summary");
      plan.handEdits.push_back(std::move(edit));
    }
  }
  if (const XMLElement* evaluates = root->FirstChildElement("evaluates")) {
    plan.evaluatesPlan = reader.Text(evaluates, "plan");
  }
  const XMLElement* ct = reader.Require(root, "ct", rootWhere);
  plan.ctPath = reader.Text(ct, "path");
  plan.ctStudyUid = reader.Text(ct, "studyUid");
  plan.ctSeriesUid = reader.Text(ct, "seriesUid");
  plan.frameOfReferenceUid = reader.Text(ct, "frameOfReferenceUid");
  plan.structuresPath = reader.Text(reader.Require(root, "structures", rootWhere), "path");

  const XMLElement* targets = reader.Require(root, "targets", rootWhere);
  int index = 0;
  for (const XMLElement* element = targets->FirstChildElement("target"); element;
       element = element->NextSiblingElement("target")) {
    const std::string where = "element <target> #" + std::to_string(++index);
    TargetPrescription target;
    target.structureName = reader.RequireText(element, "structure", where);
    target.site = reader.Text(element, "site");
    target.prescriptionGy = reader.Bounded(element, "prescription_Gy", where, 0.0,
                                           limits::kMaxDoseGy, true, "a prescription", "Gy");
    target.marginMm = reader.Bounded(element, "margin_mm", where, 0.0, kMaxMarginMm, false,
                                     "a planning margin", "mm");
    for (const TargetPrescription& earlier : plan.targets) {
      if (earlier.structureName == target.structureName) {
        reader.Fail(where + " names structure '" + Excerpt(target.structureName) +
                    "' again; expected one target element per structure (which prescription "
                    "holds would be a guess)");
      }
    }
    plan.targets.push_back(std::move(target));
  }
  const XMLElement* limits = reader.Require(root, "organLimits", rootWhere);
  index = 0;
  for (const XMLElement* element = limits->FirstChildElement("limit"); element;
       element = element->NextSiblingElement("limit")) {
    const std::string where = "element <limit> #" + std::to_string(++index);
    OrganLimitSpec limit;
    limit.structureName = reader.RequireText(element, "structure", where);
    limit.metric = reader.Text(element, "metric");
    if (!IsOrganLimitMetric(limit.metric)) {
      reader.Fail(where + " attribute metric is '" + Excerpt(limit.metric) +
                  "'; expected Dmax, D0_1cc, D1cc or D2cc");
    }
    limit.limitGy = reader.Bounded(element, "limit_Gy", where, 0.0, limits::kMaxDoseGy, true,
                                   "an organ dose limit", "Gy");
    for (const OrganLimitSpec& earlier : plan.limits) {
      if (earlier.structureName == limit.structureName && earlier.metric == limit.metric) {
        reader.Fail(where + " repeats the " + limit.metric + " limit of structure '" +
                    Excerpt(limit.structureName) +
                    "'; expected one limit per structure and metric");
      }
    }
    plan.limits.push_back(std::move(limit));
  }

  const XMLElement* implant = reader.Require(root, "implant", rootWhere);
  plan.assayStrengthU = reader.Strength(implant, "assayStrength_U", "element <implant>");
  plan.assayDate = reader.Date(implant, "assayDate", "element <implant>");
  plan.implantDate = reader.Date(implant, "implantDate", "element <implant>");
  plan.strengthAtImplantU = reader.Strength(implant, "strengthAtImplant_U", "element <implant>");
  plan.seedSpacingMm =
      reader.Bounded(implant, "seedSpacing_mm", "element <implant>", 0.0, kMaxSeedSpacingMm, false,
                     "a seed spacing along needles (0: none)", "mm");

  const XMLElement* needles = reader.Require(root, "needles", rootWhere);
  index = 0;
  for (const XMLElement* element = needles->FirstChildElement("needle"); element;
       element = element->NextSiblingElement("needle")) {
    const std::string where = "element <needle> #" + std::to_string(++index);
    Needle needle;
    needle.id = reader.Text(element, "id");
    needle.targetName = reader.Text(element, "target");
    needle.depthMm = reader.Bounded(element, "depth_mm", where, 0.0, 2 * limits::kMaxCoordinateMm,
                                    false, "a needle depth", "mm");
    needle.passThroughLengthMm =
        reader.Bounded(element, "passThroughLength_mm", where, 0.0, 2 * limits::kMaxCoordinateMm,
                       false, "a length", "mm");
    needle.pleuralCrossings = reader.Count(element, "pleuralCrossings", where);
    needle.entryMm = reader.Position(reader.Require(element, "entry", where), where + " <entry>");
    needle.tipMm = reader.Position(reader.Require(element, "tip", where), where + " <tip>");
    for (const XMLElement* tissue = element->FirstChildElement("tissue"); tissue;
         tissue = tissue->NextSiblingElement("tissue")) {
      needle.tissuesCrossed.push_back(reader.Text(tissue, "name"));
    }
    plan.needles.push_back(std::move(needle));
  }

  const XMLElement* seeds = reader.Require(root, "seeds", rootWhere);
  index = 0;
  for (const XMLElement* element = seeds->FirstChildElement("seed"); element;
       element = element->NextSiblingElement("seed")) {
    const std::string where = "element <seed> #" + std::to_string(++index);
    Seed seed;
    seed.positionMm = reader.Position(element, where);
    const std::optional<double> dx = reader.OptionalNumber(element, "dir_x", where);
    const std::optional<double> dy = reader.OptionalNumber(element, "dir_y", where);
    const std::optional<double> dz = reader.OptionalNumber(element, "dir_z", where);
    if (dx || dy || dz) {
      if (!(dx && dy && dz)) {
        reader.Fail(where + " has only some of dir_x, dir_y, dir_z; expected all three (the " +
                    "seed's long axis) or none (orientation unknown)");
      }
      const Eigen::Vector3d direction(*dx, *dy, *dz);
      // Components of a direction are of order 1: far beyond, its norm overflows or underflows.
      const double largest = direction.cwiseAbs().maxCoeff();
      if (!(largest >= kMinDirectionComponent && largest <= kMaxDirectionComponent)) {
        reader.Fail(where + " has direction " + DescribeVector(direction) +
                    "; expected a non-zero vector along the seed's long axis (components of "
                    "order 1)");
      }
      seed.direction = direction;
    }
    seed.strengthU = reader.Strength(element, "strength_U", where);
    seed.model = reader.Text(element, "model");
    if (!seed.model.empty()) {
      reader.KnownModel(seed.model, where + " attribute model");
    }
    seed.needle = reader.Text(element, "needle");
    seed.confidence = reader.OptionalNumber(element, "confidence", where);
    if (seed.confidence && !(*seed.confidence >= 0.0 && *seed.confidence <= 1.0)) {
      reader.Fail(where + " attribute confidence is " +
                  Excerpt(reader.Text(element, "confidence")) + "; expected a value in [0, 1]");
    }
    plan.seeds.push_back(std::move(seed));
  }

  const XMLElement* metrics = reader.Require(root, "metrics", rootWhere);
  index = 0;
  for (const XMLElement* element = metrics->FirstChildElement("structure"); element;
       element = element->NextSiblingElement("structure")) {
    const std::string where = "element <metrics><structure> #" + std::to_string(++index);
    StructureMetrics structure;
    structure.structureName = reader.RequireText(element, "name", where);
    structure.role = reader.Text(element, "role");
    structure.rxGy = reader.OptionalNumber(element, "rx_Gy", where);
    for (const MetricField& field : kMetricFields) {
      structure.metrics.*field.value = reader.Number(element, field.key, where);
    }
    for (const OptionalMetricField& field : kOptionalMetricFields) {
      structure.metrics.*field.value = reader.OptionalNumber(element, field.key, where);
    }
    plan.metrics.push_back(std::move(structure));
  }
  return plan;
}

std::string PlanXml::NowUtc() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

} // namespace seedplan::planning
