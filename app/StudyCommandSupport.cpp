#include "StudyCommandSupport.h"

#include <cstdlib>
#include <pwd.h>
#include <unistd.h>

namespace seedplan::app {

void AddStudyFileOptions(CLI::App& command, StudyFileOptions& options) {
  command.add_option("--study", options.study, "Study record (SQLite file)")->required();
  command.add_option("--user", options.user,
                     "Who makes the change, for the audit trail "
                     "(default: $USER)");
}

std::string StudyUser(const std::string& given) {
  if (!given.empty()) {
    return given;
  }
  if (const char* user = std::getenv("USER"); user && *user) {
    return user;
  }
  if (const passwd* entry = ::getpwuid(::getuid()); entry && entry->pw_name) {
    return entry->pw_name;
  }
  return "unknown";
}

study::StudyRecord OpenStudy(const StudyFileOptions& options, const std::string& command,
                             study::StudyRecord::IntegrityCheck check) {
  return study::StudyRecord::Open(options.study, StudyUser(options.user), command, check);
}

} // namespace seedplan::app
