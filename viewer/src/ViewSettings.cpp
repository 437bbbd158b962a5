#include "seedplan/viewer/ViewSettings.h"

#include "seedplan/core/Error.h"

namespace seedplan::viewer {

std::string PlaneName(ViewPlane plane) {
  switch (plane) {
  case ViewPlane::Axial:
    return "axial";
  case ViewPlane::Coronal:
    return "coronal";
  case ViewPlane::Sagittal:
    return "sagittal";
  case ViewPlane::ThreeD:
    return "3d";
  case ViewPlane::Dvh:
    return "dvh";
  }
  return "axial";
}

ViewPlane ParsePlane(const std::string& text, const std::string& context) {
  for (ViewPlane plane : {ViewPlane::Axial, ViewPlane::Coronal, ViewPlane::Sagittal,
                          ViewPlane::ThreeD, ViewPlane::Dvh}) {
    if (text == PlaneName(plane)) {
      return plane;
    }
  }
  throw InvalidInput(context + " is '" + text + "'; expected axial, coronal, sagittal, 3d or dvh");
}

std::vector<WindowLevel> WindowPresets() {
  return {{"soft tissue", 400.0, 40.0}, {"lung", 1500.0, -600.0}, {"bone", 1800.0, 400.0}};
}

} // namespace seedplan::viewer
