// `seedplan dose-rate --model ID --points FILE [--formalism ...]`: TG-43 dose rate per unit
// strength at points given in TG-43's own frame (cm; y away from the seed axis, z along it, seed
// centre at the origin), for checks against published along-and-away tables.

#include "Commands.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/dosimetry/DoseRatePointsCsv.h"
#include "seedplan/dosimetry/SourceLibrary.h"

#include <cmath>
#include <iostream>
#include <memory>
#include <sstream>

namespace seedplan::app {

void RegisterDoseRateCommand(CLI::App& app) {
  auto* command = app.add_subcommand(
      "dose-rate", "Dose rate per U (cGy/h/U) of one seed at points y_cm,z_cm (TG-43 frame)");
  struct Options {
    std::string model;
    std::string points;
    std::string formalism = "2d";
  };
  auto options = std::make_shared<Options>();
  command->add_option("--model", options->model, "Seed model id (see `seedplan sources`)")
      ->required();
  command->add_option("--points", options->points, "CSV with header y_cm,z_cm")->required();
  command->add_option("--formalism", options->formalism, "2d (default), 1d-line or 1d-point");
  command->callback([options]() {
    const dosimetry::SourceLibrary library;
    const auto model = library.Load(options->model);
    dosimetry::Formalism formalism = dosimetry::ParseFormalism(options->formalism, "--formalism");
    if (formalism == dosimetry::Formalism::Auto) {
      formalism = dosimetry::Formalism::Line2D; // points have no seed of unknown orientation
    }
    const std::vector<dosimetry::DoseRatePoint> points =
        dosimetry::DoseRatePointsCsv::Read(options->points);
    // Everything is computed before anything is printed: a bad row leaves no partial output.
    std::ostringstream out;
    out << "y_cm,z_cm,dose_rate_cGy_per_h_per_U\n";
    for (const dosimetry::DoseRatePoint& point : points) {
      const double r = std::hypot(point.yCm, point.zCm);
      const double theta = std::atan2(std::abs(point.yCm), point.zCm);
      out << point.yText << ',' << point.zText << ','
          << FormatNumber(model->DoseRatePerU(r, theta, formalism), 6) << '\n';
    }
    std::cout << out.str();
  });
}

} // namespace seedplan::app
