#include "ThreeDViewVtk.h"

#include "VtkDrawing.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/MaskIndexBox.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/viewer/IsodoseLevels.h"
#include "seedplan/viewer/SliceContent.h"
#include "seedplan/viewer/SliceSampling.h"

#include <vtkAppendPolyData.h>
#include <vtkCamera.h>
#include <vtkCellArray.h>
#include <vtkCylinderSource.h>
#include <vtkFlyingEdges3D.h>
#include <vtkImageData.h>
#include <vtkMatrix4x4.h>
#include <vtkNew.h>
#include <vtkPoints.h>
#include <vtkPolyData.h>
#include <vtkPolyDataMapper.h>
#include <vtkProperty.h>
#include <vtkTransform.h>
#include <vtkTransformPolyDataFilter.h>
#include <vtkTubeFilter.h>

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <numbers>

namespace seedplan::viewer {

namespace {

/// Distance around a target's box within which its prescription isodose is drawn (the same reach
/// as V_ref of `evaluate`, so that another lesion's isodose does not count).
constexpr double kIsodoseReachMm = 20.0;
/// 18 G brachytherapy needle: 1.27 mm across.
constexpr double kNeedleRadiusMm = 0.635;

double OpacityOf(const SceneStructure& structure) {
  if (structure.kind == StructureKind::External) {
    return 0.08;
  }
  if (structure.kind == StructureKind::Target) {
    return 0.7;
  }
  if (structure.role == "no-go" || structure.role == "oar") {
    return 0.4;
  }
  return 0.25;
}

/// The index-to-patient map of a grid (4 x 4, homogeneous, mm).
vtkSmartPointer<vtkTransform> IndexToPatient(const GridGeometry& grid) {
  vtkNew<vtkMatrix4x4> matrix;
  const Eigen::Matrix3d m = grid.Direction() * grid.SpacingMm().asDiagonal();
  for (int r = 0; r < 3; ++r) {
    for (int c = 0; c < 3; ++c) {
      matrix->SetElement(r, c, m(r, c));
    }
    matrix->SetElement(r, 3, grid.OriginMm()[r]);
  }
  auto transform = vtkSmartPointer<vtkTransform>::New();
  transform->SetMatrix(matrix);
  return transform;
}

/// Voxels of a structure's box above which its surface is computed on every second voxel in
/// plane (4 times fewer triangles): the body and the ribs would otherwise give ~0.5 million
/// triangles each, which Mesa's CPU renderer draws translucent in seconds.
constexpr double kFullResolutionVoxels = 2.0e6;

/// The surface where `get(i, j, k)` (on `grid`, index box [lower, upper], sampled every `stride`
/// voxels along i and j) crosses `level`, in patient coordinates, with one border sample of
/// `outside` so that surfaces touching the box close. `smooth` first blurs the samples with a
/// [1 2 1]/4 kernel along each axis, which turns a mask's voxel steps into a smooth surface
/// through the same boundary (for display only; no dose or volume is taken from it).
template <class Get>
vtkSmartPointer<vtkPolyData> Isosurface(const GridGeometry& grid,
                                        const std::array<std::int64_t, 3>& lower,
                                        const std::array<std::int64_t, 3>& upper, Get get,
                                        double level, float outside, int stride, bool smooth) {
  const int n[3] = {int((upper[0] - lower[0]) / stride + 3),
                    int((upper[1] - lower[1]) / stride + 3), int(upper[2] - lower[2] + 3)};
  const std::size_t count = std::size_t(n[0]) * std::size_t(n[1]) * std::size_t(n[2]);
  std::vector<float> values(count, outside);
  auto at = [&](int i, int j, int k) -> float& {
    return values[i + std::size_t(n[0]) * (j + std::size_t(n[1]) * k)];
  };
  for (int k = 1; k + 1 < n[2]; ++k) {
    for (int j = 1; j + 1 < n[1]; ++j) {
      for (int i = 1; i + 1 < n[0]; ++i) {
        at(i, j, k) = float(get(lower[0] + std::int64_t(i - 1) * stride,
                                lower[1] + std::int64_t(j - 1) * stride, lower[2] + k - 1));
      }
    }
  }
  if (smooth) {
    const int step[3] = {1, n[0], n[0] * n[1]};
    std::vector<float> copy;
    for (int axis = 0; axis < 3; ++axis) {
      copy = values;
      for (int k = 0; k < n[2]; ++k) {
        for (int j = 0; j < n[1]; ++j) {
          for (int i = 0; i < n[0]; ++i) {
            const int index[3] = {i, j, k};
            if (index[axis] == 0 || index[axis] + 1 == n[axis]) {
              continue;
            }
            const std::size_t c = i + std::size_t(n[0]) * (j + std::size_t(n[1]) * k);
            values[c] =
                0.25f * copy[c - step[axis]] + 0.5f * copy[c] + 0.25f * copy[c + step[axis]];
          }
        }
      }
    }
  }
  vtkNew<vtkImageData> image;
  image->SetDimensions(n[0], n[1], n[2]);
  image->SetOrigin(double(lower[0] - stride), double(lower[1] - stride), double(lower[2] - 1));
  image->SetSpacing(double(stride), double(stride), 1.0);
  image->AllocateScalars(VTK_FLOAT, 1);
  std::memcpy(image->GetScalarPointer(), values.data(), values.size() * sizeof(float));
  vtkNew<vtkFlyingEdges3D> contour;
  contour->SetInputData(image);
  contour->SetValue(0, level);
  contour->ComputeNormalsOn();
  vtkNew<vtkTransformPolyDataFilter> toPatient;
  toPatient->SetInputConnection(contour->GetOutputPort());
  toPatient->SetTransform(IndexToPatient(grid));
  toPatient->Update();
  auto surface = vtkSmartPointer<vtkPolyData>::New();
  surface->ShallowCopy(toPatient->GetOutput());
  return surface;
}

vtkSmartPointer<vtkActor> SurfaceActor(vtkPolyData* surface, const Rgb& color, double opacity) {
  vtkNew<vtkPolyDataMapper> mapper;
  mapper->SetInputData(surface);
  mapper->ScalarVisibilityOff();
  auto actor = vtkSmartPointer<vtkActor>::New();
  actor->SetMapper(mapper);
  const auto unit = draw::Unit(color);
  actor->GetProperty()->SetColor(unit[0], unit[1], unit[2]);
  actor->GetProperty()->SetOpacity(opacity);
  actor->GetProperty()->SetSpecular(0.2);
  return actor;
}

} // namespace

ThreeDViewVtk::ThreeDViewVtk() : m_Renderer(vtkSmartPointer<vtkRenderer>::New()) {}

void ThreeDViewVtk::Show(const Scene& scene, const ViewSettings& settings) {
  m_Renderer->RemoveAllViewProps();
  m_Renderer->SetBackground(0.08, 0.08, 0.1);
  // Translucent surfaces drawn in the right order (depth peeling; llvmpipe supports it).
  m_Renderer->SetUseDepthPeeling(1);
  m_Renderer->SetMaximumNumberOfPeels(4);
  const int width = settings.widthPx;
  const int height = settings.heightPx;
  const double scale = std::min(width, height) / 800.0;
  const int fontPx = std::clamp(int(std::lround(16.0 * scale)), 10, 48);
  const int pad = int(std::lround(0.6 * fontPx));
  m_Layout = PictureLayout{};
  m_Layout.plane = ViewPlane::ThreeD;
  m_Layout.widthPx = width;
  m_Layout.heightPx = height;

  for (const auto& structure : scene.structures) {
    // Pass-through tissue (skin, lungs, liver, ...) would hide what matters behind translucent
    // layers; the body outline gives the context.
    if (structure.role == "pass-through") {
      continue;
    }
    const auto box = MaskIndexBox::Of(structure.mask);
    if (!box) {
      continue;
    }
    const Mask& mask = structure.mask;
    const double voxels = double(box->upper[0] - box->lower[0] + 1) *
                          double(box->upper[1] - box->lower[1] + 1) *
                          double(box->upper[2] - box->lower[2] + 1);
    auto surface = Isosurface(
        mask.Geometry(), box->lower, box->upper,
        [&](std::int64_t i, std::int64_t j, std::int64_t k) {
          return mask.At(i, j, k) ? 1.0 : 0.0;
        },
        0.5, 0.0f, voxels > kFullResolutionVoxels ? 2 : 1, true);
    m_Renderer->AddViewProp(SurfaceActor(surface, structure.colorRgb, OpacityOf(structure)));
  }

  std::string isodoseText;
  if (scene.plan.dose) {
    const SceneDose& dose = *scene.plan.dose;
    const GridGeometry& grid = dose.values.Geometry();
    const std::string uncovered = UncoveredBox(grid, scene.ct.Geometry());
    if (!uncovered.empty()) {
      throw InvalidInput("the dose grid does not cover the CT: " + uncovered +
                         " is outside it (dose grid " + grid.Describe() + ")");
    }
    for (const auto& prescription : scene.plan.prescriptions) {
      const SceneStructure* target = scene.Find(prescription.structureName);
      const auto box = target ? MaskIndexBox::Of(target->mask) : std::nullopt;
      if (!box) {
        continue;
      }
      // The target's box plus the reach, as an index box of the dose grid.
      Eigen::Vector3d low = Eigen::Vector3d::Constant(1e300), high = -low;
      for (int corner = 0; corner < 8; ++corner) {
        const Eigen::Vector3d point = target->mask.Geometry().IndexToPoint(
            double((corner & 1) ? box->upper[0] : box->lower[0]),
            double((corner & 2) ? box->upper[1] : box->lower[1]),
            double((corner & 4) ? box->upper[2] : box->lower[2]));
        const Eigen::Vector3d index = grid.PointToContinuousIndex(point);
        low = low.cwiseMin(index);
        high = high.cwiseMax(index);
      }
      std::array<std::int64_t, 3> lower{}, upper{};
      for (int axis = 0; axis < 3; ++axis) {
        const double reach = kIsodoseReachMm / grid.SpacingMm()[axis];
        lower[axis] = std::clamp<std::int64_t>(std::int64_t(std::floor(low[axis] - reach)), 0,
                                               grid.Size()[axis] - 1);
        upper[axis] = std::clamp<std::int64_t>(std::int64_t(std::ceil(high[axis] + reach)), 0,
                                               grid.Size()[axis] - 1);
      }
      const double level =
          dose.isDoseRate ? prescription.doseGy * 100.0 / dose.meanLifeHours : prescription.doseGy;
      auto surface = Isosurface(
          grid, lower, upper,
          [&](std::int64_t i, std::int64_t j, std::int64_t k) { return dose.values.At(i, j, k); },
          level, 0.0f, 1, false);
      m_Renderer->AddViewProp(SurfaceActor(surface, StandardLevelColor(100.0, 0), 0.35));
      isodoseText += (isodoseText.empty() ? "" : ", ") + prescription.structureName + " " +
                     FormatNumber(prescription.doseGy, 4) + " Gy";
    }
  }

  if (settings.showSeeds && !scene.plan.seeds.empty()) {
    vtkNew<vtkAppendPolyData> seeds;
    for (const auto& seed : scene.plan.seeds) {
      vtkNew<vtkCylinderSource> capsule; // axis along y, centred at the origin
      capsule->SetRadius(0.5 * kSeedDiameterMm);
      capsule->SetHeight(kSeedLengthMm);
      capsule->SetResolution(12);
      capsule->CappingOn();
      vtkNew<vtkTransform> place;
      place->Translate(seed.positionMm.x(), seed.positionMm.y(), seed.positionMm.z());
      const Eigen::Vector3d axis = seed.direction && seed.direction->norm() > 0
                                       ? Eigen::Vector3d(seed.direction->normalized())
                                       : Eigen::Vector3d::UnitZ();
      const Eigen::Vector3d y = Eigen::Vector3d::UnitY();
      const Eigen::Vector3d turn = y.cross(axis);
      const double angle = std::atan2(turn.norm(), y.dot(axis)) * 180.0 / std::numbers::pi;
      if (turn.norm() > 1e-9) {
        place->RotateWXYZ(angle, turn.x(), turn.y(), turn.z());
      } else if (y.dot(axis) < 0) {
        place->RotateX(180.0);
      }
      vtkNew<vtkTransformPolyDataFilter> placed;
      placed->SetInputConnection(capsule->GetOutputPort());
      placed->SetTransform(place);
      placed->Update();
      seeds->AddInputData(placed->GetOutput());
    }
    seeds->Update();
    m_Renderer->AddViewProp(SurfaceActor(seeds->GetOutput(), {235, 235, 235}, 1.0));

    if (!scene.plan.needles.empty()) {
      vtkNew<vtkPoints> points;
      vtkNew<vtkCellArray> lines;
      for (const auto& needle : scene.plan.needles) {
        const vtkIdType a = points->InsertNextPoint(needle.entryMm.data());
        const vtkIdType b = points->InsertNextPoint(needle.tipMm.data());
        const vtkIdType ids[2] = {a, b};
        lines->InsertNextCell(2, ids);
      }
      vtkNew<vtkPolyData> data;
      data->SetPoints(points);
      data->SetLines(lines);
      vtkNew<vtkTubeFilter> tubes;
      tubes->SetInputData(data);
      tubes->SetRadius(kNeedleRadiusMm);
      tubes->SetNumberOfSides(10);
      tubes->Update();
      m_Renderer->AddViewProp(SurfaceActor(tubes->GetOutput(), {160, 160, 170}, 1.0));
    }
  }

  // Seen from the front (anterior, -y), head up, turned to the patient's left.
  const GridGeometry& ct = scene.ct.Geometry();
  const auto& size = ct.Size();
  const Eigen::Vector3d centre = ct.IndexToPoint(
      0.5 * double(size[0] - 1), 0.5 * double(size[1] - 1), 0.5 * double(size[2] - 1));
  vtkCamera* camera = m_Renderer->GetActiveCamera();
  camera->ParallelProjectionOff();
  camera->SetFocalPoint(centre.x(), centre.y(), centre.z());
  camera->SetPosition(centre.x(), centre.y() - 1000.0, centre.z());
  camera->SetViewUp(0.0, 0.0, 1.0);
  camera->Azimuth(30.0);
  camera->Elevation(10.0);
  m_Renderer->ResetCamera();
  camera->Zoom(1.15);
  m_Renderer->ResetCameraClippingRange();

  std::string text =
      "Patient " + (scene.patientId.empty() ? std::string("(no id)") : scene.patientId);
  text += "\n" + scene.plan.label + "\n3D: body, structures, " +
          std::to_string(scene.plan.seeds.size()) + " seeds, " +
          std::to_string(scene.plan.needles.size()) + " needles";
  if (!isodoseText.empty()) {
    text += "\nred: 100 % isodose of each target";
  }
  if (scene.plan.dose) {
    text += "\n" + scene.plan.dose->model + ", " + scene.plan.dose->quantity;
  }
  text += "\nseen from the front, head up, turned 30 deg to the patient's left";
  m_Renderer->AddViewProp(draw::Text(text, fontPx, {235, 235, 235}, pad, pad, height,
                                     draw::Align::Start, draw::Align::Start, false,
                                     &m_Layout.textBoxes));
}

} // namespace seedplan::viewer
