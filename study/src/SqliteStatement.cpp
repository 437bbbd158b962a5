#include "seedplan/study/SqliteStatement.h"

#include "seedplan/core/Error.h"
#include "seedplan/study/SqliteDatabase.h"

#include <sqlite3.h>
#include <utility>

namespace seedplan::study {

SqliteStatement::SqliteStatement(const SqliteDatabase& database, sqlite3_stmt* statement)
    : m_Database(&database), m_Statement(statement) {}

SqliteStatement::~SqliteStatement() {
  Close();
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : m_Database(other.m_Database), m_Statement(std::exchange(other.m_Statement, nullptr)) {}

SqliteStatement& SqliteStatement::operator=(SqliteStatement&& other) noexcept {
  if (this != &other) {
    Close();
    m_Database = other.m_Database;
    m_Statement = std::exchange(other.m_Statement, nullptr);
  }
  return *this;
}

void SqliteStatement::Close() noexcept {
  if (m_Statement) {
    sqlite3_finalize(m_Statement);
    m_Statement = nullptr;
  }
}

SqliteStatement& SqliteStatement::Bind(int index, const FieldValue& value) {
  int code = SQLITE_OK;
  if (std::holds_alternative<std::monostate>(value)) {
    code = sqlite3_bind_null(m_Statement, index);
  } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
    code = sqlite3_bind_int64(m_Statement, index, *integer);
  } else if (const auto* real = std::get_if<double>(&value)) {
    code = sqlite3_bind_double(m_Statement, index, *real);
  } else {
    const std::string& text = std::get<std::string>(value);
    code = sqlite3_bind_text(m_Statement, index, text.data(), static_cast<int>(text.size()),
                             SQLITE_TRANSIENT);
  }
  if (code != SQLITE_OK) {
    m_Database->Fail(code, "cannot bind parameter " + std::to_string(index) + " of '" +
                               std::string(sqlite3_sql(m_Statement)).substr(0, 60) + "'");
  }
  return *this;
}

SqliteStatement& SqliteStatement::Bind(const std::string& name, const FieldValue& value) {
  const int index = sqlite3_bind_parameter_index(m_Statement, name.c_str());
  if (index == 0) {
    throw Error("internal: SQL parameter " + name + " not in '" +
                std::string(sqlite3_sql(m_Statement)) + "'");
  }
  return Bind(index, value);
}

SqliteStatement& SqliteStatement::BindNull(int index) {
  return Bind(index, FieldValue());
}

bool SqliteStatement::Step() {
  const int code = sqlite3_step(m_Statement);
  if (code == SQLITE_ROW) {
    return true;
  }
  if (code == SQLITE_DONE) {
    return false;
  }
  // Fail reads SQLite's message for this error; the caller resets the statement before reuse.
  m_Database->Fail(code,
                   "cannot run '" + std::string(sqlite3_sql(m_Statement)).substr(0, 60) + "'");
}

void SqliteStatement::Run() {
  while (Step()) {
  }
}

void SqliteStatement::Reset() {
  sqlite3_reset(m_Statement);
  sqlite3_clear_bindings(m_Statement);
}

int SqliteStatement::ColumnCount() const {
  return sqlite3_column_count(m_Statement);
}

std::string SqliteStatement::ColumnName(int column) const {
  const char* name = sqlite3_column_name(m_Statement, column);
  return name ? name : "";
}

bool SqliteStatement::IsNull(int column) const {
  return sqlite3_column_type(m_Statement, column) == SQLITE_NULL;
}

std::int64_t SqliteStatement::Integer(int column) const {
  return sqlite3_column_int64(m_Statement, column);
}

double SqliteStatement::Real(int column) const {
  return sqlite3_column_double(m_Statement, column);
}

std::string SqliteStatement::Text(int column) const {
  const unsigned char* text = sqlite3_column_text(m_Statement, column);
  if (!text) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<std::size_t>(sqlite3_column_bytes(m_Statement, column)));
}

FieldValue SqliteStatement::Value(int column) const {
  switch (sqlite3_column_type(m_Statement, column)) {
  case SQLITE_NULL:
    return {};
  case SQLITE_INTEGER:
    return Integer(column);
  case SQLITE_FLOAT:
    return Real(column);
  default:
    return Text(column);
  }
}

} // namespace seedplan::study
