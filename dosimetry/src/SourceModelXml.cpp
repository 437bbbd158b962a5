#include "seedplan/dosimetry/SourceModelXml.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/InputFile.h"
#include "seedplan/core/InputLimits.h"
#include "seedplan/core/TextParsing.h"

#include <sstream>
#include <tinyxml2.h>

namespace seedplan::dosimetry {

namespace {

using tinyxml2::XMLElement;

class Reader {
public:
  explicit Reader(std::string file) : m_File(std::move(file)) {}

  const XMLElement* Require(const XMLElement* parent, const char* name) const {
    const XMLElement* element = parent->FirstChildElement(name);
    if (!element) {
      throw DataFormat(m_File + ": element <" + name + "> is missing; expected it inside <" +
                       Excerpt(parent->Name()) + ">");
    }
    return element;
  }

  std::string Text(const XMLElement* element) const {
    const char* text = element->GetText();
    return text ? text : "";
  }

  std::string RequireText(const XMLElement* parent, const char* name) const {
    const std::string text = Text(Require(parent, name));
    if (text.empty()) {
      throw DataFormat(m_File + ": element <" + name + "> is empty; expected a value");
    }
    return text;
  }

  double Number(const std::string& text, const std::string& where) const {
    return ParseFiniteNumber(text, m_File + ": " + where);
  }

  double RequireNumber(const XMLElement* parent, const char* name) const {
    return Number(RequireText(parent, name), std::string("element <") + name + ">");
  }

  std::string Attribute(const XMLElement* element, const char* name) const {
    const char* value = element->Attribute(name);
    return value ? value : "";
  }

  double NumberAttribute(const XMLElement* element, const char* name) const {
    const char* value = element->Attribute(name);
    const std::string where =
        std::string("element <") + Excerpt(element->Name()) + "> attribute " + name;
    if (!value) {
      throw DataFormat(m_File + ": " + where + " is missing; expected a number");
    }
    return Number(value, where);
  }

  std::vector<double> NumberList(const std::string& text, const std::string& where) const {
    std::istringstream in(text);
    std::vector<double> values;
    std::string token;
    while (in >> token) {
      values.push_back(Number(token, where));
    }
    return values;
  }

  RadialTable Radial(const XMLElement* element) const {
    RadialTable table;
    for (const XMLElement* value = element->FirstChildElement("value"); value;
         value = value->NextSiblingElement("value")) {
      table.rCm.push_back(NumberAttribute(value, "r_cm"));
      table.values.push_back(Number(Text(value), std::string("element <") +
                                                     Excerpt(element->Name()) + "><value r_cm=\"" +
                                                     Excerpt(Attribute(value, "r_cm")) + "\">"));
    }
    return table;
  }

  const std::string& File() const { return m_File; }

private:
  std::string m_File;
};

// Physical bounds of a 125I seed's TG-43 data (SourceModel checks positivity and table shapes):
// every published 125I model lies well inside them, and a value outside would make every dose
// wrong (a half-life of 1e308 days, a dose-rate constant of 1e300).
// 125I: T1/2 = 59.40 d (NNDC); older data sets quote 59.6-60.2 d.
constexpr double kMinHalfLifeDays = 59.0;
constexpr double kMaxHalfLifeDays = 61.0;
// Apparent activity to air-kerma strength: 1.270 U/mCi (TG-43 1995); vendors' factors lie near.
constexpr double kMinStrengthPerActivity = 1.0;
constexpr double kMaxStrengthPerActivity = 1.6;
// Dose-rate constants of 125I seeds: 0.86-1.04 cGy/(h U) (TG-43U1 and its supplements).
constexpr double kMinDoseRateConstant = 0.5;
constexpr double kMaxDoseRateConstant = 1.5;
// Table radii: TG-43 tables end at 7-10 cm; 20 cm is above any.
constexpr double kMaxTableRadiusCm = 20.0;
// g_L, g_P, F and phi_an of 125I seeds stay below 4 at every tabulated point (the largest: F near
// the axis at 0.25 cm, 3.46 for the LS-1); 10 leaves room and still bounds every dose.
constexpr double kMaxTableValue = 10.0;

void CheckTable(const std::vector<double>& radii, const std::vector<double>& values,
                const std::string& file, const std::string& element) {
  for (const double r : radii) {
    limits::RequireInRange(r, 0.0, kMaxTableRadiusCm, true,
                           file + ": element <" + element + "> radius", "a radius", "cm");
  }
  for (const double value : values) {
    limits::RequireInRange(value, 0.0, kMaxTableValue, true,
                           file + ": element <" + element + "> value", "a TG-43 function value",
                           "");
  }
}

void CheckPhysicalBounds(const SourceModelData& data, const std::string& file) {
  try {
    limits::RequireInRange(data.halfLifeDays, kMinHalfLifeDays, kMaxHalfLifeDays, false,
                           file + ": element <halfLifeDays>", "the half-life of 125I", "days");
    limits::RequireInRange(data.strengthPerActivityUPerMCi, kMinStrengthPerActivity,
                           kMaxStrengthPerActivity, false, file + ": element <strengthPerActivity>",
                           "an air-kerma strength per apparent activity of 125I", "U/mCi");
    limits::RequireInRange(data.doseRateConstantCGyPerHPerU, kMinDoseRateConstant,
                           kMaxDoseRateConstant, false, file + ": element <doseRateConstant>",
                           "the dose-rate constant of a 125I seed", "cGy/(h U)");
    CheckTable(data.radialDoseLine.rCm, data.radialDoseLine.values, file,
               "radialDoseFunction geometry=\"line\"");
    CheckTable(data.radialDosePoint.rCm, data.radialDosePoint.values, file,
               "radialDoseFunction geometry=\"point\"");
    CheckTable(data.anisotropyFactor.rCm, data.anisotropyFactor.values, file, "anisotropyFactor");
    CheckTable(data.anisotropy.rCm, data.anisotropy.values, file, "anisotropyFunction");
  } catch (const InvalidInput& error) {
    throw DataFormat(error.what()); // a bad source file is a format error, as SourceModel's own
  }
}

} // namespace

SourceModel SourceModelXml::Read(const std::filesystem::path& path) {
  return Parse(InputFile::ReadAll(path, limits::kMaxSourceXmlBytes, "source model file"),
               path.string());
}

SourceModel SourceModelXml::Parse(const std::string& xmlText, const std::string& fileName) {
  tinyxml2::XMLDocument document;
  if (document.Parse(xmlText.c_str(), xmlText.size()) != tinyxml2::XML_SUCCESS) {
    throw DataFormat(fileName + ": not well-formed XML (" + document.ErrorStr() +
                     "); expected a seedplan source model file");
  }
  const Reader reader(fileName);
  const XMLElement* root = document.RootElement();
  if (!root || std::string(root->Name()) != "seedplanSourceModel") {
    throw DataFormat(fileName + ": root element is <" +
                     Excerpt(std::string(root ? root->Name() : "")) +
                     ">; expected <seedplanSourceModel>");
  }
  const std::string version = reader.Attribute(root, "schemaVersion");
  if (version != std::to_string(kSchemaVersion)) {
    throw DataFormat(fileName + ": attribute schemaVersion is '" + Excerpt(version) +
                     "'; expected '" + std::to_string(kSchemaVersion) +
                     "' (this seedplan reads only that version)");
  }

  SourceModelData data;
  data.fileName = fileName;
  data.id = reader.RequireText(root, "id");
  data.name = reader.RequireText(root, "name");
  data.isotope = reader.RequireText(root, "isotope");
  if (data.isotope != "I-125") {
    throw DataFormat(fileName + ": element <isotope> is '" + Excerpt(data.isotope) +
                     "'; expected I-125 (the only isotope seedplan models)");
  }
  data.dataStatus = reader.RequireText(root, "dataStatus");
  if (data.dataStatus != "consensus" && data.dataStatus != "single-source") {
    throw DataFormat(fileName + ": element <dataStatus> is '" + Excerpt(data.dataStatus) +
                     "'; expected consensus or single-source");
  }
  data.halfLifeDays = reader.RequireNumber(root, "halfLifeDays");
  data.strengthPerActivityUPerMCi = reader.RequireNumber(root, "strengthPerActivity");
  data.doseRateConstantCGyPerHPerU = reader.RequireNumber(root, "doseRateConstant");
  data.doseRateConstantStatus =
      reader.Attribute(reader.Require(root, "doseRateConstant"), "status");
  data.activeLengthCm = reader.RequireNumber(root, "activeLength");
  data.activeLengthStatus = reader.Attribute(reader.Require(root, "activeLength"), "status");

  for (const XMLElement* g = root->FirstChildElement("radialDoseFunction"); g;
       g = g->NextSiblingElement("radialDoseFunction")) {
    const std::string geometry = reader.Attribute(g, "geometry");
    RadialTable* target = nullptr;
    if (geometry == "line") {
      target = &data.radialDoseLine;
    } else if (geometry == "point") {
      target = &data.radialDosePoint;
    } else {
      throw DataFormat(fileName + ": element <radialDoseFunction> attribute geometry is '" +
                       Excerpt(geometry) + "'; expected line or point");
    }
    if (!target->Empty()) {
      throw DataFormat(fileName + ": element <radialDoseFunction geometry=\"" + geometry +
                       "\"> appears twice; expected one");
    }
    *target = reader.Radial(g);
    if (target->Empty()) {
      throw DataFormat(fileName + ": element <radialDoseFunction geometry=\"" + geometry +
                       "\"> has no <value>; expected a table");
    }
  }

  const XMLElement* anisotropy = reader.Require(root, "anisotropyFunction");
  data.anisotropy.thetaDeg = reader.NumberList(reader.Text(reader.Require(anisotropy, "angles")),
                                               "element <anisotropyFunction><angles>");
  for (const XMLElement* row = anisotropy->FirstChildElement("row"); row;
       row = row->NextSiblingElement("row")) {
    const double r = reader.NumberAttribute(row, "r_cm");
    const std::string where =
        "element <anisotropyFunction><row r_cm=\"" + Excerpt(reader.Attribute(row, "r_cm")) + "\">";
    const std::vector<double> values = reader.NumberList(reader.Text(row), where);
    if (values.size() != data.anisotropy.thetaDeg.size()) {
      throw DataFormat(fileName + ": " + where + " has " + std::to_string(values.size()) +
                       " values; expected " + std::to_string(data.anisotropy.thetaDeg.size()) +
                       ", one per angle");
    }
    data.anisotropy.rCm.push_back(r);
    data.anisotropy.values.insert(data.anisotropy.values.end(), values.begin(), values.end());
  }

  if (const XMLElement* phi = root->FirstChildElement("anisotropyFactor")) {
    data.anisotropyFactor = reader.Radial(phi);
  }

  if (const XMLElement* provenance = root->FirstChildElement("provenance")) {
    if (const XMLElement* dataset = provenance->FirstChildElement("dataset")) {
      data.dataset = reader.Text(dataset);
    }
    for (const XMLElement* ref = provenance->FirstChildElement("reference"); ref;
         ref = ref->NextSiblingElement("reference")) {
      data.references.push_back(
          {reader.Attribute(ref, "key"), reader.Text(ref), reader.Attribute(ref, "doi"), "", ""});
    }
    for (const XMLElement* tr = provenance->FirstChildElement("transcription"); tr;
         tr = tr->NextSiblingElement("transcription")) {
      data.transcriptions.push_back({reader.Attribute(tr, "key"), reader.Text(tr), "",
                                     reader.Attribute(tr, "location"),
                                     reader.Attribute(tr, "commit")});
    }
  } else {
    throw DataFormat(fileName + ": element <provenance> is missing; expected the paper, tables " +
                     "and transcriptions the data come from");
  }
  if (const XMLElement* notes = root->FirstChildElement("notes")) {
    for (const XMLElement* note = notes->FirstChildElement("note"); note;
         note = note->NextSiblingElement("note")) {
      data.notes.push_back({reader.Attribute(note, "kind"), reader.Text(note)});
    }
  }
  CheckPhysicalBounds(data, fileName);
  return SourceModel(std::move(data));
}

} // namespace seedplan::dosimetry
