#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace seedplan::imaging {

/// A DICOM tag as (group << 16) | element.
constexpr std::uint32_t DicomTag(std::uint16_t group, std::uint16_t element) {
  return (static_cast<std::uint32_t>(group) << 16) | element;
}

/// "(0028,0030)".
std::string DicomTagText(std::uint32_t tag);

/// One element of the top-level data set as DicomFileCheck found it.
struct DicomElement {
  std::string vr;           ///< as written (explicit VR syntaxes); "" in implicit VR files
  std::uint64_t length = 0; ///< value length in bytes (0xFFFFFFFF: undefined)
  std::string value;        ///< the value bytes, if at most DicomFileSummary::kKeptValueBytes
  bool kept = false;        ///< `value` holds the value
};

/// What DicomFileCheck learnt of a file whose structure it checked: its transfer syntax and the
/// elements of its top-level data set (File Meta Information included).
struct DicomFileSummary {
  /// Values longer than this are not kept (pixel data, contour data, private blobs).
  static constexpr std::size_t kKeptValueBytes = 1024;

  std::string name; ///< the file, for messages
  bool part10 = false;
  bool explicitVr = true;
  bool bigEndian = false;
  bool deflated = false;
  std::string transferSyntaxUid; ///< "" when the file has no File Meta Information
  std::map<std::uint32_t, DicomElement> elements;
  std::uint64_t pixelDataFragments = 0; ///< encapsulated pixel data: fragments found
  std::uint64_t fileBytes = 0;          ///< size of the file
  std::uint64_t elementCount = 0;       ///< elements at every depth, File Meta Information included

  const DicomElement* Find(std::uint32_t tag) const {
    const auto found = elements.find(tag);
    return found == elements.end() ? nullptr : &found->second;
  }
  /// A kept string value without its trailing NUL and space padding; nullopt if absent.
  std::optional<std::string> Text(std::uint32_t tag) const;
  /// The values of a kept US element (in the data set's byte order); nullopt if absent.
  std::optional<std::vector<std::uint16_t>> UnsignedShorts(std::uint32_t tag) const;
};

} // namespace seedplan::imaging
