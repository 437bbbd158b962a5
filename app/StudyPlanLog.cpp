#include "StudyPlanLog.h"

#include "StudyCommandSupport.h"
#include "seedplan/core/AtomicFileWriter.h"
#include "seedplan/core/Error.h"
#include "seedplan/planning/PlanXml.h"
#include "seedplan/study/IsoDate.h"
#include "seedplan/study/Sha256.h"
#include "seedplan/study/StudyVocabulary.h"

#include <iostream>
#include <map>
#include <set>

namespace seedplan::app {

namespace {

namespace fs = std::filesystem;

constexpr const char* kDemoStudyId = "SEEDPLAN-DEMO";
constexpr const char* kDemoGroup = "PD1_I125";
constexpr const char* kDemoIndexLesion = "GTV_Lung";

} // namespace

void AddStudyLogOptions(CLI::App& command, StudyLogOptions& options, bool postImplant) {
  auto* study =
      command.add_option("--study", options.study, "Log the plan into this study record (SQLite)");
  command
      .add_option("--study-patient", options.patient,
                  "The record's pseudonymous patient id (never the DICOM Patient ID)")
      ->needs(study);
  command
      .add_option("--lesion", options.lesions,
                  "TARGET=LESION_ID: the record's lesion a target is (default: the lesion "
                  "named like the target); repeatable")
      ->needs(study);
  command.add_option("--user", options.user, "Who logs, for the audit trail (default: $USER)");
  if (postImplant) {
    command
        .add_flag("--no-study-log", options.noStudy,
                  "Do not log to the study record the plan was logged to")
        ->excludes(study);
    command.add_option("--post-ct-date", options.postCtDate,
                       "Date of the post-implant CT (YYYY-MM-DD), for the record");
  } else {
    command.add_option("--seed-lot", options.seedLot, "Seed lot or certificate, for the record");
    command.add_option("--seeds-ordered", options.seedsOrdered,
                       "Seeds ordered for the procedure, for the record");
  }
}

StudyPlanLog::StudyPlanLog(StudyLogOptions options, Mode mode, std::string command)
    : m_Options(std::move(options)), m_Mode(mode), m_Command(std::move(command)) {
  if (!m_Options.study.empty() && m_Options.patient.empty()) {
    if (m_Mode == Mode::Demo) {
      m_Options.patient = "DEMO01";
    } else if (m_Mode == Mode::Plan) {
      throw InvalidInput("--study " + m_Options.study +
                         " needs --study-patient ID: the record's pseudonymous patient id "
                         "(never taken from the CT)");
    }
  }
}

void StudyPlanLog::UseRecordedStudy(const planning::Plan& planned) {
  if (m_Options.noStudy) {
    m_Options.study.clear();
    return;
  }
  if (!Active() && planned.studyLog) {
    m_Options.study = planned.studyLog->studyFile;
    if (m_Options.patient.empty()) {
      m_Options.patient = planned.studyLog->patientId;
    }
    std::set<std::string> given;
    for (const auto& text : m_Options.lesions) {
      given.insert(text.substr(0, text.find('=')));
    }
    for (const auto& [target, lesion] : planned.studyLog->lesions) {
      if (!given.count(target)) {
        m_Options.lesions.push_back(target + "=" + lesion);
      }
    }
    std::cout << "logging to the study record the plan was logged to: " << m_Options.study
              << " (patient " << m_Options.patient << ")\n";
  }
  if (Active() && m_Options.patient.empty()) {
    throw InvalidInput("--study " + m_Options.study +
                       " needs --study-patient ID (the plan was not logged to a study)");
  }
}

void StudyPlanLog::Prepare(const std::vector<planning::TargetPrescription>& targets,
                           const std::string& studyId, const std::string& patientId) {
  if (!Active()) {
    return;
  }
  if (!m_Options.postCtDate.empty()) {
    study::IsoDate::Parse(m_Options.postCtDate, "--post-ct-date");
  }
  study::PatientRecord::Fields()
      .Find("patient_id")
      ->spec.Parse(m_Options.patient, "--study-patient");
  const std::string user = StudyUser(m_Options.user);
  std::error_code error;
  if (m_Mode == Mode::Demo && !fs::exists(m_Options.study, error)) {
    study::StudyInfo info;
    info.studyId = kDemoStudyId;
    info.title = "seedplan demo study (sample patient)";
    info.groups = {"PD1", "PD1_I125"};
    study::StudyRecord::Create(m_Options.study, info, user);
    std::cout << "created study record " << m_Options.study << " (study " << kDemoStudyId
              << ", groups PD1, PD1_I125)\n";
  }
  m_Record.emplace(study::StudyRecord::Open(m_Options.study, user, m_Command));
  const study::StudyInfo& info = m_Record->Info();
  if (!studyId.empty() && studyId != info.studyId) {
    throw InvalidInput("--study-id " + studyId + " conflicts with the study record " +
                       m_Options.study + " of study " + info.studyId +
                       "; expected no --study-id or " + info.studyId);
  }
  if (!patientId.empty() && patientId != m_Options.patient) {
    throw InvalidInput("--patient-id " + patientId + " conflicts with --study-patient " +
                       m_Options.patient +
                       "; expected no --patient-id (the plan takes the "
                       "record's id)");
  }
  const bool patientKnown = m_Record->HasPatient(m_Options.patient);
  if (!patientKnown && m_Mode != Mode::Demo) {
    throw InvalidInput("--study-patient " + m_Options.patient + " is not a patient of " +
                       m_Options.study +
                       "; expected a patient added with `seedplan study "
                       "add-patient`");
  }
  if (m_Mode == Mode::Demo &&
      std::find(info.groups.begin(), info.groups.end(), kDemoGroup) == info.groups.end() &&
      !patientKnown) {
    throw InvalidInput("--study " + m_Options.study + " has no group " + kDemoGroup +
                       " for the demo patient; expected a record with groups PD1,PD1_I125");
  }

  std::map<std::string, std::string> given;
  for (const std::string& text : m_Options.lesions) {
    const auto equals = text.find('=');
    if (equals == std::string::npos || equals == 0 || equals + 1 == text.size()) {
      throw InvalidInput("--lesion is '" + text + "'; expected TARGET=LESION_ID");
    }
    const std::string target = text.substr(0, equals);
    if (std::none_of(targets.begin(), targets.end(),
                     [&](const auto& t) { return t.structureName == target; })) {
      throw InvalidInput("--lesion " + text + ": the plan has no target " + target);
    }
    if (!given.emplace(target, text.substr(equals + 1)).second) {
      throw InvalidInput("--lesion maps target " + target + " twice; expected once");
    }
  }
  std::set<std::string> known;
  for (const auto& lesion : m_Record->Lesions(m_Options.patient)) {
    known.insert(lesion.lesionId);
  }
  std::string knownText;
  for (const auto& id : known) {
    knownText += (knownText.empty() ? "" : ", ") + id;
  }
  m_LesionOf.clear();
  std::set<std::string> used;
  for (const auto& target : targets) {
    const auto mapped = given.find(target.structureName);
    const std::string lesion = mapped != given.end() ? mapped->second : target.structureName;
    if (!known.count(lesion) && m_Mode != Mode::Demo) {
      throw InvalidInput(
          mapped != given.end()
              ? "--lesion " + target.structureName + "=" + lesion + ": " + lesion +
                    " is not a lesion of patient " + m_Options.patient + " in " + m_Options.study +
                    "; expected one of " +
                    (knownText.empty() ? std::string("(none yet: study add-lesion)") : knownText)
              : "plan target " + target.structureName + " has no lesion mapping: patient " +
                    m_Options.patient + " in " + m_Options.study + " has no lesion " +
                    target.structureName + "; expected --lesion " + target.structureName +
                    "=LESION_ID (lesions: " +
                    (knownText.empty() ? std::string("none yet") : knownText) + ")");
    }
    if (!used.insert(lesion).second) {
      throw InvalidInput("--lesion: two targets map to lesion " + lesion +
                         "; expected one target per lesion");
    }
    m_LesionOf.emplace_back(target.structureName, lesion);
  }
}

void StudyPlanLog::CheckPseudonym(const std::string& dicomPatientId) const {
  if (Active() && !dicomPatientId.empty() && dicomPatientId == m_Options.patient) {
    throw InvalidInput("--study-patient " + m_Options.patient +
                       " is the CT's DICOM Patient ID; expected the study's pseudonymous id "
                       "(the link to the hospital id stays outside seedplan)");
  }
}

void StudyPlanLog::WriteAndLog(planning::Plan& plan, const fs::path& out,
                               const std::string& dicomPatientId, const ImplantFacts& given,
                               const planning::Plan* planned) {
  ImplantFacts facts = given;
  facts.seedLot = m_Options.seedLot;
  facts.seedsOrdered = m_Options.seedsOrdered;
  facts.postCtDate = m_Options.postCtDate;
  if (!Active()) {
    if (m_Mode == Mode::PostImplant) {
      plan.studyLog.reset(); // copied from the planned plan; this one is not logged
    }
    planning::PlanXml::Write(plan, out);
    return;
  }
  CheckPseudonym(dicomPatientId);
  const fs::path studyFile = fs::absolute(m_Options.study).lexically_normal();
  const fs::path planFile = fs::absolute(out).lexically_normal();
  plan.studyId = m_Record->Info().studyId;
  plan.patientId = m_Options.patient;
  planning::StudyLogLink link;
  link.studyFile = studyFile.string();
  link.studyId = plan.studyId;
  link.patientId = m_Options.patient;
  link.lesions = m_LesionOf;
  plan.studyLog = link;

  std::string text;
  try {
    text = planning::PlanXml::ToXml(plan, out);
  } catch (const InvalidInput& error) {
    throw InvalidInput(out.string() + ": " + error.what());
  }
  const std::string sha256 = study::Sha256::Of(text);
  AtomicFileWriter writer(out);
  writer.WriteAll(text);

  auto transaction = m_Record->BeginCommand();
  if (m_Mode == Mode::Demo) {
    if (!m_Record->HasPatient(m_Options.patient)) {
      study::PatientRecord patient;
      patient.patientId = m_Options.patient;
      patient.group = kDemoGroup;
      patient.nExtrahepatic = static_cast<int>(plan.targets.size());
      // The demo patient starts treatment with the implant: time zero of PFS, OS and LPFS.
      patient.startDate = plan.implantDate;
      m_Record->AddPatient(patient);
    }
    std::set<std::string> known;
    for (const auto& lesion : m_Record->Lesions(m_Options.patient)) {
      known.insert(lesion.lesionId);
    }
    const bool hasIndex = [&] {
      for (const auto& lesion : m_Record->Lesions(m_Options.patient)) {
        if (lesion.isIndex) {
          return true;
        }
      }
      return false;
    }();
    for (const auto& target : plan.targets) {
      if (known.count(target.structureName)) {
        continue;
      }
      study::LesionRecord lesion;
      lesion.patientId = m_Options.patient;
      lesion.lesionId = target.structureName;
      lesion.site = study::StudyVocabulary::SiteFromPlanning(target.site);
      lesion.isIndex = !hasIndex && target.structureName == kDemoIndexLesion;
      for (const auto& entry : plan.metrics) {
        if (entry.structureName == target.structureName) {
          lesion.volumeCc = entry.metrics.volumeCc;
        }
      }
      m_Record->AddLesion(lesion);
    }
  }
  const std::string reason =
      "logged from " + planFile.filename().string() + " (sha256 " + sha256.substr(0, 12) + ")";
  int inserted = 0, updated = 0, unchanged = 0;
  for (const auto& target : plan.targets) {
    std::string lesion;
    for (const auto& [name, id] : m_LesionOf) {
      if (name == target.structureName) {
        lesion = id;
      }
    }
    study::ImplantRecord record;
    study::StudyRecord::ImplantPart part = study::StudyRecord::ImplantPart::Planned;
    if (m_Mode == Mode::PostImplant) {
      const planning::Plan& source = planned ? *planned : plan;
      const std::string plannedFile =
          plan.evaluatesPlan.empty() ? planFile.string()
                                     : fs::absolute(plan.evaluatesPlan).lexically_normal().string();
      std::string plannedSha;
      try {
        plannedSha = study::Sha256::OfFile(plannedFile);
      } catch (const Io&) {
      }
      record = ImplantRecordFromPlan(source, target, m_Options.patient, lesion, plannedFile,
                                     plannedSha, facts);
      AddPostImplant(record, plan, target, planFile.string(), sha256, facts);
      part = study::StudyRecord::ImplantPart::PostImplant;
    } else {
      record = ImplantRecordFromPlan(plan, target, m_Options.patient, lesion, planFile.string(),
                                     sha256, facts);
    }
    const auto result = m_Record->LogImplant(record, part, reason);
    inserted += result.inserted;
    updated += !result.inserted && !result.changedFields.empty();
    unchanged += !result.inserted && result.changedFields.empty();
  }
  transaction->Commit();
  writer.Commit();
  std::cout << "logged " << plan.targets.size() << " implant(s) of patient " << m_Options.patient
            << " to " << m_Options.study << " (" << inserted << " new, " << updated << " updated, "
            << unchanged << " unchanged"
            << (m_Mode == Mode::PostImplant ? ", post-implant values" : "") << ")\n";
}

/// The procedure's seed counts for the study record, and the seeds found per target (matched to
/// the target's planned seeds; only when the seeds were matched).
ImplantFacts PostImplantFacts(const planning::Plan& planned, std::size_t found,
                              const planning::SeedMatching& matching,
                              std::optional<int> seedsImplanted) {
  ImplantFacts facts;
  facts.seedsImplanted = seedsImplanted;
  facts.seedsFound = static_cast<int>(found);
  std::map<std::string, std::string> targetOfNeedle;
  for (const auto& needle : planned.needles) {
    targetOfNeedle[needle.id] = needle.targetName;
  }
  if (!matching.matches.empty()) {
    for (const auto& target : planned.targets) {
      facts.foundPerTarget[target.structureName] = 0;
    }
    for (const auto& match : matching.matches) {
      if (match.detectedIndex >= 0 && match.plannedIndex >= 0) {
        const auto at = targetOfNeedle.find(planned.seeds[std::size_t(match.plannedIndex)].needle);
        if (at != targetOfNeedle.end()) {
          ++facts.foundPerTarget[at->second];
        }
      }
    }
  }
  return facts;
}

ImplantFacts FactsFromSession(const PlanningSession& session) {
  ImplantFacts facts;
  for (const auto& lesion : session.lesions) {
    facts.seedsPerTarget[lesion.targetName] = static_cast<int>(lesion.loading.seeds.size());
    facts.needlesPerTarget[lesion.targetName] = static_cast<int>(lesion.needlesUsed);
  }
  return facts;
}

} // namespace seedplan::app
