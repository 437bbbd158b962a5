#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

namespace seedplan::imaging {

/// The volume file formats seedplan reads (VolumeIo).
enum class VolumeFileFormat { MetaImage, Nrrd, Nifti };

/// The type of one stored value of a volume file.
enum class VolumeValueType {
  Int8,
  UInt8,
  Int16,
  UInt16,
  Int32,
  UInt32,
  Int64,
  UInt64,
  Float32,
  Float64
};

/// Bytes per stored value.
std::size_t BytesOf(VolumeValueType type);

/// What a volume file's header says, as VolumeHeaderCheck read and checked it before any toolkit
/// reads the file: a 3D scalar image of `size` voxels of `valueType`, whose pixel data (checked
/// complete) are stored with `encoding` in `dataFile` from byte `dataOffset`.
struct VolumeFileHeader {
  VolumeFileFormat format = VolumeFileFormat::MetaImage;
  std::array<std::int64_t, 3> size{};
  VolumeValueType valueType = VolumeValueType::UInt8;
  std::string typeName; ///< the type as the file names it (MET_SHORT, short, 4), for messages
  std::string encoding = "raw"; ///< raw, gzip, zlib, ascii or hex
  std::string dataFile;         ///< path of the file holding the pixel data
  std::uint64_t dataOffset = 0; ///< first byte of the pixel data in dataFile (raw encodings)

  std::uint64_t NumberOfVoxels() const {
    return static_cast<std::uint64_t>(size[0]) * static_cast<std::uint64_t>(size[1]) *
           static_cast<std::uint64_t>(size[2]);
  }
  std::uint64_t DataBytes() const { return NumberOfVoxels() * BytesOf(valueType); }
};

} // namespace seedplan::imaging
