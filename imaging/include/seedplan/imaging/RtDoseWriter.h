#pragma once

#include "seedplan/core/Volume.h"
#include "seedplan/imaging/RtInstanceHeader.h"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace seedplan::imaging {

/// One structure's cumulative DVH for the RT Dose's DVH Sequence, binned as it is stored
/// (RtDoseWriter::BinCumulativeDvh): its ROI number in the structure set, volume, minimum,
/// maximum and mean dose, the bin width and the volume (cc) receiving at least each bin's start
/// dose (volumesCc[n] at n x binWidthGy; volumesCc[0] is the whole volume).
struct RtDvhInput {
  int roiNumber = 0;
  double volumeCc = 0.0;
  double minimumGy = 0.0;
  double maximumGy = 0.0;
  double meanGy = 0.0;
  double binWidthGy = 0.0;
  std::vector<double> volumesCc;
};

/// What the RT Dose says beyond its grid.
struct RtDoseWriteOptions {
  /// 16 or 32, or 0: 16 when half a 16-bit step (max dose / 65534) is at most
  /// RtDoseWriter::kSixteenBitHalfStepGy, 32 otherwise.
  int bitsAllocated = 0;
  std::string referencedPlanUid;         ///< the RT Plan whose total dose this is
  std::string referencedStructureSetUid; ///< the structure set the DVHs' ROI numbers refer to
  std::string comment;                   ///< Dose Comment (LO): seed model and formalism
  std::vector<RtDvhInput> dvhs;
};

/// Writes a DICOM RT Dose (RT Dose Storage, PS3.3 A.18) with DCMTK, explicit VR little endian,
/// atomically: a plan's total dose in Gy (Dose Units GY, Dose Type PHYSICAL, Dose Summation Type
/// PLAN referencing the RT Plan, Tissue Heterogeneity Correction WATER: TG-43 is dose in water)
/// on the dose grid as a multi-frame image (one frame per k; Image Position of the first frame,
/// Image Orientation = the grid's first two direction columns, Pixel Spacing row spacing first,
/// Grid Frame Offset Vector relative, first value 0, increasing along row x column cosine: a grid
/// whose third axis points the other way is written with its frames reversed; Frame Increment
/// Pointer (3004,000C)). Stored values are unsigned 16 or 32 bit, Dose Grid Scaling =
/// max dose / (2^bits - 2) written as an exact DS, each voxel rounded to the nearest step: the
/// stored dose differs from the given one by at most half a step. 16 bits are chosen when that
/// half step is at most kSixteenBitHalfStepGy: every reader reads 16-bit doses (dicom3tools'
/// dciodvfy of Debian 12 aborts on 32-bit pixel data), and 0.01 Gy is below the precision any
/// dose metric or isodose is read to; hotter grids (a maximum above 1310 Gy) get 32 bits.
///
/// The RT DVH module: the Referenced Structure Set and one DVH per structure, CUMULATIVE, GY,
/// PHYSICAL, DVH Dose Scaling 1, volumes in CM3; the bin width is the smallest of 0.01, 0.02,
/// 0.05, 0.1, ... Gy for which DVH Data (D1\V1\D2\V2...) stays within the 65534 bytes an explicit
/// VR DS value may hold (so that every reader of either transfer syntax can read it); bins run
/// from 0 to the structure's maximum dose; V_n = the volume receiving at least (n - 1) x width,
/// 6 significant digits (BinCumulativeDvh).
class RtDoseWriter {
public:
  /// The largest DVH Data value in bytes.
  static constexpr std::size_t kMaxDvhDataBytes = 65534;
  /// The largest half step of a 16-bit dose (automatic choice of the bits).
  static constexpr double kSixteenBitHalfStepGy = 0.01;

  /// Returns the SOP Instance UID written. Throws InvalidInput for an invalid grid, a dose value
  /// that is negative or not finite, bits other than 16 or 32, a missing or invalid plan or
  /// structure set UID, a DVH without ROI number or volume function; Io if the file cannot be
  /// written.
  static std::string Write(const std::filesystem::path& file, const Volume<float>& doseGy,
                           const RtDoseWriteOptions& options, const RtInstanceHeader& header);

  /// A structure's cumulative DVH binned as Write stores it: the finest bin width of the 1-2-5
  /// series from 0.01 Gy whose DVH Data text (6 significant digits per volume) fits
  /// kMaxDvhDataBytes, and volumeCcAtLeast(n x width) for n = 0 ... floor(maximum / width). Throws
  /// InvalidInput for a maximum that is negative or not finite, or a volume that is not.
  static RtDvhInput BinCumulativeDvh(int roiNumber, double volumeCc, double minimumGy,
                                     double maximumGy, double meanGy,
                                     const std::function<double(double doseGy)>& volumeCcAtLeast);
  /// The DVH Data text Write stores for `dvh` (D1\V1\D2\V2...).
  static std::string DvhData(const RtDvhInput& dvh);
};

} // namespace seedplan::imaging
