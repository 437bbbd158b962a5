// `seedplan demo [--out DIR]`: the README's main job on the sample patient: plans all four target
// lesions with the sample case's prescriptions and organ limits (illustrative values), prints one
// row per lesion and the organ doses against their limits, and writes the plan, the dose grid,
// the seeds, the plan as DICOM RT (rtplan.dcm, rtdose.dcm, rtstruct.dcm) and the plan report
// (report.html, issue 14) into DIR.

#include "Commands.h"
#include "DemoPictures.h"
#include "DicomRtExport.h"
#include "EvaluatedPlan.h"
#include "PlanReport.h"
#include "PlanningSession.h"
#include "StudyPlanLog.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/SeedsCsv.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/imaging/SamplePatient.h"
#include "seedplan/imaging/VolumeIo.h"
#include "seedplan/planning/CalendarDate.h"
#include "seedplan/planning/PlanXml.h"

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>

namespace seedplan::app {

namespace {

namespace fs = std::filesystem;

struct DemoOptions {
  std::string out = "seedplan-demo";
  std::string patient;
  StudyLogOptions studyLog;
};

/// Where the sample patient lives: --patient, $SEEDPLAN_SAMPLE_PATIENT, or sample_data/patient in
/// the source tree (generated there on first use: ~37 MB of DICOM, too large to commit).
fs::path PatientFolder(const DemoOptions& options) {
  if (!options.patient.empty()) {
    return options.patient;
  }
  if (const char* fromEnvironment = std::getenv("SEEDPLAN_SAMPLE_PATIENT")) {
    if (*fromEnvironment) {
      return fromEnvironment;
    }
  }
  return fs::path(SEEDPLAN_SAMPLE_DATA_DIR) / "patient";
}

/// The sample case's seeds: 0.6 mCi of 6711 (within the 0.5-0.8 mCi used clinically), assayed
/// on the implant date.
constexpr double kDemoActivityMCi = 0.6;

void RunDemo(const DemoOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  const fs::path outFolder = options.out;
  std::error_code error;
  fs::create_directories(outFolder, error);
  if (error || !fs::is_directory(outFolder)) {
    throw Io(outFolder.string() + ": cannot create the output folder (" + error.message() + ")");
  }
  imaging::SamplePatientFiles files{PatientFolder(options)};
  if (!files.IsCurrent()) {
    std::cerr << "seedplan: generating the sample patient in " << files.folder.string()
              << (files.GeneratorVersion() > 0 || files.Complete() ? " (older generator)"
                                                                   : " (first run)")
              << " ...\n";
    files = imaging::SamplePatient::EnsureCurrent(files.folder);
  }
  const dosimetry::SourceLibrary library;
  const auto model = library.Load("6711");

  planning::ImplantPlanningRequest request;
  for (const auto& lesion : imaging::SamplePatient::ReadPrescriptions(files.Prescriptions())) {
    planning::TargetPrescription target;
    target.structureName = lesion.structureName;
    target.site = lesion.site;
    target.prescriptionGy = lesion.prescriptionGy;
    request.targets.push_back(target);
    if (lesion.site == "bone") {
      // The physicist allows the transpedicular route into the vertebral body.
      request.trajectory.allowBoneAccessTo.insert(lesion.structureName);
    }
  }
  for (const auto& limit : imaging::SamplePatient::ReadOrganLimits(files.OrganLimits())) {
    request.limits.push_back({limit.structureName, limit.metric, limit.limitGy});
  }
  request.modelId = model->Id();
  request.strengthU = kDemoActivityMCi * model->StrengthPerActivityUPerMCi();
  request.needleMode = "free";
  // 7.5 mm between needles: the sample lesions are 2-3 cm across; at 10 mm the 3.5 cc vertebral
  // lesion gets two or three needles and cannot be covered.
  request.needleSpacingMm = 7.5;

  StudyPlanLog studyLog(options.studyLog, StudyPlanLog::Mode::Demo, "demo");
  studyLog.Prepare(request.targets);
  PlanningSession session;
  session.plan.studyId = "SEEDPLAN-DEMO";
  session.plan.assayStrengthU = request.strengthU;
  session.plan.assayDate = planning::CalendarDate::TodayUtc().ToString();
  session.plan.implantDate = session.plan.assayDate;
  session.plan.strengthAtImplantU = request.strengthU;
  session.Load(files.Ct().string(), "", files.RtStruct().string(), {});
  session.Run(request, library);

  std::cout << "seedplan demo: sample patient " << session.plan.patientId << " ("
            << files.folder.string() << "), seeds of model 6711 at " << kDemoActivityMCi << " mCi ("
            << FormatNumber(request.strengthU, 4) << " U)\n\n";
  session.PrintSummary(model->StrengthPerActivityUPerMCi());

  studyLog.WriteAndLog(session.plan, outFolder / "plan.xml", session.ct.info.patientId,
                       FactsFromSession(session));
  imaging::WriteVolume(session.doseGy, outFolder / "dose.mha");
  SeedsCsv::Write(outFolder / "seeds.csv", session.plan.seeds, true);
  const DicomRtExportResult rt =
      ExportDicomRt(session.plan, (outFolder / "plan.xml").string(), session.ct, session.structures,
                    session.doseGy, library, outFolder, true);
  WriteDemoPictures(session, outFolder);
  // The plan report (issue 14) of the plan just evaluated: the same numbers, nothing recomputed.
  const EvaluatedPlan evaluated{(outFolder / "plan.xml").string(), std::move(session)};
  const std::string reportLine =
      PlanReport::Write(evaluated, nullptr, library, outFolder / "report.html");
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "\nwrote " << (outFolder / "plan.xml").string() << ", "
            << (outFolder / "dose.mha").string() << " (total dose, Gy, CT grid), "
            << (outFolder / "seeds.csv").string() << ", " << rt.rtPlan.string() << ", "
            << rt.rtDose.string() << ", " << rt.rtStruct.string() << " in "
            << FormatNumber(seconds, 3) << " s\n"
            << reportLine << '\n';
}

} // namespace

void RegisterDemoCommand(CLI::App& app) {
  auto* command = app.add_subcommand(
      "demo", "The main job: plan the four lesions of the sample patient and report them");
  auto options = std::make_shared<DemoOptions>();
  command->add_option("--out", options->out, "Output folder (default: ./seedplan-demo)");
  command->add_option("--patient", options->patient,
                      "Sample patient folder (default: sample_data/patient, made on first use)");
  AddStudyLogOptions(*command, options->studyLog, false);
  command->callback([options]() { RunDemo(*options); });
}

} // namespace seedplan::app
