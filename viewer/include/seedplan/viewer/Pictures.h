#pragma once

#include "seedplan/viewer/PictureLayout.h"
#include "seedplan/viewer/RgbImage.h"
#include "seedplan/viewer/Scene.h"
#include "seedplan/viewer/ViewSettings.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace seedplan::viewer {

/// A drawn view: the pixels and where things are in them.
struct Picture {
  RgbImage image;
  PictureLayout layout;
};

/// Draws views of scenes off screen, exactly settings.widthPx x settings.heightPx: a slice
/// (axial, coronal, sagittal), the 3D view or the DVH chart. One OpenGL context serves every
/// picture of the renderer (the demo draws five). VTK 9.1 renders through X even off screen:
/// check XDisplayProblem() before constructing one (without a display VTK aborts the process).
/// Throws InvalidInput for a view the scene cannot give (a slice outside the scan, a dose grid
/// that does not cover it, percentage levels without a prescription, a DVH view without curves).
class PictureRenderer {
public:
  PictureRenderer();
  ~PictureRenderer();
  PictureRenderer(const PictureRenderer&) = delete;
  PictureRenderer& operator=(const PictureRenderer&) = delete;

  Picture Render(const Scene& scene, const ViewSettings& settings);
  /// The view as PNG bytes (8-bit RGB, not interlaced): what the plan report embeds.
  std::vector<std::uint8_t> RenderPng(const Scene& scene, const ViewSettings& settings);

private:
  struct Impl;
  std::unique_ptr<Impl> m_Impl;
};

/// The largest picture side accepted (pixels): an 8000 x 8000 RGBA frame buffer is 256 MB.
constexpr int kMaxPictureSidePx = 8000;
/// The smallest: text and legends need room.
constexpr int kMinPictureSidePx = 200;

} // namespace seedplan::viewer
