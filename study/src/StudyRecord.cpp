#include "seedplan/study/StudyRecord.h"

#include "RecordSql.h"
#include "SpecBuilders.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/Version.h"
#include "seedplan/study/IsoDate.h"
#include "seedplan/study/PatientChronology.h"
#include "seedplan/study/SchemaMigrations.h"
#include "seedplan/study/StudyVocabulary.h"

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <map>
#include <set>
#include <sqlite3.h>
#include <unistd.h>

namespace seedplan::study {

namespace {

namespace fs = std::filesystem;
using sql::NamedValues;

std::atomic<unsigned> g_TemporaryCounter{0};

/// A hidden name beside `target` for a file being built.
fs::path TemporaryBeside(const fs::path& target) {
  const fs::path folder = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  return folder / ("." + target.filename().string() + ".tmp-" + std::to_string(::getpid()) + "-" +
                   std::to_string(g_TemporaryCounter++));
}

void RemoveDatabaseFiles(const fs::path& file) {
  std::error_code ignored;
  fs::remove(file, ignored);
  fs::remove(file.string() + "-wal", ignored);
  fs::remove(file.string() + "-shm", ignored);
  fs::remove(file.string() + "-journal", ignored);
}

void SyncFolder(const fs::path& file) {
  const fs::path folder = file.parent_path().empty() ? fs::path(".") : file.parent_path();
  const int descriptor = ::open(folder.c_str(), O_RDONLY | O_DIRECTORY);
  if (descriptor >= 0) {
    ::fsync(descriptor);
    ::close(descriptor);
  }
}

/// Puts the finished file `temporary` at `target` without ever replacing an existing file
/// (link(2) fails if the name exists), then removes the temporary name.
void LinkIntoPlace(const fs::path& temporary, const fs::path& target) {
  if (::link(temporary.c_str(), target.c_str()) != 0) {
    const int error = errno;
    RemoveDatabaseFiles(temporary);
    if (error == EEXIST) {
      throw Io(target.string() + ": already exists; expected a new file name");
    }
    throw Io(target.string() + ": cannot create (" + std::strerror(error) + ")");
  }
  ::unlink(temporary.c_str());
  SyncFolder(target);
}

void CheckFolderWritable(const fs::path& target) {
  const fs::path folder = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::error_code error;
  if (!fs::is_directory(folder, error)) {
    throw Io(target.string() + ": folder '" + folder.string() + "' does not exist");
  }
  if (::access(folder.c_str(), W_OK) != 0) {
    throw Io(target.string() + ": folder '" + folder.string() + "' is not writable");
  }
}

/// Refuses, before SQLite touches it, a file that is not an SQLite database, saying what it
/// looks like (a plan or another XML file, a CSV, empty).
void CheckLooksLikeSqlite(const fs::path& file) {
  std::error_code error;
  if (!fs::exists(file, error)) {
    throw Io(file.string() + ": no such study record; expected a file made by `seedplan study "
                             "init`");
  }
  if (!fs::is_regular_file(file, error)) {
    throw Io(file.string() + ": not a file; expected a study record (SQLite)");
  }
  std::ifstream in(file, std::ios::binary);
  char header[100] = {};
  in.read(header, sizeof header);
  const std::string start(header, static_cast<std::size_t>(in.gcount()));
  static constexpr char kMagic[] = "SQLite format 3";
  if (start.size() >= sizeof kMagic && std::memcmp(start.data(), kMagic, sizeof kMagic) == 0) {
    return;
  }
  std::string kind = "not an SQLite database";
  if (start.empty()) {
    kind = "an empty file";
  } else if (start.find("<seedplanPlan") != std::string::npos) {
    kind = "a seedplan plan file (XML), not a study record";
  } else if (start.find("<?xml") != std::string::npos || start[0] == '<') {
    kind = "an XML file, not a study record";
  }
  throw DataFormat(file.string() + ": " + kind +
                   "; expected a seedplan study record (SQLite, made by `seedplan study init`)");
}

std::string Integrity(SqliteDatabase& database, const std::string& pragma) {
  SqliteStatement check = database.Prepare("PRAGMA " + pragma);
  std::string problems;
  while (check.Step()) {
    const std::string line = check.Text(0);
    if (line != "ok") {
      problems += (problems.empty() ? "" : "; ") + line;
    }
  }
  return problems;
}

std::string GroupsText(const std::vector<std::string>& groups) {
  std::string text;
  for (const auto& group : groups) {
    text += (text.empty() ? "" : ", ") + group;
  }
  return text;
}

std::string ImplantKey(const std::string& lesionId, const std::string& date) {
  return lesionId + "@" + date;
}

const std::vector<std::string> kOrganMetrics = {"Dmax", "D0_1cc", "D1cc", "D2cc"};

} // namespace

// --- creation and opening ----------------------------------------------------------------------

void StudyRecord::Create(const fs::path& file, const StudyInfo& info, const std::string& user) {
  const FieldSpec id = spec::Id("study_id", "study id");
  const FieldSpec title = spec::Text("title", "title", true);
  id.Parse(info.studyId, "--id");
  title.Parse(info.title, "--title");
  if (info.groups.empty()) {
    throw InvalidInput("--groups is empty; expected the study's treatment groups, e.g. "
                       "PD1,PD1_I125");
  }
  std::set<std::string> seen;
  for (const std::string& group : info.groups) {
    const bool valid = !group.empty() && group.size() <= 32 &&
                       std::isalpha(static_cast<unsigned char>(group[0])) &&
                       std::all_of(group.begin(), group.end(), [](char c) {
                         return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
                       });
    if (!valid || FieldSpec::LooksMissing(group)) {
      throw InvalidInput("--groups item '" + group +
                         "'; expected a group name of letters, digits and '_' starting with a "
                         "letter (it becomes a term of the analyses, e.g. groupPD1_I125)");
    }
    if (!seen.insert(group).second) {
      throw InvalidInput("--groups names " + group + " twice; expected distinct groups");
    }
  }
  std::error_code error;
  if (fs::exists(file, error)) {
    throw Io(file.string() + ": already exists; expected a new file name");
  }
  CheckFolderWritable(file);
  const fs::path temporary = TemporaryBeside(file);
  try {
    {
      SqliteDatabase database(temporary, SqliteDatabase::OpenMode::Create);
      database.Execute("PRAGMA journal_mode = WAL");
      database.Execute("PRAGMA synchronous = FULL");
      database.Execute("PRAGMA foreign_keys = ON");
      SqliteTransaction transaction(database);
      SchemaMigrations::Migrate(database);
      const std::string now = AuditTrail::NowUtc();
      sql::Insert(database, "study",
                  {{"singleton", std::int64_t{1}},
                   {"study_id", info.studyId},
                   {"title", info.title},
                   {"created_utc", now},
                   {"created_by", user},
                   {"program_version", std::string(SEEDPLAN_VERSION)}});
      for (std::size_t i = 0; i < info.groups.size(); ++i) {
        sql::Insert(database, "study_groups",
                    {{"group_name", info.groups[i]}, {"position", std::int64_t(i)}});
      }
      AuditTrail audit(user, "study init");
      audit.Schema(database, "created study " + info.studyId + " (groups " +
                                 GroupsText(info.groups) + "), schema version " +
                                 std::to_string(SchemaMigrations::LatestVersion()));
      transaction.Commit();
    } // closing the last connection checkpoints the WAL into the file and removes it
    LinkIntoPlace(temporary, file);
  } catch (...) {
    RemoveDatabaseFiles(temporary);
    throw;
  }
}

StudyRecord StudyRecord::Open(const fs::path& file, const std::string& user,
                              const std::string& command, IntegrityCheck check) {
  CheckLooksLikeSqlite(file);
  SqliteDatabase database(file, SqliteDatabase::OpenMode::ReadWrite);
  const FieldValue applicationId = database.QueryValue("PRAGMA application_id");
  if (applicationId != FieldValue(std::int64_t{SchemaMigrations::kApplicationId})) {
    throw DataFormat(
        file.string() + ": an SQLite database but not a seedplan study record (application_id " +
        FieldSpec::Format(applicationId) + "); expected a file made by `seedplan study init`");
  }
  const std::int64_t version = std::get<std::int64_t>(database.QueryValue("PRAGMA user_version"));
  const int latest = SchemaMigrations::LatestVersion();
  if (version > latest) {
    throw DataFormat(file.string() + ": study record of schema version " + std::to_string(version) +
                     "; this seedplan (" + SEEDPLAN_VERSION + ") reads versions up to " +
                     std::to_string(latest) + ": the file was written by a newer seedplan");
  }
  StudyRecord record(std::move(database), user, command);
  record.CheckIntegrity(check);
  record.m_Database.Execute("PRAGMA foreign_keys = ON");
  record.m_Database.Execute("PRAGMA synchronous = FULL");
  if (FieldSpec::Format(record.m_Database.QueryValue("PRAGMA journal_mode")) != "wal") {
    record.m_Database.Execute("PRAGMA journal_mode = WAL");
  }
  if (version < latest) {
    SqliteTransaction transaction(record.m_Database);
    // Another process may have migrated it meanwhile: Migrate reads the version again, inside the
    // write lock.
    const std::int64_t before =
        std::get<std::int64_t>(record.m_Database.QueryValue("PRAGMA user_version"));
    if (SchemaMigrations::Migrate(record.m_Database) > 0) {
      record.m_Audit.Schema(record.m_Database, "migrated schema version " + std::to_string(before) +
                                                   " to " + std::to_string(latest));
    }
    transaction.Commit();
  }
  record.LoadInfo();
  return record;
}

StudyRecord::StudyRecord(SqliteDatabase database, std::string user, std::string command)
    : m_Database(std::move(database)), m_Audit(std::move(user), std::move(command)) {}

StudyRecord::StudyRecord(StudyRecord&&) noexcept = default;
StudyRecord& StudyRecord::operator=(StudyRecord&&) noexcept = default;
StudyRecord::~StudyRecord() = default;

void StudyRecord::LoadInfo() {
  SqliteStatement study = m_Database.Prepare(
      "SELECT study_id, title, created_utc, created_by, program_version FROM study");
  if (!study.Step()) {
    throw DataFormat(File().string() + ": the study record has no study entry; expected a file "
                                       "made by `seedplan study init`");
  }
  m_Info.studyId = study.Text(0);
  m_Info.title = study.Text(1);
  m_Info.createdUtc = study.Text(2);
  m_Info.createdBy = study.Text(3);
  m_Info.programVersion = study.Text(4);
  m_Info.groups.clear();
  SqliteStatement groups =
      m_Database.Prepare("SELECT group_name FROM study_groups ORDER BY position");
  while (groups.Step()) {
    m_Info.groups.push_back(groups.Text(0));
  }
  m_Info.schemaVersion =
      static_cast<int>(std::get<std::int64_t>(m_Database.QueryValue("PRAGMA user_version")));
}

void StudyRecord::CheckIntegrity(IntegrityCheck check) {
  const std::string problems =
      Integrity(m_Database, check == IntegrityCheck::Full ? "integrity_check" : "quick_check");
  if (!problems.empty()) {
    throw DataFormat(File().string() + ": the study record is damaged (" +
                     (check == IntegrityCheck::Full ? "integrity_check" : "quick_check") + ": " +
                     problems.substr(0, 300) + "); restore it from a backup");
  }
  if (check == IntegrityCheck::Quick) {
    return; // every write enforces the foreign keys; the full check verifies them again
  }
  SqliteStatement foreignKeys = m_Database.Prepare("PRAGMA foreign_key_check");
  if (foreignKeys.Step()) {
    throw DataFormat(File().string() + ": the study record is damaged (an entry of table " +
                     foreignKeys.Text(0) + " refers to a missing entry); restore it from a backup");
  }
}

std::unique_ptr<SqliteTransaction> StudyRecord::BeginCommand() {
  return std::make_unique<SqliteTransaction>(m_Database);
}

// --- lookups -----------------------------------------------------------------------------------

bool StudyRecord::HasPatient(const std::string& patientId) {
  SqliteStatement select = m_Database.Prepare("SELECT 1 FROM patients WHERE patient_id = ?");
  select.Bind(1, patientId);
  return select.Step();
}

std::optional<PatientRecord> StudyRecord::FindPatient(const std::string& patientId) {
  auto found = sql::Select<PatientRecord>(m_Database, PatientRecord::Fields(), "patients", {},
                                          "patient_id = ?", {patientId}, "patient_id");
  if (found.empty()) {
    return std::nullopt;
  }
  return found.front();
}

PatientRecord StudyRecord::RequirePatient(const std::string& patientId,
                                          const std::string& context) {
  std::optional<PatientRecord> patient = FindPatient(patientId);
  if (!patient) {
    throw InvalidInput(context + " " + patientId + " is not a patient of " + File().string() +
                       "; expected a patient added with `seedplan study add-patient`");
  }
  return *patient;
}

std::vector<LesionRecord> StudyRecord::Lesions(const std::string& patientId) {
  return sql::Select<LesionRecord>(m_Database, LesionRecord::Fields(), "lesions", {},
                                   "patient_id = ?", {patientId}, "rowid");
}

void StudyRecord::CheckLesionExists(const std::string& patientId, const std::string& lesionId,
                                    const std::string& context) {
  SqliteStatement select =
      m_Database.Prepare("SELECT 1 FROM lesions WHERE patient_id = ? AND lesion_id = ?");
  select.Bind(1, patientId).Bind(2, lesionId);
  if (!select.Step()) {
    std::string known;
    for (const LesionRecord& lesion : Lesions(patientId)) {
      known += (known.empty() ? "" : ", ") + lesion.lesionId;
    }
    throw InvalidInput(context + " " + lesionId + " is not a lesion of patient " + patientId +
                       " in " + File().string() + "; expected " +
                       (known.empty() ? std::string("a lesion added with `seedplan study "
                                                    "add-lesion` (the patient has none)")
                                      : "one of " + known));
  }
}

// --- snapshot ----------------------------------------------------------------------------------

StudySnapshot StudyRecord::Snapshot(const std::string& patientId) {
  SqliteTransaction transaction(m_Database, SqliteTransaction::Kind::Read);
  StudySnapshot snapshot;
  LoadInfo();
  snapshot.info = m_Info;
  const std::string where = patientId.empty() ? "" : "patient_id = ?";
  std::vector<FieldValue> parameters;
  if (!patientId.empty()) {
    parameters.emplace_back(patientId);
  }
  snapshot.patients = sql::Select<PatientRecord>(m_Database, PatientRecord::Fields(), "patients",
                                                 {}, where, parameters, "patient_id");
  snapshot.lesions = sql::Select<LesionRecord>(m_Database, LesionRecord::Fields(), "lesions", {},
                                               where, parameters, "patient_id, rowid");

  std::map<std::int64_t, std::size_t> implantIndex;
  std::vector<std::int64_t> implantNumbers;
  snapshot.implants =
      sql::Select<ImplantRecord>(m_Database, ImplantRecord::Fields(), "implants", {"implant_no"},
                                 where, parameters, "patient_id, implant_date, implant_no",
                                 [&](ImplantRecord&, const SqliteStatement& row, int column) {
                                   implantNumbers.push_back(row.Integer(column));
                                 });
  for (std::size_t i = 0; i < implantNumbers.size(); ++i) {
    implantIndex[implantNumbers[i]] = i;
  }
  {
    SqliteStatement organs = m_Database.Prepare(
        "SELECT o.implant_no, o.structure, o.metric, o.limit_gy, o.planned_gy, o.post_gy FROM "
        "organ_doses o JOIN implants i ON i.implant_no = o.implant_no" +
        std::string(patientId.empty() ? "" : " WHERE i.patient_id = ?") + " ORDER BY o.rowid");
    if (!patientId.empty()) {
      organs.Bind(1, patientId);
    }
    while (organs.Step()) {
      const auto found = implantIndex.find(organs.Integer(0));
      if (found == implantIndex.end()) {
        continue;
      }
      ImplantRecord::OrganDose dose;
      dose.structure = organs.Text(1);
      dose.metric = organs.Text(2);
      const auto optional = [&](int column) {
        return organs.IsNull(column) ? std::optional<double>() : organs.Real(column);
      };
      dose.limitGy = optional(3);
      dose.plannedGy = optional(4);
      dose.postGy = optional(5);
      snapshot.implants[found->second].organDoses.push_back(dose);
    }
  }

  std::map<std::int64_t, std::size_t> followUpIndex;
  std::vector<std::int64_t> followUpNumbers;
  snapshot.followUps = sql::Select<FollowUpRecord>(
      m_Database, FollowUpRecord::Fields(), "followups", {"followup_no"}, where, parameters,
      "patient_id, date", [&](FollowUpRecord&, const SqliteStatement& row, int column) {
        followUpNumbers.push_back(row.Integer(column));
      });
  for (std::size_t i = 0; i < followUpNumbers.size(); ++i) {
    followUpIndex[followUpNumbers[i]] = i;
  }
  {
    SqliteStatement responses = m_Database.Prepare(
        "SELECT followup_no, lesion_id, response FROM lesion_responses" +
        std::string(patientId.empty() ? "" : " WHERE patient_id = ?") + " ORDER BY rowid");
    if (!patientId.empty()) {
      responses.Bind(1, patientId);
    }
    while (responses.Step()) {
      const auto found = followUpIndex.find(responses.Integer(0));
      if (found != followUpIndex.end()) {
        snapshot.followUps[found->second].lesionResponses.push_back(
            {responses.Text(1), responses.Text(2)});
      }
    }
  }
  snapshot.events =
      sql::Select<StudyEventRecord>(m_Database, StudyEventRecord::Fields(), "events", {"event_no"},
                                    where, parameters, "patient_id, date, event_no",
                                    [](StudyEventRecord& event, const SqliteStatement& row,
                                       int column) { event.eventNo = row.Integer(column); });
  snapshot.adverseEvents = sql::Select<AdverseEventRecord>(
      m_Database, AdverseEventRecord::Fields(), "adverse_events", {"ae_no"}, where, parameters,
      "patient_id, date, ae_no",
      [](AdverseEventRecord& adverseEvent, const SqliteStatement& row, int column) {
        adverseEvent.aeNo = row.Integer(column);
      });
  transaction.Commit();
  return snapshot;
}

std::vector<AuditEntry> StudyRecord::Audit(const std::string& patientId) {
  return AuditTrail::Read(m_Database, patientId);
}

// --- changes -----------------------------------------------------------------------------------

void StudyRecord::CheckChronology(const std::string& patientId) {
  const PatientRecord patient = RequirePatient(patientId, "patient_id");
  const std::vector<FieldValue> parameters = {patientId};
  const auto followUps = sql::Select<FollowUpRecord>(
      m_Database, FollowUpRecord::Fields(), "followups", {}, "patient_id = ?", parameters, "date");
  const auto events = sql::Select<StudyEventRecord>(
      m_Database, StudyEventRecord::Fields(), "events", {}, "patient_id = ?", parameters, "date");
  const auto adverseEvents =
      sql::Select<AdverseEventRecord>(m_Database, AdverseEventRecord::Fields(), "adverse_events",
                                      {}, "patient_id = ?", parameters, "date");
  PatientChronology::Check(patient, followUps, events, adverseEvents);
}

void StudyRecord::AddPatient(PatientRecord patient) {
  PatientRecord::Fields().Check(patient, "patient");
  SqliteTransaction transaction(m_Database);
  if (std::find(m_Info.groups.begin(), m_Info.groups.end(), patient.group) == m_Info.groups.end()) {
    throw InvalidInput("group '" + patient.group + "' of patient " + patient.patientId +
                       "; expected one of the study's groups " + GroupsText(m_Info.groups));
  }
  if (HasPatient(patient.patientId)) {
    throw InvalidInput("patient_id " + patient.patientId + " is already in " + File().string() +
                       "; expected a new patient id (`seedplan study correct` changes an "
                       "entry)");
  }
  NamedValues values = sql::Values(PatientRecord::Fields(), patient);
  values.emplace_back("entered_utc", AuditTrail::NowUtc());
  sql::Insert(m_Database, "patients", values);
  values.pop_back();
  m_Audit.Insert(m_Database, "patients", patient.patientId, "", values);
  transaction.Commit();
}

void StudyRecord::AddLesion(LesionRecord lesion) {
  LesionRecord::Fields().Check(lesion, "lesion");
  SqliteTransaction transaction(m_Database);
  RequirePatient(lesion.patientId, "patient_id");
  const std::vector<LesionRecord> existing = Lesions(lesion.patientId);
  for (const LesionRecord& other : existing) {
    if (other.lesionId == lesion.lesionId) {
      throw InvalidInput("lesion_id " + lesion.lesionId + " of patient " + lesion.patientId +
                         " is already in " + File().string() + "; expected a new lesion id");
    }
    if (lesion.isIndex && other.isIndex) {
      throw InvalidInput("lesion " + lesion.lesionId + " given as index lesion of patient " +
                         lesion.patientId + ", whose index lesion is " + other.lesionId +
                         "; expected one index lesion per patient");
    }
  }
  NamedValues values = sql::Values(LesionRecord::Fields(), lesion);
  values.emplace_back("entered_utc", AuditTrail::NowUtc());
  sql::Insert(m_Database, "lesions", values);
  values.pop_back();
  m_Audit.Insert(m_Database, "lesions", lesion.patientId, lesion.lesionId, values);
  transaction.Commit();
}

void StudyRecord::AddFollowUp(FollowUpRecord followUp) {
  FollowUpRecord::Fields().Check(followUp, "follow-up");
  if ((followUp.response || !followUp.lesionResponses.empty()) && !followUp.criteria) {
    followUp.criteria = "RECIST1.1";
  }
  const FieldSpec responseSpec =
      spec::Choice("response", "response", StudyVocabulary::Responses(), true);
  for (auto& item : followUp.lesionResponses) {
    item.response =
        std::get<std::string>(responseSpec.Check(item.response, "response of " + item.lesionId));
  }
  SqliteTransaction transaction(m_Database);
  RequirePatient(followUp.patientId, "patient_id");
  {
    SqliteStatement duplicate =
        m_Database.Prepare("SELECT 1 FROM followups WHERE patient_id = ? AND date = ?");
    duplicate.Bind(1, followUp.patientId).Bind(2, followUp.date);
    if (duplicate.Step()) {
      throw InvalidInput("date " + followUp.date + ": patient " + followUp.patientId +
                         " already has a follow-up on that date in " + File().string() +
                         "; expected one follow-up per date (`seedplan study correct` changes "
                         "it)");
    }
  }
  std::set<std::string> seen;
  for (const auto& item : followUp.lesionResponses) {
    CheckLesionExists(followUp.patientId, item.lesionId, "--lesion-response lesion");
    if (!seen.insert(item.lesionId).second) {
      throw InvalidInput("--lesion-response names lesion " + item.lesionId +
                         " twice; expected one response per lesion");
    }
  }
  NamedValues values = sql::Values(FollowUpRecord::Fields(), followUp);
  values.emplace_back("entered_utc", AuditTrail::NowUtc());
  const std::int64_t number = sql::Insert(m_Database, "followups", values);
  values.pop_back();
  for (const auto& item : followUp.lesionResponses) {
    sql::Insert(m_Database, "lesion_responses",
                {{"followup_no", number},
                 {"patient_id", followUp.patientId},
                 {"lesion_id", item.lesionId},
                 {"response", item.response}});
  }
  values.emplace_back("lesion_responses",
                      FollowUpRecord::FormatLesionResponses(followUp.lesionResponses));
  CheckChronology(followUp.patientId);
  m_Audit.Insert(m_Database, "followups", followUp.patientId, followUp.date, values);
  transaction.Commit();
}

std::int64_t StudyRecord::AddEvent(StudyEventRecord event) {
  StudyEventRecord::Fields().Check(event, "event");
  SqliteTransaction transaction(m_Database);
  RequirePatient(event.patientId, "patient_id");
  if (event.type == "local-progression") {
    if (!event.lesionId) {
      throw InvalidInput("local-progression of patient " + event.patientId + " on " + event.date +
                         " names no lesion; expected --lesion ID");
    }
    CheckLesionExists(event.patientId, *event.lesionId, "--lesion");
  } else if (event.lesionId) {
    throw InvalidInput("--lesion " + *event.lesionId + " given for a " + event.type +
                       " event; expected a lesion for local-progression only");
  }
  {
    SqliteStatement duplicate = m_Database.Prepare(
        "SELECT event_no FROM events WHERE patient_id = ? AND type = ? AND date = ? AND "
        "lesion_id IS ?");
    duplicate.Bind(1, event.patientId)
        .Bind(2, event.type)
        .Bind(3, event.date)
        .Bind(4, event.lesionId ? FieldValue(*event.lesionId) : FieldValue());
    if (duplicate.Step()) {
      throw InvalidInput(event.type + " of patient " + event.patientId + " on " + event.date +
                         " is already in " + File().string() + " (event #" +
                         std::to_string(duplicate.Integer(0)) + "); expected a new event");
    }
  }
  NamedValues values = sql::Values(StudyEventRecord::Fields(), event);
  values.emplace_back("entered_utc", AuditTrail::NowUtc());
  const std::int64_t number = sql::Insert(m_Database, "events", values);
  values.pop_back();
  CheckChronology(event.patientId);
  m_Audit.Insert(m_Database, "events", event.patientId, "#" + std::to_string(number), values);
  transaction.Commit();
  return number;
}

std::int64_t StudyRecord::AddAdverseEvent(AdverseEventRecord adverseEvent) {
  AdverseEventRecord::Fields().Check(adverseEvent, "adverse event");
  SqliteTransaction transaction(m_Database);
  RequirePatient(adverseEvent.patientId, "patient_id");
  {
    SqliteStatement duplicate = m_Database.Prepare(
        "SELECT ae_no FROM adverse_events WHERE patient_id = ? AND term = ? AND date = ? AND "
        "grade = ?");
    duplicate.Bind(1, adverseEvent.patientId)
        .Bind(2, adverseEvent.term)
        .Bind(3, adverseEvent.date)
        .Bind(4, std::int64_t{*adverseEvent.grade});
    if (duplicate.Step()) {
      throw InvalidInput("adverse event '" + adverseEvent.term + "' grade " +
                         std::to_string(*adverseEvent.grade) + " of patient " +
                         adverseEvent.patientId + " on " + adverseEvent.date + " is already in " +
                         File().string() + " (#" + std::to_string(duplicate.Integer(0)) +
                         "); expected a new entry");
    }
  }
  NamedValues values = sql::Values(AdverseEventRecord::Fields(), adverseEvent);
  values.emplace_back("entered_utc", AuditTrail::NowUtc());
  const std::int64_t number = sql::Insert(m_Database, "adverse_events", values);
  values.pop_back();
  CheckChronology(adverseEvent.patientId);
  m_Audit.Insert(m_Database, "adverse_events", adverseEvent.patientId, "#" + std::to_string(number),
                 values);
  transaction.Commit();
  return number;
}

StudyRecord::ImplantLogResult StudyRecord::LogImplant(ImplantRecord implant, ImplantPart part,
                                                      const std::string& reason) {
  const std::string what = "implant of lesion " + implant.lesionId;
  ImplantRecord::Fields().Check(implant, what);
  for (const auto& dose : implant.organDoses) {
    if (dose.structure.empty() ||
        std::find(kOrganMetrics.begin(), kOrganMetrics.end(), dose.metric) == kOrganMetrics.end()) {
      throw InvalidInput(what + ": organ dose '" + dose.structure + " " + dose.metric +
                         "'; expected a structure and Dmax, D0_1cc, D1cc or D2cc");
    }
  }
  SqliteTransaction transaction(m_Database);
  RequirePatient(implant.patientId, "--study-patient");
  CheckLesionExists(implant.patientId, implant.lesionId,
                    "target " + implant.targetStructure + " maps to lesion");
  const std::string key = ImplantKey(implant.lesionId, implant.implantDate);
  const auto& fields = ImplantRecord::Fields();
  ImplantLogResult result;

  std::optional<std::int64_t> number;
  std::optional<ImplantRecord> existing;
  {
    auto found = sql::Select<ImplantRecord>(
        m_Database, fields, "implants", {"implant_no"},
        "patient_id = ? AND lesion_id = ? AND implant_date = ?",
        {implant.patientId, implant.lesionId, implant.implantDate}, "implant_no",
        [&](ImplantRecord&, const SqliteStatement& row, int column) {
          number = row.Integer(column);
        });
    if (!found.empty()) {
      existing = found.front();
    }
  }
  const std::string now = AuditTrail::NowUtc();
  const auto organKey = [](const ImplantRecord::OrganDose& dose) {
    return dose.structure + " " + dose.metric;
  };
  const auto optionalValue = [](const std::optional<double>& value) {
    return value ? FieldValue(*value) : FieldValue();
  };

  if (!existing) {
    NamedValues values = sql::Values(fields, implant);
    values.emplace_back("logged_utc", now);
    if (part == ImplantPart::PostImplant) {
      values.emplace_back("post_logged_utc", now);
    }
    number = sql::Insert(m_Database, "implants", values);
    values.pop_back();
    if (part == ImplantPart::PostImplant) {
      values.pop_back();
    }
    for (const auto& dose : implant.organDoses) {
      sql::Insert(m_Database, "organ_doses",
                  {{"implant_no", *number},
                   {"structure", dose.structure},
                   {"metric", dose.metric},
                   {"limit_gy", optionalValue(dose.limitGy)},
                   {"planned_gy", optionalValue(dose.plannedGy)},
                   {"post_gy", optionalValue(dose.postGy)}});
      values.emplace_back("organ " + organKey(dose),
                          "limit " + FieldSpec::Format(optionalValue(dose.limitGy)) +
                              " Gy, planned " + FieldSpec::Format(optionalValue(dose.plannedGy)) +
                              " Gy, post " + FieldSpec::Format(optionalValue(dose.postGy)) + " Gy");
    }
    m_Audit.Insert(m_Database, "implants", implant.patientId, key, values);
    result.inserted = true;
    transaction.Commit();
    return result;
  }

  const bool post = part == ImplantPart::PostImplant;
  for (const auto& field : fields.All()) {
    const std::string& name = field.spec.name;
    if (name == "patient_id" || name == "lesion_id" || name == "implant_date" ||
        ImplantRecord::IsPostImplantField(name) != post) {
      continue;
    }
    const FieldValue newValue = RecordFields<ImplantRecord>::Get(implant, field);
    if (ImplantRecord::IsEnteredField(name) && IsNull(newValue)) {
      continue;
    }
    const FieldValue oldValue = RecordFields<ImplantRecord>::Get(*existing, field);
    if (oldValue == newValue) {
      continue;
    }
    SqliteStatement update =
        m_Database.Prepare("UPDATE implants SET " + sql::Quote(name) + " = ? WHERE implant_no = ?");
    update.Bind(1, newValue).Bind(2, *number);
    update.Run();
    m_Audit.Change(m_Database, "update", "implants", implant.patientId, key, name, oldValue,
                   newValue, reason);
    result.changedFields.push_back(name);
  }
  const char* valueColumn = post ? "post_gy" : "planned_gy";
  for (const auto& dose : implant.organDoses) {
    const FieldValue newValue = optionalValue(post ? dose.postGy : dose.plannedGy);
    SqliteStatement select = m_Database.Prepare(
        std::string("SELECT limit_gy, ") + valueColumn +
        " FROM organ_doses WHERE implant_no = ? AND structure = ? AND metric = ?");
    select.Bind(1, *number).Bind(2, dose.structure).Bind(3, dose.metric);
    const std::string field = "organ " + organKey(dose);
    if (!select.Step()) {
      sql::Insert(m_Database, "organ_doses",
                  {{"implant_no", *number},
                   {"structure", dose.structure},
                   {"metric", dose.metric},
                   {"limit_gy", optionalValue(dose.limitGy)},
                   {valueColumn, newValue}});
      m_Audit.Change(m_Database, "update", "organ_doses", implant.patientId, key,
                     field + " " + valueColumn, {}, newValue, reason);
      result.changedFields.push_back(field);
      continue;
    }
    const FieldValue oldLimit = select.Value(0);
    const FieldValue oldValue = select.Value(1);
    const FieldValue newLimit = optionalValue(dose.limitGy);
    if (oldValue != newValue || (!post && oldLimit != newLimit)) {
      SqliteStatement update = m_Database.Prepare(
          std::string("UPDATE organ_doses SET ") + valueColumn +
          " = ?, limit_gy = coalesce(?, limit_gy) WHERE implant_no = ? AND structure = ? AND "
          "metric = ?");
      update.Bind(1, newValue)
          .Bind(2, newLimit)
          .Bind(3, *number)
          .Bind(4, dose.structure)
          .Bind(5, dose.metric);
      update.Run();
      if (oldValue != newValue) {
        m_Audit.Change(m_Database, "update", "organ_doses", implant.patientId, key,
                       field + " " + valueColumn, oldValue, newValue, reason);
      }
      if (!post && oldLimit != newLimit) {
        m_Audit.Change(m_Database, "update", "organ_doses", implant.patientId, key,
                       field + " limit_gy", oldLimit, newLimit, reason);
      }
      result.changedFields.push_back(field);
    }
  }
  SqliteStatement stamp =
      m_Database.Prepare(std::string("UPDATE implants SET ") +
                         (post ? "post_logged_utc" : "logged_utc") + " = ? WHERE implant_no = ?");
  stamp.Bind(1, now).Bind(2, *number);
  stamp.Run();
  transaction.Commit();
  return result;
}

// --- corrections -------------------------------------------------------------------------------

void StudyRecord::Correct(const Correction& correction) {
  const FieldSpec reasonSpec = spec::Text("reason", "reason", true);
  reasonSpec.Parse(correction.reason, "--reason");
  SqliteTransaction transaction(m_Database);
  RequirePatient(correction.patientId, "--patient");
  if (correction.remove) {
    RemoveEntry(correction);
  } else {
    CorrectValue(correction);
  }
  CheckChronology(correction.patientId);
  transaction.Commit();
}

namespace {

/// Where one entry lives: its table, the SQL condition that finds it and the audit's name of it.
struct EntryLocation {
  std::string table;
  std::string where;
  std::vector<FieldValue> parameters;
  std::string entry;
  std::string description;
};

std::int64_t ParseEntryNumber(const std::string& key, const std::string& option) {
  const FieldSpec number = spec::Integer("number", "entry number", "", 1, 9e15, true);
  return std::get<std::int64_t>(number.Parse(key.rfind('#', 0) == 0 ? key.substr(1) : key, option));
}

EntryLocation Locate(const Correction& correction) {
  const std::string& patient = correction.patientId;
  switch (correction.entry) {
  case Correction::Entry::Patient:
    return {"patients", "patient_id = ?", {patient}, "", "patient " + patient};
  case Correction::Entry::Lesion:
    return {"lesions",
            "patient_id = ? AND lesion_id = ?",
            {patient, correction.key},
            correction.key,
            "lesion " + correction.key + " of patient " + patient};
  case Correction::Entry::FollowUp:
    IsoDate::Parse(correction.key, "--followup");
    return {"followups",
            "patient_id = ? AND date = ?",
            {patient, correction.key},
            correction.key,
            "follow-up of patient " + patient + " on " + correction.key};
  case Correction::Entry::Event: {
    const std::int64_t number = ParseEntryNumber(correction.key, "--event");
    return {"events",
            "patient_id = ? AND event_no = ?",
            {patient, number},
            "#" + std::to_string(number),
            "event #" + std::to_string(number) + " of patient " + patient};
  }
  case Correction::Entry::AdverseEvent: {
    const std::int64_t number = ParseEntryNumber(correction.key, "--ae");
    return {"adverse_events",
            "patient_id = ? AND ae_no = ?",
            {patient, number},
            "#" + std::to_string(number),
            "adverse event #" + std::to_string(number) + " of patient " + patient};
  }
  case Correction::Entry::Implant: {
    const std::size_t at = correction.key.rfind('@');
    if (at == std::string::npos) {
      throw InvalidInput("--implant is '" + correction.key +
                         "'; expected LESION@YYYY-MM-DD (lesion and implant date)");
    }
    const std::string lesion = correction.key.substr(0, at);
    const std::string date =
        IsoDate::Parse(correction.key.substr(at + 1), "--implant date").ToString();
    return {"implants",
            "patient_id = ? AND lesion_id = ? AND implant_date = ?",
            {patient, lesion, date},
            ImplantKey(lesion, date),
            "implant of lesion " + lesion + " of patient " + patient + " on " + date};
  }
  }
  throw InvalidInput("unknown entry");
}

template <class R>
const FieldSpec* FindSpec(const RecordFields<R>& fields, const std::string& name) {
  const auto* field = fields.Find(name);
  return field ? &field->spec : nullptr;
}

std::string FieldNames(const std::vector<FieldSpec>& specs) {
  std::string text;
  for (const auto& spec : specs) {
    text += (text.empty() ? "" : ", ") + spec.name;
  }
  return text;
}

} // namespace

void StudyRecord::CorrectValue(const Correction& correction) {
  const EntryLocation location = Locate(correction);
  // Which fields a person may correct: everything entered but the keys; an implant's values come
  // from its plans (log the corrected plan instead), except the ones a person gives.
  std::vector<FieldSpec> correctable;
  const auto collect = [&](const std::vector<FieldSpec>& specs) {
    for (const FieldSpec& spec : specs) {
      if (spec.name != "patient_id" && spec.name != "lesion_id" && !spec.derived) {
        correctable.push_back(spec);
      }
    }
  };
  switch (correction.entry) {
  case Correction::Entry::Patient:
    collect(PatientRecord::Fields().Specs());
    break;
  case Correction::Entry::Lesion:
    collect(LesionRecord::Fields().Specs());
    break;
  case Correction::Entry::FollowUp:
    collect(FollowUpRecord::Fields().Specs());
    correctable.push_back(spec::Text("lesion_responses", "lesion responses"));
    break;
  case Correction::Entry::Event:
    collect(StudyEventRecord::Fields().Specs());
    correctable.push_back(spec::Id("lesion_id", "lesion", false));
    break;
  case Correction::Entry::AdverseEvent:
    collect(AdverseEventRecord::Fields().Specs());
    break;
  case Correction::Entry::Implant:
    for (const FieldSpec& spec : ImplantRecord::Fields().Specs()) {
      if (ImplantRecord::IsEnteredField(spec.name)) {
        correctable.push_back(spec);
      }
    }
    break;
  }
  const auto found = std::find_if(correctable.begin(), correctable.end(),
                                  [&](const FieldSpec& s) { return s.name == correction.field; });
  if (found == correctable.end()) {
    throw InvalidInput("--field is '" + correction.field + "' for " + location.description +
                       "; expected one of " + FieldNames(correctable));
  }
  const FieldSpec& spec = *found;
  std::string currentSql = "SELECT 1 FROM " + location.table + " WHERE " + location.where;
  const bool lesionResponses = spec.name == "lesion_responses";
  if (!lesionResponses) {
    currentSql =
        "SELECT " + sql::Quote(spec.name) + " FROM " + location.table + " WHERE " + location.where;
  }
  SqliteStatement current = m_Database.Prepare(currentSql);
  for (std::size_t i = 0; i < location.parameters.size(); ++i) {
    current.Bind(static_cast<int>(i) + 1, location.parameters[i]);
  }
  if (!current.Step()) {
    throw InvalidInput(location.description + " is not in " + File().string() +
                       "; expected an existing entry (see `seedplan study show --patient " +
                       correction.patientId + "`)");
  }
  const std::string context = "--value for " + spec.name;

  if (lesionResponses) {
    SqliteStatement find =
        m_Database.Prepare("SELECT followup_no FROM followups WHERE patient_id = ? AND date = ?");
    find.Bind(1, correction.patientId).Bind(2, correction.key);
    find.Step();
    const std::int64_t number = find.Integer(0);
    std::vector<FollowUpRecord::LesionResponse> before;
    {
      SqliteStatement select = m_Database.Prepare(
          "SELECT lesion_id, response FROM lesion_responses WHERE followup_no = ? ORDER BY rowid");
      select.Bind(1, number);
      while (select.Step()) {
        before.push_back({select.Text(0), select.Text(1)});
      }
    }
    const auto after = FollowUpRecord::ParseLesionResponses(correction.value, context);
    for (const auto& item : after) {
      CheckLesionExists(correction.patientId, item.lesionId, context + " lesion");
    }
    const std::string oldText = FollowUpRecord::FormatLesionResponses(before);
    const std::string newText = FollowUpRecord::FormatLesionResponses(after);
    if (oldText == newText) {
      throw InvalidInput(context + " is '" + correction.value +
                         "', the value already recorded; "
                         "expected a different value");
    }
    SqliteStatement remove =
        m_Database.Prepare("DELETE FROM lesion_responses WHERE followup_no = ?");
    remove.Bind(1, number);
    remove.Run();
    for (const auto& item : after) {
      sql::Insert(m_Database, "lesion_responses",
                  {{"followup_no", number},
                   {"patient_id", correction.patientId},
                   {"lesion_id", item.lesionId},
                   {"response", item.response}});
    }
    m_Audit.Change(m_Database, "correct", location.table, correction.patientId, location.entry,
                   spec.name, oldText.empty() ? FieldValue() : FieldValue(oldText),
                   newText.empty() ? FieldValue() : FieldValue(newText), correction.reason);
    return;
  }

  const FieldValue oldValue = current.Value(0);
  const FieldValue newValue = spec.Parse(correction.value, context);
  if (oldValue == newValue) {
    throw InvalidInput(context + " is '" + correction.value +
                       "', the value already recorded; expected a different value");
  }
  if (spec.name == "group") {
    const std::string group = std::get<std::string>(newValue);
    if (std::find(m_Info.groups.begin(), m_Info.groups.end(), group) == m_Info.groups.end()) {
      throw InvalidInput(context + " is '" + group + "'; expected one of the study's groups " +
                         GroupsText(m_Info.groups));
    }
  }
  if (correction.entry == Correction::Entry::Lesion && spec.name == "is_index" &&
      newValue == FieldValue(std::int64_t{1})) {
    for (const LesionRecord& other : Lesions(correction.patientId)) {
      if (other.isIndex && other.lesionId != correction.key) {
        throw InvalidInput(context + ": patient " + correction.patientId +
                           " already has index lesion " + other.lesionId +
                           "; expected one index lesion (correct it to 0 first)");
      }
    }
  }
  if (correction.entry == Correction::Entry::FollowUp && spec.name == "date") {
    SqliteStatement duplicate =
        m_Database.Prepare("SELECT 1 FROM followups WHERE patient_id = ? AND date = ?");
    duplicate.Bind(1, correction.patientId).Bind(2, newValue);
    if (duplicate.Step()) {
      throw InvalidInput(context + " is " + correction.value + ": patient " + correction.patientId +
                         " already has a follow-up on that date; expected a free date");
    }
  }
  if (correction.entry == Correction::Entry::Event &&
      (spec.name == "lesion_id" || spec.name == "type")) {
    if (spec.name == "lesion_id" && !IsNull(newValue)) {
      CheckLesionExists(correction.patientId, std::get<std::string>(newValue), context);
    }
    // The event's type and lesion must still agree (local-progression names a lesion) after the
    // change: checked by PatientChronology at the end of the command.
  }
  SqliteStatement update =
      m_Database.Prepare("UPDATE " + location.table + " SET " + sql::Quote(spec.name) +
                         " = ? WHERE " + location.where);
  update.Bind(1, newValue);
  for (std::size_t i = 0; i < location.parameters.size(); ++i) {
    update.Bind(static_cast<int>(i) + 2, location.parameters[i]);
  }
  update.Run();
  m_Audit.Change(m_Database, "correct", location.table, correction.patientId, location.entry,
                 spec.name, oldValue, newValue, correction.reason);
}

void StudyRecord::RemoveEntry(const Correction& correction) {
  if (correction.entry != Correction::Entry::FollowUp &&
      correction.entry != Correction::Entry::Event &&
      correction.entry != Correction::Entry::AdverseEvent) {
    throw InvalidInput("--delete removes a follow-up, an event or an adverse event; expected "
                       "--followup DATE, --event N or --ae N");
  }
  const EntryLocation location = Locate(correction);
  SqliteStatement select =
      m_Database.Prepare("SELECT * FROM " + location.table + " WHERE " + location.where);
  for (std::size_t i = 0; i < location.parameters.size(); ++i) {
    select.Bind(static_cast<int>(i) + 1, location.parameters[i]);
  }
  if (!select.Step()) {
    throw InvalidInput(location.description + " is not in " + File().string() +
                       "; expected an existing entry (see `seedplan study show --patient " +
                       correction.patientId + "`)");
  }
  NamedValues removed;
  for (int column = 0; column < select.ColumnCount(); ++column) {
    removed.emplace_back(select.ColumnName(column), select.Value(column));
  }
  if (correction.entry == Correction::Entry::FollowUp) {
    SqliteStatement responses = m_Database.Prepare(
        "DELETE FROM lesion_responses WHERE followup_no = (SELECT followup_no FROM followups "
        "WHERE patient_id = ? AND date = ?)");
    responses.Bind(1, location.parameters[0]).Bind(2, location.parameters[1]);
    responses.Run();
  }
  SqliteStatement remove =
      m_Database.Prepare("DELETE FROM " + location.table + " WHERE " + location.where);
  for (std::size_t i = 0; i < location.parameters.size(); ++i) {
    remove.Bind(static_cast<int>(i) + 1, location.parameters[i]);
  }
  remove.Run();
  m_Audit.Delete(m_Database, location.table, correction.patientId, location.entry, removed,
                 correction.reason);
}

// --- backup ------------------------------------------------------------------------------------

void StudyRecord::Backup(const fs::path& copy) {
  std::error_code error;
  if (fs::exists(copy, error)) {
    throw Io(copy.string() + ": already exists; expected a new file name for the backup");
  }
  CheckFolderWritable(copy);
  CheckIntegrity(IntegrityCheck::Full);
  const fs::path temporary = TemporaryBeside(copy);
  try {
    {
      SqliteDatabase destination(temporary, SqliteDatabase::OpenMode::Create);
      sqlite3_backup* backup =
          sqlite3_backup_init(destination.Handle(), "main", m_Database.Handle(), "main");
      if (!backup) {
        destination.Fail(sqlite3_errcode(destination.Handle()), "cannot start the backup");
      }
      // All pages in one step: a consistent snapshot of the source (its read lock holds the WAL
      // position while writers go on appending to the WAL).
      int code = SQLITE_OK;
      do {
        code = sqlite3_backup_step(backup, -1);
        if (code == SQLITE_BUSY || code == SQLITE_LOCKED) {
          sqlite3_sleep(50);
        }
      } while (code == SQLITE_OK || code == SQLITE_BUSY || code == SQLITE_LOCKED);
      sqlite3_backup_finish(backup);
      if (code != SQLITE_DONE) {
        destination.Fail(code, "cannot copy the study record to " + copy.string());
      }
      const std::string problems = Integrity(destination, "integrity_check");
      if (!problems.empty()) {
        throw DataFormat(copy.string() + ": the backup copy fails integrity_check (" + problems +
                         ")");
      }
    }
    LinkIntoPlace(temporary, copy);
  } catch (...) {
    RemoveDatabaseFiles(temporary);
    throw;
  }
}

} // namespace seedplan::study
