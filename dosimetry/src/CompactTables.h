#pragma once
// Internal: a DoseRateKernel's piecewise-linear factors laid out for in-register lookup, so that
// the AVX-512 loop evaluates g and F without gathers (a 16-lane gather costs as much as ~20
// arithmetic instructions on the machines measured). Built from the model's own nodes, so the
// lookup is the published interpolation itself, not a resampling.
//
// PiecewiseLinear32: nodes x_0 < ... < x_{n-1} (n <= kMaxNodes). Interval k = number of nodes <= v
// (0..n): k = 0 lies below the first node, k = n beyond the last; on interval k the function is
// value[k] + slope[k] (v - left[k]). k is found from a coarse uniform map over the queried range
// (32 cells: mapBase[c] counts the nodes below cell c) plus `refinements` comparisons against
// nodeAt[k] (= x_k, +inf for k >= n). F(r, θ) = Σ_i w_i(r) F_i(θ): the rows' tent weights w_i
// (linear between neighbouring rows, 1 below the first row, the published linear extrapolation
// beyond the last) times each row's piecewise-linear function of θ.

#include "seedplan/dosimetry/Formalism.h"
#include "seedplan/dosimetry/SourceModel.h"

#include <cstdint>
#include <memory>

namespace seedplan::dosimetry::detail {

struct alignas(64) PiecewiseLinear32 {
  static constexpr int kSlots = 32;
  alignas(64) float nodeAt[kSlots];
  alignas(64) float left[kSlots];
  alignas(64) float value[kSlots];
  alignas(64) float slope[kSlots];
  alignas(64) std::int32_t mapBase[kSlots];
  float mapScale = 0.0f; ///< cell = floor(v · mapScale + mapOffset), clamped to 0..31
  float mapOffset = 0.0f;
  std::int32_t refinements = 0;
  std::int32_t nodeCount = 0;
};

struct alignas(64) CompactTables {
  /// Limits of the in-register layout: 32 slots hold n + 1 intervals; more F rows than this cost
  /// more than the gathers they replace.
  static constexpr int kMaxNodes = PiecewiseLinear32::kSlots - 1;
  static constexpr int kMaxRows = 12;
  /// More comparisons than this per lookup and the gathers are cheaper.
  static constexpr int kMaxRefinements = 4;

  PiecewiseLinear32 radial; ///< g_L or g_P of r (cm); clamped at zero after the lookup
  PiecewiseLinear32 angle;  ///< intervals of θ (rad) between F's angles (2D only)
  PiecewiseLinear32 factor; ///< φ_an of r (1D only)
  std::int32_t rows = 0;    ///< F rows (2D only)
  /// Row tent weight w_i(r) = min(max(r·a + c, low), max(r·b + e, low2)).
  float tentA[kMaxRows], tentC[kMaxRows], tentLow[kMaxRows];
  float tentB[kMaxRows], tentE[kMaxRows], tentLow2[kMaxRows];
  /// Row i's F over the θ intervals of `angle`: rowValue[i][k] + rowSlope[i][k] (θ - left[k]).
  alignas(64) float rowValue[kMaxRows][PiecewiseLinear32::kSlots];
  alignas(64) float rowSlope[kMaxRows][PiecewiseLinear32::kSlots];
};

/// The compact tables of a model and resolved formalism; nullptr if one of its tables exceeds the
/// layout's limits (the engine then uses the uniform tables with gathers). `minimumRadiusCm` and
/// `cutoffCm` bound the radii looked up.
std::shared_ptr<const CompactTables> BuildCompactTables(const SourceModel& model,
                                                        Formalism formalism, double minimumRadiusCm,
                                                        double cutoffCm);

} // namespace seedplan::dosimetry::detail
