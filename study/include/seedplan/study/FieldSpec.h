#pragma once

#include "seedplan/study/FieldValue.h"

#include <limits>
#include <string>
#include <vector>

namespace seedplan::study {

/// What kind of value a field holds, and so how its text is read and checked.
enum class FieldKind {
  Identifier, ///< a pseudonymous id: letters, digits, '_', '.', '-' (1-32 characters)
  Text,       ///< free text on one line (UTF-8, at most 1000 bytes)
  Date,       ///< YYYY-MM-DD, not after today
  Integer,    ///< a whole number within [minimum, maximum]
  Real,       ///< a finite number within [minimum, maximum]
  Choice,     ///< one of `allowed` (read case-insensitively, ' ' and '-' read as '_')
  Flag        ///< 1 or 0 (also read: yes/no, true/false)
};

/// One field of the study record: its name (the SQL column and the CSV column), what it means
/// (the data dictionary's label, type, unit and allowed values) and how a value typed by a person
/// is read and checked. The one definition that the commands, the CSV import, the corrections, the
/// export and the data dictionary all use, so they cannot disagree.
struct FieldSpec {
  std::string name;
  std::string label;
  FieldKind kind = FieldKind::Text;
  std::string unit;
  std::vector<std::string> allowed;
  double minimum = -std::numeric_limits<double>::infinity();
  double maximum = std::numeric_limits<double>::infinity();
  bool required = false;
  /// Computed by the export from other entries: written, never read back by the import.
  bool derived = false;
  /// A file path or a DICOM UID: kept in the record for traceability, never exported.
  bool identifying = false;

  /// Reads a value typed by a person (command line, spreadsheet cell, correction). Empty text, or a
  /// text R or pandas would read as missing (NA, N/A, NaN, null, None, ...), is a missing value;
  /// InvalidInput "<context> is '<text>'; expected <Expected()>" for anything else that does not
  /// fit, and for a missing value of a required field. Choices come back in their canonical
  /// spelling (e.g. "lymph node" -> lymph_node, "cr" -> CR).
  FieldValue Parse(const std::string& text, const std::string& context) const;
  /// Checks a value given in code (the same rules as Parse) and returns it normalised.
  FieldValue Check(const FieldValue& value, const std::string& context) const;

  /// What the field accepts, for messages: "a whole number from 0 to 4", "one of CR, PR, SD, PD".
  std::string Expected() const;
  /// The data dictionary's type: identifier, text, date, integer, number, category, 0/1.
  std::string TypeName() const;
  /// The data dictionary's allowed values: "CR|PR|SD|PD", "0 to 10", "YYYY-MM-DD", "0|1".
  std::string AllowedText() const;

  /// A value as a CSV cell: whole numbers as digits, reals as the shortest text that reads back to
  /// the same double, text as is, a missing value as NA.
  static std::string Format(const FieldValue& value);
  /// A value for people (show): as Format, reals with at most 6 significant digits.
  static std::string Display(const FieldValue& value);
  /// True for texts that R's read.csv or pandas would read as a missing value.
  static bool LooksMissing(const std::string& text);
};

} // namespace seedplan::study
