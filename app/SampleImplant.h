#pragma once

#include "seedplan/core/Seed.h"
#include "seedplan/core/Volume.h"

#include <vector>

namespace seedplan::app {

/// The demo's sample case until the sample patient (issue 3) exists: a spherical lesion of 15 mm
/// radius in water at the origin, prescribed 120 Gy (an illustrative value in the 110–140 Gy range
/// used for lung metastases), implanted through parallel needles along +z on a 10 mm template with
/// seeds every 10 mm, staggered by 5 mm between neighbouring needles, each of 0.7 mCi apparent
/// activity of model 6711. A fixed arrangement, not an optimised plan.
class SampleImplant {
public:
  static constexpr double kLesionRadiusMm = 15.0;
  static constexpr double kPrescriptionGy = 120.0;
  static constexpr double kActivityMCi = 0.7;
  static constexpr double kNeedleSpacingMm = 10.0;
  static constexpr double kSeedSpacingMm = 10.0;
  /// Seeds keep this distance inside the lesion's surface.
  static constexpr double kSeedMarginMm = 2.5;

  /// Seeds with direction +z, needle ids "N<column>-<row>", strength from kActivityMCi.
  static std::vector<Seed> Seeds(double strengthPerActivityUPerMCi);
  /// The lesion as a mask at `spacingMm` over its bounding box.
  static Mask LesionMask(double spacingMm);
};

} // namespace seedplan::app
