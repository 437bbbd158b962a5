#pragma once

#include "seedplan/core/Volume.h"

#include <array>
#include <cstdint>
#include <optional>

namespace seedplan {

/// The smallest index box (inclusive bounds) holding every inside (non-zero) voxel of a mask:
/// where DVH sampling, dose-influence sampling and structure summaries start.
struct MaskIndexBox {
  std::array<std::int64_t, 3> lower{};
  std::array<std::int64_t, 3> upper{};

  /// nullopt for a mask without an inside voxel.
  static std::optional<MaskIndexBox> Of(const Mask& mask);
};

} // namespace seedplan
