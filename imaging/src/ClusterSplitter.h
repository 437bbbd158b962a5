#pragma once

#include "SeedFit.h"

#include <Eigen/Core>

#include <cstdint>
#include <limits>
#include <optional>
#include <random>
#include <vector>

namespace seedplan::imaging {

/// How many seeds one window of metal holds, by model selection: k + 1 seeds are preferred to k
/// only when the extra seed lowers the robust cost by more than a penalty per seed (the cost is
/// in units of each voxel's expected misfit, so the penalty is a likelihood-ratio threshold, as
/// in the Bayesian information criterion: Schwarz, Ann. Stat. 6 (1978) 461) and every seed of
/// the fit has a core that shows metal (SeedFit::CoreSupport) and is worth its penalty on its
/// own (the others in place): a capsule fitted to a streak, to a bone edge or to the rim of a
/// brighter seed has neither. Fits for each count are made from several starts (the seed found
/// where metal is left unexplained, partitions of the blob, seeds side by side or stacked across
/// the slices, directions scanned over the hemisphere) and cached, so that the expected count
/// can ask for one seed more or fewer afterwards.
class ClusterSplitter {
public:
  struct Options {
    /// Cost a seed must save to be counted (dimensionless).
    double penaltyPerSeed = 30.0;
    /// A voxel holds bright metal of its own when its excess over the background is at least
    /// this HU and the other seeds leave more than half of it (and two scales) unexplained.
    double ownExcessHu = 500.0;
    /// One seed's summed excess over its background (HU x voxels), for "a lump of metal left".
    double seedExcessSum = 0.0;
    int minOwnVoxels = 2;
    /// The blob's summed excess in typical seeds' worth (infinite when not measured).
    double metalSeeds = std::numeric_limits<double>::infinity();
    int maxSeeds = 6;
    double seedDiameterMm = 0.8;
  };

  /// `points` and `weights`: the window's metal voxels (patient mm) and their excess (HU).
  ClusterSplitter(const SeedFit& fit, const std::vector<Eigen::Vector3d>& points,
                  const std::vector<double>& weights, const Eigen::Vector3d& sliceStepMm,
                  const Options& options);

  /// The best fit with k >= 1 seeds (fitted on first use).
  const FitResult& Best(int k);
  /// The best fit with k seeds as the detector reports it: each seed lying wholly inside one cell
  /// of the slice profiles moved to the cell's middle across the slices unless the image says
  /// otherwise (CentreWithinSlices). Model selection compares the fits of Best.
  const FitResult& Reported(int k);
  /// Cost with k seeds (k = 0: the background alone).
  double Cost(int k);
  /// True if every seed of the k fit has a metal core and metal of its own.
  bool Valid(int k);
  /// True if the k fit (k >= 2) brings two seeds' axes within a diameter on a blob holding less
  /// metal than one typical seed: one seed split in two.
  bool SplitsOneSeed(int k);
  /// The count model selection chooses (0 when one seed explains the metal no better than the
  /// penalty; never a fit that SplitsOneSeed).
  int ChooseCount();
  /// The smallest cost any one seed of the k fit saves (the others in place): what the weakest
  /// seed is worth.
  double WeakestEvidence(int k);
  /// True if every seed of the k fit has a metal core.
  bool Cored(int k);
  /// The closest approach (mm) of two seeds of the k fit, axis to axis (infinite for one seed):
  /// solid seeds come no closer than a diameter, so a fit whose seeds do pushed one seed into
  /// another's metal (a lone seed split in two).
  double ClosestApproachMm(int k);
  /// True when the k fit leaves a lump of bright metal unexplained (worth trying k + 1).
  bool LeavesMetal(int k);
  int MaxSeeds() const { return m_Options.maxSeeds; }

  /// One seed in a window: the blob's principal axis and the best few of 64 directions over
  /// the hemisphere, each at three offsets across the slices, refined.
  static FitResult FitOne(const SeedFit& fit, const std::vector<Eigen::Vector3d>& points,
                          const std::vector<double>& weights, const Eigen::Vector3d& sliceStepMm);

private:
  void FitCount(int k);
  /// Cost the fit saves by seed `which` (the cost without it, the others in place, minus the
  /// fit's).
  double Evidence(const FitResult& fit, std::size_t which) const;
  /// Moves each seed lying wholly inside one cell of the slice profiles (SeedFit::SliceCell) to
  /// the cell's middle across the slices, where the image barely tells: in a pair or cluster the
  /// fit's weak pull there loses to its neighbours' misfit, which leaves such seeds wherever noise
  /// and model error drift them (a flat seed of a touching triple 1.3 mm from its place across a
  /// 2.5 mm slice, beyond the half slice the cell leaves open).
  void CentreWithinSlices(FitResult& fit) const;

  const SeedFit& m_Fit;
  std::vector<Eigen::Vector3d> m_Points;
  std::vector<double> m_Weights;
  Eigen::Vector3d m_SliceStep;
  Options m_Options;
  double m_NullCost = 0.0;
  std::vector<double> m_ObservedExcess;         ///< per window voxel (HU)
  std::vector<std::optional<FitResult>> m_Fits; ///< index k - 1
  std::vector<std::optional<bool>> m_Valid;
  std::vector<std::optional<FitResult>> m_Reported; ///< index k - 1
  std::mt19937 m_Random{7u};
};

} // namespace seedplan::imaging
