#include "NrrdHeaderCheck.h"

#include "VolumeHeaderSupport.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/InputLimits.h"
#include "seedplan/core/TextParsing.h"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <map>
#include <optional>
#include <vector>

namespace seedplan::imaging::detail {

namespace {

std::string Lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

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
  while ((start = text.find_first_not_of(" \t\r", start)) != std::string::npos) {
    const std::size_t end = text.find_first_of(" \t\r", start);
    words.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    start = end;
  }
  return words;
}

bool ParseInteger(const std::string& word, long long& value) {
  errno = 0;
  char* end = nullptr;
  value = std::strtoll(word.c_str(), &end, 10);
  return !word.empty() && errno == 0 && end == word.c_str() + word.size();
}

bool ParseNumber(const std::string& word, bool allowNan) {
  if (allowNan && Lowercase(word) == "nan") {
    return true;
  }
  errno = 0;
  char* end = nullptr;
  const double value = std::strtod(word.c_str(), &end);
  return !word.empty() && errno == 0 && end == word.c_str() + word.size() && std::isfinite(value);
}

/// teem's canonical field names and their aliases.
const std::map<std::string, std::string>& FieldNames() {
  static const std::map<std::string, std::string> kNames = {
      {"dimension", "dimension"},
      {"type", "type"},
      {"sizes", "sizes"},
      {"spacings", "spacings"},
      {"thicknesses", "thicknesses"},
      {"axis mins", "axis mins"},
      {"axismins", "axis mins"},
      {"axis maxs", "axis maxs"},
      {"axismaxs", "axis maxs"},
      {"centers", "centers"},
      {"centerings", "centers"},
      {"kinds", "kinds"},
      {"labels", "labels"},
      {"units", "units"},
      {"endian", "endian"},
      {"encoding", "encoding"},
      {"data file", "data file"},
      {"datafile", "data file"},
      {"line skip", "line skip"},
      {"lineskip", "line skip"},
      {"byte skip", "byte skip"},
      {"byteskip", "byte skip"},
      {"content", "content"},
      {"min", "min"},
      {"max", "max"},
      {"old min", "old min"},
      {"oldmin", "old min"},
      {"old max", "old max"},
      {"oldmax", "old max"},
      {"sample units", "sample units"},
      {"sampleunits", "sample units"},
      {"block size", "block size"},
      {"blocksize", "block size"},
      {"number", "number"},
      {"space", "space"},
      {"space dimension", "space dimension"},
      {"space directions", "space directions"},
      {"space origin", "space origin"},
      {"space units", "space units"},
      {"measurement frame", "measurement frame"},
  };
  return kNames;
}

struct NrrdType {
  const char* name;
  VolumeValueType type;
};
constexpr NrrdType kTypes[] = {
    {"signed char", VolumeValueType::Int8},
    {"int8", VolumeValueType::Int8},
    {"int8_t", VolumeValueType::Int8},
    {"uchar", VolumeValueType::UInt8},
    {"unsigned char", VolumeValueType::UInt8},
    {"uint8", VolumeValueType::UInt8},
    {"uint8_t", VolumeValueType::UInt8},
    {"short", VolumeValueType::Int16},
    {"short int", VolumeValueType::Int16},
    {"signed short", VolumeValueType::Int16},
    {"signed short int", VolumeValueType::Int16},
    {"int16", VolumeValueType::Int16},
    {"int16_t", VolumeValueType::Int16},
    {"ushort", VolumeValueType::UInt16},
    {"unsigned short", VolumeValueType::UInt16},
    {"unsigned short int", VolumeValueType::UInt16},
    {"uint16", VolumeValueType::UInt16},
    {"uint16_t", VolumeValueType::UInt16},
    {"int", VolumeValueType::Int32},
    {"signed int", VolumeValueType::Int32},
    {"int32", VolumeValueType::Int32},
    {"int32_t", VolumeValueType::Int32},
    {"uint", VolumeValueType::UInt32},
    {"unsigned int", VolumeValueType::UInt32},
    {"uint32", VolumeValueType::UInt32},
    {"uint32_t", VolumeValueType::UInt32},
    {"longlong", VolumeValueType::Int64},
    {"long long", VolumeValueType::Int64},
    {"long long int", VolumeValueType::Int64},
    {"signed long long", VolumeValueType::Int64},
    {"signed long long int", VolumeValueType::Int64},
    {"int64", VolumeValueType::Int64},
    {"int64_t", VolumeValueType::Int64},
    {"ulonglong", VolumeValueType::UInt64},
    {"unsigned long long", VolumeValueType::UInt64},
    {"unsigned long long int", VolumeValueType::UInt64},
    {"uint64", VolumeValueType::UInt64},
    {"uint64_t", VolumeValueType::UInt64},
    {"float", VolumeValueType::Float32},
    {"double", VolumeValueType::Float64},
};

// The 3D patient and scanner spaces ITK's NRRD reader maps to its directions.
constexpr const char* kSpaces[] = {"right-anterior-superior",
                                   "ras",
                                   "left-anterior-superior",
                                   "las",
                                   "left-posterior-superior",
                                   "lps",
                                   "scanner-xyz",
                                   "3d-right-handed",
                                   "3d-left-handed"};
// Kinds of axes that run over space (or time); any other kind makes an axis hold components.
constexpr const char* kDomainKinds[] = {"domain", "space", "time", "none", "???"};

class Parser {
public:
  Parser(const ByteSource& source, const DataFileOpener& openDataFile)
      : m_Source(source), m_File(source.Name()), m_OpenDataFile(openDataFile) {}

  VolumeFileHeader Run() {
    ReadHeader();
    return Checked();
  }

private:
  [[noreturn]] void Fail(const std::string& message) const {
    throw DataFormat(m_File + ": " + message);
  }

  [[noreturn]] void FailField(const std::string& field, const std::string& value,
                              const std::string& expected) const {
    Fail("NRRD field '" + field + "' is '" + Excerpt(value) + "'; expected " + expected);
  }

  const std::string* Field(const std::string& name) const {
    const auto found = m_Fields.find(name);
    return found == m_Fields.end() ? nullptr : &found->second;
  }

  void ReadHeader() {
    const std::string text =
        m_Source.ReadString(0, static_cast<std::size_t>(limits::kMaxVolumeHeaderBytes));
    if (text.size() < 8 || !text.starts_with("NRRD000") || text[7] < '1' || text[7] > '5') {
      Fail("the file does not start with the NRRD magic line (NRRD0001 to NRRD0005); expected "
           "a NRRD file");
    }
    std::size_t position = text.find('\n');
    if (position == std::string::npos) {
      Fail("the NRRD header has no field after its magic line; expected dimension, type, sizes "
           "and encoding");
    }
    ++position;
    int lineNumber = 1;
    while (true) {
      if (position >= text.size()) {
        if (text.size() >= limits::kMaxVolumeHeaderBytes) {
          Fail("the NRRD header does not end within its first " +
               limits::DescribeBytes(limits::kMaxVolumeHeaderBytes) +
               "; expected an empty line after the header");
        }
        m_DataOffset = text.size(); // a detached header ends with the file
        m_EndedByEmptyLine = false;
        return;
      }
      const std::size_t newline = text.find('\n', position);
      const std::size_t end = newline == std::string::npos ? text.size() : newline;
      std::string line = text.substr(position, end - position);
      position = newline == std::string::npos ? text.size() : newline + 1;
      ++lineNumber;
      if (!line.empty() && line.back() == '\r') {
        line.pop_back();
      }
      if (line.empty()) {
        m_DataOffset = position;
        m_EndedByEmptyLine = true;
        return;
      }
      if (line.find('\0') != std::string::npos) {
        Fail("NRRD header line " + std::to_string(lineNumber) +
             " holds a NUL byte; expected text up to the empty line before the data");
      }
      if (line.front() == '#') {
        continue;
      }
      if (line.find(":=") != std::string::npos) {
        continue; // key:=value pairs are metadata (teem looks for ":=" first, as here)
      }
      const std::size_t colon = line.find(": ");
      if (colon == std::string::npos) {
        Fail("NRRD header line " + std::to_string(lineNumber) + " is '" + Excerpt(line) +
             "'; expected 'field: value', 'key:=value' or a '#' comment");
      }
      const std::string name = Lowercase(Trim(line.substr(0, colon)));
      const auto canonical = FieldNames().find(name);
      if (canonical == FieldNames().end()) {
        Fail("NRRD header line " + std::to_string(lineNumber) + " has field '" +
             Excerpt(line.substr(0, colon)) +
             "', which NRRD does not define; expected fields "
             "such as dimension, type, sizes, space directions, encoding");
      }
      const std::string& field = canonical->second;
      if (m_Fields.count(field) != 0) {
        Fail("NRRD field '" + field + "' appears twice; expected it once");
      }
      const bool perAxis = field == "sizes" || field == "spacings" || field == "thicknesses" ||
                           field == "axis mins" || field == "axis maxs" || field == "centers" ||
                           field == "kinds" || field == "labels" || field == "units" ||
                           field == "space directions";
      if (perAxis && m_Fields.count("dimension") == 0) {
        Fail("NRRD field '" + field + "' comes before 'dimension'; expected dimension first");
      }
      m_Fields[field] = Trim(line.substr(colon + 2));
    }
  }

  /// Splits "(a,b,c) (d,e,f) none" into vectors; false if malformed.
  static bool ParseVectors(const std::string& text, std::size_t count, std::size_t components,
                           bool allowNone) {
    std::size_t found = 0;
    std::size_t position = 0;
    while ((position = text.find_first_not_of(" \t", position)) != std::string::npos) {
      if (text.compare(position, 4, "none") == 0 && allowNone) {
        position += 4;
        ++found;
        continue;
      }
      if (text[position] != '(') {
        return false;
      }
      const std::size_t close = text.find(')', position);
      if (close == std::string::npos) {
        return false;
      }
      const std::string inner = text.substr(position + 1, close - position - 1);
      std::size_t parts = 0;
      std::size_t start = 0;
      while (true) {
        const std::size_t comma = inner.find(',', start);
        const std::string part = Trim(
            inner.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
        if (!ParseNumber(part, false)) {
          return false;
        }
        ++parts;
        if (comma == std::string::npos) {
          break;
        }
        start = comma + 1;
      }
      if (parts != components) {
        return false;
      }
      ++found;
      position = close + 1;
    }
    return found == count;
  }

  VolumeFileHeader Checked() {
    VolumeFileHeader header;
    header.format = VolumeFileFormat::Nrrd;
    const std::string* dimension = Field("dimension");
    if (!dimension) {
      Fail("NRRD field 'dimension' is missing; expected dimension: 3");
    }
    if (*dimension != "3") {
      FailField("dimension", *dimension, "a 3D image (dimension: 3)");
    }
    const std::string* type = Field("type");
    if (!type) {
      Fail("NRRD field 'type' is missing; expected the type of the values (short, float, ...)");
    }
    const std::string typeName = Lowercase(*type);
    const auto known = std::find_if(std::begin(kTypes), std::end(kTypes),
                                    [&](const NrrdType& t) { return typeName == t.name; });
    if (known == std::end(kTypes)) {
      FailField("type", *type,
                "a scalar type: int8, uint8, int16, uint16, int32, uint32, int64, "
                "uint64, float or double (or another NRRD name of one)");
    }
    header.valueType = known->type;
    header.typeName = *type;

    const std::string* sizes = Field("sizes");
    if (!sizes) {
      Fail("NRRD field 'sizes' is missing; expected the number of voxels along each of the 3 axes");
    }
    const std::vector<std::string> sizeWords = Words(*sizes);
    if (sizeWords.size() != 3) {
      FailField("sizes", *sizes, "3 whole numbers of voxels >= 1");
    }
    for (std::size_t axis = 0; axis < 3; ++axis) {
      long long n = 0;
      if (!ParseInteger(sizeWords[axis], n) || n < 1) {
        FailField("sizes", *sizes, "3 whole numbers of voxels >= 1");
      }
      header.size[axis] = n;
    }
    if (const std::string* kinds = Field("kinds")) {
      const std::vector<std::string> words = Words(*kinds);
      if (words.size() != 3) {
        FailField("kinds", *kinds, "3 kinds, one per axis");
      }
      for (const std::string& kind : words) {
        if (std::none_of(std::begin(kDomainKinds), std::end(kDomainKinds),
                         [&](const char* k) { return Lowercase(kind) == k; })) {
          throw DataFormat(m_File + ": NRRD field 'kinds' is '" + Excerpt(*kinds) +
                           "': an axis of kind '" + Excerpt(kind) +
                           "' holds components (a vector or colour image); expected a scalar 3D "
                           "image (kinds domain or space)");
        }
      }
    }
    CheckVoxelBudget(m_File, header.size, BytesOf(header.valueType));
    CheckPerAxisNumbers("spacings", true);
    CheckPerAxisNumbers("thicknesses", true);
    CheckPerAxisNumbers("axis mins", true);
    CheckPerAxisNumbers("axis maxs", true);
    if (const std::string* centers = Field("centers")) {
      const std::vector<std::string> words = Words(*centers);
      const bool valid = words.size() == 3 && std::all_of(words.begin(), words.end(), [](auto& w) {
                           const std::string c = Lowercase(w);
                           return c == "cell" || c == "node" || c == "none" || c == "???";
                         });
      if (!valid) {
        FailField("centers", *centers, "3 of cell, node or none");
      }
    }
    std::size_t spaceDimension = 0;
    if (const std::string* space = Field("space")) {
      if (std::none_of(std::begin(kSpaces), std::end(kSpaces),
                       [&](const char* s) { return Lowercase(*space) == s; })) {
        FailField("space", *space,
                  "a 3D patient or scanner space (left-posterior-superior, "
                  "right-anterior-superior, left-anterior-superior, "
                  "scanner-xyz, 3D-right-handed, 3D-left-handed)");
      }
      spaceDimension = 3;
    }
    if (const std::string* value = Field("space dimension")) {
      if (spaceDimension != 0) {
        Fail("NRRD fields 'space' and 'space dimension' are both given; expected one of them");
      }
      if (*value != "3") {
        FailField("space dimension", *value, "3");
      }
      spaceDimension = 3;
    }
    for (const char* name : {"space directions", "space origin", "measurement frame"}) {
      const std::string* value = Field(name);
      if (!value) {
        continue;
      }
      if (spaceDimension == 0) {
        Fail(std::string("NRRD field '") + name + "' is given without 'space'; expected space: " +
             "left-posterior-superior (or another 3D space) before it");
      }
      const bool directions = std::string(name) == "space directions";
      const bool origin = std::string(name) == "space origin";
      if (!ParseVectors(*value, origin ? 1 : 3, 3, directions)) {
        FailField(name, *value,
                  origin ? "one vector (x,y,z) of finite numbers"
                         : "3 vectors (x,y,z) of finite numbers" +
                               std::string(directions ? " (or none)" : ""));
      }
    }

    const std::string* encodingField = Field("encoding");
    if (!encodingField) {
      Fail("NRRD field 'encoding' is missing; expected raw, gzip or ascii");
    }
    const std::string encoding = Lowercase(*encodingField);
    if (encoding == "raw") {
      header.encoding = "raw";
    } else if (encoding == "gzip" || encoding == "gz") {
      header.encoding = "gzip";
    } else if (encoding == "ascii" || encoding == "text" || encoding == "txt") {
      header.encoding = "ascii";
    } else if (encoding == "hex") {
      header.encoding = "hex";
    } else if (encoding == "bzip2" || encoding == "bz2") {
      throw NotSupported(m_File + ": NRRD field 'encoding' is '" + Excerpt(*encodingField) +
                         "': ITK reads no bzip2 NRRD; expected raw, gzip or ascii (save it again "
                         "with gzip)");
    } else {
      FailField("encoding", *encodingField, "raw, gzip, ascii or hex");
    }
    const bool multiByte = BytesOf(header.valueType) > 1;
    if (const std::string* endian = Field("endian")) {
      if (Lowercase(*endian) != "little" && Lowercase(*endian) != "big") {
        FailField("endian", *endian, "little or big");
      }
    } else if (multiByte && header.encoding != "ascii") {
      Fail("NRRD field 'endian' is missing; expected little or big for " +
           std::to_string(BytesOf(header.valueType)) + "-byte values stored as " + header.encoding);
    }

    long long lineSkip = 0;
    long long byteSkip = 0;
    if (const std::string* value = Field("line skip")) {
      if (!ParseInteger(*value, lineSkip) || lineSkip < 0 || lineSkip > 1000000) {
        FailField("line skip", *value, "a number of lines >= 0");
      }
    }
    if (const std::string* value = Field("byte skip")) {
      if (!ParseInteger(*value, byteSkip) || byteSkip < -1) {
        FailField("byte skip", *value, "a number of bytes >= 0, or -1 (raw data at the end)");
      }
      if (byteSkip != 0 && header.encoding != "raw") {
        throw NotSupported(m_File + ": NRRD field 'byte skip' is '" + Excerpt(*value) +
                           "' with encoding " + header.encoding +
                           "; expected byte skip only with raw data");
      }
    }

    std::unique_ptr<ByteSource> separate;
    const ByteSource* data = &m_Source;
    std::uint64_t offset = m_DataOffset;
    if (const std::string* dataFile = Field("data file")) {
      if (dataFile->starts_with("LIST") || Words(*dataFile).size() > 1) {
        throw NotSupported(m_File + ": NRRD field 'data file' is '" + Excerpt(*dataFile) +
                           "' (pixel data in several files); expected the name of one data file");
      }
      separate = m_OpenDataFile(*dataFile);
      data = separate.get();
      offset = 0;
    } else if (!m_EndedByEmptyLine) {
      Fail("the NRRD header has neither a 'data file' field nor an empty line followed by the "
           "pixel data; expected one of them");
    }
    offset = SkipLines(*data, offset, static_cast<std::uint64_t>(lineSkip));
    PixelDataLayout layout;
    layout.data = data;
    layout.offset = offset + static_cast<std::uint64_t>(std::max(0LL, byteSkip));
    layout.atEnd = byteSkip == -1;
    layout.integers = header.valueType != VolumeValueType::Float32 &&
                      header.valueType != VolumeValueType::Float64;
    layout.commasSeparate = true;
    header.dataFile = data->Name();
    header.dataOffset = layout.offset;
    CheckPixelData(m_File, header, layout);
    return header;
  }

  void CheckPerAxisNumbers(const std::string& field, bool allowNan) const {
    const std::string* value = Field(field);
    if (!value) {
      return;
    }
    const std::vector<std::string> words = Words(*value);
    if (words.size() != 3 || !std::all_of(words.begin(), words.end(), [&](const std::string& w) {
          return ParseNumber(w, allowNan);
        })) {
      FailField(field, *value, "3 finite numbers (or nan), one per axis");
    }
  }

  /// The offset after `lines` newlines from `offset` (teem's line skip); the end if fewer.
  static std::uint64_t SkipLines(const ByteSource& data, std::uint64_t offset,
                                 std::uint64_t lines) {
    std::vector<char> chunk(1 << 16);
    while (lines > 0 && offset < data.Size()) {
      const std::size_t got = data.ReadAt(offset, chunk.data(), chunk.size());
      if (got == 0) {
        break;
      }
      for (std::size_t n = 0; n < got && lines > 0; ++n) {
        ++offset;
        if (chunk[n] == '\n') {
          --lines;
        }
      }
    }
    return offset;
  }

  const ByteSource& m_Source;
  std::string m_File;
  const DataFileOpener& m_OpenDataFile;
  std::map<std::string, std::string> m_Fields;
  std::uint64_t m_DataOffset = 0;
  bool m_EndedByEmptyLine = false;
};

} // namespace

VolumeFileHeader NrrdHeaderCheck::Check(const ByteSource& source,
                                        const DataFileOpener& openDataFile) {
  return Parser(source, openDataFile).Run();
}

} // namespace seedplan::imaging::detail
