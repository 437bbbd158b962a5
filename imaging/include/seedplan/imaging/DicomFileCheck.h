#pragma once

#include "seedplan/core/ByteSource.h"
#include "seedplan/core/InputLimits.h"
#include "seedplan/imaging/DicomFileSummary.h"

#include <cstdint>
#include <filesystem>

namespace seedplan::imaging {

/// The project's own check of a DICOM file's structure before DCMTK or GDCM reads it, the one
/// every DICOM reader of the project runs (CT slices, RT Structure Sets, RT Plans, RT Doses and
/// the export's study context): the rule "no toolkit reads a header the project has not checked
/// first" (issue 13: GDCM aborts on corrupt VR bytes after allocating what a broken length asks
/// for; a few flipped bytes made a slice load after 12 s and 1.7 GB). Plain C++ (zlib for
/// deflated files, no toolkit), so that it is fuzzed as it is (fuzz/FuzzDicom.cpp).
///
/// Walks every element: the 128-byte preamble and "DICM" (or, unless Options::requirePart10, a
/// bare data set, as DCMTK accepts), the File Meta Information (explicit VR little endian, group
/// 0002, UIDs of at most 64 characters), then the data set in its transfer syntax (implicit or
/// explicit VR, little or big endian, deflated), into every sequence and item (defined or
/// undefined length, VR UN sequences in implicit VR) and through encapsulated pixel data
/// fragments. Every element must have a DICOM VR (explicit syntaxes), a length that fits in what
/// remains of the file (or its item), and a tag above the one before it; undefined lengths occur
/// only on sequences, items and encapsulated pixel data, and each is closed by its delimiter (of
/// length 0); sequences nest at most kMaxDepth deep. The file may be at most Options::maxBytes
/// long; a deflated data set may inflate to at most that size. Reads only element headers and
/// values of at most DicomFileSummary::kKeptValueBytes, so the cost does not grow with the pixel
/// data. In implicit VR a value is taken for a sequence when it starts with an item tag (as DCMTK
/// and pydicom read it).
///
/// Throws Io naming the file if it cannot be read, DataFormat naming the file and the element
/// (tag and byte offset) for a corrupt or truncated file ("not a DICOM file" when there is neither
/// a "DICM" marker nor a readable data set), InvalidInput for a file beyond the size limit,
/// NotSupported for a private transfer syntax or one the Options exclude.
class DicomFileCheck {
public:
  /// Real files nest sequences 4-6 deep (RT Structure Sets, RT Plans); 32 levels leave room and
  /// keep the walk's recursion small.
  static constexpr int kMaxDepth = 32;
  /// Preamble, "DICM" and the File Meta Information Group Length: the smallest Part 10 file.
  static constexpr std::uint64_t kMinimumPart10Bytes = 144;

  /// What a reader demands beyond a well-formed file.
  struct Options {
    /// Largest file accepted (and largest inflated data set).
    std::uint64_t maxBytes = limits::kMaxDicomFileBytes;
    /// A DICOM Part 10 file: preamble, "DICM" and File Meta Information led by its group length
    /// (RT objects are always exchanged as Part 10 files).
    bool requirePart10 = false;
    /// Implicit or explicit VR little endian only, with native pixel data: what the RT readers
    /// read (RT objects are not compressed; big endian is retired).
    bool uncompressedLittleEndianOnly = false;
  };

  /// The demands of the RT Plan and RT Dose readers: Part 10, uncompressed little endian, at most
  /// `maxBytes`.
  static Options RtObject(std::uint64_t maxBytes);

  static DicomFileSummary CheckFile(const std::filesystem::path& path);
  static DicomFileSummary CheckFile(const std::filesystem::path& path, const Options& options);
  static DicomFileSummary CheckSource(const ByteSource& source);
  static DicomFileSummary CheckSource(const ByteSource& source, const Options& options);
};

} // namespace seedplan::imaging
