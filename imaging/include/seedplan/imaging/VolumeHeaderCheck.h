#pragma once

#include "seedplan/core/ByteSource.h"
#include "seedplan/imaging/VolumeFileHeader.h"

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

namespace seedplan::imaging {

/// Opens a data file a header names (relative names are relative to the header's folder).
using DataFileOpener = std::function<std::unique_ptr<ByteSource>(const std::string& name)>;

/// The project's own check of a MetaImage (.mha, .mhd), NRRD (.nrrd, .nhdr) or NIfTI-1 (.nii,
/// .nii.gz) header and of the size of its pixel data, done before ITK reads the file (issue 13:
/// ITK's readers hang on NDims = -1, abort on a header without ElementDataFile, crash on an
/// `encoding: ascii` NRRD over binary data, allocate whatever a header asks for, and read data of
/// the wrong size or type without a word). Plain C++ (no toolkit), so that it is fuzzed as it is.
///
/// What passes: a 3D scalar image of a known integer or floating point type, at most
/// limits::kMaxVolumeVoxels voxels, with every header field the toolkit interprets well formed
/// (the numbers of values a field needs, on its own line; for MetaImage the fields that depend on
/// NDims after it; no line MetaIO would cut at 500 characters), and pixel data that are exactly
/// the declared size: raw data of voxels x bytes per value (from the byte after the header, or in
/// the data file the header names), compressed data that inflate to that size, text data with
/// one number per voxel. Refused, with one line naming the file, the field, its value and what
/// was expected: DataFormat for a malformed header or pixel data of another size; InvalidInput for
/// a volume beyond the voxel budget (naming the memory it would need); NotSupported for what
/// seedplan does not read (data spread over several files, bzip2, NIfTI-2, Analyze).
class VolumeHeaderCheck {
public:
  /// Checks the file at `path`; the format comes from the extension as in VolumeIo.
  static VolumeFileHeader CheckFile(const std::filesystem::path& path, VolumeFileFormat format);
  /// Checks the header and data in `source`; `compressedFile` is true for a .nii.gz file (the
  /// whole file is one gzip stream); `openDataFile` opens a data file the header names.
  static VolumeFileHeader CheckSource(const ByteSource& source, VolumeFileFormat format,
                                      bool compressedFile, const DataFileOpener& openDataFile);
};

} // namespace seedplan::imaging
