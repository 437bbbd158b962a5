#include "seedplan/planning/SeedMatcher.h"

#include "seedplan/core/Error.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

namespace seedplan::planning {
namespace {

/// Minimum-cost perfect assignment of a square cost matrix (row-major, size x size) by the
/// Hungarian algorithm with potentials (Kuhn-Munkres, shortest augmenting paths, O(size^3)).
/// Returns, for each row, its column.
std::vector<int> SolveAssignment(const std::vector<double>& cost, int size) {
  const double kInfinity = std::numeric_limits<double>::infinity();
  // 1-based: column 0 is the virtual start of each augmenting path.
  std::vector<double> rowPotential(static_cast<std::size_t>(size) + 1, 0.0);
  std::vector<double> columnPotential(static_cast<std::size_t>(size) + 1, 0.0);
  std::vector<int> rowOfColumn(static_cast<std::size_t>(size) + 1, 0);
  std::vector<int> previousColumn(static_cast<std::size_t>(size) + 1, 0);
  for (int row = 1; row <= size; ++row) {
    rowOfColumn[0] = row;
    int column = 0;
    std::vector<double> slack(static_cast<std::size_t>(size) + 1, kInfinity);
    std::vector<char> used(static_cast<std::size_t>(size) + 1, 0);
    do {
      used[static_cast<std::size_t>(column)] = 1;
      const int currentRow = rowOfColumn[static_cast<std::size_t>(column)];
      double delta = kInfinity;
      int nextColumn = 0;
      for (int candidate = 1; candidate <= size; ++candidate) {
        const auto c = static_cast<std::size_t>(candidate);
        if (used[c] != 0) {
          continue;
        }
        const double reduced =
            cost[static_cast<std::size_t>(currentRow - 1) * static_cast<std::size_t>(size) + c -
                 1] -
            rowPotential[static_cast<std::size_t>(currentRow)] - columnPotential[c];
        if (reduced < slack[c]) {
          slack[c] = reduced;
          previousColumn[c] = column;
        }
        if (slack[c] < delta) {
          delta = slack[c];
          nextColumn = candidate;
        }
      }
      for (int candidate = 0; candidate <= size; ++candidate) {
        const auto c = static_cast<std::size_t>(candidate);
        if (used[c] != 0) {
          rowPotential[static_cast<std::size_t>(rowOfColumn[c])] += delta;
          columnPotential[c] -= delta;
        } else {
          slack[c] -= delta;
        }
      }
      column = nextColumn;
    } while (rowOfColumn[static_cast<std::size_t>(column)] != 0);
    do {
      const int previous = previousColumn[static_cast<std::size_t>(column)];
      rowOfColumn[static_cast<std::size_t>(column)] =
          rowOfColumn[static_cast<std::size_t>(previous)];
      column = previous;
    } while (column != 0);
  }
  std::vector<int> columnOfRow(static_cast<std::size_t>(size), -1);
  for (int column = 1; column <= size; ++column) {
    columnOfRow[static_cast<std::size_t>(rowOfColumn[static_cast<std::size_t>(column)] - 1)] =
        column - 1;
  }
  return columnOfRow;
}

} // namespace

SeedMatching SeedMatcher::Match(const std::vector<Seed>& planned,
                                const std::vector<Seed>& detectedInPlanningFrame,
                                double maxDistanceMm) {
  if (!std::isfinite(maxDistanceMm) || maxDistanceMm <= 0.0) {
    throw InvalidInput("seed matching: maximum distance " + std::to_string(maxDistanceMm) +
                       " mm; expected a positive number of millimetres");
  }
  const int plannedCount = static_cast<int>(planned.size());
  const int detectedCount = static_cast<int>(detectedInPlanningFrame.size());
  const double gateSquared = maxDistanceMm * maxDistanceMm;

  // Square matrix of size n + m: planned rows against detected columns (top left), each planned
  // seed's own "unmatched" column (top right, diagonal), each detected seed's own "unmatched" row
  // (bottom left, diagonal), and free pairings of the dummies (bottom right). Forbidden entries
  // cost more than leaving every seed unmatched, so the optimum never uses one.
  const int size = plannedCount + detectedCount;
  const double unmatchedCost = 0.5 * gateSquared;
  const double forbidden = (static_cast<double>(size) + 1.0) * gateSquared + 1.0;
  std::vector<double> cost(static_cast<std::size_t>(size) * static_cast<std::size_t>(size),
                           forbidden);
  auto at = [&](int row, int column) -> double& {
    return cost[static_cast<std::size_t>(row) * static_cast<std::size_t>(size) +
                static_cast<std::size_t>(column)];
  };
  for (int p = 0; p < plannedCount; ++p) {
    for (int d = 0; d < detectedCount; ++d) {
      const double squared = (detectedInPlanningFrame[static_cast<std::size_t>(d)].positionMm -
                              planned[static_cast<std::size_t>(p)].positionMm)
                                 .squaredNorm();
      if (squared <= gateSquared) {
        at(p, d) = squared;
      }
    }
    at(p, detectedCount + p) = unmatchedCost;
  }
  for (int d = 0; d < detectedCount; ++d) {
    at(plannedCount + d, d) = unmatchedCost;
    for (int p = 0; p < plannedCount; ++p) {
      at(plannedCount + d, detectedCount + p) = 0.0;
    }
  }
  const std::vector<int> columnOfRow = size > 0 ? SolveAssignment(cost, size) : std::vector<int>{};

  SeedMatching matching;
  matching.plannedCount = plannedCount;
  matching.detectedCount = detectedCount;
  const double kNaN = std::numeric_limits<double>::quiet_NaN();
  std::vector<char> detectedMatched(static_cast<std::size_t>(detectedCount), 0);
  double sumDisplacementMm = 0.0;
  double maxDisplacementMm = 0.0;
  for (int p = 0; p < plannedCount; ++p) {
    SeedMatch match;
    match.plannedIndex = p;
    const int column = columnOfRow[static_cast<std::size_t>(p)];
    // A forbidden pair is never optimal; the gate is checked again rather than trusted.
    if (column < detectedCount && at(p, column) <= gateSquared) {
      match.detectedIndex = column;
      match.displacementVectorMm =
          detectedInPlanningFrame[static_cast<std::size_t>(column)].positionMm -
          planned[static_cast<std::size_t>(p)].positionMm;
      match.displacementMm = match.displacementVectorMm.norm();
      detectedMatched[static_cast<std::size_t>(column)] = 1;
      ++matching.matchedCount;
      sumDisplacementMm += match.displacementMm;
      maxDisplacementMm = std::max(maxDisplacementMm, match.displacementMm);
    } else {
      match.displacementMm = kNaN;
      match.displacementVectorMm = Eigen::Vector3d::Constant(kNaN);
      matching.unmatchedPlanned.push_back(p);
    }
    matching.matches.push_back(match);
  }
  for (int d = 0; d < detectedCount; ++d) {
    if (detectedMatched[static_cast<std::size_t>(d)] == 0) {
      matching.unmatchedDetected.push_back(d);
    }
  }
  matching.meanDisplacementMm =
      matching.matchedCount > 0 ? sumDisplacementMm / matching.matchedCount : kNaN;
  matching.maxDisplacementMm = matching.matchedCount > 0 ? maxDisplacementMm : kNaN;
  return matching;
}

} // namespace seedplan::planning
