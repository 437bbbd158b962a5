// seedplan, the program users run. `--version` and the commands that read no DICOM (sources,
// dose-rate, dose on a --grid-* grid) run here: this executable links core, dosimetry and CLI11
// only, so it starts in a few milliseconds, without loading ITK, GDCM, DCMTK or VTK, whose shared
// libraries and static initialisers (GDCM builds its DICOM dictionary at load time) cost tens of
// milliseconds even for --version (issue 12). Every other command, `--help`, and `dose --ct` run
// in seedplan-full (app/main.cpp, the same command files), which this program becomes by execv:
// same process, arguments, environment and standard streams, and its exit code.

#include "Commands.h"
#include "ProgramMain.h"
#include "seedplan/core/Version.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <string>
#include <unistd.h>

namespace {

/// seedplan-full, next to this executable.
std::filesystem::path FullProgram() {
  std::error_code error;
  const std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", error);
  return (error ? std::filesystem::path(".") : self.parent_path()) / "seedplan-full";
}

int RunFullProgram(char** argv, const std::string& command) {
  // Large allocations (CT, dose grid, DVH samples) in transparent huge pages where the kernel
  // offers them on request (THP "madvise" mode, Debian's default): a first touch then costs one
  // fault per 2 MB instead of per 4 kB (on the project's VM a fault costs ~8 us and `evaluate`
  // took 1.3e5 of them). A glibc tunable (glibc >= 2.35), read at start-up, so it is set here for
  // seedplan-full; a value the user set is kept.
  ::setenv("GLIBC_TUNABLES", "glibc.malloc.hugetlb=1", 0);
  // The viewer is interactive: between its short parallel loops (a live editing step runs a dozen)
  // OpenMP threads that spin-wait (libgomp's default) take the CPU the next loop needs; on a
  // loaded machine one editing step took 2-3 times as long (bench/EditBenchmark.cpp, issue 14).
  // Read by libgomp when it loads, so set here for seedplan-full; a value the user set is kept.
  if (command == "view") {
    ::setenv("OMP_WAIT_POLICY", "PASSIVE", 0);
  }
  const std::string path = FullProgram().string();
  ::execv(path.c_str(), argv);
  std::cerr << "seedplan: internal error: cannot run " << path << ": " << std::strerror(errno)
            << " (it is built with seedplan, next to it)\n";
  return 70;
}

bool IsLightCommand(const std::string& name) {
  return name == "sources" || name == "dose-rate" || name == "dose";
}

} // namespace

int main(int argc, char** argv) {
  const std::string first = argc > 1 ? argv[1] : "";
  if (argc == 2 && first == "--version") {
    std::cout << "seedplan " SEEDPLAN_VERSION "\n";
    return 0;
  }
  if (!IsLightCommand(first)) {
    return RunFullProgram(argv, first);
  }
  return seedplan::app::RunProgram(
      argc, argv,
      [](CLI::App& app) {
        seedplan::app::RegisterSourcesCommand(app);
        seedplan::app::RegisterDoseRateCommand(app);
        seedplan::app::RegisterDoseCommand(app);
      },
      [argv, first] { return RunFullProgram(argv, first); });
}
