#pragma once

#include <string>

namespace seedplan::imaging {

/// What a structure is for in planning (DESIGN.md, Planning): targets get a prescription; organs at
/// risk have dose limits; needles must never cross a no-go structure (spinal cord, aorta and great
/// vessels, heart, trachea); pass-through tissue is allowed at a cost (lung, liver, skin, muscle);
/// bone only along an access route the physicist allows; the body outline is External.
enum class StructureRole { Target, OrganAtRisk, NoGo, PassThrough, Bone, External, Unknown };

/// "target", "oar", "no-go", "pass-through", "bone", "external", "unknown".
std::string RoleName(StructureRole role);
/// Inverse of RoleName; throws InvalidInput naming `context` for anything else.
StructureRole ParseRole(const std::string& text, const std::string& context);

} // namespace seedplan::imaging
