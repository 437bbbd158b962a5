#pragma once
// A test suite that runs on the sample patient written by `seedplan phantom`, made once per suite
// (~2 s) in a temporary folder.

#include "RunSeedplan.h"

#include <memory>

namespace seedplan::test {

class SamplePatientFixture : public ::testing::Test {
protected:
  static void SetUpTestSuite() {
    s_Folder = std::make_unique<TempFolder>();
    const Result result = Seedplan("phantom --out " + Patient().string(), *s_Folder);
    ASSERT_EQ(result.exitCode, 0) << result.err;
  }
  static void TearDownTestSuite() { s_Folder.reset(); }
  static std::filesystem::path Patient() { return s_Folder->Path() / "patient"; }
  static std::string Path(const std::string& name) { return (Patient() / name).string(); }

  TempFolder m_Work;
  inline static std::unique_ptr<TempFolder> s_Folder;
};

} // namespace seedplan::test
