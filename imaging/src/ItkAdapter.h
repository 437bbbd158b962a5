#pragma once
// The one place where seedplan meets ITK's image file readers and writers (ImageIO classes, used
// directly rather than through ITK's object factories, so that the format is the one the
// extension names). No ITK type appears in this header: ITK's headers stay in ItkAdapter.cpp and
// ITK exceptions are rethrown as seedplan errors naming the file.
//
// This header includes no Eigen (hence no GridGeometry): ITK 5.2 as packaged by Debian brings its
// own Eigen 3.3 (itkeigen/, pulled in by itkImageIOBase.h) whose headers share include guards with
// the system Eigen 3.4, so a translation unit that includes both does not compile.

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace seedplan::imaging::detail {

enum class ImageFileFormat { MetaImage, Nrrd, Nifti };

/// "MetaImage", "NRRD" or "NIfTI", for messages.
const char* FormatName(ImageFileFormat format);

/// The pixel component types a file can hold (Unknown: anything else, e.g. complex).
enum class PixelComponent {
  Unknown,
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

/// Bytes per component (0 for Unknown).
std::size_t ComponentSizeBytes(PixelComponent component);

/// What a file's header says, in any number of dimensions (before it is checked to be 3D), or what
/// to write.
struct ImageFileHeader {
  unsigned dimensions = 0;
  unsigned componentsPerPixel = 0;
  PixelComponent component = PixelComponent::Unknown;
  std::string componentName; ///< the reader's name of the component type, for messages
  std::vector<std::int64_t> size;
  std::vector<double> originMm; ///< centre of the first voxel (LPS)
  std::vector<double> spacingMm;
  std::vector<std::vector<double>> axisDirections; ///< [axis] = unit vector of that axis (LPS)
  std::map<std::string, std::string> fields;       ///< string entries of the reader's dictionary

  /// Voxels times components.
  std::int64_t NumberOfValues() const;
};

/// Reads the header of an image file on construction and its pixel data on demand.
class ImageFileReader {
public:
  /// Throws DataFormat naming `path` if the reader cannot make sense of the header.
  ImageFileReader(const std::filesystem::path& path, ImageFileFormat format);
  ~ImageFileReader();
  ImageFileReader(const ImageFileReader&) = delete;
  ImageFileReader& operator=(const ImageFileReader&) = delete;

  const ImageFileHeader& Header() const { return m_Header; }

  /// Reads every pixel, components interleaved, i fastest, into `buffer`, which must hold
  /// Header().NumberOfValues() components of Header().component. Throws DataFormat naming the
  /// file if the reader reports a failure.
  void ReadPixels(void* buffer);

private:
  struct Impl;
  std::unique_ptr<Impl> m_Impl;
  ImageFileHeader m_Header;
};

/// Writes the scalar image `image` describes (component Float32 or UInt8; `fields` become string
/// entries of the file's header) with the pixels at `pixels` to `fileToWrite`. `reportedPath` is
/// the path named in messages (the final path when `fileToWrite` is a temporary file). Throws Io
/// if the writer fails.
void WriteImageFile(const std::filesystem::path& fileToWrite,
                    const std::filesystem::path& reportedPath, ImageFileFormat format,
                    const ImageFileHeader& image, const void* pixels);

} // namespace seedplan::imaging::detail
