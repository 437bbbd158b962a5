#include "seedplan/imaging/DicomImageCheck.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/InputLimits.h"
#include "seedplan/core/TextParsing.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <optional>
#include <vector>

namespace seedplan::imaging {

namespace {

enum class Kind { DecimalString, IntegerString, UnsignedShort, Pixels };

struct Attribute {
  std::uint32_t tag;
  const char* name;
  Kind kind;
  std::size_t count; ///< values expected
  double low;        ///< bounds of each value
  double high;
  const char* what; ///< "a pixel spacing in mm", for messages
};

// PS3.6 gives these VRs; the bounds are physical (core/InputLimits.h) or those of the formats
// GDCM decodes.
const Attribute kAttributes[] = {
    {DicomTag(0x0020, 0x0032), "ImagePositionPatient", Kind::DecimalString, 3,
     -limits::kMaxCoordinateMm, limits::kMaxCoordinateMm, "positions in mm"},
    {DicomTag(0x0020, 0x0037), "ImageOrientationPatient", Kind::DecimalString, 6, -1.001, 1.001,
     "direction cosines"},
    {DicomTag(0x0028, 0x0030), "PixelSpacing", Kind::DecimalString, 2, limits::kMinVoxelSpacingMm,
     limits::kMaxVoxelSpacingMm, "pixel spacings in mm"},
    {DicomTag(0x0018, 0x0050), "SliceThickness", Kind::DecimalString, 1, 0.0,
     limits::kMaxVoxelSpacingMm, "a slice thickness in mm"},
    {DicomTag(0x0018, 0x0088), "SpacingBetweenSlices", Kind::DecimalString, 1,
     -limits::kMaxVoxelSpacingMm, limits::kMaxVoxelSpacingMm, "a slice spacing in mm"},
    {DicomTag(0x0018, 0x1120), "GantryDetectorTilt", Kind::DecimalString, 1, -90.0, 90.0,
     "an angle in degrees"},
    {DicomTag(0x0028, 0x1053), "RescaleSlope", Kind::DecimalString, 1, -limits::kMaxRescaleSlope,
     limits::kMaxRescaleSlope, "a rescale slope"},
    {DicomTag(0x0028, 0x1052), "RescaleIntercept", Kind::DecimalString, 1,
     -limits::kMaxAbsRescaleIntercept, limits::kMaxAbsRescaleIntercept, "a rescale intercept"},
    {DicomTag(0x0028, 0x0008), "NumberOfFrames", Kind::IntegerString, 1, 1.0, 2147483647.0,
     "a number of frames"},
    {DicomTag(0x0020, 0x0013), "InstanceNumber", Kind::IntegerString, 1, -2147483648.0,
     2147483647.0, "an instance number"},
    {DicomTag(0x0028, 0x0002), "SamplesPerPixel", Kind::UnsignedShort, 1, 1.0, 65535.0,
     "a number of samples"},
    {DicomTag(0x0028, 0x0010), "Rows", Kind::UnsignedShort, 1, 1.0, 65535.0, "a number of rows"},
    {DicomTag(0x0028, 0x0011), "Columns", Kind::UnsignedShort, 1, 1.0, 65535.0,
     "a number of columns"},
    {DicomTag(0x0028, 0x0100), "BitsAllocated", Kind::UnsignedShort, 1, 1.0, 64.0,
     "a number of bits"},
    {DicomTag(0x0028, 0x0101), "BitsStored", Kind::UnsignedShort, 1, 1.0, 64.0, "a number of bits"},
    {DicomTag(0x0028, 0x0102), "HighBit", Kind::UnsignedShort, 1, 0.0, 63.0, "a bit position"},
    {DicomTag(0x0028, 0x0103), "PixelRepresentation", Kind::UnsignedShort, 1, 0.0, 1.0,
     "0 (unsigned) or 1 (signed)"},
    {DicomTag(0x7FE0, 0x0010), "PixelData", Kind::Pixels, 0, 0.0, 0.0, "pixel data"},
};

const char* VrOf(Kind kind) {
  switch (kind) {
  case Kind::DecimalString:
    return "DS";
  case Kind::IntegerString:
    return "IS";
  case Kind::UnsignedShort:
    return "US";
  case Kind::Pixels:
    break;
  }
  return "OB or OW";
}

std::string Label(const Attribute& attribute) {
  return std::string(attribute.name) + " " + DicomTagText(attribute.tag);
}

/// The numbers of a DS or IS value ("a\b\c"); nullopt if a part is not a finite number (IS: not
/// an integer).
std::optional<std::vector<double>> Numbers(const std::string& text, bool integers) {
  std::vector<double> values;
  std::size_t start = 0;
  while (true) {
    const std::size_t separator = text.find('\\', start);
    std::string part =
        text.substr(start, separator == std::string::npos ? std::string::npos : separator - start);
    const auto first = part.find_first_not_of(' ');
    const auto last = part.find_last_not_of(' ');
    part = first == std::string::npos ? std::string() : part.substr(first, last - first + 1);
    if (part.empty()) {
      return std::nullopt;
    }
    errno = 0;
    char* end = nullptr;
    const double value = integers ? static_cast<double>(std::strtoll(part.c_str(), &end, 10))
                                  : std::strtod(part.c_str(), &end);
    if (errno != 0 || end != part.c_str() + part.size() || !std::isfinite(value)) {
      return std::nullopt;
    }
    values.push_back(value);
    if (separator == std::string::npos) {
      return values;
    }
    start = separator + 1;
  }
}

[[noreturn]] void Fail(const std::string& file, const Attribute& attribute,
                       const std::string& problem, const std::string& expected) {
  throw DataFormat(file + ": " + Label(attribute) + " " + problem + "; expected " + expected);
}

void CheckAttribute(const DicomFileSummary& summary, const Attribute& attribute) {
  const DicomElement* element = summary.Find(attribute.tag);
  if (!element) {
    return;
  }
  const std::string& file = summary.name;
  const std::string expectedVr = VrOf(attribute.kind);
  if (attribute.kind == Kind::Pixels) {
    if (!element->vr.empty() && element->vr != "OB" && element->vr != "OW") {
      Fail(file, attribute, "has VR " + element->vr, "VR OB or OW as DICOM defines it");
    }
    return;
  }
  if (!element->vr.empty() && element->vr != expectedVr) {
    Fail(file, attribute, "has VR " + element->vr,
         "VR " + expectedVr + " as DICOM defines it (GDCM cannot read it otherwise)");
  }
  if (!element->kept) {
    Fail(file, attribute,
         element->length == 0xFFFFFFFFu ? std::string("has an undefined length")
                                        : "is " + std::to_string(element->length) + " bytes long",
         std::string("a short ") + expectedVr + " value");
  }
  std::vector<double> values;
  if (attribute.kind == Kind::UnsignedShort) {
    if (element->value.size() != 2 * attribute.count) {
      Fail(file, attribute, "is " + std::to_string(element->value.size()) + " bytes long",
           std::to_string(2 * attribute.count) + " bytes (" + std::to_string(attribute.count) +
               " US value)");
    }
    const std::vector<std::uint16_t> shorts = summary.UnsignedShorts(attribute.tag).value();
    values.assign(shorts.begin(), shorts.end());
  } else {
    const std::string text = *summary.Text(attribute.tag);
    if (text.empty()) {
      return; // an empty Type 2 value: the loader decides whether it needs it
    }
    const auto numbers = Numbers(text, attribute.kind == Kind::IntegerString);
    if (!numbers || numbers->size() != attribute.count) {
      Fail(file, attribute, "is '" + Excerpt(text) + "'",
           std::to_string(attribute.count) + (attribute.count == 1 ? " number" : " numbers") +
               " (" + expectedVr + (attribute.count == 1 ? "" : ", separated by \\") + ")");
    }
    values = *numbers;
  }
  for (const double value : values) {
    if (!(value >= attribute.low && value <= attribute.high)) {
      Fail(file, attribute, "holds " + FormatNumber(value),
           std::string(attribute.what) + " from " + FormatNumber(attribute.low) + " to " +
               FormatNumber(attribute.high));
    }
  }
}

std::optional<std::uint16_t> Short(const DicomFileSummary& summary, std::uint32_t tag) {
  const auto values = summary.UnsignedShorts(tag);
  if (!values || values->size() != 1) {
    return std::nullopt;
  }
  return values->front();
}

} // namespace

void DicomImageCheck::CheckImageAttributes(const DicomFileSummary& summary) {
  for (const Attribute& attribute : kAttributes) {
    CheckAttribute(summary, attribute);
  }
  const std::string& file = summary.name;
  const auto allocated = Short(summary, DicomTag(0x0028, 0x0100));
  const auto stored = Short(summary, DicomTag(0x0028, 0x0101));
  const auto highBit = Short(summary, DicomTag(0x0028, 0x0102));
  if (allocated && *allocated != 8 && *allocated != 16 && *allocated != 32) {
    throw DataFormat(file + ": BitsAllocated (0028,0100) is " + std::to_string(*allocated) +
                     "; expected 8, 16 or 32 bit pixels");
  }
  if (allocated && stored && *stored > *allocated) {
    throw DataFormat(file + ": BitsStored (0028,0101) is " + std::to_string(*stored) +
                     ", more than BitsAllocated " + std::to_string(*allocated) +
                     "; expected at most BitsAllocated");
  }
  if (allocated && stored && highBit && (*highBit + 1 < *stored || *highBit >= *allocated)) {
    throw DataFormat(file + ": HighBit (0028,0102) is " + std::to_string(*highBit) +
                     " with BitsStored " + std::to_string(*stored) + " and BitsAllocated " +
                     std::to_string(*allocated) + "; expected BitsStored - 1 (" +
                     std::to_string(*stored - 1) + ") to BitsAllocated - 1");
  }
}

CtRescale DicomImageCheck::CheckCtRescale(const std::string& file, const std::string& slopeText,
                                          const std::string& interceptText) {
  const auto parse = [&](const std::string& text, const char* label, double bound) {
    if (text.empty()) {
      throw DataFormat(file + ": " + label +
                       " is missing; expected it in every CT slice (CT Image "
                       "module, Type 1): without it the HU are unknown");
    }
    const auto numbers = Numbers(text, false);
    if (!numbers || numbers->size() != 1 || !(std::abs(numbers->front()) <= bound)) {
      throw DataFormat(file + ": " + label + " is '" + Excerpt(text) + "'; expected one number " +
                       "from " + FormatNumber(-bound) + " to " + FormatNumber(bound));
    }
    return numbers->front();
  };
  CtRescale rescale;
  rescale.slope = parse(slopeText, "RescaleSlope (0028,1053)", limits::kMaxRescaleSlope);
  rescale.intercept =
      parse(interceptText, "RescaleIntercept (0028,1052)", limits::kMaxAbsRescaleIntercept);
  if (!(rescale.slope > 0.0)) {
    throw DataFormat(file + ": RescaleSlope (0028,1053) is " + FormatNumber(rescale.slope) +
                     "; expected a slope > 0 (HU = stored value x slope + intercept: a slope <= 0 "
                     "would turn bone into air)");
  }
  return rescale;
}

} // namespace seedplan::imaging
