#include "seedplan/imaging/DicomCtWriter.h"

#include "seedplan/core/AtomicFileWriter.h"
#include "seedplan/core/Error.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcrleerg.h>
#include <dcmtk/dcmdata/dcrlerp.h>
#include <dcmtk/dcmdata/dcuid.h>
#include <dcmtk/dcmdata/dcxfer.h>
#include <dcmtk/dcmjpeg/djencode.h>
#include <dcmtk/dcmjpeg/djrplol.h>

#include <Eigen/Geometry>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <mutex>

namespace seedplan::imaging {

namespace {

namespace fs = std::filesystem;

// Stored = HU + 1024 fits 16 bit unsigned for every short HU >= -1024.
constexpr int kUnsignedIntercept = -1024;
constexpr std::size_t kMaxUidLength = 64;
constexpr std::size_t kMaxDecimalStringLength = 16;

void RegisterEncoders() {
  static std::once_flag once;
  std::call_once(once, [] {
    DJEncoderRegistration::registerCodecs();
    DcmRLEEncoderRegistration::registerCodecs();
  });
}

/// A DS value: the most significant digits (at most 12) that fit in 16 characters, no "-0".
std::string DecimalString(double value) {
  if (std::abs(value) < 1e-12) {
    value = 0.0;
  }
  char buffer[64];
  for (int digits = 12; digits > 1; --digits) {
    std::snprintf(buffer, sizeof(buffer), "%.*g", digits, value);
    if (std::string(buffer).size() <= kMaxDecimalStringLength) {
      break;
    }
  }
  return buffer;
}

std::string DecimalStrings(std::initializer_list<double> values) {
  std::string text;
  for (const double value : values) {
    if (!text.empty()) {
      text += '\\';
    }
    text += DecimalString(value);
  }
  return text;
}

std::string NewUid(const char* root) {
  char uid[100];
  dcmGenerateUniqueIdentifier(uid, root);
  return uid;
}

std::string UidOrNew(const std::string& given, const char* root, const char* field) {
  if (given.empty()) {
    return NewUid(root);
  }
  const bool valid = given.size() <= kMaxUidLength && given.front() != '.' && given.back() != '.' &&
                     given.find("..") == std::string::npos &&
                     std::all_of(given.begin(), given.end(),
                                 [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
  if (!valid) {
    throw InvalidInput(std::string("DICOM CT writer: ") + field + " is '" + given +
                       "'; expected a UID of digits and dots, at most 64 characters");
  }
  return given;
}

std::string Now(const char* format) {
  const std::time_t now = std::time(nullptr);
  std::tm local{};
  localtime_r(&now, &local);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), format, &local);
  return buffer;
}

bool IsAscii(const std::string& text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

void Put(DcmDataset& dataset, const DcmTagKey& tag, const std::string& value,
         const fs::path& file) {
  const OFCondition status = dataset.putAndInsertString(tag, value.c_str());
  if (status.bad()) {
    throw InvalidInput(file.string() + ": cannot set " + DcmTag(tag).getTagName() + " to '" +
                       value + "': " + status.text());
  }
}

E_TransferSyntax TransferSyntaxOf(DicomCtWriteOptions::Compression compression) {
  switch (compression) {
  case DicomCtWriteOptions::Compression::JpegLossless:
    return EXS_JPEGProcess14SV1;
  case DicomCtWriteOptions::Compression::Rle:
    return EXS_RLELossless;
  case DicomCtWriteOptions::Compression::None:
    break;
  }
  return EXS_LittleEndianExplicit;
}

void CheckInput(const fs::path& folder, const Volume<short>& hu,
                const DicomCtWriteOptions& options) {
  const GridGeometry& grid = hu.Geometry();
  grid.Validate(folder.string());
  if (hu.NumberOfVoxels() != grid.NumberOfVoxels()) {
    throw InvalidInput(folder.string() + ": the CT volume holds " +
                       std::to_string(hu.NumberOfVoxels()) + " values; expected " +
                       std::to_string(grid.NumberOfVoxels()) + " (" + grid.Describe() + ")");
  }
  if (grid.Size()[0] > 65535 || grid.Size()[1] > 65535) {
    throw InvalidInput(folder.string() + ": slices of " + std::to_string(grid.Size()[0]) + " x " +
                       std::to_string(grid.Size()[1]) +
                       " voxels; expected at most 65535 rows and columns (DICOM US)");
  }
  static constexpr std::array<const char*, 8> kPositions = {"HFS",  "FFS",  "HFP",  "FFP",
                                                            "HFDR", "HFDL", "FFDR", "FFDL"};
  if (std::find(kPositions.begin(), kPositions.end(), options.patientPosition) ==
      kPositions.end()) {
    throw InvalidInput(folder.string() + ": patient position '" + options.patientPosition +
                       "'; expected HFS, FFS, HFP, FFP, HFDR, HFDL, FFDR or FFDL");
  }
}

} // namespace

DicomSeriesInfo DicomCtWriter::Write(const fs::path& folder, const Volume<short>& hu,
                                     const DicomCtWriteOptions& options) {
  CheckInput(folder, hu, options);
  std::error_code error;
  fs::create_directories(folder, error);
  if (error || !fs::is_directory(folder)) {
    throw Io(folder.string() + ": cannot create the folder for the DICOM series" +
             (error ? ": " + error.message() : std::string()));
  }
  const E_TransferSyntax transferSyntax = TransferSyntaxOf(options.compression);
  if (options.compression != DicomCtWriteOptions::Compression::None) {
    RegisterEncoders();
  }

  DicomSeriesInfo info;
  info.studyInstanceUid =
      UidOrNew(options.studyInstanceUid, SITE_STUDY_UID_ROOT, "StudyInstanceUID");
  info.seriesInstanceUid =
      UidOrNew(options.seriesInstanceUid, SITE_SERIES_UID_ROOT, "SeriesInstanceUID");
  info.frameOfReferenceUid =
      UidOrNew(options.frameOfReferenceUid, SITE_INSTANCE_UID_ROOT, "FrameOfReferenceUID");
  info.modality = "CT";
  info.patientPosition = options.patientPosition;
  info.patientId = options.patientId;
  info.seriesDescription = options.seriesDescription;
  info.seriesNumber = std::to_string(options.seriesNumber);
  info.transferSyntax = DcmXfer(transferSyntax).getXferName();

  const GridGeometry& grid = hu.Geometry();
  const auto columns = static_cast<Uint16>(grid.Size()[0]);
  const auto rows = static_cast<Uint16>(grid.Size()[1]);
  const std::int64_t slices = grid.Size()[2];
  const bool unsignedPixels =
      hu.Data().empty() ||
      *std::min_element(hu.Data().begin(), hu.Data().end()) >= kUnsignedIntercept;
  const int intercept = unsignedPixels ? kUnsignedIntercept : 0;

  const Eigen::Vector3d rowCosine = grid.Direction().col(0);
  const Eigen::Vector3d columnCosine = grid.Direction().col(1);
  const Eigen::Vector3d sliceAxis = grid.Direction().col(2);
  const Eigen::Vector3d normal = rowCosine.cross(columnCosine);
  const std::string orientation =
      DecimalStrings({rowCosine.x(), rowCosine.y(), rowCosine.z(), columnCosine.x(),
                      columnCosine.y(), columnCosine.z()});
  const std::string pixelSpacing = DecimalStrings({grid.SpacingMm()[1], grid.SpacingMm()[0]});
  const std::string date = Now("%Y%m%d");
  const std::string time = Now("%H%M%S");
  const bool ascii = IsAscii(options.patientName) && IsAscii(options.patientId) &&
                     IsAscii(options.seriesDescription);
  const std::size_t sliceValues = static_cast<std::size_t>(rows) * columns;
  const std::size_t digits = std::max<std::size_t>(4, std::to_string(slices).size());

  for (std::int64_t k = 0; k < slices; ++k) {
    std::string number = std::to_string(k + 1);
    number.insert(0, digits - number.size(), '0');
    const fs::path target = folder / ("CT_" + number + ".dcm");
    const std::string sopInstanceUid = NewUid(SITE_INSTANCE_UID_ROOT);
    const Eigen::Vector3d position =
        grid.OriginMm() + static_cast<double>(k) * grid.SpacingMm()[2] * sliceAxis;

    DcmFileFormat file;
    DcmDataset& d = *file.getDataset();
    // SOP Common
    if (!ascii) {
      Put(d, DCM_SpecificCharacterSet, "ISO_IR 192", target);
    }
    Put(d, DCM_SOPClassUID, UID_CTImageStorage, target);
    Put(d, DCM_SOPInstanceUID, sopInstanceUid, target);
    Put(d, DCM_InstanceCreationDate, date, target);
    Put(d, DCM_InstanceCreationTime, time, target);
    // Patient
    Put(d, DCM_PatientName, options.patientName, target);
    Put(d, DCM_PatientID, options.patientId, target);
    Put(d, DCM_PatientBirthDate, "", target);
    Put(d, DCM_PatientSex, "", target);
    // General Study
    Put(d, DCM_StudyInstanceUID, info.studyInstanceUid, target);
    Put(d, DCM_StudyDate, date, target);
    Put(d, DCM_StudyTime, time, target);
    Put(d, DCM_ReferringPhysicianName, "", target);
    Put(d, DCM_StudyID, "1", target);
    Put(d, DCM_AccessionNumber, "", target);
    // General Series
    Put(d, DCM_Modality, "CT", target);
    Put(d, DCM_SeriesInstanceUID, info.seriesInstanceUid, target);
    Put(d, DCM_SeriesNumber, info.seriesNumber, target);
    Put(d, DCM_SeriesDate, date, target);
    Put(d, DCM_SeriesTime, time, target);
    if (!options.seriesDescription.empty()) {
      Put(d, DCM_SeriesDescription, options.seriesDescription, target);
    }
    Put(d, DCM_PatientPosition, options.patientPosition, target);
    if (!options.bodyPartExamined.empty()) {
      Put(d, DCM_BodyPartExamined, options.bodyPartExamined, target);
    }
    // Frame of Reference
    Put(d, DCM_FrameOfReferenceUID, info.frameOfReferenceUid, target);
    Put(d, DCM_PositionReferenceIndicator, "", target);
    // General Equipment
    Put(d, DCM_Manufacturer, "seedplan", target);
    Put(d, DCM_ManufacturerModelName, "seedplan DicomCtWriter", target);
    // General Image and CT Image
    Put(d, DCM_InstanceNumber, std::to_string(k + 1), target);
    Put(d, DCM_ContentDate, date, target);
    Put(d, DCM_ContentTime, time, target);
    Put(d, DCM_ImageType, "DERIVED\\SECONDARY\\AXIAL", target);
    Put(d, DCM_AcquisitionNumber, "1", target);
    Put(d, DCM_KVP, "120", target);
    Put(d, DCM_GantryDetectorTilt, "0", target);
    Put(d, DCM_RescaleIntercept, std::to_string(intercept), target);
    Put(d, DCM_RescaleSlope, "1", target);
    Put(d, DCM_RescaleType, "HU", target);
    Put(d, DCM_WindowCenter, "40", target);
    Put(d, DCM_WindowWidth, "400", target);
    // Image Plane
    Put(d, DCM_PixelSpacing, pixelSpacing, target);
    Put(d, DCM_ImageOrientationPatient, orientation, target);
    Put(d, DCM_ImagePositionPatient, DecimalStrings({position.x(), position.y(), position.z()}),
        target);
    Put(d, DCM_SliceThickness, DecimalString(grid.SpacingMm()[2]), target);
    Put(d, DCM_SliceLocation, DecimalString(position.dot(normal)), target);
    // Image Pixel
    d.putAndInsertUint16(DCM_SamplesPerPixel, 1);
    Put(d, DCM_PhotometricInterpretation, "MONOCHROME2", target);
    d.putAndInsertUint16(DCM_Rows, rows);
    d.putAndInsertUint16(DCM_Columns, columns);
    d.putAndInsertUint16(DCM_BitsAllocated, 16);
    d.putAndInsertUint16(DCM_BitsStored, 16);
    d.putAndInsertUint16(DCM_HighBit, 15);
    d.putAndInsertUint16(DCM_PixelRepresentation, unsignedPixels ? 0 : 1);
    std::vector<Uint16> stored(sliceValues);
    const short* values = hu.Data().data() + static_cast<std::size_t>(k) * sliceValues;
    for (std::size_t n = 0; n < sliceValues; ++n) {
      // Two's complement bit pattern for signed pixels, HU - intercept for unsigned ones.
      stored[n] = static_cast<Uint16>(static_cast<int>(values[n]) - intercept);
    }
    OFCondition status = d.putAndInsertUint16Array(DCM_PixelData, stored.data(),
                                                   static_cast<unsigned long>(sliceValues));
    if (status.bad()) {
      throw Io(target.string() + ": cannot set the pixel data: " + status.text());
    }

    if (transferSyntax != EXS_LittleEndianExplicit) {
      const DJ_RPLossless jpegParameters; // selection value 1, point transform 0: process 14 SV1
      const DcmRLERepresentationParameter rleParameters;
      const DcmRepresentationParameter* parameters =
          transferSyntax == EXS_RLELossless
              ? static_cast<const DcmRepresentationParameter*>(&rleParameters)
              : &jpegParameters;
      status = d.chooseRepresentation(transferSyntax, parameters);
      if (status.bad() || !d.canWriteXfer(transferSyntax)) {
        throw NotSupported(target.string() + ": DCMTK cannot encode the slice as " +
                           info.transferSyntax + ": " + status.text());
      }
    }

    AtomicFileWriter writer(target);
    status = file.saveFile(writer.TemporaryPath().c_str(), transferSyntax);
    if (status.bad()) {
      throw Io(target.string() + ": cannot write the DICOM file: " + status.text());
    }
    writer.Commit();
    info.sopInstanceUids.push_back(sopInstanceUid);
  }
  info.fileCount = info.sopInstanceUids.size();
  return info;
}

} // namespace seedplan::imaging
