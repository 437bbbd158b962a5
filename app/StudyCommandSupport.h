#pragma once
// What the `seedplan study` record commands share: the --study and --user options, opening the
// record, and options that fill a record struct field by field through its FieldSpecs (so that the
// command line, the CSV import and the corrections read values the same way).

#include "seedplan/study/RecordFields.h"
#include "seedplan/study/StudyRecord.h"

#include <CLI/CLI.hpp>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace seedplan::app {

/// --study FILE (required) and --user NAME (default $USER).
struct StudyFileOptions {
  std::string study;
  std::string user;
};

void AddStudyFileOptions(CLI::App& command, StudyFileOptions& options);
/// --user, else $USER, else the login name, else "unknown".
std::string StudyUser(const std::string& given);
/// Opens the record for `command` ("study add-followup") as the options' user.
study::StudyRecord
OpenStudy(const StudyFileOptions& options, const std::string& command,
          study::StudyRecord::IntegrityCheck check = study::StudyRecord::IntegrityCheck::Quick);

/// Command-line options bound to fields of a record struct: each given option is read with its
/// field's FieldSpec, the option's name in messages ("--vas is '11'; expected ...").
template <class R> class FieldOptions {
public:
  struct Binding {
    std::string option; ///< "--vas"
    std::string field;  ///< "vas"
    bool required = false;
  };

  FieldOptions(const study::RecordFields<R>& fields, std::vector<Binding> bindings)
      : m_Fields(fields), m_Bindings(std::move(bindings)) {}

  /// Adds every option to `command`, with its field's label, unit and allowed values as help.
  void Register(CLI::App& command) {
    for (const Binding& binding : m_Bindings) {
      const auto* field = m_Fields.Find(binding.field);
      std::string help = field ? field->spec.label : binding.field;
      if (field && !field->spec.unit.empty()) {
        help += " (" + field->spec.unit + ")";
      }
      if (field && !field->spec.AllowedText().empty()) {
        help += ": " + field->spec.AllowedText();
      }
      auto* option = command.add_option(binding.option, m_Values[binding.option], help);
      if (binding.required) {
        option->required();
      }
      m_Options[binding.option] = option;
    }
  }

  /// The record from the options given (fields not given stay absent).
  void Fill(R& record) const {
    for (const Binding& binding : m_Bindings) {
      if (m_Options.at(binding.option)->count() > 0) {
        m_Fields.SetText(record, binding.field, m_Values.at(binding.option), binding.option);
      }
    }
  }

  const std::string& Value(const std::string& option) const { return m_Values.at(option); }
  bool Given(const std::string& option) const { return m_Options.at(option)->count() > 0; }

private:
  const study::RecordFields<R>& m_Fields;
  std::vector<Binding> m_Bindings;
  std::map<std::string, std::string> m_Values;
  std::map<std::string, CLI::Option*> m_Options;
};

} // namespace seedplan::app
