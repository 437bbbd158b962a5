#include "seedplan/viewer/IsodoseLevels.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/viewer/SliceSampling.h"

#include <algorithm>
#include <cmath>

namespace seedplan::viewer {

namespace {

struct StandardLevel {
  double percent;
  Rgb color;
};

const StandardLevel kStandardLevels[] = {
    {50.0, {0, 0, 255}},  {80.0, {0, 255, 255}},  {90.0, {0, 255, 0}},
    {100.0, {255, 0, 0}}, {150.0, {255, 255, 0}}, {200.0, {255, 0, 255}},
};

/// A percentage counts as a standard level when it is this close (levels are typed by hand).
constexpr double kPercentTolerance = 1e-6;

} // namespace

std::vector<Rgb> ExtraLevelColors() {
  // Saturated hues between the standard ones: orange, violet, spring green, azure.
  return {{255, 128, 0}, {128, 0, 255}, {0, 255, 128}, {0, 128, 255}};
}

int MaxLevelCount() {
  return int(std::size(kStandardLevels) + ExtraLevelColors().size());
}

Rgb StandardLevelColor(double percent, int extraIndex) {
  for (const auto& level : kStandardLevels) {
    if (std::abs(level.percent - percent) <= kPercentTolerance) {
      return level.color;
    }
  }
  const auto extra = ExtraLevelColors();
  return extra[std::size_t(extraIndex) % extra.size()];
}

std::optional<ReferencePrescription>
ChooseReference(const Scene& scene, const ViewSettings& settings, const SliceFrame* frame) {
  const auto& prescriptions = scene.plan.prescriptions;
  if (!settings.referenceStructure.empty()) {
    if (const auto rx = scene.plan.PrescriptionOf(settings.referenceStructure)) {
      return ReferencePrescription{settings.referenceStructure, *rx, "--rx-of"};
    }
    std::string names;
    for (const auto& prescription : prescriptions) {
      names += (names.empty() ? "" : ", ") + prescription.structureName;
    }
    throw InvalidInput("--rx-of " + settings.referenceStructure +
                       ": no prescription for it in the plan; the targets with one are: " +
                       (names.empty() ? "none" : names));
  }
  if (prescriptions.empty()) {
    return std::nullopt;
  }
  if (!settings.throughStructure.empty()) {
    if (const auto rx = scene.plan.PrescriptionOf(settings.throughStructure)) {
      return ReferencePrescription{settings.throughStructure, *rx, "--through"};
    }
  }
  if (frame) {
    const ScenePrescription* largest = nullptr;
    double largestArea = 0.0;
    for (const auto& prescription : prescriptions) {
      const SceneStructure* structure = scene.Find(prescription.structureName);
      if (!structure) {
        continue;
      }
      const double area = MaskAreaOnPlaneMm2(structure->mask, *frame);
      if (area > largestArea) {
        largestArea = area;
        largest = &prescription;
      }
    }
    if (largest) {
      return ReferencePrescription{largest->structureName, largest->doseGy,
                                   "largest target in the slice"};
    }
  }
  return ReferencePrescription{prescriptions.front().structureName, prescriptions.front().doseGy,
                               "first target"};
}

std::vector<IsodoseLevel> ResolveLevels(const IsodoseLevelRequest& request,
                                        const std::optional<ReferencePrescription>& reference,
                                        const SceneDose& dose) {
  if (request.values.empty()) {
    throw InvalidInput("isodose levels: the list is empty; expected at least one level");
  }
  if (int(request.values.size()) > MaxLevelCount()) {
    throw InvalidInput("isodose levels: " + std::to_string(request.values.size()) +
                       " levels; expected at most " + std::to_string(MaxLevelCount()));
  }
  std::vector<double> values = request.values;
  for (double value : values) {
    if (!std::isfinite(value) || value <= 0.0) {
      throw InvalidInput("isodose levels: level " + FormatNumber(value) + "; expected levels > 0");
    }
  }
  std::sort(values.begin(), values.end());
  if (std::adjacent_find(values.begin(), values.end()) != values.end()) {
    throw InvalidInput("isodose levels: a level is given twice; expected distinct levels");
  }
  if (!request.absolute && !reference) {
    throw InvalidInput("isodose levels in % need a prescription, and the plan has none; give "
                       "absolute levels (--levels-gy)");
  }
  // Ḋ0 (cGy/h) = D (Gy) × 100 cGy/Gy / τ (h).
  const double ratePerGy = 100.0 / dose.meanLifeHours;
  std::vector<IsodoseLevel> levels;
  int extraIndex = 0;
  for (std::size_t i = 0; i < values.size(); ++i) {
    IsodoseLevel level;
    if (request.absolute) {
      level.doseGy = values[i];
      if (reference) {
        level.percent = 100.0 * level.doseGy / reference->doseGy;
        level.hasPercent = true;
      }
      const auto palette = [&] {
        std::vector<Rgb> colors;
        for (const auto& standard : kStandardLevels) {
          colors.push_back(standard.color);
        }
        for (const auto& extra : ExtraLevelColors()) {
          colors.push_back(extra);
        }
        return colors;
      }();
      level.colorRgb = palette[i];
    } else {
      level.percent = values[i];
      level.hasPercent = true;
      level.doseGy = reference->doseGy * level.percent / 100.0;
      const bool standard = std::any_of(
          std::begin(kStandardLevels), std::end(kStandardLevels), [&](const StandardLevel& s) {
            return std::abs(s.percent - level.percent) <= kPercentTolerance;
          });
      level.colorRgb = StandardLevelColor(level.percent, extraIndex);
      if (!standard) {
        ++extraIndex;
      }
    }
    level.value = dose.isDoseRate ? level.doseGy * ratePerGy : level.doseGy;
    const std::string amount = dose.isDoseRate ? FormatNumber(level.value, 4) + " cGy/h"
                                               : FormatNumber(level.doseGy, 4) + " Gy";
    if (!request.absolute) {
      level.label = FormatNumber(level.percent, 4) + " %  " + amount;
    } else {
      level.label =
          amount + (level.hasPercent ? "  (" + FormatNumber(level.percent, 3) + " %)" : "");
    }
    levels.push_back(level);
  }
  return levels;
}

} // namespace seedplan::viewer
