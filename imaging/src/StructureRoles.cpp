#include "seedplan/imaging/StructureRoles.h"

#include "seedplan/core/Error.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <vector>

namespace seedplan::imaging {

namespace {

struct NameParts {
  std::string compact;
  std::vector<std::string> tokens;
};

NameParts Split(const std::string& name) {
  NameParts parts;
  std::string token;
  int tokenKind = 0; // 1 letters, 2 digits
  for (unsigned char c : name) {
    const int kind = std::isalpha(c) ? 1 : std::isdigit(c) ? 2 : 0;
    if (kind != 0) {
      parts.compact += static_cast<char>(std::tolower(c));
    }
    if (kind != tokenKind && !token.empty()) {
      parts.tokens.push_back(token);
      token.clear();
    }
    if (kind != 0) {
      token += static_cast<char>(std::tolower(c));
    }
    tokenKind = kind;
  }
  if (!token.empty()) {
    parts.tokens.push_back(token);
  }
  return parts;
}

bool CompactContains(const NameParts& parts, std::initializer_list<const char*> words) {
  return std::any_of(words.begin(), words.end(), [&](const char* word) {
    return parts.compact.find(word) != std::string::npos;
  });
}

bool TokenIs(const NameParts& parts, std::initializer_list<const char*> words) {
  return std::any_of(parts.tokens.begin(), parts.tokens.end(), [&](const std::string& token) {
    return std::any_of(words.begin(), words.end(), [&](const char* word) { return token == word; });
  });
}

bool TokenStartsWith(const NameParts& parts, std::initializer_list<const char*> prefixes) {
  return std::any_of(parts.tokens.begin(), parts.tokens.end(), [&](const std::string& token) {
    return std::any_of(prefixes.begin(), prefixes.end(),
                       [&](const char* prefix) { return token.rfind(prefix, 0) == 0; });
  });
}

} // namespace

std::optional<StructureRole>
StructureRoles::FromInterpretedType(const std::string& interpretedType) {
  std::string type;
  for (unsigned char c : interpretedType) {
    if (!std::isspace(c)) {
      type += static_cast<char>(std::toupper(c));
    }
  }
  if (type == "GTV" || type == "CTV" || type == "PTV") {
    return StructureRole::Target;
  }
  if (type == "AVOIDANCE") {
    return StructureRole::NoGo;
  }
  if (type == "EXTERNAL") {
    return StructureRole::External;
  }
  if (type == "ORGAN") {
    return StructureRole::OrganAtRisk;
  }
  return std::nullopt;
}

std::optional<StructureRole> StructureRoles::FromName(const std::string& name) {
  const NameParts parts = Split(name);
  if (TokenStartsWith(parts, {"gtv", "ctv", "ptv", "itv"}) ||
      TokenIs(parts, {"met", "mets", "node"}) ||
      CompactContains(parts, {"lesion", "tumo", "metast", "lymphnode", "target"})) {
    return StructureRole::Target;
  }
  if (CompactContains(parts,
                      {"cord", "canal", "cauda", "aorta", "heart", "trachea", "carina",
                       "greatvessel", "venacava", "pulmonaryartery", "esophag", "oesophag"}) ||
      TokenIs(parts, {"ivc", "svc"})) {
    return StructureRole::NoGo;
  }
  if (CompactContains(parts, {"vertebr", "bone", "sternum", "scapula", "clavicle", "pelvis",
                              "sacrum", "femur", "humerus", "skull", "mandible", "spine"}) ||
      TokenStartsWith(parts, {"rib"})) {
    return StructureRole::Bone;
  }
  if (TokenIs(parts, {"body", "external", "ext", "outline", "patient"})) {
    return StructureRole::External;
  }
  if (CompactContains(parts, {"lung", "liver", "skin", "muscle", "fat", "pleura", "subcut"})) {
    return StructureRole::PassThrough;
  }
  if (CompactContains(parts, {"kidney", "spleen", "stomach", "bowel", "colon", "duoden", "pancrea",
                              "bladder", "rectum", "bronch", "adrenal"}) ||
      TokenIs(parts, {"oar"})) {
    return StructureRole::OrganAtRisk;
  }
  return std::nullopt;
}

void StructureRoles::Assign(StructureSet& set,
                            const std::map<std::string, StructureRole>& commandLine) {
  for (const auto& [name, role] : commandLine) {
    if (set.Find(name) == nullptr) {
      std::string names;
      for (const auto& structure : set.structures) {
        names += (names.empty() ? "" : ", ") + structure.name;
      }
      throw InvalidInput(
          "role " + RoleName(role) + " is given for structure '" + name + "', which " +
          (set.sourceFile.empty() ? std::string("the structure set") : set.sourceFile) +
          " does not contain; its structures are: " + names);
    }
  }
  for (auto& structure : set.structures) {
    const bool fromLabelMap =
        structure.roleSource == "label map" && structure.role != StructureRole::Unknown;
    if (!fromLabelMap) {
      const std::optional<StructureRole> typeRole = FromInterpretedType(structure.interpretedType);
      const std::optional<StructureRole> nameRole = FromName(structure.name);
      const bool nameRefinesOrgan = typeRole == StructureRole::OrganAtRisk && nameRole &&
                                    *nameRole != StructureRole::OrganAtRisk;
      if (typeRole && !nameRefinesOrgan) {
        structure.role = *typeRole;
        structure.roleSource = "RT ROI Interpreted Type";
      } else if (nameRole) {
        structure.role = *nameRole;
        structure.roleSource = "naming rule";
      } else {
        structure.role = StructureRole::Unknown;
        structure.roleSource = "none";
      }
    }
    if (const auto override = commandLine.find(structure.name); override != commandLine.end()) {
      structure.role = override->second;
      structure.roleSource = "command line";
    }
  }
}

} // namespace seedplan::imaging
