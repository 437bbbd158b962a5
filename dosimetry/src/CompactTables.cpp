#include "CompactTables.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

namespace seedplan::dosimetry::detail {

namespace {

constexpr double kRadPerDeg = std::numbers::pi / 180.0;

/// How the function continues beyond its last node.
enum class Beyond { Constant, Linear };

/// Fills `table` for nodes x (ascending) and values y, queried over [low, high]. False if the
/// layout cannot hold it.
bool Fill(PiecewiseLinear32& table, const std::vector<double>& x, const std::vector<double>& y,
          Beyond beyond, double low, double high) {
  constexpr int kSlots = PiecewiseLinear32::kSlots;
  const int n = static_cast<int>(x.size());
  if (n < 2 || n > CompactTables::kMaxNodes || y.size() != x.size()) {
    return false;
  }
  table.nodeCount = n;
  for (int k = 0; k < kSlots; ++k) {
    table.nodeAt[k] = k < n ? static_cast<float>(x[static_cast<std::size_t>(k)])
                            : std::numeric_limits<float>::infinity();
    double left, value, slope;
    if (k == 0) {
      left = x[0];
      value = y[0];
      slope = 0.0;
    } else if (k < n) {
      const auto a = static_cast<std::size_t>(k - 1);
      left = x[a];
      value = y[a];
      slope = (y[a + 1] - y[a]) / (x[a + 1] - x[a]);
    } else {
      const auto a = static_cast<std::size_t>(n - 2);
      left = x[a + 1];
      value = y[a + 1];
      slope = beyond == Beyond::Linear ? (y[a + 1] - y[a]) / (x[a + 1] - x[a]) : 0.0;
    }
    table.left[k] = static_cast<float>(left);
    table.value[k] = static_cast<float>(value);
    table.slope[k] = static_cast<float>(slope);
  }
  // Coarse map over [low, top]: beyond the last node (or the range) every lookup lands in the last
  // cell, whose refinements reach k = n.
  const double top = std::max(low + 1e-6, std::min(high, x.back()));
  const double width = (top - low) / kSlots;
  table.mapScale = static_cast<float>(1.0 / width);
  table.mapOffset = static_cast<float>(-low / width);
  // A value computed in float may land one cell off near a boundary: the base counts only the
  // nodes safely below the cell, the refinements every node up to safely beyond it.
  const double slack = 1e-4 * width;
  int refinements = 0;
  for (int c = 0; c < kSlots; ++c) {
    const double start = low + c * width - slack;
    const double end =
        c == kSlots - 1 ? std::numeric_limits<double>::infinity() : low + (c + 1) * width + slack;
    int below = 0, within = 0;
    for (double node : x) {
      below += node < start ? 1 : 0;
      within += node >= start && node <= end ? 1 : 0;
    }
    table.mapBase[c] = below;
    refinements = std::max(refinements, within);
  }
  table.refinements = refinements;
  return refinements <= CompactTables::kMaxRefinements;
}

} // namespace

std::shared_ptr<const CompactTables> BuildCompactTables(const SourceModel& model,
                                                        Formalism formalism, double minimumRadiusCm,
                                                        double cutoffCm) {
  auto tables = std::make_shared<CompactTables>();
  const RadialTable& radial =
      formalism == Formalism::Point1D ? model.RadialDosePointTable() : model.Data().radialDoseLine;
  if (!Fill(tables->radial, radial.rCm, radial.values, Beyond::Linear, minimumRadiusCm, cutoffCm)) {
    return nullptr;
  }
  if (formalism != Formalism::Line2D) {
    const RadialTable& phi = model.AnisotropyFactorTable();
    if (!Fill(tables->factor, phi.rCm, phi.values, Beyond::Constant, minimumRadiusCm, cutoffCm)) {
      return nullptr;
    }
    return tables;
  }
  const AnisotropyTable& f = model.Data().anisotropy;
  const std::size_t angles = f.thetaDeg.size();
  const auto rows = static_cast<int>(f.rCm.size());
  if (rows < 2 || rows > CompactTables::kMaxRows) {
    return nullptr;
  }
  std::vector<double> thetaRad(angles);
  for (std::size_t j = 0; j < angles; ++j) {
    thetaRad[j] = f.thetaDeg[j] * kRadPerDeg;
  }
  // Each row of F as a function of θ (constant below the first angle; θ <= 90° = the last).
  tables->rows = rows;
  for (int i = 0; i < rows; ++i) {
    PiecewiseLinear32 row;
    const std::vector<double> values(f.values.begin() + static_cast<std::ptrdiff_t>(i * angles),
                                     f.values.begin() +
                                         static_cast<std::ptrdiff_t>((i + 1) * angles));
    if (!Fill(row, thetaRad, values, Beyond::Constant, 0.0, std::numbers::pi / 2)) {
      return nullptr;
    }
    std::copy(std::begin(row.value), std::end(row.value), tables->rowValue[i]);
    std::copy(std::begin(row.slope), std::end(row.slope), tables->rowSlope[i]);
    if (i == 0) {
      tables->angle = row;
    }
  }
  // Tent weights over the rows (see the header); beyond the last row the published linear
  // extrapolation from the last two rows: w_{n-1} keeps rising, w_{n-2} goes negative.
  constexpr float kHuge = std::numeric_limits<float>::max();
  for (int i = 0; i < rows; ++i) {
    const auto u = static_cast<std::size_t>(i);
    if (i == 0) {
      tables->tentA[i] = 0.0f;
      tables->tentC[i] = 1.0f;
      tables->tentLow[i] = -kHuge;
    } else {
      const double width = f.rCm[u] - f.rCm[u - 1];
      tables->tentA[i] = static_cast<float>(1.0 / width);
      tables->tentC[i] = static_cast<float>(-f.rCm[u - 1] / width);
      tables->tentLow[i] = 0.0f;
    }
    if (i == rows - 1) {
      tables->tentB[i] = 0.0f;
      tables->tentE[i] = kHuge;
      tables->tentLow2[i] = -kHuge;
    } else {
      const double width = f.rCm[u + 1] - f.rCm[u];
      tables->tentB[i] = static_cast<float>(-1.0 / width);
      tables->tentE[i] = static_cast<float>(f.rCm[u + 1] / width);
      tables->tentLow2[i] = i == rows - 2 ? -kHuge : 0.0f;
    }
  }
  return tables;
}

} // namespace seedplan::dosimetry::detail
