// libFuzzer target: the plan XML reader (planning/PlanXml) on arbitrary bytes. A plan it accepts
// must be writable again (ToXml refuses nothing FromXml let through) and read back.

#include "FuzzLogSink.h"
#include "seedplan/core/Error.h"
#include "seedplan/planning/PlanXml.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  seedplan::fuzz::DiscardLogMessages();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  seedplan::planning::Plan plan;
  try {
    plan = seedplan::planning::PlanXml::FromXml(text, "fuzz.xml");
  } catch (const seedplan::Error&) {
    return 0;
  }
  try {
    const seedplan::planning::Plan again =
        seedplan::planning::PlanXml::FromXml(seedplan::planning::PlanXml::ToXml(plan), "again.xml");
    if (again.seeds.size() != plan.seeds.size() || again.targets.size() != plan.targets.size()) {
      std::abort();
    }
  } catch (const seedplan::Error& error) {
    std::fprintf(stderr, "accepted plan does not round-trip: %s\n", error.what());
    std::abort();
  }
  return 0;
}
