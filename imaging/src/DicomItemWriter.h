#pragma once
// Private to imaging: writing values into a DCMTK data set or item, every DCMTK failure a one-line
// error naming the file and the attribute.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <string>
#include <vector>

namespace seedplan::imaging {

/// Puts values into one DICOM data set or item; `file` names the output in messages.
class DicomItemWriter {
public:
  DicomItemWriter(DcmItem& item, std::string file);

  /// A text value as it is (an empty value writes an empty type 2 attribute).
  DicomItemWriter& Put(const DcmTagKey& tag, const std::string& value);
  /// A Decimal String value (FormatDecimal).
  DicomItemWriter& PutDecimal(const DcmTagKey& tag, double value);
  DicomItemWriter& PutDecimals(const DcmTagKey& tag, const std::vector<double>& values);
  /// An Integer String value.
  DicomItemWriter& PutInteger(const DcmTagKey& tag, long value);
  DicomItemWriter& PutUnsignedShort(const DcmTagKey& tag, unsigned value);
  /// FL values.
  DicomItemWriter& PutFloats(const DcmTagKey& tag, const std::vector<float>& values);
  /// Appends an item to the sequence `sequence` (created if absent) and returns a writer for it.
  DicomItemWriter AppendItem(const DcmTagKey& sequence);

  DcmItem& Item() const { return *m_Item; }

  /// A DS value: the shortest text that reads back to the same double when it fits the 16
  /// characters a Decimal String allows, otherwise the most significant digits that fit; never
  /// "-0". Throws InvalidInput for a value that is not finite.
  static std::string FormatDecimal(double value);
  /// A new UID under DCMTK's site root (dcmGenerateUniqueIdentifier).
  static std::string NewUid(const char* root);
  /// True for a valid UID: digits and dots, at most 64 characters, no empty component, no
  /// leading zero in a component.
  static bool IsValidUid(const std::string& uid);
  /// "YYYYMMDD" and "HHMMSS" of now, local time.
  static std::string Today();
  static std::string NowTime();

private:
  DcmItem* m_Item;
  std::string m_File;
};

} // namespace seedplan::imaging
