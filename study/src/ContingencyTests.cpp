#include "seedplan/study/ContingencyTests.h"

#include "seedplan/core/Error.h"
#include "seedplan/study/NotAvailable.h"

#include <boost/math/distributions/chi_squared.hpp>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>

namespace seedplan::study {

namespace {

void CheckTable(const CountTable& table) {
  if (table.size() < 2 || table.front().size() < 2) {
    throw InvalidInput("contingency table: " + std::to_string(table.size()) +
                       " rows; expected at least 2 rows and 2 columns");
  }
  for (const auto& row : table) {
    if (row.size() != table.front().size()) {
      throw InvalidInput("contingency table: rows of different lengths; expected a rectangle");
    }
    for (int count : row) {
      if (count < 0) {
        throw InvalidInput("contingency table: count " + std::to_string(count) +
                           "; expected counts >= 0");
      }
    }
  }
}

} // namespace

ChiSquareResult ContingencyTests::PearsonChiSquare(const CountTable& table, bool yates) {
  CheckTable(table);
  const std::size_t rows = table.size();
  const std::size_t columns = table.front().size();
  std::vector<double> rowTotal(rows, 0.0);
  std::vector<double> columnTotal(columns, 0.0);
  double total = 0.0;
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < columns; ++j) {
      rowTotal[i] += table[i][j];
      columnTotal[j] += table[i][j];
      total += table[i][j];
    }
  }
  ChiSquareResult result;
  result.degreesOfFreedom = static_cast<int>((rows - 1) * (columns - 1));
  result.smallestExpected = kNotAvailable;
  const bool anyEmptyMargin =
      std::find(rowTotal.begin(), rowTotal.end(), 0.0) != rowTotal.end() ||
      std::find(columnTotal.begin(), columnTotal.end(), 0.0) != columnTotal.end();
  if (anyEmptyMargin || (yates && (rows != 2 || columns != 2))) {
    result.statistic = result.p = kNotAvailable;
    return result;
  }
  std::vector<double> expected(rows * columns);
  double correction = 0.0;
  if (yates) {
    correction = 0.5;
  }
  result.smallestExpected = total;
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < columns; ++j) {
      const double e = rowTotal[i] * columnTotal[j] / total;
      expected[i * columns + j] = e;
      result.smallestExpected = std::min(result.smallestExpected, e);
      correction = std::min(correction, std::abs(table[i][j] - e));
    }
  }
  double statistic = 0.0;
  for (std::size_t i = 0; i < rows; ++i) {
    for (std::size_t j = 0; j < columns; ++j) {
      const double e = expected[i * columns + j];
      const double deviation = std::abs(table[i][j] - e) - correction;
      statistic += deviation * deviation / e;
    }
  }
  result.statistic = statistic;
  result.p = boost::math::cdf(
      boost::math::complement(boost::math::chi_squared(result.degreesOfFreedom), statistic));
  return result;
}

double ContingencyTests::FisherExactP(const CountTable& table) {
  CheckTable(table);
  // Work on a 2 × c table: row 0 are the "successes".
  CountTable twoRows;
  if (table.size() == 2) {
    twoRows = table;
  } else if (table.front().size() == 2) {
    twoRows.assign(2, std::vector<int>(table.size()));
    for (std::size_t i = 0; i < table.size(); ++i) {
      twoRows[0][i] = table[i][0];
      twoRows[1][i] = table[i][1];
    }
  } else {
    return kNotAvailable;
  }
  const std::size_t columns = twoRows.front().size();
  std::vector<int> columnTotal(columns);
  int successes = 0;
  int total = 0;
  for (std::size_t j = 0; j < columns; ++j) {
    columnTotal[j] = twoRows[0][j] + twoRows[1][j];
    successes += twoRows[0][j];
    total += columnTotal[j];
  }
  double tables = 1.0;
  for (std::size_t j = 0; j + 1 < columns; ++j) {
    tables *= std::min(columnTotal[j], successes) + 1.0;
  }
  if (tables > kFisherMaximumTables) {
    return kNotAvailable;
  }
  std::vector<double> logFactorial(static_cast<std::size_t>(total) + 1, 0.0);
  for (int i = 2; i <= total; ++i) {
    logFactorial[i] = logFactorial[i - 1] + std::log(static_cast<double>(i));
  }
  auto logChoose = [&](int n, int k) {
    return logFactorial[n] - logFactorial[k] - logFactorial[n - k];
  };
  const double logDenominator = logChoose(total, successes);
  double logObserved = -logDenominator;
  for (std::size_t j = 0; j < columns; ++j) {
    logObserved += logChoose(columnTotal[j], twoRows[0][j]);
  }
  const double logThreshold = logObserved + std::log1p(kFisherRelativeTolerance);
  // Capacity of the columns after j, to prune prefixes that cannot reach the success total.
  std::vector<int> capacityAfter(columns + 1, 0);
  for (std::size_t j = columns; j-- > 0;) {
    capacityAfter[j] = capacityAfter[j + 1] + columnTotal[j];
  }
  double p = 0.0;
  // Depth-first over x_0 … x_{c−2}; the last column takes what is left.
  std::function<void(std::size_t, int, double)> visit = [&](std::size_t column, int remaining,
                                                            double logPartial) {
    if (column + 1 == columns) {
      const double logP = logPartial + logChoose(columnTotal[column], remaining) - logDenominator;
      if (logP <= logThreshold) {
        p += std::exp(logP);
      }
      return;
    }
    const int lowest = std::max(0, remaining - capacityAfter[column + 1]);
    const int highest = std::min(columnTotal[column], remaining);
    for (int x = lowest; x <= highest; ++x) {
      visit(column + 1, remaining - x, logPartial + logChoose(columnTotal[column], x));
    }
  };
  visit(0, successes, 0.0);
  return std::min(p, 1.0);
}

} // namespace seedplan::study
