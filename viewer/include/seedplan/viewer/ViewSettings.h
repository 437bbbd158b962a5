#pragma once

#include <Eigen/Core>
#include <optional>
#include <string>
#include <vector>

namespace seedplan::viewer {

enum class ViewPlane { Axial, Coronal, Sagittal, ThreeD, Dvh };

/// "axial", "coronal", "sagittal", "3d", "dvh".
std::string PlaneName(ViewPlane plane);
/// Inverse of PlaneName; throws InvalidInput naming `context` for anything else.
ViewPlane ParsePlane(const std::string& text, const std::string& context);

/// A CT window in Hounsfield units: grey levels run from level − width/2 (black) to
/// level + width/2 (white).
struct WindowLevel {
  std::string name; ///< "soft tissue", "lung", "bone" or "custom"
  double widthHu = 400.0;
  double levelHu = 40.0;
};

/// The window presets: soft tissue W400/L40 (the default), lung W1500/L−600, bone W1800/L400
/// (the usual radiology presets).
std::vector<WindowLevel> WindowPresets();

/// Which isodose levels to draw: percentages of a reference prescription (the default six), or
/// absolute doses in Gy (total dose; drawn at the matching initial dose rate on a dose-rate grid).
struct IsodoseLevelRequest {
  bool absolute = false;
  std::vector<double> values{50, 80, 90, 100, 150, 200};
};

/// What to draw and how large: the plane, the slice, the window, the levels and their reference,
/// what is shown. Slice positions are the LPS coordinate along the plane's normal in mm: z for
/// axial, y for coronal, x for sagittal.
struct ViewSettings {
  ViewPlane plane = ViewPlane::Axial;
  std::optional<double> sliceMm; ///< nullopt: the middle of the scan
  /// The structure the slice was chosen through (--through): its prescription is the reference.
  std::string throughStructure;
  /// The structure whose prescription is the reference (--rx-of); overrides the rule.
  std::string referenceStructure;
  WindowLevel window = WindowPresets().front();
  IsodoseLevelRequest levels;
  /// Magnification of slice views over the fitted slice (1: the whole slice fills the picture),
  /// centred on `zoomCentreMm` (a patient point; nullopt: the slice's centre).
  double zoom = 1.0;
  std::optional<Eigen::Vector3d> zoomCentreMm;
  int widthPx = 800;
  int heightPx = 800;
  bool showContours = true;
  bool showSeeds = true; ///< seeds and needles
  /// Levels switched off (indices into the level list) in the interactive window.
  std::vector<bool> levelHidden;
};

} // namespace seedplan::viewer
