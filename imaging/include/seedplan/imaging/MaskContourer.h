#pragma once

#include "seedplan/core/Volume.h"
#include "seedplan/imaging/Structure.h"

#include <vector>

namespace seedplan::imaging {

/// The outline of a binary mask as closed planar contours, one set per slice (on the slice's
/// plane), in patient coordinates (LPS, mm): what an RT Structure Set stores.
///
/// Method: marching squares on the voxel centres at the 0.5 level, so each outline vertex lies
/// halfway between an inside and an outside voxel centre (on the voxel face). Outer boundaries and
/// holes come out as separate polygons (filled together with the even-odd rule; their orientation
/// is consistent, inside on the left, but not needed). Diagonally touching voxels are kept apart
/// (4-connectivity of the inside). Collinear vertices are dropped, so straight runs cost two
/// points.
///
/// Round trip: ContourRasterizer::Rasterize on the mask's grid gives the mask back, except for
/// one-voxel holes. The cut corners of marching squares leave a voxel at a convex corner 7/8
/// covered and one at a concave corner 1/8; an isolated voxel becomes a diamond covering exactly
/// half of it, which the rasteriser's ">= 0.5" rule keeps. A one-voxel hole (an outside voxel
/// whose four in-plane neighbours are inside) is also a diamond of half a voxel, so its voxel is
/// half covered too and comes back inside: at the 0.5 level the two cases cannot be told apart,
/// and keeping isolated voxels (small structures) matters more than keeping pinholes.
class MaskContourer {
public:
  /// Contours of every slice of `mask` (non-zero inside), slice by slice in increasing k.
  static std::vector<ContourPolygon> Contour(const Mask& mask);
};

} // namespace seedplan::imaging
