#pragma once

#include <filesystem>
#include <string>

namespace seedplan {

/// Writes a file so that readers never see half of it: the content goes to a temporary file in the
/// same folder, and Commit() renames it over the target (atomic on POSIX file systems). If Commit()
/// is never called (an exception, a failed write) the destructor removes the temporary file, so no
/// half-written output is left behind.
class AtomicFileWriter {
public:
  /// Throws Io if the folder of `target` does not exist or is not writable.
  explicit AtomicFileWriter(std::filesystem::path target);
  ~AtomicFileWriter();
  AtomicFileWriter(const AtomicFileWriter&) = delete;
  AtomicFileWriter& operator=(const AtomicFileWriter&) = delete;

  /// Where to write the content; keeps the target's extension so format writers that choose by
  /// extension still work.
  const std::filesystem::path& TemporaryPath() const { return m_TemporaryPath; }
  const std::filesystem::path& TargetPath() const { return m_TargetPath; }

  /// Writes `content` to the temporary file and flushes it (for text outputs).
  void WriteAll(const std::string& content);
  /// Renames the temporary file to the target. Throws Io on failure.
  void Commit();

private:
  std::filesystem::path m_TargetPath;
  std::filesystem::path m_TemporaryPath;
  bool m_Committed = false;
};

} // namespace seedplan
