#include "PlanningSession.h"

#include "CommandLine.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/ErrorContext.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/core/Version.h"
#include "seedplan/imaging/CtLoader.h"
#include "seedplan/imaging/StructureLoader.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <set>

namespace seedplan::app {

namespace {

class Progress {
public:
  void operator()(const std::string& message) {
    const double now = Seconds();
    std::cerr << "seedplan: [" << FormatNumber(now, 3) << " s] " << message << '\n';
  }
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - m_Start).count();
  }

private:
  std::chrono::steady_clock::time_point m_Start = std::chrono::steady_clock::now();
};

} // namespace

void PlanningSession::Load(const std::string& ctPath, const std::string& seriesUid,
                           const std::string& structuresPath,
                           const std::map<std::string, imaging::StructureRole>& roles) {
  // When the paths come from a plan file, a refusal names the plan and the element too.
  const auto fromPlan = [&](const std::string& path, const char* element) {
    return !plan.sourceFile.empty() &&
                   path == (std::string(element) == "ct" ? plan.ctPath : plan.structuresPath)
               ? plan.sourceFile + ": <" + element + " path=\"" + Excerpt(path) + "\">: "
               : std::string();
  };
  const std::string ctPrefix = fromPlan(ctPath, "ct");
  const std::string structuresPrefix = fromPlan(structuresPath, "structures");
  try {
    ct = imaging::CtLoader::Load(ctPath, seriesUid);
  } catch (const Error&) {
    RethrowWithPrefix(ctPrefix);
  }
  try {
    structures = imaging::StructureLoader::Load(structuresPath, ct, roles);
    imaging::StructureLoader::RefuseDefects(structures);
  } catch (const Error&) {
    RethrowWithPrefix(structuresPrefix);
  }
  RequirePlannedStructures();
  plan.ctPath = ctPath;
  plan.ctStudyUid = ct.info.studyInstanceUid;
  plan.ctSeriesUid = ct.info.seriesInstanceUid;
  plan.frameOfReferenceUid = ct.info.frameOfReferenceUid;
  plan.structuresPath = structuresPath;
  if (plan.patientId.empty()) {
    plan.patientId = ct.info.patientId;
  }
}

void PlanningSession::RequirePlannedStructures() const {
  const std::string where = plan.sourceFile.empty() ? std::string() : plan.sourceFile + ": ";
  const auto require = [&](const std::string& name, const std::string& element) {
    if (structures.Find(name)) {
      return;
    }
    std::string names;
    for (const auto& structure : structures.structures) {
      names += (names.empty() ? "" : ", ") + structure.name;
    }
    throw InvalidInput(where + element + " names structure '" + Excerpt(name) +
                       "', which is not in " + structures.sourceFile +
                       "; expected one of: " + names);
  };
  const bool file = !plan.sourceFile.empty();
  for (std::size_t n = 0; n < plan.targets.size(); ++n) {
    require(plan.targets[n].structureName,
            file ? "element <target> #" + std::to_string(n + 1) : std::string("--target"));
  }
  for (std::size_t n = 0; n < plan.limits.size(); ++n) {
    require(plan.limits[n].structureName,
            file ? "element <limit> #" + std::to_string(n + 1) : std::string("--oar"));
  }
}

void PlanningSession::Run(const planning::ImplantPlanningRequest& request,
                          const dosimetry::SourceLibrary& library) {
  Progress progress;
  plan.targets = request.targets;
  plan.limits = request.limits;
  RequirePlannedStructures();
  plan.seedModel = request.modelId;
  plan.seedSpacingMm = request.seedSpacingMm;
  plan.engine.programVersion = SEEDPLAN_VERSION;
  lesions = planning::ImplantPlanner::PlanAll(structures, request, library, plan,
                                              [&](const std::string& m) { progress(m); });
  progress("exact dose of all " + std::to_string(plan.seeds.size()) + " seeds on the CT grid");
  doseGy = planning::PlanEvaluator::TotalDose(plan, ct.hu.Geometry(), library);
  progress("metrics of every structure");
  Evaluate(library);
  progress("done");
}

void PlanningSession::RunForward(const std::vector<Seed>& seeds,
                                 const std::vector<planning::TargetPrescription>& targets,
                                 const std::vector<planning::OrganLimitSpec>& limits,
                                 const std::string& modelId,
                                 const dosimetry::SourceLibrary& library) {
  Progress progress;
  plan.targets = targets;
  plan.limits = limits;
  RequirePlannedStructures();
  plan.seedModel = modelId;
  plan.seeds = seeds;
  plan.engine.programVersion = SEEDPLAN_VERSION;
  progress("exact dose of the " + std::to_string(seeds.size()) + " given seeds on the CT grid");
  doseGy = planning::PlanEvaluator::TotalDose(plan, ct.hu.Geometry(), library);
  progress("metrics of every structure");
  Evaluate(library);
  for (const auto& target : targets) {
    planning::LesionPlanReport report;
    report.targetName = target.structureName;
    for (const Seed& seed : seeds) {
      // In forward mode a seed counts for the target it lies in (or nearest to its needle's).
      const imaging::Structure* lesion = structures.Find(target.structureName);
      if (lesion && lesion->mask.Geometry().ContainsPoint(seed.positionMm, 0.5)) {
        const Eigen::Vector3d index =
            lesion->mask.Geometry().PointToContinuousIndex(seed.positionMm);
        if (lesion->mask.At(std::llround(index.x()), std::llround(index.y()),
                            std::llround(index.z()))) {
          report.loading.seeds.push_back(seed);
        }
      }
    }
    std::set<std::string> needles;
    for (const Seed& seed : report.loading.seeds) {
      needles.insert(seed.needle);
    }
    report.needlesUsed = needles.size();
    lesions.push_back(report);
  }
  progress("done");
}

void PlanningSession::Evaluate(const dosimetry::SourceLibrary& library) {
  const planning::PlanEvaluation evaluation =
      planning::PlanEvaluator::Evaluate(plan, doseGy, structures, library);
  plan.metrics = evaluation.metrics;
  curves = evaluation.curves;
  limitChecks = evaluation.limits;
}

void PlanningSession::PrintSummary(double strengthPerActivityUPerMCi) const {
  std::printf("%-12s %-10s %7s %5s %7s %5s %7s %6s %6s %6s %6s %6s %5s %5s %5s\n", "lesion", "site",
              "vol cc", "Rx Gy", "needles", "seeds", "act mCi", "D90", "D100", "V100%", "V150%",
              "V200%", "CI", "EI", "HI");
  for (const auto& target : plan.targets) {
    const planning::StructureMetrics* entry = nullptr;
    for (const auto& m : plan.metrics) {
      if (m.structureName == target.structureName) {
        entry = &m;
      }
    }
    std::size_t seeds = 0, needles = 0;
    double activity = 0.0;
    for (const auto& lesion : lesions) {
      if (lesion.targetName == target.structureName) {
        seeds = lesion.loading.seeds.size();
        needles = lesion.needlesUsed;
        for (const auto& seed : lesion.loading.seeds) {
          activity += seed.strengthU / strengthPerActivityUPerMCi;
        }
      }
    }
    if (!entry) {
      continue;
    }
    const auto& m = entry->metrics;
    std::printf("%-12s %-10s %7s %5s %7zu %5zu %7s %6s %6s %6s %6s %6s %5s %5s %5s\n",
                target.structureName.c_str(), target.site.c_str(),
                FormatNumber(m.volumeCc, 4).c_str(), FormatNumber(target.prescriptionGy, 4).c_str(),
                needles, seeds, FormatNumber(activity, 4).c_str(), MetricCell(m.D90Gy).c_str(),
                MetricCell(m.D100Gy).c_str(), MetricCell(m.V100Pct, 3).c_str(),
                MetricCell(m.V150Pct, 3).c_str(), MetricCell(m.V200Pct, 3).c_str(),
                MetricCell(m.CI, 2).c_str(), MetricCell(m.EI, 2).c_str(),
                MetricCell(m.HI, 2).c_str());
  }
  for (const auto& lesion : lesions) {
    for (const auto& unmet : lesion.loading.predicted.Unmet()) {
      std::cout << "  " << lesion.targetName << ": optimiser could not meet " << unmet << '\n';
    }
  }
  std::cout << "dose: TG-43U1 in water, total dose of all " << plan.seeds.size()
            << " seeds (Gy, decay to infinity), on the CT grid\n";
  if (!limitChecks.empty()) {
    std::cout << "organ doses (all seeds) against their limits:\n";
    PrintLimitChecks(limitChecks);
  }
}

void PlanningSession::PrintLimitChecks(const std::vector<planning::LimitCheck>& checks) {
  for (const auto& check : checks) {
    std::cout << "  " << check.limit.structureName << ' ' << check.limit.metric << ' '
              << MetricCell(check.valueGy) << " Gy, limit " << FormatNumber(check.limit.limitGy)
              << " Gy: " << (check.met ? "within" : "EXCEEDED") << '\n';
  }
}

} // namespace seedplan::app
