#include "seedplan/core/MaskIndexBox.h"

#include <algorithm>

namespace seedplan {

std::optional<MaskIndexBox> MaskIndexBox::Of(const Mask& mask) {
  const auto& size = mask.Geometry().Size();
  MaskIndexBox box;
  box.lower = size;
  box.upper = {-1, -1, -1};
  if (size[0] <= 0) {
    return std::nullopt;
  }
  // Row by row: only a row's first and last inside voxels move the box along i (a live editing
  // step and every DVH start here, on masks the size of the CT: issue 14).
  auto isInside = [](std::uint8_t v) { return v != 0; };
  for (std::int64_t k = 0; k < size[2]; ++k) {
    for (std::int64_t j = 0; j < size[1]; ++j) {
      const std::uint8_t* row = &mask.At(0, j, k);
      const std::uint8_t* end = row + size[0];
      const std::uint8_t* first = std::find_if(row, end, isInside);
      if (first == end) {
        continue;
      }
      const std::uint8_t* last = std::find_if(std::make_reverse_iterator(end),
                                              std::make_reverse_iterator(first + 1), isInside)
                                     .base() -
                                 1;
      box.lower[0] = std::min(box.lower[0], static_cast<std::int64_t>(first - row));
      box.upper[0] = std::max(box.upper[0], static_cast<std::int64_t>(last - row));
      box.lower[1] = std::min(box.lower[1], j);
      box.upper[1] = std::max(box.upper[1], j);
      box.lower[2] = std::min(box.lower[2], k);
      box.upper[2] = std::max(box.upper[2], k);
    }
  }
  if (box.upper[0] < 0) {
    return std::nullopt;
  }
  return box;
}

} // namespace seedplan
