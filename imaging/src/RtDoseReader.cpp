#include "seedplan/imaging/RtDoseReader.h"

#include "DicomFileLoader.h"
#include "DicomItemReader.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/Log.h"
#include "seedplan/core/TextParsing.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <Eigen/Geometry>

#include <cmath>

namespace seedplan::imaging {

namespace {

/// Row and column cosines must be unit and orthogonal within this (DS rounding of real files).
constexpr double kOrientationTolerance = 1e-3;
/// Frames are evenly spaced when every offset is within max(1 % of the step, 0.02 mm) of the
/// even grid: the CT reader's tolerance (DicomCtSeries).
constexpr double kSpacingToleranceFraction = 0.01;
constexpr double kSpacingToleranceMm = 0.02;
constexpr double kMaxCoordinateMm = 10000.0;
constexpr double kMaxSpacingMm = 1000.0;

class DoseReader {
public:
  explicit DoseReader(std::string file) : m_File(std::move(file)) {}

  RtDoseGrid Read(DcmDataset& data) {
    const DicomItemReader root(data, m_File);
    const std::string sopClass = root.String(DCM_SOPClassUID).value_or("");
    if (sopClass != UID_RTDoseStorage) {
      throw DataFormat(m_File + ": SOP Class UID (0008,0016) is '" + sopClass + "', Modality '" +
                       root.String(DCM_Modality).value_or("") + "'; expected an RT Dose (" +
                       UID_RTDoseStorage + ", RTDOSE)");
    }
    RtDoseGrid dose;
    dose.sopInstanceUid = root.String(DCM_SOPInstanceUID).value_or("");
    dose.frameOfReferenceUid = root.String(DCM_FrameOfReferenceUID).value_or("");
    dose.studyInstanceUid = root.String(DCM_StudyInstanceUID).value_or("");
    dose.patientId = root.String(DCM_PatientID).value_or("");
    dose.doseUnits = root.RequireString(DCM_DoseUnits);
    dose.doseType = root.RequireString(DCM_DoseType);
    dose.summationType = root.RequireString(DCM_DoseSummationType);
    dose.heterogeneityCorrection = root.String(DCM_TissueHeterogeneityCorrection).value_or("");
    dose.comment = root.String(DCM_DoseComment).value_or("");
    for (const DicomItemReader& item : root.Items(DCM_ReferencedRTPlanSequence)) {
      dose.referencedPlanUid = item.String(DCM_ReferencedSOPInstanceUID).value_or("");
    }
    for (const DicomItemReader& item : root.Items(DCM_ReferencedStructureSetSequence)) {
      dose.referencedStructureSetUid = item.String(DCM_ReferencedSOPInstanceUID).value_or("");
    }
    ReadGrid(root, dose);
    ReadDvhs(root, dose);
    return dose;
  }

private:
  unsigned RequireUnsignedShort(const DicomItemReader& root, const DcmTagKey& tag) const {
    const std::optional<unsigned> value = root.UnsignedShort(tag);
    if (!value) {
      root.Refuse(tag, "is missing; expected a value");
    }
    return *value;
  }

  void ReadGrid(const DicomItemReader& root, RtDoseGrid& dose) const {
    if (!root.Has(DCM_PixelData)) {
      throw NotSupported(m_File + ": no Pixel Data (7FE0,0010): a dose of points or isodose "
                                  "curves only; expected a dose grid");
    }
    const unsigned rows = RequireUnsignedShort(root, DCM_Rows);
    const unsigned columns = RequireUnsignedShort(root, DCM_Columns);
    const long frames = root.Integer(DCM_NumberOfFrames, 1, 1000000).value_or(1);
    if (rows == 0 || columns == 0) {
      root.Refuse(rows == 0 ? DCM_Rows : DCM_Columns, "is 0; expected at least one");
    }
    const std::int64_t voxels = std::int64_t(rows) * columns * frames;
    if (voxels > RtDoseReader::kMaxVoxels) {
      throw DataFormat(m_File + ": " + std::to_string(columns) + " x " + std::to_string(rows) +
                       " x " + std::to_string(frames) + " = " + std::to_string(voxels) +
                       " voxels (" + std::to_string(voxels * 4 / 1000000) +
                       " MB as float); expected at most " +
                       std::to_string(RtDoseReader::kMaxVoxels));
    }
    if (const auto samples = root.UnsignedShort(DCM_SamplesPerPixel); samples && *samples != 1) {
      root.Refuse(DCM_SamplesPerPixel, "is " + std::to_string(*samples) + "; expected 1");
    }
    const unsigned bits = RequireUnsignedShort(root, DCM_BitsAllocated);
    if (bits != 16 && bits != 32) {
      root.Refuse(DCM_BitsAllocated, "is " + std::to_string(bits) + "; expected 16 or 32");
    }
    const unsigned stored = root.UnsignedShort(DCM_BitsStored).value_or(bits);
    if (stored != bits) {
      root.Refuse(DCM_BitsStored, "is " + std::to_string(stored) + "; expected " +
                                      std::to_string(bits) + " (= Bits Allocated)");
    }
    const unsigned representation = root.UnsignedShort(DCM_PixelRepresentation).value_or(0);
    if (representation > 1) {
      root.Refuse(DCM_PixelRepresentation,
                  "is " + std::to_string(representation) + "; expected 0 or 1");
    }
    dose.bitsAllocated = static_cast<int>(bits);
    dose.doseGridScaling = root.RequireNumber(DCM_DoseGridScaling, 1e-300, 1e30,
                                              "a positive scaling (Gy per stored value)");
    if (!(dose.doseGridScaling > 0.0)) {
      root.Refuse(DCM_DoseGridScaling, "is not positive");
    }

    const std::vector<double> position = root.Numbers(DCM_ImagePositionPatient, 3);
    const std::vector<double> orientation = root.Numbers(DCM_ImageOrientationPatient, 6);
    const std::vector<double> spacing = root.Numbers(DCM_PixelSpacing, 2);
    if (position.empty() || orientation.empty() || spacing.empty()) {
      const DcmTagKey missing = position.empty()      ? DCM_ImagePositionPatient
                                : orientation.empty() ? DCM_ImageOrientationPatient
                                                      : DCM_PixelSpacing;
      root.Refuse(missing, "is missing; expected the dose grid's geometry");
    }
    for (const double value : position) {
      if (std::abs(value) > kMaxCoordinateMm) {
        root.Refuse(DCM_ImagePositionPatient,
                    "is " + FormatNumber(value) + " mm; expected a position within ±10 m");
      }
    }
    for (const double value : spacing) {
      if (!(value > 0.0) || value > kMaxSpacingMm) {
        root.Refuse(DCM_PixelSpacing,
                    "is " + FormatNumber(value) + " mm; expected a spacing > 0 and at most 1 m");
      }
    }
    const Eigen::Vector3d row(orientation[0], orientation[1], orientation[2]);
    const Eigen::Vector3d column(orientation[3], orientation[4], orientation[5]);
    if (std::abs(row.norm() - 1.0) > kOrientationTolerance ||
        std::abs(column.norm() - 1.0) > kOrientationTolerance ||
        std::abs(row.dot(column)) > kOrientationTolerance) {
      root.Refuse(DCM_ImageOrientationPatient,
                  "is not two orthogonal unit vectors; expected row and column cosines");
    }
    const Eigen::Vector3d rowUnit = row.normalized();
    const Eigen::Vector3d columnUnit = (column - column.dot(rowUnit) * rowUnit).normalized();
    const Eigen::Vector3d normal = rowUnit.cross(columnUnit);
    const Eigen::Vector3d first(position[0], position[1], position[2]);

    double stepMm = 0.0;
    if (frames > 1) {
      std::vector<double> offsets = root.Numbers(DCM_GridFrameOffsetVector);
      if (offsets.size() != static_cast<std::size_t>(frames)) {
        root.Refuse(DCM_GridFrameOffsetVector, "has " + std::to_string(offsets.size()) +
                                                   " values; expected one per frame (" +
                                                   std::to_string(frames) + ")");
      }
      if (offsets[0] != 0.0) {
        // The older absolute form: z coordinates of axial frames.
        if (std::abs(std::abs(normal.z()) - 1.0) > kOrientationTolerance ||
            std::abs(offsets[0] - first.z()) > kSpacingToleranceMm) {
          root.Refuse(DCM_GridFrameOffsetVector,
                      "starts at " + FormatNumber(offsets[0]) +
                          "; expected 0 (relative offsets) or, for axial frames, the first "
                          "frame's z (" +
                          FormatNumber(first.z()) + ")");
        }
        for (double& offset : offsets) {
          offset = (offset - first.z()) * normal.z();
        }
      }
      stepMm = (offsets.back() - offsets.front()) / static_cast<double>(frames - 1);
      if (!(std::abs(stepMm) > 0.0) || std::abs(stepMm) > kMaxSpacingMm) {
        root.Refuse(DCM_GridFrameOffsetVector,
                    "gives a frame step of " + FormatNumber(stepMm) +
                        " mm; expected distinct frames at most 1 m apart");
      }
      const double tolerance =
          std::max(kSpacingToleranceFraction * std::abs(stepMm), kSpacingToleranceMm);
      for (long k = 0; k < frames; ++k) {
        const double expected = static_cast<double>(k) * stepMm;
        if (std::abs(offsets[static_cast<std::size_t>(k)] - expected) > tolerance) {
          root.Refuse(DCM_GridFrameOffsetVector,
                      "value " + std::to_string(k + 1) + " is " +
                          FormatNumber(offsets[static_cast<std::size_t>(k)]) + " mm; expected " +
                          FormatNumber(expected) + " ± " + FormatNumber(tolerance) +
                          " mm (evenly spaced frames)");
        }
      }
    } else {
      stepMm =
          root.Number(DCM_SliceThickness, 0.0, kMaxSpacingMm, "a thickness in mm").value_or(0.0);
      if (!(stepMm > 0.0)) {
        stepMm = 1.0; // one frame: the thickness is not used by any dose lookup in the plane
      }
    }
    if (const auto pointer = FrameIncrementPointer(root);
        frames > 1 && pointer && *pointer != DCM_GridFrameOffsetVector) {
      log::Warning(m_File + ": Frame Increment Pointer (0028,0009) does not point to Grid Frame "
                            "Offset Vector (3004,000C); the offsets are read from it anyway");
    }

    Eigen::Matrix3d direction;
    direction.col(0) = rowUnit;
    direction.col(1) = columnUnit;
    direction.col(2) = stepMm >= 0.0 ? normal : Eigen::Vector3d(-normal);
    const GridGeometry grid(first, Eigen::Vector3d(spacing[1], spacing[0], std::abs(stepMm)),
                            {static_cast<std::int64_t>(columns), static_cast<std::int64_t>(rows),
                             static_cast<std::int64_t>(frames)},
                            direction);
    grid.Validate(m_File + ": dose grid");

    DcmElement* pixelElement = nullptr;
    root.Item().findAndGetElement(DCM_PixelData, pixelElement, OFFalse);
    const std::size_t bytes = static_cast<std::size_t>(voxels) * (bits / 8);
    if (pixelElement == nullptr || pixelElement->getLength() != bytes) {
      throw DataFormat(m_File + ": Pixel Data (7FE0,0010) has " +
                       std::to_string(pixelElement ? pixelElement->getLength() : 0) +
                       " bytes; expected " + std::to_string(bytes) + " (" +
                       std::to_string(columns) + " x " + std::to_string(rows) + " x " +
                       std::to_string(frames) + " x " + std::to_string(bits / 8) + ")");
    }
    Uint16* words = nullptr;
    const OFCondition status = pixelElement->getUint16Array(words);
    if (status.bad() || words == nullptr) {
      throw DataFormat(m_File + ": Pixel Data (7FE0,0010) cannot be read (DCMTK: " + status.text() +
                       ")");
    }
    dose.dose = Volume<float>(grid, 0.0f);
    std::vector<float>& values = dose.dose.Data();
    const bool signedValues = representation == 1;
    for (std::size_t n = 0; n < values.size(); ++n) {
      double storedValue = 0.0;
      if (bits == 32) {
        const std::uint32_t word = static_cast<std::uint32_t>(words[2 * n]) |
                                   (static_cast<std::uint32_t>(words[2 * n + 1]) << 16);
        storedValue = signedValues ? static_cast<double>(static_cast<std::int32_t>(word))
                                   : static_cast<double>(word);
      } else {
        storedValue = signedValues ? static_cast<double>(static_cast<std::int16_t>(words[n]))
                                   : static_cast<double>(words[n]);
      }
      values[n] = static_cast<float>(storedValue * dose.doseGridScaling);
    }
  }

  static std::optional<DcmTagKey> FrameIncrementPointer(const DicomItemReader& root) {
    DcmElement* element = nullptr;
    if (root.Item().findAndGetElement(DCM_FrameIncrementPointer, element, OFFalse).bad() ||
        element == nullptr || element->ident() != EVR_AT) {
      return std::nullopt;
    }
    DcmTagKey key;
    if (element->getTagVal(key, 0).bad()) {
      return std::nullopt;
    }
    return key;
  }

  void ReadDvhs(const DicomItemReader& root, RtDoseGrid& dose) const {
    for (const DicomItemReader& item : root.Items(DCM_DVHSequence)) {
      RtDvh dvh;
      for (const DicomItemReader& roi : item.Items(DCM_DVHReferencedROISequence)) {
        dvh.roiNumber = static_cast<int>(roi.RequireInteger(DCM_ReferencedROINumber, 0, 1000000));
      }
      dvh.type = item.RequireString(DCM_DVHType);
      dvh.doseUnits = item.RequireString(DCM_DoseUnits);
      dvh.doseType = item.String(DCM_DoseType).value_or("");
      dvh.volumeUnits = item.RequireString(DCM_DVHVolumeUnits);
      dvh.doseScaling = item.RequireNumber(DCM_DVHDoseScaling, 1e-30, 1e30, "a scaling > 0");
      const long bins = item.RequireInteger(DCM_DVHNumberOfBins, 1, 10000000);
      const std::vector<double> data = item.Numbers(DCM_DVHData);
      if (data.size() != static_cast<std::size_t>(2 * bins)) {
        item.Refuse(DCM_DVHData, "has " + std::to_string(data.size()) + " values; expected " +
                                     std::to_string(2 * bins) + " (two per bin)");
      }
      for (long n = 0; n < bins; ++n) {
        dvh.binWidths.push_back(data[static_cast<std::size_t>(2 * n)]);
        dvh.volumes.push_back(data[static_cast<std::size_t>(2 * n + 1)]);
      }
      dvh.minimumGy = item.Number(DCM_DVHMinimumDose, -1e30, 1e30, "a dose");
      dvh.maximumGy = item.Number(DCM_DVHMaximumDose, -1e30, 1e30, "a dose");
      dvh.meanGy = item.Number(DCM_DVHMeanDose, -1e30, 1e30, "a dose");
      dose.dvhs.push_back(std::move(dvh));
    }
  }

  std::string m_File;
};

} // namespace

RtDoseGrid RtDoseReader::Read(const std::filesystem::path& file) {
  DcmFileFormat fileFormat;
  DicomFileLoader::Load(file, fileFormat, DicomFileCheck::RtObject(kMaxFileBytes));
  DoseReader reader(file.string());
  return reader.Read(*fileFormat.getDataset());
}

} // namespace seedplan::imaging
