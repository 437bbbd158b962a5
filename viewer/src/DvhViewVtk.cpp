#include "DvhViewVtk.h"

#include "VtkDrawing.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"

#include <vtkTextProperty.h>

#include <algorithm>
#include <cmath>

namespace seedplan::viewer {

namespace {

const Rgb kAxisColor{230, 230, 230};
const Rgb kGridColor{70, 70, 70};
const Rgb kTextColor{235, 235, 235};
const Rgb kBackground{18, 18, 18};

// Line widths at 800 px: targets 3 px, organs 2 px, prescription markers 1 px.
constexpr double kTargetWidthPx = 3.0;
constexpr double kOrganWidthPx = 2.0;
// The dose axis runs to at most this many times the largest prescription: beyond 300 % a DVH
// holds only the volume next to the seeds, and showing it would squeeze the prescription region.
constexpr double kAxisPrescriptionMultiple = 3.0;
// About eight ticks on the dose axis.
constexpr double kDoseTickCount = 8.0;

/// The curve's points as pixels, clipped at the axis's end; a curve ends with a drop to 0 % at
/// its Dmax (a cumulative DVH is 0 above the maximum dose).
Polyline2 CurvePixels(const DvhCurve& curve, const PictureLayout& layout) {
  Polyline2 line;
  std::vector<Eigen::Vector2d> points = curve.points;
  if (points.empty() || points.back().x() < curve.maxDoseGy || points.back().y() > 0.0) {
    points.push_back({curve.maxDoseGy, points.empty() ? 100.0 : points.back().y()});
    points.push_back({curve.maxDoseGy, 0.0});
  }
  const double axisMax = layout.doseAxisMaxGy;
  for (std::size_t i = 0; i < points.size(); ++i) {
    const Eigen::Vector2d& point = points[i];
    if (point.x() <= axisMax) {
      line.points.push_back(layout.DvhToPixel(point.x(), point.y()));
      continue;
    }
    if (i > 0 && points[i - 1].x() < axisMax) {
      const Eigen::Vector2d& previous = points[i - 1];
      const double t = (axisMax - previous.x()) / (point.x() - previous.x());
      const double volume = previous.y() + t * (point.y() - previous.y());
      line.points.push_back(layout.DvhToPixel(axisMax, volume));
    }
    break;
  }
  return line;
}

} // namespace

DvhViewVtk::DvhViewVtk() : m_Renderer(vtkSmartPointer<vtkRenderer>::New()) {}

void DvhViewVtk::Show(const Scene& scene, const ViewSettings& settings) {
  if (scene.plan.dvh.empty()) {
    throw InvalidInput("the DVH view has no curve to draw: the plan has no structure with a DVH");
  }
  m_Renderer->RemoveAllViewProps();
  const auto background = draw::Unit(kBackground);
  m_Renderer->SetBackground(background[0], background[1], background[2]);
  const int width = settings.widthPx;
  const int height = settings.heightPx;
  const double scale = std::min(width, height) / 800.0;
  const int fontPx = std::clamp(int(std::lround(15.0 * scale)), 10, 48);
  const int pad = int(std::lround(0.6 * fontPx));

  m_Layout = PictureLayout{};
  m_Layout.plane = ViewPlane::Dvh;
  m_Layout.widthPx = width;
  m_Layout.heightPx = height;

  double maxDose = 0.0;
  double maxRx = 0.0;
  std::vector<const DvhCurve*> curves;
  std::vector<const DvhCurve*> compareCurves;
  for (const auto& curve : scene.plan.dvh) {
    maxDose = std::max(maxDose, curve.maxDoseGy);
    curves.push_back(&curve);
  }
  if (scene.compare) {
    for (const auto& curve : scene.compare->dvh) {
      maxDose = std::max(maxDose, curve.maxDoseGy);
      compareCurves.push_back(&curve);
    }
  }
  for (const auto& prescription : scene.plan.prescriptions) {
    maxRx = std::max(maxRx, prescription.doseGy);
  }
  auto targetsFirst = [](const DvhCurve* a, const DvhCurve* b) {
    return a->isTarget != b->isTarget ? a->isTarget : false;
  };
  std::stable_sort(curves.begin(), curves.end(), targetsFirst);
  std::stable_sort(compareCurves.begin(), compareCurves.end(), targetsFirst);

  const double range =
      std::max(maxRx > 0.0 ? std::min(maxDose, kAxisPrescriptionMultiple * maxRx) : maxDose, 1e-3);
  const double tick = draw::NiceCeil(range / kDoseTickCount);
  m_Layout.doseAxisMaxGy = std::ceil(range / tick - 1e-9) * tick;

  // Plot to the left, legend to the right.
  const int legendWidth = int(0.3 * width);
  m_Layout.plotBox = {int(std::lround(4.6 * fontPx)), int(std::lround(4.2 * fontPx)),
                      width - legendWidth - 2 * pad, height - int(std::lround(3.6 * fontPx))};
  const PixelBox& plot = m_Layout.plotBox;

  // Grid, axes, ticks and their labels.
  std::vector<Polyline2> grid;
  std::vector<Polyline2> axes{{{{double(plot.x0), double(plot.y0)},
                                {double(plot.x0), double(plot.y1)},
                                {double(plot.x1), double(plot.y1)}},
                               false}};
  for (double dose = 0.0; dose <= m_Layout.doseAxisMaxGy + 1e-9; dose += tick) {
    const double x = m_Layout.DvhToPixel(dose, 0.0).x();
    grid.push_back({{{x, double(plot.y0)}, {x, double(plot.y1)}}, false});
    axes.push_back({{{x, double(plot.y1)}, {x, plot.y1 + 0.4 * fontPx}}, false});
    m_Renderer->AddViewProp(draw::Text(FormatNumber(dose, 6), fontPx, kTextColor, x,
                                       plot.y1 + 0.6 * fontPx, height, draw::Align::Centre,
                                       draw::Align::Start, false, &m_Layout.textBoxes));
  }
  for (int volume = 0; volume <= 100; volume += 10) {
    const double y = m_Layout.DvhToPixel(0.0, volume).y();
    grid.push_back({{{double(plot.x0), y}, {double(plot.x1), y}}, false});
    axes.push_back({{{plot.x0 - 0.4 * fontPx, y}, {double(plot.x0), y}}, false});
    if (volume % 20 == 0) {
      m_Renderer->AddViewProp(draw::Text(std::to_string(volume), fontPx, kTextColor,
                                         plot.x0 - 0.6 * fontPx, y, height, draw::Align::End,
                                         draw::Align::Centre, false, &m_Layout.textBoxes));
    }
  }
  m_Renderer->AddViewProp(draw::PixelLines(grid, height, kGridColor, 1.0));
  m_Renderer->AddViewProp(draw::PixelLines(axes, height, kAxisColor, std::max(1.0, 1.5 * scale)));
  const std::string quantity = scene.plan.dose
                                   ? scene.plan.dose->model + ", " + scene.plan.dose->quantity
                                   : std::string("TG-43, water, total dose");
  m_Renderer->AddViewProp(draw::Text("Dose (Gy)  -  " + quantity, fontPx, kTextColor,
                                     0.5 * (plot.x0 + plot.x1), height - 0.5 * pad, height,
                                     draw::Align::Centre, draw::Align::End, false,
                                     &m_Layout.textBoxes));
  auto volumeTitle =
      draw::Text("Volume (%)", fontPx, kTextColor, 0.8 * fontPx, 0.5 * (plot.y0 + plot.y1), height,
                 draw::Align::Centre, draw::Align::Centre, false, &m_Layout.textBoxes);
  volumeTitle->GetTextProperty()->SetOrientation(90.0);
  m_Renderer->AddViewProp(volumeTitle);

  // Prescriptions: thin vertical lines in the target's colour.
  std::string rxText;
  for (const auto& prescription : scene.plan.prescriptions) {
    if (prescription.doseGy > m_Layout.doseAxisMaxGy) {
      continue;
    }
    Rgb color{255, 255, 255};
    for (const auto* curve : curves) {
      if (curve->structureName == prescription.structureName) {
        color = curve->colorRgb;
      }
    }
    const double x = m_Layout.DvhToPixel(prescription.doseGy, 0.0).x();
    std::vector<Polyline2> marker;
    for (double y = plot.y0; y < plot.y1; y += 8.0 * scale) {
      marker.push_back({{{x, y}, {x, std::min(double(plot.y1), y + 4.0 * scale)}}, false});
    }
    m_Renderer->AddViewProp(draw::PixelLines(marker, height, color, std::max(1.0, scale)));
    rxText += (rxText.empty() ? "Rx (dotted): " : ", ") + prescription.structureName + " " +
              FormatNumber(prescription.doseGy, 4) + " Gy";
  }

  // Curves.
  const double dashPx = 9.0 * scale;
  const double gapPx = 6.0 * scale;
  for (int pass = 0; pass < 2; ++pass) {
    const auto& list = pass == 0 ? curves : compareCurves;
    for (const auto* curve : list) {
      const double lineWidth =
          std::max(1.5, (curve->isTarget ? kTargetWidthPx : kOrganWidthPx) * scale);
      std::vector<Polyline2> lines{CurvePixels(*curve, m_Layout)};
      if (pass == 1) {
        // The ribbons' square caps add half the line width at both ends of each dash.
        lines = Dashed(lines, dashPx - lineWidth, gapPx + lineWidth);
      }
      m_Renderer->AddViewProp(draw::PixelLines(lines, height, curve->colorRgb, lineWidth));
    }
  }

  // Title.
  std::string title = "Cumulative DVH   Patient " +
                      (scene.patientId.empty() ? std::string("(no id)") : scene.patientId);
  std::string subtitle = (scene.compare ? "solid: " : "") + scene.plan.label;
  if (scene.compare) {
    subtitle += "    dashed: " + scene.compare->label;
  }
  m_Renderer->AddViewProp(draw::Text(
      title + "\n" + subtitle + (rxText.empty() ? "" : "\n" + rxText), fontPx, kTextColor, pad, pad,
      height, draw::Align::Start, draw::Align::Start, false, &m_Layout.textBoxes));

  // Legend: one row per structure of the plan, then the second plan's targets (dashed; its
  // organs share the first plan's colours and would double the list).
  struct Row {
    const DvhCurve* curve;
    bool dashed;
  };
  std::vector<Row> rows;
  for (const auto* curve : curves) {
    rows.push_back({curve, false});
  }
  for (const auto* curve : compareCurves) {
    if (curve->isTarget) {
      rows.push_back({curve, true});
    }
  }
  const int legendFont = std::max(10, int(std::lround(0.85 * fontPx)));
  const int rowHeight = int(std::lround(1.3 * legendFont));
  const int x = plot.x1 + 2 * pad;
  const int swatchWidth = int(std::lround(1.8 * legendFont));
  double y = plot.y0 + 0.5 * rowHeight;
  const std::size_t maxRows = std::size_t(std::max(1, (plot.y1 - plot.y0) / rowHeight));
  for (std::size_t row = 0; row < rows.size(); ++row) {
    if (row + 1 >= maxRows && rows.size() > maxRows) {
      m_Renderer->AddViewProp(draw::Text("+" + std::to_string(rows.size() - row) + " more",
                                         legendFont, kTextColor, x, y, height, draw::Align::Start,
                                         draw::Align::Centre, false, &m_Layout.textBoxes));
      break;
    }
    const DvhCurve& curve = *rows[row].curve;
    const bool beyond = curve.maxDoseGy > m_Layout.doseAxisMaxGy;
    LegendRow legend;
    // The second plan's rows are told by their dashed swatch and the subtitle ("dashed: ..."):
    // its file name in every row ran past the picture's edge.
    legend.text =
        curve.structureName + "  Dmax " + FormatNumber(curve.maxDoseGy, 4) + (beyond ? " >" : "");
    legend.colorRgb = curve.colorRgb;
    legend.dashed = rows[row].dashed;
    legend.swatch = {x, int(y) - 2, x + swatchWidth, int(y) + 2};
    const double lineWidth =
        std::max(1.5, (curve.isTarget ? kTargetWidthPx : kOrganWidthPx) * scale);
    std::vector<Polyline2> swatch{{{{double(x), y}, {double(x + swatchWidth), y}}, false}};
    if (legend.dashed) {
      swatch = Dashed(swatch, 0.3 * swatchWidth, 0.25 * swatchWidth);
    }
    m_Renderer->AddViewProp(draw::PixelLines(swatch, height, curve.colorRgb, lineWidth));
    m_Renderer->AddViewProp(draw::Text(legend.text, legendFont, kTextColor, x + swatchWidth + pad,
                                       y, height, draw::Align::Start, draw::Align::Centre, false,
                                       &m_Layout.textBoxes));
    m_Layout.curveLegend.push_back(legend);
    y += rowHeight;
  }
}

} // namespace seedplan::viewer
