#pragma once
// The slice view's VTK scene (private to viewer/).

#include "seedplan/viewer/PictureLayout.h"
#include "seedplan/viewer/Scene.h"
#include "seedplan/viewer/SliceContent.h"
#include "seedplan/viewer/ViewSettings.h"

#include <vtkImageActor.h>
#include <vtkImageData.h>
#include <vtkRenderer.h>
#include <vtkSmartPointer.h>
#include <vtkTextActor.h>

#include <cstddef>
#include <optional>
#include <string>
#include <utility>

namespace seedplan::viewer {

/// One axial, coronal or sagittal slice as a VTK renderer: the CT in the window asked for, the
/// contours, isodose lines, seeds and needles of SliceContent in plane coordinates (mm; a
/// parallel camera looks down on the plane), and in picture pixels the annotations (patient,
/// plan, slice position, window), the isodose legend with the reference prescription and the
/// dose model, the contour legend, a scale bar and the orientation letters. Show() builds it all;
/// the dose, the seeds and the window can be redone alone (live seed editing redoes the dose of
/// the slice in view).
class SliceViewVtk {
public:
  SliceViewVtk();

  /// Builds the slice of `settings` (plane, position, window, levels, size). Throws InvalidInput
  /// as SliceContent::Build does.
  void Show(const Scene& scene, const ViewSettings& settings);
  /// Redraws the isodose lines and legend after the dose, the levels or their visibility changed.
  void RedrawDose(const Scene& scene, const ViewSettings& settings);
  /// Redraws the isodoses, the seeds and the edit panel after a live edit (one rebuild).
  void RedrawEdited(const Scene& scene, const ViewSettings& settings);
  /// Redraws seeds and needles after they moved.
  void RedrawSeeds(const Scene& scene, const ViewSettings& settings);
  /// Changes the CT window without touching anything else.
  void ApplyWindow(const Scene& scene, const ViewSettings& settings);
  /// The text at the bottom of the picture (the interactive window's readout and hints).
  void SetStatus(const std::string& text);
  /// A ruler between two plane points (mm), or none.
  void SetRuler(const std::optional<std::pair<Eigen::Vector2d, Eigen::Vector2d>>& ends);

  vtkRenderer* Renderer() const { return m_Renderer; }
  const PictureLayout& Layout() const { return m_Layout; }
  const SliceContent& Content() const { return m_Content; }

private:
  void Rebuild(const Scene& scene, const ViewSettings& settings);
  void AddPlaneProps(const ViewSettings& settings);
  void AddAnnotations(const Scene& scene, const ViewSettings& settings);
  void AddIsodoseLegend(const Scene& scene, const ViewSettings& settings);
  void AddContourLegend();
  void AddEditPanel(const Scene& scene);
  void AddScaleBar();
  void AddOrientationLabels();

  vtkSmartPointer<vtkRenderer> m_Renderer;
  SliceContent m_Content;
  PictureLayout m_Layout;
  vtkSmartPointer<vtkImageData> m_ImageData;
  vtkSmartPointer<vtkImageActor> m_Image;
  vtkSmartPointer<vtkTextActor> m_Status;
  std::vector<vtkSmartPointer<vtkProp>> m_RulerProps;
  std::optional<std::size_t> m_SelectedSeed;
  int m_FontPx = 16;
  double m_Scale = 1.0; ///< picture size / 800 px
};

} // namespace seedplan::viewer
