#pragma once

#include "seedplan/imaging/CtImage.h"

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace seedplan::imaging {

/// The stored values of one DICOM image (before RescaleSlope and RescaleIntercept), row by row with
/// the column index fastest.
struct DicomStoredPixels {
  std::size_t rows = 0;
  std::size_t columns = 0;
  std::vector<std::int32_t> storedValues;
};

/// Reads a DICOM CT series from a folder, as scanners, PACS and planning systems write it.
///
/// Headers are read with DCMTK, pixels decoded slice by slice with GDCM (native, JPEG lossless,
/// JPEG-LS, JPEG 2000 and RLE transfer syntaxes). Slices are ordered by their position along the
/// slice normal n = row cosine x column cosine (ImagePositionPatient . n), never by file name or
/// InstanceNumber. The grid (DICOM patient coordinates, LPS, mm): origin = ImagePositionPatient of
/// the first slice along n; direction columns = row cosine (i, along a row), column cosine (j, down
/// the columns), n (k); spacing = (column spacing, row spacing, slice spacing), where PixelSpacing
/// (0028,0030) lists the row spacing (between rows, along j) first and the column spacing (between
/// columns, along i) second; the slice spacing is measured from the positions. Any patient position
/// (HFS, FFS, HFP, FFP, ...) and any orientation is carried by the direction matrix.
/// HU = stored x RescaleSlope + RescaleIntercept, rounded to the nearest integer and clamped to the
/// range of short (with a warning if any voxel is clamped).
///
/// What cannot be used is refused with one line naming the folder or file, the field and the values
/// (see Load). Tolerances: slice positions within max(1 % of the slice spacing, 0.02 mm) of an even
/// grid along n and of the line through the first slice along n (DicomCtSeries.cpp says why).
class DicomCtSeries {
public:
  /// Lists the DICOM series of every regular file directly in `folder` (not in subfolders), grouped
  /// by SeriesInstanceUID, ordered by SeriesNumber then UID; sopInstanceUids in slice order.
  /// Hidden files (name starting with '.') and DICOMDIR are skipped. Throws Io if the folder
  /// cannot be read; DataFormat naming the file for a file that is not DICOM, is truncated or has
  /// no SeriesInstanceUID. An empty folder gives an empty list.
  static std::vector<DicomSeriesInfo> Scan(const std::filesystem::path& folder);

  /// Loads the CT series `seriesUid` of `folder` (or its only series when `seriesUid` is empty).
  /// Throws Io if the folder cannot be read; InvalidInput for an empty folder, several series and
  /// no UID given (the message lists each series: UID, modality, description, number of files, and
  /// says to pick one with --series UID), an unknown UID, a modality other than CT, missing slices,
  /// uneven spacing, duplicate slice positions, mixed image sizes, pixel spacings or orientations;
  /// NotSupported for a gantry tilt (GantryDetectorTilt non-zero, or slices not stacked along their
  /// normal), multi-frame or colour images; DataFormat for truncated or non-DICOM files and missing
  /// or malformed attributes.
  static CtImage Load(const std::filesystem::path& folder, const std::string& seriesUid = "");

  /// Decodes the stored pixel values of one single-frame greyscale DICOM image of any modality
  /// (the slice reader Load uses). Throws DataFormat naming the file if it is not DICOM, is
  /// truncated (pixel data shorter than rows x columns x bits allocated) or cannot be decoded;
  /// NotSupported for multi-frame or colour images.
  static DicomStoredPixels ReadStoredPixels(const std::filesystem::path& file);
};

} // namespace seedplan::imaging
