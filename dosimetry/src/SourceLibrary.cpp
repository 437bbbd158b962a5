#include "seedplan/dosimetry/SourceLibrary.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/dosimetry/SourceModelXml.h"

#include <algorithm>
#include <cstdlib>

namespace seedplan::dosimetry {

SourceLibrary::SourceLibrary(std::filesystem::path directory) : m_Directory(std::move(directory)) {
  std::error_code error;
  if (!std::filesystem::is_directory(m_Directory, error)) {
    throw Io(m_Directory.string() + ": source model folder does not exist; expected the folder " +
             "of <ID>.xml files (set SEEDPLAN_SOURCES_DIR)");
  }
}

std::filesystem::path SourceLibrary::DefaultDirectory() {
  if (const char* fromEnvironment = std::getenv("SEEDPLAN_SOURCES_DIR")) {
    if (*fromEnvironment) {
      return fromEnvironment;
    }
  }
  return SEEDPLAN_SOURCES_DIR;
}

std::vector<std::string> SourceLibrary::ModelIds() const {
  std::vector<std::string> ids;
  for (const auto& entry : std::filesystem::directory_iterator(m_Directory)) {
    if (entry.is_regular_file() && entry.path().extension() == ".xml") {
      ids.push_back(entry.path().stem().string());
    }
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::shared_ptr<const SourceModel> SourceLibrary::Load(const std::string& id) const {
  std::lock_guard<std::mutex> lock(m_Mutex);
  if (auto found = m_Loaded.find(id); found != m_Loaded.end()) {
    return found->second;
  }
  const std::vector<std::string> ids = ModelIds();
  if (std::find(ids.begin(), ids.end(), id) == ids.end()) {
    std::string known;
    for (const auto& candidate : ids) {
      known += (known.empty() ? "" : ", ") + candidate;
    }
    throw InvalidInput("unknown seed model '" + Excerpt(id) + "'; expected one of: " + known);
  }
  auto model =
      std::make_shared<const SourceModel>(SourceModelXml::Read(m_Directory / (id + ".xml")));
  if (model->Id() != id) {
    throw DataFormat((m_Directory / (id + ".xml")).string() + ": element <id> is '" +
                     Excerpt(model->Id()) + "'; expected '" + id + "' as in the file name");
  }
  m_Loaded[id] = model;
  return model;
}

} // namespace seedplan::dosimetry
