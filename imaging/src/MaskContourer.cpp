#include "seedplan/imaging/MaskContourer.h"

#include <array>
#include <cstdint>
#include <unordered_map>
#include <unordered_set>

namespace seedplan::imaging {

namespace {

/// A point in doubled index coordinates (2i, 2j): outline vertices lie on half-integer indices.
struct Point2 {
  std::int64_t x = 0;
  std::int64_t y = 0;
};

std::int64_t Cross(const Point2& a, const Point2& b, const Point2& c) {
  return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
}

/// Oriented outline segments of one slice, linked into closed rings.
class SliceOutline {
public:
  explicit SliceOutline(std::int64_t width) : m_Width(width + 8) {}

  /// Adds the segment a-b oriented so that `reference` is on its left (or right if !leftSide).
  void Add(Point2 a, Point2 b, const Point2& reference, bool leftSide) {
    if ((Cross(a, b, reference) > 0) != leftSide) {
      std::swap(a, b);
    }
    m_Next[Key(a)] = b;
  }

  std::vector<std::vector<Point2>> Rings() {
    std::vector<std::vector<Point2>> rings;
    std::unordered_set<std::int64_t> visited;
    for (const auto& [startKey, unused] : m_Next) {
      if (visited.count(startKey) != 0) {
        continue;
      }
      std::vector<Point2> ring;
      std::int64_t key = startKey;
      while (visited.insert(key).second) {
        const Point2 next = m_Next.at(key);
        ring.push_back(next);
        key = Key(next);
      }
      rings.push_back(DropCollinear(ring));
    }
    return rings;
  }

private:
  std::int64_t Key(const Point2& p) const { return (p.x + 4) + m_Width * (p.y + 4); }

  static std::vector<Point2> DropCollinear(const std::vector<Point2>& ring) {
    std::vector<Point2> kept;
    const std::size_t n = ring.size();
    for (std::size_t v = 0; v < n; ++v) {
      if (Cross(ring[(v + n - 1) % n], ring[v], ring[(v + 1) % n]) != 0) {
        kept.push_back(ring[v]);
      }
    }
    return kept;
  }

  std::int64_t m_Width;
  std::unordered_map<std::int64_t, Point2> m_Next;
};

} // namespace

std::vector<ContourPolygon> MaskContourer::Contour(const Mask& mask) {
  const GridGeometry& grid = mask.Geometry();
  const std::int64_t nx = grid.Size()[0];
  const std::int64_t ny = grid.Size()[1];
  const std::int64_t nz = grid.Size()[2];
  std::vector<ContourPolygon> contours;
  for (std::int64_t k = 0; k < nz; ++k) {
    std::int64_t iMin = nx, iMax = -1, jMin = ny, jMax = -1;
    for (std::int64_t j = 0; j < ny; ++j) {
      for (std::int64_t i = 0; i < nx; ++i) {
        if (mask.At(i, j, k) != 0) {
          iMin = std::min(iMin, i);
          iMax = std::max(iMax, i);
          jMin = std::min(jMin, j);
          jMax = std::max(jMax, j);
        }
      }
    }
    if (iMax < 0) {
      continue;
    }
    auto inside = [&](std::int64_t i, std::int64_t j) {
      return i >= 0 && j >= 0 && i < nx && j < ny && mask.At(i, j, k) != 0;
    };
    SliceOutline outline(2 * nx + 4);
    // Cell (ci, cj) has the voxel centres c0 = (ci, cj), c1 = (ci+1, cj), c2 = (ci+1, cj+1),
    // c3 = (ci, cj+1) as corners, and edge e_m joins corners m and m+1 (mod 4).
    for (std::int64_t cj = jMin - 1; cj <= jMax; ++cj) {
      for (std::int64_t ci = iMin - 1; ci <= iMax; ++ci) {
        const std::array<Point2, 4> corner{Point2{2 * ci, 2 * cj}, Point2{2 * ci + 2, 2 * cj},
                                           Point2{2 * ci + 2, 2 * cj + 2},
                                           Point2{2 * ci, 2 * cj + 2}};
        const std::array<bool, 4> in{inside(ci, cj), inside(ci + 1, cj), inside(ci + 1, cj + 1),
                                     inside(ci, cj + 1)};
        const int count = int(in[0]) + int(in[1]) + int(in[2]) + int(in[3]);
        if (count == 0 || count == 4) {
          continue;
        }
        auto edge = [&](int m) {
          const Point2& a = corner[static_cast<std::size_t>(m % 4)];
          const Point2& b = corner[static_cast<std::size_t>((m + 1) % 4)];
          return Point2{(a.x + b.x) / 2, (a.y + b.y) / 2};
        };
        auto cutCorner = [&](int m, bool leftSide) {
          outline.Add(edge(m + 3), edge(m), corner[static_cast<std::size_t>(m)], leftSide);
        };
        if (count == 1 || count == 3) {
          for (int m = 0; m < 4; ++m) {
            if (in[static_cast<std::size_t>(m)] == (count == 1)) {
              cutCorner(m, count == 1);
            }
          }
        } else if (in[0] == in[2]) {
          // Saddle: the two inside corners are cut off separately (4-connectivity).
          for (int m = 0; m < 4; ++m) {
            if (in[static_cast<std::size_t>(m)]) {
              cutCorner(m, true);
            }
          }
        } else {
          for (int m = 0; m < 4; ++m) {
            if (in[static_cast<std::size_t>(m)] && in[static_cast<std::size_t>((m + 1) % 4)]) {
              outline.Add(edge(m + 3), edge(m + 1), corner[static_cast<std::size_t>(m)], true);
            }
          }
        }
      }
    }
    for (const auto& ring : outline.Rings()) {
      ContourPolygon polygon;
      polygon.pointsMm.reserve(ring.size());
      for (const Point2& point : ring) {
        polygon.pointsMm.push_back(grid.IndexToPoint(0.5 * static_cast<double>(point.x),
                                                     0.5 * static_cast<double>(point.y),
                                                     static_cast<double>(k)));
      }
      contours.push_back(std::move(polygon));
    }
  }
  return contours;
}

} // namespace seedplan::imaging
