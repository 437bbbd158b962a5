#include "ZeroedDoseGrid.h"

#include <cstdint>
#include <sys/mman.h>
#include <vector>

namespace seedplan::dosimetry::detail {

Volume<float> ZeroedDoseGrid(const GridGeometry& geometry) {
  const auto voxels = static_cast<std::size_t>(geometry.NumberOfVoxels());
  constexpr std::size_t kHugePage = std::size_t(1) << 21;
  std::vector<float> data;
  if (voxels * sizeof(float) >= kHugePage) {
    // Reserved (mapped, not touched), advised, then zeroed: the zeroing's faults take 2 MB pages
    // wherever a whole one fits. The advice is only a hint: any failure leaves 4 KB pages.
    // 2 MB more than the grid is reserved (address space only; at most the part of one huge
    // page beyond the grid is ever backed), so that the grid's end lies inside a whole page.
    data.reserve(voxels + kHugePage / sizeof(float));
    const auto begin = reinterpret_cast<std::uintptr_t>(data.data());
    const std::uintptr_t first = (begin + kHugePage - 1) & ~(kHugePage - 1);
    const std::uintptr_t end = (begin + data.capacity() * sizeof(float)) & ~(kHugePage - 1);
    if (end > first) {
      madvise(reinterpret_cast<void*>(first), end - first, MADV_HUGEPAGE);
    }
#ifdef MADV_POPULATE_WRITE
    // The grid's pages faulted in by one call rather than one trap each (Linux >= 5.14; older
    // kernels refuse it and the zeroing below faults them in): ~2-6 ms instead of ~4-9 ms here.
    const std::uintptr_t pageMask = 4095;
    const std::uintptr_t low = begin & ~pageMask;
    const std::uintptr_t high = (begin + voxels * sizeof(float) + pageMask) & ~pageMask;
    madvise(reinterpret_cast<void*>(low), high - low, MADV_POPULATE_WRITE);
#endif
  }
  data.resize(voxels, 0.0f);
  return Volume<float>(geometry, std::move(data));
}

} // namespace seedplan::dosimetry::detail
