#pragma once
// Logging plans into the study record from `plan`, `postplan` and `demo` (issue 9): the options
// (--study FILE --study-patient ID --lesion TARGET=LESION_ID ...), the checks made before any
// work, and writing the plan XML together with its implants in the record.

#include "ImplantRecordFromPlan.h"
#include "PlanningSession.h"
#include "seedplan/planning/Plan.h"
#include "seedplan/planning/SeedMatcher.h"
#include "seedplan/study/StudyRecord.h"

#include <CLI/CLI.hpp>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace seedplan::app {

struct StudyLogOptions {
  std::string study;
  std::string patient;
  std::vector<std::string> lesions; ///< TARGET=LESION_ID
  std::string user;
  std::string seedLot;
  std::optional<int> seedsOrdered;
  std::string postCtDate;
  bool noStudy = false; ///< postplan --no-study-log
};

/// --study, --study-patient, --lesion, --user, and --seed-lot/--seeds-ordered (plan, demo)
/// or --post-ct-date and --no-study-log (postplan).
void AddStudyLogOptions(CLI::App& command, StudyLogOptions& options, bool postImplant);

/// One command's logging. Without --study (and, for postplan, without a study recorded in the
/// plan) it only writes the plan file.
class StudyPlanLog {
public:
  enum class Mode {
    Plan,        ///< `plan`: patient and lesions must be in the record
    PostImplant, ///< `postplan`: fills the post-implant values (study taken from the plan)
    Demo         ///< `demo`: creates the record, the patient and its lesions when absent
  };

  StudyPlanLog(StudyLogOptions options, Mode mode, std::string command);

  bool Active() const { return !m_Options.study.empty(); }

  /// postplan: log where the planned plan was logged, unless --study says otherwise.
  void UseRecordedStudy(const planning::Plan& planned);
  /// Before any work: opens the record (demo: creates it when absent), checks the patient and that
  /// every target maps to one of the patient's lesions (--lesion TARGET=ID, else the lesion named
  /// like the target), and that `studyId` / `patientId` given on the command line agree with the
  /// record. Throws InvalidInput naming the option and the value.
  void Prepare(const std::vector<planning::TargetPrescription>& targets,
               const std::string& studyId = "", const std::string& patientId = "");
  /// Refuses a study patient id equal to the CT's DICOM Patient ID (the record holds pseudonyms
  /// only): called as soon as the CT is loaded, and again by WriteAndLog.
  void CheckPseudonym(const std::string& dicomPatientId) const;
  /// Writes `plan` (with the record's study and patient ids and the <studyLog> element) to `out`
  /// and logs an implant per target, in one transaction; the plan file is renamed into place once
  /// the record has committed, so a refusal writes neither. CheckPseudonym(dicomPatientId) first.
  /// `planned` is the evaluated plan for postplan. Without --study: PlanXml::Write.
  void WriteAndLog(planning::Plan& plan, const std::filesystem::path& out,
                   const std::string& dicomPatientId, const ImplantFacts& facts,
                   const planning::Plan* planned = nullptr);

private:
  StudyLogOptions m_Options;
  Mode m_Mode;
  std::string m_Command;
  std::optional<study::StudyRecord> m_Record;
  std::vector<std::pair<std::string, std::string>> m_LesionOf; ///< target -> lesion id
};

/// Per-target seed and needle counts of a planning run (the optimiser's loading per lesion).
ImplantFacts FactsFromSession(const PlanningSession& session);
/// The procedure's seed counts for the record (implanted, found on the post-implant CT) and the
/// seeds found per target (detected seeds matched to the target's planned seeds, when matched).
ImplantFacts PostImplantFacts(const planning::Plan& planned, std::size_t found,
                              const planning::SeedMatching& matching,
                              std::optional<int> seedsImplanted);

} // namespace seedplan::app
