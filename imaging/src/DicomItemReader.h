#pragma once
// Private to imaging: reading values of a DCMTK data set or item with their VR and range checked,
// every failure a one-line refusal naming the file, the attribute and where it sits.

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcitem.h>

#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

namespace seedplan::imaging {

/// A view of one DICOM data set or sequence item: `file` and `context` ("Source Sequence item 2")
/// name it in messages. Values are checked against the VR the standard gives the attribute (a
/// value stored with another VR is refused, never reinterpreted), trimmed of padding, and numbers
/// are parsed strictly (the whole value, finite). Every refusal is DataFormat:
/// "<file>: <Attribute Name> (gggg,eeee) in <context> is '<value>'; expected <what>".
class DicomItemReader {
public:
  DicomItemReader(DcmItem& item, std::string file, std::string context = "");

  const std::string& File() const { return m_File; }
  const std::string& Context() const { return m_Context; }

  /// True if the attribute is present with a non-empty value.
  bool HasValue(const DcmTagKey& tag) const;
  /// True if the attribute is present (possibly empty).
  bool Has(const DcmTagKey& tag) const;

  /// The whole value of a string attribute (all components, backslash-separated), trimmed of
  /// spaces and NUL padding; nullopt if absent or empty. The element's VR must be the dictionary's.
  std::optional<std::string> String(const DcmTagKey& tag) const;
  /// As String, DataFormat if absent or empty.
  std::string RequireString(const DcmTagKey& tag) const;
  /// String split at backslashes.
  std::vector<std::string> Strings(const DcmTagKey& tag) const;

  /// A DS or IS attribute's values as numbers; empty if absent. Every value must be a finite
  /// number; `count` (if not 0) is the required number of values.
  std::vector<double> Numbers(const DcmTagKey& tag, std::size_t count = 0) const;
  /// One DS/IS value, or nullopt if absent or empty; the value must lie in [low, high].
  std::optional<double> Number(const DcmTagKey& tag, double low, double high,
                               const std::string& expected) const;
  double RequireNumber(const DcmTagKey& tag, double low, double high,
                       const std::string& expected) const;
  /// One IS value as a whole number in [low, high], or nullopt.
  std::optional<long> Integer(const DcmTagKey& tag, long low, long high) const;
  long RequireInteger(const DcmTagKey& tag, long low, long high) const;
  /// An unsigned short (US) value, or nullopt.
  std::optional<unsigned> UnsignedShort(const DcmTagKey& tag) const;
  /// FL values (e.g. Control Point Orientation), empty if absent; finite.
  std::vector<double> Floats(const DcmTagKey& tag) const;

  /// The items of a sequence (empty if absent), each named "<Sequence Name> item <n>" (1-based)
  /// after this item's context.
  std::vector<DicomItemReader> Items(const DcmTagKey& sequence) const;

  /// "<Attribute Name> (gggg,eeee)[ in <context>]".
  std::string Where(const DcmTagKey& tag) const;
  /// "Reference Air Kerma Rate (300A,022A)": the dictionary's keyword split into words, and the
  /// tag; the tag alone when the dictionary does not know it.
  static std::string Name(const DcmTagKey& tag);
  /// DataFormat "<file>: <Where(tag)> <problem>".
  [[noreturn]] void Refuse(const DcmTagKey& tag, const std::string& problem) const;

  DcmItem& Item() const { return *m_Item; }

private:
  DcmElement* Find(const DcmTagKey& tag) const;
  void CheckVr(const DcmTagKey& tag, DcmElement& element) const;

  DcmItem* m_Item;
  std::string m_File;
  std::string m_Context;
};

} // namespace seedplan::imaging
