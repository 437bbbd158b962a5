#include "ReportPictureSource.h"

#include "ViewScene.h"
#include "seedplan/viewer/Pictures.h"
#include "seedplan/viewer/SliceContent.h"
#include "seedplan/viewer/XDisplay.h"

#include <algorithm>
#include <array>
#include <cstdio>

namespace seedplan::app {

namespace {

/// Whether every curve names a structure of `structures` (a post-implant plan evaluated on its
/// own CT may name others: its curves are then drawn from the grid over the plan's structures).
bool AllNamed(const std::vector<planning::StructureDvhCurve>& curves,
              const imaging::StructureSet& structures) {
  return std::all_of(curves.begin(), curves.end(),
                     [&](const auto& curve) { return structures.Find(curve.structureName); });
}

/// The report's pictures (PNG, 8-bit RGB) from the viewer's off-screen renderer: axial, coronal
/// and sagittal slices through the centre of each lesion's mask with the isodoses of its
/// prescription, and the DVH of every structure (the compared plan dashed when given). The X
/// display is checked before VTK is touched (VTK 9.1 aborts without one).
class ViewerReportPictures final : public ReportPictureSource {
public:
  ViewerReportPictures() : m_Problem(viewer::XDisplayProblem()) {}

  std::string Unavailable() const override {
    return m_Problem.empty() ? std::string() : "no X display (" + m_Problem + ")";
  }

  std::vector<ReportPicture> LesionSlices(const ReportScene& scene,
                                          const std::string& target) override {
    const imaging::Structure* structure = scene.structures->Find(target);
    if (!structure) {
      return {};
    }
    const Eigen::Vector3d centre = viewer::MaskCentreMm(structure->mask);
    std::vector<ReportPicture> pictures;
    // Slice positions are the LPS coordinate along each plane's normal: z, y, x.
    const std::array<std::pair<viewer::ViewPlane, double>, 3> planes{
        {{viewer::ViewPlane::Axial, centre.z()},
         {viewer::ViewPlane::Coronal, centre.y()},
         {viewer::ViewPlane::Sagittal, centre.x()}}};
    for (const auto& [plane, sliceMm] : planes) {
      viewer::ViewSettings settings;
      settings.plane = plane;
      settings.throughStructure = target;
      settings.sliceMm = sliceMm;
      settings.widthPx = kSidePx;
      settings.heightPx = kSidePx;
      const auto png = Renderer().RenderPng(SceneOf(scene), settings);
      pictures.push_back({target + ", " + viewer::PlaneName(plane) + " through its centre (" +
                              FormatMm(sliceMm) + " mm), isodoses in % of its prescription",
                          std::string(png.begin(), png.end())});
    }
    return pictures;
  }

  std::optional<ReportPicture> Dvh(const ReportScene& scene) override {
    viewer::ViewSettings settings;
    settings.plane = viewer::ViewPlane::Dvh;
    settings.widthPx = 1000;
    settings.heightPx = 700;
    const auto png = Renderer().RenderPng(SceneOf(scene), settings);
    return ReportPicture{"Cumulative DVH of every structure (total dose, Gy)",
                         std::string(png.begin(), png.end())};
  }

private:
  /// 600 px: a third of an A4 page's width at about 200 dpi.
  static constexpr int kSidePx = 600;

  static std::string FormatMm(double value) {
    char text[32];
    std::snprintf(text, sizeof text, "%.1f", value);
    return text;
  }

  viewer::PictureRenderer& Renderer() {
    if (!m_Renderer) {
      m_Renderer = std::make_unique<viewer::PictureRenderer>();
    }
    return *m_Renderer;
  }

  const viewer::Scene& SceneOf(const ReportScene& scene) {
    if (m_SceneOf != scene.plan) {
      m_Scene = viewer::Scene{};
      m_Scene.ct = scene.ct->hu;
      m_Scene.patientPosition = scene.ct->info.patientPosition;
      m_Scene.patientId = scene.plan->patientId;
      m_Scene.structures = SceneStructuresOf(*scene.structures, *scene.plan);
      m_Scene.plan = ScenePlanOf(*scene.plan, "plan");
      m_Scene.plan.dose = SceneDoseOf(*scene.doseGy);
      // The evaluator's curves (issue 12's one evaluator); without them, the grid's.
      m_Scene.plan.dvh = scene.curves ? DvhCurvesOf(*scene.curves, *scene.structures, *scene.plan)
                                      : DvhCurvesOf(*scene.doseGy, *scene.structures, *scene.plan);
      // PlanReport::Write gives the compared plan only when it shares the Frame of Reference.
      m_Scene.compareSharesFrame = true;
      if (scene.comparePlan && scene.compareDoseGy) {
        m_Scene.compare = ScenePlanOf(*scene.comparePlan, "post-implant");
        m_Scene.compare->dose = SceneDoseOf(*scene.compareDoseGy);
        m_Scene.compare->dvh =
            scene.compareCurves && AllNamed(*scene.compareCurves, *scene.structures)
                ? DvhCurvesOf(*scene.compareCurves, *scene.structures, *scene.comparePlan)
                : DvhCurvesOf(*scene.compareDoseGy, *scene.structures, *scene.comparePlan);
      }
      m_SceneOf = scene.plan;
    }
    return m_Scene;
  }

  std::string m_Problem;
  std::unique_ptr<viewer::PictureRenderer> m_Renderer;
  viewer::Scene m_Scene;
  const planning::Plan* m_SceneOf = nullptr;
};

} // namespace

std::unique_ptr<ReportPictureSource> ReportPictureSource::Make() {
  return std::make_unique<ViewerReportPictures>();
}

} // namespace seedplan::app
