#include "HandEditedPlan.h"

#include <chrono>
#include <ctime>
#include <map>
#include <set>

namespace seedplan::app {

std::string NowUtc() {
  const std::time_t now = std::chrono::system_clock::to_time_t(std::chrono::system_clock::now());
  std::tm utc{};
  gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

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
