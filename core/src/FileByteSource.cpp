#include "seedplan/core/FileByteSource.h"

#include "seedplan/core/Error.h"

#include <algorithm>
#include <cstring>

namespace seedplan {

FileByteSource::FileByteSource(const std::filesystem::path& path, const std::string& kind)
    : m_Name(path.string()) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) {
    throw Io(m_Name + ": cannot read the " + kind + ": no such file");
  }
  if (!std::filesystem::is_regular_file(status)) {
    throw Io(
        m_Name + ": cannot read the " + kind + ": " +
        (std::filesystem::is_directory(status) ? "it is a folder" : "it is not a regular file") +
        "; expected a " + kind);
  }
  m_Size = std::filesystem::file_size(path, error);
  if (error) {
    throw Io(m_Name + ": cannot read the " + kind + ": " + error.message());
  }
  m_Stream.open(path, std::ios::binary);
  if (!m_Stream) {
    throw Io(m_Name + ": cannot read the " + kind + ": the file cannot be opened (permissions?)");
  }
}

std::size_t FileByteSource::ReadAt(std::uint64_t offset, void* buffer, std::size_t count) const {
  constexpr std::size_t kWindowBytes = std::size_t{1} << 16;
  if (offset >= m_Size || count == 0) {
    return 0;
  }
  const auto wanted = static_cast<std::size_t>(std::min<std::uint64_t>(count, m_Size - offset));
  const bool inWindow =
      offset >= m_WindowStart && offset + wanted <= m_WindowStart + m_Window.size();
  if (!inWindow) {
    // Small reads refill the window from `offset`; large ones go straight to the caller.
    const bool refill = wanted < kWindowBytes;
    const auto length =
        refill ? static_cast<std::size_t>(std::min<std::uint64_t>(kWindowBytes, m_Size - offset))
               : wanted;
    std::string fresh(length, '\0');
    m_Stream.clear();
    m_Stream.seekg(static_cast<std::streamoff>(offset));
    m_Stream.read(fresh.data(), static_cast<std::streamsize>(length));
    if (static_cast<std::size_t>(m_Stream.gcount()) != length) {
      throw Io(m_Name + ": read error at byte " + std::to_string(offset) + " (the file shrank?)");
    }
    if (!refill) {
      std::memcpy(buffer, fresh.data(), wanted);
      return wanted;
    }
    m_Window = std::move(fresh);
    m_WindowStart = offset;
  }
  std::memcpy(buffer, m_Window.data() + (offset - m_WindowStart), wanted);
  return wanted;
}

} // namespace seedplan
