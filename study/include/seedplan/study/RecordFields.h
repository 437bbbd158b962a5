#pragma once

#include "seedplan/core/Error.h"
#include "seedplan/study/FieldSpec.h"

#include <limits>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace seedplan::study {

/// The fields of one kind of entry (patient, lesion, follow-up, ...): each FieldSpec bound to the
/// member of the plain record struct that holds it, so that reading text into a record, checking
/// it, storing it in SQLite and writing it to CSV all follow the one list, in its order.
template <class Record> class RecordFields {
public:
  using Member =
      std::variant<std::string Record::*, std::optional<std::string> Record::*,
                   std::optional<int> Record::*, std::optional<double> Record::*, bool Record::*>;
  struct Field {
    FieldSpec spec;
    Member member;
  };

  explicit RecordFields(std::vector<Field> fields) : m_Fields(std::move(fields)) {}

  const std::vector<Field>& All() const { return m_Fields; }

  const Field* Find(const std::string& name) const {
    for (const Field& field : m_Fields) {
      if (field.spec.name == name) {
        return &field;
      }
    }
    return nullptr;
  }

  std::vector<FieldSpec> Specs() const {
    std::vector<FieldSpec> specs;
    for (const Field& field : m_Fields) {
      specs.push_back(field.spec);
    }
    return specs;
  }

  /// The value of one field of `record` (null when absent; a flag as 0/1).
  static FieldValue Get(const Record& record, const Field& field) {
    return std::visit(
        [&](auto member) -> FieldValue {
          const auto& value = record.*member;
          using T = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<T, std::string>) {
            return value.empty() ? FieldValue() : FieldValue(value);
          } else if constexpr (std::is_same_v<T, bool>) {
            return std::int64_t{value ? 1 : 0};
          } else if constexpr (std::is_same_v<T, std::optional<int>>) {
            return value ? FieldValue(std::int64_t{*value}) : FieldValue();
          } else {
            return value ? FieldValue(*value) : FieldValue();
          }
        },
        field.member);
  }

  /// Sets one field from a value already checked by its FieldSpec (Parse or Check).
  static void Set(Record& record, const Field& field, const FieldValue& value) {
    std::visit(
        [&](auto member) {
          auto& target = record.*member;
          using T = std::decay_t<decltype(target)>;
          if constexpr (std::is_same_v<T, std::string>) {
            target = IsNull(value) ? std::string() : AsText(value);
          } else if constexpr (std::is_same_v<T, std::optional<std::string>>) {
            target = IsNull(value) ? std::optional<std::string>() : AsText(value);
          } else if constexpr (std::is_same_v<T, bool>) {
            target = !IsNull(value) && AsNumber(value) != 0.0;
          } else if constexpr (std::is_same_v<T, std::optional<int>>) {
            if (IsNull(value)) {
              target.reset();
            } else {
              // A file edited by another tool may hold anything: never an out-of-range cast.
              const double number = AsNumber(value);
              if (!(number >= std::numeric_limits<int>::min() &&
                    number <= std::numeric_limits<int>::max())) {
                throw DataFormat(field.spec.name + " is " + FieldSpec::Format(value) +
                                 "; expected a whole number within the range of the field");
              }
              target = static_cast<int>(number);
            }
          } else {
            target = IsNull(value) ? std::optional<double>() : AsNumber(value);
          }
        },
        field.member);
  }

  /// Reads `text` into field `name` of `record`; InvalidInput naming `context` if it does not fit.
  void SetText(Record& record, const std::string& name, const std::string& text,
               const std::string& context) const {
    const Field* field = Find(name);
    if (!field) {
      throw InvalidInput(context + ": no field '" + name + "'");
    }
    Set(record, *field, field->spec.Parse(text, context));
  }

  /// Checks every field of a record made in code (required fields present, ranges, vocabulary)
  /// and normalises its choices; messages name "<context> <field>".
  void Check(Record& record, const std::string& context) const {
    for (const Field& field : m_Fields) {
      if (field.spec.derived) {
        continue;
      }
      Set(record, field, field.spec.Check(Get(record, field), context + " " + field.spec.name));
    }
  }

private:
  static std::string AsText(const FieldValue& value) {
    if (const auto* text = std::get_if<std::string>(&value)) {
      return *text;
    }
    return FieldSpec::Format(value);
  }
  static double AsNumber(const FieldValue& value) {
    if (const auto* integer = std::get_if<std::int64_t>(&value)) {
      return static_cast<double>(*integer);
    }
    if (const auto* real = std::get_if<double>(&value)) {
      return *real;
    }
    throw InvalidInput("'" + std::get<std::string>(value) + "' is not a number");
  }

  std::vector<Field> m_Fields;
};

} // namespace seedplan::study
