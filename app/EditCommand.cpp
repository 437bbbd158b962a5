// `seedplan edit --plan plan.xml [--move I:DX,DY,DZ] [--add X,Y,Z[:NEEDLE]] [--delete I]
// --out edited.plan.xml [--json] [--strength-u U | --activity-mci A]`: the viewer's hand edits
// (issue 14) as a script. Seed indices are 0-based in the order of `seedplan seeds` of the input
// plan; every edit is applied as one step by planning::PlanEditor (the class the viewer's live
// editing uses), the edited plan's dose is computed from all its seeds and every structure is
// evaluated as `evaluate` does; the plan records that it was edited by hand, and when. A plan
// logged to a study record logs the edited plan to the same record.

#include "CommandLine.h"
#include "Commands.h"
#include "HandEditedPlan.h"
#include "MetricsJson.h"
#include "PlanningSession.h"
#include "StudyCommandSupport.h"
#include "StudyPlanLog.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/Log.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/planning/PlanEditor.h"
#include "seedplan/planning/PlanXml.h"

#include <charconv>
#include <cstdio>
#include <iostream>
#include <memory>

namespace seedplan::app {

namespace {

struct EditOptions {
  std::string plan;
  std::vector<std::string> moves;
  std::vector<std::string> additions;
  std::vector<std::string> deletions;
  std::string out;
  bool json = false;
  std::optional<double> strengthU;
  std::optional<double> activityMCi;
  std::string user;
  bool noStudyLog = false;
};

std::size_t ParseSeedIndex(const std::string& text, const std::string& option) {
  std::size_t index = 0;
  const auto result = std::from_chars(text.data(), text.data() + text.size(), index);
  if (text.empty() || result.ec != std::errc() || result.ptr != text.data() + text.size()) {
    throw InvalidInput(option + ": seed index '" + text +
                       "'; expected a whole number >= 0 (the order of `seedplan seeds`)");
  }
  return index;
}

planning::SeedEditBatch ParseBatch(const EditOptions& options,
                                   std::optional<double> addedStrengthU) {
  planning::SeedEditBatch batch;
  for (const auto& text : options.moves) {
    const auto colon = text.find(':');
    if (colon == std::string::npos) {
      throw InvalidInput("--move " + text + ": expected SEED_INDEX:DX,DY,DZ (mm, LPS)");
    }
    const std::size_t index = ParseSeedIndex(text.substr(0, colon), "--move " + text);
    const auto delta = ParseNumberList(text.substr(colon + 1), 3, "--move " + text + " DX,DY,DZ");
    batch.moves.emplace_back(index, Eigen::Vector3d(delta[0], delta[1], delta[2]));
  }
  for (const auto& text : options.deletions) {
    batch.deletions.push_back(ParseSeedIndex(text, "--delete " + text));
  }
  for (const auto& text : options.additions) {
    const auto colon = text.find(':');
    const auto position =
        ParseNumberList(text.substr(0, colon), 3, "--add " + text + " X,Y,Z (mm, LPS)");
    planning::SeedAddition addition;
    addition.positionMm = Eigen::Vector3d(position[0], position[1], position[2]);
    if (colon != std::string::npos) {
      addition.needleId = text.substr(colon + 1);
      if (addition.needleId.empty()) {
        throw InvalidInput("--add " + text + ": empty needle id; expected X,Y,Z or X,Y,Z:NEEDLE");
      }
    }
    addition.strengthU = addedStrengthU;
    batch.additions.push_back(std::move(addition));
  }
  if (batch.moves.empty() && batch.deletions.empty() && batch.additions.empty()) {
    throw InvalidInput("edit: no edit given; expected at least one --move, --add or --delete");
  }
  return batch;
}

/// With --json nothing but the JSON may reach stdout: other messages (the study record's) go to
/// stderr while this lives.
class StdoutToStderr {
public:
  explicit StdoutToStderr(bool active)
      : m_Saved(active ? std::cout.rdbuf(std::cerr.rdbuf()) : nullptr) {}
  ~StdoutToStderr() {
    if (m_Saved) {
      std::cout.rdbuf(m_Saved);
    }
  }
  StdoutToStderr(const StdoutToStderr&) = delete;
  StdoutToStderr& operator=(const StdoutToStderr&) = delete;

private:
  std::streambuf* m_Saved;
};

void RunEdit(const EditOptions& options) {
  CheckOutputPath(options.out, {".xml"}, "--out");
  planning::Plan plan = planning::PlanXml::Read(options.plan);
  if (plan.kind != "plan") {
    throw InvalidInput(options.plan + ": is a " + plan.kind +
                       " evaluation; expected a plan (kind plan) to edit");
  }
  if (options.strengthU && !(*options.strengthU > 0.0)) {
    throw InvalidInput("--strength-u " + FormatNumber(*options.strengthU) +
                       ": expected an air-kerma strength > 0 U");
  }
  if (options.activityMCi && !(*options.activityMCi > 0.0)) {
    throw InvalidInput("--activity-mci " + FormatNumber(*options.activityMCi) +
                       ": expected an apparent activity > 0 mCi");
  }
  const dosimetry::SourceLibrary library;
  std::optional<double> addedStrengthU = options.strengthU;
  if (options.activityMCi) {
    const auto model = library.Load(plan.seedModel);
    addedStrengthU = *options.activityMCi * model->StrengthPerActivityUPerMCi();
  }
  const planning::SeedEditBatch batch = ParseBatch(options, addedStrengthU);
  planning::PlanEditor::CheckIndices(batch, plan.seeds.size()); // before the CT is loaded

  std::optional<StdoutToStderr> quiet;
  quiet.emplace(options.json);
  StudyLogOptions logOptions;
  logOptions.user = options.user;
  logOptions.noStudy = options.noStudyLog;
  StudyPlanLog studyLog(logOptions, StudyPlanLog::Mode::Plan, "edit");
  studyLog.UseRecordedStudy(plan);
  studyLog.Prepare(plan.targets);

  PlanningSession session;
  session.Load(plan.ctPath, "", plan.structuresPath, {});
  if (!plan.frameOfReferenceUid.empty() &&
      session.ct.info.frameOfReferenceUid != plan.frameOfReferenceUid) {
    throw InvalidInput(options.plan + ": the plan's Frame of Reference UID " +
                       plan.frameOfReferenceUid + " is not the CT's (" +
                       session.ct.info.frameOfReferenceUid + " at " + plan.ctPath + ")");
  }
  planning::PlanEditor editor(plan, session.ct.hu.Geometry(), session.structures);
  editor.Apply(batch);
  for (const auto& warning : editor.Warnings(editor.EditedSeeds())) {
    log::Warning("edited plan: " + warning.text);
  }

  session.plan =
      editor.EditedPlan(planning::PlanXml::NowUtc(), StudyUser(options.user), options.plan);
  session.doseGy =
      planning::PlanEvaluator::TotalDose(session.plan, session.ct.hu.Geometry(), library);
  session.Evaluate(library); // the one evaluation every command uses (issue 12)
  studyLog.WriteAndLog(session.plan, options.out, session.ct.info.patientId, HandEditFacts(editor));
  quiet.reset();

  if (options.json) {
    std::cout << MetricsJson(session.plan.metrics) << '\n';
    return;
  }
  std::cout << "edited " << options.plan << ": " << session.plan.handEdits.back().summary << '\n'
            << "  seeds " << plan.seeds.size() << " -> " << session.plan.seeds.size()
            << "; dose: TG-43U1 in water, total dose (Gy, decay to infinity)\n";
  std::printf("%-12s %6s %7s %7s %7s %7s\n", "target", "Rx Gy", "D90", "V100%", "V150%", "V200%");
  for (const auto& entry : session.plan.metrics) {
    if (entry.rxGy) {
      const auto& m = entry.metrics;
      std::printf("%-12s %6s %7s %7s %7s %7s\n", entry.structureName.c_str(),
                  FormatNumber(*entry.rxGy, 4).c_str(), MetricCell(m.D90Gy).c_str(),
                  MetricCell(m.V100Pct, 3).c_str(), MetricCell(m.V150Pct, 3).c_str(),
                  MetricCell(m.V200Pct, 3).c_str());
    }
  }
  PlanningSession::PrintLimitChecks(session.limitChecks);
  std::cout << "wrote " << options.out << '\n';
}

} // namespace

void RegisterEditCommand(CLI::App& app) {
  auto* command = app.add_subcommand(
      "edit", "Edit a plan's seeds by hand (move, add, delete) and evaluate the edited plan");
  auto options = std::make_shared<EditOptions>();
  command->add_option("--plan", options->plan, "Plan file (.xml) to edit")->required();
  command->add_option("--move", options->moves,
                      "SEED_INDEX:DX,DY,DZ: move a seed by (DX, DY, DZ) mm (LPS); the seed keeps "
                      "its index, axis, strength and needle; repeatable");
  command->add_option("--add", options->additions,
                      "X,Y,Z[:NEEDLE]: add a seed at (X, Y, Z) mm (LPS), along NEEDLE's axis "
                      "(without NEEDLE: axis unknown, 1D formalism); appended; repeatable");
  command->add_option("--delete", options->deletions, "SEED_INDEX: delete a seed; repeatable");
  command->add_option("--out", options->out, "Edited plan file (.xml)")->required();
  command->add_flag("--json", options->json,
                    "Print exactly what `evaluate --json` prints for the edited plan, and "
                    "nothing else");
  auto* strength = command->add_option("--strength-u", options->strengthU,
                                       "Strength S_K (U) at implant of added seeds (default: "
                                       "the plan's)");
  auto* activity = command->add_option("--activity-mci", options->activityMCi,
                                       "Apparent activity (mCi) at implant of added seeds");
  strength->excludes(activity);
  command->add_option("--user", options->user,
                      "Who edits, for the plan and the study record "
                      "(default: $USER)");
  command->add_flag("--no-study-log", options->noStudyLog,
                    "Do not log the edited plan to the study record the plan was logged to");
  command->callback([options]() { RunEdit(*options); });
}

} // namespace seedplan::app
