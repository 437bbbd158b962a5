#include "ImplantRecordFromPlan.h"

#include "seedplan/core/Error.h"
#include "seedplan/dosimetry/SourceLibrary.h"
#include "seedplan/planning/PlanEvaluator.h"

#include <set>

namespace seedplan::app {

namespace {

const planning::StructureMetrics& MetricsOf(const planning::Plan& plan, const std::string& name,
                                            const std::string& what) {
  for (const auto& entry : plan.metrics) {
    if (entry.structureName == name) {
      return entry;
    }
  }
  throw InvalidInput(what + " has no metrics of target " + name +
                     "; expected a plan evaluated by seedplan plan, postplan or demo");
}

/// The seeds of `target`: those on the target's needles (needle ids name their target).
std::vector<const Seed*> SeedsOf(const planning::Plan& plan, const std::string& target) {
  std::set<std::string> needles;
  for (const auto& needle : plan.needles) {
    if (needle.targetName == target) {
      needles.insert(needle.id);
    }
  }
  std::vector<const Seed*> seeds;
  for (const Seed& seed : plan.seeds) {
    if (needles.count(seed.needle)) {
      seeds.push_back(&seed);
    }
  }
  return seeds;
}

std::optional<std::string> NonEmpty(const std::string& text) {
  return text.empty() ? std::nullopt : std::optional<std::string>(text);
}

} // namespace

study::ImplantRecord ImplantRecordFromPlan(const planning::Plan& plan,
                                           const planning::TargetPrescription& target,
                                           const std::string& patientId,
                                           const std::string& lesionId, const std::string& planFile,
                                           const std::string& planSha256,
                                           const ImplantFacts& facts) {
  if (plan.implantDate.empty()) {
    throw InvalidInput(planFile + ": the plan has no implant date; expected --implant-date");
  }
  const double uPerMCi =
      dosimetry::SourceLibrary().Load(plan.seedModel)->StrengthPerActivityUPerMCi();
  study::ImplantRecord record;
  record.patientId = patientId;
  record.lesionId = lesionId;
  record.targetStructure = target.structureName;
  record.implantDate = plan.implantDate;
  record.planFile = planFile;
  record.planSha256 = planSha256;
  record.ctStudyUid = NonEmpty(plan.ctStudyUid);
  record.ctSeriesUid = NonEmpty(plan.ctSeriesUid);
  record.ctFrameOfReferenceUid = NonEmpty(plan.frameOfReferenceUid);
  record.programVersion = NonEmpty(plan.engine.programVersion);
  record.seedModel = plan.seedModel;
  record.strengthPerActivityUPerMCi = uPerMCi;
  if (plan.strengthAtImplantU > 0) {
    record.seedStrengthU = plan.strengthAtImplantU;
    record.seedActivityMCi = plan.strengthAtImplantU / uPerMCi;
  }
  if (plan.assayStrengthU > 0) {
    record.assayStrengthU = plan.assayStrengthU;
    record.assayActivityMCi = plan.assayStrengthU / uPerMCi;
  }
  record.assayDate = NonEmpty(plan.assayDate);
  record.seedLot = NonEmpty(facts.seedLot);
  record.seedsOrdered = facts.seedsOrdered;

  const std::vector<const Seed*> seeds = SeedsOf(plan, target.structureName);
  double totalActivityMCi = 0.0;
  for (const Seed* seed : seeds) {
    totalActivityMCi += seed->strengthU / uPerMCi;
  }
  std::set<std::string> needles;
  for (const Seed* seed : seeds) {
    needles.insert(seed->needle);
  }
  const auto seedCount = facts.seedsPerTarget.find(target.structureName);
  if (seedCount != facts.seedsPerTarget.end()) {
    record.nSeeds = seedCount->second;
    // Forward mode: seeds of one strength, the plan's strength at implant.
    if (seeds.empty() && record.seedActivityMCi) {
      totalActivityMCi = seedCount->second * *record.seedActivityMCi;
    }
  } else {
    record.nSeeds = static_cast<int>(seeds.size());
  }
  const auto needleCount = facts.needlesPerTarget.find(target.structureName);
  record.nNeedles = needleCount != facts.needlesPerTarget.end() ? needleCount->second
                                                                : static_cast<int>(needles.size());
  record.totalActivityMCi = totalActivityMCi;
  if (plan.seedSpacingMm > 0) {
    record.seedSpacingMm = plan.seedSpacingMm;
  }

  record.prescribedDoseGy = target.prescriptionGy;
  record.marginMm = target.marginMm;
  const auto& metrics = MetricsOf(plan, target.structureName, planFile).metrics;
  record.volumeCc = metrics.volumeCc;
  record.d90Gy = metrics.D90Gy;
  record.d98Gy = metrics.D98Gy;
  record.d100Gy = metrics.D100Gy;
  record.dmeanGy = metrics.DmeanGy;
  record.dminGy = metrics.DminGy;
  record.dmaxGy = metrics.DmaxGy;
  record.v100Pct = metrics.V100Pct;
  record.v150Pct = metrics.V150Pct;
  record.v200Pct = metrics.V200Pct;
  record.ci = metrics.CI;
  record.ei = metrics.EI;
  record.hi = metrics.HI;

  for (const auto& limit : plan.limits) {
    study::ImplantRecord::OrganDose dose;
    dose.structure = limit.structureName;
    dose.metric = limit.metric;
    dose.limitGy = limit.limitGy;
    for (const auto& entry : plan.metrics) {
      if (entry.structureName == limit.structureName) {
        dose.plannedGy = planning::PlanEvaluator::MetricValue(entry.metrics, limit.metric);
      }
    }
    record.organDoses.push_back(dose);
  }
  return record;
}

void AddPostImplant(study::ImplantRecord& record, const planning::Plan& post,
                    const planning::TargetPrescription& target, const std::string& postPlanFile,
                    const std::string& postPlanSha256, const ImplantFacts& facts) {
  record.postPlanFile = postPlanFile;
  record.postPlanSha256 = postPlanSha256;
  record.postCtSeriesUid = NonEmpty(post.ctSeriesUid);
  record.postCtDate = NonEmpty(facts.postCtDate);
  record.seedsImplanted = facts.seedsImplanted;
  record.postSeedsFound = facts.seedsFound;
  const auto found = facts.foundPerTarget.find(target.structureName);
  if (found != facts.foundPerTarget.end()) {
    record.postNSeeds = found->second;
  }
  const auto& metrics = MetricsOf(post, target.structureName, postPlanFile).metrics;
  record.postVolumeCc = metrics.volumeCc;
  record.postD90Gy = metrics.D90Gy;
  record.postD98Gy = metrics.D98Gy;
  record.postD100Gy = metrics.D100Gy;
  record.postDmeanGy = metrics.DmeanGy;
  record.postDminGy = metrics.DminGy;
  record.postDmaxGy = metrics.DmaxGy;
  record.postV100Pct = metrics.V100Pct;
  record.postV150Pct = metrics.V150Pct;
  record.postV200Pct = metrics.V200Pct;
  record.postCi = metrics.CI;
  record.postEi = metrics.EI;
  record.postHi = metrics.HI;
  for (auto& dose : record.organDoses) {
    for (const auto& entry : post.metrics) {
      if (entry.structureName == dose.structure) {
        dose.postGy = planning::PlanEvaluator::MetricValue(entry.metrics, dose.metric);
      }
    }
  }
}

} // namespace seedplan::app
