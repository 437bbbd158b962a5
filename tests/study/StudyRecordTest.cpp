// The study record: creation, opening what is and is not a record, every kind of entry, bad input
// refused with nothing written, corrections, the audit trail, implants, backups.

#include "StudyTestSupport.h"
#include "seedplan/core/Error.h"
#include "seedplan/study/SchemaMigrations.h"
#include "seedplan/study/Sha256.h"
#include "seedplan/study/SqliteStatement.h"

#include <sqlite3.h>

namespace seedplan::study {
namespace {

using test::ExpectError;
using test::Lesion;
using test::Patient;

class StudyRecordTest : public ::testing::Test {
protected:
  void SetUp() override {
    StudyRecord::Create(File(), test::TwoGroupStudy(), "tester");
    auto record = Open();
    record.AddPatient(Patient("P01", "PD1_I125", "2022-01-10"));
    record.AddLesion(Lesion("P01", "GTV_Lung", "lung", true));
    record.AddLesion(Lesion("P01", "GTV_Bone", "bone", false));
  }
  std::filesystem::path File() const { return m_Folder / "study.sqlite"; }
  StudyRecord Open() { return StudyRecord::Open(File(), "tester", "unit test"); }
  std::int64_t Count(StudyRecord& record, const std::string& table) {
    return std::get<std::int64_t>(record.Database().QueryValue("SELECT count(*) FROM " + table));
  }
  /// Rows of every table: what a refused change must leave as it was.
  std::string Fingerprint() {
    auto record = Open();
    std::string text;
    for (const char* table : {"patients", "lesions", "implants", "organ_doses", "followups",
                              "lesion_responses", "events", "adverse_events", "audit"}) {
      text += std::string(table) + "=" + std::to_string(Count(record, table)) + " ";
    }
    return text;
  }
  FollowUpRecord FollowUp(const std::string& date) {
    FollowUpRecord followUp;
    followUp.patientId = "P01";
    followUp.date = date;
    return followUp;
  }
  StudyEventRecord Event(const std::string& type, const std::string& date,
                         std::optional<std::string> lesion = std::nullopt) {
    StudyEventRecord event;
    event.patientId = "P01";
    event.type = type;
    event.date = date;
    event.lesionId = lesion;
    return event;
  }

  test::TempFolder m_Folder;
};

TEST_F(StudyRecordTest, CreatedRecordOpensWithItsIdGroupsAndSchemaVersion) {
  auto record = Open();
  EXPECT_EQ(record.Info().studyId, "HCC-PD1-I125");
  EXPECT_EQ(record.Info().groups, (std::vector<std::string>{"PD1", "PD1_I125"}));
  EXPECT_EQ(record.Info().schemaVersion, SchemaMigrations::LatestVersion());
  EXPECT_EQ(record.Info().createdBy, "tester");
  EXPECT_EQ(FieldSpec::Format(record.Database().QueryValue("PRAGMA journal_mode")), "wal");
  EXPECT_EQ(record.Database().QueryValue("PRAGMA foreign_keys"), FieldValue(std::int64_t{1}));
  // synchronous FULL (2): a committed entry survives a power cut, not only a killed process.
  EXPECT_EQ(record.Database().QueryValue("PRAGMA synchronous"), FieldValue(std::int64_t{2}));
}

TEST_F(StudyRecordTest, TheOnlyFilesBesideTheRecordAreSqlitesOwn) {
  {
    auto record = Open();
    record.AddFollowUp(FollowUp("2022-02-01"));
    for (const auto& entry : std::filesystem::directory_iterator(m_Folder.Path())) {
      const std::string name = entry.path().filename().string();
      EXPECT_TRUE(name == "study.sqlite" || name == "study.sqlite-wal" ||
                  name == "study.sqlite-shm")
          << name;
    }
  }
  // Closed: SQLite folds its WAL back into the file and removes it.
  EXPECT_FALSE(std::filesystem::exists(m_Folder / "study.sqlite-wal"));
}

TEST_F(StudyRecordTest, CreateRefusesAnExistingFileAndBadGroupsLeavingNoFile) {
  const std::string before = Sha256::OfFile(File());
  ExpectError<Io>([&] { StudyRecord::Create(File(), test::TwoGroupStudy(), "x"); },
                  {"study.sqlite", "already exists"});
  EXPECT_EQ(Sha256::OfFile(File()), before);
  auto info = test::TwoGroupStudy();
  info.groups = {"PD1", "PD-1 + seeds"};
  const auto other = m_Folder / "other.sqlite";
  ExpectError<InvalidInput>([&] { StudyRecord::Create(other, info, "x"); },
                            {"--groups", "PD-1 + seeds"});
  info.groups = {"PD1", "PD1"};
  EXPECT_THROW(StudyRecord::Create(other, info, "x"), InvalidInput);
  info.groups = {};
  EXPECT_THROW(StudyRecord::Create(other, info, "x"), InvalidInput);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(m_Folder.Path()),
                          std::filesystem::directory_iterator()),
            1);
}

TEST_F(StudyRecordTest, OpenRefusesAPlanARandomFileAndAnEmptyFileAndLeavesThemUntouched) {
  const auto plan = m_Folder / "plan.xml";
  std::ofstream(plan) << "<?xml version=\"1.0\"?>\n<seedplanPlan schemaVersion=\"1\"/>\n";
  const auto random = m_Folder / "random.bin";
  {
    std::ofstream out(random, std::ios::binary);
    for (int i = 0; i < 4096; ++i) {
      out.put(static_cast<char>((i * 7919) % 251));
    }
  }
  const auto empty = m_Folder / "empty.sqlite";
  std::ofstream(empty).flush();
  const std::vector<std::pair<std::filesystem::path, std::string>> cases = {
      {plan, "a seedplan plan file"}, {random, "not an SQLite database"}, {empty, "empty"}};
  for (const auto& [file, what] : cases) {
    const std::string before = Sha256::OfFile(file);
    ExpectError<DataFormat>([&] { StudyRecord::Open(file, "x", "test"); },
                            {file.filename().string(), what, "expected a seedplan study record"});
    EXPECT_EQ(Sha256::OfFile(file), before);
    EXPECT_FALSE(std::filesystem::exists(file.string() + "-wal"));
  }
  ExpectError<Io>([&] { StudyRecord::Open(m_Folder / "missing.sqlite", "x", "test"); },
                  {"missing.sqlite", "no such study record"});
  EXPECT_FALSE(std::filesystem::exists(m_Folder / "missing.sqlite"));
}

TEST_F(StudyRecordTest, OpenRefusesAnSqliteDatabaseOfAnotherProgram) {
  const auto other = m_Folder / "other.db";
  {
    SqliteDatabase database(other, SqliteDatabase::OpenMode::Create);
    database.Execute("CREATE TABLE patients (name TEXT); INSERT INTO patients VALUES ('x')");
  }
  const std::string before = Sha256::OfFile(other);
  ExpectError<DataFormat>([&] { StudyRecord::Open(other, "x", "test"); },
                          {"other.db", "not a seedplan study record"});
  EXPECT_EQ(Sha256::OfFile(other), before);
}

TEST_F(StudyRecordTest, OpenRefusesANewerSchemaAndLeavesTheFileUntouched) {
  {
    SqliteDatabase database(File(), SqliteDatabase::OpenMode::ReadWrite);
    database.Execute("PRAGMA user_version = 99");
  }
  const std::string before = Sha256::OfFile(File());
  ExpectError<DataFormat>([&] { Open(); }, {"study.sqlite", "schema version 99", "newer"});
  EXPECT_EQ(Sha256::OfFile(File()), before);
}

TEST_F(StudyRecordTest, OpenRefusesADamagedRecordAndLeavesItUntouched) {
  {
    auto record = Open();
    auto transaction = record.BeginCommand();
    for (int day = 1; day <= 28; ++day) {
      char date[16];
      std::snprintf(date, sizeof date, "2022-02-%02d", day);
      auto followUp = FollowUp(date);
      followUp.vas = 5;
      record.AddFollowUp(followUp);
    }
    transaction->Commit();
  }
  // Overwrite the follow-ups' b-tree page with garbage, as a failing disk would.
  std::int64_t page = 0;
  {
    auto record = Open();
    page = std::get<std::int64_t>(record.Database().QueryValue(
        "SELECT rootpage FROM sqlite_master WHERE name = 'followups'"));
  }
  ASSERT_GT(page, 1);
  {
    std::fstream out(File(), std::ios::in | std::ios::out | std::ios::binary);
    out.seekp(static_cast<std::streamoff>((page - 1) * 4096));
    const std::string garbage(4096, '\x5a');
    out.write(garbage.data(), static_cast<std::streamsize>(garbage.size()));
  }
  const std::string before = Sha256::OfFile(File());
  EXPECT_THROW(StudyRecord::Open(File(), "x", "test", StudyRecord::IntegrityCheck::Full),
               DataFormat);
  EXPECT_EQ(Sha256::OfFile(File()), before);
}

TEST_F(StudyRecordTest, AddPatientRefusesUnknownGroupsDuplicatesAndValuesOutOfRange) {
  const std::string before = Fingerprint();
  auto record = Open();
  ExpectError<InvalidInput>([&] { record.AddPatient(Patient("P02", "I125")); },
                            {"group 'I125'", "PD1, PD1_I125"});
  ExpectError<InvalidInput>([&] { record.AddPatient(Patient("P01", "PD1")); },
                            {"patient_id P01", "already in"});
  auto old = Patient("P03", "PD1");
  old.age = 130;
  ExpectError<InvalidInput>([&] { record.AddPatient(old); }, {"age", "130", "0 to 120"});
  auto ecog = Patient("P03", "PD1");
  ecog.ecog = 5;
  EXPECT_THROW(record.AddPatient(ecog), InvalidInput);
  auto sex = Patient("P03", "PD1");
  sex.sex = "male";
  ExpectError<InvalidInput>([&] { record.AddPatient(sex); }, {"sex", "male", "M, F"});
  EXPECT_EQ(Fingerprint(), before);
}

TEST_F(StudyRecordTest, AddLesionRefusesUnknownPatientsDuplicatesASecondIndexAndUnknownSites) {
  const std::string before = Fingerprint();
  auto record = Open();
  ExpectError<InvalidInput>([&] { record.AddLesion(Lesion("P09", "L1", "lung", false)); },
                            {"P09", "not a patient"});
  ExpectError<InvalidInput>([&] { record.AddLesion(Lesion("P01", "GTV_Lung", "lung", false)); },
                            {"lesion_id GTV_Lung", "already in"});
  ExpectError<InvalidInput>([&] { record.AddLesion(Lesion("P01", "GTV_Node", "lung", true)); },
                            {"GTV_Node", "index lesion is GTV_Lung"});
  ExpectError<InvalidInput>([&] { record.AddLesion(Lesion("P01", "GTV_Brain", "brain", false)); },
                            {"site", "brain", "lymph_node"});
  EXPECT_EQ(Fingerprint(), before);
}

TEST_F(StudyRecordTest, AddFollowUpRefusesDatesBeforeStartBadValuesUnknownLesionsAndDuplicates) {
  auto record = Open();
  auto first = FollowUp("2022-02-10");
  first.vas = 6;
  first.response = "PR";
  first.lesionResponses = {{"GTV_Lung", "PR"}};
  record.AddFollowUp(first);
  const std::string before = Fingerprint();
  ExpectError<InvalidInput>([&] { record.AddFollowUp(FollowUp("2022-01-09")); },
                            {"follow-up date 2022-01-09", "before start_date 2022-01-10"});
  auto painful = FollowUp("2022-03-10");
  painful.vas = 11;
  ExpectError<InvalidInput>([&] { record.AddFollowUp(painful); }, {"vas", "11", "0 to 10"});
  auto unknownLesion = FollowUp("2022-03-10");
  unknownLesion.lesionResponses = {{"GTV_Liver", "SD"}};
  ExpectError<InvalidInput>([&] { record.AddFollowUp(unknownLesion); },
                            {"GTV_Liver", "not a lesion of patient P01", "GTV_Lung, GTV_Bone"});
  auto badResponse = FollowUp("2022-03-10");
  badResponse.response = "NE";
  ExpectError<InvalidInput>([&] { record.AddFollowUp(badResponse); }, {"response", "NE"});
  ExpectError<InvalidInput>([&] { record.AddFollowUp(FollowUp("2022-02-10")); },
                            {"2022-02-10", "already has a follow-up"});
  auto stranger = FollowUp("2022-03-10");
  stranger.patientId = "P77";
  ExpectError<InvalidInput>([&] { record.AddFollowUp(stranger); }, {"P77", "not a patient"});
  EXPECT_EQ(Fingerprint(), before);
  const auto stored = record.Snapshot("P01").followUps;
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].criteria, "RECIST1.1"); // the default when a response is given
}

TEST_F(StudyRecordTest, EventsKeepTheirOrderDeathLastAndLocalProgressionNamesALesion) {
  auto record = Open();
  record.AddEvent(Event("progression", "2022-06-01"));
  record.AddEvent(Event("local-progression", "2022-05-01", "GTV_Lung"));
  const std::string before = Fingerprint();
  ExpectError<InvalidInput>([&] { record.AddEvent(Event("death", "2022-05-15")); },
                            {"progression on 2022-06-01", "after death on 2022-05-15"});
  ExpectError<InvalidInput>([&] { record.AddEvent(Event("local-progression", "2022-07-01")); },
                            {"local-progression", "no lesion"});
  ExpectError<InvalidInput>([&] { record.AddEvent(Event("death", "2022-07-01", "GTV_Lung")); },
                            {"--lesion GTV_Lung", "local-progression only"});
  ExpectError<InvalidInput>(
      [&] { record.AddEvent(Event("local-progression", "2022-07-01", "GTV_X")); },
      {"GTV_X", "not a lesion"});
  ExpectError<InvalidInput>([&] { record.AddEvent(Event("progression", "2022-06-01")); },
                            {"progression", "2022-06-01", "already in"});
  ExpectError<InvalidInput>([&] { record.AddEvent(Event("relapse", "2022-06-01")); },
                            {"type", "relapse", "local-progression"});
  ExpectError<InvalidInput>([&] { record.AddEvent(Event("last-contact", "2021-12-31")); },
                            {"last-contact date 2021-12-31", "before start_date"});
  EXPECT_EQ(Fingerprint(), before);
  record.AddEvent(Event("death", "2022-08-01"));
  ExpectError<InvalidInput>([&] { record.AddFollowUp(FollowUp("2022-09-01")); },
                            {"follow-up on 2022-09-01", "after death on 2022-08-01"});
  ExpectError<InvalidInput>([&] { record.AddEvent(Event("death", "2022-08-02")); },
                            {"death on 2022-08-02", "expected one death"});
}

TEST_F(StudyRecordTest, AdverseEventGradesAreOneToFive) {
  auto record = Open();
  AdverseEventRecord adverseEvent;
  adverseEvent.patientId = "P01";
  adverseEvent.term = "Pneumothorax";
  adverseEvent.grade = 2;
  adverseEvent.date = "2022-01-12";
  adverseEvent.attribution = "procedure";
  EXPECT_GT(record.AddAdverseEvent(adverseEvent), 0);
  const std::string before = Fingerprint();
  for (int grade : {0, 6}) {
    auto bad = adverseEvent;
    bad.grade = grade;
    ExpectError<InvalidInput>([&] { record.AddAdverseEvent(bad); },
                              {"grade", std::to_string(grade), "1 to 5"});
  }
  auto unattributed = adverseEvent;
  unattributed.attribution = "radiation";
  EXPECT_THROW(record.AddAdverseEvent(unattributed), InvalidInput);
  EXPECT_THROW(record.AddAdverseEvent(adverseEvent), InvalidInput); // the same entry twice
  EXPECT_EQ(Fingerprint(), before);
}

TEST_F(StudyRecordTest, EveryInsertIsInTheAuditTrailWithUserCommandAndValues) {
  auto record = StudyRecord::Open(File(), "coordinator1", "study add-followup");
  auto followUp = FollowUp("2022-02-10");
  followUp.vas = 3.5;
  record.AddFollowUp(followUp);
  const auto trail = record.Audit("P01");
  ASSERT_EQ(trail.size(), 4u); // patient, two lesions, follow-up
  EXPECT_EQ(trail[0].table, "patients");
  const AuditEntry& last = trail.back();
  EXPECT_EQ(last.action, "insert");
  EXPECT_EQ(last.table, "followups");
  EXPECT_EQ(last.user, "coordinator1");
  EXPECT_EQ(last.command, "study add-followup");
  EXPECT_EQ(last.entry, "2022-02-10");
  EXPECT_NE(last.newValue.find("\"vas\": 3.5"), std::string::npos) << last.newValue;
  EXPECT_EQ(last.timeUtc.size(), 24u); // YYYY-MM-DDTHH:MM:SS.mmmZ
}

TEST_F(StudyRecordTest, TheAuditTrailCannotBeChangedOrDeleted) {
  auto record = Open();
  EXPECT_THROW(record.Database().Execute("UPDATE audit SET user = 'nobody'"), Error);
  EXPECT_THROW(record.Database().Execute("DELETE FROM audit"), Error);
}

TEST_F(StudyRecordTest, CorrectChangesOneValueAndRecordsOldNewUserAndReason) {
  auto record = StudyRecord::Open(File(), "monitor", "study correct");
  Correction correction;
  correction.patientId = "P01";
  correction.field = "ecog";
  correction.value = "1";
  correction.reason = "source document says ECOG 1";
  record.Correct(correction);
  EXPECT_EQ(record.FindPatient("P01")->ecog, 1);
  correction.value = "2";
  record.Correct(correction);
  const AuditEntry last = record.Audit("P01").back();
  EXPECT_EQ(last.action, "correct");
  EXPECT_EQ(last.field, "ecog");
  EXPECT_EQ(last.oldValue, "1");
  EXPECT_EQ(last.newValue, "2");
  EXPECT_EQ(last.user, "monitor");
  EXPECT_EQ(last.reason, "source document says ECOG 1");

  Correction lesion;
  lesion.patientId = "P01";
  lesion.entry = Correction::Entry::Lesion;
  lesion.key = "GTV_Bone";
  lesion.field = "diameter_mm";
  lesion.value = "23.5";
  lesion.reason = "measured on the planning CT";
  record.Correct(lesion);
  EXPECT_EQ(record.Lesions("P01")[1].diameterMm, 23.5);
}

TEST_F(StudyRecordTest, CorrectRefusesBadFieldsValuesMissingReasonsAndBrokenChronology) {
  auto record = Open();
  record.AddFollowUp(FollowUp("2022-02-10"));
  const std::string before = Fingerprint();
  Correction correction;
  correction.patientId = "P01";
  correction.field = "start_date";
  correction.value = "2022-03-01";
  correction.reason = "typo";
  ExpectError<InvalidInput>([&] { record.Correct(correction); },
                            {"follow-up date 2022-02-10", "before start_date 2022-03-01"});
  correction.value = "2022-01-10";
  ExpectError<InvalidInput>([&] { record.Correct(correction); }, {"value already recorded"});
  correction.field = "weight";
  ExpectError<InvalidInput>([&] { record.Correct(correction); }, {"--field is 'weight'", "ecog"});
  correction.field = "patient_id";
  EXPECT_THROW(record.Correct(correction), InvalidInput);
  correction.field = "group";
  correction.value = "PD2";
  ExpectError<InvalidInput>([&] { record.Correct(correction); }, {"PD2", "PD1, PD1_I125"});
  correction.value = "PD1";
  correction.reason = "";
  ExpectError<InvalidInput>([&] { record.Correct(correction); }, {"--reason"});
  Correction index;
  index.patientId = "P01";
  index.entry = Correction::Entry::Lesion;
  index.key = "GTV_Bone";
  index.field = "is_index";
  index.value = "1";
  index.reason = "wrong lesion marked";
  ExpectError<InvalidInput>([&] { record.Correct(index); }, {"already has index lesion GTV_Lung"});
  EXPECT_EQ(Fingerprint(), before);
}

TEST_F(StudyRecordTest, DeleteRemovesAWronglyEnteredFollowUpAndKeepsItInTheAuditTrail) {
  auto record = Open();
  auto followUp = FollowUp("2022-02-10");
  followUp.vas = 7;
  followUp.lesionResponses = {{"GTV_Lung", "SD"}};
  record.AddFollowUp(followUp);
  Correction removal;
  removal.patientId = "P01";
  removal.entry = Correction::Entry::FollowUp;
  removal.key = "2022-02-10";
  removal.remove = true;
  removal.reason = "entered for the wrong patient";
  record.Correct(removal);
  EXPECT_TRUE(record.Snapshot("P01").followUps.empty());
  EXPECT_EQ(Count(record, "lesion_responses"), 0);
  const AuditEntry last = record.Audit("P01").back();
  EXPECT_EQ(last.action, "delete");
  EXPECT_NE(last.oldValue.find("\"vas\": 7"), std::string::npos) << last.oldValue;
  EXPECT_EQ(last.reason, "entered for the wrong patient");
  removal.entry = Correction::Entry::Lesion;
  removal.key = "GTV_Lung";
  EXPECT_THROW(record.Correct(removal), InvalidInput);
}

TEST_F(StudyRecordTest, ACommandsTransactionTakesAllOfItsChangesOrNone) {
  auto record = Open();
  {
    auto transaction = record.BeginCommand();
    record.AddPatient(Patient("P02", "PD1"));
    EXPECT_THROW(record.AddPatient(Patient("P01", "PD1")), InvalidInput);
    record.AddPatient(Patient("P03", "PD1"));
    // No Commit: the destructor rolls the whole command back.
  }
  EXPECT_FALSE(record.HasPatient("P02"));
  EXPECT_FALSE(record.HasPatient("P03"));
  {
    auto transaction = record.BeginCommand();
    record.AddPatient(Patient("P02", "PD1"));
    transaction->Commit();
  }
  EXPECT_TRUE(Open().HasPatient("P02"));
}

ImplantRecord SampleImplant() {
  ImplantRecord implant;
  implant.patientId = "P01";
  implant.lesionId = "GTV_Lung";
  implant.targetStructure = "GTV_Lung";
  implant.implantDate = "2022-01-12";
  implant.planFile = "/data/hospital/plans/plan.xml";
  implant.planSha256 = std::string(64, 'a');
  implant.seedModel = "6711";
  implant.seedStrengthU = 0.762;
  implant.seedActivityMCi = 0.6;
  implant.nSeeds = 24;
  implant.prescribedDoseGy = 120;
  implant.d90Gy = 131.25;
  implant.v100Pct = 96.5;
  implant.ci = 0.71;
  implant.organDoses = {{"SpinalCord", "D0_1cc", 30.0, 12.5, std::nullopt}};
  return implant;
}

TEST_F(StudyRecordTest, LoggingAnImplantAgainUpdatesOnlyWhatChangedWithAnAuditLine) {
  auto record = Open();
  auto implant = SampleImplant();
  auto result = record.LogImplant(implant, StudyRecord::ImplantPart::Planned, "plan");
  EXPECT_TRUE(result.inserted);
  result = record.LogImplant(implant, StudyRecord::ImplantPart::Planned, "same plan");
  EXPECT_FALSE(result.inserted);
  EXPECT_TRUE(result.changedFields.empty());
  implant.d90Gy = 128.0;
  implant.nSeeds = 25;
  implant.organDoses[0].plannedGy = 13.0;
  result = record.LogImplant(implant, StudyRecord::ImplantPart::Planned, "edited plan");
  EXPECT_EQ(result.changedFields,
            (std::vector<std::string>{"n_seeds", "d90_gy", "organ SpinalCord D0_1cc"}));
  const auto trail = record.Audit("P01");
  const auto d90 = std::find_if(trail.begin(), trail.end(),
                                [](const AuditEntry& e) { return e.field == "d90_gy"; });
  ASSERT_NE(d90, trail.end());
  EXPECT_EQ(d90->oldValue, "131.25");
  EXPECT_EQ(d90->newValue, "128");
  EXPECT_EQ(d90->reason, "edited plan");
  EXPECT_EQ(d90->entry, "GTV_Lung@2022-01-12");
  const auto stored = record.Snapshot("P01").implants;
  ASSERT_EQ(stored.size(), 1u);
  EXPECT_EQ(stored[0].d90Gy, 128.0);
  EXPECT_EQ(stored[0].organDoses[0].plannedGy, 13.0);
}

TEST_F(StudyRecordTest, PostImplantValuesGoBesideThePlannedOnes) {
  auto record = Open();
  record.LogImplant(SampleImplant(), StudyRecord::ImplantPart::Planned, "plan");
  auto post = SampleImplant();
  post.d90Gy = 999; // a post-implant log never changes the planned values
  post.postD90Gy = 118.5;
  post.postV100Pct = 91.0;
  post.postCtDate = "2022-02-11";
  post.seedsImplanted = 24;
  post.postSeedsFound = 23;
  post.organDoses[0].postGy = 14.5;
  const auto result = record.LogImplant(post, StudyRecord::ImplantPart::PostImplant, "postplan");
  EXPECT_FALSE(result.inserted);
  const auto stored = record.Snapshot("P01").implants.at(0);
  EXPECT_EQ(stored.d90Gy, 131.25);
  EXPECT_EQ(stored.postD90Gy, 118.5);
  EXPECT_EQ(stored.postSeedsFound, 23);
  EXPECT_EQ(stored.organDoses.at(0).plannedGy, 12.5);
  EXPECT_EQ(stored.organDoses.at(0).postGy, 14.5);
}

TEST_F(StudyRecordTest, AnImplantOfAnUnknownLesionIsRefused) {
  auto record = Open();
  auto implant = SampleImplant();
  implant.lesionId = "GTV_Node";
  implant.targetStructure = "GTV_Node";
  ExpectError<InvalidInput>(
      [&] { record.LogImplant(implant, StudyRecord::ImplantPart::Planned, "plan"); },
      {"target GTV_Node maps to lesion GTV_Node", "not a lesion of patient P01"});
  implant = SampleImplant();
  implant.v100Pct = 101;
  EXPECT_THROW(record.LogImplant(implant, StudyRecord::ImplantPart::Planned, "plan"), InvalidInput);
}

TEST_F(StudyRecordTest, BackupIsAConsistentRecordThatOpens) {
  auto record = Open();
  record.AddFollowUp(FollowUp("2022-02-10"));
  record.Backup(m_Folder / "copy.sqlite");
  auto copy =
      StudyRecord::Open(m_Folder / "copy.sqlite", "x", "test", StudyRecord::IntegrityCheck::Full);
  EXPECT_EQ(copy.Snapshot().followUps.size(), 1u);
  EXPECT_EQ(copy.Audit().size(), record.Audit().size());
  ExpectError<Io>([&] { record.Backup(m_Folder / "copy.sqlite"); }, {"already exists"});
  EXPECT_THROW(record.Backup(m_Folder / "missing-folder" / "copy.sqlite"), Io);
}

} // namespace
} // namespace seedplan::study
