#pragma once
// Private to imaging: the project's own check of a DICOM file's structure before DCMTK parses it.

#include <cstdint>
#include <filesystem>
#include <string>

class DcmFileFormat;

namespace seedplan::imaging {

/// What DicomFileCheck found out about a file.
struct DicomFileSummary {
  std::uintmax_t fileBytes = 0;
  std::string transferSyntaxUid;
  std::string mediaStorageSopClassUid; ///< (0002,0002), may be empty
  bool explicitVr = true;
  std::size_t elementCount = 0;
};

/// The rule "no toolkit reads a header the project has not checked first" for DICOM RT files:
/// Check walks the file's element structure without interpreting values and refuses it, with one
/// line naming the file, the element and the offset, unless
///  - the file has between 144 bytes and `maxBytes` bytes;
///  - bytes 128-131 are "DICM" (a DICOM Part 10 file) and a file meta header follows: group 0002,
///    explicit VR little endian, starting with its group length, every element inside it, and a
///    Transfer Syntax UID of at most 64 characters;
///  - the transfer syntax is implicit or explicit VR little endian (RT objects are not
///    compressed; big endian is retired and deflate would hide the structure: NotSupported);
///  - every element's length fits in what is left of its item, sequence and file, undefined
///    lengths occur only on sequences and items, every item and sequence that opens with an
///    undefined length is closed by its delimiter, explicit VRs are two capital letters, sequences
///    nest at most kMaxDepth deep and the file holds at most kMaxElements elements.
/// In implicit VR the data dictionary says which elements are sequences (DCMTK's dictionary is a
/// table lookup, not a parse).
class DicomFileCheck {
public:
  static constexpr int kMaxDepth = 16;
  static constexpr std::size_t kMaxElements = 20'000'000;
  static constexpr std::uintmax_t kMinimumBytes = 144; // preamble, DICM, one meta element

  /// Throws Io if the file cannot be opened, DataFormat for a structural fault, NotSupported for a
  /// transfer syntax the project does not read.
  static DicomFileSummary Check(const std::filesystem::path& file, std::uintmax_t maxBytes);

  /// Check, then DCMTK reads the file (values longer than `maxReadLength` bytes stay on disk until
  /// they are accessed); a DCMTK failure becomes DataFormat naming the file and DCMTK's reason.
  static DicomFileSummary Load(const std::filesystem::path& file, DcmFileFormat& fileFormat,
                               std::uintmax_t maxBytes, std::uint32_t maxReadLength = 65536);
};

} // namespace seedplan::imaging
