// `seedplan export --plan plan.xml --out DIR [--force]`: the plan as DICOM RT for other systems:
// DIR/rtplan.dcm (brachy RT Plan, permanent LDR seeds), DIR/rtdose.dcm (the plan's total dose on
// the CT grid with every structure's DVH) and DIR/rtstruct.dcm (the plan's structures, contours
// copied, and its needles), all on the CT's study and frame of reference.

#include "Commands.h"
#include "DicomRtExport.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/imaging/CtLoader.h"
#include "seedplan/imaging/StructureLoader.h"
#include "seedplan/planning/PlanEvaluator.h"
#include "seedplan/planning/PlanXml.h"

#include <chrono>
#include <iostream>
#include <memory>
#include <unistd.h>

namespace seedplan::app {

namespace {

struct ExportOptions {
  std::string plan;
  std::string out;
  bool force = false;
};

void RunExport(const ExportOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  // Progress on a terminal only: a refusal stays the one line on stderr that scripts read.
  const bool terminal = ::isatty(STDERR_FILENO) != 0;
  const auto progress = [&start, terminal](const std::string& message) {
    if (!terminal) {
      return;
    }
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    std::cerr << "seedplan: [" << FormatNumber(seconds, 3) << " s] " << message << '\n';
  };
  CheckExportFolder(options.out, options.force);
  const planning::Plan plan = planning::PlanXml::Read(options.plan);
  if (plan.frameOfReferenceUid.empty()) {
    throw InvalidInput(options.plan + ": the plan was made on a CT without DICOM identity (" +
                       plan.ctPath +
                       "): no DICOM frame of reference to export to; expected a plan made on a "
                       "DICOM CT series");
  }
  // The CT first: a series changed since planning is refused before the structures are read.
  progress("reading the CT " + plan.ctPath);
  const imaging::CtImage ct = imaging::CtLoader::Load(plan.ctPath);
  CheckPlanMatchesCt(plan, ct, options.plan);
  progress("reading the structures " + plan.structuresPath);
  const imaging::StructureSet structures = imaging::StructureLoader::Load(plan.structuresPath, ct);
  progress("total dose of the " + std::to_string(plan.seeds.size()) + " seeds on the CT grid");
  const dosimetry::SourceLibrary library;
  const Volume<float> doseGy = planning::PlanEvaluator::TotalDose(plan, ct.hu.Geometry(), library);
  const DicomRtExportResult result = ExportDicomRt(plan, options.plan, ct, structures, doseGy,
                                                   library, options.out, options.force, progress);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::cout << "wrote " << result.rtPlan.string() << " (" << result.seeds << " seeds in "
            << result.setups << " application setups, RT Plan " << result.planUid << ")\n"
            << "      " << result.rtDose.string()
            << " (total dose, Gy, CT grid, DVH of every structure)\n"
            << "      " << result.rtStruct.string() << " (" << structures.structures.size()
            << " structures, " << result.needles << " needles)\n"
            << "in " << FormatNumber(seconds, 3) << " s\n";
}

} // namespace

void RegisterExportCommand(CLI::App& app) {
  auto* command = app.add_subcommand(
      "export", "The plan as DICOM RT: rtplan.dcm, rtdose.dcm and rtstruct.dcm in a folder");
  auto options = std::make_shared<ExportOptions>();
  command->add_option("--plan", options->plan, "Plan file (.xml)")->required();
  command->add_option("--out", options->out, "Output folder (created)")->required();
  command->add_flag("--force", options->force, "Overwrite RT files already in the folder");
  command->callback([options]() { RunExport(*options); });
}

} // namespace seedplan::app
