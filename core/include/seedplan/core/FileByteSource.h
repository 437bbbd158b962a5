#pragma once

#include "seedplan/core/ByteSource.h"

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

namespace seedplan {

/// A ByteSource over a regular file, read piece by piece at the offsets asked for through a 64 KiB
/// window, so that walking many small element headers costs memory copies, not system calls.
class FileByteSource : public ByteSource {
public:
  /// Opens `path`; throws Io naming it if it does not exist, is not a regular file (a folder, a
  /// device, a FIFO: they have no size to check against) or cannot be opened. `kind` names the
  /// file in those messages ("DICOM file", "MetaImage data file").
  FileByteSource(const std::filesystem::path& path, const std::string& kind);
  std::uint64_t Size() const override { return m_Size; }
  std::size_t ReadAt(std::uint64_t offset, void* buffer, std::size_t count) const override;
  const std::string& Name() const override { return m_Name; }

private:
  std::string m_Name;
  std::uint64_t m_Size = 0;
  mutable std::ifstream m_Stream;
  mutable std::string m_Window; ///< bytes [m_WindowStart, m_WindowStart + size)
  mutable std::uint64_t m_WindowStart = 0;
};

} // namespace seedplan
