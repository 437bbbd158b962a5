#pragma once
// The 3D view's VTK scene (private to viewer/).

#include "seedplan/viewer/PictureLayout.h"
#include "seedplan/viewer/Scene.h"
#include "seedplan/viewer/ViewSettings.h"

#include <vtkRenderer.h>
#include <vtkSmartPointer.h>

namespace seedplan::viewer {

/// The implant in 3D: the body translucent, targets, organs at risk, no-go structures and bone as
/// translucent surfaces in their colours (marching cubes of each mask, lightly smoothed, at 0.5:
/// through the faces between inside and outside voxels; pass-through tissue such as skin, lungs
/// and liver is left out so that it does not veil the rest), the seeds as 4.5 x 0.8 mm capsules
/// along their axes, the needles as tubes and each target's 100 % isodose surface (its
/// prescription, within 20 mm of its box, as `evaluate` takes V_ref) in red. Seen from the front,
/// head up, turned 30 degrees to the patient's left.
class ThreeDViewVtk {
public:
  ThreeDViewVtk();
  /// Throws InvalidInput if the dose grid does not cover the CT.
  void Show(const Scene& scene, const ViewSettings& settings);
  vtkRenderer* Renderer() const { return m_Renderer; }
  const PictureLayout& Layout() const { return m_Layout; }

private:
  vtkSmartPointer<vtkRenderer> m_Renderer;
  PictureLayout m_Layout;
};

} // namespace seedplan::viewer
