#pragma once

#include "seedplan/core/ByteSource.h"
#include "seedplan/imaging/VolumeFileHeader.h"
#include "seedplan/imaging/VolumeHeaderCheck.h"

namespace seedplan::imaging::detail {

/// The NRRD (.nrrd, .nhdr) part of VolumeHeaderCheck, after the NRRD0001-NRRD0005 format
/// definition (teem): the magic line, then "field: value" lines, "key:=value" pairs and "#"
/// comments up to an empty line (or the end of a detached header). Every field teem knows is
/// checked for its number of values (one per axis where the format says so, dimension first);
/// unknown and repeated fields are refused, as teem refuses them.
class NrrdHeaderCheck {
public:
  static VolumeFileHeader Check(const ByteSource& source, const DataFileOpener& openDataFile);
};

} // namespace seedplan::imaging::detail
