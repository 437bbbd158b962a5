#pragma once

#include "seedplan/imaging/StructureRole.h"
#include "seedplan/imaging/StructureSet.h"

#include <map>
#include <optional>
#include <string>

namespace seedplan::imaging {

/// Gives every structure its planning role (DESIGN.md, Planning) and says where it came from
/// (Structure::roleSource): first the RT ROI Interpreted Type (3006,00A4), then the naming rule,
/// then the command line, which has the last word.
///
/// 1. RT ROI Interpreted Type (case-insensitive):
///
///    | type                          | role     |
///    |-------------------------------|----------|
///    | GTV, CTV, PTV                 | target   |
///    | AVOIDANCE                     | no-go    |
///    | EXTERNAL                      | external |
///    | ORGAN                         | oar, unless the name says more (below) |
///    | other (BOLUS, ISOCENTER, MARKER, CAVITY, SUPPORT, ...) or none | the name decides |
///
///    GTV/CTV/PTV, AVOIDANCE and EXTERNAL are final. ORGAN is the generic type most systems give
///    every organ, the spinal cord included; when the name matches any row of the naming rule
///    other than "oar", that row decides (roleSource "naming rule"): a cord typed ORGAN becomes
///    no-go, because needles must never cross it, a lung typed ORGAN becomes pass-through (every
///    pleural crossing is counted) and a rib typed ORGAN becomes bone. Those roles are for the
///    needles; planning still applies dose limits to no-go, pass-through and bone structures as to
///    any organ at risk (e.g. the cord's Dmax).
///
/// 2. Naming rule. The name is lower-cased; "compact" is the name without anything but letters
///    and digits ("Spinal Cord" -> "spinalcord"); "tokens" are its runs of letters and of digits
///    ("GTV1_lung" -> gtv, 1, lung). The first matching row wins:
///
///    | role         | name                                                                   |
///    |--------------|------------------------------------------------------------------------|
///    | target       | a token starting with gtv, ctv, ptv, itv; a token met, mets or node;   |
///    |              | compact contains lesion, tumo (tumor, tumour), metast, lymphnode,      |
///    |              | target                                                                 |
///    | no-go        | compact contains cord, canal (spinal canal), cauda, aorta, heart,      |
///    |              | trachea, carina, greatvessel, venacava, pulmonaryartery, esophag,      |
///    |              | oesophag; a token ivc or svc                                           |
///    | bone         | compact contains vertebr, bone, sternum, scapula, clavicle, pelvis,    |
///    |              | sacrum, femur, humerus, skull, mandible, spine; a token starting       |
///    |              | with rib                                                               |
///    | external     | a token body, external, ext, outline or patient                       |
///    | pass-through | compact contains lung, liver, skin, muscle, fat, pleura, subcut        |
///    | oar          | compact contains kidney, spleen, stomach, bowel, colon, duoden,        |
///    |              | pancrea, bladder, rectum, bronch, adrenal; a token oar                 |
///
///    Examples: "GTV_lung" target (target is tried before pass-through), "Lung_R" pass-through,
///    "SpinalCord_PRV5" no-go, "T10 vertebral body" bone, "BODY" external, "Kidney_L" oar.
///    A name that matches nothing keeps the role of its type (ORGAN -> oar) or is "unknown".
///
/// 3. Command line: `commandLine` maps exact structure names to roles (roleSource
///    "command line").
///
/// A role a label map's sidecar or header gave (roleSource "label map") counts as step 1 and is
/// kept unless the command line overrides it.
class StructureRoles {
public:
  /// Assigns roles as above. Throws InvalidInput naming the structure and listing the set's names
  /// if `commandLine` names a structure that is not in the set.
  static void Assign(StructureSet& set,
                     const std::map<std::string, StructureRole>& commandLine = {});

  /// Step 1 alone: the role of an RT ROI Interpreted Type (ORGAN -> oar), nullopt if it gives none.
  static std::optional<StructureRole> FromInterpretedType(const std::string& interpretedType);
  /// Step 2 alone: the role the naming rule gives `name`, nullopt if no row matches.
  static std::optional<StructureRole> FromName(const std::string& name);
};

} // namespace seedplan::imaging
