#pragma once

#include "seedplan/viewer/SliceSampling.h"

#include <Eigen/Core>
#include <functional>
#include <vector>

namespace seedplan::viewer {

/// A polyline in a slice plane, (u, v) in mm; closed lines do not repeat their first point.
struct Polyline2 {
  std::vector<Eigen::Vector2d> points;
  bool closed = false;
};

/// The lines where `image` crosses `level` (isodose lines on a dose slice, outlines of a mask at
/// 0.5), by marching squares (Lorensen & Cline's marching cubes in 2D): on every cell edge whose
/// end samples lie on either side of the level (a sample equal to the level counts as above) the
/// crossing is placed by linear interpolation; an ambiguous cell (diagonal corners above) is
/// resolved by the mean of its four samples, which keeps the above-level region connected when the
/// mean is above. The segments are joined into polylines, closed where they close.
std::vector<Polyline2> ExtractIsolines(const SliceImage<float>& image, double level);

/// Splits polylines into dashes of `dashMm` separated by gaps of `gapMm` along their length
/// (dashed lines drawn as plain segments: OpenGL core profiles have no line stipple).
std::vector<Polyline2> Dashed(const std::vector<Polyline2>& lines, double dashMm, double gapMm);

/// The parts of `lines` whose points satisfy `inside`, each a run of consecutive inside points (a
/// closed line wholly inside stays closed; one that leaves is opened where it leaves). Isodoses
/// of a turned scan are kept to the scan: beyond it the dose grid on the scan's voxels has no
/// values, and its clamped edge values would draw lines in the empty corners of the picture.
std::vector<Polyline2> KeepInside(const std::vector<Polyline2>& lines,
                                  const std::function<bool(const Eigen::Vector2d&)>& inside);

} // namespace seedplan::viewer
