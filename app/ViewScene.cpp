#include "ViewScene.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/dosimetry/DvhCalculator.h"
#include "seedplan/imaging/StructureRole.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <numbers>

namespace seedplan::app {

namespace {

/// 125I (DESIGN.md): T½ = 59.40 d, τ = T½ / ln 2 in hours, for dose files that do not say.
constexpr double kIodineHalfLifeDays = 59.40;
/// Points of a drawn DVH curve: over 0..Dmax, and again over 0..3 Rx where the target curves
/// fall (the chart's dose axis ends at 3 Rx); at 800 px a step of ~1 px.
constexpr int kCurvePoints = 800;
constexpr int kCurvePointsNearRx = 400;
constexpr double kNearRxMultiple = 3.0;

} // namespace

std::string PlanLabel(const std::filesystem::path& planFile, const planning::Plan& plan) {
  return planFile.filename().string() + " (" + plan.kind + ")";
}

viewer::ScenePlan ScenePlanOf(const planning::Plan& plan, const std::string& label) {
  viewer::ScenePlan scenePlan;
  scenePlan.label = label;
  for (const Seed& seed : plan.seeds) {
    scenePlan.seeds.push_back({seed.positionMm, seed.direction});
  }
  for (const auto& needle : plan.needles) {
    scenePlan.needles.push_back({needle.id, needle.entryMm, needle.tipMm});
  }
  for (const auto& target : plan.targets) {
    scenePlan.prescriptions.push_back({target.structureName, target.prescriptionGy});
  }
  return scenePlan;
}

std::vector<viewer::SceneStructure> SceneStructuresOf(const imaging::StructureSet& structures,
                                                      const planning::Plan& plan) {
  std::vector<viewer::SceneStructure> scene;
  for (const auto& structure : structures.structures) {
    viewer::SceneStructure entry;
    entry.name = structure.name;
    entry.colorRgb = structure.colorRgb;
    entry.role = imaging::RoleName(structure.role);
    const bool prescribed =
        std::any_of(plan.targets.begin(), plan.targets.end(),
                    [&](const auto& target) { return target.structureName == structure.name; });
    entry.kind = structure.role == imaging::StructureRole::Target || prescribed
                     ? viewer::StructureKind::Target
                 : structure.role == imaging::StructureRole::External
                     ? viewer::StructureKind::External
                     : viewer::StructureKind::Organ;
    for (const auto& contour : structure.contours) {
      entry.contoursMm.push_back(contour.pointsMm);
    }
    entry.mask = structure.mask;
    scene.push_back(std::move(entry));
  }
  return scene;
}

viewer::SceneDose SceneDoseOf(Volume<float> values) {
  viewer::SceneDose dose;
  const auto& meta = values.MetaData();
  if (const auto unit = meta.find("seedplan_unit"); unit != meta.end()) {
    dose.isDoseRate = unit->second == "cGy/h";
  }
  if (const auto quantity = meta.find("seedplan_quantity"); quantity != meta.end()) {
    dose.quantity = quantity->second;
  } else {
    dose.quantity = dose.isDoseRate ? "initial dose rate" : "total dose";
  }
  double halfLifeDays = kIodineHalfLifeDays;
  if (const auto halfLife = meta.find("seedplan_half_life_days"); halfLife != meta.end()) {
    halfLifeDays = ParseFiniteNumber(halfLife->second, "dose header seedplan_half_life_days");
    if (!(halfLifeDays > 0.0)) {
      throw InvalidInput("dose header seedplan_half_life_days is " + halfLife->second +
                         "; expected a half-life > 0 days");
    }
  }
  dose.meanLifeHours = halfLifeDays * 24.0 / std::numbers::ln2;
  dose.model = "TG-43, water";
  dose.values = std::move(values);
  return dose;
}

std::vector<viewer::DvhCurve> DvhCurvesOf(const Volume<float>& doseGy,
                                          const imaging::StructureSet& structures,
                                          const planning::Plan& plan) {
  double maxRx = 0.0;
  for (const auto& target : plan.targets) {
    maxRx = std::max(maxRx, target.prescriptionGy);
  }
  std::vector<viewer::DvhCurve> curves(structures.structures.size());
  std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic, 1)
  for (std::size_t s = 0; s < structures.structures.size(); ++s) {
    try {
      const imaging::Structure& structure = structures.structures[s];
      const dosimetry::Dvh dvh = dosimetry::DvhCalculator::Compute(structure.mask, doseGy);
      viewer::DvhCurve& curve = curves[s];
      curve.structureName = structure.name;
      curve.colorRgb = structure.colorRgb;
      curve.isTarget = structure.role == imaging::StructureRole::Target ||
                       std::any_of(plan.targets.begin(), plan.targets.end(), [&](const auto& t) {
                         return t.structureName == structure.name;
                       });
      curve.maxDoseGy = dvh.MaxDoseGy();
      std::vector<double> doses;
      for (int i = 0; i <= kCurvePoints; ++i) {
        doses.push_back(curve.maxDoseGy * i / kCurvePoints);
      }
      const double nearRx = std::min(curve.maxDoseGy, kNearRxMultiple * maxRx);
      for (int i = 1; maxRx > 0.0 && i < kCurvePointsNearRx; ++i) {
        doses.push_back(nearRx * i / kCurvePointsNearRx);
      }
      std::sort(doses.begin(), doses.end());
      doses.erase(std::unique(doses.begin(), doses.end()), doses.end());
      for (double dose : doses) {
        curve.points.push_back({dose, 100.0 * dvh.VolumeFractionAtLeast(dose)});
      }
    } catch (...) {
#pragma omp critical
      if (!failure) {
        failure = std::current_exception();
      }
    }
  }
  if (failure) {
    std::rethrow_exception(failure);
  }
  return curves;
}

std::vector<viewer::DvhCurve> DvhCurvesOf(const std::vector<planning::StructureDvhCurve>& curves,
                                          const imaging::StructureSet& structures,
                                          const planning::Plan& plan) {
  std::vector<viewer::DvhCurve> drawn;
  for (const auto& curve : curves) {
    const imaging::Structure* structure = structures.Find(curve.structureName);
    if (!structure) {
      throw InvalidInput("DVH curve of '" + curve.structureName +
                         "': no such structure in the structure set");
    }
    viewer::DvhCurve entry;
    entry.structureName = curve.structureName;
    entry.colorRgb = structure->colorRgb;
    entry.isTarget = structure->role == imaging::StructureRole::Target ||
                     std::any_of(plan.targets.begin(), plan.targets.end(),
                                 [&](const auto& t) { return t.structureName == structure->name; });
    for (const auto& point : curve.points) {
      entry.points.push_back({point.doseGy, point.volumePct});
      entry.maxDoseGy = std::max(entry.maxDoseGy, point.doseGy);
    }
    drawn.push_back(std::move(entry));
  }
  return drawn;
}

} // namespace seedplan::app
