#include "seedplan/core/MaskIndexBox.h"

#include <algorithm>

namespace seedplan {

std::optional<MaskIndexBox> MaskIndexBox::Of(const Mask& mask) {
  const auto& size = mask.Geometry().Size();
  MaskIndexBox box;
  box.lower = size;
  box.upper = {-1, -1, -1};
  for (std::int64_t k = 0; k < size[2]; ++k) {
    for (std::int64_t j = 0; j < size[1]; ++j) {
      for (std::int64_t i = 0; i < size[0]; ++i) {
        if (mask.At(i, j, k) != 0) {
          const std::array<std::int64_t, 3> index = {i, j, k};
          for (int axis = 0; axis < 3; ++axis) {
            box.lower[axis] = std::min(box.lower[axis], index[axis]);
            box.upper[axis] = std::max(box.upper[axis], index[axis]);
          }
        }
      }
    }
  }
  if (box.upper[0] < 0) {
    return std::nullopt;
  }
  return box;
}

} // namespace seedplan
