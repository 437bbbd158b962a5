#pragma once
// Small builders of VTK props shared by the views (private to viewer/: VTK types stay here).

#include "seedplan/viewer/Isolines.h"
#include "seedplan/viewer/PictureLayout.h"
#include "seedplan/viewer/Scene.h"

#include <vtkActor.h>
#include <vtkActor2D.h>
#include <vtkSmartPointer.h>
#include <vtkTextActor.h>

#include <Eigen/Core>
#include <array>
#include <string>
#include <vector>

namespace seedplan::viewer::draw {

enum class Align { Start, Centre, End };

/// Lines wider than this (pixels) are drawn as filled ribbons: VTK 9.1's wide GL lines come out
/// broken into dashes on Mesa's llvmpipe.
constexpr double kThinLinePx = 1.5;

/// Quads of the given width (in the lines' unit) along every segment of the lines.
std::vector<std::vector<Eigen::Vector2d>> Ribbons(const std::vector<Polyline2>& lines,
                                                  double width);

/// Lines in world coordinates (the slice plane: x = u, y = v, mm) at height z, unlit, `widthPx`
/// wide on a picture of `mmPerPixel`.
vtkSmartPointer<vtkActor> Lines(const std::vector<Polyline2>& lines, double z, const Rgb& color,
                                double widthPx, double mmPerPixel);

/// Filled polygons in world coordinates at height z, unlit.
vtkSmartPointer<vtkActor> Polygons(const std::vector<std::vector<Eigen::Vector2d>>& polygons,
                                   double z, const Rgb& color, double opacity = 1.0);

/// Lines in picture pixels (x right, y down from the top-left corner) of a picture `heightPx`
/// high.
vtkSmartPointer<vtkActor2D> PixelLines(const std::vector<Polyline2>& lines, int heightPx,
                                       const Rgb& color, double widthPx);

/// A filled box in picture pixels.
vtkSmartPointer<vtkActor2D> PixelBoxActor(const PixelBox& box, int heightPx, const Rgb& color,
                                          double opacity);

/// A text at (x, y) in picture pixels (x right, y down), aligned as asked around that point; its
/// box (with its shadow) is appended to `boxes` when given.
vtkSmartPointer<vtkTextActor> Text(const std::string& text, int fontPx, const Rgb& color, double x,
                                   double y, int heightPx, Align horizontal, Align vertical,
                                   bool bold = false, std::vector<PixelBox>* boxes = nullptr);

/// Width and height (pixels) a text will take.
std::array<int, 2> TextSize(const std::string& text, int fontPx, bool bold = false);

/// The colour as VTK wants it (0..1).
std::array<double, 3> Unit(const Rgb& color);

/// A capsule (a segment of half-axis `halfAxis` around `centre`, thickened by `radius`) as a
/// polygon, or a circle when the half-axis is zero.
std::vector<Eigen::Vector2d> Capsule(const Eigen::Vector2d& centre, const Eigen::Vector2d& halfAxis,
                                     double radius);

/// 1-2-5 steps: the largest of ..., 1, 2, 5, 10, 20, ... not above `value`.
double NiceFloor(double value);
/// The smallest of ..., 1, 2, 5, 10, 20, ... not below `value`.
double NiceCeil(double value);

} // namespace seedplan::viewer::draw
