#include "seedplan/imaging/RtDoseWriter.h"

#include "DicomItemWriter.h"
#include "RtHeaderWriter.h"
#include "seedplan/core/AtomicFileWriter.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace seedplan::imaging {

namespace {

/// Finest DVH bin: 1 cGy, finer than any dose a physicist reads from a DVH.
constexpr double kFinestBinGy = 0.01;
/// Significant digits of a DVH volume: 1 part in 10^6 of the volume.
constexpr int kVolumeDigits = 6;
/// A grid axis counts as the image normal (or its opposite) when their dot product is within this
/// of ±1: GridGeometry::Validate already asks for an orthonormal direction.
constexpr double kAxisTolerance = 1e-6;

std::string VolumeText(double volumeCc) {
  if (!(volumeCc > 0.0)) {
    return "0";
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.*g", kVolumeDigits, volumeCc);
  return buffer;
}

} // namespace

RtDvhInput
RtDoseWriter::BinCumulativeDvh(int roiNumber, double volumeCc, double minimumGy, double maximumGy,
                               double meanGy,
                               const std::function<double(double doseGy)>& volumeCcAtLeast) {
  if (!(maximumGy >= 0.0) || !std::isfinite(maximumGy)) {
    throw InvalidInput("DVH of ROI " + std::to_string(roiNumber) + ": maximum dose " +
                       FormatNumber(maximumGy) + " Gy; expected a finite dose >= 0");
  }
  RtDvhInput dvh;
  dvh.roiNumber = roiNumber;
  dvh.volumeCc = volumeCc;
  dvh.minimumGy = minimumGy;
  dvh.maximumGy = maximumGy;
  dvh.meanGy = meanGy;
  for (double decade = kFinestBinGy;; decade *= 10.0) {
    for (const double factor : {1.0, 2.0, 5.0}) {
      const double width = decade * factor;
      const double bins = std::floor(maximumGy / width) + 1.0;
      // Each pair takes at least 4 bytes ("w\v\"): a bin count beyond that cannot fit.
      if (bins * 4.0 > static_cast<double>(kMaxDvhDataBytes)) {
        continue;
      }
      const std::size_t widthBytes = DicomItemWriter::FormatDecimal(width).size();
      std::size_t bytes = 0;
      std::vector<double> volumes;
      volumes.reserve(static_cast<std::size_t>(bins));
      for (std::size_t n = 0; n < static_cast<std::size_t>(bins) && bytes <= kMaxDvhDataBytes;
           ++n) {
        const double volume = volumeCcAtLeast(static_cast<double>(n) * width);
        if (!std::isfinite(volume)) {
          throw InvalidInput("DVH of ROI " + std::to_string(roiNumber) +
                             ": a volume is not finite");
        }
        volumes.push_back(volume);
        bytes += (n == 0 ? 0 : 1) + widthBytes + 1 + VolumeText(volume).size();
      }
      if (bytes <= kMaxDvhDataBytes) {
        dvh.binWidthGy = width;
        dvh.volumesCc = std::move(volumes);
        return dvh;
      }
    }
  }
}

std::string RtDoseWriter::DvhData(const RtDvhInput& dvh) {
  const std::string widthText = DicomItemWriter::FormatDecimal(dvh.binWidthGy);
  std::string text;
  for (const double volume : dvh.volumesCc) {
    if (!text.empty()) {
      text += '\\';
    }
    text += widthText;
    text += '\\';
    text += VolumeText(volume);
  }
  return text;
}

std::string RtDoseWriter::Write(const std::filesystem::path& file, const Volume<float>& doseGy,
                                const RtDoseWriteOptions& options, const RtInstanceHeader& header) {
  const std::string where = file.string();
  const GridGeometry& grid = doseGy.Geometry();
  grid.Validate(where + ": dose grid");
  if (doseGy.NumberOfVoxels() != grid.NumberOfVoxels()) {
    throw InvalidInput(where + ": the dose holds " + std::to_string(doseGy.NumberOfVoxels()) +
                       " values; expected " + std::to_string(grid.NumberOfVoxels()));
  }
  if (grid.Size()[0] > 65535 || grid.Size()[1] > 65535 || grid.Size()[2] > 2147483647) {
    throw InvalidInput(where + ": dose grid " + grid.Describe() +
                       "; expected at most 65535 rows and columns");
  }
  if (options.bitsAllocated != 0 && options.bitsAllocated != 16 && options.bitsAllocated != 32) {
    throw InvalidInput(where + ": " + std::to_string(options.bitsAllocated) +
                       " bits per dose value; expected 16, 32 or 0 (automatic)");
  }
  for (const auto* uid : {&options.referencedPlanUid, &options.referencedStructureSetUid}) {
    if (!DicomItemWriter::IsValidUid(*uid)) {
      throw InvalidInput(where + ": referenced UID '" + *uid + "'; expected a valid UID");
    }
  }
  double maximumGy = 0.0;
  for (const float value : doseGy.Data()) {
    if (!(value >= 0.0f) || !std::isfinite(value)) {
      throw InvalidInput(where + ": a dose value is " + FormatNumber(value) +
                         "; expected finite doses >= 0 Gy");
    }
    maximumGy = std::max(maximumGy, static_cast<double>(value));
  }

  // The grid's k axis along or against the image normal (row x column cosine).
  const Eigen::Vector3d row = grid.Direction().col(0);
  const Eigen::Vector3d column = grid.Direction().col(1);
  const Eigen::Vector3d normal = row.cross(column);
  const double alongNormal = grid.Direction().col(2).dot(normal);
  if (std::abs(std::abs(alongNormal) - 1.0) > kAxisTolerance) {
    throw InvalidInput(where + ": the dose grid's third axis is not perpendicular to its rows and "
                               "columns; expected an orthonormal grid");
  }
  const bool reversed = alongNormal < 0.0;
  const std::int64_t frames = grid.Size()[2];
  const double sliceMm = grid.SpacingMm()[2];
  const Eigen::Vector3d firstPosition =
      reversed ? grid.IndexToPoint(0, 0, static_cast<double>(frames - 1)) : grid.OriginMm();

  DcmFileFormat fileFormat;
  DicomItemWriter data(*fileFormat.getDataset(), where);
  const RtWrittenIdentity identity =
      RtHeaderWriter::Write(data, header, "RTDOSE", UID_RTDoseStorage, true, {options.comment});

  // General Image, Image Plane, Multi-frame
  data.Put(DCM_InstanceNumber, "1");
  data.Put(DCM_ContentDate, DicomItemWriter::Today());
  data.Put(DCM_ContentTime, DicomItemWriter::NowTime());
  data.PutDecimals(DCM_ImagePositionPatient,
                   {firstPosition.x(), firstPosition.y(), firstPosition.z()});
  data.PutDecimals(DCM_ImageOrientationPatient,
                   {row.x(), row.y(), row.z(), column.x(), column.y(), column.z()});
  data.PutDecimals(DCM_PixelSpacing, {grid.SpacingMm()[1], grid.SpacingMm()[0]});
  data.PutDecimal(DCM_SliceThickness, sliceMm);
  data.PutInteger(DCM_NumberOfFrames, static_cast<long>(frames));
  const OFCondition pointer =
      data.Item().putAndInsertTagKey(DCM_FrameIncrementPointer, DCM_GridFrameOffsetVector);
  if (pointer.bad()) {
    throw InvalidInput(where + ": cannot store Frame Increment Pointer (0028,0009)");
  }
  std::vector<double> offsets(static_cast<std::size_t>(frames));
  for (std::int64_t k = 0; k < frames; ++k) {
    offsets[static_cast<std::size_t>(k)] = static_cast<double>(k) * sliceMm;
  }
  data.PutDecimals(DCM_GridFrameOffsetVector, offsets);

  // Image Pixel and RT Dose
  const bool sixteenEnough = 0.5 * maximumGy / 65534.0 <= kSixteenBitHalfStepGy;
  const int bits = options.bitsAllocated != 0 ? options.bitsAllocated : sixteenEnough ? 16 : 32;
  const double largestStored = std::ldexp(1.0, bits) - 1.0;
  // One step of headroom so that the DS text of the scaling, read back, cannot push the maximum
  // above the largest stored value.
  const double wantedScaling = maximumGy > 0.0 ? maximumGy / (largestStored - 1.0) : 1.0;
  const std::string scalingText = DicomItemWriter::FormatDecimal(wantedScaling);
  const double scaling = std::strtod(scalingText.c_str(), nullptr);
  data.PutUnsignedShort(DCM_SamplesPerPixel, 1);
  data.Put(DCM_PhotometricInterpretation, "MONOCHROME2");
  data.PutUnsignedShort(DCM_Rows, static_cast<unsigned>(grid.Size()[1]));
  data.PutUnsignedShort(DCM_Columns, static_cast<unsigned>(grid.Size()[0]));
  data.PutUnsignedShort(DCM_BitsAllocated, static_cast<unsigned>(bits));
  data.PutUnsignedShort(DCM_BitsStored, static_cast<unsigned>(bits));
  data.PutUnsignedShort(DCM_HighBit, static_cast<unsigned>(bits - 1));
  data.PutUnsignedShort(DCM_PixelRepresentation, 0);
  data.Put(DCM_DoseUnits, "GY");
  data.Put(DCM_DoseType, "PHYSICAL");
  if (!options.comment.empty()) {
    data.Put(DCM_DoseComment, options.comment.substr(0, 64));
  }
  data.Put(DCM_DoseSummationType, "PLAN");
  data.Put(DCM_DoseGridScaling, scalingText);
  data.Put(DCM_TissueHeterogeneityCorrection, "WATER");
  DicomItemWriter plan = data.AppendItem(DCM_ReferencedRTPlanSequence);
  plan.Put(DCM_ReferencedSOPClassUID, UID_RTPlanStorage);
  plan.Put(DCM_ReferencedSOPInstanceUID, options.referencedPlanUid);

  const std::size_t frameValues = static_cast<std::size_t>(grid.Size()[0] * grid.Size()[1]);
  const std::size_t wordsPerValue = bits == 32 ? 2 : 1;
  std::vector<Uint16> words(static_cast<std::size_t>(grid.NumberOfVoxels()) * wordsPerValue);
  for (std::int64_t frame = 0; frame < frames; ++frame) {
    const std::int64_t k = reversed ? frames - 1 - frame : frame;
    const float* source = doseGy.Data().data() + static_cast<std::size_t>(k) * frameValues;
    Uint16* target = words.data() + static_cast<std::size_t>(frame) * frameValues * wordsPerValue;
    for (std::size_t n = 0; n < frameValues; ++n) {
      const double stored =
          std::min(std::round(static_cast<double>(source[n]) / scaling), largestStored);
      const auto value = static_cast<std::uint32_t>(stored);
      if (bits == 32) {
        // Little-endian 32-bit values as OW words: the low word first.
        target[2 * n] = static_cast<Uint16>(value & 0xFFFFu);
        target[2 * n + 1] = static_cast<Uint16>(value >> 16);
      } else {
        target[n] = static_cast<Uint16>(value);
      }
    }
  }
  const OFCondition pixels = data.Item().putAndInsertUint16Array(
      DCM_PixelData, words.data(), static_cast<unsigned long>(words.size()));
  if (pixels.bad()) {
    throw Io(where + ": cannot store the dose values (DCMTK: " + pixels.text() + ")");
  }

  // RT DVH
  DicomItemWriter structureSet = data.AppendItem(DCM_ReferencedStructureSetSequence);
  structureSet.Put(DCM_ReferencedSOPClassUID, UID_RTStructureSetStorage);
  structureSet.Put(DCM_ReferencedSOPInstanceUID, options.referencedStructureSetUid);
  for (const RtDvhInput& dvh : options.dvhs) {
    if (dvh.roiNumber <= 0) {
      throw InvalidInput(where + ": a DVH has ROI number " + std::to_string(dvh.roiNumber) +
                         "; expected the structure's ROI number (> 0)");
    }
    const std::string text = DvhData(dvh);
    if (dvh.volumesCc.empty() || !(dvh.binWidthGy > 0.0) || text.size() > kMaxDvhDataBytes) {
      throw InvalidInput(where + ": the DVH of ROI " + std::to_string(dvh.roiNumber) +
                         " is not binned (RtDoseWriter::BinCumulativeDvh); expected bins");
    }
    DicomItemWriter item = data.AppendItem(DCM_DVHSequence);
    DicomItemWriter roi = item.AppendItem(DCM_DVHReferencedROISequence);
    roi.PutInteger(DCM_ReferencedROINumber, dvh.roiNumber);
    roi.Put(DCM_DVHROIContributionType, "INCLUDED");
    item.Put(DCM_DVHType, "CUMULATIVE");
    item.Put(DCM_DoseUnits, "GY");
    item.Put(DCM_DoseType, "PHYSICAL");
    item.PutDecimal(DCM_DVHDoseScaling, 1.0);
    item.Put(DCM_DVHVolumeUnits, "CM3");
    item.PutInteger(DCM_DVHNumberOfBins, static_cast<long>(dvh.volumesCc.size()));
    item.Put(DCM_DVHData, text);
    item.PutDecimal(DCM_DVHMinimumDose, dvh.minimumGy);
    item.PutDecimal(DCM_DVHMaximumDose, dvh.maximumGy);
    item.PutDecimal(DCM_DVHMeanDose, dvh.meanGy);
  }

  AtomicFileWriter writer(file);
  const OFCondition status =
      fileFormat.saveFile(writer.TemporaryPath().c_str(), EXS_LittleEndianExplicit);
  if (status.bad()) {
    throw Io(where + ": cannot write the RT Dose (DCMTK: " + status.text() + ")");
  }
  writer.Commit();
  return identity.sopInstanceUid;
}

} // namespace seedplan::imaging
