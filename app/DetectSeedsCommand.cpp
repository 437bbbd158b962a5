// `seedplan detect-seeds --ct PATH [--expected N] [--strength-u U | --activity-mci A]
// [--threshold-hu H] [--allow-none] --out seeds.csv`: the implanted seeds found on a post-implant
// CT, as the seeds CSV of DESIGN.md. What the detector measured about the scanner and which seeds
// are doubtful go to stderr; a scan without seeds is refused unless --allow-none (then an empty
// seeds CSV and a warning). `--method learned` is still accepted (it names the one detector, and
// scripts written for the release that had two pass it); `--method threshold` is refused: the
// fixed-threshold detector was removed (issue 11).

#include "CommandLine.h"
#include "Commands.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/InputLimits.h"
#include "seedplan/core/Log.h"
#include "seedplan/core/SeedsCsv.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/dosimetry/SourceLibrary.h"
#include "seedplan/imaging/CtLoader.h"
#include "seedplan/imaging/SeedDetector.h"

#include <iostream>
#include <memory>

namespace seedplan::app {

namespace {

struct DetectOptions {
  std::string ct;
  std::string series;
  std::optional<int> expected;
  std::optional<double> strengthU;
  std::optional<double> activityMCi;
  std::string model = dosimetry::SourceLibrary::kDefaultModelId;
  std::optional<double> thresholdHu;
  bool allowNone = false;
  std::string method = "learned";
  std::string out;
};

/// The one detector's name, which `--method` still accepts.
constexpr const char* kDetectorName = "learned";

void CheckMethod(const std::string& method) {
  if (method == "threshold") {
    throw InvalidInput("--method threshold: the fixed-threshold detector was removed (it assumed "
                       "one scanner's seed appearance and missed most seeds on other scanners' "
                       "scans); drop --method, and give --threshold-hu H to seek seeds only at "
                       "maxima of at least H HU");
  }
  if (method != kDetectorName) {
    throw InvalidInput("--method is '" + method + "'; expected '" + kDetectorName +
                       "' (the only detector) or no --method");
  }
}

void RunDetect(const DetectOptions& options) {
  CheckMethod(options.method);
  CheckOutputPath(options.out, {".csv"}, "--out");
  if (options.expected &&
      (*options.expected < 1 || *options.expected > limits::kMaxExpectedSeeds)) {
    throw InvalidInput("--expected is " + std::to_string(*options.expected) +
                       "; expected the number of implanted seeds, at least 1 and at most " +
                       std::to_string(limits::kMaxExpectedSeeds));
  }
  if (options.thresholdHu) {
    limits::RequireInRange(*options.thresholdHu, limits::kMinMetalThresholdHu,
                           limits::kMaxMetalThresholdHu, false, "--threshold-hu",
                           "a metal threshold", "HU");
  }
  std::optional<double> strengthU = options.strengthU;
  if (strengthU) {
    limits::RequireInRange(*strengthU, 0.0, limits::kMaxStrengthU, true, "--strength-u",
                           "an air-kerma strength", "U");
  }
  if (options.activityMCi) {
    limits::RequireInRange(*options.activityMCi, 0.0, limits::kMaxActivityMCi, true,
                           "--activity-mci", "an apparent activity", "mCi");
    const dosimetry::SourceLibrary library;
    strengthU = *options.activityMCi * library.Load(options.model)->StrengthPerActivityUPerMCi();
  }
  const imaging::CtImage ct = imaging::CtLoader::Load(options.ct, options.series);
  imaging::SeedDetectionOptions detection;
  detection.expectedCount = options.expected;
  if (options.thresholdHu) {
    detection.thresholdHu = *options.thresholdHu;
  }
  imaging::SeedDetectionReport report = imaging::SeedDetector::Detect(ct.hu, detection);
  std::string why;
  for (const auto& object : report.excludedObjects) {
    why = "; only a large metal object was seen (" + FormatNumber(object.lengthMm, 3) +
          " mm long), which is no seed";
  }
  if (report.seeds.empty() && !options.allowNone) {
    throw InvalidInput(options.ct + ": no seeds found (no metal standing out like a seed" + why +
                       "); expected a post-implant CT, or pass --allow-none to write an empty "
                       "seeds CSV");
  }
  if (report.seeds.empty()) {
    log::Warning(options.ct + ": no seeds found (no metal standing out like a seed" + why +
                 "); writing a seeds CSV without rows (--allow-none)");
  }
  for (const auto& line : report.summary) {
    log::Info(options.ct + ": " + line);
  }
  for (const auto& note : report.notes) {
    log::Warning(options.ct + ": " + note);
  }
  if (strengthU) {
    for (Seed& seed : report.seeds) {
      seed.strengthU = *strengthU;
      seed.model = options.model;
    }
  }
  SeedsCsv::Write(options.out, report.seeds, strengthU.has_value());
  std::cout << "found " << report.seeds.size() << " seeds on " << options.ct
            << (options.expected ? " (expected " + std::to_string(*options.expected) + ")" : "")
            << "; wrote " << options.out << '\n';
}

} // namespace

void RegisterDetectSeedsCommand(CLI::App& app) {
  auto* command = app.add_subcommand("detect-seeds", "Find implanted seeds on a post-implant CT");
  auto options = std::make_shared<DetectOptions>();
  auto* ct = command->add_option("--ct", options->ct, "Post-implant CT (DICOM folder or volume)")
                 ->required();
  command->add_option("--series", options->series, "SeriesInstanceUID when --ct holds several")
      ->needs(ct);
  command->add_option("--expected", options->expected, "Number of seeds implanted, if known");
  auto* strength = command->add_option("--strength-u", options->strengthU,
                                       "Write this strength (U) for every seed");
  auto* activity = command->add_option("--activity-mci", options->activityMCi,
                                       "Write this apparent activity (mCi) as strength");
  strength->excludes(activity);
  command->add_option("--model", options->model, "Seed model written with the strength");
  command->add_option("--threshold-hu", options->thresholdHu,
                      "Seek seeds only at maxima of at least this HU (instead of maxima standing "
                      "out from their surroundings)");
  command->add_option("--method", options->method,
                      "Accepted for scripts of the release with two detectors: learned (the only "
                      "detector; the scanner's appearance is measured on the scan)");
  command->add_flag("--allow-none", options->allowNone,
                    "Write an empty seeds CSV (with a warning) when no seed is found");
  command->add_option("--out", options->out, "Seeds CSV to write")->required();
  command->callback([options]() { RunDetect(*options); });
}

} // namespace seedplan::app
