#include "VtkWindow.h"

#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkObject.h>
#include <vtkWindowToImageFilter.h>

#include <cstdlib>
#include <cstring>

namespace seedplan::viewer {

vtkSmartPointer<vtkRenderWindow> MakeRenderWindow(bool offScreen, int widthPx, int heightPx) {
  QuietVtkOutput();
  auto window = vtkSmartPointer<vtkRenderWindow>::New();
  window->SetMultiSamples(0);
  window->SetOffScreenRendering(offScreen ? 1 : 0);
  window->SetSize(widthPx, heightPx);
  window->SetAlphaBitPlanes(1); // depth peeling of the 3D view's translucent surfaces
  window->SetWindowName("seedplan view");
  return window;
}

RgbImage GrabFrame(vtkRenderWindow* window) {
  vtkNew<vtkWindowToImageFilter> grab;
  grab->SetInput(window);
  grab->SetInputBufferTypeToRGB();
  grab->ReadFrontBufferOff();
  // Off screen the frame just rendered is still in VTK's frame buffer, and a second render would
  // double the cost of a 3D picture; on screen the buffers have been swapped, so render again.
  grab->SetShouldRerender(window->GetOffScreenRendering() ? 0 : 1);
  grab->Update();
  vtkImageData* data = grab->GetOutput();
  int dimensions[3] = {0, 0, 0};
  data->GetDimensions(dimensions);
  RgbImage image;
  image.width = dimensions[0];
  image.height = dimensions[1];
  image.rgb.resize(3 * std::size_t(image.width) * std::size_t(image.height));
  const auto* pixels = static_cast<const std::uint8_t*>(data->GetScalarPointer());
  const std::size_t rowBytes = 3 * std::size_t(image.width);
  for (int y = 0; y < image.height; ++y) {
    std::memcpy(image.rgb.data() + rowBytes * std::size_t(y),
                pixels + rowBytes * std::size_t(image.height - 1 - y), rowBytes);
  }
  return image;
}

void QuietVtkOutput() {
  const char* debug = std::getenv("SEEDPLAN_VTK_DEBUG");
  vtkObject::SetGlobalWarningDisplay(debug && *debug && std::strcmp(debug, "0") != 0 ? 1 : 0);
}

} // namespace seedplan::viewer
