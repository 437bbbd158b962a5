#pragma once
// One value of a study record's field: absent (null), a whole number, a real number or text.

#include <cstdint>
#include <string>
#include <variant>

namespace seedplan::study {

/// The value of one field of one entry, as SQLite stores it (NULL, INTEGER, REAL, TEXT).
/// std::monostate is a missing value (SQL NULL, NA in the export).
using FieldValue = std::variant<std::monostate, std::int64_t, double, std::string>;

inline bool IsNull(const FieldValue& value) {
  return std::holds_alternative<std::monostate>(value);
}

} // namespace seedplan::study
