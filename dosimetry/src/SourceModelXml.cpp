#include "seedplan/dosimetry/SourceModelXml.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"

#include <fstream>
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
                       parent->Name() + ">");
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
    const std::string where = std::string("element <") + element->Name() + "> attribute " + name;
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
      table.values.push_back(Number(Text(value), std::string("element <") + element->Name() +
                                                     "><value r_cm=\"" + Attribute(value, "r_cm") +
                                                     "\">"));
    }
    return table;
  }

  const std::string& File() const { return m_File; }

private:
  std::string m_File;
};

} // namespace

SourceModel SourceModelXml::Read(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Io(path.string() + ": cannot open source model file for reading");
  }
  std::ostringstream content;
  content << in.rdbuf();
  return Parse(content.str(), path.string());
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
    throw DataFormat(fileName + ": root element is <" + std::string(root ? root->Name() : "") +
                     ">; expected <seedplanSourceModel>");
  }
  const std::string version = reader.Attribute(root, "schemaVersion");
  if (version != std::to_string(kSchemaVersion)) {
    throw DataFormat(fileName + ": attribute schemaVersion is '" + version + "'; expected '" +
                     std::to_string(kSchemaVersion) + "' (this seedplan reads only that version)");
  }

  SourceModelData data;
  data.fileName = fileName;
  data.id = reader.RequireText(root, "id");
  data.name = reader.RequireText(root, "name");
  data.isotope = reader.RequireText(root, "isotope");
  if (data.isotope != "I-125") {
    throw DataFormat(fileName + ": element <isotope> is '" + data.isotope +
                     "'; expected I-125 (the only isotope seedplan models)");
  }
  data.dataStatus = reader.RequireText(root, "dataStatus");
  if (data.dataStatus != "consensus" && data.dataStatus != "single-source") {
    throw DataFormat(fileName + ": element <dataStatus> is '" + data.dataStatus +
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
                       geometry + "'; expected line or point");
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
        "element <anisotropyFunction><row r_cm=\"" + reader.Attribute(row, "r_cm") + "\">";
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
  return SourceModel(std::move(data));
}

} // namespace seedplan::dosimetry
