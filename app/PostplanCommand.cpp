// `seedplan postplan --plan plan.xml --post-ct PATH [--structures FILE] --out post.xml`: the
// post-implant evaluation. The post-implant CT is registered rigidly to the planning CT (unless
// contours drawn on it are given), the seeds are detected on it and matched to the planned ones,
// the dose is recomputed from the actual seeds (1D formalism for seeds of unknown orientation),
// and each lesion's metrics before and after are printed side by side.

#include "CommandLine.h"
#include "Commands.h"
#include "PlanningSession.h"
#include "StudyPlanLog.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/InputLimits.h"
#include "seedplan/core/Log.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/imaging/CtLoader.h"
#include "seedplan/imaging/RigidRegistration.h"
#include "seedplan/imaging/SeedDetector.h"
#include "seedplan/imaging/StructureLoader.h"
#include "seedplan/planning/PlanXml.h"
#include "seedplan/planning/SeedMatcher.h"

#include <Eigen/Geometry>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <numbers>

namespace seedplan::app {

namespace {

struct PostplanOptions {
  std::string plan;
  std::string postCt;
  std::string series;
  std::string structures;
  std::optional<int> expected;
  std::string out;
  StudyLogOptions studyLog;
};

const planning::StructureMetrics* Find(const std::vector<planning::StructureMetrics>& all,
                                       const std::string& name) {
  for (const auto& entry : all) {
    if (entry.structureName == name) {
      return &entry;
    }
  }
  return nullptr;
}

void RunPostplan(const PostplanOptions& options) {
  CheckOutputPath(options.out, {".xml"}, "--out");
  if (options.expected &&
      (*options.expected < 1 || *options.expected > limits::kMaxExpectedSeeds)) {
    throw InvalidInput("--expected is " + std::to_string(*options.expected) +
                       "; expected the number of implanted seeds, at least 1 and at most " +
                       std::to_string(limits::kMaxExpectedSeeds));
  }
  const planning::Plan planned = planning::PlanXml::Read(options.plan);
  if (planned.kind != "plan") {
    throw InvalidInput(options.plan + ": is a " + planned.kind +
                       " evaluation; expected the plan it evaluates (kind plan)");
  }
  StudyPlanLog studyLog(options.studyLog, StudyPlanLog::Mode::PostImplant, "postplan");
  studyLog.UseRecordedStudy(planned);
  studyLog.Prepare(planned.targets);
  const dosimetry::SourceLibrary library;
  const imaging::CtImage post = imaging::CtLoader::Load(options.postCt, options.series);

  imaging::SeedDetectionOptions detection;
  detection.expectedCount =
      options.expected ? options.expected : std::optional<int>(int(planned.seeds.size()));
  const imaging::SeedDetectionReport found = imaging::SeedDetector::Detect(post.hu, detection);
  if (found.seeds.empty()) {
    throw InvalidInput(options.postCt + ": no seeds found; expected the post-implant CT of " +
                       options.plan);
  }
  for (const auto& line : found.summary) {
    log::Info(options.postCt + ": " + line);
  }
  for (const auto& note : found.notes) {
    log::Warning(options.postCt + ": " + note);
  }

  PlanningSession session; // the frame the dose is evaluated in
  session.plan = planned;
  session.plan.kind = "post-implant";
  session.plan.evaluatesPlan = options.plan;
  session.plan.needles.clear();
  std::vector<Seed> actual = found.seeds;
  std::string frameNote;
  if (options.structures.empty()) {
    // Bring the post-implant CT onto the planning CT: x_planning = T x_post.
    session.Load(planned.ctPath, "", planned.structuresPath, {});
    const auto registration = imaging::RigidRegistration::Register(session.ct.hu, post.hu);
    const Eigen::Matrix4d& t = registration.movingToFixed;
    const Eigen::Matrix3d rotation = t.topLeftCorner<3, 3>();
    const double angleDeg = Eigen::AngleAxisd(rotation).angle() * 180.0 / std::numbers::pi;
    frameNote = "registered post-implant CT -> planning CT: rotation " + FormatNumber(angleDeg, 3) +
                " deg, translation (" + FormatNumber(t(0, 3), 4) + ", " + FormatNumber(t(1, 3), 4) +
                ", " + FormatNumber(t(2, 3), 4) + ") mm, residual " +
                FormatNumber(registration.residualMm, 3) + " mm (" + registration.description + ")";
    for (Seed& seed : actual) {
      seed.positionMm = (t * seed.positionMm.homogeneous()).head<3>();
      if (seed.direction) {
        seed.direction = (rotation * *seed.direction).normalized();
      }
    }
  } else {
    session.Load(options.postCt, options.series, options.structures, {});
    session.plan.ctPath = options.postCt;
    session.plan.ctSeriesUid = post.info.seriesInstanceUid;
    session.plan.frameOfReferenceUid = post.info.frameOfReferenceUid;
    session.plan.structuresPath = options.structures;
    frameNote =
        "evaluated on the post-implant CT with its own contours (" + options.structures + ")";
  }
  for (Seed& seed : actual) {
    seed.strengthU = planned.strengthAtImplantU > 0 ? planned.strengthAtImplantU
                                                    : planned.seeds.front().strengthU;
    seed.model = planned.seedModel;
  }
  session.plan.seeds = actual;

  const planning::SeedMatching matching = planning::SeedMatcher::Match(
      planned.seeds, options.structures.empty() ? actual : std::vector<Seed>{});
  session.doseGy =
      planning::PlanEvaluator::TotalDose(session.plan, session.ct.hu.Geometry(), library);
  session.Evaluate(library);
  studyLog.WriteAndLog(
      session.plan, options.out, session.ct.info.patientId,
      PostImplantFacts(planned, found.seeds.size(), matching, detection.expectedCount), &planned);

  std::cout << "post-implant evaluation of " << options.plan << "\n  " << frameNote << '\n'
            << "  seeds: planned " << planned.seeds.size() << ", detected " << found.seeds.size();
  if (options.structures.empty()) {
    std::cout << ", matched " << matching.matchedCount << " (displacement mean "
              << FormatNumber(matching.meanDisplacementMm, 3) << " mm, max "
              << FormatNumber(matching.maxDisplacementMm, 3) << " mm)";
  }
  std::cout << "\n  dose: TG-43U1 in water, total dose (Gy); detected seeds of unknown "
               "orientation use the 1D formalism\n\n";
  std::printf("%-12s %6s | %7s %7s %7s | %7s %7s %7s\n", "lesion", "Rx Gy", "D90 pl", "V100 pl",
              "V150 pl", "D90 post", "V100 po", "V150 po");
  for (const auto& target : planned.targets) {
    const auto* before = Find(planned.metrics, target.structureName);
    const auto* after = Find(session.plan.metrics, target.structureName);
    std::printf("%-12s %6s | %7s %7s %7s | %7s %7s %7s\n", target.structureName.c_str(),
                FormatNumber(target.prescriptionGy, 4).c_str(),
                before ? MetricCell(before->metrics.D90Gy).c_str() : "-",
                before ? MetricCell(before->metrics.V100Pct, 3).c_str() : "-",
                before ? MetricCell(before->metrics.V150Pct, 3).c_str() : "-",
                after ? MetricCell(after->metrics.D90Gy).c_str() : "-",
                after ? MetricCell(after->metrics.V100Pct, 3).c_str() : "-",
                after ? MetricCell(after->metrics.V150Pct, 3).c_str() : "-");
  }
  PlanningSession::PrintLimitChecks(session.limitChecks);
  std::cout << "wrote " << options.out << '\n';
}

} // namespace

void RegisterPostplanCommand(CLI::App& app) {
  auto* command = app.add_subcommand("postplan", "Evaluate the implant on a post-implant CT");
  auto options = std::make_shared<PostplanOptions>();
  command->add_option("--plan", options->plan, "The plan (.xml)")->required();
  command->add_option("--post-ct", options->postCt, "Post-implant CT (DICOM folder or volume)")
      ->required();
  command->add_option("--series", options->series,
                      "SeriesInstanceUID when --post-ct holds several");
  command->add_option("--structures", options->structures,
                      "Contours drawn on the post-implant CT (no registration then)");
  command->add_option("--expected", options->expected,
                      "Seeds implanted (default: the plan's seed count)");
  command->add_option("--out", options->out, "Post-implant plan to write (.xml)")->required();
  AddStudyLogOptions(*command, options->studyLog, true);
  command->callback([options]() { RunPostplan(*options); });
}

} // namespace seedplan::app
