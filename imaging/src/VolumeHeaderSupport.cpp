#include "VolumeHeaderSupport.h"

#include "PixelDataCheck.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/InputLimits.h"
#include "seedplan/core/TextParsing.h"

namespace seedplan::imaging::detail {

std::string SizeText(const std::array<std::int64_t, 3>& size) {
  return std::to_string(size[0]) + "x" + std::to_string(size[1]) + "x" + std::to_string(size[2]);
}

void CheckVoxelBudget(const std::string& file, const std::array<std::int64_t, 3>& size,
                      std::size_t bytesPerValue) {
  // In floating point: the product of three sizes of up to 2^63 overflows 64-bit integers.
  const double voxels =
      static_cast<double>(size[0]) * static_cast<double>(size[1]) * static_cast<double>(size[2]);
  if (voxels <= static_cast<double>(limits::kMaxVolumeVoxels)) {
    return;
  }
  const auto bytes = [](double count) {
    return count >= 1.8e19 ? FormatNumber(count / 1.152921504606847e18, 4) + " EiB"
                           : limits::DescribeBytes(static_cast<std::uint64_t>(count));
  };
  throw InvalidInput(file + ": the image is " + SizeText(size) + " voxels (" +
                     FormatNumber(voxels, 4) +
                     " voxels: " + bytes(voxels * static_cast<double>(bytesPerValue)) +
                     " as stored, " + bytes(voxels * 4.0) + " as float); expected at most " +
                     std::to_string(limits::kMaxVolumeVoxels) + " voxels (" +
                     limits::DescribeBytes(limits::kMaxVolumeVoxels * 4) + " as float)");
}

namespace {

std::string Expected(const VolumeFileHeader& header) {
  return SizeText(header.size) + " voxels x " + std::to_string(BytesOf(header.valueType)) +
         " bytes (" + Excerpt(header.typeName) + ") = " + std::to_string(header.DataBytes()) +
         " bytes";
}

std::string Where(const std::string& file, const PixelDataLayout& layout) {
  return layout.data->Name() == file ? std::string("after the header")
                                     : "in " + layout.data->Name();
}

} // namespace

void CheckPixelData(const std::string& file, const VolumeFileHeader& header,
                    const PixelDataLayout& layout) {
  const ByteSource& data = *layout.data;
  const std::uint64_t expected = header.DataBytes();
  const std::uint64_t size = data.Size();
  if (header.encoding == "raw") {
    if (layout.atEnd) {
      if (size < expected) {
        throw DataFormat(file + ": the pixel data " + Where(file, layout) + " are " +
                         std::to_string(size) + " bytes; expected at least " + Expected(header) +
                         " (is the file truncated?)");
      }
      return;
    }
    const std::uint64_t found = size > layout.offset ? size - layout.offset : 0;
    if (found != expected) {
      throw DataFormat(file + ": the pixel data " + Where(file, layout) + " from byte " +
                       std::to_string(layout.offset) + " are " + std::to_string(found) +
                       " bytes; expected " + Expected(header) +
                       (found < expected
                            ? " (is the file truncated?)"
                            : " (is the value type or the size in the header right?)"));
    }
    return;
  }
  if (header.encoding == "gzip" || header.encoding == "zlib") {
    const std::uint64_t available = size > layout.offset ? size - layout.offset : 0;
    if (layout.compressedBytes && *layout.compressedBytes != available) {
      throw DataFormat(file + ": the compressed pixel data " + Where(file, layout) + " are " +
                       std::to_string(available) + " bytes; expected CompressedDataSize = " +
                       std::to_string(*layout.compressedBytes) + " bytes" +
                       (available < *layout.compressedBytes ? " (is the file truncated?)" : ""));
    }
    const std::optional<std::uint64_t> inflated =
        PixelDataCheck::InflatedSize(data, layout.offset, available, expected);
    if (!inflated) {
      throw DataFormat(file + ": the compressed pixel data " + Where(file, layout) +
                       " are corrupt or cut short; expected a complete " + header.encoding +
                       " stream of " + Expected(header));
    }
    if (*inflated != expected) {
      throw DataFormat(file + ": the compressed pixel data " + Where(file, layout) +
                       " inflate to " + (*inflated > expected ? "more than " : "") +
                       std::to_string(*inflated) + " bytes; expected " + Expected(header));
    }
    return;
  }
  if (header.encoding == "ascii") {
    const std::uint64_t voxels = header.NumberOfVoxels();
    const PixelDataCheck::TextValues values = PixelDataCheck::CountTextValues(
        data, layout.offset, voxels, layout.integers, layout.commasSeparate);
    if (!values.badToken.empty()) {
      throw DataFormat(file + ": the pixel data (encoding ascii) " + Where(file, layout) +
                       " hold '" + Excerpt(values.badToken, 20) + "' as value " +
                       std::to_string(values.badIndex) + "; expected " +
                       (layout.integers ? "integers" : "numbers") + " (" +
                       Excerpt(header.typeName) + "), one per voxel");
    }
    if (values.count != voxels) {
      throw DataFormat(file + ": the pixel data (encoding ascii) " + Where(file, layout) +
                       " hold " + (values.count > voxels ? "more than " : "") +
                       std::to_string(values.count) + " values; expected one per voxel: " +
                       SizeText(header.size) + " = " + std::to_string(voxels) + " values");
    }
    return;
  }
  if (header.encoding == "hex") {
    const std::optional<std::uint64_t> bytes =
        PixelDataCheck::CountHexBytes(data, layout.offset, expected);
    if (!bytes || *bytes != expected) {
      throw DataFormat(
          file + ": the hex pixel data " + Where(file, layout) + " hold " +
          (bytes ? std::to_string(*bytes) + " bytes" : std::string("other characters")) +
          "; expected pairs of hexadecimal digits for " + Expected(header));
    }
    return;
  }
  throw NotSupported(file + ": pixel data encoding '" + Excerpt(header.encoding) +
                     "' cannot be read; expected raw, gzip or ascii");
}

} // namespace seedplan::imaging::detail
