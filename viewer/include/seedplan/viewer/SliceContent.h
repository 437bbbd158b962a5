#pragma once

#include "seedplan/viewer/IsodoseLevels.h"
#include "seedplan/viewer/Isolines.h"
#include "seedplan/viewer/Scene.h"
#include "seedplan/viewer/SliceGeometry.h"
#include "seedplan/viewer/SliceSampling.h"
#include "seedplan/viewer/ViewSettings.h"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace seedplan::viewer {

/// A structure's outline on the slice.
struct ContourOverlay {
  std::string name;
  Rgb colorRgb{255, 0, 0};
  bool isTarget = false;
  std::vector<Polyline2> lines;
};

/// One isodose level's lines on the slice.
struct IsodoseOverlay {
  IsodoseLevel level;
  std::vector<Polyline2> lines;
};

/// A seed near the slice: its centre and half its capsule's axis projected on the plane (mm);
/// zero for a seed seen end-on or of unknown orientation.
struct SeedGlyph {
  Eigen::Vector2d centreMm = Eigen::Vector2d::Zero();
  Eigen::Vector2d halfAxisMm = Eigen::Vector2d::Zero();
  bool knownAxis = false;
  double distanceMm = 0.0; ///< from the plane
  std::size_t index = 0;   ///< in the plan's seeds
};

/// The part of a needle within half a slice of the plane, projected on it, and where it crosses.
struct NeedleTrace {
  std::string id;
  Eigen::Vector2d fromMm = Eigen::Vector2d::Zero();
  Eigen::Vector2d toMm = Eigen::Vector2d::Zero();
  std::optional<Eigen::Vector2d> crossingMm;
};

/// The physical size of a 125I seed capsule drawn on slices and in 3D (model 6711 and its copies:
/// 4.5 mm long, 0.8 mm across).
constexpr double kSeedLengthMm = 4.5;
constexpr double kSeedDiameterMm = 0.8;

/// Everything a slice view draws, in plane coordinates (mm), computed without VTK: the CT pixels,
/// the reference prescription and the isodose lines (dose sampled at its own resolution over the
/// CT's region), the second plan's 100 % isodose, the contours, and the seeds and needles within
/// half a slice of the plane. Built in parts, so that a view can redo only what changed (the
/// dose and seeds while seeds are edited, everything when the slice changes).
struct SliceContent {
  SliceFrame frame;
  SliceRange range;
  int sliceIndex = 0;
  SliceGrid ctGrid;
  SliceImage<short> ct;
  std::optional<SliceImage<float>> dose; ///< on its own grid over the CT's region
  std::optional<ReferencePrescription> reference;
  std::vector<IsodoseOverlay> isodoses;
  std::optional<IsodoseOverlay> compareIsodose; ///< the second plan's 100 % isodose (dashed)
  std::string compareNote; ///< why the second plan's dose is not drawn, if it is not
  std::vector<ContourOverlay> contours;
  std::vector<SeedGlyph> seeds;
  std::vector<SeedGlyph> compareSeeds;
  std::vector<NeedleTrace> needles;

  /// The slice, CT, contours, reference and everything below (throws InvalidInput for a slice
  /// outside the scan, naming its range, or a dose grid that does not cover the slice).
  static SliceContent Build(const Scene& scene, const ViewSettings& settings);
  /// The same into this content, reusing its memory (paging through slices).
  void Update(const Scene& scene, const ViewSettings& settings);
  /// Dose, reference and isodose lines again (after the dose or the levels changed).
  void UpdateDose(const Scene& scene, const ViewSettings& settings);
  /// Seeds and needles again (after seeds moved).
  void UpdateSeeds(const Scene& scene);
};

/// The slice position a view shows: settings.sliceMm snapped to the nearest CT slice, or the
/// middle of the scan. Throws InvalidInput for a position outside the scan, naming its range.
double ResolveSlicePosition(const Scene& scene, const ViewSettings& settings);

/// The position (along the plane's normal) of the centre of a structure's mask: the mean of its
/// inside voxel centres. Throws InvalidInput for an empty mask.
Eigen::Vector3d MaskCentreMm(const Mask& mask);

} // namespace seedplan::viewer
