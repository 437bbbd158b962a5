#include "seedplan/planning/ImplantPlanner.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/planning/DoseInfluenceMatrix.h"

#include <set>

namespace seedplan::planning {

namespace {

const imaging::Structure& RequireStructure(const imaging::StructureSet& structures,
                                           const std::string& name, const std::string& what) {
  if (const imaging::Structure* structure = structures.Find(name)) {
    return *structure;
  }
  std::string names;
  for (const auto& s : structures.structures) {
    names += (names.empty() ? "" : ", ") + s.name;
  }
  throw InvalidInput(what + " '" + name + "' is not in the structure set " + structures.sourceFile +
                     "; expected one of: " + names);
}

} // namespace

std::vector<LesionPlanReport>
ImplantPlanner::PlanAll(const imaging::StructureSet& structures,
                        const ImplantPlanningRequest& request,
                        const dosimetry::SourceLibrary& library, Plan& plan,
                        const std::function<void(const std::string&)>& progress) {
  auto say = [&](const std::string& message) {
    if (progress) {
      progress(message);
    }
  };
  if (!(request.strengthU > 0.0)) {
    throw InvalidInput("seed strength is " + FormatNumber(request.strengthU) +
                       " U; expected > 0 U");
  }
  std::vector<OrganAtRiskMask> organs;
  std::set<std::string> organNames;
  for (const auto& limit : request.limits) {
    const imaging::Structure& organ = RequireStructure(structures, limit.structureName, "--oar");
    if (organNames.insert(organ.name).second) {
      organs.push_back({organ.name, &organ.mask});
    }
  }
  std::vector<LesionPlanReport> reports;
  for (const TargetPrescription& target : request.targets) {
    const imaging::Structure& lesion =
        RequireStructure(structures, target.structureName, "--target");
    LesionPlanReport report;
    report.targetName = target.structureName;
    say(target.structureName + ": needles (" + request.needleMode + ")");
    report.needles =
        request.needleMode == "template"
            ? NeedlePlanner::Template(structures, target.structureName, request.templateNormal,
                                      request.needleSpacingMm, request.trajectory)
            : NeedlePlanner::Free(structures, target.structureName, request.needleSpacingMm,
                                  request.trajectory);
    if (report.needles.accepted.empty()) {
      std::string reasons;
      for (const auto& [needle, reason] : report.needles.rejected) {
        reasons = reason; // the last one is as good an example as any
      }
      throw InvalidInput(target.structureName + ": no needle trajectory reaches the target " +
                         "without crossing a no-go structure or bone off an allowed route" +
                         (reasons.empty() ? std::string() : " (e.g. " + reasons + ")"));
    }
    std::vector<Seed> candidates = NeedlePlanner::CandidatePositions(
        report.needles.accepted, lesion, request.seedSpacingMm, target.marginMm);
    for (Seed& candidate : candidates) {
      candidate.strengthU = request.strengthU;
      candidate.model = request.modelId;
    }
    report.candidateCount = candidates.size();
    say(target.structureName + ": " + std::to_string(report.needles.accepted.size()) +
        " needles, " + std::to_string(candidates.size()) + " candidate positions; dose influence");
    DoseInfluenceOptions influence;
    influence.strengthU = request.strengthU;
    influence.modelId = request.modelId;
    influence.targetMarginMm = target.marginMm;
    const DoseInfluenceMatrix matrix = DoseInfluenceMatrix::Compute(lesion.mask, organs, candidates,
                                                                    plan.seeds, library, influence);
    LoadingGoals goals = request.goals;
    goals.prescriptionGy = target.prescriptionGy;
    say(target.structureName + ": optimising the seed loading");
    report.loading = LoadingOptimizer(matrix, goals, request.limits).Optimize();

    std::set<std::string> used;
    for (const Seed& seed : report.loading.seeds) {
      used.insert(seed.needle);
      plan.seeds.push_back(seed);
    }
    for (const Needle& needle : report.needles.accepted) {
      if (used.count(needle.id)) {
        plan.needles.push_back(needle);
      }
    }
    report.needlesUsed = used.size();
    say(target.structureName + ": " + std::to_string(report.loading.seeds.size()) + " seeds on " +
        std::to_string(used.size()) + " needles");
    reports.push_back(std::move(report));
  }
  return reports;
}

} // namespace seedplan::planning
