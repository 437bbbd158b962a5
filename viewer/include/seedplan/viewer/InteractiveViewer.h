#pragma once

#include "seedplan/viewer/Pictures.h"
#include "seedplan/viewer/Scene.h"
#include "seedplan/viewer/SeedEditHandler.h"
#include "seedplan/viewer/ViewSettings.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace seedplan::viewer {

/// The viewer's window: slices paged with the mouse wheel and keys, planes, window presets and
/// window/level by dragging, isodose levels, contours and seeds toggled, HU and dose under the
/// cursor or at a click, a ruler in mm, a screenshot key; the 3D view turns with the mouse.
/// Keys: Up/Down (or the wheel) one slice, PageUp/PageDown ten; a, c, s axial, coronal,
/// sagittal; 3 the 3D view; d the DVH; w the next window preset; 1-9 one isodose level (lowest
/// first), i all levels; o contours; e seeds and needles; + and - zoom around the last clicked
/// point, 0 the whole slice; m ruler (click its two ends); p a screenshot (PNG in the screenshot
/// folder); h help; q or Escape quits.
///
/// Every action is a method, so that tests and the live seed editor (issue 14) drive the window
/// as the mouse does. The scene is shared: after its dose or seeds change, DoseChanged() or
/// SeedsChanged() redraws only what they affect on the slice in view.
/// Needs an X display (XDisplayProblem()).
class InteractiveViewer {
public:
  /// `offScreen` draws into an off-screen buffer (tests, benchmarks); the window's events then
  /// come only from the methods below.
  InteractiveViewer(std::shared_ptr<Scene> scene, ViewSettings settings, bool offScreen = false);
  ~InteractiveViewer();
  InteractiveViewer(const InteractiveViewer&) = delete;
  InteractiveViewer& operator=(const InteractiveViewer&) = delete;

  /// Shows the window and handles its events until it is closed (q, Escape or the window's
  /// close button), or for `closeAfterSeconds` when that is positive.
  void Run(double closeAfterSeconds = 0.0);

  /// A window-system event as VTK names it ("KeyPressEvent", "MouseWheelForwardEvent",
  /// "LeftButtonPressEvent", "MouseMoveEvent", "LeftButtonReleaseEvent", ...) at picture pixel
  /// (x right, y down), handled as if the user had made it: through the same mouse and key
  /// bindings as in Run(). For tests and scripted sessions.
  void DispatchEvent(const std::string& event, double xPx, double yPx,
                     const std::string& keySym = "");

  /// A key as VTK names it ("Up", "Prior", "a", "3", ...); false if it does nothing.
  bool PressKey(const std::string& keySym);
  /// Mouse wheel steps (positive: forward, next slice).
  void Wheel(int steps);
  /// A left-button drag of (dx, dy) picture pixels on a slice: window width and level.
  void DragWindowLevel(double dxPx, double dyPx);
  /// A left click at picture pixel (x right, y down): the readout there, or a ruler end.
  void Click(double xPx, double yPx);
  /// The mouse moved to (x, y): the readout follows it.
  void MoveCursor(double xPx, double yPx);
  /// "x -12.3, y 4.5, z 10 mm: 35 HU, 121.4 Gy" at a picture pixel of a slice view; empty
  /// outside the slice.
  std::string ReadoutAt(double xPx, double yPx) const;

  /// Live seed editing (`view --edit`): a left press on a seed grabs it and the drag moves it
  /// (elsewhere the drag is window/level as before), and the handler's keys come before the
  /// viewer's. Without a handler the viewer only shows.
  void SetEditHandler(std::shared_ptr<SeedEditHandler> handler);
  /// A left press at a picture pixel of a slice: true when the edit handler grabbed a seed there.
  bool GrabSeed(double xPx, double yPx);
  /// The grabbed seed follows the mouse to a picture pixel.
  void DragSeed(double xPx, double yPx);
  /// Ends the drag of the grabbed seed.
  void ReleaseSeed();
  /// Redraws what a live edit changed: the isodoses, the seeds and the edit panel of the slice in
  /// view (the 3D view and the DVH when next shown).
  void Edited();

  /// After the scene's dose changed (live editing): the isodoses of the slice in view again.
  void DoseChanged();
  /// After seeds moved: the seeds and needles of the slice in view again.
  void SeedsChanged();

  /// Renders the current view and returns its pixels and layout.
  Picture Grab();
  const ViewSettings& Settings() const;
  /// The ruler's length once both ends are set.
  std::optional<double> RulerMm() const;
  /// The text at the bottom of the window (readout, hints, last screenshot).
  std::string Status() const;
  /// Where the DVH view's curves come from when the scene has none yet: called the first time
  /// the DVH is shown (computing every structure's DVH takes seconds, so the window opens first).
  void SetDvhSource(std::function<std::vector<DvhCurve>()> source);
  /// Where `p` writes its screenshots (default: the current folder).
  void SetScreenshotFolder(const std::filesystem::path& folder);

  /// The key list printed when the window opens.
  static std::string KeyHelp();

private:
  void AttachInteractor();

  struct Impl;
  std::unique_ptr<Impl> m_Impl;
};

} // namespace seedplan::viewer
