#pragma once

// Fine logarithmic dose bins for the DVH of a large structure (issue 12: `evaluate` spent most of
// its time and memory storing and sorting the millions of samples of the body outline). Internal
// to the dosimetry library (DvhCalculator::ComputeForImplant).

#include "seedplan/dosimetry/Dvh.h"

#include <cstdint>
#include <memory>
#include <vector>

namespace seedplan::dosimetry::detail {

/// Accumulates (dose, volume) samples into bins of relative width kRelativeBinWidth from
/// kLowestBinnedGy to kHighestBinnedGy (one bin below, one above). Each bin keeps its volume and
/// its dose x volume, so a bin becomes one DVH sample at its members' volume-weighted mean dose:
/// the total volume and the mean dose are exact, every dose-at-volume (Dx) is off by at most one
/// bin width (2^-24 Gy in the lowest bin), every volume-at-dose (Vx) by at most the volume of the
/// bin that holds x, and the hottest sample is kept exactly (Dmax, an organ limit).
class DoseHistogram {
public:
  /// 2^13 bins per octave (the float's 13 leading mantissa bits): 0.012 % relative width, 17 times
  /// finer than the 0.2 % the issue allows for a target's D90; far finer than the trilinear
  /// interpolation of the dose grid that serves most of a large structure.
  static constexpr int kMantissaBits = 13;
  static constexpr double kRelativeBinWidth = 1.0 / double(1 << kMantissaBits);
  /// 2^-24 Gy to 2^24 Gy: below, a dose is negligible (a bin of its own keeps its mean); above,
  /// no TG-43 seed dose reaches (a bin of its own as well).
  static constexpr int kLowestExponent = -24;
  static constexpr int kHighestExponent = 24;

  DoseHistogram();

  /// Adds one sample; InvalidInput for a dose that is not finite.
  void Add(float doseGy, double volumeMm3) {
    const std::size_t bin = BinOf(doseGy);
    Block& block = BlockOf(bin);
    block.volumeMm3[bin % kBinsPerBlock] += volumeMm3;
    block.doseVolume[bin % kBinsPerBlock] += double(doseGy) * volumeMm3;
    ++block.count[bin % kBinsPerBlock];
    if (doseGy > m_MaxDoseGy) {
      m_MaxDoseGy = doseGy;
      m_MaxVolumeMm3 = volumeMm3;
    } else if (doseGy == m_MaxDoseGy) {
      m_MaxVolumeMm3 += volumeMm3;
    }
  }

  /// Takes back a sample added before with the same dose and volume (a live sample set whose
  /// dose changed: ImplantBinnedDvhSamples). A bin whose last member leaves is emptied exactly
  /// (no rounding residue of its sums is left as a bin). The hottest sample is not tracked by
  /// Remove: the caller gives it to Samples.
  void Remove(float doseGy, double volumeMm3) {
    const std::size_t bin = BinOf(doseGy);
    Block& block = BlockOf(bin);
    const std::size_t b = bin % kBinsPerBlock;
    if (block.count[b] <= 1) {
      block.count[b] = 0;
      block.volumeMm3[b] = 0.0;
      block.doseVolume[b] = 0.0;
      return;
    }
    --block.count[b];
    block.volumeMm3[b] -= volumeMm3;
    block.doseVolume[b] -= double(doseGy) * volumeMm3;
  }

  /// Adds the samples of `other` (per-thread histograms joined).
  void Merge(const DoseHistogram& other);

  /// The bins as DVH samples in descending dose order (Dvh::FromDescendingSamples): the hottest
  /// dose alone, then each occupied bin at its mean dose between two zero-volume samples (its
  /// edges), so that Dx is constant across a bin and off by at most one bin width.
  std::vector<Dvh::Sample> Samples() const;
  /// The same with the hottest sample given by the caller (its dose and the volume at exactly that
  /// dose), for a histogram that samples also left (Remove).
  std::vector<Dvh::Sample> Samples(float hottestGy, double hottestVolumeMm3) const;

private:
  /// The bins of one octave, allocated (zeroed) when a sample first falls in it: a structure's
  /// doses span some 20 of the 48 octaves, and a thread's histogram stays ~2.6 MB instead of 6.3.
  static constexpr std::size_t kBinsPerBlock = std::size_t{1} << kMantissaBits;
  struct Block {
    double volumeMm3[kBinsPerBlock] = {};
    double doseVolume[kBinsPerBlock] = {};
    std::uint32_t count[kBinsPerBlock] = {}; ///< members: a bin is empty when none is left
  };

  std::size_t BinOf(float doseGy) const;
  Block& BlockOf(std::size_t bin) {
    std::unique_ptr<Block>& block = m_Blocks[bin / kBinsPerBlock];
    if (!block) {
      block = std::make_unique<Block>();
    }
    return *block;
  }

  std::size_t m_BinCount;
  std::vector<std::unique_ptr<Block>> m_Blocks;
  float m_MaxDoseGy;
  double m_MaxVolumeMm3 = 0.0;
};

} // namespace seedplan::dosimetry::detail
