#include "seedplan/imaging/DicomCtSeries.h"

#include "ItkDicomSlice.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/InputLimits.h"
#include "seedplan/core/Log.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/imaging/DicomFileCheck.h"
#include "seedplan/imaging/DicomImageCheck.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>

#include <Eigen/Geometry>

#include <algorithm>
#include <array>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <limits>
#include <map>
#include <numbers>
#include <optional>
#include <sstream>

namespace seedplan::imaging {

namespace {

namespace fs = std::filesystem;

// ---- Tolerances ---------------------------------------------------------------------------------

// Slice positions must lie within max(1 % of the slice spacing, 0.02 mm) of an even grid along the
// slice normal and of the line through the first slice along the normal (no gantry tilt). Why:
// scanners write ImagePositionPatient rounded to 0.01 mm or as float32-derived decimals
// (-75.699997), so a difference of two positions is off by up to 0.01 mm per coordinate and up to
// 0.014 mm across the slice plane; 0.02 mm is above that. 1 % of the spacing (0.03 mm at 3 mm
// slices) moves no voxel centre by more than a hundredth of a slice: far below contour and
// seed-position accuracy (about 1 mm), while any real missing slice (100 %) or uneven
// reconstruction (10 % and more) is far above it.
constexpr double kRelativeSliceTolerance = 0.01;
constexpr double kAbsoluteSliceToleranceMm = 0.02;
// A step longer than 1.5 x the median step is reported as missing slices rather than uneven
// spacing.
constexpr double kMissingSliceStepRatio = 1.5;
// PixelSpacing of the slices of one series must agree within 1e-4 mm: one reconstruction writes
// identical values, and 1e-4 mm x 512 columns moves the image edge by only 0.05 mm.
constexpr double kPixelSpacingToleranceMm = 1e-4;
// Direction cosines of the slices of one series must agree within 1e-4 per component (0.006 deg:
// 0.025 mm at 250 mm from the image centre); DS rounding of cosines (6 or more decimals) is below.
constexpr double kOrientationTolerance = 1e-4;
// Row and column cosines must be unit vectors and perpendicular within 1e-3 (DS-rounded cosines of
// an oblique plane written with 4 decimals are still accepted); they are then orthonormalised.
constexpr double kOrthonormalityTolerance = 1e-3;
// GantryDetectorTilt is written with a few decimals; anything beyond 0.001 deg is a real tilt.
constexpr double kGantryTiltToleranceDeg = 1e-3;

// ---- Small helpers ------------------------------------------------------------------------------

std::string Trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r\n");
  if (first == std::string::npos) {
    return "";
  }
  const auto last = text.find_last_not_of(" \t\r\n");
  return text.substr(first, last - first + 1);
}

std::string Uppercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

std::string Number(double value) {
  return FormatNumber(value, 6);
}

std::string TagText(const DcmTagKey& tag) {
  DcmTag fullTag(tag);
  return std::string(fullTag.getTagName()) + " " + tag.toString().c_str();
}

/// Splits a multi-valued DICOM string ("a\b\c").
std::vector<std::string> SplitValues(const std::string& text) {
  std::vector<std::string> values;
  std::string current;
  for (const char c : text) {
    if (c == '\\') {
      values.push_back(Trim(current));
      current.clear();
    } else {
      current += c;
    }
  }
  values.push_back(Trim(current));
  return values;
}

/// Parses `count` decimal numbers from a DS/IS value; nullopt if the text does not hold them.
std::optional<std::vector<double>> ParseNumbers(const std::string& text, std::size_t count) {
  if (text.empty()) {
    return std::nullopt;
  }
  const std::vector<std::string> parts = SplitValues(text);
  if (parts.size() != count) {
    return std::nullopt;
  }
  std::vector<double> numbers;
  for (const std::string& part : parts) {
    char* end = nullptr;
    const double value = std::strtod(part.c_str(), &end);
    if (part.empty() || end != part.c_str() + part.size() || !std::isfinite(value)) {
      return std::nullopt;
    }
    numbers.push_back(value);
  }
  return numbers;
}

// ---- One file's header --------------------------------------------------------------------------

/// What Load needs from one file, read with DCMTK (the pixel data are not loaded).
struct SliceHeader {
  fs::path path;
  std::string sopClassUid;
  std::string sopInstanceUid;
  std::string seriesInstanceUid;
  std::string studyInstanceUid;
  std::string frameOfReferenceUid;
  std::string modality;
  std::string patientPosition;
  std::string patientId;
  std::string patientName;
  std::string studyDate;
  std::string seriesDate;
  std::string seriesDescription;
  std::string seriesNumber;
  std::string transferSyntax;
  bool encapsulated = false;
  std::string imagePosition;    ///< raw DS text of (0020,0032)
  std::string imageOrientation; ///< raw DS text of (0020,0037)
  std::string pixelSpacing;     ///< raw DS text of (0028,0030)
  std::string rescaleSlope;
  std::string rescaleIntercept;
  std::string gantryTilt;
  std::string sliceThickness;
  std::string spacingBetweenSlices;
  std::string instanceNumber;
  std::string photometric;
  std::string numberOfFrames;
  std::optional<Uint16> rows;
  std::optional<Uint16> columns;
  std::optional<Uint16> bitsAllocated;
  std::optional<Uint16> samplesPerPixel;
  bool hasPixelData = false;
  std::uint64_t pixelDataBytes = 0; ///< length of a native (uncompressed) PixelData element
};

std::string GetString(DcmDataset& dataset, const DcmTagKey& tag) {
  OFString value;
  if (dataset.findAndGetOFStringArray(tag, value).good()) {
    return Trim(value.c_str());
  }
  return "";
}

std::optional<Uint16> GetUint16(DcmDataset& dataset, const DcmTagKey& tag) {
  Uint16 value = 0;
  if (dataset.findAndGetUint16(tag, value).good()) {
    return value;
  }
  return std::nullopt;
}

bool HasDicmMarker(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  char marker[132] = {};
  in.read(marker, sizeof(marker));
  return in.gcount() == static_cast<std::streamsize>(sizeof(marker)) && marker[128] == 'D' &&
         marker[129] == 'I' && marker[130] == 'C' && marker[131] == 'M';
}

[[noreturn]] void ThrowNotDicom(const fs::path& path) {
  throw DataFormat(path.string() +
                   ": not a DICOM file (no 'DICM' marker at byte 128 and no readable DICOM data "
                   "set); expected only the DICOM files of the series in the folder (hidden files "
                   "and DICOMDIR are skipped)");
}

SliceHeader ReadHeader(const fs::path& path) {
  const bool part10 = HasDicmMarker(path);
  // The project's own check of the file's structure and image attributes first: DCMTK and GDCM
  // read only files whose every element fits in the file and whose image attributes have their
  // DICOM VR and sane values.
  DicomFileSummary summary;
  try {
    summary = DicomFileCheck::CheckFile(path);
  } catch (const DataFormat&) {
    if (!part10) {
      ThrowNotDicom(path);
    }
    throw;
  }
  DicomImageCheck::CheckImageAttributes(summary);
  DcmFileFormat file;
  // The default maximum read length (4 kB) leaves the pixel data on disk; DCMTK still checks that
  // every element, the pixel data included, fits in the file.
  const OFCondition status = file.loadFile(path.c_str());
  if (status.bad()) {
    if (!part10) {
      ThrowNotDicom(path);
    }
    throw DataFormat(path.string() + ": cannot read the DICOM file: " + status.text() +
                     "; expected a complete DICOM file (is the file truncated?)");
  }
  DcmDataset& dataset = *file.getDataset();
  SliceHeader header;
  header.path = path;
  header.sopClassUid = GetString(dataset, DCM_SOPClassUID);
  header.sopInstanceUid = GetString(dataset, DCM_SOPInstanceUID);
  header.modality = GetString(dataset, DCM_Modality);
  if (!part10 && header.sopClassUid.empty() && header.modality.empty()) {
    ThrowNotDicom(path); // DCMTK "reads" some short non-DICOM files as an almost empty data set
  }
  header.seriesInstanceUid = GetString(dataset, DCM_SeriesInstanceUID);
  header.studyInstanceUid = GetString(dataset, DCM_StudyInstanceUID);
  header.frameOfReferenceUid = GetString(dataset, DCM_FrameOfReferenceUID);
  header.patientPosition = GetString(dataset, DCM_PatientPosition);
  header.patientId = GetString(dataset, DCM_PatientID);
  header.patientName = GetString(dataset, DCM_PatientName);
  header.studyDate = GetString(dataset, DCM_StudyDate);
  header.seriesDate = GetString(dataset, DCM_SeriesDate);
  header.seriesDescription = GetString(dataset, DCM_SeriesDescription);
  header.seriesNumber = GetString(dataset, DCM_SeriesNumber);
  const DcmXfer transferSyntax(dataset.getOriginalXfer());
  header.transferSyntax = transferSyntax.getXferName();
  header.encapsulated = transferSyntax.isEncapsulated();
  header.imagePosition = GetString(dataset, DCM_ImagePositionPatient);
  header.imageOrientation = GetString(dataset, DCM_ImageOrientationPatient);
  header.pixelSpacing = GetString(dataset, DCM_PixelSpacing);
  header.rescaleSlope = GetString(dataset, DCM_RescaleSlope);
  header.rescaleIntercept = GetString(dataset, DCM_RescaleIntercept);
  header.gantryTilt = GetString(dataset, DCM_GantryDetectorTilt);
  header.sliceThickness = GetString(dataset, DCM_SliceThickness);
  header.spacingBetweenSlices = GetString(dataset, DCM_SpacingBetweenSlices);
  header.instanceNumber = GetString(dataset, DCM_InstanceNumber);
  header.photometric = Uppercase(GetString(dataset, DCM_PhotometricInterpretation));
  header.numberOfFrames = GetString(dataset, DCM_NumberOfFrames);
  header.rows = GetUint16(dataset, DCM_Rows);
  header.columns = GetUint16(dataset, DCM_Columns);
  header.bitsAllocated = GetUint16(dataset, DCM_BitsAllocated);
  header.samplesPerPixel = GetUint16(dataset, DCM_SamplesPerPixel);
  DcmElement* pixelData = nullptr;
  if (dataset.findAndGetElement(DCM_PixelData, pixelData).good() && pixelData != nullptr) {
    header.hasPixelData = true;
    header.pixelDataBytes = pixelData->getLength();
  }
  return header;
}

bool IsSkipped(const fs::path& path) {
  const std::string name = path.filename().string();
  return name.starts_with(".") || Uppercase(name) == "DICOMDIR";
}

/// Headers of every DICOM file directly in `folder`, in file name order.
std::vector<SliceHeader> ReadFolder(const fs::path& folder) {
  std::error_code error;
  if (!fs::exists(folder, error)) {
    throw Io(folder.string() + ": cannot read the DICOM series: the folder does not exist");
  }
  if (!fs::is_directory(folder, error)) {
    throw InvalidInput(folder.string() +
                       ": is a file; expected the folder that holds the DICOM series");
  }
  std::vector<fs::path> files;
  fs::directory_iterator iterator(folder, error);
  if (error) {
    throw Io(folder.string() + ": cannot list the folder: " + error.message());
  }
  for (const fs::directory_entry& entry : iterator) {
    if (entry.is_regular_file(error) && !IsSkipped(entry.path())) {
      files.push_back(entry.path());
    }
  }
  std::sort(files.begin(), files.end());
  std::vector<SliceHeader> headers;
  headers.reserve(files.size());
  for (const fs::path& file : files) {
    headers.push_back(ReadHeader(file));
    if (headers.back().seriesInstanceUid.empty()) {
      throw DataFormat(file.string() + ": " + TagText(DCM_SeriesInstanceUID) +
                       " is missing; expected the UID of the series the file belongs to");
    }
  }
  return headers;
}

// ---- Grouping and ordering ----------------------------------------------------------------------

/// The files of each series, keyed by SeriesInstanceUID.
std::map<std::string, std::vector<const SliceHeader*>>
GroupBySeries(const std::vector<SliceHeader>& headers) {
  std::map<std::string, std::vector<const SliceHeader*>> series;
  for (const SliceHeader& header : headers) {
    series[header.seriesInstanceUid].push_back(&header);
  }
  return series;
}

/// Orders the files of one series for listing (Scan): by position along the normal when every file
/// has a usable position and orientation, else by InstanceNumber, else by file name.
std::vector<const SliceHeader*> ListingOrder(std::vector<const SliceHeader*> files) {
  std::optional<Eigen::Vector3d> normal;
  if (const auto orientation = ParseNumbers(files.front()->imageOrientation, 6)) {
    const Eigen::Vector3d row((*orientation)[0], (*orientation)[1], (*orientation)[2]);
    const Eigen::Vector3d column((*orientation)[3], (*orientation)[4], (*orientation)[5]);
    const Eigen::Vector3d cross = row.cross(column);
    if (cross.norm() > 0.5) {
      normal = cross.normalized();
    }
  }
  std::vector<std::pair<double, const SliceHeader*>> keyed;
  for (const SliceHeader* file : files) {
    const auto position = ParseNumbers(file->imagePosition, 3);
    if (!normal || !position) {
      keyed.clear();
      break;
    }
    keyed.emplace_back(Eigen::Vector3d((*position)[0], (*position)[1], (*position)[2]).dot(*normal),
                       file);
  }
  if (!keyed.empty()) {
    std::stable_sort(keyed.begin(), keyed.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (std::size_t n = 0; n < keyed.size(); ++n) {
      files[n] = keyed[n].second;
    }
    return files;
  }
  std::stable_sort(files.begin(), files.end(), [](const SliceHeader* a, const SliceHeader* b) {
    return std::atol(a->instanceNumber.c_str()) < std::atol(b->instanceNumber.c_str());
  });
  return files;
}

DicomSeriesInfo InfoOf(const std::vector<const SliceHeader*>& orderedFiles) {
  const SliceHeader& first = *orderedFiles.front();
  DicomSeriesInfo info;
  info.seriesInstanceUid = first.seriesInstanceUid;
  info.studyInstanceUid = first.studyInstanceUid;
  info.frameOfReferenceUid = first.frameOfReferenceUid;
  info.modality = first.modality;
  info.patientPosition = first.patientPosition;
  info.patientId = first.patientId;
  info.patientName = first.patientName;
  info.studyDate = first.studyDate;
  info.seriesDate = first.seriesDate;
  info.seriesDescription = first.seriesDescription;
  info.seriesNumber = first.seriesNumber;
  info.transferSyntax = first.transferSyntax;
  info.fileCount = orderedFiles.size();
  for (const SliceHeader* file : orderedFiles) {
    info.sopInstanceUids.push_back(file->sopInstanceUid);
  }
  return info;
}

std::vector<DicomSeriesInfo> InfosOf(const std::vector<SliceHeader>& headers) {
  std::vector<DicomSeriesInfo> infos;
  for (const auto& [uid, files] : GroupBySeries(headers)) {
    infos.push_back(InfoOf(ListingOrder(files)));
  }
  std::stable_sort(infos.begin(), infos.end(),
                   [](const DicomSeriesInfo& a, const DicomSeriesInfo& b) {
                     return std::atol(a.seriesNumber.c_str()) < std::atol(b.seriesNumber.c_str());
                   });
  return infos;
}

std::string DescribeSeries(const DicomSeriesInfo& info) {
  return Excerpt(info.seriesInstanceUid) + " (" +
         (info.modality.empty() ? "no modality" : Excerpt(info.modality)) + ", '" +
         Excerpt(info.seriesDescription) + "', " + std::to_string(info.fileCount) +
         (info.fileCount == 1 ? " file)" : " files)");
}

std::string DescribeAll(const std::vector<DicomSeriesInfo>& infos) {
  std::string text;
  for (const DicomSeriesInfo& info : infos) {
    text += (text.empty() ? "" : "; ") + DescribeSeries(info);
  }
  return text;
}

// ---- Checks of one file -------------------------------------------------------------------------

std::vector<double> RequireNumbers(const SliceHeader& header, const std::string& text,
                                   const DcmTagKey& tag, std::size_t count) {
  if (text.empty()) {
    throw DataFormat(header.path.string() + ": " + TagText(tag) + " is missing; expected " +
                     std::to_string(count) + (count == 1 ? " number" : " numbers"));
  }
  const auto numbers = ParseNumbers(text, count);
  if (!numbers) {
    throw DataFormat(header.path.string() + ": " + TagText(tag) + " is '" + Excerpt(text) +
                     "'; expected " + std::to_string(count) +
                     (count == 1 ? " number" : " numbers separated by \\"));
  }
  return *numbers;
}

double OptionalNumber(const SliceHeader& header, const std::string& text, const DcmTagKey& tag,
                      double absent) {
  return text.empty() ? absent : RequireNumbers(header, text, tag, 1).front();
}

Uint16 RequireUint16(const SliceHeader& header, const std::optional<Uint16>& value,
                     const DcmTagKey& tag) {
  if (!value) {
    throw DataFormat(header.path.string() + ": " + TagText(tag) +
                     " is missing; expected a number (US)");
  }
  return *value;
}

/// Refuses multi-frame and colour images, missing image attributes and incomplete pixel data.
void CheckImage(const SliceHeader& header) {
  const std::string& path = header.path.string();
  if (!header.numberOfFrames.empty() && std::atol(header.numberOfFrames.c_str()) != 1) {
    throw NotSupported(path + ": " + TagText(DCM_NumberOfFrames) + " is " +
                       Excerpt(header.numberOfFrames) +
                       "; expected single-frame slices (multi-frame and Enhanced CT images are "
                       "not supported: export the series as one file per slice)");
  }
  if (header.sopClassUid == UID_EnhancedCTImageStorage) {
    throw NotSupported(path + ": SOPClassUID is Enhanced CT Image Storage; expected CT Image "
                              "Storage with one file per slice (Enhanced CT is not supported)");
  }
  const Uint16 samples = RequireUint16(header, header.samplesPerPixel, DCM_SamplesPerPixel);
  if (samples != 1 ||
      (header.photometric != "MONOCHROME1" && header.photometric != "MONOCHROME2")) {
    throw NotSupported(path + ": " + TagText(DCM_SamplesPerPixel) + " is " +
                       std::to_string(samples) + " and " + TagText(DCM_PhotometricInterpretation) +
                       " is '" + Excerpt(header.photometric) +
                       "'; expected a greyscale image (1 sample, MONOCHROME2 or MONOCHROME1)");
  }
  const Uint16 rows = RequireUint16(header, header.rows, DCM_Rows);
  const Uint16 columns = RequireUint16(header, header.columns, DCM_Columns);
  const Uint16 bits = RequireUint16(header, header.bitsAllocated, DCM_BitsAllocated);
  if (rows == 0 || columns == 0 || (bits != 8 && bits != 16 && bits != 32)) {
    throw DataFormat(path + ": Rows x Columns x BitsAllocated is " + std::to_string(rows) + " x " +
                     std::to_string(columns) + " x " + std::to_string(bits) +
                     "; expected a non-empty image of 8, 16 or 32 bit pixels");
  }
  if (!header.hasPixelData) {
    throw DataFormat(path + ": " + TagText(DCM_PixelData) +
                     " is missing; expected the image's pixel data (is the file truncated?)");
  }
  if (!header.encapsulated) {
    const std::uint64_t expected = std::uint64_t{rows} * columns * (bits / 8);
    if (header.pixelDataBytes < expected) {
      throw DataFormat(
          path + ": " + TagText(DCM_PixelData) + " holds " + std::to_string(header.pixelDataBytes) +
          " bytes; expected Rows x Columns x " + "BitsAllocated / 8 = " + std::to_string(rows) +
          " x " + std::to_string(columns) + " x " + std::to_string(bits) +
          " / 8 = " + std::to_string(expected) + " bytes (is the file truncated?)");
    }
  }
}

DicomStoredPixels DecodeChecked(const SliceHeader& header) {
  CheckImage(header);
  detail::DicomSliceValues slice = detail::ReadDicomSliceValues(header.path);
  if (slice.rows != *header.rows || slice.columns != *header.columns ||
      slice.storedValues.size() != slice.rows * slice.columns) {
    throw DataFormat(header.path.string() + ": the decoded pixel data are " +
                     std::to_string(slice.columns) + " x " + std::to_string(slice.rows) + " (" +
                     std::to_string(slice.storedValues.size()) + " values); expected Columns x " +
                     "Rows = " + std::to_string(*header.columns) + " x " +
                     std::to_string(*header.rows) + " (is the compressed pixel data truncated?)");
  }
  return DicomStoredPixels{slice.rows, slice.columns, std::move(slice.storedValues)};
}

// ---- Series geometry ----------------------------------------------------------------------------

struct SeriesGeometry {
  GridGeometry grid;
  std::vector<const SliceHeader*> orderedSlices;
};

std::string FileName(const SliceHeader* header) {
  return header->path.filename().string();
}

std::string VectorText(const Eigen::Vector3d& v) {
  return "(" + Number(v.x()) + ", " + Number(v.y()) + ", " + Number(v.z()) + ")";
}

SeriesGeometry GeometryOf(const fs::path& folder, const std::vector<const SliceHeader*>& files) {
  const SliceHeader& first = *files.front();
  const std::vector<double> orientation =
      RequireNumbers(first, first.imageOrientation, DCM_ImageOrientationPatient, 6);
  const std::vector<double> pixelSpacing =
      RequireNumbers(first, first.pixelSpacing, DCM_PixelSpacing, 2);
  for (const SliceHeader* file : files) {
    if (*file->rows != *first.rows || *file->columns != *first.columns) {
      throw InvalidInput(folder.string() + ": mixed image sizes in the series: " + FileName(file) +
                         " has Rows x Columns " + std::to_string(*file->rows) + " x " +
                         std::to_string(*file->columns) + ", " + FileName(&first) + " has " +
                         std::to_string(*first.rows) + " x " + std::to_string(*first.columns) +
                         "; expected one image size in a CT series");
    }
    const std::vector<double> spacing =
        RequireNumbers(*file, file->pixelSpacing, DCM_PixelSpacing, 2);
    if (std::abs(spacing[0] - pixelSpacing[0]) > kPixelSpacingToleranceMm ||
        std::abs(spacing[1] - pixelSpacing[1]) > kPixelSpacingToleranceMm) {
      throw InvalidInput(folder.string() +
                         ": mixed pixel spacings in the series: " + FileName(file) +
                         " has PixelSpacing (0028,0030) '" + Excerpt(file->pixelSpacing) + "', " +
                         FileName(&first) + " has '" + Excerpt(first.pixelSpacing) +
                         "'; expected one pixel spacing in a CT series");
    }
    const std::vector<double> cosines =
        RequireNumbers(*file, file->imageOrientation, DCM_ImageOrientationPatient, 6);
    for (std::size_t n = 0; n < 6; ++n) {
      if (std::abs(cosines[n] - orientation[n]) > kOrientationTolerance) {
        throw InvalidInput(
            folder.string() + ": mixed orientations in the series: " + FileName(file) +
            " has ImageOrientationPatient (0020,0037) '" + Excerpt(file->imageOrientation) + "', " +
            FileName(&first) + " has '" + Excerpt(first.imageOrientation) +
            "'; expected one orientation in a CT series");
      }
    }
  }
  if (!(pixelSpacing[0] > 0.0) || !(pixelSpacing[1] > 0.0)) {
    throw DataFormat(first.path.string() + ": " + TagText(DCM_PixelSpacing) + " is '" +
                     Excerpt(first.pixelSpacing) + "'; expected two positive spacings in mm");
  }

  Eigen::Vector3d row(orientation[0], orientation[1], orientation[2]);
  Eigen::Vector3d column(orientation[3], orientation[4], orientation[5]);
  if (std::abs(row.norm() - 1.0) > kOrthonormalityTolerance ||
      std::abs(column.norm() - 1.0) > kOrthonormalityTolerance ||
      std::abs(row.dot(column)) > kOrthonormalityTolerance) {
    throw DataFormat(first.path.string() + ": " + TagText(DCM_ImageOrientationPatient) + " is '" +
                     Excerpt(first.imageOrientation) +
                     "'; expected two perpendicular unit vectors (row and column cosines)");
  }
  row.normalize();
  column = (column - column.dot(row) * row).normalized();
  const Eigen::Vector3d normal = row.cross(column);

  std::vector<std::pair<double, const SliceHeader*>> keyed;
  std::map<const SliceHeader*, Eigen::Vector3d> positions;
  for (const SliceHeader* file : files) {
    const std::vector<double> p =
        RequireNumbers(*file, file->imagePosition, DCM_ImagePositionPatient, 3);
    positions[file] = Eigen::Vector3d(p[0], p[1], p[2]);
    keyed.emplace_back(positions[file].dot(normal), file);
  }
  std::sort(keyed.begin(), keyed.end(), [](const auto& a, const auto& b) {
    return a.first < b.first || (a.first == b.first && a.second->path < b.second->path);
  });
  SeriesGeometry geometry;
  for (const auto& entry : keyed) {
    geometry.orderedSlices.push_back(entry.second);
  }
  const std::size_t count = keyed.size();
  const Eigen::Vector3d origin = positions[keyed.front().second];

  double sliceSpacing = 0.0;
  if (count == 1) {
    sliceSpacing = OptionalNumber(first, first.sliceThickness, DCM_SliceThickness, 0.0);
    if (!(sliceSpacing > 0.0)) {
      sliceSpacing =
          OptionalNumber(first, first.spacingBetweenSlices, DCM_SpacingBetweenSlices, 0.0);
    }
    if (!(sliceSpacing > 0.0)) {
      sliceSpacing = 1.0;
      log::Warning(folder.string() + ": a single slice without SliceThickness: slice spacing set "
                                     "to 1 mm");
    }
  } else {
    std::vector<double> steps;
    for (std::size_t k = 0; k + 1 < count; ++k) {
      steps.push_back(keyed[k + 1].first - keyed[k].first);
    }
    // The lower median of the steps is the expected spacing: with one slice missing from a short
    // series (steps 2.5, 5) it is the regular step, not the gap.
    std::vector<double> sortedSteps = steps;
    const auto lowerMiddle =
        sortedSteps.begin() + static_cast<std::ptrdiff_t>((steps.size() - 1) / 2);
    std::nth_element(sortedSteps.begin(), lowerMiddle, sortedSteps.end());
    const double median = *lowerMiddle;
    const double tolerance = std::max(kRelativeSliceTolerance * median, kAbsoluteSliceToleranceMm);
    const std::string toleranceText = " (tolerance " + Number(tolerance) + " mm)";
    for (std::size_t k = 0; k < steps.size(); ++k) {
      const SliceHeader* a = keyed[k].second;
      const SliceHeader* b = keyed[k + 1].second;
      if (steps[k] <= tolerance) {
        throw InvalidInput(folder.string() + ": duplicate slice position: " + FileName(a) +
                           " and " + FileName(b) + " are both at " + Number(keyed[k].first) +
                           " mm along the slice normal (ImagePositionPatient " +
                           VectorText(positions[a]) + " and " + VectorText(positions[b]) + ")" +
                           toleranceText + "; expected one slice per position");
      }
      if (std::abs(steps[k] - median) > tolerance) {
        const bool missing = steps[k] > kMissingSliceStepRatio * median;
        throw InvalidInput(
            folder.string() + ": " + (missing ? "missing slice(s): " : "uneven slice spacing: ") +
            FileName(a) + " (at " + Number(keyed[k].first) + " mm) and " + FileName(b) + " (at " +
            Number(keyed[k + 1].first) + " mm) are " + Number(steps[k]) +
            " mm apart along the slice normal where the " + "slices are " + Number(median) +
            " mm apart" + toleranceText + "; expected a complete series at even spacing");
      }
    }
    sliceSpacing = (keyed.back().first - keyed.front().first) / static_cast<double>(count - 1);
    for (std::size_t k = 0; k < count; ++k) {
      const double along = keyed[k].first - keyed.front().first;
      const double offGrid = along - static_cast<double>(k) * sliceSpacing;
      if (std::abs(offGrid) > tolerance) {
        throw InvalidInput(folder.string() +
                           ": uneven slice spacing: " + FileName(keyed[k].second) + " is " +
                           Number(offGrid) + " mm away from an even grid of " +
                           Number(sliceSpacing) + " mm spacing from the first slice" +
                           toleranceText + "; expected slices at even spacing");
      }
      const Eigen::Vector3d offset = positions[keyed[k].second] - origin;
      const double lateral = (offset - offset.dot(normal) * normal).norm();
      if (lateral > tolerance) {
        const double angleDeg = std::atan2(lateral, std::abs(along)) * 180.0 / std::numbers::pi;
        throw NotSupported(
            folder.string() + ": gantry tilt: " + FileName(keyed[k].second) + " is shifted " +
            Number(lateral) + " mm across the slice plane from the first slice " +
            FileName(keyed.front().second) + " (the slices are stacked " + Number(angleDeg) +
            " deg off their normal " + VectorText(normal) + ")" + toleranceText +
            "; expected slices stacked along their normal (resample the tilted series first)");
      }
    }
  }

  Eigen::Matrix3d direction;
  direction.col(0) = row;
  direction.col(1) = column;
  direction.col(2) = normal;
  // PixelSpacing = row spacing (between rows, along j), column spacing (between columns, along i).
  const Eigen::Vector3d spacing(pixelSpacing[1], pixelSpacing[0], sliceSpacing);
  geometry.grid =
      GridGeometry(origin, spacing,
                   {static_cast<std::int64_t>(*first.columns),
                    static_cast<std::int64_t>(*first.rows), static_cast<std::int64_t>(count)},
                   direction);
  try {
    geometry.grid.Validate(folder.string());
  } catch (const InvalidInput& error) {
    throw DataFormat(error.what());
  }
  return geometry;
}

std::vector<const SliceHeader*> SelectSeries(const fs::path& folder,
                                             const std::vector<SliceHeader>& headers,
                                             const std::string& seriesUid) {
  if (headers.empty()) {
    throw InvalidInput(folder.string() +
                       ": the folder holds no DICOM files; expected the files of a CT series");
  }
  const auto groups = GroupBySeries(headers);
  if (seriesUid.empty()) {
    if (groups.size() > 1) {
      // Exports often put the RT Structure Set (and plan, dose) beside the CT slices: with exactly
      // one CT series among them there is nothing to choose.
      std::vector<std::string> ctSeries;
      for (const auto& [uid, files] : groups) {
        if (!files.empty() && files.front()->modality == "CT") {
          ctSeries.push_back(uid);
        }
      }
      if (ctSeries.size() == 1) {
        log::Info(folder.string() + ": taking the only CT series " + ctSeries.front() + " of " +
                  std::to_string(groups.size()) + " series in the folder");
        return groups.at(ctSeries.front());
      }
      throw InvalidInput(folder.string() + ": the folder holds " + std::to_string(groups.size()) +
                         " DICOM series: " + DescribeAll(InfosOf(headers)) +
                         "; pick one with --series UID");
    }
    return groups.begin()->second;
  }
  const auto found = groups.find(seriesUid);
  if (found == groups.end()) {
    throw InvalidInput(folder.string() + ": no series with SeriesInstanceUID " + seriesUid +
                       "; the folder holds: " + DescribeAll(InfosOf(headers)));
  }
  return found->second;
}

void CheckSeriesAttributes(const fs::path& folder, const std::vector<const SliceHeader*>& files) {
  for (const SliceHeader* file : files) {
    if (file->modality != "CT") {
      throw InvalidInput(folder.string() + ": series " + Excerpt(file->seriesInstanceUid) +
                         " has " + TagText(DCM_Modality) + " '" + Excerpt(file->modality) + "' (" +
                         FileName(file) + "); expected CT");
    }
  }
  for (const SliceHeader* file : files) {
    CheckImage(*file);
    const double tiltDeg = OptionalNumber(*file, file->gantryTilt, DCM_GantryDetectorTilt, 0.0);
    if (std::abs(tiltDeg) > kGantryTiltToleranceDeg) {
      throw NotSupported(file->path.string() + ": gantry tilt: " + TagText(DCM_GantryDetectorTilt) +
                         " is " + Excerpt(file->gantryTilt) +
                         " deg; expected 0 (resample the tilted series first)");
    }
  }
}

} // namespace

std::vector<DicomSeriesInfo> DicomCtSeries::Scan(const fs::path& folder) {
  return InfosOf(ReadFolder(folder));
}

DicomStoredPixels DicomCtSeries::ReadStoredPixels(const fs::path& file) {
  std::error_code error;
  if (!fs::is_regular_file(file, error)) {
    throw Io(file.string() + ": cannot read the DICOM file: it does not exist or is not a file");
  }
  return DecodeChecked(ReadHeader(file));
}

CtImage DicomCtSeries::Load(const fs::path& folder, const std::string& seriesUid) {
  const std::vector<SliceHeader> headers = ReadFolder(folder);
  const std::vector<const SliceHeader*> files = SelectSeries(folder, headers, seriesUid);
  CheckSeriesAttributes(folder, files);
  const SeriesGeometry geometry = GeometryOf(folder, files);

  const double voxels = static_cast<double>(geometry.grid.NumberOfVoxels());
  if (voxels > static_cast<double>(limits::kMaxVolumeVoxels)) {
    throw InvalidInput(
        folder.string() + ": the CT series is " + std::to_string(geometry.grid.Size()[0]) + " x " +
        std::to_string(geometry.grid.Size()[1]) + " x " + std::to_string(geometry.grid.Size()[2]) +
        " voxels (" + limits::DescribeBytes(static_cast<std::uint64_t>(voxels) * 2) +
        " as HU); expected at most " + std::to_string(limits::kMaxVolumeVoxels) + " voxels");
  }
  // Every slice's rescale is checked before the first is decoded: a bad slice is refused at once.
  for (const SliceHeader* header : geometry.orderedSlices) {
    DicomImageCheck::CheckCtRescale(header->path.string(), header->rescaleSlope,
                                    header->rescaleIntercept);
  }
  CtImage ct;
  ct.source = folder;
  ct.info = InfoOf(geometry.orderedSlices);
  ct.hu = Volume<short>(geometry.grid);
  const std::size_t sliceValues = static_cast<std::size_t>(*files.front()->rows) *
                                  static_cast<std::size_t>(*files.front()->columns);
  std::size_t clamped = 0;
  double lowest = 0.0;
  double highest = 0.0;
  for (std::size_t k = 0; k < geometry.orderedSlices.size(); ++k) {
    const SliceHeader& header = *geometry.orderedSlices[k];
    const CtRescale rescale = DicomImageCheck::CheckCtRescale(
        header.path.string(), header.rescaleSlope, header.rescaleIntercept);
    const double slope = rescale.slope;
    const double intercept = rescale.intercept;
    const DicomStoredPixels pixels = DecodeChecked(header);
    short* out = ct.hu.Data().data() + k * sliceValues;
    for (std::size_t n = 0; n < sliceValues; ++n) {
      const double hu = std::nearbyint(pixels.storedValues[n] * slope + intercept);
      constexpr double kMin = std::numeric_limits<short>::min();
      constexpr double kMax = std::numeric_limits<short>::max();
      if (hu < kMin || hu > kMax) {
        lowest = clamped == 0 ? hu : std::min(lowest, hu);
        highest = clamped == 0 ? hu : std::max(highest, hu);
        ++clamped;
      }
      out[n] = static_cast<short>(std::clamp(hu, kMin, kMax));
    }
  }
  if (clamped > 0) {
    log::Warning(folder.string() + ": " + std::to_string(clamped) +
                 " voxels have HU outside [-32768, 32767] (from " + Number(lowest) + " to " +
                 Number(highest) + ") and were clamped");
  }
  return ct;
}

} // namespace seedplan::imaging
