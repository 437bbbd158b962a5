#include "seedplan/imaging/StructureLoader.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/Log.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/imaging/LabelMapReader.h"
#include "seedplan/imaging/RtStructureSetReader.h"
#include "seedplan/imaging/StructureRoles.h"

#include <fstream>

namespace seedplan::imaging {

bool StructureLoader::IsDicomFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  char magic[4] = {};
  in.seekg(128);
  in.read(magic, 4);
  if (in && std::string(magic, 4) == "DICM") {
    return true;
  }
  return path.extension() == ".dcm" || path.extension() == ".DCM";
}

StructureSet StructureLoader::Load(const std::filesystem::path& path, const CtImage& ct,
                                   const std::map<std::string, StructureRole>& roleOverrides) {
  std::error_code error;
  if (!std::filesystem::is_regular_file(path, error)) {
    throw Io(path.string() + ": structures file does not exist; expected an RT Structure Set "
                             "(.dcm) or a label map (.nrrd, .mha, .nii)");
  }
  StructureSet set = IsDicomFile(path) ? RtStructureSetReader::Read(path, ct)
                                       : LabelMapReader::Read(path, &ct.hu.Geometry());
  StructureRoles::Assign(set, roleOverrides);
  return set;
}

const Structure& StructureLoader::Require(const StructureSet& set, const std::string& name) {
  for (const StructureDefect& defect : set.defects) {
    if (defect.name == name) {
      throw InvalidInput(set.Describe(defect) + "; the structure cannot be used");
    }
  }
  if (const Structure* structure = set.Find(name)) {
    // The other structures are not used here: their problems are worth a warning, no more.
    for (const StructureDefect& defect : set.defects) {
      log::Warning(set.Describe(defect) + "; not used here");
    }
    return *structure;
  }
  std::string names;
  for (const auto& structure : set.structures) {
    names += (names.empty() ? "" : ", ") + structure.name;
  }
  throw InvalidInput(set.sourceFile + ": no structure named '" + Excerpt(name) +
                     "'; expected one of: " + names);
}

void StructureLoader::RefuseDefects(const StructureSet& set) {
  if (!set.defects.empty()) {
    const std::size_t more = set.defects.size() - 1;
    throw InvalidInput(
        set.Describe(set.defects.front()) +
        (more > 0 ? " (and " + std::to_string(more) + " more ROI problem(s))" : std::string()) +
        "; every structure is used (a plan's metrics and needle paths, a listing's volumes)");
  }
}

} // namespace seedplan::imaging
