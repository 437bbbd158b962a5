#pragma once

#include "seedplan/core/GridGeometry.h"
#include "seedplan/core/Seed.h"
#include "seedplan/core/Volume.h"
#include "seedplan/dosimetry/DoseCalculator.h"
#include "seedplan/dosimetry/DoseMetrics.h"
#include "seedplan/dosimetry/DvhCalculator.h"
#include "seedplan/dosimetry/SourceLibrary.h"
#include "seedplan/planning/DoseInfluenceMatrix.h"
#include "seedplan/planning/LoadingOptimizer.h"
#include "seedplan/planning/Plan.h"

#include <optional>
#include <string>
#include <vector>

namespace seedplan::planning {

struct LoadingDoseCheckOptions {
  /// Spacing (mm) of the dose grid: 1 mm resolves the 125I gradient at the lesion's edge (the
  /// trilinear interpolation error there is well below 1 %).
  double gridSpacingMm = 1.0;
  int borderSubdivisions = dosimetry::DvhCalculator::kDefaultBorderSubdivisions;
  dosimetry::DoseCalculationOptions calculation;
};

/// The exact check of one organ limit: the metric from the organ's whole mask.
struct OrganCheck {
  OrganLimitSpec limit;
  std::optional<double> exactGy;     ///< nullopt: undefined (organ smaller than the volume)
  std::optional<double> predictedGy; ///< the optimiser's value, if given
  bool met = true;
};

struct LoadingDoseCheckResult {
  dosimetry::DoseMetrics target; ///< exact, with CI and EI (V_ref over the dose grid)
  std::vector<OrganCheck> organs;
  GridGeometry grid; ///< the dose grid used
  double seconds = 0.0;
  /// Every hard goal met on the exact dose: D90 >= Rx, V100 >= goal, organ limits.
  bool feasible = false;
};

/// LoadingDoseCheck: the exact dose of a loading. The total dose (Gy) of all seeds of the patient
/// (the chosen ones and the background) is computed with dosimetry::ImplantDose (TG-43, the
/// tabulated kernel, in parallel) on an axis-aligned grid of `gridSpacingMm` that covers the
/// planning target's mask and every limited organ's mask, and each DVH is computed with
/// dosimetry::DvhCalculator from the real mask (border voxels at 4 x 4 x 4 sub-voxels). The
/// optimiser's prediction (DoseInfluenceMatrix points, border sub-sampling 2 x 2 x 2, doses
/// evaluated exactly at the points) must agree with it: the tests state by how much.
class LoadingDoseCheck {
public:
  /// `organs` must hold every organ named by `limits`; `seeds` are all the patient's seeds (empty
  /// model = defaultModelId). Throws InvalidInput for a missing organ or a bad input of the
  /// dose engine or DVH.
  static LoadingDoseCheckResult
  Compute(const Mask& planningTargetMask, double prescriptionGy, double v100GoalPct,
          const std::vector<OrganAtRiskMask>& organs, const std::vector<OrganLimitSpec>& limits,
          const std::vector<Seed>& seeds, const dosimetry::SourceLibrary& library,
          const std::string& defaultModelId, const LoadingDoseCheckOptions& options = {});

  /// The check of an optimiser's result: its seeds plus `backgroundSeeds`, on the matrix's
  /// planning target with the matrix's engine settings (formalism, cutoff), with the predicted
  /// organ values filled in.
  static LoadingDoseCheckResult
  Compute(const DoseInfluenceMatrix& matrix, const LoadingOptimizer& optimizer,
          const LoadingResult& result, const std::vector<OrganAtRiskMask>& organs,
          const std::vector<Seed>& backgroundSeeds, const dosimetry::SourceLibrary& library,
          const LoadingDoseCheckOptions& options = {});
};

} // namespace seedplan::planning
