#pragma once

#include "seedplan/core/Volume.h"
#include "seedplan/imaging/StructureRole.h"

#include <Eigen/Core>
#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace seedplan::imaging {

/// One closed planar contour of an RT Structure Set, in patient coordinates (LPS, mm).
struct ContourPolygon {
  std::vector<Eigen::Vector3d> pointsMm;
};

/// A named structure: its contours (RT Structure Set) or none (label map), its mask rasterised on
/// a grid (the CT's, or a finer one for small structures), its role and where the role came from.
struct Structure {
  int number = 0;   ///< ROI Number (3006,0022) or label value
  std::string name; ///< ROI Name (3006,0026) or the label's name
  std::array<std::uint8_t, 3> colorRgb{255, 0, 0};
  std::string interpretedType; ///< RT ROI Interpreted Type (3006,00A4) as read; may be empty
  StructureRole role = StructureRole::Unknown;
  std::string roleSource; ///< "RT ROI Interpreted Type", "naming rule", "command line" or "none"
  std::vector<ContourPolygon> contours;
  Mask mask;
};

} // namespace seedplan::imaging
