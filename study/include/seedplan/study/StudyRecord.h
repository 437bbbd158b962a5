#pragma once

#include "seedplan/study/AuditEntry.h"
#include "seedplan/study/AuditTrail.h"
#include "seedplan/study/Correction.h"
#include "seedplan/study/SqliteDatabase.h"
#include "seedplan/study/SqliteTransaction.h"
#include "seedplan/study/StudySnapshot.h"

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace seedplan::study {

/// A study record: one SQLite database file per study (DESIGN.md, Study record) holding the
/// study, its patients, lesions, implants (every plan parameter and metric, planned and
/// post-implant), follow-ups, events, adverse events and an audit trail of every change.
///
/// Durability: WAL journal, synchronous=FULL (a committed entry survives a power cut), foreign
/// keys on, busy timeout 30 s; every change is one transaction together with its audit lines, so
/// a killed process leaves whole entries or none, and concurrent writers queue on SQLite's lock
/// (no lock file of seedplan's). A command that makes several changes wraps them in
/// BeginCommand(): one transaction for the whole command.
///
/// Opening refuses, leaving the file untouched: a file that is not an SQLite database (a plan, a
/// random file), an SQLite database that is not a seedplan study (application_id), a record of a
/// newer schema, and a record that fails PRAGMA quick_check (integrity_check with
/// IntegrityCheck::Full). An older schema is migrated (SchemaMigrations).
///
/// Bad input throws InvalidInput naming the field and the value, and nothing is written: unknown
/// patient or lesion ids, duplicates, dates out of order (PatientChronology), values outside their
/// FieldSpec, an unknown group.
class StudyRecord {
public:
  enum class IntegrityCheck { Quick, Full };
  enum class ImplantPart { Planned, PostImplant };

  /// What LogImplant did.
  struct ImplantLogResult {
    bool inserted = false;
    std::vector<std::string> changedFields; ///< for an update: the values that changed
  };

  /// Creates a new record (InvalidInput for a bad id, title or groups; Io if the file exists):
  /// built under a temporary name in the same folder and linked into place when complete.
  static void Create(const std::filesystem::path& file, const StudyInfo& info,
                     const std::string& user);
  /// Opens an existing record for `command` run by `user` (both go into the audit trail).
  static StudyRecord Open(const std::filesystem::path& file, const std::string& user,
                          const std::string& command, IntegrityCheck check = IntegrityCheck::Quick);

  StudyRecord(StudyRecord&&) noexcept;
  StudyRecord& operator=(StudyRecord&&) noexcept;
  ~StudyRecord();

  const std::filesystem::path& File() const { return m_Database.File(); }
  const StudyInfo& Info() const { return m_Info; }

  /// One transaction around several changes (a command's): commit it at the end; changes made
  /// while it is open join it.
  std::unique_ptr<SqliteTransaction> BeginCommand();

  void AddPatient(PatientRecord patient);
  void AddLesion(LesionRecord lesion);
  void AddFollowUp(FollowUpRecord followUp);
  /// Returns the event's number.
  std::int64_t AddEvent(StudyEventRecord event);
  /// Returns the adverse event's number.
  std::int64_t AddAdverseEvent(AdverseEventRecord adverseEvent);
  /// Logs an implant from a plan (Planned: the plan's fields; PostImplant: the post_* fields and
  /// seeds_implanted, and the post-implant organ doses). An implant of the same patient, lesion
  /// and date is updated: each changed value goes into the audit trail with `reason`.
  ImplantLogResult LogImplant(ImplantRecord implant, ImplantPart part, const std::string& reason);
  void Correct(const Correction& correction);

  bool HasPatient(const std::string& patientId);
  std::optional<PatientRecord> FindPatient(const std::string& patientId);
  std::vector<LesionRecord> Lesions(const std::string& patientId);
  /// Everything, or one patient's part when `patientId` is not empty, in one read transaction.
  StudySnapshot Snapshot(const std::string& patientId = "");
  std::vector<AuditEntry> Audit(const std::string& patientId = "");

  /// PRAGMA quick_check, or integrity_check plus foreign_key_check; DataFormat if one fails.
  void CheckIntegrity(IntegrityCheck check);
  /// A consistent copy with SQLite's online backup API (while others may write), written under a
  /// temporary name beside `copy` and renamed when complete and checked. Io if `copy` exists.
  void Backup(const std::filesystem::path& copy);

  SqliteDatabase& Database() { return m_Database; }

private:
  StudyRecord(SqliteDatabase database, std::string user, std::string command);
  void LoadInfo();
  PatientRecord RequirePatient(const std::string& patientId, const std::string& context);
  void CheckLesionExists(const std::string& patientId, const std::string& lesionId,
                         const std::string& context);
  void CheckChronology(const std::string& patientId);
  void CorrectValue(const Correction& correction);
  void RemoveEntry(const Correction& correction);

  SqliteDatabase m_Database;
  AuditTrail m_Audit;
  StudyInfo m_Info;
};

} // namespace seedplan::study
