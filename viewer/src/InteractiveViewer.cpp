#include "seedplan/viewer/InteractiveViewer.h"

#include "DvhViewVtk.h"
#include "SliceViewVtk.h"
#include "ThreeDViewVtk.h"
#include "VtkWindow.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/dosimetry/GridDoseSampler.h"

#include <vtkCallbackCommand.h>
#include <vtkGenericRenderWindowInteractor.h>
#include <vtkInteractorStyle.h>
#include <vtkInteractorStyleTrackballCamera.h>
#include <vtkObjectFactory.h>
#include <vtkRenderWindowInteractor.h>
#include <vtkRendererCollection.h>

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>

namespace seedplan::viewer {

namespace {

/// A press and release closer than this (pixels) is a click, not a window/level drag.
constexpr double kClickTolerancePx = 3.0;
/// Window/level drag sensitivity: the width doubles every 200 px to the right, the level moves by
/// half a width every 200 px up (as radiology workstations feel).
constexpr double kWidthDoublingPx = 200.0;
constexpr double kLevelPxPerHalfWidth = 200.0;
constexpr int kPageSlices = 10;
/// Each + or - key press zooms by a quarter; at most 16 times the fitted slice.
constexpr double kZoomStep = 1.25;
constexpr double kMaxZoom = 16.0;

} // namespace

struct InteractiveViewer::Impl {
  std::shared_ptr<Scene> scene;
  ViewSettings settings;
  bool offScreen = false;
  vtkSmartPointer<vtkRenderWindow> window;
  vtkSmartPointer<vtkRenderWindowInteractor> interactor;
  vtkSmartPointer<vtkInteractorStyle> sliceStyle;
  vtkSmartPointer<vtkInteractorStyle> threeDStyle;
  SliceViewVtk slice;
  ThreeDViewVtk threeD;
  DvhViewVtk dvh;
  bool threeDBuilt = false;
  bool dvhBuilt = false;
  vtkRenderer* current = nullptr;
  std::map<ViewPlane, double> positions;
  std::optional<Eigen::Vector3d> probePoint;
  bool rulerMode = false;
  std::optional<Eigen::Vector2d> rulerStart;
  std::optional<Eigen::Vector2d> rulerEnd;
  std::string status;
  std::filesystem::path screenshotFolder = ".";
  std::function<std::vector<DvhCurve>()> dvhSource;
  std::shared_ptr<SeedEditHandler> editHandler;
  // Left-button state.
  bool buttonDown = false;
  bool dragging = false;
  Eigen::Vector2d pressPx = Eigen::Vector2d::Zero();
  Eigen::Vector2d lastPx = Eigen::Vector2d::Zero();

  bool IsSlice() const {
    return settings.plane != ViewPlane::ThreeD && settings.plane != ViewPlane::Dvh;
  }

  void Use(vtkRenderer* renderer) {
    if (current != renderer) {
      window->GetRenderers()->RemoveAllItems();
      window->AddRenderer(renderer);
      current = renderer;
    }
    if (interactor) {
      interactor->SetInteractorStyle(settings.plane == ViewPlane::ThreeD ? threeDStyle
                                                                         : sliceStyle);
    }
  }

  /// Builds the current view from scratch (plane, slice, size changed).
  void ShowView() {
    if (IsSlice()) {
      slice.Show(*scene, settings);
      positions[settings.plane] = slice.Content().frame.positionMm;
      settings.sliceMm = positions[settings.plane];
      RefreshOverlays();
      Use(slice.Renderer());
    } else if (settings.plane == ViewPlane::ThreeD) {
      if (!threeDBuilt) {
        threeD.Show(*scene, settings);
        threeDBuilt = true;
      }
      Use(threeD.Renderer());
    } else {
      if (!dvhBuilt) {
        dvh.Show(*scene, settings);
        dvhBuilt = true;
      }
      Use(dvh.Renderer());
    }
  }

  void RefreshOverlays() {
    slice.SetStatus(status);
    if (rulerStart && rulerEnd) {
      slice.SetRuler(std::make_pair(*rulerStart, *rulerEnd));
    } else {
      slice.SetRuler(std::nullopt);
    }
  }

  /// Switches plane or slice; on bad input keeps the previous view and says why.
  void Change(ViewPlane plane, std::optional<double> position) {
    const ViewSettings previous = settings;
    settings.plane = plane;
    settings.sliceMm = position;
    rulerStart.reset();
    rulerEnd.reset();
    try {
      ShowView();
    } catch (const Error& error) {
      settings = previous;
      status = error.what();
      ShowView();
    }
  }

  void SyncSize() {
    const int* size = window->GetSize();
    if (size[0] > 0 && size[1] > 0 &&
        (size[0] != settings.widthPx || size[1] != settings.heightPx)) {
      settings.widthPx = size[0];
      settings.heightPx = size[1];
      threeDBuilt = false;
      dvhBuilt = false;
      if (settings.plane != ViewPlane::ThreeD) {
        ShowView();
      } else {
        Use(threeD.Renderer());
      }
    }
  }

  void Render() {
    SyncSize();
    window->Render();
  }

  void StepSlice(int steps) {
    if (!IsSlice()) {
      return;
    }
    const SliceContent& content = slice.Content();
    const int index = std::clamp(content.sliceIndex + steps, 0, content.range.count - 1);
    if (index != content.sliceIndex) {
      Change(settings.plane, content.range.PositionOf(index));
    }
  }

  void SwitchPlane(ViewPlane plane) {
    if (plane == ViewPlane::Dvh && scene->plan.dvh.empty()) {
      if (dvhSource) {
        std::cout << "computing the DVH of every structure ..." << std::endl;
        scene->plan.dvh = dvhSource();
      }
      if (scene->plan.dvh.empty()) {
        status = "no DVH to show";
        if (IsSlice()) {
          RefreshOverlays();
        }
        return;
      }
    }
    if (plane == ViewPlane::ThreeD || plane == ViewPlane::Dvh) {
      Change(plane, std::nullopt);
      return;
    }
    std::optional<double> position;
    if (probePoint) {
      position = SliceFrame::Make(plane, scene->patientPosition, 0.0).normal.dot(*probePoint);
    } else if (auto it = positions.find(plane); it != positions.end()) {
      position = it->second;
    }
    Change(plane, position);
  }

  /// Multiplies the zoom by `factor` (0: back to the whole slice), around the last clicked point.
  void Zoom(double factor) {
    if (!IsSlice()) {
      return;
    }
    settings.zoom = factor == 0.0 ? 1.0 : std::clamp(settings.zoom * factor, 1.0, kMaxZoom);
    if (probePoint) {
      settings.zoomCentreMm = probePoint;
    }
    ShowView();
  }

  void NextWindowPreset() {
    const auto presets = WindowPresets();
    std::size_t next = 0;
    for (std::size_t i = 0; i < presets.size(); ++i) {
      if (presets[i].name == settings.window.name) {
        next = (i + 1) % presets.size();
      }
    }
    settings.window = presets[next];
    if (IsSlice()) {
      slice.ApplyWindow(*scene, settings);
      RefreshOverlays();
    }
  }

  void ToggleLevel(std::size_t index) {
    if (!IsSlice()) {
      return;
    }
    const std::size_t count = slice.Content().isodoses.size();
    if (index >= count) {
      return;
    }
    settings.levelHidden.resize(count, false);
    settings.levelHidden[index] = !settings.levelHidden[index];
    slice.RedrawDose(*scene, settings);
    RefreshOverlays();
  }

  void ToggleAllLevels() {
    if (!IsSlice()) {
      return;
    }
    const std::size_t count = slice.Content().isodoses.size();
    settings.levelHidden.resize(count, false);
    const bool anyShown =
        std::count(settings.levelHidden.begin(), settings.levelHidden.end(), false) > 0;
    std::fill(settings.levelHidden.begin(), settings.levelHidden.end(), anyShown);
    slice.RedrawDose(*scene, settings);
    RefreshOverlays();
  }

  std::string Readout(const Eigen::Vector2d& pixel) const {
    if (!IsSlice()) {
      return {};
    }
    const PictureLayout& layout = slice.Layout();
    if (!layout.imageBox.Contains(pixel.x(), pixel.y())) {
      return {};
    }
    const SliceContent& content = slice.Content();
    const Eigen::Vector2d uv = layout.PixelToPlane(pixel);
    const Eigen::Vector3d point = content.frame.ToPatient(uv);
    std::string text = "x " + FormatNumber(point.x(), 4) + ", y " + FormatNumber(point.y(), 4) +
                       ", z " + FormatNumber(point.z(), 4) + " mm";
    const SliceGrid& grid = content.ctGrid;
    const int a = int(std::lround((uv.x() - grid.u0) / grid.du));
    const int b = int(std::lround((uv.y() - grid.v0) / grid.dv));
    if (a >= 0 && b >= 0 && a < grid.nu && b < grid.nv) {
      text += ": " + std::to_string(content.ct.At(a, b)) + " HU";
    }
    if (scene->plan.dose) {
      const dosimetry::GridDoseSampler sampler(scene->plan.dose->values);
      if (sampler.Covers(point)) {
        text += ", " + FormatNumber(sampler.DoseAt(point), 4) + " " + scene->plan.dose->Unit();
      }
    }
    return text;
  }

  void Screenshot() {
    Render();
    // Built piece by piece (GCC 12's -Wrestrict false positive on literal + string chains).
    std::string name = "seedplan-";
    name += PlaneName(settings.plane);
    if (IsSlice()) {
      name += '-';
      name += FormatNumber(slice.Content().frame.positionMm, 5);
      name += "mm";
    }
    name += ".png";
    const std::filesystem::path path = screenshotFolder / name;
    try {
      WritePngFile(path, EncodePng(GrabFrame(window)));
      status = "wrote " + path.string();
      std::cout << status << std::endl;
    } catch (const Error& error) {
      status = error.what();
    }
    if (IsSlice()) {
      RefreshOverlays();
    }
  }
};

namespace {

/// Mouse and keys on slices and the DVH: every event goes to the viewer (nothing of VTK's
/// default camera handling, which would move the slice off its fitted place).
class SliceStyle : public vtkInteractorStyle {
public:
  static SliceStyle* New();
  InteractiveViewer* viewer = nullptr;

  Eigen::Vector2d EventPx() {
    const int* position = GetInteractor()->GetEventPosition();
    const int* size = GetInteractor()->GetRenderWindow()->GetSize();
    return {position[0] + 0.5, size[1] - position[1] - 0.5};
  }
  void OnKeyPress() override { viewer->PressKey(GetInteractor()->GetKeySym()); }
  void OnChar() override {}
  void OnMouseWheelForward() override { viewer->Wheel(1); }
  void OnMouseWheelBackward() override { viewer->Wheel(-1); }
  void OnLeftButtonDown() override {
    m_Press = EventPx();
    m_Last = m_Press;
    m_Dragging = false;
    m_SeedGrabbed = viewer->GrabSeed(m_Press.x(), m_Press.y());
    m_Down = !m_SeedGrabbed;
  }
  void OnLeftButtonUp() override {
    if (m_SeedGrabbed) {
      m_SeedGrabbed = false;
      viewer->ReleaseSeed();
      return;
    }
    if (m_Down && !m_Dragging) {
      viewer->Click(m_Press.x(), m_Press.y());
    }
    m_Down = false;
  }
  void OnMouseMove() override {
    const Eigen::Vector2d now = EventPx();
    if (m_SeedGrabbed) {
      viewer->DragSeed(now.x(), now.y());
      return;
    }
    if (m_Down) {
      if (m_Dragging || (now - m_Press).norm() > kClickTolerancePx) {
        m_Dragging = true;
        viewer->DragWindowLevel(now.x() - m_Last.x(), now.y() - m_Last.y());
      }
      m_Last = now;
      return;
    }
    viewer->MoveCursor(now.x(), now.y());
  }

private:
  bool m_Down = false;
  bool m_Dragging = false;
  bool m_SeedGrabbed = false;
  Eigen::Vector2d m_Press = Eigen::Vector2d::Zero();
  Eigen::Vector2d m_Last = Eigen::Vector2d::Zero();
};
vtkStandardNewMacro(SliceStyle);

/// The 3D view turns, pans and zooms as VTK's trackball camera does; keys go to the viewer.
class ThreeDStyle : public vtkInteractorStyleTrackballCamera {
public:
  static ThreeDStyle* New();
  InteractiveViewer* viewer = nullptr;
  void OnKeyPress() override { viewer->PressKey(GetInteractor()->GetKeySym()); }
  void OnChar() override {}
};
vtkStandardNewMacro(ThreeDStyle);

} // namespace

InteractiveViewer::InteractiveViewer(std::shared_ptr<Scene> scene, ViewSettings settings,
                                     bool offScreen)
    : m_Impl(std::make_unique<Impl>()) {
  if (!scene) {
    throw InvalidInput("the viewer needs a scene");
  }
  m_Impl->scene = std::move(scene);
  m_Impl->settings = std::move(settings);
  m_Impl->offScreen = offScreen;
  m_Impl->window = MakeRenderWindow(offScreen, m_Impl->settings.widthPx, m_Impl->settings.heightPx);
  m_Impl->ShowView();
}

InteractiveViewer::~InteractiveViewer() {
  // VTK 9.1's X interactor enters a process-wide list when it is initialised (by Run(), or by the
  // first render after it is attached) and leaves it only inside its event loop once it is done:
  // one destroyed while still listed would be used by the next window's event loop. Let it leave.
  vtkRenderWindowInteractor* interactor = m_Impl->interactor;
  if (interactor && !m_Impl->offScreen && interactor->GetInitialized()) {
    interactor->TerminateApp();
    interactor->ProcessEvents();
  }
}

void InteractiveViewer::AttachInteractor() {
  Impl& impl = *m_Impl;
  if (impl.interactor) {
    return;
  }
  // Off screen the events come only from DispatchEvent(): a generic interactor routes them through
  // the same styles without joining the X event loop of on-screen windows.
  impl.interactor = impl.offScreen ? vtkSmartPointer<vtkRenderWindowInteractor>(
                                         vtkSmartPointer<vtkGenericRenderWindowInteractor>::New())
                                   : vtkSmartPointer<vtkRenderWindowInteractor>::New();
  impl.interactor->SetRenderWindow(impl.window);
  auto sliceStyle = vtkSmartPointer<SliceStyle>::New();
  sliceStyle->viewer = this;
  auto threeDStyle = vtkSmartPointer<ThreeDStyle>::New();
  threeDStyle->viewer = this;
  impl.sliceStyle = sliceStyle;
  impl.threeDStyle = threeDStyle;
  impl.Use(impl.current);
  // A resized window is redrawn at its new size.
  vtkNew<vtkCallbackCommand> onResize;
  onResize->SetClientData(this);
  onResize->SetCallback([](vtkObject*, unsigned long, void* clientData, void*) {
    static_cast<InteractiveViewer*>(clientData)->m_Impl->Render();
  });
  impl.interactor->AddObserver(vtkCommand::ConfigureEvent, onResize);
}

void InteractiveViewer::Run(double closeAfterSeconds) {
  if (m_Impl->offScreen) {
    throw InvalidInput("an off-screen viewer has no window to run");
  }
  AttachInteractor();
  Impl& impl = *m_Impl;
  impl.interactor->Initialize();
  vtkNew<vtkCallbackCommand> close;
  if (closeAfterSeconds > 0.0) {
    close->SetClientData(impl.interactor.Get());
    close->SetCallback([](vtkObject*, unsigned long, void* clientData, void*) {
      static_cast<vtkRenderWindowInteractor*>(clientData)->TerminateApp();
    });
    impl.interactor->AddObserver(vtkCommand::TimerEvent, close);
    impl.interactor->CreateOneShotTimer(unsigned(std::lround(1000.0 * closeAfterSeconds)));
  }
  impl.Render();
  impl.interactor->Start();
  if (closeAfterSeconds > 0.0) {
    impl.interactor->RemoveObserver(close);
  }
}

void InteractiveViewer::DispatchEvent(const std::string& event, double xPx, double yPx,
                                      const std::string& keySym) {
  AttachInteractor();
  Impl& impl = *m_Impl;
  const unsigned long id = vtkCommand::GetEventIdFromString(event.c_str());
  if (id == vtkCommand::NoEvent) {
    throw InvalidInput("no such window event '" + event + "'");
  }
  // Display coordinates run up from the bottom row.
  const int x = int(std::floor(xPx));
  const int y = impl.settings.heightPx - 1 - int(std::floor(yPx));
  const char code = keySym.size() == 1 ? keySym[0] : '\0';
  impl.interactor->SetEventInformation(x, y, 0, 0, code, 0,
                                       keySym.empty() ? nullptr : keySym.c_str());
  impl.interactor->InvokeEvent(id, nullptr);
}

bool InteractiveViewer::PressKey(const std::string& key) {
  Impl& impl = *m_Impl;
  if (impl.editHandler && impl.editHandler->Key(key, impl.probePoint)) {
    Edited();
    return true;
  }
  bool handled = true;
  if (key == "Up" || key == "Right") {
    impl.StepSlice(1);
  } else if (key == "Down" || key == "Left") {
    impl.StepSlice(-1);
  } else if (key == "Prior") {
    impl.StepSlice(kPageSlices);
  } else if (key == "Next") {
    impl.StepSlice(-kPageSlices);
  } else if (key == "a") {
    impl.SwitchPlane(ViewPlane::Axial);
  } else if (key == "c") {
    impl.SwitchPlane(ViewPlane::Coronal);
  } else if (key == "s") {
    impl.SwitchPlane(ViewPlane::Sagittal);
  } else if (key == "3") {
    impl.SwitchPlane(ViewPlane::ThreeD);
  } else if (key == "d") {
    impl.SwitchPlane(ViewPlane::Dvh);
  } else if (key == "w") {
    impl.NextWindowPreset();
  } else if (key.size() == 1 && key[0] >= '1' && key[0] <= '9' && impl.IsSlice()) {
    impl.ToggleLevel(std::size_t(key[0] - '1'));
  } else if (key == "plus" || key == "equal" || key == "KP_Add" || key == "minus" ||
             key == "KP_Subtract" || key == "0") {
    impl.Zoom(key == "0"                                 ? 0.0
              : (key == "minus" || key == "KP_Subtract") ? 1.0 / kZoomStep
                                                         : kZoomStep);
  } else if (key == "i") {
    impl.ToggleAllLevels();
  } else if (key == "o" || key == "e") {
    (key == "o" ? impl.settings.showContours : impl.settings.showSeeds) ^= true;
    if (impl.IsSlice()) {
      impl.slice.ApplyWindow(*impl.scene, impl.settings);
      impl.RefreshOverlays();
    }
  } else if (key == "m") {
    impl.rulerMode = !impl.rulerMode;
    impl.rulerStart.reset();
    impl.rulerEnd.reset();
    impl.status = impl.rulerMode ? "ruler: click its two ends" : "";
    if (impl.IsSlice()) {
      impl.RefreshOverlays();
    }
  } else if (key == "p") {
    impl.Screenshot();
  } else if (key == "h") {
    std::cout << KeyHelp();
    impl.status = "keys: see the terminal";
    if (impl.IsSlice()) {
      impl.RefreshOverlays();
    }
  } else if (key == "q" || key == "Escape") {
    if (impl.interactor) {
      impl.interactor->TerminateApp();
    }
    return true;
  } else {
    handled = false;
  }
  if (handled) {
    impl.Render();
  }
  return handled;
}

void InteractiveViewer::Wheel(int steps) {
  m_Impl->StepSlice(steps);
  m_Impl->Render();
}

void InteractiveViewer::DragWindowLevel(double dxPx, double dyPx) {
  Impl& impl = *m_Impl;
  if (!impl.IsSlice()) {
    return;
  }
  WindowLevel& window = impl.settings.window;
  window.widthHu = std::clamp(window.widthHu * std::exp2(dxPx / kWidthDoublingPx), 1.0, 10000.0);
  window.levelHu -= dyPx / kLevelPxPerHalfWidth * 0.5 * window.widthHu;
  window.name = "custom";
  impl.slice.ApplyWindow(*impl.scene, impl.settings);
  impl.RefreshOverlays();
  impl.Render();
}

void InteractiveViewer::Click(double xPx, double yPx) {
  Impl& impl = *m_Impl;
  if (!impl.IsSlice()) {
    return;
  }
  const PictureLayout& layout = impl.slice.Layout();
  if (impl.rulerMode) {
    const Eigen::Vector2d uv = layout.PixelToPlane({xPx, yPx});
    if (!impl.rulerStart || impl.rulerEnd) {
      impl.rulerStart = uv;
      impl.rulerEnd.reset();
      impl.status = "ruler: click its second end";
    } else {
      impl.rulerEnd = uv;
      impl.status = "ruler " + FormatNumber((*impl.rulerEnd - *impl.rulerStart).norm(), 4) + " mm";
    }
  } else {
    impl.status = impl.Readout({xPx, yPx});
    if (!impl.status.empty()) {
      impl.probePoint = impl.slice.Content().frame.ToPatient(layout.PixelToPlane({xPx, yPx}));
    }
  }
  impl.RefreshOverlays();
  impl.Render();
}

void InteractiveViewer::MoveCursor(double xPx, double yPx) {
  Impl& impl = *m_Impl;
  if (!impl.IsSlice() || impl.rulerMode) {
    return;
  }
  const std::string readout = impl.Readout({xPx, yPx});
  if (readout != impl.status) {
    impl.status = readout;
    impl.RefreshOverlays();
    impl.Render();
  }
}

std::string InteractiveViewer::ReadoutAt(double xPx, double yPx) const {
  return m_Impl->Readout({xPx, yPx});
}

void InteractiveViewer::SetEditHandler(std::shared_ptr<SeedEditHandler> handler) {
  m_Impl->editHandler = std::move(handler);
  Edited();
}

namespace {

/// A click within this many pixels of a seed's centre grabs it (a seed is drawn >= 3 px across
/// its radius; the hand is not that precise).
constexpr double kGrabRadiusPx = 8.0;
/// ... and at least this many mm (a 4.5 mm capsule seen side on, zoomed out).
constexpr double kGrabRadiusMm = 2.5;

} // namespace

bool InteractiveViewer::GrabSeed(double xPx, double yPx) {
  Impl& impl = *m_Impl;
  if (!impl.editHandler || !impl.IsSlice() || impl.rulerMode) {
    return false;
  }
  const PictureLayout& layout = impl.slice.Layout();
  if (!layout.imageBox.Contains(xPx, yPx)) {
    return false;
  }
  const Eigen::Vector3d point =
      impl.slice.Content().frame.ToPatient(layout.PixelToPlane({xPx, yPx}));
  // Only seeds drawn on this slice can be picked: within half a slice of the plane.
  const double radius = std::max(kGrabRadiusMm, kGrabRadiusPx * layout.mmPerPixel);
  const double halfSlab = 0.5 * impl.slice.Content().range.stepMm;
  if (!impl.editHandler->Grab(point, std::max(halfSlab, radius))) {
    return false;
  }
  impl.probePoint = point;
  Edited();
  return true;
}

void InteractiveViewer::DragSeed(double xPx, double yPx) {
  Impl& impl = *m_Impl;
  if (!impl.editHandler || !impl.IsSlice()) {
    return;
  }
  const PictureLayout& layout = impl.slice.Layout();
  const Eigen::Vector3d point =
      impl.slice.Content().frame.ToPatient(layout.PixelToPlane({xPx, yPx}));
  if (impl.editHandler->DragTo(point)) {
    Edited();
  }
}

void InteractiveViewer::ReleaseSeed() {
  Impl& impl = *m_Impl;
  if (impl.editHandler) {
    impl.editHandler->Release();
    Edited();
  }
}

void InteractiveViewer::Edited() {
  Impl& impl = *m_Impl;
  impl.threeDBuilt = false;
  impl.dvhBuilt = false;
  if (impl.editHandler) {
    impl.status = impl.editHandler->Message();
  }
  if (impl.IsSlice()) {
    impl.slice.RedrawEdited(*impl.scene, impl.settings);
    impl.RefreshOverlays();
  } else {
    impl.ShowView();
  }
  impl.Render();
}

void InteractiveViewer::DoseChanged() {
  Impl& impl = *m_Impl;
  impl.threeDBuilt = false;
  impl.dvhBuilt = false;
  if (impl.IsSlice()) {
    impl.slice.RedrawDose(*impl.scene, impl.settings);
    impl.RefreshOverlays();
  } else {
    impl.ShowView();
  }
  impl.Render();
}

void InteractiveViewer::SeedsChanged() {
  Impl& impl = *m_Impl;
  impl.threeDBuilt = false;
  if (impl.IsSlice()) {
    impl.slice.RedrawSeeds(*impl.scene, impl.settings);
    impl.RefreshOverlays();
  } else {
    impl.ShowView();
  }
  impl.Render();
}

Picture InteractiveViewer::Grab() {
  Impl& impl = *m_Impl;
  impl.Render();
  Picture picture;
  picture.image = GrabFrame(impl.window);
  picture.layout = impl.IsSlice()                             ? impl.slice.Layout()
                   : impl.settings.plane == ViewPlane::ThreeD ? impl.threeD.Layout()
                                                              : impl.dvh.Layout();
  return picture;
}

const ViewSettings& InteractiveViewer::Settings() const {
  return m_Impl->settings;
}

std::optional<double> InteractiveViewer::RulerMm() const {
  if (m_Impl->rulerStart && m_Impl->rulerEnd) {
    return (*m_Impl->rulerEnd - *m_Impl->rulerStart).norm();
  }
  return std::nullopt;
}

std::string InteractiveViewer::Status() const {
  return m_Impl->status;
}

void InteractiveViewer::SetDvhSource(std::function<std::vector<DvhCurve>()> source) {
  m_Impl->dvhSource = std::move(source);
}

void InteractiveViewer::SetScreenshotFolder(const std::filesystem::path& folder) {
  m_Impl->screenshotFolder = folder;
}

std::string InteractiveViewer::KeyHelp() {
  return "seedplan view keys:\n"
         "  mouse wheel, Up/Down     next/previous slice (PageUp/PageDown: 10 slices)\n"
         "  a, c, s                  axial, coronal, sagittal (through the last clicked point)\n"
         "  3, d                     3D view (drag to turn it), DVH\n"
         "  w, left drag             next window preset; window/level (right: wider, up: "
         "brighter)\n"
         "  1-9, i                   one isodose level (lowest first), all levels on/off\n"
         "  o, e                     contours, seeds and needles on/off\n"
         "  +, -, 0                  zoom in, out (around the last clicked point), whole slice\n"
         "  click, cursor            HU and dose at that point\n"
         "  m                        ruler: click its two ends (mm)\n"
         "  p                        screenshot (PNG) in the current folder\n"
         "  h, q/Escape              this help, quit\n";
}

} // namespace seedplan::viewer
