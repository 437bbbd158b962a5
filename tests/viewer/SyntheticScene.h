#pragma once
// Small known scenes made in code for the viewer tests: a CT of a water-like ellipse with a bone
// marker on the patient's left, an analytic dose field whose isodose levels are circles of known
// radii, a disc-shaped target and seeds at known places.

#include "seedplan/viewer/Scene.h"

#include <cmath>

namespace seedplan::test {

/// The analytic dose: a cone around `centre` in the axial plane, D(r) = Rx (2.5 − r / 20 mm),
/// capped at `capPct` % of Rx and the same on every slice, so that level p % lies on the circle
/// r = 20 mm × (2.5 − p / 100): 200 % at 10 mm, 150 % at 20, 100 % at 30, 90 % at 32, 80 % at 34,
/// 50 % at 40 mm.
struct ConeDose {
  Eigen::Vector3d centreMm{-10.0, 5.0, 0.0};
  double rxGy = 100.0;
  double capPct = 250.0;
  double At(const Eigen::Vector3d& p) const {
    const double r = std::hypot(p.x() - centreMm.x(), p.y() - centreMm.y());
    const double pct = std::min(capPct, 250.0 - 5.0 * r); // 100 × (2.5 − r / 20)
    return std::max(0.0, rxGy * pct / 100.0);
  }
  static double RadiusOfPercentMm(double pct) { return 20.0 * (2.5 - pct / 100.0); }
};

/// Options of the synthetic scene.
struct SyntheticSceneOptions {
  double fieldOfViewMm = 160.0; ///< square, in plane
  double spacingMm = 1.0;
  double sliceSpacingMm = 2.5;
  int slices = 21; ///< z from -25 to 25 mm
  ConeDose dose;
  Eigen::Matrix3d direction = Eigen::Matrix3d::Identity();
  std::string patientPosition = "HFS";
};

/// The target: a disc of 25 mm radius around the dose centre, 5 slices thick.
constexpr double kTargetRadiusMm = 25.0;
const viewer::Rgb kTargetColor{200, 100, 50};
/// A bright marker on the patient's left (x > 0).
const Eigen::Vector3d kLeftMarkerMm{50.0, -20.0, 0.0};
constexpr double kLeftMarkerRadiusMm = 8.0;

inline GridGeometry SyntheticGrid(const SyntheticSceneOptions& options) {
  const std::int64_t n = std::int64_t(std::lround(options.fieldOfViewMm / options.spacingMm));
  const Eigen::Vector3d spacing(options.spacingMm, options.spacingMm, options.sliceSpacingMm);
  const Eigen::Vector3d half(0.5 * (n - 1) * spacing.x(), 0.5 * (n - 1) * spacing.y(),
                             0.5 * (options.slices - 1) * spacing.z());
  // The first voxel's centre is the corner of the box the direction matrix spans.
  const Eigen::Vector3d origin = -(options.direction * half);
  return GridGeometry(origin, spacing, {n, n, options.slices}, options.direction);
}

inline viewer::Scene SyntheticScene(const SyntheticSceneOptions& options = {}) {
  viewer::Scene scene;
  const GridGeometry grid = SyntheticGrid(options);
  scene.ct = Volume<short>(grid, -1000);
  scene.patientPosition = options.patientPosition;
  scene.patientId = "SYNTH-001";
  Mask target(grid, 0);
  Volume<float> dose(grid, 0.0f);
  const auto& size = grid.Size();
  for (std::int64_t k = 0; k < size[2]; ++k) {
    for (std::int64_t j = 0; j < size[1]; ++j) {
      for (std::int64_t i = 0; i < size[0]; ++i) {
        const Eigen::Vector3d p = grid.IndexToPoint(double(i), double(j), double(k));
        const double ellipse = std::pow(p.x() / 75.0, 2) + std::pow(p.y() / 60.0, 2);
        short hu = ellipse <= 1.0 ? 40 : -1000;
        if ((p - kLeftMarkerMm).head<2>().norm() <= kLeftMarkerRadiusMm) {
          hu = 700;
        }
        scene.ct.At(i, j, k) = hu;
        dose.At(i, j, k) = float(options.dose.At(p));
        if ((p - options.dose.centreMm).head<2>().norm() <= kTargetRadiusMm &&
            std::abs(p.z()) <= 5.5) {
          target.At(i, j, k) = 1;
        }
      }
    }
  }
  viewer::SceneStructure structure;
  structure.name = "GTV_Test";
  structure.colorRgb = kTargetColor;
  structure.kind = viewer::StructureKind::Target;
  structure.role = "target";
  structure.mask = std::move(target);
  scene.structures.push_back(std::move(structure));

  scene.plan.label = "synthetic.xml (plan)";
  viewer::SceneDose sceneDose;
  sceneDose.values = std::move(dose);
  scene.plan.dose = std::move(sceneDose);
  scene.plan.prescriptions.push_back({"GTV_Test", options.dose.rxGy});
  // Seeds: two in the plane z = 0 (one along x, one along y), one 5 mm above it.
  scene.plan.seeds.push_back({{-10.0, 5.0, 0.0}, Eigen::Vector3d::UnitX()});
  scene.plan.seeds.push_back({{-25.0, 5.0, 0.5}, Eigen::Vector3d::UnitY()});
  scene.plan.seeds.push_back({{5.0, 5.0, 5.0}, Eigen::Vector3d::UnitX()});
  scene.plan.needles.push_back({"N1", {-60.0, 5.0, 0.0}, {-5.0, 5.0, 0.0}});
  return scene;
}

} // namespace seedplan::test
