#pragma once

#include "seedplan/imaging/DicomFileSummary.h"

#include <string>

namespace seedplan::imaging {

/// A CT slice's modality rescale, checked: HU = stored x slopeHu + interceptHu.
struct CtRescale {
  double slope = 1.0;
  double intercept = 0.0;
};

/// Value checks of the image attributes DCMTK, GDCM and the series loader read, made on
/// DicomFileCheck's summary before any toolkit reads the file (issue 13: PixelSpacing or
/// RescaleSlope with VR FD instead of DS abort GDCM). Plain C++, fuzzed with DicomFileCheck.
class DicomImageCheck {
public:
  /// Every image attribute present in the file has the VR DICOM gives it (in explicit VR files),
  /// a defined length of the right size, the right number of values and values within physical
  /// bounds: ImagePositionPatient (3 DS within limits::kMaxCoordinateMm), ImageOrientationPatient
  /// (6 DS in [-1, 1]), PixelSpacing (2 DS within [kMinVoxelSpacingMm, kMaxVoxelSpacingMm]),
  /// SliceThickness, SpacingBetweenSlices, GantryDetectorTilt, RescaleSlope (|s| <=
  /// kMaxRescaleSlope), RescaleIntercept (|b| <= kMaxAbsRescaleIntercept), NumberOfFrames and
  /// InstanceNumber (IS), Rows and Columns (US >= 1), BitsAllocated (8, 16 or 32), BitsStored
  /// (1 to BitsAllocated), HighBit (BitsStored - 1 to BitsAllocated - 1), PixelRepresentation
  /// (0 or 1), SamplesPerPixel (US >= 1), PixelData (OB or OW). Absent attributes are not
  /// required here (the loader requires what it needs). Throws DataFormat naming the file, the
  /// attribute (name and tag), its VR or value and what was expected.
  static void CheckImageAttributes(const DicomFileSummary& summary);

  /// The modality rescale of a CT slice (CT Image module, PS3.3 C.8.2.1: both attributes Type 1):
  /// `slopeText` and `interceptText` as the file holds them ("" when absent). Throws DataFormat
  /// naming `file` if either is missing, is not one number, the slope is not > 0 (a slope <= 0
  /// turns bone into air) or either is beyond the bounds of CheckImageAttributes.
  static CtRescale CheckCtRescale(const std::string& file, const std::string& slopeText,
                                  const std::string& interceptText);
};

} // namespace seedplan::imaging
