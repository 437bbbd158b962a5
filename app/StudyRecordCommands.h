#pragma once
// The study record's subcommands, each in its own file, registered on `seedplan study` by
// RegisterStudyRecordCommands (StudyRecordCommands.cpp).

#include "seedplan/study/CohortTable.h"

#include <CLI/CLI.hpp>

#include <string>

namespace seedplan::app {

void RegisterStudyInitCommand(CLI::App& study);
void RegisterStudyAddPatientCommand(CLI::App& study);
void RegisterStudyAddLesionCommand(CLI::App& study);
void RegisterStudyAddFollowUpCommand(CLI::App& study);
void RegisterStudyAddEventCommand(CLI::App& study);
void RegisterStudyAddAeCommand(CLI::App& study);
void RegisterStudyCorrectCommand(CLI::App& study);
void RegisterStudyImportCommand(CLI::App& study);
void RegisterStudyExportCommand(CLI::App& study);
void RegisterStudyShowCommand(CLI::App& study);
void RegisterStudyBackupCommand(CLI::App& study);

/// The patients of a study record as the outcome analyses' cohort (`study analyze --study FILE`),
/// after the record's quick_check: the export's patients table, built in memory.
study::CohortTable StudyRecordCohort(const std::string& studyFile);

} // namespace seedplan::app
