#pragma once

#include "seedplan/core/GridGeometry.h"

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace seedplan {

/// A scalar image on a GridGeometry: CT in HU (short), masks (uint8, non-zero inside), dose (float,
/// Gy or cGy/h as its metadata says). Voxels are stored with i fastest. `MetaData` carries
/// key/value pairs that file formats keep (e.g. the dose quantity, unit, seed model, formalism).
template <class T> class Volume {
public:
  using ValueType = T;

  Volume() = default;
  explicit Volume(const GridGeometry& geometry, T initial = T{})
      : m_Geometry(geometry), m_Data(static_cast<std::size_t>(geometry.NumberOfVoxels()), initial) {
  }
  /// Takes `data` (one value per voxel, i fastest) as the voxels, e.g. storage allocated with
  /// particular placement or paging advice; the caller checks its size.
  Volume(const GridGeometry& geometry, std::vector<T>&& data)
      : m_Geometry(geometry), m_Data(std::move(data)) {}

  const GridGeometry& Geometry() const { return m_Geometry; }
  std::int64_t NumberOfVoxels() const { return static_cast<std::int64_t>(m_Data.size()); }

  T& At(std::int64_t i, std::int64_t j, std::int64_t k) {
    return m_Data[static_cast<std::size_t>(m_Geometry.LinearIndex(i, j, k))];
  }
  const T& At(std::int64_t i, std::int64_t j, std::int64_t k) const {
    return m_Data[static_cast<std::size_t>(m_Geometry.LinearIndex(i, j, k))];
  }

  std::vector<T>& Data() { return m_Data; }
  const std::vector<T>& Data() const { return m_Data; }

  std::map<std::string, std::string>& MetaData() { return m_MetaData; }
  const std::map<std::string, std::string>& MetaData() const { return m_MetaData; }

private:
  GridGeometry m_Geometry;
  std::vector<T> m_Data;
  std::map<std::string, std::string> m_MetaData;
};

/// A binary structure mask: non-zero inside.
using Mask = Volume<std::uint8_t>;

} // namespace seedplan
