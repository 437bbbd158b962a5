// `seedplan study init --study FILE --id ID --title TEXT --groups A,B`: a new study record.

#include "StudyCommandSupport.h"
#include "StudyRecordCommands.h"
#include "seedplan/study/SchemaMigrations.h"

#include <iostream>

namespace seedplan::app {

namespace {

struct InitOptions {
  StudyFileOptions file;
  std::string id;
  std::string title;
  std::string groups;
};

std::vector<std::string> SplitGroups(const std::string& text) {
  std::vector<std::string> groups;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    std::string group = text.substr(start, comma == std::string::npos ? comma : comma - start);
    while (!group.empty() && group.front() == ' ') {
      group.erase(group.begin());
    }
    while (!group.empty() && group.back() == ' ') {
      group.pop_back();
    }
    groups.push_back(group);
    if (comma == std::string::npos) {
      return groups;
    }
    start = comma + 1;
  }
}

} // namespace

void RegisterStudyInitCommand(CLI::App& study) {
  auto* command = study.add_subcommand("init", "Create a new study record (SQLite file)");
  auto options = std::make_shared<InitOptions>();
  AddStudyFileOptions(*command, options->file);
  command->add_option("--id", options->id, "Study id, e.g. HCC-PD1-I125")->required();
  command->add_option("--title", options->title, "Study title")->required();
  command
      ->add_option("--groups", options->groups,
                   "Treatment groups, comma-separated, e.g. PD1,PD1_I125")
      ->required();
  command->callback([options]() {
    study::StudyInfo info;
    info.studyId = options->id;
    info.title = options->title;
    info.groups = SplitGroups(options->groups);
    study::StudyRecord::Create(options->file.study, info, StudyUser(options->file.user));
    std::cout << "created study record " << options->file.study << ": study " << info.studyId
              << ", groups " << options->groups << ", schema version "
              << study::SchemaMigrations::LatestVersion() << '\n';
  });
}

} // namespace seedplan::app
