#pragma once
// Reads the pixels of an 8-bit, non-interlaced RGB or RGBA PNG (what headless Chromium writes) so
// that tests can check a picture is not blank. zlib inflates the image data; the row filters are
// undone as the PNG specification (ISO/IEC 15948, section 9) defines them.

#include <zlib.h>

#include <array>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace seedplan::test {

struct PngImage {
  std::uint32_t width = 0;
  std::uint32_t height = 0;
  std::vector<std::array<std::uint8_t, 3>> rgb; ///< row-major, top row first
};

inline std::uint32_t BigEndian32(const std::string& bytes, std::size_t at) {
  return (std::uint32_t(std::uint8_t(bytes[at])) << 24) |
         (std::uint32_t(std::uint8_t(bytes[at + 1])) << 16) |
         (std::uint32_t(std::uint8_t(bytes[at + 2])) << 8) |
         std::uint32_t(std::uint8_t(bytes[at + 3]));
}

/// Throws std::runtime_error for anything but an 8-bit non-interlaced RGB/RGBA PNG.
inline PngImage ReadPng(const std::filesystem::path& file) {
  std::ifstream input(file, std::ios::binary);
  std::ostringstream content;
  content << input.rdbuf();
  const std::string bytes = content.str();
  if (bytes.size() < 8 || bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) {
    throw std::runtime_error(file.string() + ": not a PNG");
  }
  PngImage image;
  int channels = 0;
  std::string compressed;
  for (std::size_t at = 8; at + 8 <= bytes.size();) {
    const std::uint32_t length = BigEndian32(bytes, at);
    const std::string type = bytes.substr(at + 4, 4);
    if (at + 12 + length > bytes.size()) {
      throw std::runtime_error(file.string() + ": truncated chunk " + type);
    }
    const std::size_t data = at + 8;
    if (type == "IHDR") {
      image.width = BigEndian32(bytes, data);
      image.height = BigEndian32(bytes, data + 4);
      const int depth = std::uint8_t(bytes[data + 8]);
      const int colour = std::uint8_t(bytes[data + 9]);
      const int interlace = std::uint8_t(bytes[data + 12]);
      channels = colour == 2 ? 3 : colour == 6 ? 4 : 0;
      if (depth != 8 || channels == 0 || interlace != 0) {
        throw std::runtime_error(file.string() + ": not an 8-bit non-interlaced RGB(A) PNG");
      }
    } else if (type == "IDAT") {
      compressed += bytes.substr(data, length);
    }
    at += 12 + length;
  }
  const std::size_t stride = std::size_t(image.width) * std::size_t(channels);
  std::vector<std::uint8_t> raw((stride + 1) * image.height);
  uLongf rawSize = raw.size();
  if (channels == 0 ||
      uncompress(raw.data(), &rawSize, reinterpret_cast<const Bytef*>(compressed.data()),
                 compressed.size()) != Z_OK ||
      rawSize != raw.size()) {
    throw std::runtime_error(file.string() + ": image data does not inflate to its size");
  }
  std::vector<std::uint8_t> pixels(stride * image.height);
  for (std::size_t y = 0; y < image.height; ++y) {
    const std::uint8_t filter = raw[y * (stride + 1)];
    const std::uint8_t* in = &raw[y * (stride + 1) + 1];
    std::uint8_t* out = &pixels[y * stride];
    const std::uint8_t* up = y > 0 ? &pixels[(y - 1) * stride] : nullptr;
    for (std::size_t x = 0; x < stride; ++x) {
      const int a = x >= std::size_t(channels) ? out[x - channels] : 0;
      const int b = up ? up[x] : 0;
      const int c = (up && x >= std::size_t(channels)) ? up[x - channels] : 0;
      int predictor = 0;
      switch (filter) {
      case 0:
        break;
      case 1:
        predictor = a;
        break;
      case 2:
        predictor = b;
        break;
      case 3:
        predictor = (a + b) / 2;
        break;
      case 4: {
        const int p = a + b - c;
        const int pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
        predictor = (pa <= pb && pa <= pc) ? a : (pb <= pc ? b : c);
        break;
      }
      default:
        throw std::runtime_error(file.string() + ": unknown row filter");
      }
      out[x] = std::uint8_t((in[x] + predictor) & 0xFF);
    }
  }
  image.rgb.resize(std::size_t(image.width) * image.height);
  for (std::size_t i = 0; i < image.rgb.size(); ++i) {
    for (int k = 0; k < 3; ++k) {
      image.rgb[i][std::size_t(k)] = pixels[i * std::size_t(channels) + std::size_t(k)];
    }
  }
  return image;
}

} // namespace seedplan::test
