#include "ItkAdapter.h"

#include "seedplan/core/Error.h"

#include <itkImageIOBase.h>
#include <itkMetaDataObject.h>
#include <itkMetaImageIO.h>
#include <itkNiftiImageIO.h>
#include <itkNrrdImageIO.h>

#include <algorithm>
#include <cctype>
#include <iostream>
#include <regex>
#include <sstream>
#include <type_traits>

namespace seedplan::imaging::detail {

namespace {

itk::ImageIOBase::Pointer MakeImageIo(ImageFileFormat format) {
  switch (format) {
  case ImageFileFormat::MetaImage:
    return itk::MetaImageIO::New().GetPointer();
  case ImageFileFormat::Nrrd:
    return itk::NrrdImageIO::New().GetPointer();
  case ImageFileFormat::Nifti:
    return itk::NiftiImageIO::New().GetPointer();
  }
  throw NotSupported("unknown image file format");
}

/// ITK's description on one line and to the point: without the "ITK ERROR: NrrdImageIO(0x55d0...):
/// " prefix, with only the last (most specific) step of a teem "[nrrd]" trace, and without MetaIO's
/// "Reason: <errno text>", which is stale (the file was checked to exist and open before).
std::string OneLine(const itk::ExceptionObject& exception) {
  static const std::regex kPrefix(R"((ITK ERROR|itk::ERROR): [\w:]+\(0x[0-9a-fA-F]+\): )");
  std::string description = std::regex_replace(
      std::string(exception.GetDescription() ? exception.GetDescription() : ""), kPrefix, "");
  const auto lastNrrdStep = description.rfind("[nrrd] ");
  if (lastNrrdStep != std::string::npos) {
    description = description.substr(lastNrrdStep + 7);
  }
  const auto reason = description.find("Reason: ");
  if (reason != std::string::npos) {
    description.erase(reason);
  }
  std::string line;
  bool pendingSpace = false;
  for (const char c : description) {
    if (std::isspace(static_cast<unsigned char>(c)) != 0) {
      pendingSpace = !line.empty();
      continue;
    }
    if (pendingSpace) {
      line += ' ';
      pendingSpace = false;
    }
    line += c;
  }
  while (!line.empty() && (line.back() == '.' || line.back() == ';')) {
    line.pop_back();
  }
  return line.empty() ? std::string("unknown ITK error") : line;
}

/// While alive, what ITK's readers print on std::cerr and std::cout (MetaIO writes its
/// complaints there, several lines per file) is kept here instead of reaching the console: the
/// program reports a problem itself, on one line naming the file.
class CapturedConsole {
public:
  CapturedConsole()
      : m_PreviousCerr(std::cerr.rdbuf(m_Text.rdbuf())),
        m_PreviousCout(std::cout.rdbuf(m_Text.rdbuf())) {}
  ~CapturedConsole() {
    std::cerr.rdbuf(m_PreviousCerr);
    std::cout.rdbuf(m_PreviousCout);
  }
  CapturedConsole(const CapturedConsole&) = delete;
  CapturedConsole& operator=(const CapturedConsole&) = delete;

  /// The first line printed, or "".
  std::string FirstLine() const {
    const std::string text = m_Text.str();
    const auto start = text.find_first_not_of(" \t\r\n");
    if (start == std::string::npos) {
      return {};
    }
    const auto end = text.find_first_of("\r\n", start);
    return text.substr(
        start,
        std::min<std::size_t>(end == std::string::npos ? text.size() : end, start + 200) - start);
  }

private:
  std::ostringstream m_Text;
  std::streambuf* m_PreviousCerr;
  std::streambuf* m_PreviousCout;
};

/// `description`, with what the toolkit printed when it adds something.
std::string WithConsole(const std::string& description, const CapturedConsole& console) {
  const std::string printed = console.FirstLine();
  return printed.empty() || description.find(printed) != std::string::npos
             ? description
             : description + " (" + printed + ")";
}

template <class T> PixelComponent ComponentOfSize() {
  if constexpr (std::is_floating_point_v<T>) {
    return sizeof(T) == 4 ? PixelComponent::Float32 : PixelComponent::Float64;
  } else if constexpr (std::is_signed_v<T>) {
    switch (sizeof(T)) {
    case 1:
      return PixelComponent::Int8;
    case 2:
      return PixelComponent::Int16;
    case 4:
      return PixelComponent::Int32;
    default:
      return PixelComponent::Int64;
    }
  } else {
    switch (sizeof(T)) {
    case 1:
      return PixelComponent::UInt8;
    case 2:
      return PixelComponent::UInt16;
    case 4:
      return PixelComponent::UInt32;
    default:
      return PixelComponent::UInt64;
    }
  }
}

PixelComponent FromItk(itk::IOComponentEnum component) {
  using C = itk::IOComponentEnum;
  switch (component) {
  case C::UCHAR:
    return ComponentOfSize<unsigned char>();
  case C::CHAR:
    return ComponentOfSize<signed char>();
  case C::USHORT:
    return ComponentOfSize<unsigned short>();
  case C::SHORT:
    return ComponentOfSize<short>();
  case C::UINT:
    return ComponentOfSize<unsigned int>();
  case C::INT:
    return ComponentOfSize<int>();
  case C::ULONG:
    return ComponentOfSize<unsigned long>();
  case C::LONG:
    return ComponentOfSize<long>();
  case C::ULONGLONG:
    return ComponentOfSize<unsigned long long>();
  case C::LONGLONG:
    return ComponentOfSize<long long>();
  case C::FLOAT:
    return ComponentOfSize<float>();
  case C::DOUBLE:
    return ComponentOfSize<double>();
  default:
    return PixelComponent::Unknown;
  }
}

itk::IOComponentEnum ToItk(PixelComponent component) {
  switch (component) {
  case PixelComponent::UInt8:
    return itk::IOComponentEnum::UCHAR;
  case PixelComponent::Float32:
    return itk::IOComponentEnum::FLOAT;
  default:
    throw NotSupported("writing images supports float32 and uint8 pixels only");
  }
}

itk::ImageIORegion WholeRegion(const itk::ImageIOBase& io) {
  const unsigned dimensions = io.GetNumberOfDimensions();
  itk::ImageIORegion region(dimensions);
  for (unsigned axis = 0; axis < dimensions; ++axis) {
    region.SetIndex(axis, 0);
    region.SetSize(axis, io.GetDimensions(axis));
  }
  return region;
}

} // namespace

const char* FormatName(ImageFileFormat format) {
  switch (format) {
  case ImageFileFormat::MetaImage:
    return "MetaImage";
  case ImageFileFormat::Nrrd:
    return "NRRD";
  case ImageFileFormat::Nifti:
    return "NIfTI";
  }
  return "image";
}

std::size_t ComponentSizeBytes(PixelComponent component) {
  switch (component) {
  case PixelComponent::Int8:
  case PixelComponent::UInt8:
    return 1;
  case PixelComponent::Int16:
  case PixelComponent::UInt16:
    return 2;
  case PixelComponent::Int32:
  case PixelComponent::UInt32:
  case PixelComponent::Float32:
    return 4;
  case PixelComponent::Int64:
  case PixelComponent::UInt64:
  case PixelComponent::Float64:
    return 8;
  case PixelComponent::Unknown:
    break;
  }
  return 0;
}

std::int64_t ImageFileHeader::NumberOfValues() const {
  std::int64_t count = componentsPerPixel;
  for (const std::int64_t n : size) {
    count *= n;
  }
  return count;
}

struct ImageFileReader::Impl {
  itk::ImageIOBase::Pointer io;
  std::filesystem::path path;
  ImageFileFormat format = ImageFileFormat::MetaImage;
};

ImageFileReader::ImageFileReader(const std::filesystem::path& path, ImageFileFormat format)
    : m_Impl(std::make_unique<Impl>()) {
  m_Impl->path = path;
  m_Impl->format = format;
  const CapturedConsole console;
  try {
    m_Impl->io = MakeImageIo(format);
    itk::ImageIOBase& io = *m_Impl->io;
    io.SetFileName(path.string());
    io.ReadImageInformation();

    m_Header.dimensions = io.GetNumberOfDimensions();
    m_Header.componentsPerPixel = io.GetNumberOfComponents();
    m_Header.component = FromItk(io.GetComponentType());
    m_Header.componentName = itk::ImageIOBase::GetComponentTypeAsString(io.GetComponentType());
    for (unsigned axis = 0; axis < m_Header.dimensions; ++axis) {
      m_Header.size.push_back(static_cast<std::int64_t>(io.GetDimensions(axis)));
      m_Header.originMm.push_back(io.GetOrigin(axis));
      m_Header.spacingMm.push_back(io.GetSpacing(axis));
      m_Header.axisDirections.push_back(io.GetDirection(axis));
    }
    const itk::MetaDataDictionary& dictionary = io.GetMetaDataDictionary();
    for (const std::string& key : dictionary.GetKeys()) {
      std::string value;
      if (itk::ExposeMetaData<std::string>(dictionary, key, value)) {
        m_Header.fields[key] = value;
      }
    }
  } catch (const itk::ExceptionObject& exception) {
    throw DataFormat(path.string() + ": cannot read the " + FormatName(format) +
                     " header: " + WithConsole(OneLine(exception), console) + "; expected a " +
                     FormatName(format) + " image file");
  }
}

ImageFileReader::~ImageFileReader() = default;

void ImageFileReader::ReadPixels(void* buffer) {
  const CapturedConsole console;
  try {
    itk::ImageIOBase& io = *m_Impl->io;
    io.SetIORegion(WholeRegion(io));
    io.Read(buffer);
  } catch (const itk::ExceptionObject& exception) {
    throw DataFormat(m_Impl->path.string() + ": cannot read the pixel data: " +
                     WithConsole(OneLine(exception), console) + "; expected complete " +
                     FormatName(m_Impl->format) + " pixel data (is the file truncated?)");
  }
}

void WriteImageFile(const std::filesystem::path& fileToWrite,
                    const std::filesystem::path& reportedPath, ImageFileFormat format,
                    const ImageFileHeader& image, const void* pixels) {
  try {
    itk::ImageIOBase::Pointer io = MakeImageIo(format);
    io->SetNumberOfDimensions(image.dimensions);
    for (unsigned axis = 0; axis < image.dimensions; ++axis) {
      io->SetDimensions(axis, static_cast<itk::SizeValueType>(image.size.at(axis)));
      io->SetSpacing(axis, image.spacingMm.at(axis));
      io->SetOrigin(axis, image.originMm.at(axis));
      io->SetDirection(axis, image.axisDirections.at(axis));
    }
    io->SetPixelType(image.componentsPerPixel == 1 ? itk::IOPixelEnum::SCALAR
                                                   : itk::IOPixelEnum::VECTOR);
    io->SetComponentType(ToItk(image.component));
    io->SetNumberOfComponents(image.componentsPerPixel);
    io->SetUseCompression(false);
    io->SetIORegion(WholeRegion(*io));
    itk::MetaDataDictionary dictionary;
    for (const auto& [key, value] : image.fields) {
      itk::EncapsulateMetaData<std::string>(dictionary, key, value);
    }
    io->SetMetaDataDictionary(dictionary);
    io->SetFileName(fileToWrite.string());
    io->Write(pixels);
  } catch (const itk::ExceptionObject& exception) {
    throw Io(reportedPath.string() + ": cannot write the " + FormatName(format) +
             " file: " + OneLine(exception));
  }
}

} // namespace seedplan::imaging::detail
