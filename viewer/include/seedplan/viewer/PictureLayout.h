#pragma once

#include "seedplan/viewer/Scene.h"
#include "seedplan/viewer/SliceGeometry.h"
#include "seedplan/viewer/ViewSettings.h"

#include <Eigen/Core>
#include <optional>
#include <string>
#include <vector>

namespace seedplan::viewer {

/// A box of pixels, x to the right and y down from the picture's top-left corner, [x0, x1) x
/// [y0, y1).
struct PixelBox {
  int x0 = 0;
  int y0 = 0;
  int x1 = 0;
  int y1 = 0;
  bool Contains(double x, double y) const { return x >= x0 && x < x1 && y >= y0 && y < y1; }
  bool Empty() const { return x1 <= x0 || y1 <= y0; }
};

/// One legend row: its sample line (swatch) and text.
struct LegendRow {
  std::string text;
  Rgb colorRgb{255, 255, 255};
  PixelBox swatch;
  bool dashed = false;
};

/// A text placed in the picture: what it says and the centre of its box (pixels).
struct PlacedText {
  std::string text;
  Eigen::Vector2d centrePx = Eigen::Vector2d::Zero();
};

/// Where a view put what it drew, so that callers (the window's mouse, the tests, the report)
/// can map between the picture and the patient.
struct PictureLayout {
  ViewPlane plane = ViewPlane::Axial;
  int widthPx = 0;
  int heightPx = 0;
  /// Where text was drawn (annotations, legends, labels, ticks): the one part of a picture whose
  /// pixels depend on the font renderer's version.
  std::vector<PixelBox> textBoxes;
  /// Live seed editing: the box of each row of the edit panel (Scene::editPanel), in order.
  std::vector<PixelBox> editPanelRows;

  // Slice views.
  std::optional<SliceFrame> frame;
  Eigen::Vector2d centreMm = Eigen::Vector2d::Zero(); ///< plane point at the picture's centre
  double mmPerPixel = 1.0;
  PixelBox imageBox; ///< where the CT slice lies
  std::vector<LegendRow> isodoseLegend;
  std::vector<LegendRow> contourLegend;
  PixelBox legendBox;
  PlacedText leftLabel, rightLabel, topLabel, bottomLabel;
  PixelBox scaleBar;
  double scaleBarMm = 0.0;

  // The DVH view.
  PixelBox plotBox;
  double doseAxisMaxGy = 0.0;
  std::vector<LegendRow> curveLegend;

  /// Continuous pixel coordinates (x right, y down; pixel (i, j) spans [i, i+1) x [j, j+1)) of a
  /// point of the slice plane (mm).
  Eigen::Vector2d PlaneToPixel(const Eigen::Vector2d& uvMm) const {
    return {0.5 * widthPx + (uvMm.x() - centreMm.x()) / mmPerPixel,
            0.5 * heightPx - (uvMm.y() - centreMm.y()) / mmPerPixel};
  }
  Eigen::Vector2d PixelToPlane(const Eigen::Vector2d& pixel) const {
    return {centreMm.x() + (pixel.x() - 0.5 * widthPx) * mmPerPixel,
            centreMm.y() - (pixel.y() - 0.5 * heightPx) * mmPerPixel};
  }
  /// Pixel of a (dose, volume %) point of the DVH chart.
  Eigen::Vector2d DvhToPixel(double doseGy, double volumePct) const {
    return {plotBox.x0 + (plotBox.x1 - plotBox.x0) * doseGy / doseAxisMaxGy,
            plotBox.y1 - (plotBox.y1 - plotBox.y0) * volumePct / 100.0};
  }
};

} // namespace seedplan::viewer
