#pragma once
// What the viewer draws, as plain core types (VTK stays inside viewer/, planning and imaging types
// stay in app/, which unpacks a Plan, its CT and its structures into a Scene).

#include "seedplan/core/Volume.h"

#include <Eigen/Core>
#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace seedplan::viewer {

using Rgb = std::array<std::uint8_t, 3>;

/// How a structure is drawn: targets get a prescription and are drawn first in legends; the body
/// outline (External) is the translucent skin of the 3D view.
enum class StructureKind { Target, Organ, External };

/// One structure of the plan: name, colour (from the RT Structure Set or label map), kind, its
/// planar contours (RT Structure Set, patient mm; may be empty) and its mask on its own grid.
struct SceneStructure {
  std::string name;
  Rgb colorRgb{255, 0, 0};
  StructureKind kind = StructureKind::Organ;
  std::string role; ///< as `inspect` names it: target, oar, no-go, pass-through, bone, external
  std::vector<std::vector<Eigen::Vector3d>> contoursMm;
  Mask mask;
};

/// One seed: centre (LPS, mm) and long axis (unit vector) when known.
struct SceneSeed {
  Eigen::Vector3d positionMm = Eigen::Vector3d::Zero();
  std::optional<Eigen::Vector3d> direction;
};

/// One needle from its skin entry to its tip (LPS, mm).
struct SceneNeedle {
  std::string id;
  Eigen::Vector3d entryMm = Eigen::Vector3d::Zero();
  Eigen::Vector3d tipMm = Eigen::Vector3d::Zero();
};

/// A dose grid and what it holds. `values` are total dose in Gy (or the dose delivered in a stated
/// time, in Gy), or the initial dose rate in cGy/h (`isDoseRate`); `meanLifeHours` (τ = T½/ln 2)
/// converts a prescription in Gy into the initial dose rate that delivers it (Ḋ0 = D/τ), which is
/// how levels of a dose-rate grid are drawn.
struct SceneDose {
  Volume<float> values;
  bool isDoseRate = false;
  std::string quantity = "total dose"; ///< shown beside the legend: "total dose", ...
  std::string model = "TG-43, water";  ///< the dose model, shown beside the legend
  double meanLifeHours = 2056.7;       ///< 125I: 59.40 d / ln 2
  /// The unit of `values`: "Gy" or "cGy/h".
  std::string Unit() const { return isDoseRate ? "cGy/h" : "Gy"; }
};

/// A target's prescription (total dose of the permanent implant, Gy).
struct ScenePrescription {
  std::string structureName;
  double doseGy = 0.0;
};

/// One cumulative DVH curve: points from dose 0 (100 % of the volume) to the structure's maximum
/// dose, dose ascending, volume in % of the structure's volume.
struct DvhCurve {
  std::string structureName;
  Rgb colorRgb{255, 0, 0};
  bool isTarget = false;
  double maxDoseGy = 0.0;
  std::vector<Eigen::Vector2d> points; ///< (dose Gy, volume %)
};

/// One plan: what it is called in legends, its seeds, needles, dose, prescriptions and DVH curves
/// (the curves only for the DVH view).
struct ScenePlan {
  std::string label; ///< e.g. "plan.xml (plan)"
  std::vector<SceneSeed> seeds;
  std::vector<SceneNeedle> needles;
  std::optional<SceneDose> dose;
  std::vector<ScenePrescription> prescriptions;
  std::vector<DvhCurve> dvh;
  /// The seed selected for editing (index into `seeds`; live seed editing), drawn highlighted.
  std::optional<std::size_t> selectedSeed;

  /// The prescription of `structureName`, if it is a target of this plan.
  std::optional<double> PrescriptionOf(const std::string& structureName) const {
    for (const auto& prescription : prescriptions) {
      if (prescription.structureName == structureName) {
        return prescription.doseGy;
      }
    }
    return std::nullopt;
  }
};

/// One line of the live editing panel (seeds, needles, activity, metrics, limits, warnings) in
/// its colour (an exceeded organ limit red).
struct ScenePanelLine {
  std::string text;
  Rgb colorRgb{235, 235, 235};
};

/// Everything the viewer draws: the CT (HU, its geometry with direction in LPS) and how the
/// patient lay (DICOM Patient Position (0018,5100): HFS, FFS, HFP, ...; empty if unknown), the
/// structures, the plan, and optionally a second plan to compare (e.g. the post-implant plan).
/// The second plan's dose is drawn on the slices only when both share the Frame of Reference.
struct Scene {
  Volume<short> ct;
  std::string patientPosition;
  std::string patientId;
  std::vector<SceneStructure> structures;
  ScenePlan plan;
  std::optional<ScenePlan> compare;
  bool compareSharesFrame = true;
  /// Live seed editing: what the edit session shows at the bottom left of slices (empty: none).
  std::vector<ScenePanelLine> editPanel;

  const SceneStructure* Find(const std::string& name) const {
    for (const auto& structure : structures) {
      if (structure.name == name) {
        return &structure;
      }
    }
    return nullptr;
  }
};

} // namespace seedplan::viewer
