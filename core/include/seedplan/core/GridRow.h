#pragma once

#include "seedplan/core/GridGeometry.h"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

namespace seedplan {

/// One row of a grid: the voxel centres (i, j, k) of fixed j and k, along the first column of the
/// grid's direction, SpacingMm().x() apart. Says which of the row's voxels lie within a sphere (a
/// seed's dose cutoff or splitting reach) from the foot of the perpendicular dropped from the
/// sphere's centre onto the row and the chord's half-width, both in continuous index i; an
/// interval becomes voxel indices only once clamped to the caller's range in floating point
/// (Span::Within), so no index is formed from an unchecked double. All in mm, all inline: the
/// DVH sampling solves it for every seed on every row.
class GridRow {
public:
  /// Voxels first..last of a row (inclusive).
  struct Indices {
    std::int64_t first;
    std::int64_t last;
  };

  /// An interval of continuous index i; empty by default, widened to a hull by Include.
  struct Span {
    double low = std::numeric_limits<double>::infinity();
    double high = -std::numeric_limits<double>::infinity();

    void Include(const Span& other) {
      low = std::min(low, other.low);
      high = std::max(high, other.high);
    }
    /// The whole indices of the span within [minIndex, maxIndex] (clamped as doubles first);
    /// nullopt when there are none (also for a NaN bound).
    std::optional<Indices> Within(std::int64_t minIndex, std::int64_t maxIndex) const {
      const double first = std::max(low, double(minIndex));
      const double last = std::min(high, double(maxIndex));
      if (!(first <= last)) {
        return std::nullopt;
      }
      return Indices{static_cast<std::int64_t>(first), static_cast<std::int64_t>(last)};
    }
  };

  /// Where a sphere crosses the row's line.
  struct Chord {
    double foot;        ///< continuous i of the foot of the perpendicular from the centre
    double halfWidth;   ///< half the chord's length, in voxels
    double distance2Mm; ///< squared distance from the centre to the line (mm²)

    /// The voxels whose centres are inside the sphere (the chord rounded inward).
    Span Inside() const { return {std::ceil(foot - halfWidth), std::floor(foot + halfWidth)}; }
    /// The voxels from the one before the chord's start to the one after its end (rounded
    /// outward): those whose centres lie within a voxel of it.
    Span Enclosing() const { return {std::floor(foot - halfWidth), std::ceil(foot + halfWidth)}; }
  };

  GridRow(const GridGeometry& geometry, std::int64_t j, std::int64_t k)
      : m_StartMm(geometry.IndexToPoint(0.0, double(j), double(k))),
        m_Direction(geometry.Direction().col(0)), m_StepMm(geometry.SpacingMm().x()) {}

  /// The centre of voxel 0 of the row (mm) and the distance between voxels along it (mm).
  const Eigen::Vector3d& StartMm() const { return m_StartMm; }
  double StepMm() const { return m_StepMm; }

  /// The chord of the sphere of `radiusMm` about `centreMm`; nullopt when it misses the line.
  std::optional<Chord> ChordOf(const Eigen::Vector3d& centreMm, double radiusMm) const {
    const Eigen::Vector3d offset = centreMm - m_StartMm;
    const double along = offset.dot(m_Direction);
    const double distance2 = std::max(0.0, offset.squaredNorm() - along * along);
    const double radius2 = radiusMm * radiusMm;
    if (!(distance2 <= radius2)) {
      return std::nullopt;
    }
    return Chord{along / m_StepMm, std::sqrt(radius2 - distance2) / m_StepMm, distance2};
  }

private:
  Eigen::Vector3d m_StartMm;
  Eigen::Vector3d m_Direction;
  double m_StepMm;
};

} // namespace seedplan
