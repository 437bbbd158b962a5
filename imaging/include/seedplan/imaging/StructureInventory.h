#pragma once

#include "seedplan/imaging/StructureRole.h"

#include <Eigen/Core>
#include <filesystem>
#include <string>
#include <vector>

namespace seedplan::imaging {

/// One line of `seedplan inspect` for a structure: name, role, volume (cc) and bounding box (mm).
struct StructureSummary {
  int number = 0;
  std::string name;
  StructureRole role = StructureRole::Unknown;
  std::string roleSource;
  std::string interpretedType;
  double volumeCc = 0.0;
  Eigen::Vector3d boxMinMm = Eigen::Vector3d::Zero();
  Eigen::Vector3d boxMaxMm = Eigen::Vector3d::Zero();
};

/// What an RT Structure Set or a label map holds, for `seedplan inspect`. Without a CT, an RT
/// Structure Set's volumes come from its contours (area × slab thickness) and its boxes from the
/// contour points; with a CT (--ct) from the masks rasterised on it, as every other command uses
/// them. A label map's volumes and boxes come from its voxels.
class StructureInventory {
public:
  std::string kind; ///< "RT Structure Set" or "label map"
  std::string source;
  std::string frameOfReferenceUid;
  std::string volumeNote; ///< how the volumes were obtained
  std::vector<StructureSummary> structures;

  /// True for a DICOM file, or a volume file whose header or sidecar names labels.
  static bool IsStructureFile(const std::filesystem::path& path);
  static StructureInventory Read(const std::filesystem::path& path,
                                 const std::filesystem::path& ctPath, const std::string& seriesUid);
};

} // namespace seedplan::imaging
