#pragma once

#include "seedplan/core/GridGeometry.h"
#include "seedplan/core/Seed.h"
#include "seedplan/core/Volume.h"
#include "seedplan/dosimetry/DosePoints.h"
#include "seedplan/dosimetry/DoseRateKernel.h"
#include "seedplan/dosimetry/Formalism.h"
#include "seedplan/dosimetry/SimdPath.h"
#include "seedplan/dosimetry/SourceModel.h"

#include <Eigen/Core>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace seedplan::dosimetry {

struct DoseCalculationOptions {
  Formalism formalism = Formalism::Auto;
  /// Distance beyond which a seed contributes nothing (TG-43 tables end at 7–10 cm; at 10 cm a 125I
  /// seed gives < 0.1 % of its dose at 1 cm). 10 to 100 cm.
  double cutoffCm = 10.0;
  /// Instruction set of the inner loops (Auto: the widest the CPU has, or SEEDPLAN_SIMD).
  SimdPath simd = SimdPath::Auto;
  /// Shift-and-add of precomputed stamps for seeds that share model, formalism, orientation and
  /// sub-voxel phase (see DoseCalculator); tests switch it off to compare with the direct loop.
  bool useStamps = true;
};

/// TG-43U1 dose-rate calculation for a set of seeds: each seed's model (its own, or the default),
/// formalism (Auto: 2D for seeds with a direction, 1D line source for the others), position (mm,
/// patient coordinates) and strength S_K (U). Output in cGy/h (initial dose rate); the permanent
/// implant's total dose follows from PermanentImplantDecay.
///
/// Grids: parallel (OpenMP) over rows of voxels; each seed visits only the voxels within the
/// cutoff of it (solved per row in integer-clamped arithmetic), so the cost grows with seeds ×
/// voxels within the cutoff. The inner loop is the kernel of DoseRateKernel (analytic G, small
/// table for the rest) on 16 (AVX-512), 8 (AVX2) or 1 lane (SimdPath), masked at the row's end.
///
/// Stamps (shift-and-add): seeds of one model and formalism whose axes agree within
/// kStampAxisTolerance and whose sub-voxel phases (position relative to the voxel lattice) agree
/// within kStampPhaseToleranceMm have, on the lattice, the same dose distribution shifted by whole
/// voxels. For such a group the engine computes the dose per U once on the box of lattice offsets
/// the group needs (a "stamp") and adds S_K × the stamp at each seed's voxel shift. Seeds on a
/// template grid, or any seeds placed on voxel-aligned positions, take this path; it is chosen
/// automatically when the stamp costs fewer evaluations than the group's seed-voxel pairs. Within
/// the stated tolerances the result equals the direct loop to float rounding (tested).
class DoseCalculator {
public:
  /// Physical bounds of the inputs (issue 13): a seed position beyond ±10 m of the coordinate
  /// origin is no patient's; 100 U is ~80 mCi, 100 times the strongest clinical 125I seed.
  static constexpr double kMaximumPositionMm = 10000.0;
  static constexpr double kMaximumStrengthU = 100.0;
  /// Finest dose grid spacing: below 10 µm the dose is undefined at the seed's scale anyway.
  static constexpr double kMinimumSpacingMm = 0.01;
  /// Largest dose grid: 2^28 voxels (1 GiB of float32), far above a whole-body CT grid.
  static constexpr std::int64_t kMaximumGridVoxels = std::int64_t{1} << 28;
  /// Seeds share a stamp when their sub-voxel phases differ by at most this much (mm) on every
  /// axis: the dose moves by at most 2·δ/r relative (1e-5 at the 2 mm clamp radius), the size of
  /// the float32 rounding of voxel positions in the direct loop.
  static constexpr double kStampPhaseToleranceMm = 1e-5;
  /// ... and when their unit axes differ by at most this much per component (θ moves < 1e-6 rad).
  static constexpr double kStampAxisTolerance = 1e-6;
  /// Largest stamp (bytes of float32); beyond it the group takes the direct loop.
  static constexpr std::int64_t kMaximumStampBytes = std::int64_t{256} << 20;

  DoseCalculator(std::shared_ptr<const SourceModel> defaultModel, DoseCalculationOptions options);

  /// Makes another model available to seeds whose `model` field names it.
  void AddModel(std::shared_ptr<const SourceModel> model);

  const SourceModel& DefaultModel() const { return *m_DefaultModel; }
  const DoseCalculationOptions& Options() const { return m_Options; }

  /// The formalism used for `seed`; throws InvalidInput if Line2D is forced and the seed has no
  /// direction, or if its model is unknown.
  Formalism FormalismFor(const Seed& seed) const;

  /// Checks every seed (model known, strength in (0, 100] U, position finite and within ±10 m,
  /// direction unit if present); throws InvalidInput naming the seed's index (1-based) and field.
  void ValidateSeeds(const std::vector<Seed>& seeds) const;

  /// Checks a dose grid (GridGeometry::Validate, spacing >= kMinimumSpacingMm, at most
  /// kMaximumGridVoxels with the memory it would need named); throws InvalidInput naming
  /// `context`.
  static void ValidateGrid(const GridGeometry& geometry, const std::string& context);

  /// Dose rate (cGy/h) at every voxel centre of `geometry`.
  Volume<float> DoseRateGridCGyPerH(const GridGeometry& geometry,
                                    const std::vector<Seed>& seeds) const;

  /// Incremental update (live editing): grid += factor × dose rate (cGy/h) of `seeds`, touching
  /// only the voxels within the cutoff of each seed. With factor = τ/100 (PermanentImplantDecay::
  /// TotalDoseGyPerCGyPerH) it adds to a total-dose grid in Gy; a negative factor removes seeds
  /// (moving a seed = remove it at the old position, add it at the new one; the result equals a
  /// recomputation to float rounding). The grid keeps its metadata.
  void AddDoseRate(Volume<float>& grid, const std::vector<Seed>& seeds, double factor) const;

  /// values[n] += factor × dose rate (cGy/h) of `seeds` at points[n], by the same kernel as the
  /// grid (exact TG-43 at the point: no grid, no interpolation). `values` must have
  /// points.Size() entries.
  void AddDoseRateAt(const DosePoints& points, const std::vector<Seed>& seeds, double factor,
                     std::vector<float>& values) const;

  /// Dose rate (cGy/h) at a point by the direct TG-43 formula (no table): the reference the grid
  /// is checked against.
  double DoseRateAtPointDirectCGyPerH(const Eigen::Vector3d& pointMm,
                                      const std::vector<Seed>& seeds) const;
  /// Dose rate (cGy/h) at a point from the kernels, in double precision.
  double DoseRateAtPointCGyPerH(const Eigen::Vector3d& pointMm,
                                const std::vector<Seed>& seeds) const;

  /// The kernel of a model and resolved formalism (built once per process, DoseRateKernel::Shared).
  const DoseRateKernel& Kernel(const SourceModel& model, Formalism formalism) const;

  /// Of the last grid computation (AddDoseRate or DoseRateGridCGyPerH) of this calculator, for
  /// benchmarks and tests: how many seeds took the stamp path, and the number of stamps.
  struct StampStatistics {
    std::size_t stampedSeeds = 0;
    std::size_t stamps = 0;
  };
  StampStatistics LastStampStatistics() const;

private:
  const SourceModel& ModelFor(const Seed& seed) const;
  std::shared_ptr<const SourceModel> ModelPointerFor(const SourceModel& model) const;

  std::shared_ptr<const SourceModel> m_DefaultModel;
  DoseCalculationOptions m_Options;
  std::map<std::string, std::shared_ptr<const SourceModel>> m_Models;
  mutable std::mutex m_KernelMutex;
  mutable std::map<std::pair<const SourceModel*, Formalism>, std::shared_ptr<const DoseRateKernel>>
      m_Kernels;
  mutable std::mutex m_StatisticsMutex;
  mutable StampStatistics m_LastStatistics;
};

} // namespace seedplan::dosimetry
