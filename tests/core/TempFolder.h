#pragma once

#include <filesystem>
#include <random>
#include <string>

namespace seedplan::test {

/// A fresh folder under the system temp directory, removed with its content at the end of scope.
class TempFolder {
public:
  TempFolder() {
    std::random_device device;
    m_Path = std::filesystem::temp_directory_path() /
             ("seedplan-test-" + std::to_string(device()) + std::to_string(device()));
    std::filesystem::create_directories(m_Path);
  }
  ~TempFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(m_Path, ignored);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  const std::filesystem::path& Path() const { return m_Path; }
  std::filesystem::path operator/(const std::string& name) const { return m_Path / name; }
  std::filesystem::path File(const std::string& name) const { return m_Path / name; }

private:
  std::filesystem::path m_Path;
};

} // namespace seedplan::test
