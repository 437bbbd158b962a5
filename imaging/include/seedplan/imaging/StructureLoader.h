#pragma once

#include "seedplan/imaging/CtImage.h"
#include "seedplan/imaging/StructureSet.h"

#include <filesystem>
#include <map>
#include <string>

namespace seedplan::imaging {

/// Loads the structures a command line names with --structures: an RT Structure Set (DICOM,
/// rasterised on the CT) or a label map (on the CT's grid), and assigns their roles: RT ROI
/// Interpreted Type first, then the naming rule, then `roleOverrides` from the command line
/// (StructureRoles).
class StructureLoader {
public:
  static StructureSet Load(const std::filesystem::path& path, const CtImage& ct,
                           const std::map<std::string, StructureRole>& roleOverrides = {});

  /// True if `path` is a DICOM file (DICM magic at byte 128, or a .dcm file): an RT Structure Set.
  static bool IsDicomFile(const std::filesystem::path& path);

  /// The structure called `name`; InvalidInput listing the available names otherwise, or
  /// naming the problem if the ROI of that name has a StructureDefect (a corrupt contour, another
  /// Frame of Reference): a structure that is used is never quietly smaller or missing.
  static const Structure& Require(const StructureSet& set, const std::string& name);

  /// Throws InvalidInput describing the first StructureDefect of `set`, if any: for commands that
  /// use every structure (plan, evaluate, postplan: metrics of every structure, needle paths
  /// checked against all of them; inspect: every structure's volume). Require() refuses only the
  /// structure it is asked for and warns about the others (one line each).
  static void RefuseDefects(const StructureSet& set);
};

} // namespace seedplan::imaging
