// The export: exactly the cohort columns, what was entered comes out unchanged, the coordinators'
// import reads it back, nothing identifying leaves the record.

#include "seedplan/study/CohortExport.h"
#include "StudyTestSupport.h"
#include "seedplan/core/CsvTable.h"
#include "seedplan/core/Error.h"
#include "seedplan/study/CsvImport.h"
#include "seedplan/study/PatientOutcomes.h"

#include <map>
#include <random>
#include <set>

namespace seedplan::study {
namespace {

namespace fs = std::filesystem;

/// A cohort made by a generator independent of the record's code: every optional field present or
/// absent at random, numbers with decimals, text with commas and quotes, dates in order.
struct RandomCohort {
  std::vector<PatientRecord> patients;
  std::vector<LesionRecord> lesions;
  std::vector<FollowUpRecord> followUps;
  std::vector<StudyEventRecord> events;
  std::vector<AdverseEventRecord> adverseEvents;

  explicit RandomCohort(unsigned seed, int count) {
    std::mt19937 random(seed);
    const auto chance = [&](double p) {
      return std::uniform_real_distribution<>(0, 1)(random) < p;
    };
    const auto pick = [&](const std::vector<std::string>& values) {
      return values[std::uniform_int_distribution<std::size_t>(0, values.size() - 1)(random)];
    };
    const auto real = [&](double low, double high) {
      return std::uniform_real_distribution<>(low, high)(random);
    };
    const auto integer = [&](int low, int high) {
      return std::uniform_int_distribution<>(low, high)(random);
    };
    for (int i = 1; i <= count; ++i) {
      char id[16];
      std::snprintf(id, sizeof id, "R%03d", i);
      PatientRecord p;
      p.patientId = id;
      p.group = pick({"PD1", "PD1_I125"});
      const auto start =
          IsoDate::FromDayNumber(IsoDate::Parse("2019-01-01", "d").DayNumber() + integer(0, 1000));
      if (chance(0.9)) {
        p.startDate = start.ToString();
      }
      if (chance(0.8))
        p.age = integer(28, 85);
      if (chance(0.8))
        p.sex = pick({"M", "F"});
      if (chance(0.7))
        p.bclc = pick({"B", "C"});
      if (chance(0.8))
        p.childPugh = pick({"A", "B"});
      if (chance(0.8))
        p.ecog = integer(0, 2);
      if (chance(0.8))
        p.afpNgMl = std::exp(real(0, 11)); // 1 to 60 000 ng/mL, many digits
      if (chance(0.6))
        p.hbv = pick({"yes", "no"});
      if (chance(0.7))
        p.pd1Agent =
            pick({"camrelizumab", "sintilimab, 200 mg", "toripalimab \"T\"", "tislelizumab"});
      if (chance(0.7))
        p.nExtrahepatic = integer(1, 6);
      if (chance(0.7))
        p.vasBaseline = integer(0, 20) * 0.5;
      patients.push_back(p);

      const int lesionCount = integer(1, 3);
      for (int l = 1; l <= lesionCount; ++l) {
        LesionRecord lesion;
        lesion.patientId = id;
        lesion.lesionId = "L" + std::to_string(l);
        lesion.site = pick({"lung", "bone", "lymph_node", "adrenal", "peritoneum", "other"});
        lesion.isIndex = l == 1;
        if (chance(0.7))
          lesion.diameterMm = std::round(real(8, 60) * 10) / 10;
        if (chance(0.5))
          lesion.volumeCc = real(0.3, 80);
        lesions.push_back(lesion);
      }
      // An adverse event soon after the start, then visits and events in date order, death (if
      // any) last.
      std::int64_t day = start.DayNumber();
      if (chance(0.5)) {
        day += integer(0, 10);
        AdverseEventRecord ae;
        ae.patientId = id;
        ae.term = pick({"Pneumothorax", "Pain", "Fatigue, mild", "Hypothyroidism"});
        ae.grade = integer(1, 3);
        ae.date = IsoDate::FromDayNumber(day).ToString();
        if (chance(0.8))
          ae.attribution = pick({"procedure", "seeds", "pd1", "other"});
        adverseEvents.push_back(ae);
      }
      const int visits = integer(0, 4);
      for (int v = 0; v < visits; ++v) {
        day += integer(20, 70);
        FollowUpRecord f;
        f.patientId = id;
        f.date = IsoDate::FromDayNumber(day).ToString();
        if (chance(0.8))
          f.vas = integer(0, 10);
        if (chance(0.7)) {
          f.response = pick({"CR", "PR", "SD", "PD"});
          f.criteria = pick({"RECIST1.1", "mRECIST"});
        }
        if (chance(0.6)) {
          f.wbc = std::round(real(2, 12) * 100) / 100;
          f.platelets = integer(50, 400);
          f.haemoglobin = integer(80, 160);
          f.alt = real(10, 200);
          f.albumin = real(25, 45);
        }
        if (chance(0.3))
          f.creatinine = real(40, 200);
        if (chance(0.5)) {
          f.lesionResponses.push_back({"L1", pick({"CR", "PR", "SD", "PD"})});
          if (lesionCount > 1 && chance(0.5)) {
            f.lesionResponses.push_back({"L2", pick({"CR", "PR", "SD", "PD"})});
          }
          if (!f.criteria) {
            f.criteria = "RECIST1.1";
          }
        }
        followUps.push_back(f);
      }
      const auto event = [&](const std::string& type, std::optional<std::string> lesion) {
        day += integer(1, 90);
        StudyEventRecord e;
        e.patientId = id;
        e.type = type;
        e.date = IsoDate::FromDayNumber(day).ToString();
        e.lesionId = lesion;
        events.push_back(e);
      };
      if (chance(0.4))
        event("local-progression", "L" + std::to_string(integer(1, lesionCount)));
      if (chance(0.5))
        event("progression", std::nullopt);
      if (chance(0.5))
        event("last-contact", std::nullopt);
      if (chance(0.3))
        event("death", std::nullopt);
    }
  }

  void EnterInto(StudyRecord& record) const {
    auto transaction = record.BeginCommand();
    for (const auto& p : patients)
      record.AddPatient(p);
    for (const auto& l : lesions)
      record.AddLesion(l);
    for (const auto& f : followUps)
      record.AddFollowUp(f);
    for (const auto& e : events)
      record.AddEvent(e);
    for (const auto& a : adverseEvents)
      record.AddAdverseEvent(a);
    transaction->Commit();
  }
};

/// The export's rows of `table`, each as column -> cell.
std::vector<std::map<std::string, std::string>> ReadRows(const fs::path& file) {
  const CsvTable csv = CsvTable::Read(file);
  std::vector<std::map<std::string, std::string>> rows;
  for (std::size_t r = 0; r < csv.RowCount(); ++r) {
    std::map<std::string, std::string> row;
    for (std::size_t c = 0; c < csv.Header().size(); ++c) {
      row[csv.Header()[c]] = csv.Row(r)[c];
    }
    rows.push_back(row);
  }
  return rows;
}

/// Every entered field of every record as the export must write it, keyed by `key`.
template <class R>
std::multiset<std::string> Expected(const std::vector<R>& records, const RecordFields<R>& fields,
                                    const std::function<std::string(const R&)>& extra = {}) {
  std::multiset<std::string> rows;
  for (const R& record : records) {
    std::string text;
    for (const auto& field : fields.All()) {
      text += field.spec.name + "=" + FieldSpec::Format(RecordFields<R>::Get(record, field)) + "|";
    }
    if (extra) {
      text += extra(record);
    }
    rows.insert(text);
  }
  return rows;
}

template <class R>
std::multiset<std::string> Exported(const fs::path& file, const RecordFields<R>& fields,
                                    const std::string& extraColumn = "") {
  std::multiset<std::string> rows;
  for (const auto& row : ReadRows(file)) {
    std::string text;
    for (const auto& field : fields.All()) {
      text += field.spec.name + "=" + row.at(field.spec.name) + "|";
    }
    if (!extraColumn.empty()) {
      text += row.at(extraColumn) == "NA" ? "" : row.at(extraColumn);
    }
    rows.insert(text);
  }
  return rows;
}

class CohortExportTest : public ::testing::Test {
protected:
  void SetUp() override {
    StudyRecord::Create(m_Folder / "study.sqlite", test::TwoGroupStudy(), "tester");
  }
  StudyRecord Open() { return StudyRecord::Open(m_Folder / "study.sqlite", "tester", "test"); }
  test::TempFolder m_Folder;
};

TEST_F(CohortExportTest, PatientsCsvStartsWithExactlyTheCohortColumnsOfTheOutcomeAnalysis) {
  auto record = Open();
  record.AddPatient(test::Patient("P01", "PD1"));
  CohortExport::Write(record.Snapshot(), m_Folder / "export");
  const CsvTable csv = CsvTable::Read(m_Folder / "export" / "patients.csv");
  const std::vector<std::string> cohort = {"patient_id",
                                           "group",
                                           "age",
                                           "sex",
                                           "child_pugh",
                                           "ecog",
                                           "afp_ng_ml",
                                           "lesion_site",
                                           "n_extrahepatic",
                                           "pd1_agent",
                                           "seed_activity_mci",
                                           "n_seeds",
                                           "prescribed_dose_gy",
                                           "d90_gy",
                                           "v100_pct",
                                           "best_response",
                                           "start_date",
                                           "pfs_date",
                                           "pfs_event",
                                           "os_date",
                                           "os_event",
                                           "lpfs_date",
                                           "lpfs_event",
                                           "pfs_months",
                                           "os_months",
                                           "lpfs_months"};
  ASSERT_GE(csv.Header().size(), cohort.size());
  EXPECT_EQ(std::vector<std::string>(csv.Header().begin(), csv.Header().begin() + 26), cohort);
  EXPECT_EQ(CohortExport::CohortColumns(), cohort);
}

TEST_F(CohortExportTest, TheExportEqualsWhatWasEntered) {
  const RandomCohort cohort(20240611, 60);
  auto record = Open();
  cohort.EnterInto(record);
  const auto written = CohortExport::Write(record.Snapshot(), m_Folder / "export");
  EXPECT_EQ(written.size(), 8u);
  const fs::path out = m_Folder / "export";

  // Patients: every entered field, in the patients.csv column of the same name.
  EXPECT_EQ(Exported(out / "patients.csv", PatientRecord::Fields()),
            Expected(cohort.patients, PatientRecord::Fields()));
  EXPECT_EQ(Exported(out / "lesions.csv", LesionRecord::Fields()),
            Expected(cohort.lesions, LesionRecord::Fields()));
  EXPECT_EQ(Exported(out / "followups.csv", FollowUpRecord::Fields(), "lesion_responses"),
            Expected<FollowUpRecord>(
                cohort.followUps, FollowUpRecord::Fields(), [](const FollowUpRecord& f) {
                  return FollowUpRecord::FormatLesionResponses(f.lesionResponses);
                }));
  EXPECT_EQ(Exported(out / "events.csv", StudyEventRecord::Fields()),
            Expected(cohort.events, StudyEventRecord::Fields()));
  EXPECT_EQ(Exported(out / "adverse_events.csv", AdverseEventRecord::Fields()),
            Expected(cohort.adverseEvents, AdverseEventRecord::Fields()));

  // The derived columns follow the definitions from the same entries.
  const auto patients = ReadRows(out / "patients.csv");
  ASSERT_EQ(patients.size(), cohort.patients.size());
  std::size_t withDeath = 0;
  for (const auto& row : patients) {
    const auto& id = row.at("patient_id");
    PatientRecord patient;
    for (const auto& p : cohort.patients) {
      if (p.patientId == id)
        patient = p;
    }
    const auto outcomes =
        PatientOutcomes::Derive(patient, cohort.lesions, cohort.followUps, cohort.events);
    EXPECT_EQ(row.at("os_date"), outcomes.os.date.value_or("NA")) << id;
    EXPECT_EQ(row.at("pfs_event"), outcomes.pfs.event ? std::to_string(*outcomes.pfs.event) : "NA")
        << id;
    EXPECT_EQ(
        row.at("lpfs_months"),
        FieldSpec::Format(outcomes.lpfs.months ? FieldValue(*outcomes.lpfs.months) : FieldValue()))
        << id;
    withDeath += row.at("os_event") == "1";
  }
  EXPECT_GT(withDeath, 5u); // the generator made deaths, so OS events are exercised
}

TEST_F(CohortExportTest, ImportingTheExportIntoANewRecordGivesTheSameExport) {
  const RandomCohort cohort(7, 40);
  {
    auto record = Open();
    cohort.EnterInto(record);
    CohortExport::Write(record.Snapshot(), m_Folder / "first");
  }
  const auto copy = m_Folder / "copy.sqlite";
  StudyRecord::Create(copy, test::TwoGroupStudy(), "coordinator");
  auto record = StudyRecord::Open(copy, "coordinator", "study import");
  std::size_t rows = 0;
  for (const char* table : {"patients", "lesions", "followups", "events", "adverse_events"}) {
    rows += CsvImport::Import(record, table, m_Folder / "first" / (std::string(table) + ".csv"));
  }
  EXPECT_EQ(rows, cohort.patients.size() + cohort.lesions.size() + cohort.followUps.size() +
                      cohort.events.size() + cohort.adverseEvents.size());
  CohortExport::Write(record.Snapshot(), m_Folder / "second");
  for (const auto& entry : fs::directory_iterator(m_Folder / "first")) {
    EXPECT_EQ(test::ReadText(entry.path()),
              test::ReadText(m_Folder / "second" / entry.path().filename()))
        << entry.path().filename();
  }
}

TEST_F(CohortExportTest, ImportRefusesABadRowNamingFileLineAndColumnAndWritesNothing) {
  auto record = Open();
  record.AddPatient(test::Patient("P01", "PD1"));
  const auto csv = m_Folder / "visits.csv";
  std::ofstream(csv) << "patient_id,date,vas,response\n"
                        "P01,2022-02-01,3,PR\n"
                        "P01,2022-03-01,12,SD\n";
  test::ExpectError<InvalidInput>([&] { CsvImport::Import(record, "followups", csv); },
                                  {"visits.csv line 3 column vas", "'12'", "0 to 10"});
  std::ofstream(csv) << "patient_id,date,vas\n"
                        "P01,2022-02-01,3\n"
                        "P02,2022-03-01,4\n";
  test::ExpectError<InvalidInput>([&] { CsvImport::Import(record, "followups", csv); },
                                  {"visits.csv line 3", "P02", "not a patient"});
  std::ofstream(csv) << "patient_id,date,pain\n"
                        "P01,2022-02-01,3\n";
  test::ExpectError<DataFormat>([&] { CsvImport::Import(record, "followups", csv); },
                                {"column 'pain'", "not a column of followups.csv"});
  std::ofstream(csv) << "patient_id,vas\n"
                        "P01,3\n";
  test::ExpectError<DataFormat>([&] { CsvImport::Import(record, "followups", csv); },
                                {"column 'date' is missing"});
  EXPECT_TRUE(record.Snapshot().followUps.empty());
  EXPECT_THROW(CsvImport::Import(record, "implants", csv), InvalidInput);
}

TEST_F(CohortExportTest, ImportIgnoresTheDerivedColumnsAndEmptySpreadsheetRows) {
  auto record = Open();
  const auto csv = m_Folder / "patients.csv";
  std::ofstream(csv) << "\xEF\xBB\xBFpatient_id,group,age,start_date,pfs_months,os_event\n"
                        "P01,PD1_I125,61,2022-01-10,4.5,1\n"
                        ",,,,,\n";
  EXPECT_EQ(CsvImport::Import(record, "patients", csv), 1u);
  EXPECT_EQ(record.FindPatient("P01")->age, 61);
}

TEST_F(CohortExportTest, NothingIdentifyingLeavesTheRecord) {
  auto record = Open();
  record.AddPatient(test::Patient("S001", "PD1_I125"));
  record.AddLesion(test::Lesion("S001", "GTV_Lung", "lung", true));
  ImplantRecord implant;
  implant.patientId = "S001";
  implant.lesionId = "GTV_Lung";
  implant.targetStructure = "GTV_Lung";
  implant.implantDate = "2022-01-12";
  implant.planFile = "/data/HOSP-4711-Zhang/plans/plan.xml";
  implant.ctStudyUid = "1.2.826.0.1.3680043.8.498.1111";
  implant.ctSeriesUid = "1.2.826.0.1.3680043.8.498.2222";
  implant.ctFrameOfReferenceUid = "1.2.826.0.1.3680043.8.498.3333";
  implant.postPlanFile = "/data/HOSP-4711-Zhang/plans/post.xml";
  implant.postCtSeriesUid = "1.2.826.0.1.3680043.8.498.4444";
  implant.d90Gy = 125;
  record.LogImplant(implant, StudyRecord::ImplantPart::Planned, "plan");
  CohortExport::Write(record.Snapshot(), m_Folder / "export");
  std::size_t files = 0;
  for (const auto& entry : fs::directory_iterator(m_Folder / "export")) {
    ++files;
    const std::string text = test::ReadText(entry.path());
    for (const char* secret : {"HOSP-4711", "Zhang", "/data", "plans/", "1.2.826", ".xml"}) {
      EXPECT_EQ(text.find(secret), std::string::npos) << entry.path() << " holds " << secret;
    }
    EXPECT_NE(text.rfind("\xEF\xBB\xBF", 0), 0u) << entry.path() << " starts with a BOM";
    if (entry.path().filename() != "data_dictionary.csv") {
      EXPECT_EQ(text.rfind("patient_id,", 0), 0u) << entry.path();
    }
  }
  EXPECT_EQ(files, 8u);
  const auto implants = ReadRows(m_Folder / "export" / "implants.csv");
  ASSERT_EQ(implants.size(), 1u);
  EXPECT_EQ(implants[0].at("d90_gy"), "125");
  EXPECT_EQ(implants[0].count("plan_file"), 0u);
}

TEST_F(CohortExportTest, TheDataDictionaryDescribesEveryColumnOfEveryTable) {
  auto record = Open();
  CohortExport::Write(record.Snapshot(), m_Folder / "export");
  const auto dictionary = ReadRows(m_Folder / "export" / "data_dictionary.csv");
  std::set<std::string> described;
  for (const auto& row : dictionary) {
    described.insert(row.at("table") + "." + row.at("column"));
    EXPECT_NE(row.at("label"), "NA") << row.at("column");
    EXPECT_NE(row.at("type"), "NA") << row.at("column");
  }
  for (const auto& entry : fs::directory_iterator(m_Folder / "export")) {
    const std::string table = entry.path().stem().string();
    if (table == "data_dictionary")
      continue;
    const CsvTable csv = CsvTable::Read(entry.path());
    for (const auto& column : csv.Header()) {
      EXPECT_TRUE(described.count(table + "." + column)) << table << "." << column;
    }
  }
  const auto group = std::find_if(dictionary.begin(), dictionary.end(), [](const auto& row) {
    return row.at("table") == "patients" && row.at("column") == "group";
  });
  ASSERT_NE(group, dictionary.end());
  EXPECT_EQ(group->at("allowed_values"), "PD1|PD1_I125");
}

TEST_F(CohortExportTest, AnExportThatCannotBeWrittenLeavesNoFolder) {
  auto record = Open();
  EXPECT_THROW(CohortExport::Write(record.Snapshot(), m_Folder / "missing" / "export"), Io);
  std::ofstream(m_Folder / "file").flush();
  EXPECT_THROW(CohortExport::Write(record.Snapshot(), m_Folder / "file"), Io);
  for (const auto& entry : fs::directory_iterator(m_Folder.Path())) {
    EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos);
  }
}

} // namespace
} // namespace seedplan::study
