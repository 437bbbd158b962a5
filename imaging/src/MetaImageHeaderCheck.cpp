#include "MetaImageHeaderCheck.h"

#include "VolumeHeaderSupport.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/InputLimits.h"
#include "seedplan/core/TextParsing.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <vector>

namespace seedplan::imaging::detail {

namespace {

// MetaIO reads a field's value with getline(…, 500): a longer line leaves the stream failed and
// the rest of the header misread.
constexpr std::size_t kMaxLineLength = 499;

/// How MetaIO reads a field (metaObject.cxx and metaImage.cxx, M_SetupReadFields).
enum class FieldKind { Text, Integer, Number, PerAxis, PerAxisSquared, Four, FourIntegers };

const std::map<std::string, FieldKind>& KnownFields() {
  static const std::map<std::string, FieldKind> kFields = {
      {"Comment", FieldKind::Text},
      {"AcquisitionDate", FieldKind::Text},
      {"ObjectType", FieldKind::Text},
      {"ObjectSubType", FieldKind::Text},
      {"NDims", FieldKind::Integer},
      {"Name", FieldKind::Text},
      {"ID", FieldKind::Integer},
      {"ParentID", FieldKind::Integer},
      {"CompressedData", FieldKind::Text},
      {"CompressedDataSize", FieldKind::Integer},
      {"BinaryData", FieldKind::Text},
      {"ElementByteOrderMSB", FieldKind::Text},
      {"BinaryDataByteOrderMSB", FieldKind::Text},
      {"Color", FieldKind::Four},
      {"Position", FieldKind::PerAxis},
      {"Origin", FieldKind::PerAxis},
      {"Offset", FieldKind::PerAxis},
      {"TransformMatrix", FieldKind::PerAxisSquared},
      {"Rotation", FieldKind::PerAxisSquared},
      {"Orientation", FieldKind::PerAxisSquared},
      {"CenterOfRotation", FieldKind::PerAxis},
      {"DistanceUnits", FieldKind::Text},
      {"AnatomicalOrientation", FieldKind::Text},
      {"ElementSpacing", FieldKind::PerAxis},
      {"DimSize", FieldKind::PerAxis},
      {"HeaderSize", FieldKind::Integer},
      {"Modality", FieldKind::Text},
      {"ImagePosition", FieldKind::PerAxis},
      {"SequenceID", FieldKind::FourIntegers},
      {"ElementMin", FieldKind::Number},
      {"ElementMax", FieldKind::Number},
      {"ElementNumberOfChannels", FieldKind::Integer},
      {"ElementSize", FieldKind::PerAxis},
      {"ElementNBits", FieldKind::Integer},
      {"ElementToIntensityFunctionSlope", FieldKind::Number},
      {"ElementToIntensityFunctionOffset", FieldKind::Number},
      {"ElementType", FieldKind::Text},
      {"ElementDataFile", FieldKind::Text},
  };
  return kFields;
}

struct MetaType {
  const char* name;
  VolumeValueType type;
};
// MetaIO's sizes (metaTypes.h): MET_LONG and MET_ULONG are 32-bit.
constexpr MetaType kTypes[] = {
    {"MET_CHAR", VolumeValueType::Int8},       {"MET_UCHAR", VolumeValueType::UInt8},
    {"MET_SHORT", VolumeValueType::Int16},     {"MET_USHORT", VolumeValueType::UInt16},
    {"MET_INT", VolumeValueType::Int32},       {"MET_UINT", VolumeValueType::UInt32},
    {"MET_LONG", VolumeValueType::Int32},      {"MET_ULONG", VolumeValueType::UInt32},
    {"MET_LONG_LONG", VolumeValueType::Int64}, {"MET_ULONG_LONG", VolumeValueType::UInt64},
    {"MET_FLOAT", VolumeValueType::Float32},   {"MET_DOUBLE", VolumeValueType::Float64},
};

std::string Trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string::npos) {
    return {};
  }
  return text.substr(first, text.find_last_not_of(" \t\r") - first + 1);
}

std::vector<std::string> Words(const std::string& text) {
  std::vector<std::string> words;
  std::size_t start = 0;
  while (true) {
    start = text.find_first_not_of(" \t\r", start);
    if (start == std::string::npos) {
      return words;
    }
    const std::size_t end = text.find_first_of(" \t\r", start);
    words.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) {
      return words;
    }
    start = end;
  }
}

bool ParseInteger(const std::string& word, long long& value) {
  errno = 0;
  char* end = nullptr;
  value = std::strtoll(word.c_str(), &end, 10);
  return !word.empty() && errno == 0 && end == word.c_str() + word.size();
}

bool ParseNumber(const std::string& word, double& value) {
  errno = 0;
  char* end = nullptr;
  value = std::strtod(word.c_str(), &end);
  return !word.empty() && errno == 0 && end == word.c_str() + word.size() && std::isfinite(value);
}

bool MetaTrue(const std::string& value) {
  return value == "True" || value == "true" || value == "TRUE" || value == "1";
}
bool MetaFalse(const std::string& value) {
  return value == "False" || value == "false" || value == "FALSE" || value == "0";
}

class Parser {
public:
  Parser(const ByteSource& source, const DataFileOpener& openDataFile)
      : m_Source(source), m_File(source.Name()), m_OpenDataFile(openDataFile) {}

  VolumeFileHeader Run() {
    ReadFields();
    return Checked();
  }

private:
  [[noreturn]] void Fail(const std::string& message) const {
    throw DataFormat(m_File + ": " + message);
  }

  std::string FieldText(const std::string& key) const {
    const auto found = m_Fields.find(key);
    return found == m_Fields.end() ? std::string() : found->second;
  }

  void ReadFields() {
    const std::string text =
        m_Source.ReadString(0, static_cast<std::size_t>(limits::kMaxVolumeHeaderBytes));
    std::size_t position = 0;
    int lineNumber = 0;
    while (position < text.size()) {
      const std::size_t newline = text.find('\n', position);
      const std::size_t end = newline == std::string::npos ? text.size() : newline;
      const std::string line = text.substr(position, end - position);
      ++lineNumber;
      const std::string where = "MetaImage header line " + std::to_string(lineNumber);
      if (line.find('\0') != std::string::npos) {
        // Binary data before any ElementDataFile line: MetaIO would read past the header (ITK
        // 5.2 aborts with "buffer overflow detected").
        Fail("the MetaImage header has no ElementDataFile field before binary data (" + where +
             "); expected 'ElementDataFile = LOCAL' (or the data file's name) as the header's "
             "last line");
      }
      if (line.size() > kMaxLineLength) {
        Fail(where + " is " + std::to_string(line.size()) +
             " characters long; expected at most 499 (ITK's MetaIO cuts longer lines)");
      }
      position = newline == std::string::npos ? text.size() : newline + 1;
      if (Trim(line).empty()) {
        continue;
      }
      // MetaIO takes the name up to the first '=' or ':'.
      const std::size_t separator = line.find_first_of("=:");
      if (separator == std::string::npos) {
        Fail(where + " is '" + Excerpt(line) + "'; expected 'Name = value'");
      }
      const std::string key = Trim(line.substr(0, separator));
      std::string value = line.substr(separator + 1);
      value = Trim(value.substr(std::min(value.find_first_not_of("=: \t"), value.size())));
      if (key.empty()) {
        Fail(where + " is '" + Excerpt(line) + "'; expected a field name before '='");
      }
      if (m_Fields.count(key) != 0) {
        Fail("MetaImage header field " + Excerpt(key) + " appears twice (" + where +
             "); expected it once");
      }
      const auto known = KnownFields().find(key);
      if (known != KnownFields().end()) {
        CheckField(key, known->second, value, where);
      }
      m_Fields[key] = value;
      if (key == "ElementDataFile") {
        m_DataOffset = position;
        return;
      }
    }
    if (text.size() >= limits::kMaxVolumeHeaderBytes) {
      Fail("the MetaImage header has no ElementDataFile field in its first " +
           limits::DescribeBytes(limits::kMaxVolumeHeaderBytes) +
           "; expected a header of text fields ending with 'ElementDataFile = ...'");
    }
    Fail("the MetaImage header has no ElementDataFile field; expected it as the header's last "
         "line (LOCAL or the name of the data file)");
  }

  void CheckField(const std::string& key, FieldKind kind, const std::string& value,
                  const std::string& where) {
    const std::vector<std::string> words = Words(value);
    const auto expectNumbers = [&](std::size_t count, bool integers, const std::string& why) {
      if (words.size() != count) {
        Fail("MetaImage header field " + key + " is '" + Excerpt(value) + "' (" + where +
             "); expected " + std::to_string(count) + (integers ? " integer" : " number") +
             (count == 1 ? "" : "s") + why + " on that line");
      }
      for (const std::string& word : words) {
        long long integer = 0;
        double number = 0.0;
        if (integers ? !ParseInteger(word, integer) : !ParseNumber(word, number)) {
          Fail("MetaImage header field " + key + " is '" + Excerpt(value) + "' (" + where +
               "); expected " + std::to_string(count) + (integers ? " integer" : " finite number") +
               (count == 1 ? "" : "s") + why);
        }
      }
    };
    const auto requireDimensions = [&]() -> std::size_t {
      if (!m_Dimensions) {
        Fail("MetaImage header field " + key + " comes before NDims (" + where +
             "); expected NDims first (ITK's MetaIO cannot read it otherwise)");
      }
      return static_cast<std::size_t>(*m_Dimensions);
    };
    switch (kind) {
    case FieldKind::Text:
      return;
    case FieldKind::Integer:
      expectNumbers(1, true, "");
      break;
    case FieldKind::Number:
      expectNumbers(1, false, "");
      break;
    case FieldKind::Four:
      expectNumbers(4, false, "");
      break;
    case FieldKind::FourIntegers:
      expectNumbers(4, true, "");
      break;
    case FieldKind::PerAxis: {
      const std::size_t n = requireDimensions();
      expectNumbers(n, key == "DimSize", " (one per axis, NDims = 3)");
      break;
    }
    case FieldKind::PerAxisSquared: {
      const std::size_t n = requireDimensions();
      expectNumbers(n * n, false, " (NDims x NDims = 9)");
      break;
    }
    }
    if (key == "NDims") {
      long long dimensions = 0;
      ParseInteger(words.front(), dimensions);
      if (dimensions != 3) {
        Fail("MetaImage header field NDims is '" + Excerpt(value) +
             "'; expected a 3D image (NDims = 3)");
      }
      m_Dimensions = static_cast<int>(dimensions);
    }
  }

  VolumeFileHeader Checked() {
    VolumeFileHeader header;
    header.format = VolumeFileFormat::MetaImage;
    const std::string objectType = FieldText("ObjectType");
    if (!objectType.empty() && objectType != "Image") {
      Fail("MetaImage header field ObjectType is '" + Excerpt(objectType) + "'; expected Image");
    }
    if (!m_Dimensions) {
      Fail("MetaImage header field NDims is missing; expected NDims = 3");
    }
    const std::string dimSize = FieldText("DimSize");
    if (dimSize.empty()) {
      Fail("MetaImage header field DimSize is missing; expected the number of voxels along each "
           "of the 3 axes");
    }
    const std::vector<std::string> sizes = Words(dimSize);
    for (std::size_t axis = 0; axis < 3; ++axis) {
      long long n = 0;
      ParseInteger(sizes[axis], n);
      if (n < 1 || n > 2147483647LL) {
        Fail("MetaImage header field DimSize is '" + Excerpt(dimSize) +
             "'; expected 3 whole numbers of voxels >= 1");
      }
      header.size[axis] = n;
    }
    const std::string channels = FieldText("ElementNumberOfChannels");
    if (!channels.empty() && channels != "1") {
      throw DataFormat(m_File + ": the image has " + Excerpt(channels) +
                       " components per voxel (MetaImage ElementNumberOfChannels); expected a "
                       "scalar image");
    }
    header.typeName = FieldText("ElementType");
    const auto type = std::find_if(std::begin(kTypes), std::end(kTypes),
                                   [&](const MetaType& t) { return header.typeName == t.name; });
    if (type == std::end(kTypes)) {
      Fail("MetaImage header field ElementType is '" + Excerpt(header.typeName) +
           "'; expected a scalar type: MET_CHAR, MET_UCHAR, MET_SHORT, MET_USHORT, MET_INT, "
           "MET_UINT, MET_LONG, MET_ULONG, MET_LONG_LONG, MET_ULONG_LONG, MET_FLOAT or MET_DOUBLE");
    }
    header.valueType = type->type;
    CheckVoxelBudget(m_File, header.size, BytesOf(header.valueType));

    for (const char* key :
         {"BinaryData", "CompressedData", "ElementByteOrderMSB", "BinaryDataByteOrderMSB"}) {
      const std::string value = FieldText(key);
      if (!value.empty() && !MetaTrue(value) && !MetaFalse(value)) {
        Fail(std::string("MetaImage header field ") + key + " is '" + Excerpt(value) +
             "'; expected True or False");
      }
    }
    const bool binary = FieldText("BinaryData").empty() || MetaTrue(FieldText("BinaryData"));
    const bool compressed = MetaTrue(FieldText("CompressedData"));
    if (!binary && compressed) {
      Fail("MetaImage header says BinaryData = False and CompressedData = True; expected "
           "compressed data to be binary");
    }
    header.encoding = compressed ? "zlib" : binary ? "raw" : "ascii";

    long long headerSize = 0;
    if (!FieldText("HeaderSize").empty()) {
      ParseInteger(FieldText("HeaderSize"), headerSize);
      if (headerSize < -1 || (headerSize == -1 && header.encoding != "raw")) {
        Fail("MetaImage header field HeaderSize is '" + Excerpt(FieldText("HeaderSize")) +
             "'; expected the number of bytes to skip (>= 0), or -1 for raw data at the end of "
             "the file");
      }
    }
    std::optional<std::uint64_t> compressedBytes;
    if (compressed) {
      const std::string declared = FieldText("CompressedDataSize");
      long long bytes = 0;
      if (declared.empty()) {
        // ITK 5.2 then fails to decompress ("Uncompress failed" on the console) and returns zeros.
        throw NotSupported(
            m_File + ": compressed MetaImage without a CompressedDataSize field cannot be read; "
                     "expected CompressedDataSize in the header (save the image again with ITK, "
                     "3D Slicer or SimpleITK)");
      }
      ParseInteger(declared, bytes);
      if (bytes < 1) {
        Fail("MetaImage header field CompressedDataSize is '" + Excerpt(declared) +
             "'; expected the number of bytes of compressed data (>= 1)");
      }
      compressedBytes = static_cast<std::uint64_t>(bytes);
    }

    const std::string dataFile = FieldText("ElementDataFile");
    PixelDataLayout layout;
    layout.integers = header.valueType != VolumeValueType::Float32 &&
                      header.valueType != VolumeValueType::Float64;
    layout.compressedBytes = compressedBytes;
    layout.atEnd = headerSize == -1;
    std::unique_ptr<ByteSource> separate;
    if (dataFile == "LOCAL" || dataFile == "Local" || dataFile == "local") {
      header.dataFile = m_File;
      layout.data = &m_Source;
      // MetaIO seeks to HeaderSize from the start of the file when it is given, else the data
      // follow the ElementDataFile line.
      layout.offset = headerSize > 0 ? static_cast<std::uint64_t>(headerSize) : m_DataOffset;
    } else {
      if (dataFile.empty()) {
        Fail("MetaImage header field ElementDataFile is empty; expected LOCAL or the name of the "
             "data file");
      }
      if (dataFile.starts_with("LIST") || dataFile.find('%') != std::string::npos) {
        throw NotSupported(m_File + ": MetaImage header field ElementDataFile is '" +
                           Excerpt(dataFile) +
                           "' (pixel data in several files); expected LOCAL or one data file");
      }
      separate = m_OpenDataFile(dataFile);
      header.dataFile = separate->Name();
      layout.data = separate.get();
      layout.offset = static_cast<std::uint64_t>(std::max(0LL, headerSize));
    }
    header.dataOffset = layout.offset;
    CheckPixelData(m_File, header, layout);
    return header;
  }

  const ByteSource& m_Source;
  std::string m_File;
  const DataFileOpener& m_OpenDataFile;
  std::map<std::string, std::string> m_Fields;
  std::optional<int> m_Dimensions;
  std::uint64_t m_DataOffset = 0;
};

} // namespace

VolumeFileHeader MetaImageHeaderCheck::Check(const ByteSource& source,
                                             const DataFileOpener& openDataFile) {
  return Parser(source, openDataFile).Run();
}

} // namespace seedplan::imaging::detail
