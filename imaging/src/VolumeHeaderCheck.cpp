#include "seedplan/imaging/VolumeHeaderCheck.h"

#include "MetaImageHeaderCheck.h"
#include "NiftiHeaderCheck.h"
#include "NrrdHeaderCheck.h"

#include "seedplan/core/FileByteSource.h"

#include <cctype>

namespace seedplan::imaging {

std::size_t BytesOf(VolumeValueType type) {
  switch (type) {
  case VolumeValueType::Int8:
  case VolumeValueType::UInt8:
    return 1;
  case VolumeValueType::Int16:
  case VolumeValueType::UInt16:
    return 2;
  case VolumeValueType::Int32:
  case VolumeValueType::UInt32:
  case VolumeValueType::Float32:
    return 4;
  case VolumeValueType::Int64:
  case VolumeValueType::UInt64:
  case VolumeValueType::Float64:
    return 8;
  }
  return 0;
}

VolumeFileHeader VolumeHeaderCheck::CheckFile(const std::filesystem::path& path,
                                              VolumeFileFormat format) {
  const FileByteSource source(path, "image file");
  const std::filesystem::path folder = path.parent_path();
  const DataFileOpener openDataFile = [&](const std::string& name) -> std::unique_ptr<ByteSource> {
    const std::filesystem::path dataPath(name);
    return std::make_unique<FileByteSource>(dataPath.is_absolute() ? dataPath : folder / dataPath,
                                            "pixel data file named in " + path.string());
  };
  std::string name = path.filename().string();
  for (char& c : name) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return CheckSource(source, format, name.ends_with(".gz"), openDataFile);
}

VolumeFileHeader VolumeHeaderCheck::CheckSource(const ByteSource& source, VolumeFileFormat format,
                                                bool compressedFile,
                                                const DataFileOpener& openDataFile) {
  switch (format) {
  case VolumeFileFormat::MetaImage:
    return detail::MetaImageHeaderCheck::Check(source, openDataFile);
  case VolumeFileFormat::Nrrd:
    return detail::NrrdHeaderCheck::Check(source, openDataFile);
  case VolumeFileFormat::Nifti:
    break;
  }
  return detail::NiftiHeaderCheck::Check(source, compressedFile);
}

} // namespace seedplan::imaging
