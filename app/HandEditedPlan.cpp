#include "HandEditedPlan.h"

#include <map>
#include <set>

namespace seedplan::app {

ImplantFacts HandEditFacts(const planning::PlanEditor& editor) {
  ImplantFacts facts;
  std::map<std::string, std::set<std::string>> needles;
  for (const auto& target : editor.Current().targets) {
    facts.seedsPerTarget[target.structureName] = 0;
    needles[target.structureName];
  }
  for (const Seed& seed : editor.Current().seeds) {
    const std::string target = editor.TargetOf(seed);
    if (facts.seedsPerTarget.count(target)) {
      ++facts.seedsPerTarget[target];
      if (!seed.needle.empty()) {
        needles[target].insert(seed.needle);
      }
    }
  }
  for (const auto& [target, ids] : needles) {
    facts.needlesPerTarget[target] = static_cast<int>(ids.size());
  }
  return facts;
}

} // namespace seedplan::app
