#include "seedplan/core/MemoryByteSource.h"

#include <algorithm>
#include <cstring>

namespace seedplan {

std::size_t MemoryByteSource::ReadAt(std::uint64_t offset, void* buffer, std::size_t count) const {
  if (offset >= m_Bytes.size()) {
    return 0;
  }
  const std::size_t available =
      std::min<std::uint64_t>(count, m_Bytes.size() - static_cast<std::size_t>(offset));
  std::memcpy(buffer, m_Bytes.data() + offset, available);
  return available;
}

} // namespace seedplan
