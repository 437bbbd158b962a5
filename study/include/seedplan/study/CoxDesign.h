#pragma once

#include "seedplan/study/CohortTable.h"

#include <Eigen/Dense>

#include <string>
#include <vector>

namespace seedplan::study {

/// How a cohort column enters a Cox model.
struct CovariateSpec {
  enum class Kind {
    Auto,    ///< numeric if every non-missing value of the column is a number, else a factor
    Numeric, ///< must be numbers (DataFormat naming the cell otherwise)
    Factor,  ///< categories; one indicator column per level except the reference
    Log10,   ///< log10 of a number > 0 (DataFormat naming the cell otherwise)
  };
  std::string column;
  Kind kind = Kind::Auto;
  /// The term's name in the output; empty = R's name (`column`, `log10(column)`); factor terms are
  /// always `<column><level>` as R names them.
  std::string label;
  /// Factor levels, reference first; empty = the column's distinct values over the whole cohort,
  /// sorted (byte order; R's default for plain letters and digits).
  std::vector<std::string> levels;
};

/// Parses the --covariates list: comma-separated column names, each optionally as log10(NAME);
/// InvalidInput naming an entry that is not a column of the cohort.
std::vector<CovariateSpec> ParseCovariateList(const std::string& list, const CohortTable& cohort);

/// The design matrix of a Cox model over chosen cohort rows, built as R's model.matrix does with
/// treatment contrasts: a numeric term is one column, a factor one 0/1 column per non-reference
/// level. Rows with a missing value in any term are left out (R's na.omit).
class CoxDesign {
public:
  /// Throws DataFormat naming the cell when a Numeric or Log10 term holds something else.
  CoxDesign(const CohortTable& cohort, const std::vector<std::size_t>& candidateRows,
            const std::vector<CovariateSpec>& terms);

  const Eigen::MatrixXd& Matrix() const { return m_Matrix; }
  const std::vector<std::string>& TermNames() const { return m_TermNames; }
  /// The cohort rows in the design, one per matrix row.
  const std::vector<std::size_t>& Rows() const { return m_Rows; }
  /// How many candidate rows were left out for a missing value.
  std::size_t LeftOut() const { return m_LeftOut; }
  /// Factor terms with fewer than two levels: they add no column (R's model.matrix refuses them).
  const std::vector<std::string>& SingleLevelFactors() const { return m_SingleLevelFactors; }

private:
  Eigen::MatrixXd m_Matrix;
  std::vector<std::string> m_TermNames;
  std::vector<std::size_t> m_Rows;
  std::size_t m_LeftOut = 0;
  std::vector<std::string> m_SingleLevelFactors;
};

} // namespace seedplan::study
