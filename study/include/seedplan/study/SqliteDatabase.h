#pragma once

#include "seedplan/study/FieldValue.h"

#include <cstdint>
#include <filesystem>
#include <string>

struct sqlite3;

namespace seedplan::study {

class SqliteStatement;

/// One connection to an SQLite database file (RAII: closed by the destructor). SQLite's own
/// locking is the only locking: no lock file of seedplan's, so a killed process never blocks the
/// next one. Every connection waits up to kBusyTimeoutMs for another writer (busy timeout) and
/// enforces foreign keys. Errors become seedplan errors naming the file: Io (cannot open, locked
/// for longer than the busy timeout, disk full, read-only), DataFormat (not a database, corrupt),
/// InvalidInput (a constraint the caller should have checked first).
class SqliteDatabase {
public:
  /// 30 s: a writer of the study record holds the write lock for milliseconds; only a crowd of
  /// concurrent writers (or a slow disk) waits, and it should wait rather than fail.
  static constexpr int kBusyTimeoutMs = 30000;

  enum class OpenMode {
    ReadWrite, ///< the file must exist
    Create     ///< the file must not exist; it is created
  };

  SqliteDatabase(const std::filesystem::path& file, OpenMode mode);
  ~SqliteDatabase();
  SqliteDatabase(SqliteDatabase&& other) noexcept;
  SqliteDatabase& operator=(SqliteDatabase&& other) noexcept;
  SqliteDatabase(const SqliteDatabase&) = delete;
  SqliteDatabase& operator=(const SqliteDatabase&) = delete;

  const std::filesystem::path& File() const { return m_File; }

  /// Runs one or more SQL statements that return no rows of interest.
  void Execute(const std::string& sql);
  /// A prepared statement (SQL with ?NNN or :name parameters).
  SqliteStatement Prepare(const std::string& sql);
  /// The first column of the first row of `sql` (null when there is no row).
  FieldValue QueryValue(const std::string& sql);

  std::int64_t LastInsertRowId() const;
  /// Rows changed by the last INSERT, UPDATE or DELETE.
  std::int64_t Changes() const;
  /// True inside BEGIN ... COMMIT.
  bool InTransaction() const;

  /// Throws the seedplan error for SQLite result code `code` with `what` (e.g. "cannot read
  /// patients") and SQLite's message.
  [[noreturn]] void Fail(int code, const std::string& what) const;

  sqlite3* Handle() const { return m_Handle; }

private:
  void Close() noexcept;

  std::filesystem::path m_File;
  sqlite3* m_Handle = nullptr;
};

} // namespace seedplan::study
