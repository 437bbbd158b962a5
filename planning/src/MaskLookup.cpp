#include "MaskLookup.h"

#include <algorithm>
#include <cmath>

namespace seedplan::planning {

MaskLookup::MaskLookup(const Mask& mask)
    : m_Mask(&mask), m_OriginMm(mask.Geometry().OriginMm()), m_Size(mask.Geometry().Size()) {
  const GridGeometry& geometry = mask.Geometry();
  m_PointToIndex =
      geometry.SpacingMm().cwiseInverse().asDiagonal() * geometry.Direction().transpose();
  const auto& data = mask.Data();
  if (static_cast<std::int64_t>(data.size()) != geometry.NumberOfVoxels()) {
    return; // an unfilled mask holds nothing
  }
  const std::int64_t nx = m_Size[0];
  for (std::int64_t k = 0; k < m_Size[2]; ++k) {
    for (std::int64_t j = 0; j < m_Size[1]; ++j) {
      const auto rowBegin = data.begin() + geometry.LinearIndex(0, j, k);
      const auto rowEnd = rowBegin + nx;
      const auto first = std::find_if(rowBegin, rowEnd, [](std::uint8_t v) { return v != 0; });
      if (first == rowEnd) {
        continue;
      }
      const auto last =
          std::find_if(std::make_reverse_iterator(rowEnd), std::make_reverse_iterator(first),
                       [](std::uint8_t v) { return v != 0; });
      const std::int64_t iFirst = first - rowBegin;
      const std::int64_t iLast = (last.base() - 1) - rowBegin;
      if (m_Empty) {
        m_InsideMin = {iFirst, j, k};
        m_InsideMax = {iLast, j, k};
        m_Empty = false;
      } else {
        m_InsideMin = {std::min(m_InsideMin[0], iFirst), std::min(m_InsideMin[1], j),
                       std::min(m_InsideMin[2], k)};
        m_InsideMax = {std::max(m_InsideMax[0], iLast), std::max(m_InsideMax[1], j),
                       std::max(m_InsideMax[2], k)};
      }
    }
  }
}

bool MaskLookup::Contains(const Eigen::Vector3d& pointMm) const {
  if (m_Empty) {
    return false;
  }
  const Eigen::Vector3d index = ContinuousIndex(pointMm);
  std::array<std::int64_t, 3> nearest{};
  for (int axis = 0; axis < 3; ++axis) {
    const double rounded = std::floor(index[axis] + 0.5);
    if (!(rounded >= static_cast<double>(m_InsideMin[axis]) &&
          rounded <= static_cast<double>(m_InsideMax[axis]))) {
      return false; // also false for NaN
    }
    nearest[axis] = static_cast<std::int64_t>(rounded);
  }
  return m_Mask->At(nearest[0], nearest[1], nearest[2]) != 0;
}

bool MaskLookup::OnEndSlice(const Eigen::Vector3d& pointMm) const {
  if (m_Empty) {
    return false;
  }
  const double k = std::floor(ContinuousIndex(pointMm)[2] + 0.5);
  return k == static_cast<double>(m_InsideMin[2]) || k == static_cast<double>(m_InsideMax[2]);
}

bool MaskLookup::WithinDistance(const Eigen::Vector3d& pointMm, double distanceMm) const {
  if (m_Empty) {
    return false;
  }
  if (Contains(pointMm)) {
    return true;
  }
  if (!(distanceMm > 0.0)) {
    return false;
  }
  const Eigen::Vector3d index = ContinuousIndex(pointMm);
  const Eigen::Vector3d& spacing = m_Mask->Geometry().SpacingMm();
  std::array<std::int64_t, 3> low{};
  std::array<std::int64_t, 3> high{};
  for (int axis = 0; axis < 3; ++axis) {
    const double reach = distanceMm / spacing[axis] + 0.5;
    const double lowIndex =
        std::max(std::ceil(index[axis] - reach - 0.5), static_cast<double>(m_InsideMin[axis]));
    const double highIndex =
        std::min(std::floor(index[axis] + reach + 0.5), static_cast<double>(m_InsideMax[axis]));
    if (!(lowIndex <= highIndex)) {
      return false;
    }
    low[axis] = static_cast<std::int64_t>(lowIndex);
    high[axis] = static_cast<std::int64_t>(highIndex);
  }
  const double distanceSquared = distanceMm * distanceMm;
  for (std::int64_t k = low[2]; k <= high[2]; ++k) {
    const double dz = std::max(0.0, std::abs(index[2] - static_cast<double>(k)) - 0.5) * spacing[2];
    for (std::int64_t j = low[1]; j <= high[1]; ++j) {
      const double dy =
          std::max(0.0, std::abs(index[1] - static_cast<double>(j)) - 0.5) * spacing[1];
      for (std::int64_t i = low[0]; i <= high[0]; ++i) {
        if (m_Mask->At(i, j, k) == 0) {
          continue;
        }
        const double dx =
            std::max(0.0, std::abs(index[0] - static_cast<double>(i)) - 0.5) * spacing[0];
        if (dx * dx + dy * dy + dz * dz <= distanceSquared) {
          return true;
        }
      }
    }
  }
  return false;
}

std::vector<Eigen::Vector3d> MaskLookup::InsidePoints() const {
  std::vector<Eigen::Vector3d> points;
  if (m_Empty) {
    return points;
  }
  const GridGeometry& geometry = m_Mask->Geometry();
  for (std::int64_t k = m_InsideMin[2]; k <= m_InsideMax[2]; ++k) {
    for (std::int64_t j = m_InsideMin[1]; j <= m_InsideMax[1]; ++j) {
      for (std::int64_t i = m_InsideMin[0]; i <= m_InsideMax[0]; ++i) {
        if (m_Mask->At(i, j, k) != 0) {
          points.push_back(geometry.IndexToPoint(static_cast<double>(i), static_cast<double>(j),
                                                 static_cast<double>(k)));
        }
      }
    }
  }
  return points;
}

double MaskLookup::FinestSpacingMm() const {
  return m_Mask->Geometry().SpacingMm().minCoeff();
}

double MaskLookup::ReachMm(const Eigen::Vector3d& pointMm) const {
  if (m_Empty) {
    return 0.0;
  }
  const GridGeometry& geometry = m_Mask->Geometry();
  double reach = 0.0;
  for (int corner = 0; corner < 8; ++corner) {
    const double i = static_cast<double>((corner & 1) ? m_InsideMax[0] : m_InsideMin[0]);
    const double j = static_cast<double>((corner & 2) ? m_InsideMax[1] : m_InsideMin[1]);
    const double k = static_cast<double>((corner & 4) ? m_InsideMax[2] : m_InsideMin[2]);
    reach = std::max(reach, (geometry.IndexToPoint(i, j, k) - pointMm).norm());
  }
  return reach + geometry.SpacingMm().norm();
}

} // namespace seedplan::planning
