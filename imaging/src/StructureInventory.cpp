#include "seedplan/imaging/StructureInventory.h"

#include "seedplan/core/Error.h"
#include "seedplan/imaging/ContourRasterizer.h"
#include "seedplan/imaging/CtLoader.h"
#include "seedplan/imaging/LabelMapReader.h"
#include "seedplan/imaging/RtStructureSetReader.h"
#include "seedplan/imaging/StructureLoader.h"
#include "seedplan/imaging/StructureRoles.h"
#include "seedplan/imaging/VolumeIo.h"

#include <limits>

namespace seedplan::imaging {

namespace {

void BoxOfMask(const Mask& mask, StructureSummary& summary) {
  Eigen::Vector3d low = Eigen::Vector3d::Constant(std::numeric_limits<double>::max());
  Eigen::Vector3d high = -low;
  std::int64_t count = 0;
  const auto& size = mask.Geometry().Size();
  for (std::int64_t k = 0; k < size[2]; ++k) {
    for (std::int64_t j = 0; j < size[1]; ++j) {
      for (std::int64_t i = 0; i < size[0]; ++i) {
        if (!mask.At(i, j, k)) {
          continue;
        }
        ++count;
        // The box of the voxels themselves: centres ± half a voxel along each grid axis.
        for (int corner = 0; corner < 8; ++corner) {
          const Eigen::Vector3d p = mask.Geometry().IndexToPoint(
              double(i) + ((corner & 1) ? 0.5 : -0.5), double(j) + ((corner & 2) ? 0.5 : -0.5),
              double(k) + ((corner & 4) ? 0.5 : -0.5));
          low = low.cwiseMin(p);
          high = high.cwiseMax(p);
        }
      }
    }
  }
  summary.volumeCc = double(count) * mask.Geometry().VoxelVolumeMm3() / 1000.0;
  summary.boxMinMm = count ? low : Eigen::Vector3d::Zero();
  summary.boxMaxMm = count ? high : Eigen::Vector3d::Zero();
}

StructureSummary Summarise(const Structure& structure) {
  StructureSummary summary;
  summary.number = structure.number;
  summary.name = structure.name;
  summary.role = structure.role;
  summary.roleSource = structure.roleSource;
  summary.interpretedType = structure.interpretedType;
  return summary;
}

} // namespace

bool StructureInventory::IsStructureFile(const std::filesystem::path& path) {
  if (std::filesystem::is_directory(path)) {
    return false;
  }
  if (StructureLoader::IsDicomFile(path)) {
    return true;
  }
  if (std::filesystem::exists(path.string() + ".labels.csv")) {
    return true;
  }
  const Volume<float> volume = ReadVolumeFloat(path);
  for (const auto& [key, value] : volume.MetaData()) {
    if (key.rfind("label_", 0) == 0 || key.rfind("Segment", 0) == 0) {
      return true;
    }
  }
  return false;
}

StructureInventory StructureInventory::Read(const std::filesystem::path& path,
                                            const std::filesystem::path& ctPath,
                                            const std::string& seriesUid) {
  StructureInventory inventory;
  inventory.source = path.string();
  StructureSet set;
  const bool dicom = StructureLoader::IsDicomFile(path);
  inventory.kind = dicom ? "RT Structure Set" : "label map";
  if (!ctPath.empty()) {
    const CtImage ct = CtLoader::Load(ctPath, seriesUid);
    set = StructureLoader::Load(path, ct);
    inventory.volumeNote = "from the masks rasterised on the CT " + ctPath.string();
  } else if (dicom) {
    set = RtStructureSetReader::ReadContours(path);
    StructureRoles::Assign(set);
    inventory.volumeNote = "from the contours (area x slab thickness; give --ct for the masks "
                           "every other command uses)";
  } else {
    set = LabelMapReader::Read(path);
    StructureRoles::Assign(set);
    inventory.volumeNote = "from the label map's voxels";
  }
  // Listing reports every structure's volume: a structure with a corrupt contour would be listed
  // smaller than drawn (or not at all), so the listing is refused as a plan would be.
  StructureLoader::RefuseDefects(set);
  inventory.frameOfReferenceUid = set.frameOfReferenceUid;
  for (const Structure& structure : set.structures) {
    StructureSummary summary = Summarise(structure);
    if (!ctPath.empty() || !dicom) {
      BoxOfMask(structure.mask, summary);
    } else {
      summary.volumeCc = ContourRasterizer::ContourVolumeMm3(structure.contours) / 1000.0;
      Eigen::Vector3d low = Eigen::Vector3d::Constant(std::numeric_limits<double>::max());
      Eigen::Vector3d high = -low;
      for (const auto& contour : structure.contours) {
        for (const auto& p : contour.pointsMm) {
          low = low.cwiseMin(p);
          high = high.cwiseMax(p);
        }
      }
      if (!structure.contours.empty()) {
        summary.boxMinMm = low;
        summary.boxMaxMm = high;
      }
    }
    inventory.structures.push_back(summary);
  }
  return inventory;
}

} // namespace seedplan::imaging
