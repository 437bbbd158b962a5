#include "seedplan/study/AuditTrail.h"

#include "seedplan/core/JsonWriter.h"
#include "seedplan/study/SqliteDatabase.h"
#include "seedplan/study/SqliteStatement.h"

#include <chrono>
#include <cstdio>
#include <ctime>

namespace seedplan::study {

AuditTrail::AuditTrail(std::string user, std::string command)
    : m_User(std::move(user)), m_Command(std::move(command)) {}

std::string AuditTrail::NowUtc() {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto milliseconds =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  // Sized for any int the fields could hold (GCC checks the worst case).
  char text[96];
  std::snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", utc.tm_year + 1900,
                utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec,
                static_cast<int>(milliseconds));
  return text;
}

std::string AuditTrail::ToJson(const std::vector<std::pair<std::string, FieldValue>>& fields) {
  JsonWriter json;
  json.BeginObject();
  for (const auto& [name, value] : fields) {
    json.Key(name);
    if (IsNull(value)) {
      json.Null();
    } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
      json.Integer(*integer);
    } else if (const auto* real = std::get_if<double>(&value)) {
      json.Number(*real, 17);
    } else {
      json.String(std::get<std::string>(value));
    }
  }
  json.EndObject();
  return json.Text();
}

void AuditTrail::Append(SqliteDatabase& database, const std::string& action,
                        const std::string& table, const std::string& patientId,
                        const std::string& entry, const std::string& field,
                        const FieldValue& oldValue, const FieldValue& newValue,
                        const std::string& reason) {
  const auto text = [](const FieldValue& value) -> FieldValue {
    return IsNull(value) ? FieldValue() : FieldValue(FieldSpec::Format(value));
  };
  const auto optionalText = [](const std::string& value) -> FieldValue {
    return value.empty() ? FieldValue() : FieldValue(value);
  };
  SqliteStatement insert = database.Prepare(
      "INSERT INTO audit (time_utc, user, command, action, table_name, patient_id, entry, field, "
      "old_value, new_value, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  insert.Bind(1, NowUtc())
      .Bind(2, m_User)
      .Bind(3, m_Command)
      .Bind(4, action)
      .Bind(5, table)
      .Bind(6, optionalText(patientId))
      .Bind(7, optionalText(entry))
      .Bind(8, optionalText(field))
      .Bind(9, text(oldValue))
      .Bind(10, text(newValue))
      .Bind(11, optionalText(reason));
  insert.Run();
}

void AuditTrail::Insert(SqliteDatabase& database, const std::string& table,
                        const std::string& patientId, const std::string& entry,
                        const std::vector<std::pair<std::string, FieldValue>>& fields) {
  Append(database, "insert", table, patientId, entry, "", {}, ToJson(fields), "");
}

void AuditTrail::Change(SqliteDatabase& database, const std::string& action,
                        const std::string& table, const std::string& patientId,
                        const std::string& entry, const std::string& field,
                        const FieldValue& oldValue, const FieldValue& newValue,
                        const std::string& reason) {
  Append(database, action, table, patientId, entry, field, oldValue, newValue, reason);
}

void AuditTrail::Delete(SqliteDatabase& database, const std::string& table,
                        const std::string& patientId, const std::string& entry,
                        const std::vector<std::pair<std::string, FieldValue>>& fields,
                        const std::string& reason) {
  Append(database, "delete", table, patientId, entry, "", ToJson(fields), {}, reason);
}

void AuditTrail::Schema(SqliteDatabase& database, const std::string& description) {
  Append(database, "schema", "study", "", "", "", {}, description, "");
}

std::vector<AuditEntry> AuditTrail::Read(SqliteDatabase& database, const std::string& patientId) {
  SqliteStatement select = database.Prepare(
      "SELECT audit_no, time_utc, user, command, action, table_name, patient_id, entry, field, "
      "old_value, new_value, reason FROM audit" +
      std::string(patientId.empty() ? "" : " WHERE patient_id = ?") + " ORDER BY audit_no");
  if (!patientId.empty()) {
    select.Bind(1, patientId);
  }
  std::vector<AuditEntry> entries;
  while (select.Step()) {
    AuditEntry entry;
    entry.auditNo = select.Integer(0);
    entry.timeUtc = select.Text(1);
    entry.user = select.Text(2);
    entry.command = select.Text(3);
    entry.action = select.Text(4);
    entry.table = select.Text(5);
    entry.patientId = select.Text(6);
    entry.entry = select.Text(7);
    entry.field = select.Text(8);
    entry.oldValue = select.Text(9);
    entry.newValue = select.Text(10);
    entry.reason = select.Text(11);
    entries.push_back(std::move(entry));
  }
  return entries;
}

} // namespace seedplan::study
