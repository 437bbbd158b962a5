// The export loads "as it is" into the tools a statistician uses: R's read.csv and pandas'
// read_csv, with the rows, missing values and numbers the record holds.

#include "StudyTestSupport.h"
#include "seedplan/study/CohortExport.h"

#include <array>
#include <cstdio>
#include <cstdlib>

namespace seedplan::study {
namespace {

namespace fs = std::filesystem;

struct ShellRun {
  int exitCode = -1;
  std::string output;
};

ShellRun Shell(const std::string& command) {
  ShellRun run;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (!pipe) {
    return run;
  }
  std::array<char, 4096> buffer{};
  std::size_t n;
  while ((n = std::fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    run.output.append(buffer.data(), n);
  }
  const int status = pclose(pipe);
  run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

bool Installed(const std::string& program) {
  return Shell("command -v " + program).exitCode == 0;
}

/// A small record with every kind of entry, missing values, text with a comma and a quote, and an
/// implant; exported into `folder`.
void ExportSample(const fs::path& folder) {
  const auto file = folder / "study.sqlite";
  StudyRecord::Create(file, test::TwoGroupStudy(), "tester");
  auto record = StudyRecord::Open(file, "tester", "test");
  auto p1 = test::Patient("P01", "PD1_I125", "2022-01-10");
  p1.age = 61;
  p1.sex = "F";
  p1.afpNgMl = 1234.5678;
  p1.pd1Agent = "sintilimab, \"200 mg\"";
  record.AddPatient(p1);
  record.AddPatient(test::Patient("P02", "PD1", "2022-02-01"));
  record.AddLesion(test::Lesion("P01", "GTV_Lung", "lung", true));
  record.AddLesion(test::Lesion("P02", "L1", "lymph_node", true));
  FollowUpRecord visit;
  visit.patientId = "P01";
  visit.date = "2022-03-10";
  visit.vas = 2.5;
  visit.response = "PR";
  visit.lesionResponses = {{"GTV_Lung", "PR"}};
  record.AddFollowUp(visit);
  StudyEventRecord death;
  death.patientId = "P02";
  death.type = "death";
  death.date = "2022-11-15";
  record.AddEvent(death);
  AdverseEventRecord pain;
  pain.patientId = "P01";
  pain.term = "Pain";
  pain.grade = 1;
  pain.date = "2022-01-12";
  record.AddAdverseEvent(pain);
  ImplantRecord implant;
  implant.patientId = "P01";
  implant.lesionId = "GTV_Lung";
  implant.targetStructure = "GTV_Lung";
  implant.implantDate = "2022-01-11";
  implant.d90Gy = 131.25;
  implant.v100Pct = 96.5;
  implant.nSeeds = 24;
  record.LogImplant(implant, StudyRecord::ImplantPart::Planned, "plan");
  CohortExport::Write(record.Snapshot(), folder / "export");
}

TEST(ExportReaders, RReadsEveryFileWithItsRowsNumbersAndMissingValues) {
  if (!Installed("Rscript")) {
    GTEST_SKIP() << "Rscript is not installed (CI installs it: scripts/install-deps.sh)";
  }
  const test::TempFolder folder;
  ExportSample(folder.Path());
  const fs::path out = folder / "export";
  const std::string script =
      "d <- '" + out.string() +
      "'\n"
      "for (f in list.files(d, pattern = '[.]csv$')) {\n"
      "  x <- read.csv(file.path(d, f)); cat(f, nrow(x), ncol(x), '\\n') }\n"
      "p <- read.csv(file.path(d, 'patients.csv'))\n"
      "cat('afp', format(p$afp_ng_ml[p$patient_id == 'P01'], digits = 10), '\\n')\n"
      "cat('agent', p$pd1_agent[1], '\\n')\n"
      "cat('os', p$os_event[p$patient_id == 'P02'],\n"
      "    format(p$os_months[p$patient_id == 'P02'], digits = 10), '\\n')\n"
      "cat('na', is.na(p$age[p$patient_id == 'P02']), is.na(p$d90_gy[p$patient_id == 'P02']),\n"
      "    '\\n')\n"
      "cat('d90', p$d90_gy[p$patient_id == 'P01'], class(p$d90_gy), class(p$start_date), "
      "'\\n')\n";
  const auto scriptFile = folder / "read.R";
  std::ofstream(scriptFile) << script;
  const ShellRun run = Shell("Rscript " + scriptFile.string());
  ASSERT_EQ(run.exitCode, 0) << run.output;
  EXPECT_NE(run.output.find("patients.csv 2 37"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("followups.csv 1 "), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("events.csv 1 5"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("implants.csv 1 "), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("afp 1234.5678"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("agent sintilimab, \"200 mg\""), std::string::npos) << run.output;
  // 2022-02-01 to 2022-11-15: 287 days = 9.429158111 months.
  EXPECT_NE(run.output.find("os 1 9.429158111"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("na TRUE TRUE"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("d90 131.25 numeric character"), std::string::npos) << run.output;
}

TEST(ExportReaders, PandasReadsEveryFileWithItsRowsNumbersAndMissingValues) {
  // Debian's python3 has python3-pandas; a python3 of pyenv or a venv first on PATH may not.
  std::string python;
  for (const char* candidate : {"python3", "/usr/bin/python3"}) {
    if (python.empty() && Shell(std::string(candidate) + " -c 'import pandas'").exitCode == 0) {
      python = candidate;
    }
  }
  if (python.empty()) {
    GTEST_SKIP() << "pandas is not installed (CI installs python3-pandas)";
  }
  const test::TempFolder folder;
  ExportSample(folder.Path());
  const fs::path out = folder / "export";
  const std::string script =
      "import glob, os, pandas as pd\n"
      "d = '" +
      out.string() +
      "'\n"
      "for f in sorted(glob.glob(os.path.join(d, '*.csv'))):\n"
      "    x = pd.read_csv(f)\n"
      "    print(os.path.basename(f), len(x), len(x.columns))\n"
      "p = pd.read_csv(os.path.join(d, 'patients.csv')).set_index('patient_id')\n"
      "print('afp', repr(p.loc['P01', 'afp_ng_ml']))\n"
      "print('agent', p.loc['P01', 'pd1_agent'])\n"
      "print('os', p.loc['P02', 'os_event'], repr(p.loc['P02', 'os_months']))\n"
      "print('na', pd.isna(p.loc['P02', 'age']), pd.isna(p.loc['P02', 'd90_gy']))\n"
      "print('d90', p.loc['P01', 'd90_gy'], p['d90_gy'].dtype)\n";
  const auto scriptFile = folder / "read.py";
  std::ofstream(scriptFile) << script;
  const ShellRun run = Shell(python + " " + scriptFile.string());
  ASSERT_EQ(run.exitCode, 0) << run.output;
  EXPECT_NE(run.output.find("patients.csv 2 37"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("events.csv 1 5"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("afp 1234.5678"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("agent sintilimab, \"200 mg\""), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("os 1 9.42915811088"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("na True True"), std::string::npos) << run.output;
  EXPECT_NE(run.output.find("d90 131.25 float64"), std::string::npos) << run.output;
}

} // namespace
} // namespace seedplan::study
