#pragma once
// A small patient on disk in the layout of `seedplan phantom` (DICOM CT, RT Structure Set,
// prescriptions and organ limits), so that `seedplan demo --patient` and `seedplan view` run end
// to end in seconds: the synthetic CT, a body outline, a 2 cm spherical target and a cord.

#include "../core/TempFolder.h"
#include "SyntheticScene.h"

#include "seedplan/imaging/CtLoader.h"
#include "seedplan/imaging/DicomCtWriter.h"
#include "seedplan/imaging/RtStructureSetWriter.h"
#include "seedplan/imaging/SamplePatient.h"

#include <fstream>

namespace seedplan::test {

/// The target of the synthetic patient: a sphere of 10 mm radius around the dose cone's centre.
const Eigen::Vector3d kPatientTargetMm{-10.0, 5.0, 0.0};
constexpr double kPatientTargetRadiusMm = 10.0;

inline void WriteText(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

/// Writes the patient into `folder` (created) and returns the CT as read back.
inline imaging::CtImage WriteSyntheticPatient(const std::filesystem::path& folder,
                                              const std::string& patientPosition = "HFS") {
  std::filesystem::create_directories(folder);
  SyntheticSceneOptions options;
  options.patientPosition = patientPosition;
  const viewer::Scene scene = SyntheticScene(options);
  imaging::DicomCtWriteOptions write;
  write.patientId = "SYNTH-001";
  write.patientPosition = patientPosition;
  imaging::DicomCtWriter::Write(folder / "ct", scene.ct, write);
  imaging::CtImage ct = imaging::CtLoader::Load(folder / "ct");

  const GridGeometry& grid = ct.hu.Geometry();
  auto structure = [&](int number, const std::string& name, viewer::Rgb color,
                       imaging::StructureRole role, const std::string& type, auto inside) {
    imaging::Structure s;
    s.number = number;
    s.name = name;
    s.colorRgb = color;
    s.role = role;
    s.interpretedType = type;
    s.mask = Mask(grid, 0);
    const auto& size = grid.Size();
    for (std::int64_t k = 0; k < size[2]; ++k) {
      for (std::int64_t j = 0; j < size[1]; ++j) {
        for (std::int64_t i = 0; i < size[0]; ++i) {
          s.mask.At(i, j, k) = inside(grid.IndexToPoint(double(i), double(j), double(k))) ? 1 : 0;
        }
      }
    }
    return s;
  };
  imaging::StructureSet set;
  set.structures.push_back(
      structure(1, "BODY", {0, 200, 0}, imaging::StructureRole::External, "EXTERNAL",
                [](const Eigen::Vector3d& p) {
                  return std::pow(p.x() / 75.0, 2) + std::pow(p.y() / 60.0, 2) <= 1.0;
                }));
  set.structures.push_back(structure(2, "GTV_Test", kTargetColor, imaging::StructureRole::Target,
                                     "GTV", [](const Eigen::Vector3d& p) {
                                       return (p - kPatientTargetMm).norm() <=
                                              kPatientTargetRadiusMm;
                                     }));
  set.structures.push_back(
      structure(3, "Cord", {150, 150, 0}, imaging::StructureRole::NoGo, "AVOIDANCE",
                [](const Eigen::Vector3d& p) { return std::hypot(p.x(), p.y() - 45.0) <= 6.0; }));
  imaging::RtStructureSetWriter::Write(folder / "rtstruct.dcm", set, ct);
  std::filesystem::create_directories(folder / "post_ct");
  WriteText(folder / "sample_seeds.csv", "x_mm,y_mm,z_mm\n");
  WriteText(folder / "implanted_seeds_planning_ct.csv", "x_mm,y_mm,z_mm\n");
  WriteText(folder / "post_ct_true_seeds.csv", "x_mm,y_mm,z_mm\n");
  WriteText(folder / "post_ct_transform.csv", "not used by these tests\n");
  WriteText(folder / "prescriptions.csv", "structure,site,rx_Gy\nGTV_Test,lung,100\n");
  WriteText(folder / "organ_limits.csv", "structure,metric,limit_Gy\nCord,Dmax,30\n");
  // `demo --patient` runs on a folder of the sample patient's layout only when it is marked as
  // written by the current generator (otherwise it rewrites it with the real sample patient): this
  // small patient is marked so that the demo runs on it in seconds.
  const imaging::SamplePatientFiles files{folder};
  WriteText(files.Readme(),
            "seedplan sample patient layout: the viewer tests' synthetic patient\n");
  WriteText(files.GeneratorStamp(), "seedplan sample patient generator " +
                                        std::to_string(imaging::SamplePatient::kGeneratorVersion) +
                                        "\n");
  return ct;
}

} // namespace seedplan::test
