#pragma once

#include <Eigen/Core>
#include <cstddef>
#include <vector>

namespace seedplan::dosimetry {

/// Points at which the dose engine evaluates TG-43 exactly (no grid, no interpolation), e.g. the
/// sample points of a structure's DVH. Stored compactly for the vector loops: float offsets in cm
/// from a double-precision origin (patient coordinates, mm), structure of arrays. Points that are
/// added one after another in a scan (neighbours in a mask) stay close in memory, which lets the
/// engine skip, block by block, the seeds beyond the cutoff.
class DosePoints {
public:
  DosePoints() = default;
  /// `originMm`: any point near the others (float offsets keep ~1e-6 relative precision).
  explicit DosePoints(const Eigen::Vector3d& originMm) : m_OriginMm(originMm) {}

  void Reserve(std::size_t count);
  void Add(const Eigen::Vector3d& pointMm);
  /// Appends the points of `other`, which must have the same origin (InvalidInput otherwise).
  void Append(const DosePoints& other);
  /// Appends points first..first+count-1 of `other` as stored (bit for bit; same origin, else
  /// InvalidInput; a range beyond its end is InvalidInput too).
  void AppendRange(const DosePoints& other, std::size_t first, std::size_t count);
  /// Removes every point and keeps the origin and the capacity (a set rebuilt at every step).
  void Clear();

  std::size_t Size() const { return m_X.size(); }
  bool Empty() const { return m_X.empty(); }
  const Eigen::Vector3d& OriginMm() const { return m_OriginMm; }
  /// Point n in patient coordinates (mm), as stored.
  Eigen::Vector3d PointMm(std::size_t n) const;

  /// Offsets from the origin in cm, one array per axis.
  const std::vector<float>& XCm() const { return m_X; }
  const std::vector<float>& YCm() const { return m_Y; }
  const std::vector<float>& ZCm() const { return m_Z; }

private:
  Eigen::Vector3d m_OriginMm = Eigen::Vector3d::Zero();
  std::vector<float> m_X, m_Y, m_Z;
};

} // namespace seedplan::dosimetry
