#include "NiftiHeaderCheck.h"

#include "PixelDataCheck.h"
#include "VolumeHeaderSupport.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"

#include <cmath>
#include <cstring>

namespace seedplan::imaging::detail {

namespace {

constexpr std::size_t kHeaderBytes = 348;
constexpr std::size_t kNifti2HeaderBytes = 540;
// The single-file NIfTI-1 layout puts the data at vox_offset >= 352 (348 bytes of header and 4
// bytes of extension flags).
constexpr double kMinVoxOffset = 352.0;

struct NiftiType {
  int code;
  VolumeValueType type;
  const char* name;
};
constexpr NiftiType kTypes[] = {
    {2, VolumeValueType::UInt8, "UINT8 (2)"},
    {4, VolumeValueType::Int16, "INT16 (4)"},
    {8, VolumeValueType::Int32, "INT32 (8)"},
    {16, VolumeValueType::Float32, "FLOAT32 (16)"},
    {64, VolumeValueType::Float64, "FLOAT64 (64)"},
    {256, VolumeValueType::Int8, "INT8 (256)"},
    {512, VolumeValueType::UInt16, "UINT16 (512)"},
    {768, VolumeValueType::UInt32, "UINT32 (768)"},
    {1024, VolumeValueType::Int64, "INT64 (1024)"},
    {1280, VolumeValueType::UInt64, "UINT64 (1280)"},
};

class HeaderBytes {
public:
  HeaderBytes(std::string bytes, bool swap) : m_Bytes(std::move(bytes)), m_Swap(swap) {}
  template <class T> T At(std::size_t offset) const {
    unsigned char raw[sizeof(T)];
    std::memcpy(raw, m_Bytes.data() + offset, sizeof(T));
    if (m_Swap) {
      for (std::size_t n = 0; n < sizeof(T) / 2; ++n) {
        std::swap(raw[n], raw[sizeof(T) - 1 - n]);
      }
    }
    T value;
    std::memcpy(&value, raw, sizeof(T));
    return value;
  }
  std::int16_t Short(std::size_t offset) const { return At<std::int16_t>(offset); }
  float Float(std::size_t offset) const { return At<float>(offset); }
  const std::string& Bytes() const { return m_Bytes; }

private:
  std::string m_Bytes;
  bool m_Swap;
};

[[noreturn]] void Fail(const std::string& file, const std::string& message) {
  throw DataFormat(file + ": " + message);
}

} // namespace

VolumeFileHeader NiftiHeaderCheck::Check(const ByteSource& source, bool compressedFile) {
  const std::string& file = source.Name();
  const std::string bytes = compressedFile ? PixelDataCheck::InflatePrefix(source, kHeaderBytes)
                                           : source.ReadString(0, kHeaderBytes);
  if (bytes.size() < kHeaderBytes) {
    Fail(file, std::string("the file holds ") + std::to_string(bytes.size()) + " bytes" +
                   (compressedFile ? " after inflating" : "") +
                   "; expected a NIfTI-1 header of 348 bytes (is the file truncated?)");
  }
  std::int32_t sizeofHeader = 0;
  std::memcpy(&sizeofHeader, bytes.data(), 4);
  bool swap = false;
  if (sizeofHeader != static_cast<std::int32_t>(kHeaderBytes)) {
    const HeaderBytes swapped(bytes, true);
    const std::int32_t other = swapped.At<std::int32_t>(0);
    if (other == static_cast<std::int32_t>(kHeaderBytes)) {
      swap = true;
    } else if (sizeofHeader == static_cast<std::int32_t>(kNifti2HeaderBytes) ||
               other == static_cast<std::int32_t>(kNifti2HeaderBytes)) {
      throw NotSupported(file + ": the file is NIfTI-2 (sizeof_hdr 540); expected NIfTI-1 "
                                "(save it as NIfTI-1, NRRD or MetaImage)");
    } else {
      Fail(file, "NIfTI field sizeof_hdr is " + std::to_string(sizeofHeader) +
                     "; expected 348 (is this a NIfTI-1 file?)");
    }
  }
  const HeaderBytes h(bytes, swap);
  const std::string magic = bytes.substr(344, 4);
  if (magic == std::string("ni1\0", 4)) {
    throw NotSupported(file + ": NIfTI magic is 'ni1' (header and image in separate .hdr/.img "
                              "files); expected a single-file NIfTI-1 image (magic 'n+1')");
  }
  if (magic != std::string("n+1\0", 4)) {
    throw NotSupported(file + ": NIfTI magic is '" + Excerpt(magic.substr(0, 3)) +
                       "'; expected 'n+1' (an Analyze 7.5 file has no orientation: save it as "
                       "NIfTI-1)");
  }

  VolumeFileHeader header;
  header.format = VolumeFileFormat::Nifti;
  const int dimensions = h.Short(40);
  std::string dims;
  for (int n = 1; n <= 7; ++n) {
    // Appended piece by piece: GCC 12 gives a false -Wrestrict for "," + std::string.
    if (n > 1) {
      dims += ',';
    }
    dims += std::to_string(h.Short(40 + 2 * static_cast<std::size_t>(n)));
  }
  bool extraAxes = false;
  for (int n = 4; n <= dimensions && n <= 7; ++n) {
    extraAxes = extraAxes || h.Short(40 + 2 * static_cast<std::size_t>(n)) != 1;
  }
  if (dimensions < 3 || dimensions > 7 || extraAxes) {
    Fail(file, "NIfTI field dim is [" + std::to_string(dimensions) + "; " + dims +
                   "]; expected a 3D image (dim[0] = 3)");
  }
  for (std::size_t axis = 0; axis < 3; ++axis) {
    const int n = h.Short(42 + 2 * axis);
    if (n < 1) {
      Fail(file, "NIfTI field dim is [" + std::to_string(dimensions) + "; " + dims +
                     "]; expected dim[1], dim[2] and dim[3] >= 1");
    }
    header.size[axis] = n;
  }
  const int datatype = h.Short(70);
  const int bitpix = h.Short(72);
  const NiftiType* type = nullptr;
  for (const NiftiType& candidate : kTypes) {
    if (candidate.code == datatype) {
      type = &candidate;
    }
  }
  if (!type) {
    Fail(file, "NIfTI field datatype is " + std::to_string(datatype) +
                   "; expected a scalar type: UINT8 (2), INT16 (4), INT32 (8), FLOAT32 (16), "
                   "FLOAT64 (64), "
                   "INT8 (256), UINT16 (512), UINT32 (768), INT64 (1024) or UINT64 (1280)");
  }
  header.valueType = type->type;
  header.typeName = type->name;
  if (bitpix != static_cast<int>(8 * BytesOf(header.valueType))) {
    Fail(file, "NIfTI field bitpix is " + std::to_string(bitpix) + " with datatype " + type->name +
                   "; expected " + std::to_string(8 * BytesOf(header.valueType)));
  }
  CheckVoxelBudget(file, header.size, BytesOf(header.valueType));

  const auto requireFinite = [&](std::size_t offset, const char* field) {
    const float value = h.Float(offset);
    if (!std::isfinite(value)) {
      Fail(file, std::string("NIfTI field ") + field + " is " + FormatNumber(value) +
                     "; expected a finite number");
    }
  };
  for (std::size_t n = 0; n < 4; ++n) {
    requireFinite(76 + 4 * n, ("pixdim[" + std::to_string(n) + "]").c_str());
  }
  requireFinite(112, "scl_slope");
  requireFinite(116, "scl_inter");
  requireFinite(108, "vox_offset");
  if (h.Short(252) > 0) {
    for (std::size_t offset = 256; offset < 280; offset += 4) {
      requireFinite(offset, "quatern_b/c/d or qoffset_x/y/z");
    }
  }
  if (h.Short(254) > 0) {
    for (std::size_t offset = 280; offset < 328; offset += 4) {
      requireFinite(offset, "srow_x/y/z");
    }
  }
  const double voxOffset = std::floor(static_cast<double>(h.Float(108)));
  if (voxOffset < kMinVoxOffset || voxOffset > 1e9) {
    Fail(file, "NIfTI field vox_offset is " + FormatNumber(h.Float(108)) +
                   "; expected the byte where the data start in a single file (>= 352)");
  }
  header.encoding = compressedFile ? "gzip" : "raw";
  header.dataFile = file;
  header.dataOffset = static_cast<std::uint64_t>(voxOffset);
  const std::uint64_t expected = header.dataOffset + header.DataBytes();
  if (compressedFile) {
    const std::optional<std::uint64_t> inflated =
        PixelDataCheck::InflatedSize(source, 0, source.Size(), expected);
    if (!inflated) {
      Fail(file,
           "the gzip stream ends early or is corrupt; expected a complete .nii.gz file (is the "
           "file truncated?)");
    }
    if (*inflated != expected) {
      Fail(file, "the file inflates to " + std::string(*inflated > expected ? "more than " : "") +
                     std::to_string(*inflated) + " bytes; expected vox_offset " +
                     std::to_string(header.dataOffset) + " + " + SizeText(header.size) +
                     " voxels x " + std::to_string(BytesOf(header.valueType)) + " bytes (" +
                     type->name + ") = " + std::to_string(expected) + " bytes" +
                     (*inflated < expected ? " (is the file truncated?)" : ""));
    }
  } else {
    PixelDataLayout layout;
    layout.data = &source;
    layout.offset = header.dataOffset;
    CheckPixelData(file, header, layout);
  }
  return header;
}

} // namespace seedplan::imaging::detail
