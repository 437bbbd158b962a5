#pragma once

#include <array>
#include <cstdint>
#include <filesystem>
#include <string>

namespace seedplan::study {

/// SHA-256 (NIST FIPS 180-4): the fingerprint of a plan file logged into the study record, so that
/// an implant's numbers can be traced to the exact file that produced them.
class Sha256 {
public:
  Sha256();
  void Update(const void* data, std::size_t size);
  void Update(const std::string& text) { Update(text.data(), text.size()); }
  /// The digest as 64 lower-case hexadecimal digits; the object must not be updated afterwards.
  std::string HexDigest();

  static std::string Of(const std::string& text);
  /// Throws Io if the file cannot be read.
  static std::string OfFile(const std::filesystem::path& file);

private:
  void Block(const std::uint8_t* block);
  std::array<std::uint32_t, 8> m_State;
  std::array<std::uint8_t, 64> m_Buffer{};
  std::size_t m_Buffered = 0;
  std::uint64_t m_TotalBytes = 0;
};

} // namespace seedplan::study
