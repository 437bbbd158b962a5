#include "seedplan/study/SqliteTransaction.h"

#include "seedplan/study/SqliteDatabase.h"

#include <atomic>

namespace seedplan::study {

namespace {
std::atomic<unsigned> g_SavepointCounter{0};
}

SqliteTransaction::SqliteTransaction(SqliteDatabase& database, Kind kind) : m_Database(database) {
  if (database.InTransaction()) {
    m_Savepoint = "seedplan_" + std::to_string(g_SavepointCounter++);
    database.Execute("SAVEPOINT " + m_Savepoint);
  } else {
    database.Execute(kind == Kind::Write ? "BEGIN IMMEDIATE" : "BEGIN DEFERRED");
  }
}

SqliteTransaction::~SqliteTransaction() {
  if (m_Done) {
    return;
  }
  try {
    if (m_Savepoint.empty()) {
      if (m_Database.InTransaction()) {
        m_Database.Execute("ROLLBACK");
      }
    } else {
      m_Database.Execute("ROLLBACK TO " + m_Savepoint);
      m_Database.Execute("RELEASE " + m_Savepoint);
    }
  } catch (...) {
    // A destructor must not throw; SQLite rolls back an open transaction when the connection
    // closes, and the next open of the file recovers from the WAL.
  }
}

void SqliteTransaction::Commit() {
  m_Database.Execute(m_Savepoint.empty() ? "COMMIT" : "RELEASE " + m_Savepoint);
  m_Done = true;
}

} // namespace seedplan::study
