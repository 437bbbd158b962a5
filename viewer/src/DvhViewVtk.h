#pragma once
// The DVH chart's VTK scene (private to viewer/).

#include "seedplan/viewer/PictureLayout.h"
#include "seedplan/viewer/Scene.h"
#include "seedplan/viewer/ViewSettings.h"

#include <vtkRenderer.h>
#include <vtkSmartPointer.h>

namespace seedplan::viewer {

/// The cumulative DVH of every structure of the plan, drawn in picture pixels: targets in thick
/// lines, organs in thinner ones, each in its structure's colour; the second plan's curves dashed;
/// each target's prescription marked by a thin vertical line in its colour; a legend with every
/// structure's Dmax. The dose axis runs to three times the largest prescription (rounded up to a
/// tick) or to the largest Dmax if that is lower, so that the region around the prescriptions is
/// readable; a curve that runs beyond it says so in the legend ("Dmax 742 Gy >").
class DvhViewVtk {
public:
  DvhViewVtk();
  /// Throws InvalidInput if the scene has no DVH curve.
  void Show(const Scene& scene, const ViewSettings& settings);
  vtkRenderer* Renderer() const { return m_Renderer; }
  const PictureLayout& Layout() const { return m_Layout; }

private:
  vtkSmartPointer<vtkRenderer> m_Renderer;
  PictureLayout m_Layout;
};

} // namespace seedplan::viewer
