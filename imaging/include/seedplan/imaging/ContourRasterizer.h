#pragma once

#include "seedplan/core/GridGeometry.h"
#include "seedplan/core/Volume.h"
#include "seedplan/imaging/Structure.h"

#include <vector>

namespace seedplan::imaging {

/// Turns the planar contours of one structure (RT Structure Set, patient coordinates LPS, mm) into
/// a binary mask, as planning systems do.
///
/// Slabs: the contours are grouped into planes (contours whose positions along the plane normal
/// differ by less than kPlaneMergeToleranceMm share a plane). Each plane stands for the slab
/// between the midpoints to its neighbour planes. The first and the last plane extend half the
/// contour spacing (the distance to their one neighbour) beyond themselves, so a structure drawn
/// on N planes 2.5 mm apart is N x 2.5 mm thick. A gap between two planes wider than
/// kGapFactor x the median plane spacing (a structure in two pieces along the slice axis) is not
/// bridged: both planes next to it extend half the median spacing into it. A structure drawn on a
/// single plane is `singlePlaneThicknessMm` thick (0 = the grid's slice spacing).
///
/// In plane: all polygons of a plane are filled together with the even-odd rule (a polygon inside
/// another is a hole, one inside a hole an island; overlapping polygons cancel where they
/// overlap, as DICOM RT prescribes no winding). Each voxel's covered area fraction is computed
/// exactly along the rows and with kSubRows sub-rows across them, on the polygons' true edges.
///
/// Voxel value: a grid slice's occupancy is the sum over the planes of (fraction of the slice's
/// thickness inside the plane's slab) x (covered area fraction in that plane); the voxel is inside
/// when its occupancy is at least 0.5 (so an isolated voxel's contour, a diamond covering half of
/// it, gives it back: MaskContourer), except that a voxel bisected by an edge through its centre
/// (occupancy exactly 0.5: contours drawn on a lattice, at 0 or 45 degrees) is inside for half of
/// such voxels, chosen by a low-discrepancy sequence of its index: counting every half grew such
/// lesions by ~1 % (issue 12). Fine grids split CT voxels an odd number of times (FineGridFor), so
/// that marching-squares contours (vertices on edge midpoints) bisect no sub-voxel. With grid
/// slices on the contour planes this is the area-weighted partial-volume rule, whose errors on a
/// smooth border cancel, so the mask's volume approaches the contours' volume (ContourVolumeMm3) as
/// the in-plane spacing shrinks.
///
/// Works with any grid direction matrix; the contours must be perpendicular to the grid's slice
/// axis (third direction column).
class ContourRasterizer {
public:
  /// Contours closer than this along the normal share a plane (DS rounding in real files).
  static constexpr double kPlaneMergeToleranceMm = 0.05;
  /// Largest spread of one contour's points along the slice axis accepted as planar.
  static constexpr double kPlanarityToleranceMm = 0.1;
  /// A plane gap wider than this many median spacings separates two pieces of a structure.
  static constexpr double kGapFactor = 1.5;
  /// Sub-rows per voxel row for the covered area fraction (exact along the rows).
  static constexpr int kSubRows = 16;

  /// The mask of `contours` on `grid` (the whole grid; empty contours give an empty mask).
  /// Throws InvalidInput if the grid is invalid or a contour is not perpendicular to the grid's
  /// slice axis (spread along it above kPlanarityToleranceMm). Parts outside the grid are clipped.
  static Mask Rasterize(const std::vector<ContourPolygon>& contours, const GridGeometry& grid,
                        double singlePlaneThicknessMm = 0.0);

  /// The volume (mm^3) the contours stand for under the slab rule above: per plane, the even-odd
  /// area (shoelace areas, alternating sign with nesting depth; exact for polygons that do not
  /// cross each other) times the slab thickness. The plane normal is taken from the contours
  /// (Newell's method). A single-plane structure counts `singlePlaneThicknessMm` thick.
  static double ContourVolumeMm3(const std::vector<ContourPolygon>& contours,
                                 double singlePlaneThicknessMm = 0.0);

  /// A fine grid for a small structure: the CT's direction, slices on the contour planes (spacing =
  /// the contour spacing when the planes are evenly spaced, a quarter of the smallest spacing
  /// otherwise, the CT's slice spacing for a single plane), in plane the CT's voxels over the
  /// contours' bounding box (one voxel margin, clipped to the CT) each split into m x m sub-voxels,
  /// m odd (no sub-voxel centre on the 45-degree edges of contours drawn on the CT's lattice), m
  /// chosen so that the expected volume error of the mask is well below targetVolumeErrorFraction
  /// (random border errors of +-h^2/2 per border voxel, 4 standard deviations below the target; h
  /// >= kMinimumFineSpacingMm, at most kMaximumFineVoxels voxels). Throws InvalidInput if there are
  /// no contours or they lie outside the CT.
  static GridGeometry FineGridFor(const std::vector<ContourPolygon>& contours,
                                  const GridGeometry& ct, double targetVolumeErrorFraction);

  /// The part of `grid` (same voxel centres) that covers the contours' slabs plus `marginVoxels`
  /// in plane, clipped to the grid. Throws InvalidInput if the contours lie outside the grid.
  static GridGeometry BoundingSubGrid(const std::vector<ContourPolygon>& contours,
                                      const GridGeometry& grid, int marginVoxels = 1);

  static constexpr double kMinimumFineSpacingMm = 0.05;
  static constexpr double kMaximumFineVoxels = 3.0e7;
};

} // namespace seedplan::imaging
