#include "DicomFileCheck.h"

#include "DicomItemReader.h"
#include "seedplan/core/Error.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dctag.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <fstream>
#include <vector>

namespace seedplan::imaging {

namespace {

namespace fs = std::filesystem;

constexpr std::uint32_t kUndefinedLength = 0xFFFFFFFFu;
constexpr std::uint16_t kItemGroup = 0xFFFE;
constexpr std::uint16_t kItem = 0xE000;
constexpr std::uint16_t kItemDelimiter = 0xE00D;
constexpr std::uint16_t kSequenceDelimiter = 0xE0DD;
constexpr std::size_t kWindowBytes = 1 << 20;
constexpr std::size_t kMaxUidLength = 64;
constexpr const char* kImplicitLittleEndian = "1.2.840.10008.1.2";
constexpr const char* kExplicitLittleEndian = "1.2.840.10008.1.2.1";

/// "Pixel Data (7FE0,0010)".
std::string TagText(std::uint16_t group, std::uint16_t element) {
  return DicomItemReader::Name(DcmTagKey(group, element));
}

/// Reads little-endian numbers at arbitrary offsets through a 1 MiB window, so that walking the
/// element headers of a 200 MB RT Dose reads the headers, not the pixel data.
class ByteSource {
public:
  ByteSource(const fs::path& file, std::uintmax_t size) : m_File(file.string()), m_Size(size) {
    m_Stream.open(file, std::ios::binary);
    if (!m_Stream) {
      throw Io(m_File + ": cannot open the file for reading");
    }
  }

  std::uintmax_t Size() const { return m_Size; }

  /// `count` bytes at `offset`; DataFormat if the file ends before (`what` names the element).
  const unsigned char* Bytes(std::uintmax_t offset, std::size_t count, const std::string& what) {
    if (offset > m_Size || count > m_Size - offset) {
      throw DataFormat(m_File + ": truncated: " + what + " at byte " + std::to_string(offset) +
                       " needs " + std::to_string(count) + " bytes but the file has " +
                       std::to_string(m_Size) + " bytes");
    }
    if (offset < m_WindowStart || offset + count > m_WindowStart + m_Window.size()) {
      const std::size_t length =
          static_cast<std::size_t>(std::min<std::uintmax_t>(kWindowBytes, m_Size - offset));
      m_Window.resize(length);
      m_Stream.clear();
      m_Stream.seekg(static_cast<std::streamoff>(offset));
      m_Stream.read(reinterpret_cast<char*>(m_Window.data()), static_cast<std::streamsize>(length));
      if (!m_Stream) {
        throw Io(m_File + ": cannot read " + std::to_string(length) + " bytes at byte " +
                 std::to_string(offset));
      }
      m_WindowStart = offset;
    }
    return m_Window.data() + (offset - m_WindowStart);
  }

  std::uint16_t U16(std::uintmax_t offset, const std::string& what) {
    const unsigned char* b = Bytes(offset, 2, what);
    return static_cast<std::uint16_t>(b[0] | (b[1] << 8));
  }
  std::uint32_t U32(std::uintmax_t offset, const std::string& what) {
    const unsigned char* b = Bytes(offset, 4, what);
    return static_cast<std::uint32_t>(b[0]) | (static_cast<std::uint32_t>(b[1]) << 8) |
           (static_cast<std::uint32_t>(b[2]) << 16) | (static_cast<std::uint32_t>(b[3]) << 24);
  }

private:
  std::string m_File;
  std::uintmax_t m_Size;
  std::ifstream m_Stream;
  std::vector<unsigned char> m_Window;
  std::uintmax_t m_WindowStart = 0;
};

bool IsLongFormVr(const char vr[2]) {
  static constexpr std::array<const char*, 13> kLong = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ",
                                                        "UC", "UN", "UR", "UT", "SV", "UV"};
  return std::any_of(kLong.begin(), kLong.end(),
                     [&](const char* v) { return v[0] == vr[0] && v[1] == vr[1]; });
}

/// One element's header as found in the file.
struct ElementHeader {
  std::uint16_t group = 0;
  std::uint16_t element = 0;
  char vr[2] = {0, 0};
  std::uint32_t length = 0;
  std::uintmax_t valueOffset = 0;
};

class Walker {
public:
  Walker(ByteSource& bytes, std::string file, bool explicitVr)
      : m_Bytes(bytes), m_File(std::move(file)), m_Explicit(explicitVr) {}

  std::size_t ElementCount() const { return m_Count; }

  /// Walks the elements of a data set from `offset` to `end` (a defined-length item or the file),
  /// or, when `delimited`, up to and including its item delimiter; returns the offset after it.
  std::uintmax_t Dataset(std::uintmax_t offset, std::uintmax_t end, bool delimited, int depth) {
    while (offset < end) {
      const ElementHeader header = ReadHeader(offset);
      if (header.group == kItemGroup) {
        if (delimited && header.element == kItemDelimiter) {
          ExpectZeroLength(header, offset);
          return header.valueOffset;
        }
        Refuse(header, offset, "an item tag inside a data set; expected a data element");
      }
      if (++m_Count > DicomFileCheck::kMaxElements) {
        throw DataFormat(m_File + ": more than " + std::to_string(DicomFileCheck::kMaxElements) +
                         " elements; expected a DICOM RT object of sensible size");
      }
      const bool sequence = IsSequence(header);
      if (header.length == kUndefinedLength) {
        if (!sequence) {
          if (header.group == 0x7FE0 && header.element == 0x0010) {
            throw NotSupported(m_File + ": encapsulated (compressed) Pixel Data (7FE0,0010); "
                                        "expected native pixel data");
          }
          Refuse(header, offset, "undefined length on an element that is not a sequence");
        }
        offset = Sequence(header.valueOffset, end, true, depth + 1);
        continue;
      }
      CheckFits(header, offset, end);
      if (sequence) {
        Sequence(header.valueOffset, header.valueOffset + header.length, false, depth + 1);
      }
      offset = header.valueOffset + header.length;
    }
    if (delimited) {
      throw DataFormat(m_File +
                       ": truncated: an item of undefined length has no item "
                       "delimiter before byte " +
                       std::to_string(end));
    }
    return offset;
  }

private:
  /// Walks the items of a sequence; returns the offset after it.
  std::uintmax_t Sequence(std::uintmax_t offset, std::uintmax_t end, bool delimited, int depth) {
    if (depth > DicomFileCheck::kMaxDepth) {
      throw DataFormat(m_File + ": sequences nested more than " +
                       std::to_string(DicomFileCheck::kMaxDepth) + " deep at byte " +
                       std::to_string(offset) + "; expected a DICOM RT object");
    }
    while (offset < end) {
      const std::uint16_t group = m_Bytes.U16(offset, "item tag");
      const std::uint16_t element = m_Bytes.U16(offset + 2, "item tag");
      const std::uint32_t length = m_Bytes.U32(offset + 4, "item length");
      const std::uintmax_t value = offset + 8;
      if (group == kItemGroup && element == kSequenceDelimiter && delimited) {
        if (length != 0) {
          throw DataFormat(m_File + ": sequence delimiter at byte " + std::to_string(offset) +
                           " has length " + std::to_string(length) + "; expected 0");
        }
        return value;
      }
      if (group != kItemGroup || element != kItem) {
        throw DataFormat(m_File + ": " + TagText(group, element) + " at byte " +
                         std::to_string(offset) +
                         " inside a sequence; expected an item (FFFE,E000)" +
                         (delimited ? " or a sequence delimiter" : ""));
      }
      if (length == kUndefinedLength) {
        offset = Dataset(value, end, true, depth);
        continue;
      }
      if (length > end - value) {
        throw DataFormat(m_File + ": item at byte " + std::to_string(offset) + " has length " +
                         std::to_string(length) + " but only " + std::to_string(end - value) +
                         " bytes are left in its sequence or file");
      }
      Dataset(value, value + length, false, depth);
      offset = value + length;
    }
    if (delimited) {
      throw DataFormat(m_File +
                       ": truncated: a sequence of undefined length has no sequence "
                       "delimiter before byte " +
                       std::to_string(end));
    }
    return offset;
  }

  ElementHeader ReadHeader(std::uintmax_t offset) {
    ElementHeader header;
    header.group = m_Bytes.U16(offset, "element tag");
    header.element = m_Bytes.U16(offset + 2, "element tag");
    if (!m_Explicit || header.group == kItemGroup) {
      header.length = m_Bytes.U32(offset + 4, "length of " + TagText(header.group, header.element));
      header.valueOffset = offset + 8;
      return header;
    }
    const unsigned char* vr =
        m_Bytes.Bytes(offset + 4, 2, "VR of " + TagText(header.group, header.element));
    header.vr[0] = static_cast<char>(vr[0]);
    header.vr[1] = static_cast<char>(vr[1]);
    if (header.vr[0] < 'A' || header.vr[0] > 'Z' || header.vr[1] < 'A' || header.vr[1] > 'Z') {
      char shown[16];
      std::snprintf(shown, sizeof shown, "0x%02X%02X", vr[0], vr[1]);
      Refuse(header, offset, std::string("VR bytes ") + shown + "; expected two capital letters");
    }
    if (IsLongFormVr(header.vr)) {
      header.length = m_Bytes.U32(offset + 8, "length of " + TagText(header.group, header.element));
      header.valueOffset = offset + 12;
    } else {
      header.length = m_Bytes.U16(offset + 6, "length of " + TagText(header.group, header.element));
      header.valueOffset = offset + 8;
    }
    return header;
  }

  bool IsSequence(const ElementHeader& header) const {
    if (m_Explicit) {
      const bool sq = header.vr[0] == 'S' && header.vr[1] == 'Q';
      // A sequence of unknown VR (UN) with undefined length is encoded as implicit VR
      // (PS3.5 6.2.2).
      const bool un =
          header.vr[0] == 'U' && header.vr[1] == 'N' && header.length == kUndefinedLength;
      return sq || un;
    }
    if (header.length == kUndefinedLength) {
      return true; // in implicit VR only sequences may have an undefined length
    }
    return DcmTag(DcmTagKey(header.group, header.element)).getEVR() == EVR_SQ;
  }

  void CheckFits(const ElementHeader& header, std::uintmax_t offset, std::uintmax_t end) const {
    if (header.valueOffset > end || header.length > end - header.valueOffset) {
      throw DataFormat(m_File + ": " + TagText(header.group, header.element) + " at byte " +
                       std::to_string(offset) + " has length " + std::to_string(header.length) +
                       " but only " +
                       std::to_string(end > header.valueOffset ? end - header.valueOffset : 0) +
                       " bytes are left in its item or file");
    }
  }

  void ExpectZeroLength(const ElementHeader& header, std::uintmax_t offset) const {
    if (header.length != 0) {
      throw DataFormat(m_File + ": item delimiter at byte " + std::to_string(offset) +
                       " has length " + std::to_string(header.length) + "; expected 0");
    }
  }

  [[noreturn]] void Refuse(const ElementHeader& header, std::uintmax_t offset,
                           const std::string& problem) const {
    throw DataFormat(m_File + ": " + TagText(header.group, header.element) + " at byte " +
                     std::to_string(offset) + ": " + problem);
  }

  ByteSource& m_Bytes;
  std::string m_File;
  bool m_Explicit;
  std::size_t m_Count = 0;
};

std::string TrimUid(const unsigned char* bytes, std::size_t length) {
  std::string text(reinterpret_cast<const char*>(bytes), length);
  while (!text.empty() && (text.back() == '\0' || text.back() == ' ')) {
    text.pop_back();
  }
  return text;
}

} // namespace

DicomFileSummary DicomFileCheck::Check(const fs::path& file, std::uintmax_t maxBytes) {
  const std::string name = file.string();
  std::error_code error;
  if (!fs::is_regular_file(file, error)) {
    throw Io(name + ": " + (fs::exists(file, error) ? "not a regular file" : "no such file"));
  }
  DicomFileSummary summary;
  summary.fileBytes = fs::file_size(file, error);
  if (error) {
    throw Io(name + ": cannot read the file size (" + error.message() + ")");
  }
  if (summary.fileBytes < kMinimumBytes) {
    throw DataFormat(name + ": " + std::to_string(summary.fileBytes) +
                     " bytes; expected a DICOM file (128-byte preamble, 'DICM', file meta header)");
  }
  if (summary.fileBytes > maxBytes) {
    throw DataFormat(name + ": " + std::to_string(summary.fileBytes) + " bytes; expected at most " +
                     std::to_string(maxBytes) + " bytes for this kind of DICOM object");
  }
  ByteSource bytes(file, summary.fileBytes);
  const unsigned char* magic = bytes.Bytes(128, 4, "DICM prefix");
  if (magic[0] != 'D' || magic[1] != 'I' || magic[2] != 'C' || magic[3] != 'M') {
    throw DataFormat(name + ": no 'DICM' at byte 128; expected a DICOM Part 10 file");
  }

  // File meta information: explicit VR little endian, group 0002, led by its group length.
  const std::uint16_t group = bytes.U16(132, "meta group length");
  const std::uint16_t element = bytes.U16(134, "meta group length");
  const unsigned char* vr = bytes.Bytes(136, 2, "meta group length");
  if (group != 0x0002 || element != 0x0000 || vr[0] != 'U' || vr[1] != 'L' ||
      bytes.U16(138, "meta group length") != 4) {
    throw DataFormat(name + ": the file meta header does not start with File Meta Information "
                            "Group Length (0002,0000) UL; expected a DICOM Part 10 file");
  }
  const std::uint32_t metaLength = bytes.U32(140, "meta group length");
  const std::uintmax_t metaEnd = 144 + static_cast<std::uintmax_t>(metaLength);
  if (metaEnd > summary.fileBytes) {
    throw DataFormat(name + ": File Meta Information Group Length (0002,0000) is " +
                     std::to_string(metaLength) + " but the file has only " +
                     std::to_string(summary.fileBytes - 144) + " bytes after it");
  }
  std::uintmax_t offset = 144;
  while (offset < metaEnd) {
    const std::uint16_t g = bytes.U16(offset, "meta element tag");
    const std::uint16_t e = bytes.U16(offset + 2, "meta element tag");
    const unsigned char* v = bytes.Bytes(offset + 4, 2, "meta element VR");
    const char vrText[2] = {static_cast<char>(v[0]), static_cast<char>(v[1])};
    if (g != 0x0002 || vrText[0] < 'A' || vrText[0] > 'Z' || vrText[1] < 'A' || vrText[1] > 'Z') {
      throw DataFormat(
          name + ": " + TagText(g, e) + " at byte " + std::to_string(offset) +
          " inside the file meta header; expected a group 0002 element in explicit VR");
    }
    std::uint32_t length = 0;
    std::uintmax_t value = 0;
    if (IsLongFormVr(vrText)) {
      length = bytes.U32(offset + 8, "meta element length");
      value = offset + 12;
    } else {
      length = bytes.U16(offset + 6, "meta element length");
      value = offset + 8;
    }
    if (length == kUndefinedLength || value > metaEnd || length > metaEnd - value) {
      throw DataFormat(name + ": " + TagText(g, e) + " at byte " + std::to_string(offset) +
                       " has length " + std::to_string(length) +
                       ", beyond the end of the file meta header");
    }
    if (e == 0x0010 || e == 0x0002) {
      if (length > kMaxUidLength + 1) {
        throw DataFormat(name + ": " + TagText(g, e) + " is " + std::to_string(length) +
                         " bytes long; expected a UID of at most 64 characters");
      }
      const std::string uid = TrimUid(bytes.Bytes(value, length, "meta UID"), length);
      (e == 0x0010 ? summary.transferSyntaxUid : summary.mediaStorageSopClassUid) = uid;
    }
    offset = value + length;
  }
  if (summary.transferSyntaxUid.empty()) {
    throw DataFormat(name + ": the file meta header has no Transfer Syntax UID (0002,0010)");
  }
  if (summary.transferSyntaxUid == kImplicitLittleEndian) {
    summary.explicitVr = false;
  } else if (summary.transferSyntaxUid == kExplicitLittleEndian) {
    summary.explicitVr = true;
  } else {
    throw NotSupported(name + ": Transfer Syntax UID (0002,0010) is " + summary.transferSyntaxUid +
                       "; expected implicit (1.2.840.10008.1.2) or explicit (1.2.840.10008.1.2.1) "
                       "VR little endian");
  }
  Walker walker(bytes, name, summary.explicitVr);
  walker.Dataset(metaEnd, summary.fileBytes, false, 0);
  summary.elementCount = walker.ElementCount();
  return summary;
}

DicomFileSummary DicomFileCheck::Load(const fs::path& file, DcmFileFormat& fileFormat,
                                      std::uintmax_t maxBytes, std::uint32_t maxReadLength) {
  const DicomFileSummary summary = Check(file, maxBytes);
  const OFCondition status = fileFormat.loadFile(OFFilename(file.c_str()), EXS_Unknown,
                                                 EGL_noChange, maxReadLength, ERM_fileOnly);
  if (status.bad()) {
    throw DataFormat(file.string() + ": DCMTK cannot read the data set (" + status.text() + ")");
  }
  return summary;
}

} // namespace seedplan::imaging
