#pragma once

#include "seedplan/core/ByteSource.h"
#include "seedplan/imaging/VolumeFileHeader.h"
#include "seedplan/imaging/VolumeHeaderCheck.h"

namespace seedplan::imaging::detail {

/// The MetaImage (.mha, .mhd) part of VolumeHeaderCheck. Reads the header as ITK's MetaIO does
/// (a field name runs to the first '=' or ':', the header ends with the ElementDataFile line) and
/// refuses what MetaIO would misread: a line of 500 characters or more, a field whose numbers are
/// missing, spill over to the next line or are not numbers, a field that depends on NDims before
/// NDims, NDims other than 3, vector pixels, data in several files.
class MetaImageHeaderCheck {
public:
  static VolumeFileHeader Check(const ByteSource& source, const DataFileOpener& openDataFile);
};

} // namespace seedplan::imaging::detail
