#pragma once

#include "seedplan/core/ByteSource.h"

#include <string>

namespace seedplan {

/// A ByteSource over bytes held in memory (tests, fuzz targets, inflated DICOM data sets).
class MemoryByteSource : public ByteSource {
public:
  MemoryByteSource(std::string bytes, std::string name)
      : m_Bytes(std::move(bytes)), m_Name(std::move(name)) {}
  std::uint64_t Size() const override { return m_Bytes.size(); }
  std::size_t ReadAt(std::uint64_t offset, void* buffer, std::size_t count) const override;
  const std::string& Name() const override { return m_Name; }

private:
  std::string m_Bytes;
  std::string m_Name;
};

} // namespace seedplan
