#pragma once

#include "seedplan/study/AuditEntry.h"
#include "seedplan/study/FieldSpec.h"

#include <string>
#include <utility>
#include <vector>

namespace seedplan::study {

class SqliteDatabase;

/// The audit trail of a study record (for one user and command): appends one AuditEntry per insert,
/// update, correction or deletion, inside the transaction of the change itself (so an entry and its
/// audit line are written together or not at all). The table is append-only (SQL triggers refuse
/// UPDATE and DELETE on it).
class AuditTrail {
public:
  AuditTrail(std::string user, std::string command);

  const std::string& User() const { return m_User; }
  const std::string& Command() const { return m_Command; }

  /// An inserted entry: its fields (name, value) as one JSON object in new_value.
  void Insert(SqliteDatabase& database, const std::string& table, const std::string& patientId,
              const std::string& entry,
              const std::vector<std::pair<std::string, FieldValue>>& fields);
  /// One changed value (action update or correct).
  void Change(SqliteDatabase& database, const std::string& action, const std::string& table,
              const std::string& patientId, const std::string& entry, const std::string& field,
              const FieldValue& oldValue, const FieldValue& newValue, const std::string& reason);
  /// A removed entry: its fields in old_value.
  void Delete(SqliteDatabase& database, const std::string& table, const std::string& patientId,
              const std::string& entry,
              const std::vector<std::pair<std::string, FieldValue>>& fields,
              const std::string& reason);
  /// A change of the record itself (creation, schema migration).
  void Schema(SqliteDatabase& database, const std::string& description);

  /// The trail, oldest first; only `patientId`'s lines when it is not empty.
  static std::vector<AuditEntry> Read(SqliteDatabase& database, const std::string& patientId = "");
  /// Now in UTC, YYYY-MM-DDTHH:MM:SS.mmmZ.
  static std::string NowUtc();
  /// The fields as a JSON object (numbers exact, missing values null).
  static std::string ToJson(const std::vector<std::pair<std::string, FieldValue>>& fields);

private:
  void Append(SqliteDatabase& database, const std::string& action, const std::string& table,
              const std::string& patientId, const std::string& entry, const std::string& field,
              const FieldValue& oldValue, const FieldValue& newValue, const std::string& reason);

  std::string m_User;
  std::string m_Command;
};

} // namespace seedplan::study
