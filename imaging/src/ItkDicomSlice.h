#pragma once
// The one place where seedplan decodes DICOM pixel data with ITK's GDCMImageIO (used directly, not
// through ITK's object factories). GDCM decodes every transfer syntax that scanners and archives
// use for CT: native little and big endian, JPEG lossless, JPEG-LS, JPEG 2000 and RLE.
//
// Like ItkAdapter.h this header includes no Eigen and no ITK: Debian's ITK 5.2 bundles an Eigen 3.3
// whose include guards collide with the system Eigen 3.4 (docs/ARCHITECTURE.md).

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <vector>

namespace seedplan::imaging::detail {

/// The stored pixel values of one single-frame greyscale DICOM image, before the modality rescale
/// (RescaleSlope, RescaleIntercept): row by row, the column index fastest.
struct DicomSliceValues {
  std::size_t rows = 0;
  std::size_t columns = 0;
  std::vector<std::int32_t> storedValues;
};

/// Decodes the pixel data of `path` with GDCM. GDCM applies the modality rescale while reading;
/// it is undone here so that callers get the values as stored. Throws DataFormat naming the file if
/// GDCM cannot decode it, if the image is not a single greyscale frame, or if GDCM returns fewer
/// values than rows x columns. This function does not check that the file is complete: GDCM reads
/// some truncated files without complaint, so callers check the pixel data length first.
DicomSliceValues ReadDicomSliceValues(const std::filesystem::path& path);

} // namespace seedplan::imaging::detail
