#include "seedplan/core/AtomicFileWriter.h"

#include "seedplan/core/Error.h"

#include <atomic>
#include <cstdio>
#include <fstream>
#include <unistd.h>

namespace seedplan {

namespace {
std::atomic<unsigned> g_Counter{0};
}

AtomicFileWriter::AtomicFileWriter(std::filesystem::path target) : m_TargetPath(std::move(target)) {
  std::filesystem::path folder = m_TargetPath.parent_path();
  if (folder.empty()) {
    folder = ".";
  }
  std::error_code error;
  if (!std::filesystem::is_directory(folder, error)) {
    throw Io(m_TargetPath.string() + ": cannot write output: folder '" + folder.string() +
             "' does not exist");
  }
  if (std::filesystem::is_directory(m_TargetPath, error)) {
    throw Io(m_TargetPath.string() + ": cannot write output: it is a folder; expected a file path");
  }
  if (::access(folder.c_str(), W_OK) != 0) {
    throw Io(m_TargetPath.string() + ": cannot write output: folder '" + folder.string() +
             "' is not writable");
  }
  // ".name.tmp-PID-N.ext": hidden, unique per process and writer, same extension as the target.
  const std::string stem = m_TargetPath.stem().string();
  const std::string extension = m_TargetPath.extension().string();
  m_TemporaryPath = folder / ("." + stem + ".tmp-" + std::to_string(::getpid()) + "-" +
                              std::to_string(g_Counter++) + extension);
}

AtomicFileWriter::~AtomicFileWriter() {
  if (!m_Committed) {
    std::error_code ignored;
    std::filesystem::remove(m_TemporaryPath, ignored);
  }
}

void AtomicFileWriter::WriteAll(const std::string& content) {
  std::ofstream out(m_TemporaryPath, std::ios::binary | std::ios::trunc);
  out << content;
  out.flush();
  if (!out) {
    throw Io(m_TargetPath.string() + ": cannot write output (disk full or not writable)");
  }
}

void AtomicFileWriter::Commit() {
  std::error_code error;
  if (!std::filesystem::exists(m_TemporaryPath, error)) {
    throw Io(m_TargetPath.string() + ": nothing was written to commit");
  }
  std::filesystem::rename(m_TemporaryPath, m_TargetPath, error);
  if (error) {
    throw Io(m_TargetPath.string() + ": cannot write output: " + error.message());
  }
  m_Committed = true;
}

} // namespace seedplan
