#pragma once
// Support of the DICOM RT end-to-end tests: running the independent tools (dicom3tools, python3
// with pydicom and dicompyler-core) and one `seedplan demo` output shared by the tests of a build.

#include "RunSeedplan.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

namespace seedplan::test {

/// Runs a shell command; stdout and stderr together in `out`. A missing tool gives exit code 127
/// (the shell's), which the tests report as a failure, never as a skip: CI installs every tool
/// (scripts/install-deps.sh).
inline Result RunTool(const std::string& command) {
  Result result;
  FILE* pipe = popen((command + " 2>&1").c_str(), "r");
  if (pipe == nullptr) {
    result.out = "cannot run: " + command;
    return result;
  }
  std::array<char, 4096> buffer{};
  std::size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    result.out.append(buffer.data(), n);
  }
  const int status = pclose(pipe);
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

/// The python3 of the system packages (python3-pydicom, python3-dicompylercore), not whatever
/// python3 comes first on PATH.
inline std::string Python() {
  return SEEDPLAN_PYTHON3;
}
inline std::string Script(const std::string& name) {
  return (std::filesystem::path(SEEDPLAN_TEST_SCRIPTS_DIR) / name).string();
}

inline std::string Quote(const std::filesystem::path& path) {
  // Appended piece by piece: GCC 12 warns falsely (-Wrestrict) on "'" + string + "'".
  std::string quoted(1, '\'');
  quoted += path.string();
  quoted += '\'';
  return quoted;
}

/// The sample patient and `seedplan demo`'s output (plan.xml, dose.mha, rtplan.dcm, rtdose.dcm,
/// rtstruct.dcm), made once per build of the executable and shared by the DICOM RT tests: every
/// ctest test runs in its own process, and the demo takes about half a minute. Kept in the build
/// folder, keyed by the executable's size and modification time, built under a file lock so that
/// parallel tests wait for one build. Tests only read it.
class DemoOutput {
public:
  static const DemoOutput& Get() {
    static const DemoOutput output;
    return output;
  }
  std::filesystem::path Patient() const { return m_Root / "patient"; }
  std::filesystem::path Demo() const { return m_Root / "demo"; }
  std::filesystem::path operator/(const std::string& name) const { return Demo() / name; }
  const std::string& DemoLog() const { return m_Log; }
  /// RT Doses written from the demo's by tests/dicomrt/make_foreign_rtdose.py (made once, with
  /// the demo output, under the same lock).
  std::filesystem::path Foreign() const { return m_Root / "foreign"; }

private:
  DemoOutput() : m_Root(SEEDPLAN_TEST_CACHE_DIR) {
    namespace fs = std::filesystem;
    fs::create_directories(m_Root.parent_path());
    const std::string lockFile = m_Root.string() + ".lock";
    const int lock = ::open(lockFile.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (lock < 0 || ::flock(lock, LOCK_EX) != 0) {
      throw std::runtime_error("cannot lock " + lockFile);
    }
    // The launcher and seedplan-full beside it (app/Launcher.cpp): a change of either remakes it.
    std::string key;
    for (const fs::path& program :
         {fs::path(SEEDPLAN_EXECUTABLE),
          fs::path(SEEDPLAN_EXECUTABLE).parent_path() / "seedplan-full"}) {
      struct stat executable {};
      ::stat(program.c_str(), &executable);
      key += std::to_string(executable.st_size) + " " + std::to_string(executable.st_mtim.tv_sec) +
             "." + std::to_string(executable.st_mtim.tv_nsec) + " ";
    }
    const fs::path stamp = m_Root / "stamp.txt";
    std::string found;
    {
      std::ifstream in(stamp);
      std::getline(in, found);
    }
    if (found != key || !fs::exists(Demo() / "rtdose.dcm") ||
        !fs::exists(Foreign() / "resampled.dcm")) {
      std::error_code ignored;
      fs::remove_all(m_Root, ignored);
      fs::create_directories(m_Root);
      const TempFolder work;
      const Result demo =
          Seedplan("demo --patient " + Quote(Patient()) + " --out " + Quote(Demo()), work);
      std::ofstream(m_Root / "demo.log") << demo.out << demo.err;
      if (demo.exitCode != 0) {
        ::flock(lock, LOCK_UN);
        ::close(lock);
        throw std::runtime_error("seedplan demo failed: " + demo.err);
      }
      const Result foreign = RunTool(Python() + " " + Quote(Script("make_foreign_rtdose.py")) +
                                     " " + Quote(Demo() / "rtdose.dcm") + " " + Quote(Foreign()));
      std::ofstream(m_Root / "demo.log", std::ios::app) << foreign.out;
      if (foreign.exitCode != 0) {
        ::flock(lock, LOCK_UN);
        ::close(lock);
        throw std::runtime_error("make_foreign_rtdose.py failed: " + foreign.out);
      }
      std::ofstream(stamp) << key << '\n';
    }
    std::ifstream logStream(m_Root / "demo.log");
    std::ostringstream text;
    text << logStream.rdbuf();
    m_Log = text.str();
    ::flock(lock, LOCK_UN);
    ::close(lock);
  }

  std::filesystem::path m_Root;
  std::string m_Log;
};

} // namespace seedplan::test
