#pragma once
// Checks of the pixel data a volume header announces, without reading them into memory: the
// number of bytes a compressed stream inflates to, the number of values a text encoding holds.
// Plain C++ and zlib (no toolkit): part of the header check that runs before ITK reads a file.

#include "seedplan/core/ByteSource.h"

#include <cstdint>
#include <optional>
#include <string>

namespace seedplan::imaging::detail {

class PixelDataCheck {
public:
  /// The bytes [offset, offset + length) of `source` inflated (zlib or gzip header detected,
  /// concatenated gzip members allowed): how many bytes they give, counting at most
  /// `maxOutputBytes` + 1 (a stream that inflates beyond is not followed further: a small file
  /// must not make the check inflate terabytes). nullopt if the stream is corrupt or cut short.
  static std::optional<std::uint64_t> InflatedSize(const ByteSource& source, std::uint64_t offset,
                                                   std::uint64_t length,
                                                   std::uint64_t maxOutputBytes);
  /// The first `count` bytes the whole of `source` inflates to (fewer if it ends earlier, or if
  /// the stream is corrupt): the header of a .nii.gz file.
  static std::string InflatePrefix(const ByteSource& source, std::size_t count);

  /// What a text encoding (MetaImage ASCII, NRRD ascii) holds.
  struct TextValues {
    std::uint64_t count = 0;    ///< numbers found (counting stops at maxValues + 1)
    std::string badToken;       ///< the first token that is not a number, if any
    std::uint64_t badIndex = 0; ///< its 1-based position
  };
  /// Counts the numbers in [offset, end of source), separated by white space (and commas when
  /// `commasSeparate`); integer types (`integers`) need integer tokens. Stops at the first token
  /// that is not a number.
  static TextValues CountTextValues(const ByteSource& source, std::uint64_t offset,
                                    std::uint64_t maxValues, bool integers, bool commasSeparate);

  /// Counts the hexadecimal digit pairs in [offset, end of source) (NRRD hex encoding; white
  /// space ignored); nullopt if another character occurs or a digit is left over.
  static std::optional<std::uint64_t> CountHexBytes(const ByteSource& source, std::uint64_t offset,
                                                    std::uint64_t maxBytes);
};

} // namespace seedplan::imaging::detail
