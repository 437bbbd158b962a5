// Speed of the study record (issue 9: adding a follow-up to a 1 000-patient record takes at most
// 100 ms; exporting 1 000 patients at most 2 s). The record: 1 000 patients (half per group), each
// with 3 lesions, 6 follow-ups with lesion responses and labs, 3 events, an adverse event and one
// implant with 4 organ doses: 12 000+ entries, as a large study would hold. Timed as the commands
// run them: open (with its quick_check) + the change (one transaction, synchronous=FULL) + close;
// open + snapshot + writing every export file. Run:
//   build/bench/seedplan_bench_study_record

#include "seedplan/study/CohortExport.h"
#include "seedplan/study/IsoDate.h"
#include "seedplan/study/StudyRecord.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <filesystem>
#include <random>
#include <unistd.h>

namespace {

using namespace seedplan;
using namespace seedplan::study;
namespace fs = std::filesystem;

constexpr int kPatients = 1000;

/// The record, built once per run in a temporary folder (removed at exit).
class LargeRecord {
public:
  LargeRecord() {
    m_Folder = fs::temp_directory_path() / ("seedplan-bench-study-" + std::to_string(::getpid()));
    fs::create_directories(m_Folder);
    StudyInfo info;
    info.studyId = "BENCH";
    info.title = "1 000 patients";
    info.groups = {"PD1", "PD1_I125"};
    StudyRecord::Create(File(), info, "bench");
    auto record = StudyRecord::Open(File(), "bench", "bench setup");
    auto transaction = record.BeginCommand();
    std::mt19937 random(1);
    const std::int64_t base = IsoDate::Parse("2015-01-01", "d").DayNumber();
    for (int p = 0; p < kPatients; ++p) {
      char id[16];
      std::snprintf(id, sizeof id, "B%04d", p);
      PatientRecord patient;
      patient.patientId = id;
      patient.group = p % 2 ? "PD1_I125" : "PD1";
      patient.age = 40 + p % 40;
      patient.sex = p % 3 ? "M" : "F";
      patient.childPugh = p % 4 ? "A" : "B";
      patient.ecog = p % 3;
      patient.afpNgMl = 10.0 + p;
      const std::int64_t start = base + p;
      patient.startDate = IsoDate::FromDayNumber(start).ToString();
      record.AddPatient(patient);
      for (int l = 0; l < 3; ++l) {
        LesionRecord lesion;
        lesion.patientId = id;
        lesion.lesionId = "L" + std::to_string(l + 1);
        lesion.site = l == 0 ? "lung" : l == 1 ? "bone" : "lymph_node";
        lesion.isIndex = l == 0;
        lesion.diameterMm = 20.0 + l;
        record.AddLesion(lesion);
      }
      for (int v = 1; v <= 6; ++v) {
        FollowUpRecord visit;
        visit.patientId = id;
        visit.date = IsoDate::FromDayNumber(start + 30 * v).ToString();
        visit.vas = v % 10;
        visit.response = v < 3 ? "SD" : "PR";
        visit.wbc = 5.5;
        visit.platelets = 200;
        visit.alt = 30;
        visit.lesionResponses = {{"L1", "PR"}, {"L2", "SD"}, {"L3", "SD"}};
        record.AddFollowUp(visit);
      }
      const auto event = [&](const char* type, std::int64_t day,
                             std::optional<std::string> lesion) {
        StudyEventRecord e;
        e.patientId = id;
        e.type = type;
        e.date = IsoDate::FromDayNumber(start + day).ToString();
        e.lesionId = std::move(lesion);
        record.AddEvent(e);
      };
      event("local-progression", 200, "L2");
      event("progression", 210, std::nullopt);
      event(p % 3 ? "last-contact" : "death", 400, std::nullopt);
      AdverseEventRecord ae;
      ae.patientId = id;
      ae.term = "Pain";
      ae.grade = 1;
      ae.date = IsoDate::FromDayNumber(start + 2).ToString();
      record.AddAdverseEvent(ae);
      ImplantRecord implant;
      implant.patientId = id;
      implant.lesionId = "L1";
      implant.targetStructure = "GTV_L1";
      implant.implantDate = IsoDate::FromDayNumber(start + 1).ToString();
      implant.seedModel = "6711";
      implant.seedActivityMCi = 0.6;
      implant.nSeeds = 30;
      implant.prescribedDoseGy = 120;
      implant.d90Gy = 125.0 + (p % 17);
      implant.v100Pct = 95.5;
      for (const char* organ : {"SpinalCord", "Aorta", "Heart", "Kidney_R"}) {
        implant.organDoses.push_back({organ, "D2cc", 40.0, 12.0, std::nullopt});
      }
      record.LogImplant(implant, StudyRecord::ImplantPart::Planned, "bench");
    }
    transaction->Commit();
  }
  ~LargeRecord() {
    std::error_code ignored;
    fs::remove_all(m_Folder, ignored);
  }
  fs::path File() const { return m_Folder / "study.sqlite"; }
  fs::path Folder() const { return m_Folder; }

private:
  fs::path m_Folder;
};

LargeRecord& Record() {
  static LargeRecord record;
  return record;
}

void BM_AddFollowUpTo1000PatientRecord(benchmark::State& state) {
  const fs::path file = Record().File();
  // Across the repeated runs Google Benchmark makes: every follow-up on a new date.
  static std::int64_t day = IsoDate::Parse("2024-01-01", "d").DayNumber();
  for (auto _ : state) {
    // As `seedplan study add-followup` does: open (quick_check), one transaction, close.
    auto record = StudyRecord::Open(file, "bench", "study add-followup");
    FollowUpRecord visit;
    visit.patientId = "B0500";
    visit.date = IsoDate::FromDayNumber(day++).ToString();
    visit.vas = 3;
    visit.response = "PR";
    visit.lesionResponses = {{"L1", "PR"}};
    record.AddFollowUp(visit);
  }
  state.counters["budget_ms"] = 100;
}
BENCHMARK(BM_AddFollowUpTo1000PatientRecord)->Unit(benchmark::kMillisecond)->UseRealTime();

/// The part of every command that opens the record: header checks, quick_check and
/// foreign_key_check, journal mode, the study entry; then the close (which checkpoints the WAL).
void BM_OpenAndClose1000PatientRecord(benchmark::State& state) {
  const fs::path file = Record().File();
  for (auto _ : state) {
    auto record = StudyRecord::Open(file, "bench", "study show");
    benchmark::DoNotOptimize(record.Info());
  }
}
BENCHMARK(BM_OpenAndClose1000PatientRecord)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Export1000Patients(benchmark::State& state) {
  const fs::path file = Record().File();
  int run = 0;
  for (auto _ : state) {
    auto record = StudyRecord::Open(file, "bench", "study export");
    const fs::path out = Record().Folder() / ("export-" + std::to_string(run++));
    const auto files = CohortExport::Write(record.Snapshot(), out);
    benchmark::DoNotOptimize(files);
    state.PauseTiming();
    fs::remove_all(out);
    state.ResumeTiming();
  }
  state.counters["budget_ms"] = 2000;
}
BENCHMARK(BM_Export1000Patients)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
