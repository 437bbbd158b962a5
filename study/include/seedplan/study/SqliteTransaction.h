#pragma once

#include <string>

namespace seedplan::study {

class SqliteDatabase;

/// A transaction (RAII): rolled back by the destructor unless Commit() was called, so an exception
/// anywhere in a command leaves the record as it was. The outermost transaction of a connection is
/// BEGIN IMMEDIATE for writing (the write lock is taken at once, waiting up to the busy timeout
/// for another writer; taking it later could deadlock two upgrading readers) or BEGIN DEFERRED for
/// reading (a consistent snapshot in WAL mode). A transaction opened inside another is a
/// SAVEPOINT: its rollback undoes only its own changes.
class SqliteTransaction {
public:
  enum class Kind { Write, Read };

  explicit SqliteTransaction(SqliteDatabase& database, Kind kind = Kind::Write);
  ~SqliteTransaction();
  SqliteTransaction(const SqliteTransaction&) = delete;
  SqliteTransaction& operator=(const SqliteTransaction&) = delete;

  /// Makes the changes permanent (COMMIT or RELEASE). Throws Io if SQLite cannot.
  void Commit();

private:
  SqliteDatabase& m_Database;
  std::string m_Savepoint; ///< empty for the outermost transaction
  bool m_Done = false;
};

} // namespace seedplan::study
