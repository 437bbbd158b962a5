#pragma once

#include <cstdint>
#include <string>

namespace seedplan::study {

/// One line of the audit trail: who changed what, when, from which value to which, and why.
/// action is insert (new_value: the entry's fields as JSON), update (a value re-logged from a
/// plan), correct (a person's correction with its reason), delete (old_value: the removed entry)
/// or schema (the record was created or migrated).
struct AuditEntry {
  std::int64_t auditNo = 0;
  std::string timeUtc; ///< YYYY-MM-DDTHH:MM:SS.mmmZ
  std::string user;
  std::string command;
  std::string action;
  std::string table;
  std::string patientId;
  std::string entry; ///< the entry within the patient: lesion id, follow-up date, event number...
  std::string field;
  std::string oldValue;
  std::string newValue;
  std::string reason;
};

} // namespace seedplan::study
