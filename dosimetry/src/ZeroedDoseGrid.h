#pragma once
// Internal: the zeroed float volume a dose grid is accumulated into, its storage advised to the
// kernel as transparent huge pages. Zeroing a fresh 4 MB grid faults in a thousand 4 KB pages one
// by one; on the virtual machines measured that took ~19 ms, as long as a tenth of the whole
// `seedplan dose` run it serves; with 2 MB pages it took ~10 ms (measured; the part of the buffer
// before its first 2 MB boundary still takes small pages).

#include "seedplan/core/Volume.h"

namespace seedplan::dosimetry::detail {

Volume<float> ZeroedDoseGrid(const GridGeometry& geometry);

} // namespace seedplan::dosimetry::detail
