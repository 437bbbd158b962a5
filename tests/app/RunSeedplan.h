#pragma once
// Runs the seedplan executable for the end-to-end tests and checks the bad-input contract.

#include "../core/TempFolder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

namespace seedplan::test {

struct Result {
  int exitCode = -1;
  std::string out;
  std::string err;
};

/// Runs seedplan with `arguments` from `workingDirectory` (the test's own when empty); stderr goes
/// through a file in `folder`.
inline Result SeedplanFrom(const std::filesystem::path& workingDirectory,
                           const std::string& arguments, const TempFolder& folder) {
  const std::string errFile = std::filesystem::absolute(folder / ".stderr").string();
  const std::string cd =
      workingDirectory.empty() ? std::string() : "cd '" + workingDirectory.string() + "' && ";
  const std::string command =
      cd + std::string(SEEDPLAN_EXECUTABLE) + " " + arguments + " 2>" + errFile;
  Result result;
  FILE* pipe = popen(command.c_str(), "r");
  std::array<char, 4096> buffer{};
  std::size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) {
    result.out.append(buffer.data(), n);
  }
  const int status = pclose(pipe);
  result.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::ifstream err(errFile);
  std::ostringstream text;
  text << err.rdbuf();
  result.err = text.str();
  std::filesystem::remove(errFile);
  return result;
}

inline Result Seedplan(const std::string& arguments, const TempFolder& folder) {
  return SeedplanFrom({}, arguments, folder);
}

inline void Write(const std::filesystem::path& path, const std::string& text) {
  std::ofstream(path) << text;
}

/// Expects exactly one line on stderr containing every `fragment`, a non-zero exit, and that
/// `output` was not created (nor any temporary file beside it).
inline void ExpectRefused(const Result& result, const std::vector<std::string>& fragments,
                          const std::filesystem::path& output) {
  EXPECT_NE(result.exitCode, 0);
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  for (const auto& fragment : fragments) {
    EXPECT_NE(result.err.find(fragment), std::string::npos)
        << "stderr: " << result.err << "expected: " << fragment;
  }
  EXPECT_FALSE(std::filesystem::exists(output)) << output;
  if (std::filesystem::exists(output.parent_path())) {
    for (const auto& entry : std::filesystem::directory_iterator(output.parent_path())) {
      EXPECT_EQ(entry.path().filename().string().find(".tmp-"), std::string::npos) << entry.path();
    }
  }
}

} // namespace seedplan::test
