#include "DemoPictures.h"

#include "ViewScene.h"

#include "seedplan/viewer/Pictures.h"
#include "seedplan/viewer/SliceContent.h"
#include "seedplan/viewer/XDisplay.h"

#include <cctype>
#include <iostream>

namespace seedplan::app {

namespace {

/// A structure name as a file name: letters, digits, '-', '_' and '.' kept, the rest '_'.
std::string FileNamePart(const std::string& name) {
  std::string part;
  for (char c : name) {
    const bool keep =
        std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
    part += keep ? c : '_';
  }
  return part.empty() ? "structure" : part;
}

} // namespace

std::vector<std::filesystem::path> WriteDemoPictures(const PlanningSession& session,
                                                     const std::filesystem::path& folder) {
  std::vector<std::filesystem::path> written;
  if (!viewer::XDisplayProblem().empty()) {
    std::cout << "pictures skipped: no X display\n";
    return written;
  }
  viewer::Scene scene;
  scene.ct = session.ct.hu;
  scene.patientPosition = session.ct.info.patientPosition;
  scene.patientId = session.plan.patientId;
  scene.structures = SceneStructuresOf(session.structures, session.plan);
  scene.plan = ScenePlanOf(session.plan, "plan.xml (plan)");
  scene.plan.dose = SceneDoseOf(session.doseGy);
  scene.plan.dvh = DvhCurvesOf(session.curves, session.structures, session.plan);

  viewer::PictureRenderer renderer;
  for (const auto& target : session.plan.targets) {
    const imaging::Structure* structure = session.structures.Find(target.structureName);
    if (!structure) {
      continue;
    }
    viewer::ViewSettings settings;
    settings.plane = viewer::ViewPlane::Axial;
    settings.throughStructure = target.structureName;
    settings.sliceMm = viewer::MaskCentreMm(structure->mask).z();
    const auto path = folder / (FileNamePart(target.structureName) + "_axial.png");
    viewer::WritePngFile(path, renderer.RenderPng(scene, settings));
    written.push_back(path);
  }
  viewer::ViewSettings dvh;
  dvh.plane = viewer::ViewPlane::Dvh;
  const auto path = folder / "dvh.png";
  viewer::WritePngFile(path, renderer.RenderPng(scene, dvh));
  written.push_back(path);
  std::cout << "pictures:";
  for (const auto& file : written) {
    std::cout << ' ' << file.string();
  }
  std::cout << '\n';
  return written;
}

} // namespace seedplan::app
