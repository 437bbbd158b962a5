#include "seedplan/core/InputFile.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/InputLimits.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <vector>

namespace seedplan {

std::string InputFile::ReadAll(const std::filesystem::path& path, std::uint64_t maxBytes,
                               const std::string& kind) {
  std::error_code error;
  const std::filesystem::file_status status = std::filesystem::status(path, error);
  if (!std::filesystem::exists(status)) {
    throw Io(path.string() + ": cannot open the " + kind + ": no such file");
  }
  if (std::filesystem::is_directory(status)) {
    throw Io(path.string() + ": cannot open the " + kind + ": it is a folder; expected a file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Io(path.string() + ": cannot open the " + kind + ": " + std::strerror(errno));
  }
  std::string content;
  std::vector<char> chunk(1 << 16);
  while (in) {
    in.read(chunk.data(), static_cast<std::streamsize>(chunk.size()));
    const auto count = static_cast<std::size_t>(in.gcount());
    if (content.size() + count > maxBytes) {
      throw InvalidInput(path.string() + ": the " + kind + " is larger than " +
                         limits::DescribeBytes(maxBytes) + "; expected a " + kind + " of at most " +
                         limits::DescribeBytes(maxBytes) + " (is it the right file?)");
    }
    content.append(chunk.data(), count);
  }
  if (in.bad()) {
    throw Io(path.string() + ": cannot read the " + kind + ": read error");
  }
  return content;
}

} // namespace seedplan
