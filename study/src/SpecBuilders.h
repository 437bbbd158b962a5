#pragma once
// Short-hands for the field lists of the record structs (internal to study/src).

#include "seedplan/study/FieldSpec.h"

namespace seedplan::study::spec {

inline FieldSpec Id(std::string name, std::string label, bool required = true) {
  FieldSpec spec;
  spec.name = std::move(name);
  spec.label = std::move(label);
  spec.kind = FieldKind::Identifier;
  spec.required = required;
  return spec;
}

inline FieldSpec Text(std::string name, std::string label, bool required = false) {
  FieldSpec spec;
  spec.name = std::move(name);
  spec.label = std::move(label);
  spec.kind = FieldKind::Text;
  spec.required = required;
  return spec;
}

inline FieldSpec Date(std::string name, std::string label, bool required = false) {
  FieldSpec spec;
  spec.name = std::move(name);
  spec.label = std::move(label);
  spec.kind = FieldKind::Date;
  spec.required = required;
  return spec;
}

inline FieldSpec Integer(std::string name, std::string label, std::string unit, double minimum,
                         double maximum, bool required = false) {
  FieldSpec spec;
  spec.name = std::move(name);
  spec.label = std::move(label);
  spec.kind = FieldKind::Integer;
  spec.unit = std::move(unit);
  spec.minimum = minimum;
  spec.maximum = maximum;
  spec.required = required;
  return spec;
}

inline FieldSpec Real(std::string name, std::string label, std::string unit, double minimum,
                      double maximum, bool required = false) {
  FieldSpec spec =
      Integer(std::move(name), std::move(label), std::move(unit), minimum, maximum, required);
  spec.kind = FieldKind::Real;
  return spec;
}

inline FieldSpec Choice(std::string name, std::string label, std::vector<std::string> allowed,
                        bool required = false) {
  FieldSpec spec;
  spec.name = std::move(name);
  spec.label = std::move(label);
  spec.kind = FieldKind::Choice;
  spec.allowed = std::move(allowed);
  spec.required = required;
  return spec;
}

inline FieldSpec Flag(std::string name, std::string label) {
  FieldSpec spec;
  spec.name = std::move(name);
  spec.label = std::move(label);
  spec.kind = FieldKind::Flag;
  return spec;
}

inline FieldSpec Identifying(FieldSpec spec) {
  spec.identifying = true;
  return spec;
}

inline FieldSpec Derived(FieldSpec spec) {
  spec.derived = true;
  return spec;
}

} // namespace seedplan::study::spec
