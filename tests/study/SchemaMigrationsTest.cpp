// The schema's history: user_version, application_id and migrations that apply all or nothing.

#include "seedplan/study/SchemaMigrations.h"
#include "StudyTestSupport.h"
#include "seedplan/core/Error.h"
#include "seedplan/study/SqliteStatement.h"

#include <set>

namespace seedplan::study {
namespace {

std::set<std::string> Columns(SqliteDatabase& database, const std::string& table) {
  std::set<std::string> columns;
  SqliteStatement info = database.Prepare("PRAGMA table_info(" + table + ")");
  while (info.Step()) {
    columns.insert(info.Text(1));
  }
  return columns;
}

template <class R>
void ExpectEveryFieldIsAColumn(SqliteDatabase& database, const RecordFields<R>& fields,
                               const std::string& table) {
  const auto columns = Columns(database, table);
  for (const auto& field : fields.All()) {
    EXPECT_TRUE(columns.count(field.spec.name)) << table << "." << field.spec.name;
  }
}

TEST(SchemaMigrations, EveryFieldOfTheRecordStructsIsAColumnOfTheSchema) {
  const test::TempFolder folder;
  SqliteDatabase database(folder / "s.sqlite", SqliteDatabase::OpenMode::Create);
  SchemaMigrations::Migrate(database);
  ExpectEveryFieldIsAColumn(database, PatientRecord::Fields(), "patients");
  ExpectEveryFieldIsAColumn(database, LesionRecord::Fields(), "lesions");
  ExpectEveryFieldIsAColumn(database, FollowUpRecord::Fields(), "followups");
  ExpectEveryFieldIsAColumn(database, StudyEventRecord::Fields(), "events");
  ExpectEveryFieldIsAColumn(database, AdverseEventRecord::Fields(), "adverse_events");
  ExpectEveryFieldIsAColumn(database, ImplantRecord::Fields(), "implants");
  EXPECT_EQ(database.QueryValue("PRAGMA application_id"),
            FieldValue(std::int64_t{SchemaMigrations::kApplicationId}));
  EXPECT_EQ(database.QueryValue("PRAGMA user_version"),
            FieldValue(std::int64_t{SchemaMigrations::LatestVersion()}));
}

/// The project's steps plus a hypothetical next one, as a later seedplan would ship it.
std::vector<SchemaMigration> WithNextStep(const std::string& sql) {
  auto steps = SchemaMigrations::All();
  steps.push_back({SchemaMigrations::LatestVersion() + 1, "test step", sql});
  return steps;
}

TEST(SchemaMigrations, AnOlderRecordIsMigratedKeepingItsEntries) {
  const test::TempFolder folder;
  const auto file = folder / "s.sqlite";
  test::MakeRecordWithPatients(file, 3);
  SqliteDatabase database(file, SqliteDatabase::OpenMode::ReadWrite);
  const auto steps = WithNextStep("ALTER TABLE patients ADD COLUMN weight_kg REAL; "
                                  "UPDATE patients SET weight_kg = 70 WHERE patient_id = 'P02';");
  {
    SqliteTransaction transaction(database);
    EXPECT_EQ(SchemaMigrations::Migrate(database, steps), 1);
    transaction.Commit();
  }
  EXPECT_EQ(database.QueryValue("PRAGMA user_version"),
            FieldValue(std::int64_t{SchemaMigrations::LatestVersion() + 1}));
  EXPECT_EQ(database.QueryValue("SELECT count(*) FROM patients"), FieldValue(std::int64_t{3}));
  EXPECT_EQ(database.QueryValue("SELECT weight_kg FROM patients WHERE patient_id = 'P02'"),
            FieldValue(70.0));
  // Already at the latest version: nothing to do.
  SqliteTransaction again(database);
  EXPECT_EQ(SchemaMigrations::Migrate(database, steps), 0);
}

TEST(SchemaMigrations, AFailingStepLeavesTheRecordAtItsVersionWithNothingHalfDone) {
  const test::TempFolder folder;
  const auto file = folder / "s.sqlite";
  test::MakeRecordWithPatients(file, 2);
  SqliteDatabase database(file, SqliteDatabase::OpenMode::ReadWrite);
  const auto steps = WithNextStep("CREATE TABLE scans (id INTEGER); INSERT INTO no_such_table "
                                  "VALUES (1);");
  {
    SqliteTransaction transaction(database);
    EXPECT_THROW(SchemaMigrations::Migrate(database, steps), Error);
  }
  EXPECT_EQ(database.QueryValue("PRAGMA user_version"),
            FieldValue(std::int64_t{SchemaMigrations::LatestVersion()}));
  EXPECT_TRUE(IsNull(database.QueryValue("SELECT name FROM sqlite_master WHERE name = 'scans'")));
}

TEST(SchemaMigrations, StepsAreNumberedFromOne) {
  const test::TempFolder folder;
  SqliteDatabase database(folder / "s.sqlite", SqliteDatabase::OpenMode::Create);
  std::vector<SchemaMigration> steps = {{2, "skips one", "SELECT 1"}};
  EXPECT_THROW(SchemaMigrations::Migrate(database, steps), InvalidInput);
}

TEST(SchemaMigrations, ANewerRecordIsRefusedNamingBothVersions) {
  const test::TempFolder folder;
  SqliteDatabase database(folder / "s.sqlite", SqliteDatabase::OpenMode::Create);
  database.Execute("PRAGMA user_version = 7");
  test::ExpectError<DataFormat>([&] { SchemaMigrations::Migrate(database); },
                                {"schema version 7", "up to 1", "newer seedplan"});
}

} // namespace
} // namespace seedplan::study
