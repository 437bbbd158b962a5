#include "seedplan/core/ByteSource.h"

#include <algorithm>

namespace seedplan {

std::string ByteSource::ReadString(std::uint64_t offset, std::size_t count) const {
  // No more room than the source holds: callers ask for "up to 1 MiB" of a short header.
  const std::uint64_t available = offset < Size() ? Size() - offset : 0;
  std::string text(static_cast<std::size_t>(std::min<std::uint64_t>(count, available)), '\0');
  text.resize(ReadAt(offset, text.data(), text.size()));
  return text;
}

} // namespace seedplan
