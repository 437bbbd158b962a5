#include "seedplan/study/SqliteDatabase.h"

#include "seedplan/core/Error.h"
#include "seedplan/study/SqliteStatement.h"

#include <sqlite3.h>
#include <utility>

namespace seedplan::study {

SqliteDatabase::SqliteDatabase(const std::filesystem::path& file, OpenMode mode) : m_File(file) {
  std::error_code error;
  const bool exists = std::filesystem::exists(file, error);
  if (mode == OpenMode::ReadWrite && !exists) {
    throw Io(file.string() + ": no such study record; expected a file made by "
                             "`seedplan study init`");
  }
  if (mode == OpenMode::Create && exists) {
    throw Io(file.string() + ": already exists; expected a new file name");
  }
  // No SQLITE_OPEN_CREATE for an existing file: a missing file is never made by accident.
  const int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_EXRESCODE |
                    (mode == OpenMode::Create ? SQLITE_OPEN_CREATE : 0);
  const int code = sqlite3_open_v2(file.c_str(), &m_Handle, flags, nullptr);
  if (code != SQLITE_OK) {
    const std::string message = m_Handle ? sqlite3_errmsg(m_Handle) : sqlite3_errstr(code);
    Close();
    throw Io(file.string() + ": cannot open the study record (" + message + ")");
  }
  sqlite3_extended_result_codes(m_Handle, 1);
  sqlite3_busy_timeout(m_Handle, kBusyTimeoutMs);
}

SqliteDatabase::~SqliteDatabase() {
  Close();
}

SqliteDatabase::SqliteDatabase(SqliteDatabase&& other) noexcept
    : m_File(std::move(other.m_File)), m_Handle(std::exchange(other.m_Handle, nullptr)) {}

SqliteDatabase& SqliteDatabase::operator=(SqliteDatabase&& other) noexcept {
  if (this != &other) {
    Close();
    m_File = std::move(other.m_File);
    m_Handle = std::exchange(other.m_Handle, nullptr);
  }
  return *this;
}

void SqliteDatabase::Close() noexcept {
  if (m_Handle) {
    // close_v2: a statement left open by mistake delays the close instead of leaking it.
    sqlite3_close_v2(m_Handle);
    m_Handle = nullptr;
  }
}

void SqliteDatabase::Execute(const std::string& sql) {
  const int code = sqlite3_exec(m_Handle, sql.c_str(), nullptr, nullptr, nullptr);
  if (code != SQLITE_OK) {
    Fail(code, "cannot run '" + sql.substr(0, 60) + "'");
  }
}

SqliteStatement SqliteDatabase::Prepare(const std::string& sql) {
  sqlite3_stmt* statement = nullptr;
  const int code =
      sqlite3_prepare_v2(m_Handle, sql.c_str(), static_cast<int>(sql.size()), &statement, nullptr);
  if (code != SQLITE_OK) {
    sqlite3_finalize(statement);
    Fail(code, "cannot prepare '" + sql.substr(0, 60) + "'");
  }
  return SqliteStatement(*this, statement);
}

FieldValue SqliteDatabase::QueryValue(const std::string& sql) {
  SqliteStatement statement = Prepare(sql);
  if (!statement.Step()) {
    return {};
  }
  return statement.Value(0);
}

std::int64_t SqliteDatabase::LastInsertRowId() const {
  return sqlite3_last_insert_rowid(m_Handle);
}

std::int64_t SqliteDatabase::Changes() const {
  return sqlite3_changes64(m_Handle);
}

bool SqliteDatabase::InTransaction() const {
  return sqlite3_get_autocommit(m_Handle) == 0;
}

void SqliteDatabase::Fail(int code, const std::string& what) const {
  const std::string where = m_File.string() + ": ";
  const std::string detail = m_Handle ? sqlite3_errmsg(m_Handle) : sqlite3_errstr(code);
  switch (code & 0xff) {
  case SQLITE_BUSY:
  case SQLITE_LOCKED:
    throw Io(where + "the study record stayed locked by another writer for more than " +
             std::to_string(kBusyTimeoutMs / 1000) + " s; try again (" + what + ")");
  case SQLITE_NOTADB:
  case SQLITE_CORRUPT:
    throw DataFormat(where + "not a sound SQLite database (" + detail + "); " + what);
  case SQLITE_CONSTRAINT:
    throw InvalidInput(where + what + ": " + detail);
  case SQLITE_FULL:
    throw Io(where + "disk full: " + what);
  case SQLITE_READONLY:
  case SQLITE_PERM:
  case SQLITE_CANTOPEN:
    throw Io(where + "cannot write the study record (" + detail + "): " + what);
  default:
    throw Io(where + what + " (" + detail + ")");
  }
}

} // namespace seedplan::study
