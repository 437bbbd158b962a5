// libFuzzer target: the DICOM structure walk (imaging/DicomFileCheck) with the options of the CT
// and structure set readers and with those of the RT Plan/Dose readers, and the value checks of
// the image attributes and of a CT slice's rescale (imaging/DicomImageCheck) that run before DCMTK
// and GDCM read a file.

#include "FuzzLogSink.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/MemoryByteSource.h"
#include "seedplan/imaging/DicomFileCheck.h"
#include "seedplan/imaging/DicomImageCheck.h"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  seedplan::fuzz::DiscardLogMessages();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const seedplan::MemoryByteSource source(std::string(reinterpret_cast<const char*>(data), size),
                                          "fuzz.dcm");
  using seedplan::imaging::DicomFileCheck;
  using seedplan::imaging::DicomTag;
  try {
    DicomFileCheck::CheckSource(source, DicomFileCheck::RtObject(std::uint64_t{1} << 30));
  } catch (const seedplan::Error&) {
  }
  try {
    const seedplan::imaging::DicomFileSummary summary = DicomFileCheck::CheckSource(source);
    seedplan::imaging::DicomImageCheck::CheckImageAttributes(summary);
    seedplan::imaging::DicomImageCheck::CheckCtRescale(
        "fuzz.dcm", summary.Text(DicomTag(0x0028, 0x1053)).value_or(""),
        summary.Text(DicomTag(0x0028, 0x1052)).value_or(""));
  } catch (const seedplan::Error&) {
  }
  return 0;
}
