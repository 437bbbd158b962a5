#pragma once
// Render windows as the viewer sets them up, and reading their pixels (private to viewer/).

#include "seedplan/viewer/RgbImage.h"

#include <vtkRenderWindow.h>
#include <vtkSmartPointer.h>

namespace seedplan::viewer {

/// A render window without multisampling (llvmpipe, Mesa's CPU renderer, spends ~6x longer per
/// frame with VTK's default 8 samples, and single-sampled lines keep their exact colours), either
/// off screen (an OpenGL frame buffer of any size) or on screen.
vtkSmartPointer<vtkRenderWindow> MakeRenderWindow(bool offScreen, int widthPx, int heightPx);

/// The window's frame as an RgbImage (rows top down): off screen the last one rendered (render
/// first), on screen rendered again.
RgbImage GrabFrame(vtkRenderWindow* window);

/// Keeps VTK's warnings and errors off the terminal (the command line prints one line per
/// error); SEEDPLAN_VTK_DEBUG=1 shows them.
void QuietVtkOutput();

} // namespace seedplan::viewer
