#pragma once

#include "seedplan/dosimetry/SourceModel.h"

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace seedplan::dosimetry {

/// The folder of source files (one <ID>.xml per seed model). Models are loaded on first use and
/// kept. The default folder is $SEEDPLAN_SOURCES_DIR if set, else the project's dosimetry/sources.
class SourceLibrary {
public:
  static constexpr const char* kDefaultModelId = "6711";

  explicit SourceLibrary(std::filesystem::path directory = DefaultDirectory());

  static std::filesystem::path DefaultDirectory();
  const std::filesystem::path& Directory() const { return m_Directory; }

  /// Ids of the models in the folder, sorted.
  std::vector<std::string> ModelIds() const;
  /// The model `id`; throws InvalidInput "unknown seed model 'X'; expected one of: ..." if there is
  /// no such file, DataFormat if its file is bad.
  std::shared_ptr<const SourceModel> Load(const std::string& id) const;

private:
  std::filesystem::path m_Directory;
  mutable std::mutex m_Mutex;
  mutable std::map<std::string, std::shared_ptr<const SourceModel>> m_Loaded;
};

} // namespace seedplan::dosimetry
