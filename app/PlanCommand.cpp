// `seedplan plan`: needles and seeds for each target lesion, optimised to its prescription, with
// the organ limits respected; writes the plan XML and prints one row per lesion.

#include "CommandLine.h"
#include "Commands.h"
#include "PlanningSession.h"
#include "StudyPlanLog.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/InputLimits.h"
#include "seedplan/core/SeedsCsv.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/dosimetry/SeedStrength.h"
#include "seedplan/planning/CalendarDate.h"
#include "seedplan/planning/PlanXml.h"

#include <iostream>
#include <memory>

namespace seedplan::app {

namespace {

struct PlanOptions {
  std::string ct;
  std::string series;
  std::string structures;
  std::vector<std::string> targets;
  std::vector<std::string> oars;
  std::vector<std::string> roles;
  std::vector<std::string> boneAccess;
  std::string model = "6711";
  std::optional<double> strengthU;
  std::optional<double> activityMCi;
  std::string assayDate;
  std::string implantDate;
  double marginMm = 0.0;
  double seedSpacingMm = 5.0;
  std::string needles = "free";
  std::string templateNormal = "0,0,1";
  double needleSpacingMm = 10.0;
  std::string patientId;
  std::string studyId;
  std::string seeds;
  std::string out;
  StudyLogOptions studyLog;
};

std::vector<std::string> Split(const std::string& text, char separator) {
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (true) {
    const std::size_t at = text.find(separator, start);
    parts.push_back(text.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) {
      return parts;
    }
    start = at + 1;
  }
}

} // namespace

planning::TargetPrescription ParseTargetOption(const std::string& text, double marginMm) {
  const auto parts = Split(text, ':');
  if (parts.size() != 2 || parts[0].empty()) {
    throw InvalidInput("--target is '" + text + "'; expected NAME:RX_GY, e.g. GTV_Lung:120");
  }
  planning::TargetPrescription target;
  target.structureName = parts[0];
  try {
    target.prescriptionGy = ParseFiniteNumber(parts[1], "--target " + text + " prescription");
  } catch (const DataFormat& error) {
    throw InvalidInput(error.what());
  }
  limits::RequireInRange(target.prescriptionGy, 0.0, limits::kMaxDoseGy, true,
                         "--target " + Excerpt(text) + " prescription", "a prescription", "Gy");
  target.marginMm = marginMm;
  return target;
}

planning::OrganLimitSpec ParseOarOption(const std::string& text) {
  const auto parts = Split(text, ':');
  if (parts.size() != 3 || parts[0].empty()) {
    throw InvalidInput("--oar is '" + text +
                       "'; expected NAME:METRIC:GY, e.g. SpinalCord:D0_1cc:30");
  }
  if (parts[1] != "Dmax" && parts[1] != "D0_1cc" && parts[1] != "D1cc" && parts[1] != "D2cc") {
    throw InvalidInput("--oar " + text + ": metric '" + parts[1] +
                       "'; expected Dmax, D0_1cc, D1cc or D2cc");
  }
  planning::OrganLimitSpec limit;
  limit.structureName = parts[0];
  limit.metric = parts[1];
  try {
    limit.limitGy = ParseFiniteNumber(parts[2], "--oar " + text + " limit");
  } catch (const DataFormat& error) {
    throw InvalidInput(error.what());
  }
  limits::RequireInRange(limit.limitGy, 0.0, limits::kMaxDoseGy, true,
                         "--oar " + Excerpt(text) + " limit", "an organ dose limit", "Gy");
  return limit;
}

std::map<std::string, imaging::StructureRole>
ParseRoleOptions(const std::vector<std::string>& texts) {
  std::map<std::string, imaging::StructureRole> roles;
  for (const auto& text : texts) {
    const auto at = text.rfind(':');
    if (at == std::string::npos || at == 0) {
      throw InvalidInput("--role is '" + text + "'; expected NAME:ROLE, e.g. Esophagus:no-go");
    }
    roles[text.substr(0, at)] = imaging::ParseRole(text.substr(at + 1), "--role " + text);
  }
  return roles;
}

namespace {

void RunPlan(const PlanOptions& options) {
  CheckOutputPath(options.out, {".xml"}, "--out");
  if (options.needles != "template" && options.needles != "free") {
    throw InvalidInput("--needles is '" + options.needles + "'; expected template or free");
  }
  if (!(options.seedSpacingMm >= 3.0 && options.seedSpacingMm <= 20.0)) {
    throw InvalidInput("--seed-spacing is " + FormatNumber(options.seedSpacingMm) +
                       " mm; expected 3 to 20 mm (seeds are 4.5 mm long; clinically 5-10 mm)");
  }
  if (!(options.needleSpacingMm >= 3.0 && options.needleSpacingMm <= 30.0)) {
    throw InvalidInput("--needle-spacing is " + FormatNumber(options.needleSpacingMm) +
                       " mm; expected 3 to 30 mm (clinically 10-15 mm)");
  }
  if (!(options.marginMm >= 0.0 && options.marginMm <= 10.0)) {
    throw InvalidInput("--margin is " + FormatNumber(options.marginMm) +
                       " mm; expected 0 to 10 mm");
  }
  planning::ImplantPlanningRequest request;
  for (const auto& text : options.targets) {
    request.targets.push_back(ParseTargetOption(text, options.marginMm));
  }
  for (const auto& text : options.oars) {
    request.limits.push_back(ParseOarOption(text));
  }
  const dosimetry::SourceLibrary library;
  const auto model = library.Load(options.model);
  request.modelId = model->Id();
  double assayStrengthU = 0.0;
  if (options.strengthU) {
    limits::RequireInRange(*options.strengthU, 0.0, limits::kMaxStrengthU, true, "--strength-u",
                           "an air-kerma strength", "U");
    assayStrengthU = *options.strengthU;
  } else if (options.activityMCi) {
    limits::RequireInRange(*options.activityMCi, 0.0, limits::kMaxActivityMCi, true,
                           "--activity-mci", "an apparent activity", "mCi");
    assayStrengthU = *options.activityMCi * model->StrengthPerActivityUPerMCi();
  } else {
    throw InvalidInput("seed strength: give --strength-u U or --activity-mci A");
  }
  limits::RequireInRange(assayStrengthU, 0.0, limits::kMaxStrengthU, true, "seed strength",
                         "an air-kerma strength", "U");
  const planning::CalendarDate today = planning::CalendarDate::TodayUtc();
  const planning::CalendarDate assay =
      options.assayDate.empty() ? today
                                : planning::CalendarDate::Parse(options.assayDate, "--assay-date");
  const planning::CalendarDate implant =
      options.implantDate.empty()
          ? assay
          : planning::CalendarDate::Parse(options.implantDate, "--implant-date");
  request.strengthU = planning::CalendarDate::DecayedStrengthU(assayStrengthU, assay, implant,
                                                               model->HalfLifeDays());
  request.seedSpacingMm = options.seedSpacingMm;
  request.needleSpacingMm = options.needleSpacingMm;
  request.needleMode = options.needles;
  const auto normal = ParseNumberList(options.templateNormal, 3, "--template-normal");
  request.templateNormal = Eigen::Vector3d(normal[0], normal[1], normal[2]);
  if (!(request.templateNormal.norm() > 1e-9)) {
    throw InvalidInput("--template-normal is '" + options.templateNormal +
                       "'; expected a non-zero vector");
  }
  request.templateNormal.normalize();
  request.trajectory.allowBoneAccessTo.insert(options.boneAccess.begin(), options.boneAccess.end());

  StudyPlanLog studyLog(options.studyLog, StudyPlanLog::Mode::Plan, "plan");
  studyLog.Prepare(request.targets, options.studyId, options.patientId);
  PlanningSession session;
  session.plan.patientId = options.patientId;
  session.plan.studyId = options.studyId;
  session.plan.assayStrengthU = assayStrengthU;
  session.plan.assayDate = assay.ToString();
  session.plan.implantDate = implant.ToString();
  session.plan.strengthAtImplantU = request.strengthU;
  session.Load(options.ct, options.series, options.structures, ParseRoleOptions(options.roles));
  studyLog.CheckPseudonym(session.ct.info.patientId);
  if (options.seeds.empty()) {
    session.Run(request, library);
  } else {
    // Forward mode: the physicist's needles and seeds; only the metrics are computed.
    const std::vector<Seed> given =
        dosimetry::SeedStrength::Resolve(SeedsCsv::Read(options.seeds), options.seeds, library,
                                         request.modelId, request.strengthU, std::nullopt);
    session.RunForward(given, request.targets, request.limits, request.modelId, library);
  }
  studyLog.WriteAndLog(session.plan, options.out, session.ct.info.patientId,
                       FactsFromSession(session));
  session.PrintSummary(model->StrengthPerActivityUPerMCi());
  std::cout << "wrote " << options.out << '\n';
}

} // namespace

void RegisterPlanCommand(CLI::App& app) {
  auto* command = app.add_subcommand("plan", "Plan needles and seeds for each target lesion");
  auto options = std::make_shared<PlanOptions>();
  command->add_option("--ct", options->ct, "Planning CT (DICOM folder or volume)")->required();
  command->add_option("--series", options->series, "SeriesInstanceUID when --ct holds several");
  command->add_option("--structures", options->structures, "RT Structure Set or label map")
      ->required();
  command->add_option("--target", options->targets, "NAME:RX_GY, once per target lesion")
      ->required();
  command->add_option("--oar", options->oars,
                      "NAME:METRIC:GY organ limit (Dmax, D0_1cc, D1cc, "
                      "D2cc at most GY); repeatable");
  command->add_option("--role", options->roles, "NAME:ROLE overrides a structure's role");
  command->add_option("--allow-bone-access", options->boneAccess,
                      "Target NAME whose needles may cross its host bone (e.g. transpedicular)");
  command->add_option("--model", options->model, "Seed model (default 6711)");
  auto* strength =
      command->add_option("--strength-u", options->strengthU, "Seed strength S_K (U) at assay");
  auto* activity = command->add_option("--activity-mci", options->activityMCi,
                                       "Seed apparent activity (mCi) at assay");
  strength->excludes(activity);
  command->add_option("--assay-date", options->assayDate, "YYYY-MM-DD (default today)");
  command->add_option("--implant-date", options->implantDate, "YYYY-MM-DD (default assay date)");
  command->add_option("--margin", options->marginMm, "Margin around each target (mm, default 0)");
  command->add_option("--seed-spacing", options->seedSpacingMm, "Along needles (mm, default 5)");
  command->add_option("--needles", options->needles, "template or free (default free)");
  command->add_option("--template-normal", options->templateNormal,
                      "Needle direction X,Y,Z for template mode (default 0,0,1)");
  command->add_option("--needle-spacing", options->needleSpacingMm,
                      "Between parallel needles (mm, default 10)");
  command->add_option("--patient-id", options->patientId, "Pseudonymous patient id");
  command->add_option("--study-id", options->studyId, "Study id");
  command->add_option("--seeds", options->seeds,
                      "Forward mode: these seeds (seeds CSV) instead of optimising");
  command->add_option("--out", options->out, "Plan file to write (.xml)")->required();
  AddStudyLogOptions(*command, options->studyLog, false);
  command->callback([options]() { RunPlan(*options); });
}

} // namespace seedplan::app
