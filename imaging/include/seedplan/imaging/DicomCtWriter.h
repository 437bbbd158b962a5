#pragma once

#include "seedplan/core/Volume.h"
#include "seedplan/imaging/CtImage.h"

#include <filesystem>
#include <string>

namespace seedplan::imaging {

/// What identifies the series DicomCtWriter writes. Empty UIDs are generated
/// (dcmGenerateUniqueIdentifier); given UIDs must be valid (digits and dots, at most 64
/// characters).
struct DicomCtWriteOptions {
  std::string patientName = "SEEDPLAN^PHANTOM";
  std::string patientId = "SP-PHANTOM-001";
  std::string patientPosition = "HFS"; ///< (0018,5100): HFS, FFS, HFP, FFP, HFDR, HFDL, FFDR, FFDL
  std::string studyInstanceUid;
  std::string seriesInstanceUid;
  std::string frameOfReferenceUid;
  std::string seriesDescription;
  int seriesNumber = 1;
  /// Body Part Examined (0018,0015), e.g. CHEST, ABDOMEN (PS3.16 CID 4031); empty = not written.
  /// dciodvfy needs it (or Laterality) to decide whether Laterality is required.
  std::string bodyPartExamined;
  enum class Compression { None, JpegLossless, Rle } compression = Compression::None;
};

/// Writes a CT volume in HU as a DICOM CT Image Storage series with DCMTK, one file per slice
/// (CT_0001.dcm, CT_0002.dcm, ... for k = 0, 1, ...), with the type 1 and 2 attributes of the CT
/// Image IOD (PS3.3 A.3): Patient, General Study, General Series, Frame of Reference, General
/// Equipment, General Image, Image Plane, Image Pixel, CT Image and SOP Common modules.
///
/// Geometry: ImageOrientationPatient = the first two columns of the grid's direction matrix (row
/// and column cosines), ImagePositionPatient of slice k = origin + k x slice spacing x third
/// column, PixelSpacing = "spacing j \ spacing i" (row spacing first, as DICOM orders it),
/// SliceThickness = slice spacing. The patient position is written as given: the direction matrix
/// already says how the patient lies in LPS. A readback with DicomCtSeries gives the same grid when
/// the third column is row cosine x column cosine (a right-handed grid); otherwise the same voxels
/// with k reversed. Pixels: 16 bit unsigned, stored = HU + 1024 (RescaleIntercept -1024) when every
/// HU is at least -1024, as most scanners write; 16 bit signed, stored = HU (RescaleIntercept 0)
/// otherwise. KVP is written as 120 (the nominal value of a diagnostic CT; the volume does not
/// say). Compression: native little endian explicit, JPEG lossless process 14 selection value 1, or
/// RLE lossless, all lossless. Each file is written to a temporary file and renamed (never a half
/// file).
class DicomCtWriter {
public:
  /// Writes the series into `folder` (created if needed; existing files of the same names are
  /// replaced) and returns its identity, with sopInstanceUids in the order of k. Throws
  /// InvalidInput for an invalid geometry, a data size that does not match it, rows or columns
  /// above 65535, an unknown patient position or an invalid UID; Io if the folder cannot be
  /// created or a file cannot be written; NotSupported if DCMTK cannot encode the compression.
  static DicomSeriesInfo Write(const std::filesystem::path& folder, const Volume<short>& hu,
                               const DicomCtWriteOptions& options);
};

} // namespace seedplan::imaging
