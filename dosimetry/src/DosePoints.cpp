#include "seedplan/dosimetry/DosePoints.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/Units.h"

#include <string>

namespace seedplan::dosimetry {

void DosePoints::Reserve(std::size_t count) {
  m_X.reserve(count);
  m_Y.reserve(count);
  m_Z.reserve(count);
}

void DosePoints::Add(const Eigen::Vector3d& pointMm) {
  const Eigen::Vector3d offsetCm = (pointMm - m_OriginMm) / units::kMmPerCm;
  m_X.push_back(static_cast<float>(offsetCm.x()));
  m_Y.push_back(static_cast<float>(offsetCm.y()));
  m_Z.push_back(static_cast<float>(offsetCm.z()));
}

void DosePoints::Append(const DosePoints& other) {
  if (other.m_OriginMm != m_OriginMm) {
    throw InvalidInput("dose points: appending points of another origin");
  }
  m_X.insert(m_X.end(), other.m_X.begin(), other.m_X.end());
  m_Y.insert(m_Y.end(), other.m_Y.begin(), other.m_Y.end());
  m_Z.insert(m_Z.end(), other.m_Z.begin(), other.m_Z.end());
}

void DosePoints::AppendRange(const DosePoints& other, std::size_t first, std::size_t count) {
  if (other.m_OriginMm != m_OriginMm) {
    throw InvalidInput("dose points: appending points of another origin");
  }
  if (first > other.Size() || count > other.Size() - first) {
    throw InvalidInput("dose points: appending points " + std::to_string(first) + " to " +
                       std::to_string(first + count) + " of a set of " +
                       std::to_string(other.Size()));
  }
  const auto begin = static_cast<std::ptrdiff_t>(first);
  const auto end = static_cast<std::ptrdiff_t>(first + count);
  m_X.insert(m_X.end(), other.m_X.begin() + begin, other.m_X.begin() + end);
  m_Y.insert(m_Y.end(), other.m_Y.begin() + begin, other.m_Y.begin() + end);
  m_Z.insert(m_Z.end(), other.m_Z.begin() + begin, other.m_Z.begin() + end);
}

void DosePoints::Clear() {
  m_X.clear();
  m_Y.clear();
  m_Z.clear();
}

Eigen::Vector3d DosePoints::PointMm(std::size_t n) const {
  return m_OriginMm + units::kMmPerCm * Eigen::Vector3d(m_X[n], m_Y[n], m_Z[n]);
}

} // namespace seedplan::dosimetry
