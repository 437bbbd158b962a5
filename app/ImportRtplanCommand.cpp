// `seedplan import-rtplan --rtplan FILE --out seeds.csv [--model ID]`: the seeds of a brachy RT
// Plan written by any system, as the seeds CSV (positions, orientation where the plan has one,
// strength in U at the plan's reference date, model).

#include "CommandLine.h"
#include "Commands.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/Log.h"
#include "seedplan/core/SeedsCsv.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/dosimetry/SourceLibrary.h"
#include "seedplan/imaging/RtPlanReader.h"
#include "seedplan/planning/CalendarDate.h"

#include <cctype>
#include <cmath>
#include <iostream>
#include <map>
#include <memory>
#include <set>

namespace seedplan::app {

namespace {

struct ImportOptions {
  std::string rtPlan;
  std::string out;
  std::string model;
};

std::string Compact(const std::string& text) {
  std::string compact;
  for (const char c : text) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      compact += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
  }
  return compact;
}

/// The library model a Source Model ID names: the id itself, the id without punctuation or case
/// ("130.002" -> 130002, "IAI-125A" -> IAI125A), or the one library id that appears as a word of
/// it ("OncoSeed 6711" -> 6711). Empty if none or several match.
std::string MatchModel(const std::string& sourceModelId, const std::vector<std::string>& ids) {
  for (const auto& id : ids) {
    if (id == sourceModelId || Compact(id) == Compact(sourceModelId)) {
      return id;
    }
  }
  std::vector<std::string> words;
  std::string word;
  for (const char c : sourceModelId + " ") {
    if (std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-') {
      word += c;
    } else if (!word.empty()) {
      words.push_back(word);
      word.clear();
    }
  }
  std::string found;
  for (const auto& id : ids) {
    for (const auto& candidate : words) {
      if (Compact(candidate) == Compact(id)) {
        if (!found.empty() && found != id) {
          return {};
        }
        found = id;
      }
    }
  }
  return found;
}

std::string JoinIds(const std::vector<std::string>& ids) {
  std::string text;
  for (const auto& id : ids) {
    text += (text.empty() ? "" : ", ") + id;
  }
  return text;
}

/// Days (with the time of day) from one DICOM date and time to another.
double ElapsedDays(const imaging::RtSource& from, const imaging::RtSource& to) {
  const auto day = [](const imaging::RtSource& source) {
    const planning::CalendarDate date(std::stoi(source.referenceDate.substr(0, 4)),
                                      std::stoi(source.referenceDate.substr(4, 2)),
                                      std::stoi(source.referenceDate.substr(6, 2)));
    const std::string& time = source.referenceTime;
    const double seconds = std::stoi(time.substr(0, 2)) * 3600.0 +
                           std::stoi(time.substr(2, 2)) * 60.0 + std::stod(time.substr(4));
    return static_cast<double>(date.DayNumber()) + seconds / 86400.0;
  };
  return day(to) - day(from);
}

void RunImport(const ImportOptions& options) {
  CheckOutputPath(options.out, {".csv"}, "--out");
  const dosimetry::SourceLibrary library;
  const std::vector<std::string> ids = library.ModelIds();
  if (!options.model.empty()) {
    library.Load(options.model); // refuses an unknown model before the file is read
  }
  const imaging::RtBrachyPlan plan = imaging::RtPlanReader::Read(options.rtPlan);

  // Strengths at the plan's reference date: that of the first source used.
  const imaging::RtSeed& firstSeed = plan.AllSeeds().front();
  const imaging::RtSource& reference = *plan.FindSource(firstSeed.sourceNumber);
  std::map<int, std::string> modelOf;
  std::set<int> decayWarned;
  std::vector<Seed> seeds;
  for (const imaging::RtApplicationSetup& setup : plan.setups) {
    for (const imaging::RtSeed& rtSeed : setup.seeds) {
      const imaging::RtSource& source = *plan.FindSource(rtSeed.sourceNumber);
      if (modelOf.count(source.number) == 0) {
        std::string model = options.model;
        const std::string matched = MatchModel(source.modelId, ids);
        if (model.empty()) {
          if (matched.empty()) {
            throw InvalidInput(options.rtPlan + ": Source Model ID (300A,021B) of source " +
                               std::to_string(source.number) + " is '" + source.modelId +
                               "', not a seed model of the library (" + JoinIds(ids) +
                               "); give the model with --model ID");
          }
          model = matched;
        } else if (matched != model) {
          log::Warning(options.rtPlan + ": source " + std::to_string(source.number) +
                       " is model '" + source.modelId + "'; read as --model " + model);
        }
        const auto sourceModel = library.Load(model);
        if (source.halfLifeDays > 0.0 &&
            std::abs(source.halfLifeDays - sourceModel->HalfLifeDays()) >
                0.01 * sourceModel->HalfLifeDays()) {
          log::Warning(options.rtPlan + ": source " + std::to_string(source.number) +
                       " has a half-life of " + FormatNumber(source.halfLifeDays) + " d; model " +
                       model + " has " + FormatNumber(sourceModel->HalfLifeDays()) + " d");
        }
        modelOf[source.number] = model;
      }
      Seed seed;
      seed.positionMm = rtSeed.positionMm;
      seed.direction = rtSeed.direction;
      seed.model = modelOf[source.number];
      seed.strengthU = source.referenceAirKermaRateU;
      if (source.referenceDate != reference.referenceDate ||
          source.referenceTime != reference.referenceTime) {
        const double halfLife = library.Load(seed.model)->HalfLifeDays();
        const double days = ElapsedDays(source, reference);
        seed.strengthU = planning::CalendarDate::DecayedStrengthU(seed.strengthU, days, halfLife);
        if (decayWarned.insert(source.number).second) {
          log::Warning(options.rtPlan + ": source " + std::to_string(source.number) +
                       " refers to " + source.referenceDate + " " + source.referenceTime +
                       "; its strength is decayed to the plan's reference " +
                       reference.referenceDate + " " + reference.referenceTime);
        }
      }
      seeds.push_back(seed);
    }
  }
  SeedsCsv::Write(options.out, seeds, true);
  std::size_t oriented = 0;
  for (const Seed& seed : seeds) {
    oriented += seed.direction ? 1 : 0;
  }
  std::cerr << "seedplan: " << seeds.size() << " seeds (" << oriented << " with orientation) from "
            << plan.setups.size() << " application setups of " << options.rtPlan
            << (plan.manufacturer.empty() ? "" : " (" + plan.manufacturer + ")")
            << "; strengths in U at the reference date " << reference.referenceDate << " "
            << reference.referenceTime << "\n";
}

} // namespace

void RegisterImportRtplanCommand(CLI::App& app) {
  auto* command = app.add_subcommand(
      "import-rtplan", "The seeds of a brachy DICOM RT Plan (any system) as the seeds CSV");
  auto options = std::make_shared<ImportOptions>();
  command->add_option("--rtplan", options->rtPlan, "RT Plan file (.dcm)")->required();
  command->add_option("--out", options->out, "Seeds CSV to write")->required();
  command->add_option("--model", options->model,
                      "Seed model (default: from Source Model ID (300A,021B))");
  command->callback([options]() { RunImport(*options); });
}

} // namespace seedplan::app
