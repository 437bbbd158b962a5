#pragma once

#include "seedplan/core/Seed.h"
#include "seedplan/dosimetry/DoseMetrics.h"
#include "seedplan/planning/DoseInfluenceMatrix.h"
#include "seedplan/planning/Plan.h"

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace seedplan::planning {

/// What the loading must reach. Hard constraints: V100 >= v100GoalPct (which implies D90 >= Rx for
/// any goal above 90 %, so D90 is reported but needs no constraint of its own) and every organ
/// limit. Soft goals: V150 <= v150GoalPct and V200 <= v200GoalPct, penalised by their excess.
/// The defaults are typical of the values reported for CT-guided 125I implants of metastases
/// (lung, bone, lymph node, adrenal: V100 >= 90-95 %, V150 about 40-60 %, V200 about 15-25 %, as
/// in issue 4 and the clinical series it summarises): planning targets, not clinical advice.
struct LoadingGoals {
  double prescriptionGy = 0.0; ///< Rx, total dose of the permanent implant (Gy), > 0
  double v100GoalPct = 95.0;
  double v150GoalPct = 60.0;
  double v200GoalPct = 25.0;
  /// true: organ limits come first (never exceeded by a seed the optimiser adds; if the target
  /// cannot then be covered, coverage is reported short). false: coverage comes first (an organ
  /// limit that cannot be kept is reported exceeded, by how much).
  bool organLimitsFirst = true;
  /// Swaps move a seed to an empty candidate at most this far (mm): the neighbouring positions on
  /// its needle and on the adjacent needles.
  double swapRadiusMm = 12.0;
  int maximumIterations = 10000; ///< additions + local-search moves
};

/// The state of one constraint or goal of a loading.
struct ConstraintStatus {
  std::string name;            ///< "V100", "D90", "V150", "V200" or "<organ> <metric>"
  std::optional<double> value; ///< % or Gy; nullopt for a metric that is undefined (D2cc of < 2 cc)
  double goal = 0.0;           ///< the bound (% or Gy)
  bool isUpperBound = false;   ///< true: value <= goal; false: value >= goal
  bool hard = true;            ///< hard constraint (false: soft goal)
  bool met = true;
  std::string description; ///< "V100 93.1 % < 95 % (short by 1.9 %)"
};

/// The predicted dose of a loading on the matrix's points (background included).
struct LoadingEvaluation {
  std::vector<std::size_t> chosen;           ///< candidate indices, ascending
  dosimetry::DoseMetrics target;             ///< of the sampled planning target (CI, EI are null)
  std::vector<ConstraintStatus> organs;      ///< one per organ limit, in the order given
  std::vector<ConstraintStatus> constraints; ///< V100, D90, V150, V200, then the organ limits
  bool feasible = false;                     ///< every hard constraint met
  /// The unmet ones (hard and soft), one line each.
  std::vector<std::string> Unmet() const;
};

/// The optimiser's answer.
struct LoadingResult {
  std::vector<Seed> seeds; ///< the chosen candidates (plan strength and model)
  LoadingEvaluation predicted;
  int greedyAdditions = 0;
  int removals = 0;
  int additions = 0; ///< by the local search, while a hard constraint is unmet
  int swaps = 0;
  int iterations = 0; ///< greedy additions + local-search moves
  double seconds = 0.0;
};

/// LoadingOptimizer: chooses which candidate positions of a DoseInfluenceMatrix get a seed (whole
/// seeds of one strength) so that the target reaches V100 >= 95 % (hence D90 >= Rx) with organ
/// limits kept on the patient's total dose (matrix background included), with the fewest seeds and
/// V150, V200 near their goals. Doses in Gy, volumes as % of the target's sampled volume, organ
/// metrics as dosimetry::Dvh defines them (Dx cc: minimum dose of the hottest x cc of the organ's
/// whole volume, the organ's unsampled rest counted as colder than its sampled points).
///
/// Method (deterministic; ties go to the lower candidate index; parallel loops evaluate
/// independent moves and reduce them in a fixed order):
///  1. Greedy addition: while V100 < goal, add the candidate with the largest gain in truncated
///     coverage Σ w_i [min(d_i + a_ic, Rx) − min(d_i, Rx)] / (Rx V) minus the growth of the
///     V150/V200 excess over their goals and a small price on V200 (so that, between similar
///     positions, the one that makes fewer hot spots wins: peripheral loading). With organ limits
///     first, a candidate that would raise an organ's excess is never added.
///  2. Local search until no move improves: remove the seed whose removal keeps every hard
///     constraint (the best one by soft penalty, then coverage); else, while a hard constraint is
///     unmet, add the candidate that lowers the hard violation most; else swap one seed to an
///     empty candidate within swapRadiusMm if that lowers (hard violation in priority order, soft
///     penalty, −(V100 + coverage/4)) lexicographically; the best move is taken. Additions
///     strictly lower the hard violation, removals never raise it and cut the count, swaps
///     strictly lower the key: the search ends (and maximumIterations bounds it).
///  3. If the hard constraints are not met, the result says which and by how much.
/// Cost per greedy step and per swap pass: candidates (or seeds x neighbours) x points. The
/// optimiser keeps a reference to the matrix: the matrix must outlive it.
class LoadingOptimizer {
public:
  /// Throws InvalidInput for Rx <= 0, goals outside [0, 100] %, a limit on an organ the matrix
  /// does not know, an unknown metric (Dmax, D0_1cc, D1cc, D2cc) or a limit <= 0.
  LoadingOptimizer(const DoseInfluenceMatrix& matrix, LoadingGoals goals,
                   std::vector<OrganLimitSpec> limits);

  LoadingResult Optimize() const;

  /// The predicted metrics and constraints of any loading (candidate indices, any order; repeated
  /// indices are an error).
  LoadingEvaluation Evaluate(const std::vector<std::size_t>& chosen) const;

  const LoadingGoals& Goals() const { return m_Goals; }
  const std::vector<OrganLimitSpec>& Limits() const { return m_Limits; }

private:
  const DoseInfluenceMatrix* m_Matrix;
  LoadingGoals m_Goals;
  std::vector<OrganLimitSpec> m_Limits;
  std::vector<std::size_t> m_LimitOrgan; ///< index into matrix.Organs() per limit
};

} // namespace seedplan::planning
