// libFuzzer target: the MetaImage / NRRD / NIfTI header check (imaging/VolumeHeaderCheck) that
// runs before ITK reads a volume file. The first byte chooses the format (0: MetaImage, 1: NRRD,
// 2: NIfTI, 3: NIfTI .gz); the rest is the file. A data file the header names is the input itself.
// An accepted header must describe a bounded 3D volume whose data were checked.

#include "FuzzLogSink.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/InputLimits.h"
#include "seedplan/core/MemoryByteSource.h"
#include "seedplan/imaging/VolumeHeaderCheck.h"

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <string>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  seedplan::fuzz::DiscardLogMessages();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) {
    return 0;
  }
  using seedplan::imaging::VolumeFileFormat;
  const int selector = data[0] % 4;
  const VolumeFileFormat format = selector == 0   ? VolumeFileFormat::MetaImage
                                  : selector == 1 ? VolumeFileFormat::Nrrd
                                                  : VolumeFileFormat::Nifti;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  const seedplan::MemoryByteSource source(bytes, "fuzz");
  const seedplan::imaging::DataFileOpener opener = [&](const std::string&) {
    return std::make_unique<seedplan::MemoryByteSource>(bytes, "fuzz.raw");
  };
  try {
    const auto header =
        seedplan::imaging::VolumeHeaderCheck::CheckSource(source, format, selector == 3, opener);
    if (header.NumberOfVoxels() == 0 ||
        header.NumberOfVoxels() > seedplan::limits::kMaxVolumeVoxels) {
      std::abort();
    }
  } catch (const seedplan::Error&) {
  }
  return 0;
}
