#include "seedplan/imaging/DicomFileCheck.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/FileByteSource.h"
#include "seedplan/core/InputLimits.h"
#include "seedplan/core/MemoryByteSource.h"
#include "seedplan/core/TextParsing.h"

#include <zlib.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <memory>
#include <string_view>

namespace seedplan::imaging {

namespace {

constexpr std::uint32_t kUndefinedLength = 0xFFFFFFFFu;
constexpr std::uint32_t kItem = DicomTag(0xFFFE, 0xE000);
constexpr std::uint32_t kItemDelimitation = DicomTag(0xFFFE, 0xE00D);
constexpr std::uint32_t kSequenceDelimitation = DicomTag(0xFFFE, 0xE0DD);
constexpr std::uint32_t kPixelData = DicomTag(0x7FE0, 0x0010);
constexpr std::uint32_t kTransferSyntaxUid = DicomTag(0x0002, 0x0010);
constexpr std::uint32_t kMediaStorageSopClassUid = DicomTag(0x0002, 0x0002);
constexpr std::uint32_t kMetaGroupLength = DicomTag(0x0002, 0x0000);
// PS3.5 9.1: a UID has at most 64 characters (plus one NUL of padding to an even length).
constexpr std::uint64_t kMaxUidBytes = 65;
constexpr const char* kImplicitLittleEndian = "1.2.840.10008.1.2";
constexpr const char* kExplicitLittleEndian = "1.2.840.10008.1.2.1";
// A CT slice has a few hundred top-level elements, an RT Structure Set a few dozen (its contours
// are nested); the caps bound the time and memory a crafted file of tiny elements can cost.
constexpr std::size_t kMaxTopLevelElements = 10000;
constexpr std::uint64_t kMaxElements = 20000000;

// The value representations of PS3.5 6.2; those with a 4-byte length after two reserved bytes in
// explicit VR syntaxes (PS3.5 7.1.2) are listed in kLongVrs.
constexpr std::array<std::string_view, 34> kVrs = {
    "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FL", "FD", "IS", "LO", "LT",
    "OB", "OD", "OF", "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST",
    "SV", "TM", "UC", "UI", "UL", "UN", "UR", "US", "UT", "UV"};
constexpr std::array<std::string_view, 13> kLongVrs = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ",
                                                       "SV", "UC", "UN", "UR", "UT", "UV"};

bool IsVr(std::string_view vr) {
  for (const std::string_view known : kVrs) {
    if (vr == known) {
      return true;
    }
  }
  return false;
}

bool IsLongVr(std::string_view vr) {
  for (const std::string_view known : kLongVrs) {
    if (vr == known) {
      return true;
    }
  }
  return false;
}

std::string Hex(unsigned char byte) {
  char text[8];
  std::snprintf(text, sizeof text, "0x%02X", byte);
  return text;
}

struct Syntax {
  bool explicitVr = true;
  bool bigEndian = false;
};

class Walker {
public:
  Walker(const ByteSource& source, std::string name, DicomFileSummary& summary,
         const DicomFileCheck::Options& options)
      : m_Source(source), m_Name(std::move(name)), m_Summary(summary), m_Options(options) {}

  [[noreturn]] void Corrupt(const std::string& message) const {
    throw DataFormat(m_Name + ": corrupt DICOM file: " + message +
                     "; expected a complete DICOM file (is it truncated or damaged?)");
  }

  std::uint16_t Read16(std::uint64_t position, bool bigEndian) const {
    unsigned char bytes[2];
    Read(position, bytes, 2);
    return bigEndian ? static_cast<std::uint16_t>(bytes[0] << 8 | bytes[1])
                     : static_cast<std::uint16_t>(bytes[1] << 8 | bytes[0]);
  }

  std::uint32_t Read32(std::uint64_t position, bool bigEndian) const {
    unsigned char bytes[4];
    Read(position, bytes, 4);
    return bigEndian ? (std::uint32_t{bytes[0]} << 24 | std::uint32_t{bytes[1]} << 16 |
                        std::uint32_t{bytes[2]} << 8 | bytes[3])
                     : (std::uint32_t{bytes[3]} << 24 | std::uint32_t{bytes[2]} << 16 |
                        std::uint32_t{bytes[1]} << 8 | bytes[0]);
  }

  void Read(std::uint64_t position, void* buffer, std::size_t count) const {
    if (m_Source.ReadAt(position, buffer, count) != count) {
      Corrupt("the file ends at byte " + std::to_string(m_Source.Size()) +
              " inside an element header");
    }
  }

  /// Walks the data set from `position` to `end` (or, when `untilItemEnd`, to its item
  /// delimitation); returns the position after it.
  std::uint64_t WalkDataSet(std::uint64_t position, std::uint64_t end, Syntax syntax, int depth,
                            bool untilItemEnd, bool topLevel) {
    std::uint64_t previousTag = 0;
    bool first = true;
    while (true) {
      if (!untilItemEnd && position == end) {
        return position;
      }
      if (position + 8 > end) {
        Corrupt(untilItemEnd
                    ? "an item of undefined length has no item delimitation before byte " +
                          std::to_string(end)
                    : "an element header at byte " + std::to_string(position) +
                          " runs past the end of its data set (byte " + std::to_string(end) + ")");
      }
      const std::uint16_t group = Read16(position, syntax.bigEndian);
      const std::uint16_t element = Read16(position + 2, syntax.bigEndian);
      const std::uint32_t tag = DicomTag(group, element);
      if (tag == kItemDelimitation) {
        if (!untilItemEnd) {
          Corrupt("an item delimitation at byte " + std::to_string(position) +
                  " ends an item of defined length");
        }
        ExpectZeroLength("item delimitation", position, syntax);
        return position + 8;
      }
      if (group == 0xFFFE) {
        Corrupt("element " + DicomTagText(tag) + " at byte " + std::to_string(position) +
                " is an item tag inside a data set");
      }
      if (!first && tag <= previousTag) {
        Corrupt("element " + DicomTagText(tag) + " at byte " + std::to_string(position) +
                " follows " + DicomTagText(static_cast<std::uint32_t>(previousTag)) +
                " (elements must be in ascending tag order)");
      }
      first = false;
      previousTag = tag;
      position = WalkElement(position, end, tag, syntax, depth, topLevel);
    }
  }

  /// One element at `position` (its tag already read); returns the position after it.
  std::uint64_t WalkElement(std::uint64_t position, std::uint64_t end, std::uint32_t tag,
                            Syntax syntax, int depth, bool topLevel) {
    if (++m_Summary.elementCount > kMaxElements) {
      Corrupt("it holds more than " + std::to_string(kMaxElements) + " elements");
    }
    std::string vr;
    std::uint64_t headerBytes = 8;
    std::uint32_t length = 0;
    if (syntax.explicitVr) {
      unsigned char vrBytes[2];
      Read(position + 4, vrBytes, 2);
      vr.assign(reinterpret_cast<const char*>(vrBytes), 2);
      if (!IsVr(vr)) {
        Corrupt("element " + DicomTagText(tag) + " at byte " + std::to_string(position) +
                " has VR bytes " + Hex(vrBytes[0]) + " " + Hex(vrBytes[1]) +
                ", which are no DICOM value representation");
      }
      if (IsLongVr(vr)) {
        if (position + 12 > end) {
          Corrupt("the header of element " + DicomTagText(tag) + " at byte " +
                  std::to_string(position) + " runs past the end of its data set");
        }
        length = Read32(position + 8, syntax.bigEndian);
        headerBytes = 12;
      } else {
        length = Read16(position + 6, syntax.bigEndian);
      }
    } else {
      length = Read32(position + 4, syntax.bigEndian);
    }
    const std::uint64_t valueStart = position + headerBytes;
    if (length == kUndefinedLength) {
      std::uint64_t after = 0;
      if (tag == kPixelData && syntax.explicitVr && (vr == "OB" || vr == "OW")) {
        if (m_Options.uncompressedLittleEndianOnly) {
          throw NotSupported(m_Name +
                             ": encapsulated (compressed) Pixel Data (7FE0,0010) at byte " +
                             std::to_string(position) + "; expected native pixel data");
        }
        after = WalkFragments(valueStart, end, syntax);
      } else if (vr == "SQ" || !syntax.explicitVr) {
        after = WalkSequence(valueStart, end, true, syntax, depth);
      } else if (vr == "UN") {
        // PS3.5 6.2.2: a sequence of unknown VR is encoded in implicit VR little endian.
        after = WalkSequence(valueStart, end, true, Syntax{false, false}, depth);
      } else {
        Corrupt("element " + DicomTagText(tag) + " at byte " + std::to_string(position) +
                " has VR " + vr +
                " and an undefined length (only sequences and encapsulated "
                "pixel data may)");
      }
      if (topLevel) {
        Record(tag, vr, length, valueStart, false);
      }
      return after;
    }
    if (valueStart + length > end) {
      Corrupt("element " + DicomTagText(tag) + " at byte " + std::to_string(position) +
              " has length " + std::to_string(length) + ", but only " +
              std::to_string(end > valueStart ? end - valueStart : 0) + " bytes remain" +
              (end == m_Source.Size() ? " in the file" : " in its item"));
    }
    const std::uint64_t after = valueStart + length;
    if (vr == "SQ") {
      WalkSequence(valueStart, after, false, syntax, depth);
    } else if (!syntax.explicitVr && length >= 8 &&
               DicomTag(Read16(valueStart, syntax.bigEndian),
                        Read16(valueStart + 2, syntax.bigEndian)) == kItem) {
      // Implicit VR carries no VR: a value that starts with an item tag is a sequence (as DCMTK
      // and pydicom read it).
      WalkSequence(valueStart, after, false, syntax, depth);
    }
    if (topLevel) {
      Record(tag, vr, length, valueStart, true);
    }
    return after;
  }

  std::uint64_t WalkSequence(std::uint64_t position, std::uint64_t end, bool undefinedLength,
                             Syntax syntax, int depth) {
    if (depth + 1 > DicomFileCheck::kMaxDepth) {
      Corrupt("sequences nested more than " + std::to_string(DicomFileCheck::kMaxDepth) +
              " deep at byte " + std::to_string(position));
    }
    while (true) {
      if (!undefinedLength && position == end) {
        return position;
      }
      if (position + 8 > end) {
        Corrupt(undefinedLength ? "a sequence of undefined length has no sequence delimitation "
                                  "before byte " +
                                      std::to_string(end)
                                : "an item header at byte " + std::to_string(position) +
                                      " runs past the end of its sequence");
      }
      const std::uint32_t tag =
          DicomTag(Read16(position, syntax.bigEndian), Read16(position + 2, syntax.bigEndian));
      const std::uint32_t length = Read32(position + 4, syntax.bigEndian);
      if (tag == kSequenceDelimitation) {
        if (!undefinedLength) {
          Corrupt("a sequence delimitation at byte " + std::to_string(position) +
                  " ends a sequence of defined length");
        }
        ExpectZeroLength("sequence delimitation", position, syntax);
        return position + 8;
      }
      if (tag != kItem) {
        Corrupt("element " + DicomTagText(tag) + " at byte " + std::to_string(position) +
                " stands where a sequence item (FFFE,E000) was expected");
      }
      const std::uint64_t itemStart = position + 8;
      if (length == kUndefinedLength) {
        position = WalkDataSet(itemStart, end, syntax, depth + 1, true, false);
      } else {
        if (itemStart + length > end) {
          Corrupt("an item at byte " + std::to_string(position) + " has " + std::to_string(length) +
                  " bytes, but only " + std::to_string(end > itemStart ? end - itemStart : 0) +
                  " bytes remain");
        }
        WalkDataSet(itemStart, itemStart + length, syntax, depth + 1, false, false);
        position = itemStart + length;
      }
    }
  }

  /// Encapsulated pixel data (PS3.5 A.4): items of defined length (the basic offset table, then
  /// the fragments) up to a sequence delimitation.
  std::uint64_t WalkFragments(std::uint64_t position, std::uint64_t end, Syntax syntax) {
    while (true) {
      if (position + 8 > end) {
        Corrupt("the encapsulated pixel data have no sequence delimitation before the end of the "
                "file (byte " +
                std::to_string(end) + ")");
      }
      const std::uint32_t tag =
          DicomTag(Read16(position, syntax.bigEndian), Read16(position + 2, syntax.bigEndian));
      const std::uint32_t length = Read32(position + 4, syntax.bigEndian);
      if (tag == kSequenceDelimitation) {
        ExpectZeroLength("sequence delimitation", position, syntax);
        return position + 8;
      }
      if (tag != kItem || length == kUndefinedLength || position + 8 + length > end) {
        Corrupt("the encapsulated pixel data hold a broken fragment at byte " +
                std::to_string(position) + " (tag " + DicomTagText(tag) + ", " +
                (length == kUndefinedLength ? std::string("undefined length")
                                            : std::to_string(length) + " bytes") +
                ")");
      }
      ++m_Summary.pixelDataFragments;
      position += 8 + length;
    }
  }

  /// PS3.5 7.5: delimitation items have length 0.
  void ExpectZeroLength(const char* what, std::uint64_t position, Syntax syntax) const {
    const std::uint32_t length = Read32(position + 4, syntax.bigEndian);
    if (length != 0) {
      Corrupt("the " + std::string(what) + " at byte " + std::to_string(position) + " has length " +
              std::to_string(length) + " (expected 0)");
    }
  }

  void Record(std::uint32_t tag, const std::string& vr, std::uint32_t length,
              std::uint64_t valueStart, bool definedLength) {
    if (m_Summary.elements.size() >= kMaxTopLevelElements) {
      Corrupt("its data set holds more than " + std::to_string(kMaxTopLevelElements) + " elements");
    }
    DicomElement element;
    element.vr = vr;
    element.length = length;
    if (definedLength && length <= DicomFileSummary::kKeptValueBytes) {
      element.value = m_Source.ReadString(valueStart, length);
      element.kept = true;
    }
    m_Summary.elements[tag] = std::move(element);
  }

private:
  const ByteSource& m_Source;
  std::string m_Name;
  DicomFileSummary& m_Summary;
  const DicomFileCheck::Options& m_Options;
};

/// The syntax of a data set without File Meta Information, guessed from its first element as
/// DCMTK does: a small even group number in little or big endian, and VR letters or not.
std::optional<Syntax> GuessSyntax(const ByteSource& source, std::uint64_t position) {
  unsigned char bytes[8];
  if (source.ReadAt(position, bytes, 8) != 8) {
    return std::nullopt;
  }
  const std::uint16_t little = static_cast<std::uint16_t>(bytes[1] << 8 | bytes[0]);
  const std::uint16_t big = static_cast<std::uint16_t>(bytes[0] << 8 | bytes[1]);
  const bool vrLetters = IsVr(std::string_view(reinterpret_cast<const char*>(bytes + 4), 2));
  // Data sets start with group 0002 (meta), 0008 (identification) or, rarely, 0000 to 0028.
  if (little <= 0x0028 && little % 2 == 0 && (little != 0 || bytes[2] != 0 || bytes[3] != 0)) {
    return Syntax{vrLetters, false};
  }
  if (big <= 0x0028 && big % 2 == 0 && big != 0 && vrLetters) {
    return Syntax{true, true};
  }
  return std::nullopt;
}

/// The data set of a Deflated Explicit VR Little Endian file, inflated (raw deflate, PS3.5 A.5).
std::string InflateDataSet(const ByteSource& source, std::uint64_t position,
                           const std::string& name, std::uint64_t maxBytes) {
  z_stream stream{};
  if (inflateInit2(&stream, -15) != Z_OK) {
    throw DataFormat(name + ": cannot inflate the deflated DICOM data set");
  }
  struct End {
    z_stream* stream;
    ~End() { inflateEnd(stream); }
  } end{&stream};
  std::string output;
  std::string input(1 << 16, '\0');
  std::string chunk(1 << 18, '\0');
  while (true) {
    if (stream.avail_in == 0) {
      const std::size_t got = source.ReadAt(position, input.data(), input.size());
      if (got == 0) {
        throw DataFormat(name + ": corrupt DICOM file: the deflated data set is cut short; "
                                "expected a complete DICOM file (is it truncated?)");
      }
      position += got;
      stream.next_in = reinterpret_cast<unsigned char*>(input.data());
      stream.avail_in = static_cast<uInt>(got);
    }
    stream.next_out = reinterpret_cast<unsigned char*>(chunk.data());
    stream.avail_out = static_cast<uInt>(chunk.size());
    const int status = inflate(&stream, Z_NO_FLUSH);
    output.append(chunk.data(), chunk.size() - stream.avail_out);
    if (output.size() > maxBytes) {
      throw InvalidInput(name + ": the deflated DICOM data set inflates to more than " +
                         limits::DescribeBytes(maxBytes) +
                         "; expected a DICOM file of at most that size");
    }
    if (status == Z_STREAM_END) {
      return output;
    }
    if (status != Z_OK) {
      throw DataFormat(name + ": corrupt DICOM file: the deflated data set cannot be inflated; "
                              "expected a complete DICOM file (is it damaged?)");
    }
  }
}

} // namespace

std::string DicomTagText(std::uint32_t tag) {
  char text[16];
  std::snprintf(text, sizeof text, "(%04X,%04X)", tag >> 16, tag & 0xFFFFu);
  return text;
}

std::optional<std::string> DicomFileSummary::Text(std::uint32_t tag) const {
  const DicomElement* element = Find(tag);
  if (!element || !element->kept) {
    return std::nullopt;
  }
  std::string text = element->value;
  while (!text.empty() && (text.back() == ' ' || text.back() == '\0')) {
    text.pop_back();
  }
  const auto first = text.find_first_not_of(' ');
  return first == std::string::npos ? std::string() : text.substr(first);
}

std::optional<std::vector<std::uint16_t>>
DicomFileSummary::UnsignedShorts(std::uint32_t tag) const {
  const DicomElement* element = Find(tag);
  if (!element || !element->kept) {
    return std::nullopt;
  }
  std::vector<std::uint16_t> values;
  const bool big = bigEndian && (tag >> 16) != 0x0002;
  for (std::size_t n = 0; n + 1 < element->value.size(); n += 2) {
    const auto b0 = static_cast<unsigned char>(element->value[n]);
    const auto b1 = static_cast<unsigned char>(element->value[n + 1]);
    values.push_back(big ? static_cast<std::uint16_t>(b0 << 8 | b1)
                         : static_cast<std::uint16_t>(b1 << 8 | b0));
  }
  return values;
}

DicomFileCheck::Options DicomFileCheck::RtObject(std::uint64_t maxBytes) {
  Options options;
  options.maxBytes = maxBytes;
  options.requirePart10 = true;
  options.uncompressedLittleEndianOnly = true;
  return options;
}

DicomFileSummary DicomFileCheck::CheckFile(const std::filesystem::path& path) {
  return CheckFile(path, Options{});
}

DicomFileSummary DicomFileCheck::CheckFile(const std::filesystem::path& path,
                                           const Options& options) {
  const FileByteSource source(path, "DICOM file");
  return CheckSource(source, options);
}

DicomFileSummary DicomFileCheck::CheckSource(const ByteSource& source) {
  return CheckSource(source, Options{});
}

DicomFileSummary DicomFileCheck::CheckSource(const ByteSource& source, const Options& options) {
  const std::string& name = source.Name();
  if (source.Size() > options.maxBytes) {
    throw InvalidInput(name + ": the DICOM file is " + limits::DescribeBytes(source.Size()) +
                       "; expected at most " + limits::DescribeBytes(options.maxBytes) +
                       " for this kind of DICOM object");
  }
  if (options.requirePart10 && source.Size() < kMinimumPart10Bytes) {
    throw DataFormat(name + ": " + std::to_string(source.Size()) +
                     " bytes; expected a DICOM file (128-byte preamble, 'DICM', file meta header)");
  }
  DicomFileSummary summary;
  summary.name = name;
  summary.fileBytes = source.Size();
  Walker walker(source, name, summary, options);
  std::uint64_t position = 0;
  const std::string marker = source.ReadString(128, 4);
  summary.part10 = marker == "DICM";
  if (options.requirePart10 && !summary.part10) {
    throw DataFormat(name + ": no 'DICM' at byte 128; expected a DICOM Part 10 file");
  }
  std::optional<Syntax> syntax;
  if (summary.part10) {
    position = 132;
    // File Meta Information: group 0002, always explicit VR little endian (PS3.10 7.1).
    std::uint64_t metaEnd = position;
    while (metaEnd + 8 <= source.Size() && walker.Read16(metaEnd, false) == 0x0002) {
      metaEnd = walker.WalkElement(metaEnd, source.Size(),
                                   DicomTag(0x0002, walker.Read16(metaEnd + 2, false)),
                                   Syntax{true, false}, 0, true);
    }
    position = metaEnd;
    if (options.requirePart10) {
      // PS3.10 7.1: the group length (Type 1) says where the File Meta Information ends.
      const DicomElement* groupLength = summary.Find(kMetaGroupLength);
      if (groupLength == nullptr || groupLength->vr != "UL" || groupLength->value.size() != 4) {
        throw DataFormat(name + ": the file meta header does not start with File Meta Information "
                                "Group Length (0002,0000) UL; expected a DICOM Part 10 file");
      }
      std::uint32_t declared = 0;
      for (int b = 3; b >= 0; --b) {
        declared = declared << 8 |
                   static_cast<unsigned char>(groupLength->value[static_cast<std::size_t>(b)]);
      }
      if (kMinimumPart10Bytes + declared != metaEnd) {
        walker.Corrupt("File Meta Information Group Length (0002,0000) is " +
                       std::to_string(declared) + ", but the group 0002 elements end at byte " +
                       std::to_string(metaEnd) + " (expected byte " +
                       std::to_string(kMinimumPart10Bytes + declared) + ")");
      }
    }
    for (const std::uint32_t tag : {kTransferSyntaxUid, kMediaStorageSopClassUid}) {
      const DicomElement* uid = summary.Find(tag);
      if (uid != nullptr && uid->length > kMaxUidBytes) {
        throw DataFormat(name + ": " + DicomTagText(tag) + " is " + std::to_string(uid->length) +
                         " bytes long; expected a UID of at most 64 characters");
      }
    }
    if (const std::optional<std::string> uid = summary.Text(kTransferSyntaxUid)) {
      summary.transferSyntaxUid = *uid;
    }
    if (options.requirePart10 && summary.transferSyntaxUid.empty()) {
      throw DataFormat(name + ": the file meta header has no Transfer Syntax UID (0002,0010)");
    }
  }
  const std::string& uid = summary.transferSyntaxUid;
  if (options.uncompressedLittleEndianOnly && !uid.empty() && uid != kImplicitLittleEndian &&
      uid != kExplicitLittleEndian) {
    throw NotSupported(name + ": Transfer Syntax UID (0002,0010) is " + Excerpt(uid) +
                       "; expected implicit (1.2.840.10008.1.2) or explicit (1.2.840.10008.1.2.1) "
                       "VR little endian");
  }
  std::unique_ptr<MemoryByteSource> inflated;
  const ByteSource* dataSet = &source;
  if (uid.empty()) {
    syntax = GuessSyntax(source, position);
    if (!syntax && summary.part10) {
      walker.Corrupt(
          "after the File Meta Information (up to byte " + std::to_string(position) + " of " +
          std::to_string(source.Size()) +
          ") there is neither a Transfer Syntax UID (0002,0010) nor a readable data set");
    }
    if (!syntax) {
      throw DataFormat(name + ": not a DICOM file (no 'DICM' marker at byte 128 and no readable "
                              "DICOM data set); expected a DICOM file");
    }
  } else if (uid == kImplicitLittleEndian) {
    syntax = Syntax{false, false};
  } else if (uid == "1.2.840.10008.1.2.2") {
    syntax = Syntax{true, true};
  } else if (uid == "1.2.840.10008.1.2.1.99") {
    summary.deflated = true;
    inflated = std::make_unique<MemoryByteSource>(
        InflateDataSet(source, position, name, options.maxBytes), name);
    dataSet = inflated.get();
    position = 0;
    syntax = Syntax{true, false};
  } else if (uid.starts_with("1.2.840.10008.1.2.")) {
    // Every other standard transfer syntax (explicit VR little endian, JPEG, JPEG-LS, JPEG 2000,
    // RLE, MPEG, HTJ2K) encodes the data set in explicit VR little endian.
    syntax = Syntax{true, false};
  } else {
    throw NotSupported(name + ": Transfer Syntax UID (0002,0010) is '" + Excerpt(uid) +
                       "', which is not a DICOM standard transfer syntax; expected one of "
                       "1.2.840.10008.1.2[.x]");
  }
  if (syntax->explicitVr && !syntax->bigEndian && !summary.deflated) {
    // Some writers encode the data set in implicit VR under an explicit VR transfer syntax; say
    // so rather than report the first element's "VR" bytes as damage.
    const std::optional<Syntax> found = GuessSyntax(*dataSet, position);
    if (found && !found->explicitVr) {
      throw DataFormat(name +
                       ": the data set is encoded in implicit VR, but Transfer Syntax UID "
                       "(0002,0010) '" +
                       Excerpt(uid) +
                       "' says explicit VR; expected a data set encoded as its transfer syntax "
                       "says (the writing program is not conformant)");
    }
  }
  summary.explicitVr = syntax->explicitVr;
  summary.bigEndian = syntax->bigEndian;
  Walker dataWalker(*dataSet, name, summary, options);
  dataWalker.WalkDataSet(position, dataSet->Size(), *syntax, 0, false, true);
  return summary;
}

} // namespace seedplan::imaging
