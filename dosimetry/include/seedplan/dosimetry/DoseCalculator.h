#pragma once

#include "seedplan/core/GridGeometry.h"
#include "seedplan/core/Seed.h"
#include "seedplan/core/Volume.h"
#include "seedplan/dosimetry/DoseRateKernel.h"
#include "seedplan/dosimetry/Formalism.h"
#include "seedplan/dosimetry/SourceModel.h"

#include <Eigen/Core>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace seedplan::dosimetry {

struct DoseCalculationOptions {
  Formalism formalism = Formalism::Auto;
  /// Distance beyond which a seed contributes nothing (TG-43 tables end at 7–10 cm; at 10 cm a 125I
  /// seed gives < 0.1 % of its dose at 1 cm). At least 10 cm.
  double cutoffCm = 10.0;
  /// Use the AVX2 inner loop when the CPU has it (tests switch it off to compare).
  bool useSimd = true;
};

/// TG-43U1 dose-rate calculation for a set of seeds: each seed's model (its own, or the default),
/// formalism (Auto: 2D for seeds with a direction, 1D line source for the others), position (mm,
/// patient coordinates) and strength S_K (U). Output in cGy/h (initial dose rate); the permanent
/// implant's total dose follows from PermanentImplantDecay. Grids are computed in parallel over
/// rows of voxels; each seed only visits the voxels within the cutoff of it (solved per row), so
/// the cost grows with seeds × voxels within the cutoff.
class DoseCalculator {
public:
  DoseCalculator(std::shared_ptr<const SourceModel> defaultModel, DoseCalculationOptions options);

  /// Makes another model available to seeds whose `model` field names it.
  void AddModel(std::shared_ptr<const SourceModel> model);

  const SourceModel& DefaultModel() const { return *m_DefaultModel; }
  const DoseCalculationOptions& Options() const { return m_Options; }

  /// The formalism used for `seed`; throws InvalidInput if Line2D is forced and the seed has no
  /// direction, or if its model is unknown.
  Formalism FormalismFor(const Seed& seed) const;

  /// Checks every seed (model known, strength > 0, position finite, direction unit if present);
  /// throws InvalidInput naming the seed's index (1-based) and field.
  void ValidateSeeds(const std::vector<Seed>& seeds) const;

  /// Dose rate (cGy/h) at every voxel centre of `geometry`.
  Volume<float> DoseRateGridCGyPerH(const GridGeometry& geometry,
                                    const std::vector<Seed>& seeds) const;

  /// Dose rate (cGy/h) at a point by the direct TG-43 formula (no table): the reference the grid
  /// is checked against.
  double DoseRateAtPointDirectCGyPerH(const Eigen::Vector3d& pointMm,
                                      const std::vector<Seed>& seeds) const;
  /// Dose rate (cGy/h) at a point from the tabulated kernels (what the grid uses).
  double DoseRateAtPointCGyPerH(const Eigen::Vector3d& pointMm,
                                const std::vector<Seed>& seeds) const;

  /// The tabulated kernel of a model and resolved formalism (built on first use).
  const DoseRateKernel& Kernel(const SourceModel& model, Formalism formalism) const;

private:
  const SourceModel& ModelFor(const Seed& seed) const;

  std::shared_ptr<const SourceModel> m_DefaultModel;
  DoseCalculationOptions m_Options;
  std::map<std::string, std::shared_ptr<const SourceModel>> m_Models;
  mutable std::mutex m_KernelMutex;
  mutable std::map<std::pair<std::string, Formalism>, std::unique_ptr<DoseRateKernel>> m_Kernels;
};

} // namespace seedplan::dosimetry
