#include "seedplan/imaging/RawVolumeWriter.h"

#include "seedplan/core/AtomicFileWriter.h"
#include "seedplan/core/Error.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>

namespace seedplan::imaging {

namespace {

namespace fs = std::filesystem;

/// 17 significant digits: a double written and read back is the same double.
std::string Exact(double value) {
  char text[40];
  std::snprintf(text, sizeof text, "%.17g", value);
  return text;
}

/// MetaImage's own header fields (MetaObject and MetaImage), which a metadata key may not shadow.
bool IsMetaImageField(const std::string& key) {
  static const std::array<const char*, 29> kFields = {"Comment",
                                                      "ObjectType",
                                                      "ObjectSubType",
                                                      "TransformType",
                                                      "NDims",
                                                      "Name",
                                                      "ID",
                                                      "ParentID",
                                                      "CompressedData",
                                                      "CompressedDataSize",
                                                      "BinaryData",
                                                      "BinaryDataByteOrderMSB",
                                                      "ElementByteOrderMSB",
                                                      "Color",
                                                      "Position",
                                                      "Offset",
                                                      "Origin",
                                                      "Orientation",
                                                      "Rotation",
                                                      "TransformMatrix",
                                                      "CenterOfRotation",
                                                      "AnatomicalOrientation",
                                                      "ElementSpacing",
                                                      "DimSize",
                                                      "HeaderSize",
                                                      "Modality",
                                                      "ElementSize",
                                                      "ElementType",
                                                      "ElementDataFile"};
  std::string lower = key;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  for (const char* field : kFields) {
    std::string name = field;
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (name == lower) {
      return true;
    }
  }
  return false;
}

void CheckMetaData(const std::map<std::string, std::string>& metaData, const fs::path& path) {
  for (const auto& [key, value] : metaData) {
    const bool keyOk = !key.empty() && std::isalpha(static_cast<unsigned char>(key[0])) &&
                       std::all_of(key.begin(), key.end(),
                                   [](unsigned char c) {
                                     return std::isalnum(c) || c == '_' || c == '.' || c == '-';
                                   }) &&
                       key.rfind("ITK_", 0) != 0 && key.rfind("NRRD_", 0) != 0 &&
                       !IsMetaImageField(key);
    if (!keyOk) {
      throw InvalidInput(path.string() + ": metadata key '" + key +
                         "'; expected a letter followed by letters, digits, '_', '.' or '-', not "
                         "a MetaImage header field and not starting with ITK_ or NRRD_");
    }
    const bool valueOk =
        !value.empty() && value.front() != ' ' && value.back() != ' ' &&
        std::all_of(value.begin(), value.end(), [](unsigned char c) { return c >= 32 && c < 127; });
    if (!valueOk) {
      throw InvalidInput(path.string() + ": metadata value of key '" + key +
                         "'; expected non-empty printable ASCII without leading or trailing "
                         "spaces");
    }
  }
}

std::string MetaImageHeader(const Volume<float>& volume) {
  const GridGeometry& g = volume.Geometry();
  std::ostringstream out;
  out << "ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = False\n"
      << "CompressedData = False\nTransformMatrix =";
  // MetaIO's TransformMatrix lists the direction row by row of its transpose: column i (the
  // i axis' unit vector) first, as ITK writes it.
  for (int column = 0; column < 3; ++column) {
    for (int row = 0; row < 3; ++row) {
      out << ' ' << Exact(g.Direction()(row, column));
    }
  }
  out << "\nOffset = " << Exact(g.OriginMm().x()) << ' ' << Exact(g.OriginMm().y()) << ' '
      << Exact(g.OriginMm().z()) << "\nCenterOfRotation = 0 0 0\nAnatomicalOrientation = RAI\n"
      << "ElementSpacing = " << Exact(g.SpacingMm().x()) << ' ' << Exact(g.SpacingMm().y()) << ' '
      << Exact(g.SpacingMm().z()) << '\n';
  for (const auto& [key, value] : volume.MetaData()) {
    out << key << " = " << value << '\n';
  }
  out << "DimSize = " << g.Size()[0] << ' ' << g.Size()[1] << ' ' << g.Size()[2]
      << "\nElementType = MET_FLOAT\nElementDataFile = LOCAL\n";
  return out.str();
}

std::string NrrdHeader(const Volume<float>& volume) {
  const GridGeometry& g = volume.Geometry();
  std::ostringstream out;
  out << "NRRD0004\n# Complete NRRD file format specification at:\n"
      << "# http://teem.sourceforge.net/nrrd/format.html\ntype: float\ndimension: 3\n"
      << "space: left-posterior-superior\nsizes: " << g.Size()[0] << ' ' << g.Size()[1] << ' '
      << g.Size()[2] << "\nspace directions:";
  for (int axis = 0; axis < 3; ++axis) {
    const Eigen::Vector3d step = g.Direction().col(axis) * g.SpacingMm()[axis];
    out << " (" << Exact(step.x()) << ',' << Exact(step.y()) << ',' << Exact(step.z()) << ')';
  }
  out << "\nkinds: domain domain domain\nendian: little\nencoding: raw\nspace origin: ("
      << Exact(g.OriginMm().x()) << ',' << Exact(g.OriginMm().y()) << ',' << Exact(g.OriginMm().z())
      << ")\n";
  for (const auto& [key, value] : volume.MetaData()) {
    out << key << ":=" << value << '\n';
  }
  out << '\n';
  return out.str();
}

} // namespace

void WriteRawVolume(const Volume<float>& volume, const fs::path& path) {
  const std::string extension = path.extension().string();
  if (extension != ".mha" && extension != ".nrrd") {
    throw InvalidInput(path.string() + ": extension '" + extension +
                       "'; expected .mha or .nrrd (lower case)");
  }
  volume.Geometry().Validate(path.string() + ": dose grid");
  if (volume.NumberOfVoxels() != volume.Geometry().NumberOfVoxels()) {
    throw InvalidInput(path.string() + ": the volume holds " +
                       std::to_string(volume.NumberOfVoxels()) + " values; expected " +
                       std::to_string(volume.Geometry().NumberOfVoxels()) + " for its geometry");
  }
  CheckMetaData(volume.MetaData(), path);
  static_assert(sizeof(float) == 4, "float32 expected");
  const std::string header = extension == ".mha" ? MetaImageHeader(volume) : NrrdHeader(volume);
  AtomicFileWriter writer(path);
  {
    std::ofstream out(writer.TemporaryPath(), std::ios::binary | std::ios::trunc);
    out.write(header.data(), static_cast<std::streamsize>(header.size()));
    // x86-64 is little-endian, as both headers say.
    out.write(reinterpret_cast<const char*>(volume.Data().data()),
              static_cast<std::streamsize>(volume.Data().size() * sizeof(float)));
    out.flush();
    if (!out) {
      throw Io(path.string() + ": cannot write the file (disk full or no permission?)");
    }
  }
  writer.Commit();
}

} // namespace seedplan::imaging
