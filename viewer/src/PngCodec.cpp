// PNG encoding and decoding of RgbImage with VTK's libpng wrappers; the header is checked here
// first (no toolkit reads a header the project has not checked).

#include "seedplan/viewer/RgbImage.h"

#include "seedplan/core/AtomicFileWriter.h"
#include "seedplan/core/Error.h"

#include <vtkImageData.h>
#include <vtkNew.h>
#include <vtkPNGReader.h>
#include <vtkPNGWriter.h>
#include <vtkUnsignedCharArray.h>

#include <cstring>
#include <fstream>
#include <iterator>

namespace seedplan::viewer {

namespace {

/// The largest side of a PNG we read (pixels): far beyond any picture we write or compare.
constexpr std::uint32_t kMaxReadSidePx = 20000;

std::uint32_t BigEndian32(const std::uint8_t* bytes) {
  return (std::uint32_t(bytes[0]) << 24) | (std::uint32_t(bytes[1]) << 16) |
         (std::uint32_t(bytes[2]) << 8) | std::uint32_t(bytes[3]);
}

/// Checks the signature and the IHDR chunk (PNG specification, 11.2.2).
void CheckHeader(const std::vector<std::uint8_t>& png, const std::string& context) {
  static const std::uint8_t kSignature[8] = {0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A};
  if (png.size() < 33 || std::memcmp(png.data(), kSignature, 8) != 0) {
    throw DataFormat(context + ": not a PNG file (no PNG signature)");
  }
  if (BigEndian32(png.data() + 8) != 13 || std::memcmp(png.data() + 12, "IHDR", 4) != 0) {
    throw DataFormat(context + ": PNG without its IHDR chunk first");
  }
  const std::uint32_t width = BigEndian32(png.data() + 16);
  const std::uint32_t height = BigEndian32(png.data() + 20);
  const int bitDepth = png[24];
  const int colorType = png[25];
  if (width == 0 || height == 0 || width > kMaxReadSidePx || height > kMaxReadSidePx) {
    throw DataFormat(context + ": PNG of " + std::to_string(width) + " x " +
                     std::to_string(height) + " pixels; expected 1 to " +
                     std::to_string(kMaxReadSidePx) + " per side");
  }
  if ((bitDepth != 8 && bitDepth != 16) ||
      (colorType != 0 && colorType != 2 && colorType != 4 && colorType != 6)) {
    throw DataFormat(context + ": PNG of bit depth " + std::to_string(bitDepth) +
                     " and colour type " + std::to_string(colorType) +
                     "; expected 8 or 16 bit grey, RGB or RGBA");
  }
}

} // namespace

std::vector<std::uint8_t> EncodePng(const RgbImage& image) {
  vtkNew<vtkImageData> data;
  data->SetDimensions(image.width, image.height, 1);
  data->AllocateScalars(VTK_UNSIGNED_CHAR, 3);
  auto* pixels = static_cast<std::uint8_t*>(data->GetScalarPointer());
  const std::size_t rowBytes = 3 * std::size_t(image.width);
  // VTK's rows run up from the bottom.
  for (int y = 0; y < image.height; ++y) {
    std::memcpy(pixels + rowBytes * std::size_t(image.height - 1 - y),
                image.rgb.data() + rowBytes * std::size_t(y), rowBytes);
  }
  vtkNew<vtkPNGWriter> writer;
  writer->SetInputData(data);
  writer->WriteToMemoryOn();
  writer->Write();
  vtkUnsignedCharArray* result = writer->GetResult();
  if (!result || result->GetNumberOfTuples() == 0) {
    throw Io("PNG encoding failed");
  }
  const auto* bytes = result->GetPointer(0);
  return std::vector<std::uint8_t>(bytes, bytes + result->GetNumberOfTuples());
}

RgbImage DecodePng(const std::vector<std::uint8_t>& png, const std::string& context) {
  CheckHeader(png, context);
  vtkNew<vtkPNGReader> reader;
  reader->SetMemoryBuffer(png.data());
  reader->SetMemoryBufferLength(vtkIdType(png.size()));
  reader->Update();
  vtkImageData* data = reader->GetOutput();
  int dimensions[3] = {0, 0, 0};
  data->GetDimensions(dimensions);
  const int components = data->GetNumberOfScalarComponents();
  if (reader->GetErrorCode() != 0 || dimensions[0] != int(BigEndian32(png.data() + 16)) ||
      dimensions[1] != int(BigEndian32(png.data() + 20)) || components < 1 || components > 4) {
    throw DataFormat(context + ": the PNG's pixel data cannot be read (truncated or corrupt)");
  }
  RgbImage image;
  image.width = dimensions[0];
  image.height = dimensions[1];
  image.rgb.resize(3 * std::size_t(image.width) * std::size_t(image.height));
  const bool sixteen = data->GetScalarType() == VTK_UNSIGNED_SHORT;
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      std::uint8_t value[4] = {0, 0, 0, 255};
      for (int c = 0; c < components; ++c) {
        const double v = data->GetScalarComponentAsDouble(x, image.height - 1 - y, 0, c);
        value[c] = std::uint8_t(sixteen ? int(v) >> 8 : int(v));
      }
      std::uint8_t* out = image.rgb.data() + 3 * (std::size_t(y) * image.width + x);
      if (components <= 2) {
        out[0] = out[1] = out[2] = value[0];
      } else {
        out[0] = value[0];
        out[1] = value[1];
        out[2] = value[2];
      }
    }
  }
  return image;
}

RgbImage ReadPng(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw Io(path.string() + ": cannot be read");
  }
  const std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)),
                                        std::istreambuf_iterator<char>());
  return DecodePng(bytes, path.string());
}

void WritePngFile(const std::filesystem::path& path, const std::vector<std::uint8_t>& png) {
  AtomicFileWriter writer(path);
  writer.WriteAll(std::string(png.begin(), png.end()));
  writer.Commit();
}

} // namespace seedplan::viewer
