#pragma once

#include "seedplan/core/ByteSource.h"
#include "seedplan/imaging/DicomPrecheckSummary.h"

#include <filesystem>

namespace seedplan::imaging {

/// The project's own check of a DICOM file's structure before DCMTK or GDCM reads it (issue 13:
/// GDCM aborts on corrupt VR bytes after allocating what a broken length asks for; a few flipped
/// bytes made a slice load after 12 s and 1.7 GB). Plain C++ (zlib for deflated files, no
/// toolkit), so that it is fuzzed as it is.
///
/// Walks every element: the 128-byte preamble and "DICM" (or a bare data set, as DCMTK accepts),
/// the File Meta Information (explicit VR little endian), then the data set in its transfer syntax
/// (implicit or explicit VR, little or big endian, deflated), into every sequence and item
/// (defined or undefined length, VR UN sequences in implicit VR) and through encapsulated pixel
/// data fragments. Every element must have a DICOM VR (explicit syntaxes), a length that fits in
/// what remains of the file (or its item), and a tag above the one before it; sequences may nest
/// 32 deep. The file may be at most limits::kMaxDicomFileBytes long; a deflated data set may
/// inflate to at most that size. Reads only element headers and values of at most
/// DicomPrecheckSummary::kKeptValueBytes, so the cost does not grow with the pixel data.
///
/// Throws DataFormat naming the file and the element (tag and byte offset) for a corrupt or
/// truncated file ("not a DICOM file" when there is neither a "DICM" marker nor a readable data
/// set), InvalidInput for a file beyond the size limit, NotSupported for a private transfer
/// syntax.
class DicomPrecheck {
public:
  static DicomPrecheckSummary CheckFile(const std::filesystem::path& path);
  static DicomPrecheckSummary CheckSource(const ByteSource& source);
};

} // namespace seedplan::imaging
