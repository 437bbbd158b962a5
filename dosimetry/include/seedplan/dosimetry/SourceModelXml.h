#pragma once

#include "seedplan/dosimetry/SourceModel.h"

#include <filesystem>

namespace seedplan::dosimetry {

/// Reads a source file (dosimetry/sources/<ID>.xml, root <seedplanSourceModel schemaVersion="1">)
/// into a validated SourceModel. Refuses files of another kind or schema version, missing or
/// malformed elements and bad tables with a DataFormat error naming the file and the element.
class SourceModelXml {
public:
  static constexpr int kSchemaVersion = 1;
  static SourceModel Read(const std::filesystem::path& path);
  static SourceModel Parse(const std::string& xmlText, const std::string& fileName);
};

} // namespace seedplan::dosimetry
