#include "PixelDataCheck.h"

#include <zlib.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <vector>

namespace seedplan::imaging::detail {

namespace {

constexpr std::size_t kChunkBytes = std::size_t{1} << 16;

/// inflateEnd on every path out.
struct Inflater {
  z_stream stream{};
  bool ready = false;
  Inflater() { ready = inflateInit2(&stream, 15 + 32) == Z_OK; } // 15 + 32: zlib or gzip header
  ~Inflater() {
    if (ready) {
      inflateEnd(&stream);
    }
  }
  Inflater(const Inflater&) = delete;
  Inflater& operator=(const Inflater&) = delete;
};

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

bool IsNumber(const std::string& token, bool integer) {
  if (token.empty()) {
    return false;
  }
  errno = 0;
  char* end = nullptr;
  if (integer) {
    (void)std::strtoll(token.c_str(), &end, 10);
  } else {
    const double value = std::strtod(token.c_str(), &end);
    if (!std::isfinite(value)) {
      return false;
    }
  }
  return errno == 0 && end == token.c_str() + token.size();
}

} // namespace

std::optional<std::uint64_t> PixelDataCheck::InflatedSize(const ByteSource& source,
                                                          std::uint64_t offset,
                                                          std::uint64_t length,
                                                          std::uint64_t maxOutputBytes) {
  Inflater inflater;
  if (!inflater.ready) {
    return std::nullopt;
  }
  // Buffers no larger than the data need (the check runs on small files too, and under fuzzing).
  std::vector<unsigned char> input(static_cast<std::size_t>(
      std::min<std::uint64_t>(kChunkBytes, std::max<std::uint64_t>(length, 1))));
  std::vector<unsigned char> output(
      static_cast<std::size_t>(std::min<std::uint64_t>(4 * kChunkBytes, maxOutputBytes + 1)));
  std::uint64_t position = offset;
  const std::uint64_t end =
      offset + std::min(length, source.Size() - std::min(offset, source.Size()));
  std::uint64_t total = 0;
  z_stream& stream = inflater.stream;
  while (true) {
    if (stream.avail_in == 0) {
      if (position >= end) {
        return std::nullopt; // the stream did not reach its end: cut short
      }
      const std::size_t wanted =
          static_cast<std::size_t>(std::min<std::uint64_t>(kChunkBytes, end - position));
      const std::size_t got = source.ReadAt(position, input.data(), wanted);
      if (got == 0) {
        return std::nullopt;
      }
      position += got;
      stream.next_in = input.data();
      stream.avail_in = static_cast<uInt>(got);
    }
    stream.next_out = output.data();
    stream.avail_out = static_cast<uInt>(output.size());
    const int status = inflate(&stream, Z_NO_FLUSH);
    total += output.size() - stream.avail_out;
    if (total > maxOutputBytes) {
      return total;
    }
    if (status == Z_STREAM_END) {
      if (stream.avail_in == 0 && position >= end) {
        return total;
      }
      // Another gzip member may follow; anything else after the stream is not pixel data.
      if (inflateReset(&stream) != Z_OK) {
        return std::nullopt;
      }
    } else if (status != Z_OK) {
      return std::nullopt;
    }
  }
}

std::string PixelDataCheck::InflatePrefix(const ByteSource& source, std::size_t count) {
  Inflater inflater;
  std::string result(count, '\0');
  if (!inflater.ready || count == 0) {
    return {};
  }
  std::vector<unsigned char> input(kChunkBytes);
  z_stream& stream = inflater.stream;
  stream.next_out = reinterpret_cast<unsigned char*>(result.data());
  stream.avail_out = static_cast<uInt>(count);
  std::uint64_t position = 0;
  while (stream.avail_out > 0) {
    if (stream.avail_in == 0) {
      const std::size_t got = source.ReadAt(position, input.data(), input.size());
      if (got == 0) {
        break;
      }
      position += got;
      stream.next_in = input.data();
      stream.avail_in = static_cast<uInt>(got);
    }
    const int status = inflate(&stream, Z_NO_FLUSH);
    if (status != Z_OK) {
      break;
    }
  }
  result.resize(count - stream.avail_out);
  return result;
}

PixelDataCheck::TextValues PixelDataCheck::CountTextValues(const ByteSource& source,
                                                           std::uint64_t offset,
                                                           std::uint64_t maxValues, bool integers,
                                                           bool commasSeparate) {
  TextValues values;
  // Tokens longer than this are not numbers; they are cut so that memory stays bounded.
  constexpr std::size_t kMaxTokenLength = 64;
  std::string token;
  bool tokenTooLong = false;
  std::vector<char> chunk(static_cast<std::size_t>(
      std::min<std::uint64_t>(kChunkBytes, source.Size() > offset ? source.Size() - offset : 1)));
  const auto finishToken = [&]() {
    if (token.empty() && !tokenTooLong) {
      return true;
    }
    if (tokenTooLong || !IsNumber(token, integers)) {
      values.badToken = token + (tokenTooLong ? "..." : "");
      values.badIndex = values.count + 1;
      return false;
    }
    ++values.count;
    token.clear();
    return values.count <= maxValues;
  };
  for (std::uint64_t position = offset; position < source.Size();) {
    const std::size_t got = source.ReadAt(position, chunk.data(), chunk.size());
    if (got == 0) {
      break;
    }
    position += got;
    for (std::size_t n = 0; n < got; ++n) {
      const char c = chunk[n];
      if (IsSpace(c) || (commasSeparate && c == ',')) {
        if (!finishToken()) {
          return values;
        }
      } else if (token.size() < kMaxTokenLength) {
        token += c;
      } else {
        tokenTooLong = true;
      }
    }
  }
  finishToken();
  return values;
}

std::optional<std::uint64_t> PixelDataCheck::CountHexBytes(const ByteSource& source,
                                                           std::uint64_t offset,
                                                           std::uint64_t maxBytes) {
  std::uint64_t digits = 0;
  std::vector<char> chunk(static_cast<std::size_t>(
      std::min<std::uint64_t>(kChunkBytes, source.Size() > offset ? source.Size() - offset : 1)));
  for (std::uint64_t position = offset; position < source.Size();) {
    const std::size_t got = source.ReadAt(position, chunk.data(), chunk.size());
    if (got == 0) {
      break;
    }
    position += got;
    for (std::size_t n = 0; n < got; ++n) {
      const char c = chunk[n];
      if (IsSpace(c)) {
        continue;
      }
      if (std::isxdigit(static_cast<unsigned char>(c)) == 0) {
        return std::nullopt;
      }
      if (++digits > 2 * maxBytes) {
        return digits / 2;
      }
    }
  }
  if (digits % 2 != 0) {
    return std::nullopt;
  }
  return digits / 2;
}

} // namespace seedplan::imaging::detail
