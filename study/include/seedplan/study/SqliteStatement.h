#pragma once

#include "seedplan/study/FieldValue.h"

#include <cstdint>
#include <string>

struct sqlite3_stmt;

namespace seedplan::study {

class SqliteDatabase;

/// A prepared SQL statement (RAII: finalised by the destructor). Parameters are bound by 1-based
/// index or by name (":name"); Step() runs it one row at a time. Errors are thrown through the
/// database (SqliteDatabase::Fail) with the statement's purpose.
class SqliteStatement {
public:
  SqliteStatement(const SqliteDatabase& database, sqlite3_stmt* statement);
  ~SqliteStatement();
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&& other) noexcept;
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;

  SqliteStatement& Bind(int index, const FieldValue& value);
  SqliteStatement& Bind(const std::string& name, const FieldValue& value);
  SqliteStatement& BindNull(int index);
  SqliteStatement& Bind(int index, std::int64_t value) { return Bind(index, FieldValue(value)); }
  SqliteStatement& Bind(int index, const std::string& value) {
    return Bind(index, FieldValue(value));
  }
  SqliteStatement& Bind(int index, const char* value) {
    return Bind(index, FieldValue(std::string(value)));
  }

  /// Advances to the next row: true if there is one, false when the statement is done.
  bool Step();
  /// Runs a statement that returns no rows to its end.
  void Run();
  /// Makes the statement ready to run again, with its bindings cleared.
  void Reset();

  int ColumnCount() const;
  std::string ColumnName(int column) const;
  bool IsNull(int column) const;
  std::int64_t Integer(int column) const;
  double Real(int column) const;
  /// Text of the column ("" for null).
  std::string Text(int column) const;
  /// The column as stored (null, integer, real or text).
  FieldValue Value(int column) const;

private:
  void Close() noexcept;

  const SqliteDatabase* m_Database = nullptr;
  sqlite3_stmt* m_Statement = nullptr;
};

} // namespace seedplan::study
