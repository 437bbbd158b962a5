#pragma once

#include <string>
#include <vector>

namespace seedplan::study {

/// The study a record belongs to: id, title, treatment groups (e.g. PD1, PD1_I125) and the
/// record's own provenance.
struct StudyInfo {
  std::string studyId;
  std::string title;
  std::vector<std::string> groups;
  int schemaVersion = 0;
  std::string createdUtc;
  std::string createdBy;
  std::string programVersion;
};

} // namespace seedplan::study
