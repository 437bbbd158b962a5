#include "seedplan/imaging/VolumeIo.h"

#include "ItkAdapter.h"

#include "seedplan/core/AtomicFileWriter.h"
#include "seedplan/core/Error.h"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
#include <fstream>
#include <optional>
#include <string_view>
#include <type_traits>

namespace seedplan::imaging {

namespace {

namespace fs = std::filesystem;
using detail::ImageFileFormat;
using detail::ImageFileHeader;
using detail::ImageFileReader;
using detail::PixelComponent;

std::string Lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool EndsWith(const std::string& text, std::string_view suffix) {
  return text.size() >= suffix.size() &&
         text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

/// The extension as a user would name it: ".nii.gz" rather than ".gz".
std::string ShownExtension(const fs::path& path) {
  const std::string name = Lowercase(path.filename().string());
  if (EndsWith(name, ".nii.gz")) {
    return ".nii.gz";
  }
  const std::string extension = path.extension().string();
  return extension.empty() ? std::string("(none)") : extension;
}

ImageFileFormat ReadFormatOf(const fs::path& path) {
  const std::string name = Lowercase(path.filename().string());
  if (EndsWith(name, ".mha") || EndsWith(name, ".mhd")) {
    return ImageFileFormat::MetaImage;
  }
  if (EndsWith(name, ".nrrd") || EndsWith(name, ".nhdr")) {
    return ImageFileFormat::Nrrd;
  }
  if (EndsWith(name, ".nii") || EndsWith(name, ".nii.gz")) {
    return ImageFileFormat::Nifti;
  }
  throw InvalidInput(path.string() + ": cannot read image: file extension " + ShownExtension(path) +
                     " is not supported; expected .mha, .mhd, .nrrd, .nhdr, .nii or .nii.gz");
}

ImageFileFormat WriteFormatOf(const fs::path& path) {
  // Lower case only: ITK's MetaImage writer does not take ".MHA" for ".mha" and would write a
  // separate header and data file (.mhd + .raw) named after the temporary file.
  const std::string name = path.filename().string();
  if (EndsWith(name, ".mha")) {
    return ImageFileFormat::MetaImage;
  }
  if (EndsWith(name, ".nrrd")) {
    return ImageFileFormat::Nrrd;
  }
  throw InvalidInput(path.string() + ": cannot write image: file extension " +
                     ShownExtension(path) + " is not supported; expected .mha or .nrrd");
}

void CheckReadable(const fs::path& path) {
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (!fs::exists(status)) {
    throw Io(path.string() + ": cannot read image: the file does not exist");
  }
  if (fs::is_directory(status)) {
    throw Io(path.string() + ": cannot read image: it is a folder; expected an image file");
  }
  std::ifstream probe(path, std::ios::binary);
  if (!probe) {
    throw Io(path.string() + ": cannot read image: the file cannot be opened (permissions?)");
  }
}

// ---- Completeness of the pixel data ------------------------------------------------------------
// ITK 5.2's MetaImage and NIfTI readers accept a truncated file without an error (they print a
// note, or nothing, and leave the rest of the buffer as it was), so the size of the data is checked
// here before reading. NRRD's reader (teem) reports short data itself.

/// Size in bytes of the data a gzip file (one member or several concatenated) inflates to, or
/// nothing if a stream is cut short or corrupt.
std::optional<std::uint64_t> GzipInflatedSize(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  z_stream stream{};
  if (!in || inflateInit2(&stream, 15 + 16) != Z_OK) { // 15 + 16: gzip header and trailer
    return std::nullopt;
  }
  struct InflateEnd {
    z_stream* stream;
    ~InflateEnd() { inflateEnd(stream); }
  } inflateEndGuard{&stream};

  std::vector<unsigned char> input(1 << 16);
  std::vector<unsigned char> output(1 << 18);
  std::uint64_t total = 0;
  while (true) {
    if (stream.avail_in == 0) {
      in.read(reinterpret_cast<char*>(input.data()), static_cast<std::streamsize>(input.size()));
      const std::streamsize count = in.gcount();
      if (count <= 0) {
        return std::nullopt; // the stream did not reach its end: truncated
      }
      stream.next_in = input.data();
      stream.avail_in = static_cast<uInt>(count);
    }
    stream.next_out = output.data();
    stream.avail_out = static_cast<uInt>(output.size());
    const int status = inflate(&stream, Z_NO_FLUSH);
    total += output.size() - stream.avail_out;
    if (status == Z_STREAM_END) {
      if (stream.avail_in == 0 && in.peek() == std::char_traits<char>::eof()) {
        return total;
      }
      if (inflateReset(&stream) != Z_OK) { // another gzip member follows
        return std::nullopt;
      }
    } else if (status != Z_OK) {
      return std::nullopt;
    }
  }
}

[[noreturn]] void ThrowTruncated(const fs::path& path, std::uint64_t expectedBytes,
                                 std::uint64_t foundBytes, const std::string& where) {
  throw DataFormat(path.string() + ": the pixel data are incomplete: expected " +
                   std::to_string(expectedBytes) + " bytes " + where + ", found " +
                   std::to_string(foundBytes) + "; the file is truncated");
}

void CheckFileHolds(const fs::path& reported, const fs::path& file, std::uint64_t offset,
                    std::uint64_t bytes, const std::string& what) {
  std::error_code error;
  const std::uintmax_t fileSize = fs::file_size(file, error);
  if (error) {
    throw Io(reported.string() + ": cannot read the pixel data file " + file.string() + ": " +
             error.message());
  }
  if (fileSize < offset + bytes) {
    ThrowTruncated(reported, bytes, fileSize > offset ? fileSize - offset : 0,
                   what + " in " + file.filename().string() + " from byte " +
                       std::to_string(offset));
  }
}

/// The fields of a MetaImage header that say where its pixel data are.
struct MetaImageDataLayout {
  std::string dataFile;         ///< ElementDataFile: LOCAL, a file name, LIST or a pattern
  std::uint64_t dataOffset = 0; ///< byte after the ElementDataFile line (LOCAL data start)
  bool binary = true;           ///< BinaryData
  bool compressed = false;      ///< CompressedData
  std::optional<std::uint64_t> compressedSize; ///< CompressedDataSize, if given
  long long headerSize = 0; ///< HeaderSize: bytes to skip in the data file, -1 = at end
};

std::string Trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(" \t\r\n") - first + 1);
}

bool MetaIoTrue(const std::string& value) {
  return !value.empty() && (value[0] == 'T' || value[0] == 't' || value[0] == '1');
}

MetaImageDataLayout ReadMetaImageLayout(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  MetaImageDataLayout layout;
  std::string line;
  // MetaIO headers end with the ElementDataFile line; a header longer than this is not one.
  constexpr int kMaxHeaderLines = 100000;
  for (int lineNumber = 0; lineNumber < kMaxHeaderLines && std::getline(in, line); ++lineNumber) {
    const auto equals = line.find('=');
    if (equals == std::string::npos) {
      continue;
    }
    const std::string key = Trim(line.substr(0, equals));
    const std::string value = Trim(line.substr(equals + 1));
    try {
      if (key == "BinaryData") {
        layout.binary = MetaIoTrue(value);
      } else if (key == "CompressedData") {
        layout.compressed = MetaIoTrue(value);
      } else if (key == "CompressedDataSize") {
        layout.compressedSize = std::stoull(value);
      } else if (key == "HeaderSize") {
        layout.headerSize = std::stoll(value);
      } else if (key == "ElementDataFile") {
        layout.dataFile = value;
        layout.dataOffset = static_cast<std::uint64_t>(in.tellg());
        return layout;
      }
    } catch (const std::exception&) {
      throw DataFormat(path.string() + ": MetaImage header field " + key + " is '" + value +
                       "'; expected a whole number");
    }
  }
  throw DataFormat(path.string() +
                   ": the MetaImage header has no ElementDataFile field; expected one as its "
                   "last line");
}

void CheckMetaImageData(const fs::path& path, std::uint64_t dataBytes) {
  const MetaImageDataLayout layout = ReadMetaImageLayout(path);
  if (!layout.binary) {
    return; // ASCII pixel values: no byte count to check
  }
  fs::path file = path;
  std::uint64_t offset = layout.dataOffset;
  if (layout.dataFile != "LOCAL") {
    // "LIST" and "pattern min max step" spread the data over several files: not checked here.
    if (layout.dataFile == "LIST" || layout.dataFile.find_first_of(" \t%") != std::string::npos) {
      return;
    }
    file = fs::path(layout.dataFile).is_absolute() ? fs::path(layout.dataFile)
                                                   : path.parent_path() / layout.dataFile;
    offset = layout.headerSize > 0 ? static_cast<std::uint64_t>(layout.headerSize) : 0;
  }
  if (layout.headerSize == -1) {
    offset = 0; // the data are the last bytes of the file: only its total size can be checked
  }
  if (!layout.compressed) {
    CheckFileHolds(path, file, offset, dataBytes, "of pixel data");
  } else if (layout.compressedSize) {
    CheckFileHolds(path, file, offset, *layout.compressedSize, "of compressed pixel data");
  } else {
    // ITK 5.2 then fails to decompress ("Uncompress failed" on the console) and returns zeros.
    throw NotSupported(path.string() +
                       ": compressed MetaImage without a CompressedDataSize field cannot be read; "
                       "expected CompressedDataSize in the header (save the image again with ITK, "
                       "3D Slicer or SimpleITK)");
  }
}

std::uint64_t FieldAsNumber(const ImageFileHeader& header, const std::string& key,
                            const fs::path& path) {
  const auto found = header.fields.find(key);
  try {
    if (found != header.fields.end()) {
      const double value = std::stod(found->second);
      if (value >= 0) {
        return static_cast<std::uint64_t>(value);
      }
    }
  } catch (const std::exception&) {
  }
  throw DataFormat(path.string() + ": NIfTI header field " + key +
                   (found == header.fields.end() ? " is missing" : " is '" + found->second + "'") +
                   "; expected a non-negative number");
}

void CheckNiftiData(const fs::path& path, const ImageFileHeader& header) {
  // The reader may have converted the pixels (scl_slope), so the size on disk comes from the
  // header fields: dim[1..dim[0]] voxels of bitpix bits, from byte vox_offset.
  const std::uint64_t dimensions = FieldAsNumber(header, "dim[0]", path);
  std::uint64_t bytes = FieldAsNumber(header, "bitpix", path) / 8;
  for (std::uint64_t axis = 1; axis <= dimensions && axis <= 7; ++axis) {
    bytes *= FieldAsNumber(header, "dim[" + std::to_string(axis) + "]", path);
  }
  const std::uint64_t offset = FieldAsNumber(header, "vox_offset", path);
  if (EndsWith(Lowercase(path.filename().string()), ".gz")) {
    const std::optional<std::uint64_t> inflated = GzipInflatedSize(path);
    if (!inflated) {
      throw DataFormat(path.string() + ": the gzip stream ends early or is corrupt; expected a " +
                       "complete .nii.gz file (is the file truncated?)");
    }
    if (*inflated < offset + bytes) {
      ThrowTruncated(path, offset + bytes, *inflated,
                     "of header and pixel data after decompression");
    }
  } else {
    CheckFileHolds(path, path, offset, bytes, "of pixel data");
  }
}

// ---- Header checks and conversion --------------------------------------------------------------

std::string DescribeSize(const ImageFileHeader& header) {
  std::string text;
  for (const std::int64_t n : header.size) {
    text += (text.empty() ? "" : "x") + std::to_string(n);
  }
  return text;
}

GridGeometry GeometryOf(const ImageFileHeader& header, const fs::path& path) {
  Eigen::Vector3d origin;
  Eigen::Vector3d spacing;
  std::array<std::int64_t, 3> size{};
  Eigen::Matrix3d direction;
  for (int axis = 0; axis < 3; ++axis) {
    origin[axis] = header.originMm[static_cast<std::size_t>(axis)];
    spacing[axis] = header.spacingMm[static_cast<std::size_t>(axis)];
    size[static_cast<std::size_t>(axis)] = header.size[static_cast<std::size_t>(axis)];
    for (int row = 0; row < 3; ++row) {
      direction(row, axis) =
          header.axisDirections[static_cast<std::size_t>(axis)][static_cast<std::size_t>(row)];
    }
  }
  GridGeometry geometry(origin, spacing, size, direction);
  try {
    geometry.Validate(path.string());
  } catch (const InvalidInput& error) {
    throw DataFormat(error.what());
  }
  return geometry;
}

/// Keys of a reader's dictionary that describe the file rather than carry the user's metadata.
bool IsReaderKey(const std::string& key, ImageFileFormat format) {
  if (key.starts_with("ITK_") || key.starts_with("NRRD_")) {
    return true;
  }
  // Newer ITK versions put MetaImage's Modality field into the dictionary.
  return format == ImageFileFormat::MetaImage && key == "Modality";
}

/// An opened image file that has passed every check: 3D, scalar, known component type, valid
/// geometry, complete pixel data.
struct CheckedImage {
  std::unique_ptr<ImageFileReader> reader;
  GridGeometry geometry;
  std::map<std::string, std::string> metaData;
};

CheckedImage OpenChecked(const fs::path& path) {
  const ImageFileFormat format = ReadFormatOf(path);
  CheckReadable(path);
  CheckedImage image;
  image.reader = std::make_unique<ImageFileReader>(path, format);
  const ImageFileHeader& header = image.reader->Header();
  if (header.dimensions != 3) {
    throw DataFormat(path.string() + ": the image is " + std::to_string(header.dimensions) +
                     "D (size " + DescribeSize(header) + "); expected a 3D image");
  }
  if (header.componentsPerPixel != 1) {
    throw DataFormat(path.string() + ": the image has " +
                     std::to_string(header.componentsPerPixel) +
                     " components per voxel (a vector image); expected a scalar image");
  }
  if (header.component == PixelComponent::Unknown) {
    throw DataFormat(path.string() + ": the pixel type is '" + header.componentName +
                     "'; expected an integer or floating point type");
  }
  image.geometry = GeometryOf(header, path);
  if (format == ImageFileFormat::MetaImage) {
    CheckMetaImageData(path, static_cast<std::uint64_t>(header.NumberOfValues()) *
                                 detail::ComponentSizeBytes(header.component));
  } else if (format == ImageFileFormat::Nifti) {
    CheckNiftiData(path, header);
  }
  if (format != ImageFileFormat::Nifti) {
    for (const auto& [key, value] : header.fields) {
      if (!IsReaderKey(key, format)) {
        image.metaData[key] = value;
      }
    }
  }
  return image;
}

template <class In, class Out, class Convert>
void ReadAndConvert(ImageFileReader& reader, std::vector<Out>& out, Convert convert) {
  if constexpr (std::is_same_v<In, Out>) {
    reader.ReadPixels(out.data());
    std::transform(out.begin(), out.end(), out.begin(), convert);
  } else {
    std::vector<In> raw(out.size());
    reader.ReadPixels(raw.data());
    std::transform(raw.begin(), raw.end(), out.begin(), convert);
  }
}

/// Reads the pixels of `image` into a Volume<Out>, each value through `convert`.
template <class Out, class Convert> Volume<Out> ReadVolume(CheckedImage& image, Convert convert) {
  Volume<Out> volume(image.geometry);
  std::vector<Out>& out = volume.Data();
  ImageFileReader& reader = *image.reader;
  switch (reader.Header().component) {
  case PixelComponent::Int8:
    ReadAndConvert<std::int8_t>(reader, out, convert);
    break;
  case PixelComponent::UInt8:
    ReadAndConvert<std::uint8_t>(reader, out, convert);
    break;
  case PixelComponent::Int16:
    ReadAndConvert<std::int16_t>(reader, out, convert);
    break;
  case PixelComponent::UInt16:
    ReadAndConvert<std::uint16_t>(reader, out, convert);
    break;
  case PixelComponent::Int32:
    ReadAndConvert<std::int32_t>(reader, out, convert);
    break;
  case PixelComponent::UInt32:
    ReadAndConvert<std::uint32_t>(reader, out, convert);
    break;
  case PixelComponent::Int64:
    ReadAndConvert<std::int64_t>(reader, out, convert);
    break;
  case PixelComponent::UInt64:
    ReadAndConvert<std::uint64_t>(reader, out, convert);
    break;
  case PixelComponent::Float32:
    ReadAndConvert<float>(reader, out, convert);
    break;
  case PixelComponent::Float64:
    ReadAndConvert<double>(reader, out, convert);
    break;
  case PixelComponent::Unknown:
    break; // refused by OpenChecked
  }
  volume.MetaData() = std::move(image.metaData);
  return volume;
}

// ---- Writing -----------------------------------------------------------------------------------

/// MetaImage's own header fields (MetaObject and MetaImage): a metadata key with one of these names
/// would be read back as, or clash with, the image's description.
constexpr std::array<std::string_view, 39> kMetaImageFields = {
    "AcquisitionDate",
    "AnatomicalOrientation",
    "BinaryData",
    "BinaryDataByteOrderMSB",
    "CenterOfRotation",
    "Color",
    "Comment",
    "CompressedData",
    "CompressedDataSize",
    "DimSize",
    "DistanceUnits",
    "ElementByteOrderMSB",
    "ElementDataFile",
    "ElementMax",
    "ElementMin",
    "ElementNBits",
    "ElementNumberOfChannels",
    "ElementSize",
    "ElementSpacing",
    "ElementToIntensityFunctionOffset",
    "ElementToIntensityFunctionSlope",
    "ElementType",
    "FormTypeName",
    "HeaderSize",
    "ID",
    "ImagePosition",
    "Modality",
    "Name",
    "NDims",
    "ObjectSubType",
    "ObjectType",
    "Offset",
    "Orientation",
    "Origin",
    "ParentID",
    "Position",
    "Rotation",
    "SequenceID",
    "TransformMatrix",
};

void CheckMetaData(const std::map<std::string, std::string>& metaData, const fs::path& path) {
  for (const auto& [key, value] : metaData) {
    const auto isKeyChar = [](unsigned char c) {
      return std::isalnum(c) != 0 || c == '_' || c == '.' || c == '-';
    };
    if (key.empty() || std::isalpha(static_cast<unsigned char>(key[0])) == 0 ||
        !std::all_of(key.begin(), key.end(), isKeyChar)) {
      throw InvalidInput(path.string() + ": metadata key '" + key +
                         "' is not valid; expected a letter followed by letters, digits, '_', '.' "
                         "or '-'");
    }
    const std::string lowerKey = Lowercase(key);
    const bool reserved =
        lowerKey.starts_with("itk_") || lowerKey.starts_with("nrrd_") ||
        std::any_of(kMetaImageFields.begin(), kMetaImageFields.end(), [&](std::string_view field) {
          return Lowercase(std::string(field)) == lowerKey;
        });
    if (reserved) {
      throw InvalidInput(path.string() + ": metadata key '" + key +
                         "' is reserved by the file formats; expected another name (not ITK_..., "
                         "NRRD_... or a MetaImage header field)");
    }
    const bool printable = std::all_of(value.begin(), value.end(), [](char c) {
      return static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) <= 0x7e;
    });
    if (value.empty() || !printable || value.front() == ' ' || value.back() == ' ') {
      throw InvalidInput(path.string() + ": metadata value of key '" + key +
                         "' is not valid; expected non-empty printable ASCII text without leading "
                         "or trailing spaces");
    }
  }
}

ImageFileHeader HeaderOf(const GridGeometry& geometry, PixelComponent component,
                         const std::map<std::string, std::string>& metaData) {
  ImageFileHeader header;
  header.dimensions = 3;
  header.componentsPerPixel = 1;
  header.component = component;
  for (int axis = 0; axis < 3; ++axis) {
    header.size.push_back(geometry.Size()[static_cast<std::size_t>(axis)]);
    header.originMm.push_back(geometry.OriginMm()[axis]);
    header.spacingMm.push_back(geometry.SpacingMm()[axis]);
    const Eigen::Vector3d direction = geometry.Direction().col(axis);
    header.axisDirections.push_back({direction.x(), direction.y(), direction.z()});
  }
  header.fields = metaData;
  return header;
}

template <class T>
void WriteChecked(const Volume<T>& volume, const fs::path& path, PixelComponent component) {
  const ImageFileFormat format = WriteFormatOf(path);
  volume.Geometry().Validate(path.string());
  if (volume.NumberOfVoxels() != volume.Geometry().NumberOfVoxels()) {
    throw InvalidInput(path.string() + ": the volume holds " +
                       std::to_string(volume.NumberOfVoxels()) + " values; expected " +
                       std::to_string(volume.Geometry().NumberOfVoxels()) + " (" +
                       volume.Geometry().Describe() + ")");
  }
  CheckMetaData(volume.MetaData(), path);
  AtomicFileWriter writer(path);
  detail::WriteImageFile(writer.TemporaryPath(), path, format,
                         HeaderOf(volume.Geometry(), component, volume.MetaData()),
                         volume.Data().data());
  writer.Commit();
}

} // namespace

Volume<float> ReadVolumeFloat(const fs::path& path) {
  CheckedImage image = OpenChecked(path);
  return ReadVolume<float>(image, [](auto value) { return static_cast<float>(value); });
}

Mask ReadMask(const fs::path& path) {
  CheckedImage image = OpenChecked(path);
  return ReadVolume<std::uint8_t>(
      image, [](auto value) { return static_cast<std::uint8_t>(value != 0 ? 1 : 0); });
}

void WriteVolume(const Volume<float>& volume, const fs::path& path) {
  WriteChecked(volume, path, PixelComponent::Float32);
}

void WriteMask(const Mask& mask, const fs::path& path) {
  WriteChecked(mask, path, PixelComponent::UInt8);
}

} // namespace seedplan::imaging
