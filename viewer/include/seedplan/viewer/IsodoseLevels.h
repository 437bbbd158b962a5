#pragma once

#include "seedplan/viewer/Scene.h"
#include "seedplan/viewer/SliceGeometry.h"
#include "seedplan/viewer/ViewSettings.h"

#include <optional>
#include <string>
#include <vector>

namespace seedplan::viewer {

/// The prescription that isodose percentages refer to, and why it was chosen (for the legend).
struct ReferencePrescription {
  std::string structureName;
  double doseGy = 0.0;
  std::string reason; ///< "--rx-of", "--through", "largest target in the slice", "first target"
};

/// The reference prescription of a view: the structure named by --rx-of (settings
/// .referenceStructure), else that of the --through target, else the target with the largest
/// area in the slice (`frame`; none for the 3D and DVH views), else the plan's first target.
/// nullopt for a plan without prescriptions. Throws InvalidInput when --rx-of names a structure
/// that has no prescription in the plan (listing those that have one).
std::optional<ReferencePrescription>
ChooseReference(const Scene& scene, const ViewSettings& settings, const SliceFrame* frame);

/// One isodose level as drawn: the value in the dose grid's unit, what it means and its colour.
struct IsodoseLevel {
  double value = 0.0;   ///< in the dose grid's unit (Gy, or cGy/h on a dose-rate grid)
  double doseGy = 0.0;  ///< the total dose it stands for
  double percent = 0.0; ///< of the reference prescription; 0 when there is none
  bool hasPercent = false;
  Rgb colorRgb{255, 0, 0};
  std::string label; ///< "100 %  120 Gy", "100 %  5.835 cGy/h", "60 Gy"
};

/// The colour of a percentage level: the six standard levels in saturated hues of their own
/// (50 % blue, 80 % cyan, 90 % green, 100 % red, 150 % yellow, 200 % magenta); other levels take
/// the extra hues in order.
Rgb StandardLevelColor(double percent, int extraIndex);
/// Hues for levels that are not one of the six standard percentages, in the order used.
std::vector<Rgb> ExtraLevelColors();

/// The maximum number of levels a view draws (six standard hues plus the extra ones).
int MaxLevelCount();

/// The levels of a request against a reference and a dose grid. Percentages need a reference
/// (InvalidInput otherwise, suggesting --levels-gy); absolute levels take the palette in
/// ascending order. On a dose-rate grid each level is drawn at the initial dose rate that delivers
/// its total dose, Ḋ0 = D/τ (DESIGN.md, permanent implant), and labelled in cGy/h. Throws
/// InvalidInput for an empty list, more than MaxLevelCount() levels, a level that is not positive
/// and finite, or a repeated level.
std::vector<IsodoseLevel> ResolveLevels(const IsodoseLevelRequest& request,
                                        const std::optional<ReferencePrescription>& reference,
                                        const SceneDose& dose);

} // namespace seedplan::viewer
