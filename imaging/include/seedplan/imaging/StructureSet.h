#pragma once

#include "seedplan/imaging/Structure.h"

#include <string>
#include <vector>

namespace seedplan::imaging {

/// A problem with one ROI of an RT Structure Set that makes it unfit for use: a corrupt contour
/// (coordinates that are not finite numbers, fewer than 3 points, not in a slice plane), contours
/// on another Frame of Reference, no enclosed voxel. The reader keeps the rest of the file; a
/// command that uses the structure refuses it (StructureLoader::Require, PlanningSession), one
/// that only lists the structures warns (issue 13: refuse, do not skip).
struct StructureDefect {
  int number = 0;       ///< ROI Number
  std::string name;     ///< ROI Name (as the structure is called)
  std::string problem;  ///< "contour 5 of 12: Contour Data value 31 is 'nan'; expected ..."
  bool dropped = false; ///< the ROI is missing from `structures` because of it
};

/// The structures of one patient on one CT (an RT Structure Set or a label map).
struct StructureSet {
  std::string sourceFile;
  std::string frameOfReferenceUid; ///< empty for label maps
  std::string referencedSeriesUid; ///< CT series the contours were drawn on; may be empty
  std::vector<Structure> structures;
  std::vector<StructureDefect> defects; ///< what was wrong with some ROIs (see StructureDefect)

  /// "<file>: ROI 3 'GTV' <problem>" for messages.
  std::string Describe(const StructureDefect& defect) const {
    return sourceFile + ": ROI " + std::to_string(defect.number) + " '" + defect.name + "' " +
           defect.problem;
  }

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
