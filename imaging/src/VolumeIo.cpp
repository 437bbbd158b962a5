#include "seedplan/imaging/VolumeIo.h"

#include "ItkAdapter.h"

#include "seedplan/core/AtomicFileWriter.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/InputLimits.h"
#include "seedplan/imaging/VolumeHeaderCheck.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdint>
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

// ---- Header checks and conversion --------------------------------------------------------------

std::string DescribeSize(const ImageFileHeader& header) {
  std::string text;
  for (const std::int64_t n : header.size) {
    // Appended piece by piece: GCC 12 gives a false -Wrestrict for "x" + std::string.
    if (!text.empty()) {
      text += 'x';
    }
    text += std::to_string(n);
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

VolumeFileFormat CheckedFormat(ImageFileFormat format) {
  switch (format) {
  case ImageFileFormat::MetaImage:
    return VolumeFileFormat::MetaImage;
  case ImageFileFormat::Nrrd:
    return VolumeFileFormat::Nrrd;
  case ImageFileFormat::Nifti:
    break;
  }
  return VolumeFileFormat::Nifti;
}

/// ITK's reading of the header must agree with the project's own (VolumeHeaderCheck): the check
/// of the pixel data's size is only worth something if both read the same size and type.
void CheckAgreement(const fs::path& path, const ImageFileHeader& header,
                    const VolumeFileHeader& checked) {
  bool same = header.size.size() == 3 &&
              detail::ComponentSizeBytes(header.component) == BytesOf(checked.valueType);
  for (std::size_t axis = 0; same && axis < 3; ++axis) {
    same = header.size[axis] == checked.size[axis];
  }
  if (!same) {
    throw DataFormat(path.string() + ": ITK reads the image as " + DescribeSize(header) +
                     " voxels of " + header.componentName + ", its header says " +
                     std::to_string(checked.size[0]) + "x" + std::to_string(checked.size[1]) + "x" +
                     std::to_string(checked.size[2]) + " voxels of " + checked.typeName +
                     "; expected a header both read alike");
  }
}

/// Spacing and origin within the physical bounds of core/InputLimits.h.
void CheckPhysicalGeometry(const fs::path& path, const GridGeometry& geometry) {
  static const char* const kAxis[] = {"x", "y", "z"};
  for (int axis = 0; axis < 3; ++axis) {
    limits::RequireInRange(
        geometry.SpacingMm()[axis], limits::kMinVoxelSpacingMm, limits::kMaxVoxelSpacingMm, false,
        path.string() + ": voxel spacing along " + kAxis[axis], "a voxel spacing", "mm");
    limits::RequireInRange(
        geometry.OriginMm()[axis], -limits::kMaxCoordinateMm, limits::kMaxCoordinateMm, false,
        path.string() + ": origin along " + kAxis[axis], "a position in patient coordinates", "mm");
  }
}

CheckedImage OpenChecked(const fs::path& path) {
  const ImageFileFormat format = ReadFormatOf(path);
  // The project's own check first: no toolkit reads a header seedplan has not checked.
  const VolumeFileHeader checked = VolumeHeaderCheck::CheckFile(path, CheckedFormat(format));
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
  CheckAgreement(path, header, checked);
  image.geometry = GeometryOf(header, path);
  try {
    CheckPhysicalGeometry(path, image.geometry);
  } catch (const InvalidInput& error) {
    throw DataFormat(error.what());
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
