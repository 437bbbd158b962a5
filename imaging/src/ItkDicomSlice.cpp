#include "ItkDicomSlice.h"

#include "seedplan/core/Error.h"

#include <itkGDCMImageIO.h>

#include <cmath>
#include <limits>
#include <string>

namespace seedplan::imaging::detail {

namespace {

/// GDCM's description without ITK's "ITK ERROR: GDCMImageIO(0x...): " prefix, on one line.
std::string OneLine(const itk::ExceptionObject& exception) {
  std::string text = exception.GetDescription() ? exception.GetDescription() : "";
  const auto prefixEnd = text.find("): ");
  if (text.starts_with("ITK ERROR") && prefixEnd != std::string::npos) {
    text.erase(0, prefixEnd + 3);
  }
  for (char& c : text) {
    if (c == '\n' || c == '\r' || c == '\t') {
      c = ' ';
    }
  }
  while (!text.empty() && (text.back() == ' ' || text.back() == '.')) {
    text.pop_back();
  }
  return text.empty() ? std::string("unknown GDCM error") : text;
}

template <class T>
void ConvertBuffer(const std::vector<char>& buffer, std::vector<double>& values) {
  const auto* typed = reinterpret_cast<const T*>(buffer.data());
  for (std::size_t n = 0; n < values.size(); ++n) {
    values[n] = static_cast<double>(typed[n]);
  }
}

std::vector<double> ReadAsDouble(itk::GDCMImageIO& io, std::size_t count,
                                 const std::filesystem::path& path) {
  using C = itk::IOComponentEnum;
  const C component = io.GetComponentType();
  const std::size_t componentBytes = io.GetComponentSize();
  std::vector<char> buffer(count * componentBytes);
  io.Read(buffer.data());
  std::vector<double> values(count);
  switch (component) {
  case C::UCHAR:
    ConvertBuffer<unsigned char>(buffer, values);
    break;
  case C::CHAR:
    ConvertBuffer<signed char>(buffer, values);
    break;
  case C::USHORT:
    ConvertBuffer<unsigned short>(buffer, values);
    break;
  case C::SHORT:
    ConvertBuffer<short>(buffer, values);
    break;
  case C::UINT:
    ConvertBuffer<unsigned int>(buffer, values);
    break;
  case C::INT:
    ConvertBuffer<int>(buffer, values);
    break;
  case C::FLOAT:
    ConvertBuffer<float>(buffer, values);
    break;
  case C::DOUBLE:
    ConvertBuffer<double>(buffer, values);
    break;
  default:
    throw DataFormat(path.string() + ": GDCM decodes the pixels as " +
                     itk::ImageIOBase::GetComponentTypeAsString(component) +
                     "; expected 8, 16 or 32 bit integers");
  }
  return values;
}

} // namespace

DicomSliceValues ReadDicomSliceValues(const std::filesystem::path& path) {
  DicomSliceValues slice;
  try {
    itk::GDCMImageIO::Pointer io = itk::GDCMImageIO::New();
    io->SetFileName(path.string());
    io->ReadImageInformation();
    if (io->GetNumberOfComponents() != 1) {
      throw DataFormat(path.string() + ": GDCM decodes " +
                       std::to_string(io->GetNumberOfComponents()) +
                       " components per pixel; expected a greyscale image");
    }
    const unsigned dimensions = io->GetNumberOfDimensions();
    if (dimensions < 2) {
      throw DataFormat(path.string() + ": GDCM decodes a " + std::to_string(dimensions) +
                       "D image; expected a 2D slice");
    }
    std::size_t frames = 1;
    for (unsigned axis = 2; axis < dimensions; ++axis) {
      frames *= io->GetDimensions(axis);
    }
    if (frames != 1) {
      throw DataFormat(path.string() + ": GDCM decodes " + std::to_string(frames) +
                       " frames; expected a single-frame slice");
    }
    slice.columns = io->GetDimensions(0);
    slice.rows = io->GetDimensions(1);
    itk::ImageIORegion region(dimensions);
    for (unsigned axis = 0; axis < dimensions; ++axis) {
      region.SetIndex(axis, 0);
      region.SetSize(axis, io->GetDimensions(axis));
    }
    io->SetIORegion(region);
    const std::vector<double> values = ReadAsDouble(*io, slice.rows * slice.columns, path);
    // GDCMImageIO has applied RescaleSlope and RescaleIntercept (and chosen a floating point
    // component type when they are not integers); stored values are integers, so rounding the
    // inverse recovers them exactly.
    const double slope = io->GetRescaleSlope();
    const double intercept = io->GetRescaleIntercept();
    if (!std::isfinite(slope) || slope == 0.0 || !std::isfinite(intercept)) {
      throw DataFormat(path.string() + ": RescaleSlope " + std::to_string(slope) +
                       " and RescaleIntercept " + std::to_string(intercept) +
                       " as GDCM reads them; expected a finite non-zero slope");
    }
    slice.storedValues.resize(values.size());
    constexpr double kMin = std::numeric_limits<std::int32_t>::min();
    constexpr double kMax = std::numeric_limits<std::int32_t>::max();
    for (std::size_t n = 0; n < values.size(); ++n) {
      const double stored = std::round((values[n] - intercept) / slope);
      slice.storedValues[n] = static_cast<std::int32_t>(stored < kMin   ? kMin
                                                        : stored > kMax ? kMax
                                                                        : stored);
    }
  } catch (const itk::ExceptionObject& exception) {
    throw DataFormat(path.string() + ": GDCM cannot decode the pixel data: " + OneLine(exception) +
                     "; expected a readable DICOM image");
  }
  return slice;
}

} // namespace seedplan::imaging::detail
