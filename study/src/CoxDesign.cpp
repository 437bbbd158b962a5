#include "seedplan/study/CoxDesign.h"

#include "seedplan/core/Error.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <set>

namespace seedplan::study {

namespace {

std::string Trim(const std::string& text) {
  const auto first = text.find_first_not_of(" \t");
  if (first == std::string::npos) {
    return {};
  }
  const auto last = text.find_last_not_of(" \t");
  return text.substr(first, last - first + 1);
}

bool IsNumber(const std::string& text) {
  char* end = nullptr;
  const double value = std::strtod(text.c_str(), &end);
  return end != text.c_str() && *end == '\0' && std::isfinite(value);
}

/// One term resolved against the cohort: its column, whether it is a factor, its levels.
struct ResolvedTerm {
  std::size_t column = 0;
  CovariateSpec spec;
  bool factor = false;
  std::vector<std::string> levels;
};

} // namespace

std::vector<CovariateSpec> ParseCovariateList(const std::string& list, const CohortTable& cohort) {
  std::vector<CovariateSpec> specs;
  std::size_t start = 0;
  while (start <= list.size()) {
    const std::size_t comma = list.find(',', start);
    const std::string entry =
        Trim(list.substr(start, comma == std::string::npos ? std::string::npos : comma - start));
    start = comma == std::string::npos ? list.size() + 1 : comma + 1;
    if (entry.empty()) {
      continue;
    }
    CovariateSpec spec;
    spec.column = entry;
    if (entry.rfind("log10(", 0) == 0 && entry.back() == ')') {
      spec.kind = CovariateSpec::Kind::Log10;
      spec.column = Trim(entry.substr(6, entry.size() - 7));
    }
    if (!cohort.Column(spec.column)) {
      std::string names;
      for (const auto& name : cohort.Header()) {
        names += (names.empty() ? "" : ", ") + name;
      }
      throw InvalidInput("--covariates: '" + entry + "' is not a column of " + cohort.SourceName() +
                         "; expected a column name (or log10(NAME)) among " + names);
    }
    specs.push_back(spec);
  }
  return specs;
}

CoxDesign::CoxDesign(const CohortTable& cohort, const std::vector<std::size_t>& candidateRows,
                     const std::vector<CovariateSpec>& terms) {
  std::vector<ResolvedTerm> resolved;
  for (const auto& spec : terms) {
    ResolvedTerm term;
    term.column = cohort.RequireColumn(spec.column);
    term.spec = spec;
    switch (spec.kind) {
    case CovariateSpec::Kind::Factor:
      term.factor = true;
      break;
    case CovariateSpec::Kind::Auto:
      for (std::size_t row = 0; row < cohort.PatientCount(); ++row) {
        const std::string& text = cohort.Text(row, term.column);
        if (!text.empty() && !IsNumber(text)) {
          term.factor = true;
          break;
        }
      }
      break;
    default:
      break;
    }
    if (term.factor) {
      term.levels = spec.levels;
      if (term.levels.empty()) {
        std::set<std::string> distinct;
        for (std::size_t row = 0; row < cohort.PatientCount(); ++row) {
          if (!cohort.IsMissing(row, term.column)) {
            distinct.insert(cohort.Text(row, term.column));
          }
        }
        term.levels.assign(distinct.begin(), distinct.end());
      }
      if (term.levels.size() < 2) {
        m_SingleLevelFactors.push_back(spec.column);
      }
      for (std::size_t level = 1; level < term.levels.size(); ++level) {
        m_TermNames.push_back(spec.column + term.levels[level]);
      }
    } else if (spec.kind == CovariateSpec::Kind::Log10) {
      m_TermNames.push_back(spec.label.empty() ? "log10(" + spec.column + ")" : spec.label);
    } else {
      m_TermNames.push_back(spec.label.empty() ? spec.column : spec.label);
    }
    resolved.push_back(std::move(term));
  }

  std::vector<std::vector<double>> values;
  for (std::size_t row : candidateRows) {
    std::vector<double> rowValues;
    bool complete = true;
    for (const auto& term : resolved) {
      // Every term of every row is checked, so a bad value is refused even next to a gap.
      if (cohort.IsMissing(row, term.column)) {
        complete = false;
        continue;
      }
      if (term.factor) {
        const std::string& text = cohort.Text(row, term.column);
        const auto level = std::find(term.levels.begin(), term.levels.end(), text);
        if (level == term.levels.end()) {
          complete = false; // a value outside the given levels is missing, as R's factor()
          continue;
        }
        for (std::size_t k = 1; k < term.levels.size(); ++k) {
          rowValues.push_back(term.levels[k] == text ? 1.0 : 0.0);
        }
        continue;
      }
      if (term.spec.kind == CovariateSpec::Kind::Log10) {
        const double value = *cohort.Number(row, term.column, "a number > 0 (its log10 is used)");
        if (!(value > 0.0)) {
          throw DataFormat(cohort.Where(row, term.column) + " is '" +
                           cohort.Text(row, term.column) +
                           "'; expected a number > 0 (its log10 is used)");
        }
        rowValues.push_back(std::log10(value));
      } else {
        rowValues.push_back(*cohort.Number(row, term.column));
      }
    }
    if (!complete) {
      ++m_LeftOut;
      continue;
    }
    m_Rows.push_back(row);
    values.push_back(std::move(rowValues));
  }
  m_Matrix.resize(static_cast<Eigen::Index>(values.size()),
                  static_cast<Eigen::Index>(m_TermNames.size()));
  for (std::size_t i = 0; i < values.size(); ++i) {
    for (std::size_t j = 0; j < values[i].size(); ++j) {
      m_Matrix(static_cast<Eigen::Index>(i), static_cast<Eigen::Index>(j)) = values[i][j];
    }
  }
}

} // namespace seedplan::study
