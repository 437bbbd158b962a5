// `seedplan phantom --out DIR`: the sample patient (synthetic thorax and upper abdomen with four
// metastases), its RT Structure Set and its post-implant CT, made by the project's own
// deterministic generator.

#include "Commands.h"
#include "seedplan/imaging/SamplePatient.h"

#include <iostream>
#include <memory>

namespace seedplan::app {

void RegisterPhantomCommand(CLI::App& app) {
  auto* command = app.add_subcommand(
      "phantom", "Write the sample patient: planning CT, RT Structure Set, post-implant CT, seeds");
  auto folder = std::make_shared<std::string>();
  command->add_option("--out", *folder, "New folder to write (must not exist, or be empty)")
      ->required();
  command->callback([folder]() {
    const auto files = imaging::SamplePatient::Write(*folder);
    std::cout << "wrote the sample patient to " << files.folder.string() << ":\n"
              << "  " << files.Ct().string() << "  planning CT (DICOM)\n"
              << "  " << files.RtStruct().string() << "  RT Structure Set\n"
              << "  " << files.PostCt().string() << "  post-implant CT (DICOM)\n"
              << "  " << files.SampleSeeds().string() << ", " << files.ImplantedSeeds().string()
              << ", " << files.PostCtTrueSeeds().string() << "  seeds\n"
              << "  " << files.Prescriptions().string() << ", " << files.OrganLimits().string()
              << "  prescriptions and organ limits (illustrative)\n";
  });
}

} // namespace seedplan::app
