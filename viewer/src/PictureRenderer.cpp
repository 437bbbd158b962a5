#include "seedplan/viewer/Pictures.h"

#include "DvhViewVtk.h"
#include "SliceViewVtk.h"
#include "ThreeDViewVtk.h"
#include "VtkWindow.h"

#include "seedplan/core/Error.h"

#include <vtkRendererCollection.h>

namespace seedplan::viewer {

struct PictureRenderer::Impl {
  vtkSmartPointer<vtkRenderWindow> window;
};

PictureRenderer::PictureRenderer() : m_Impl(std::make_unique<Impl>()) {}

PictureRenderer::~PictureRenderer() = default;

Picture PictureRenderer::Render(const Scene& scene, const ViewSettings& settings) {
  if (settings.widthPx < kMinPictureSidePx || settings.heightPx < kMinPictureSidePx ||
      settings.widthPx > kMaxPictureSidePx || settings.heightPx > kMaxPictureSidePx) {
    throw InvalidInput("picture size " + std::to_string(settings.widthPx) + "x" +
                       std::to_string(settings.heightPx) + "; expected " +
                       std::to_string(kMinPictureSidePx) + " to " +
                       std::to_string(kMaxPictureSidePx) + " pixels per side");
  }
  // Build the view first: bad input is refused before any OpenGL work.
  Picture picture;
  vtkSmartPointer<vtkRenderer> renderer;
  SliceViewVtk slice;
  DvhViewVtk dvh;
  ThreeDViewVtk threeD;
  switch (settings.plane) {
  case ViewPlane::Dvh:
    dvh.Show(scene, settings);
    renderer = dvh.Renderer();
    picture.layout = dvh.Layout();
    break;
  case ViewPlane::ThreeD:
    threeD.Show(scene, settings);
    renderer = threeD.Renderer();
    picture.layout = threeD.Layout();
    break;
  default:
    slice.Show(scene, settings);
    renderer = slice.Renderer();
    picture.layout = slice.Layout();
    break;
  }
  if (!m_Impl->window) {
    m_Impl->window = MakeRenderWindow(true, settings.widthPx, settings.heightPx);
  }
  vtkRenderWindow* window = m_Impl->window;
  window->SetSize(settings.widthPx, settings.heightPx);
  window->GetRenderers()->RemoveAllItems();
  window->AddRenderer(renderer);
  window->Render();
  picture.image = GrabFrame(window);
  window->RemoveRenderer(renderer);
  if (picture.image.width != settings.widthPx || picture.image.height != settings.heightPx) {
    throw Io("the off-screen picture came out " + std::to_string(picture.image.width) + "x" +
             std::to_string(picture.image.height) + " instead of " +
             std::to_string(settings.widthPx) + "x" + std::to_string(settings.heightPx));
  }
  return picture;
}

std::vector<std::uint8_t> PictureRenderer::RenderPng(const Scene& scene,
                                                     const ViewSettings& settings) {
  return EncodePng(Render(scene, settings).image);
}

} // namespace seedplan::viewer
