#pragma once

#include <Eigen/Core>
#include <optional>
#include <string>

namespace seedplan::viewer {

/// What live seed editing (issue 14) does with the window's mouse and keys, outside viewer/ (the
/// editing logic knows plans, the viewer only the Scene). Each call that changes the plan updates
/// the shared Scene (its seeds, dose, selected seed, DVH curves and edit panel) before it returns
/// true; the window then redraws the slice in view. A refused edit changes nothing and says why in
/// Message().
class SeedEditHandler {
public:
  virtual ~SeedEditHandler() = default;

  /// A left press at `pointMm` on the slice in view: true when it grabs a seed within
  /// `radiusMm` (it becomes the selection, and the drag that follows moves it).
  virtual bool Grab(const Eigen::Vector3d& pointMm, double radiusMm) = 0;
  /// The grabbed seed follows the mouse to `pointMm` (in the slice plane).
  virtual bool DragTo(const Eigen::Vector3d& pointMm) = 0;
  /// The drag ends: the whole move becomes one undoable step.
  virtual bool Release() = 0;
  /// An editing key (see KeyHelp); `pointMm` is the last clicked point of a slice, if any. False
  /// when the key is not an editing key (the viewer then handles it).
  virtual bool Key(const std::string& keySym, const std::optional<Eigen::Vector3d>& pointMm) = 0;
  /// What the last edit did or why it was refused, for the status line.
  virtual std::string Message() const = 0;
  /// The editing keys, for the help.
  virtual std::string KeyHelp() const = 0;
};

} // namespace seedplan::viewer
