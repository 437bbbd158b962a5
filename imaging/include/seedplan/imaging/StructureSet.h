#pragma once

#include "seedplan/imaging/Structure.h"

#include <string>
#include <vector>

namespace seedplan::imaging {

/// The structures of one patient on one CT (an RT Structure Set or a label map).
struct StructureSet {
  std::string sourceFile;
  std::string frameOfReferenceUid; ///< empty for label maps
  std::string referencedSeriesUid; ///< CT series the contours were drawn on; may be empty
  std::vector<Structure> structures;

  /// The structure with exactly this name, or nullptr.
  const Structure* Find(const std::string& name) const {
    for (const auto& structure : structures) {
      if (structure.name == name) {
        return &structure;
      }
    }
    return nullptr;
  }
};

} // namespace seedplan::imaging
