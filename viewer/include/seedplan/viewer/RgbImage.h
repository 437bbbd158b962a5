#pragma once

#include "seedplan/viewer/Scene.h"

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace seedplan::viewer {

/// An 8-bit RGB picture, 3 bytes per pixel, row 0 at the top (as a PNG file stores it).
struct RgbImage {
  int width = 0;
  int height = 0;
  std::vector<std::uint8_t> rgb;

  Rgb At(int x, int y) const {
    const std::size_t offset = 3 * (static_cast<std::size_t>(y) * width + x);
    return {rgb[offset], rgb[offset + 1], rgb[offset + 2]};
  }
};

/// The picture as a PNG: 8-bit RGB, not interlaced (what the report embeds and `--screenshot`
/// writes).
std::vector<std::uint8_t> EncodePng(const RgbImage& image);

/// Reads a PNG (8-bit grey, RGB or RGBA; alpha dropped) from memory. Throws DataFormat naming
/// `context` if it is not one.
RgbImage DecodePng(const std::vector<std::uint8_t>& png, const std::string& context);

/// Reads a PNG file (Io if it cannot be read, DataFormat if it is not a PNG).
RgbImage ReadPng(const std::filesystem::path& path);

/// Writes PNG bytes to a file atomically (a temporary file in the same folder, renamed when
/// complete). Throws Io if it cannot be written.
void WritePngFile(const std::filesystem::path& path, const std::vector<std::uint8_t>& png);

} // namespace seedplan::viewer
