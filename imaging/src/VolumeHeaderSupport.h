#pragma once
// What the MetaImage, NRRD and NIfTI header checks share: the voxel budget and the check that the
// pixel data are exactly what the header announces. Plain C++ (no toolkit).

#include "seedplan/core/ByteSource.h"
#include "seedplan/imaging/VolumeFileHeader.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace seedplan::imaging::detail {

/// "512x512x100".
std::string SizeText(const std::array<std::int64_t, 3>& size);

/// Throws InvalidInput naming `file`, the size and the memory the volume would need if it has more
/// than limits::kMaxVolumeVoxels voxels.
void CheckVoxelBudget(const std::string& file, const std::array<std::int64_t, 3>& size,
                      std::size_t bytesPerValue);

/// Where and how the pixel data are stored.
struct PixelDataLayout {
  const ByteSource* data = nullptr;             ///< the file holding them
  std::uint64_t offset = 0;                     ///< first byte (ignored when atEnd)
  bool atEnd = false;                           ///< raw data are the last bytes of the file
  std::optional<std::uint64_t> compressedBytes; ///< length of a compressed stream, if declared
  bool integers = true;                         ///< text encodings: integer values expected
  bool commasSeparate = false;                  ///< text encodings: ',' separates values too (NRRD)
};

/// Throws DataFormat naming `file` (and the data file, when another) unless the data hold exactly
/// header.NumberOfVoxels() values of header.valueType in header.encoding (raw, gzip, zlib, ascii,
/// hex).
void CheckPixelData(const std::string& file, const VolumeFileHeader& header,
                    const PixelDataLayout& layout);

} // namespace seedplan::imaging::detail
