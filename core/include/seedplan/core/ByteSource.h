#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace seedplan {

/// Random access to the bytes of an input (a file on disk, or a buffer in memory for tests and
/// fuzzing), for the format checks that look at a file's structure before a toolkit reads it:
/// they read the parts they need and skip the rest by offset, so their cost does not grow with
/// the pixel data.
class ByteSource {
public:
  virtual ~ByteSource() = default;
  /// Total size in bytes.
  virtual std::uint64_t Size() const = 0;
  /// Copies up to `count` bytes from `offset` into `buffer`; returns how many were copied (fewer
  /// only at the end). Throws Io if the underlying file cannot be read.
  virtual std::size_t ReadAt(std::uint64_t offset, void* buffer, std::size_t count) const = 0;
  /// What to call the source in messages (the file's path).
  virtual const std::string& Name() const = 0;

  /// The bytes [offset, offset + count) as a string, shorter at the end of the source.
  std::string ReadString(std::uint64_t offset, std::size_t count) const;
};

} // namespace seedplan
