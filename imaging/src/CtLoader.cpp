#include "seedplan/imaging/CtLoader.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/Log.h"
#include "seedplan/imaging/DicomCtSeries.h"
#include "seedplan/imaging/VolumeIo.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <fstream>
#include <limits>
#include <string_view>

namespace seedplan::imaging {

namespace {

namespace fs = std::filesystem;

std::string Lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

bool IsVolumeFile(const fs::path& path) {
  static constexpr std::array<std::string_view, 6> kExtensions = {".mha",  ".mhd", ".nrrd",
                                                                  ".nhdr", ".nii", ".nii.gz"};
  const std::string name = Lowercase(path.filename().string());
  return std::any_of(kExtensions.begin(), kExtensions.end(),
                     [&](std::string_view extension) { return name.ends_with(extension); });
}

bool LooksLikeDicom(const fs::path& path) {
  if (Lowercase(path.extension().string()) == ".dcm") {
    return true;
  }
  std::ifstream in(path, std::ios::binary);
  char header[132] = {};
  in.read(header, sizeof(header));
  return in.gcount() == static_cast<std::streamsize>(sizeof(header)) &&
         std::string_view(header + 128, 4) == "DICM";
}

CtImage LoadVolumeFile(const fs::path& path) {
  const Volume<float> volume = ReadVolumeFloat(path);
  CtImage ct;
  ct.source = path;
  ct.info.modality = "CT";
  ct.hu = Volume<short>(volume.Geometry());
  ct.hu.MetaData() = volume.MetaData();
  constexpr double kMin = std::numeric_limits<short>::min();
  constexpr double kMax = std::numeric_limits<short>::max();
  std::size_t clamped = 0;
  for (std::size_t n = 0; n < volume.Data().size(); ++n) {
    const double value = volume.Data()[n];
    if (!std::isfinite(value)) {
      throw DataFormat(path.string() + ": voxel " + std::to_string(n) +
                       " is not a finite number; expected CT values in HU");
    }
    const double rounded = std::nearbyint(value);
    if (rounded < kMin || rounded > kMax) {
      ++clamped;
    }
    ct.hu.Data()[n] = static_cast<short>(std::clamp(rounded, kMin, kMax));
  }
  if (clamped > 0) {
    log::Warning(path.string() + ": " + std::to_string(clamped) +
                 " voxels outside [-32768, 32767] HU were clamped");
  }
  log::Warning(path.string() + ": a volume file carries no DICOM series identity (no study, " +
               "series or frame of reference UID, no patient position): its values are taken " +
               "as CT in HU");
  return ct;
}

} // namespace

CtImage CtLoader::Load(const fs::path& path, const std::string& seriesUid) {
  std::error_code error;
  if (!fs::exists(path, error)) {
    throw Io(path.string() + ": cannot read the CT: no such file or folder");
  }
  if (fs::is_directory(path, error)) {
    return DicomCtSeries::Load(path, seriesUid);
  }
  if (IsVolumeFile(path)) {
    if (!seriesUid.empty()) {
      throw InvalidInput(path.string() + ": a series UID (" + seriesUid +
                         ") was given for a volume file; expected it only with a DICOM folder");
    }
    return LoadVolumeFile(path);
  }
  if (LooksLikeDicom(path)) {
    throw InvalidInput(path.string() + ": is a single DICOM file; expected the folder of the " +
                       "series (" + path.parent_path().string() + ")");
  }
  throw InvalidInput(path.string() + ": cannot read a CT from this file (extension '" +
                     path.extension().string() + "'); expected a folder of DICOM files or a " +
                     ".mha, .mhd, .nrrd, .nhdr, .nii or .nii.gz volume");
}

} // namespace seedplan::imaging
