#include "seedplan/imaging/StructureRole.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"

namespace seedplan::imaging {

std::string RoleName(StructureRole role) {
  switch (role) {
  case StructureRole::Target:
    return "target";
  case StructureRole::OrganAtRisk:
    return "oar";
  case StructureRole::NoGo:
    return "no-go";
  case StructureRole::PassThrough:
    return "pass-through";
  case StructureRole::Bone:
    return "bone";
  case StructureRole::External:
    return "external";
  case StructureRole::Unknown:
    break;
  }
  return "unknown";
}

StructureRole ParseRole(const std::string& text, const std::string& context) {
  for (StructureRole role : {StructureRole::Target, StructureRole::OrganAtRisk, StructureRole::NoGo,
                             StructureRole::PassThrough, StructureRole::Bone,
                             StructureRole::External, StructureRole::Unknown}) {
    if (text == RoleName(role)) {
      return role;
    }
  }
  throw InvalidInput(context + " is '" + Excerpt(text) +
                     "'; expected target, oar, no-go, pass-through, bone, external or unknown");
}

} // namespace seedplan::imaging
