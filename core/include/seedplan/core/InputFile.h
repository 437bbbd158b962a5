#pragma once

#include <cstdint>
#include <filesystem>
#include <string>

namespace seedplan {

/// Reads a whole input file into memory with a stated maximum size (core/InputLimits.h), so that a
/// wrong file (/dev/zero, a CT volume given as a CSV, a FIFO that never ends) is refused after at
/// most `maxBytes` + 1 bytes instead of filling the memory. Character devices and FIFOs are read
/// like files (a shell's `<(...)` is a FIFO); folders are refused.
class InputFile {
public:
  /// The bytes of `path`. `kind` names the file in messages ("seeds CSV", "plan file"). Throws Io
  /// naming the file if it does not exist, is a folder or cannot be read; InvalidInput naming the
  /// file, the size read and the limit if it holds more than `maxBytes` bytes.
  static std::string ReadAll(const std::filesystem::path& path, std::uint64_t maxBytes,
                             const std::string& kind);
};

} // namespace seedplan
