#include "SampleImplant.h"

#include <cmath>
#include <sstream>
#include <string>

namespace seedplan::app {

std::vector<Seed> SampleImplant::Seeds(double strengthPerActivityUPerMCi) {
  std::vector<Seed> seeds;
  const double reach = kLesionRadiusMm - kSeedMarginMm;
  const int needlesPerSide = static_cast<int>(std::floor(reach / kNeedleSpacingMm));
  for (int column = -needlesPerSide; column <= needlesPerSide; ++column) {
    for (int row = -needlesPerSide; row <= needlesPerSide; ++row) {
      const double x = column * kNeedleSpacingMm;
      const double y = row * kNeedleSpacingMm;
      const double halfChord = std::sqrt(std::max(0.0, reach * reach - x * x - y * y));
      // Neighbouring needles are staggered by half a seed spacing.
      const double offset = ((column + row) % 2 == 0) ? 0.0 : 0.5 * kSeedSpacingMm;
      for (int k = -10; k <= 10; ++k) {
        const double z = k * kSeedSpacingMm + offset;
        if (std::abs(z) > halfChord) {
          continue;
        }
        Seed seed;
        seed.positionMm = {x, y, z};
        seed.direction = Eigen::Vector3d::UnitZ();
        seed.strengthU = kActivityMCi * strengthPerActivityUPerMCi;
        seed.model = "6711";
        std::ostringstream needle; // not "N" + to_string(): GCC 12 warns falsely (-Wrestrict)
        needle << 'N' << column + needlesPerSide + 1 << '-' << row + needlesPerSide + 1;
        seed.needle = needle.str();
        seeds.push_back(seed);
      }
    }
  }
  return seeds;
}

Mask SampleImplant::LesionMask(double spacingMm) {
  const auto count = static_cast<std::int64_t>(std::ceil(2 * kLesionRadiusMm / spacingMm)) + 2;
  const double first = -0.5 * (count - 1) * spacingMm;
  Mask mask(GridGeometry({first, first, first}, {spacingMm, spacingMm, spacingMm},
                         {count, count, count}));
  for (std::int64_t k = 0; k < count; ++k) {
    for (std::int64_t j = 0; j < count; ++j) {
      for (std::int64_t i = 0; i < count; ++i) {
        const Eigen::Vector3d p = mask.Geometry().IndexToPoint(double(i), double(j), double(k));
        mask.At(i, j, k) = p.norm() <= kLesionRadiusMm ? 1 : 0;
      }
    }
  }
  return mask;
}

} // namespace seedplan::app
