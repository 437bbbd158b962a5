#include "VtkDrawing.h"

#include <vtkCellArray.h>
#include <vtkCoordinate.h>
#include <vtkNew.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkPolyDataMapper2D.h>
#include <vtkProperty.h>
#include <vtkProperty2D.h>
#include <vtkStdString.h>
#include <vtkTextProperty.h>
#include <vtkTextRenderer.h>

#include <algorithm>
#include <cmath>
#include <numbers>

namespace seedplan::viewer::draw {

namespace {

/// Font: VTK's embedded Arial (the same glyphs on every machine with the same FreeType).
void Style(vtkTextProperty* property, int fontPx, const Rgb& color, bool bold) {
  property->SetFontFamilyToArial();
  property->SetFontSize(fontPx);
  property->SetBold(bold ? 1 : 0);
  property->SetItalic(0);
  const auto unit = Unit(color);
  property->SetColor(unit[0], unit[1], unit[2]);
  // A dark shadow keeps white text readable over bright bone.
  property->SetShadow(1);
  property->SetShadowOffset(1, -1);
}

vtkSmartPointer<vtkPolyData> PolylineData(const std::vector<Polyline2>& lines, double z,
                                          int flipHeight) {
  vtkNew<vtkPoints> points;
  vtkNew<vtkCellArray> cells;
  for (const auto& line : lines) {
    if (line.points.size() < 2) {
      continue;
    }
    const vtkIdType first = points->GetNumberOfPoints();
    for (const auto& point : line.points) {
      const double y = flipHeight > 0 ? double(flipHeight) - point.y() : point.y();
      points->InsertNextPoint(point.x(), y, z);
    }
    const vtkIdType count = vtkIdType(line.points.size());
    cells->InsertNextCell(count + (line.closed ? 1 : 0));
    for (vtkIdType i = 0; i < count; ++i) {
      cells->InsertCellPoint(first + i);
    }
    if (line.closed) {
      cells->InsertCellPoint(first);
    }
  }
  auto data = vtkSmartPointer<vtkPolyData>::New();
  data->SetPoints(points);
  data->SetLines(cells);
  return data;
}

vtkSmartPointer<vtkPolyData> PolygonData(const std::vector<std::vector<Eigen::Vector2d>>& polygons,
                                         double z, int flipHeight) {
  vtkNew<vtkPoints> points;
  vtkNew<vtkCellArray> cells;
  for (const auto& polygon : polygons) {
    if (polygon.size() < 3) {
      continue;
    }
    cells->InsertNextCell(vtkIdType(polygon.size()));
    for (const auto& point : polygon) {
      const double y = flipHeight > 0 ? double(flipHeight) - point.y() : point.y();
      cells->InsertCellPoint(points->InsertNextPoint(point.x(), y, z));
    }
  }
  auto data = vtkSmartPointer<vtkPolyData>::New();
  data->SetPoints(points);
  data->SetPolys(cells);
  return data;
}

} // namespace

std::vector<std::vector<Eigen::Vector2d>> Ribbons(const std::vector<Polyline2>& lines,
                                                  double width) {
  std::vector<std::vector<Eigen::Vector2d>> quads;
  const double half = 0.5 * width;
  for (const auto& line : lines) {
    const std::size_t count = line.points.size();
    const std::size_t segments = line.closed ? count : (count > 0 ? count - 1 : 0);
    for (std::size_t s = 0; s < segments; ++s) {
      const Eigen::Vector2d& a = line.points[s];
      const Eigen::Vector2d& b = line.points[(s + 1) % count];
      const Eigen::Vector2d along = b - a;
      const double length = along.norm();
      if (length < 1e-12) {
        continue;
      }
      // Each segment's quad reaches half the width beyond both ends (square caps), so that
      // consecutive segments overlap at the joints of a curve.
      const Eigen::Vector2d t = along / length * half;
      const Eigen::Vector2d n(-t.y(), t.x());
      quads.push_back({a - t - n, b + t - n, b + t + n, a - t + n});
    }
  }
  return quads;
}

std::array<double, 3> Unit(const Rgb& color) {
  return {color[0] / 255.0, color[1] / 255.0, color[2] / 255.0};
}

vtkSmartPointer<vtkActor> Lines(const std::vector<Polyline2>& lines, double z, const Rgb& color,
                                double widthPx, double mmPerPixel) {
  if (widthPx > kThinLinePx) {
    return Polygons(Ribbons(lines, widthPx * mmPerPixel), z, color);
  }
  vtkNew<vtkPolyDataMapper> mapper;
  mapper->SetInputData(PolylineData(lines, z, 0));
  mapper->ScalarVisibilityOff();
  auto actor = vtkSmartPointer<vtkActor>::New();
  actor->SetMapper(mapper);
  const auto unit = Unit(color);
  actor->GetProperty()->SetColor(unit[0], unit[1], unit[2]);
  actor->GetProperty()->SetLineWidth(float(widthPx));
  actor->GetProperty()->LightingOff();
  actor->PickableOff();
  return actor;
}

vtkSmartPointer<vtkActor> Polygons(const std::vector<std::vector<Eigen::Vector2d>>& polygons,
                                   double z, const Rgb& color, double opacity) {
  vtkNew<vtkPolyDataMapper> mapper;
  mapper->SetInputData(PolygonData(polygons, z, 0));
  mapper->ScalarVisibilityOff();
  auto actor = vtkSmartPointer<vtkActor>::New();
  actor->SetMapper(mapper);
  const auto unit = Unit(color);
  actor->GetProperty()->SetColor(unit[0], unit[1], unit[2]);
  actor->GetProperty()->SetOpacity(opacity);
  actor->GetProperty()->LightingOff();
  actor->PickableOff();
  return actor;
}

vtkSmartPointer<vtkActor2D> PixelLines(const std::vector<Polyline2>& lines, int heightPx,
                                       const Rgb& color, double widthPx) {
  vtkNew<vtkPolyDataMapper2D> mapper;
  if (widthPx > kThinLinePx) {
    mapper->SetInputData(PolygonData(Ribbons(lines, widthPx), 0.0, heightPx));
  } else {
    mapper->SetInputData(PolylineData(lines, 0.0, heightPx));
  }
  mapper->ScalarVisibilityOff();
  auto actor = vtkSmartPointer<vtkActor2D>::New();
  actor->SetMapper(mapper);
  const auto unit = Unit(color);
  actor->GetProperty()->SetColor(unit[0], unit[1], unit[2]);
  actor->GetProperty()->SetLineWidth(float(widthPx));
  return actor;
}

vtkSmartPointer<vtkActor2D> PixelBoxActor(const PixelBox& box, int heightPx, const Rgb& color,
                                          double opacity) {
  vtkNew<vtkPoints> points;
  points->InsertNextPoint(box.x0, heightPx - box.y1, 0.0);
  points->InsertNextPoint(box.x1, heightPx - box.y1, 0.0);
  points->InsertNextPoint(box.x1, heightPx - box.y0, 0.0);
  points->InsertNextPoint(box.x0, heightPx - box.y0, 0.0);
  vtkNew<vtkCellArray> cells;
  const vtkIdType ids[4] = {0, 1, 2, 3};
  cells->InsertNextCell(4, ids);
  vtkNew<vtkPolyData> data;
  data->SetPoints(points);
  data->SetPolys(cells);
  vtkNew<vtkPolyDataMapper2D> mapper;
  mapper->SetInputData(data);
  auto actor = vtkSmartPointer<vtkActor2D>::New();
  actor->SetMapper(mapper);
  const auto unit = Unit(color);
  actor->GetProperty()->SetColor(unit[0], unit[1], unit[2]);
  actor->GetProperty()->SetOpacity(opacity);
  return actor;
}

vtkSmartPointer<vtkTextActor> Text(const std::string& text, int fontPx, const Rgb& color, double x,
                                   double y, int heightPx, Align horizontal, Align vertical,
                                   bool bold, std::vector<PixelBox>* boxes) {
  auto actor = vtkSmartPointer<vtkTextActor>::New();
  actor->SetInput(text.c_str());
  vtkTextProperty* property = actor->GetTextProperty();
  Style(property, fontPx, color, bold);
  switch (horizontal) {
  case Align::Start:
    property->SetJustificationToLeft();
    break;
  case Align::Centre:
    property->SetJustificationToCentered();
    break;
  case Align::End:
    property->SetJustificationToRight();
    break;
  }
  // Picture rows run down, VTK's display coordinates up: "Start" is the top.
  switch (vertical) {
  case Align::Start:
    property->SetVerticalJustificationToTop();
    break;
  case Align::Centre:
    property->SetVerticalJustificationToCentered();
    break;
  case Align::End:
    property->SetVerticalJustificationToBottom();
    break;
  }
  actor->SetDisplayPosition(int(std::lround(x)), int(std::lround(heightPx - y)));
  if (boxes) {
    const auto size = TextSize(text, fontPx, bold);
    const double left = horizontal == Align::Start    ? x
                        : horizontal == Align::Centre ? x - 0.5 * size[0]
                                                      : x - size[0];
    const double top = vertical == Align::Start    ? y
                       : vertical == Align::Centre ? y - 0.5 * size[1]
                                                   : y - size[1];
    // Two pixels around it: rounding and the shadow's offset.
    boxes->push_back({int(std::floor(left)) - 2, int(std::floor(top)) - 2,
                      int(std::ceil(left + size[0])) + 2, int(std::ceil(top + size[1])) + 2});
  }
  actor->PickableOff();
  return actor;
}

std::array<int, 2> TextSize(const std::string& text, int fontPx, bool bold) {
  vtkNew<vtkTextProperty> property;
  Style(property, fontPx, {255, 255, 255}, bold);
  int box[4] = {0, 0, 0, 0};
  vtkTextRenderer* renderer = vtkTextRenderer::GetInstance();
  if (!renderer || !renderer->GetBoundingBox(property, vtkStdString(text), box, 72)) {
    // Without FreeType's answer: Arial's average advance is about 0.55 em.
    return {int(0.55 * fontPx * double(text.size())), fontPx};
  }
  return {box[1] - box[0] + 1, box[3] - box[2] + 1};
}

std::vector<Eigen::Vector2d> Capsule(const Eigen::Vector2d& centre, const Eigen::Vector2d& halfAxis,
                                     double radius) {
  constexpr int kArcPoints = 10;
  std::vector<Eigen::Vector2d> polygon;
  const double length = halfAxis.norm();
  const Eigen::Vector2d along =
      length > 1e-9 ? Eigen::Vector2d(halfAxis / length) : Eigen::Vector2d(1.0, 0.0);
  const Eigen::Vector2d across(-along.y(), along.x());
  // Two half circles around the ends, joined by the straight sides (counter-clockwise).
  for (int end = 0; end < 2; ++end) {
    const Eigen::Vector2d tip =
        end == 0 ? Eigen::Vector2d(centre + halfAxis) : Eigen::Vector2d(centre - halfAxis);
    for (int i = 0; i <= kArcPoints; ++i) {
      const double angle =
          std::numbers::pi * (double(i) / kArcPoints - 0.5) + (end == 0 ? 0.0 : std::numbers::pi);
      polygon.push_back(tip + radius * (std::cos(angle) * along + std::sin(angle) * across));
    }
  }
  return polygon;
}

double NiceFloor(double value) {
  const double decade = std::pow(10.0, std::floor(std::log10(value)));
  for (double step : {5.0, 2.0, 1.0}) {
    if (step * decade <= value * (1.0 + 1e-9)) {
      return step * decade;
    }
  }
  return decade;
}

double NiceCeil(double value) {
  const double decade = std::pow(10.0, std::floor(std::log10(value)));
  for (double step : {1.0, 2.0, 5.0, 10.0}) {
    if (step * decade >= value * (1.0 - 1e-9)) {
      return step * decade;
    }
  }
  return 10.0 * decade;
}

} // namespace seedplan::viewer::draw
