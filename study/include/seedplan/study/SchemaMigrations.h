#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace seedplan::study {

class SqliteDatabase;

/// One step of the study record's schema: the SQL that brings a record from version − 1 to
/// `version`. Steps are never edited once released (records in the field were made with them);
/// a change of the schema is a new step.
struct SchemaMigration {
  int version = 0;
  std::string description;
  std::string sql;
};

/// The study record's schema and its history. The file says what it is with SQLite's header
/// fields: PRAGMA application_id = kApplicationId ("SPLN") marks a seedplan study record, PRAGMA
/// user_version is its schema version. Opening a record of an older version applies the missing
/// steps in one transaction (all or none); a newer version is refused and left untouched.
class SchemaMigrations {
public:
  static constexpr std::int32_t kApplicationId = 0x53504C4E; // "SPLN"

  /// The project's steps, version 1, 2, ... in order.
  static const std::vector<SchemaMigration>& All();
  /// The version the steps lead to (the last step's).
  static int LatestVersion(const std::vector<SchemaMigration>& steps = All());

  /// Inside the caller's write transaction: applies every step above the record's user_version in
  /// order, setting application_id at version 1 and user_version after each step; returns the
  /// number of steps applied. Throws DataFormat if the record's version is newer than the steps
  /// know (the file was written by a newer seedplan), InvalidInput if `steps` are not numbered
  /// 1, 2, 3, ...
  static int Migrate(SqliteDatabase& database, const std::vector<SchemaMigration>& steps = All());
};

} // namespace seedplan::study
