#pragma once

#include "seedplan/core/MaskIndexBox.h"
#include "seedplan/core/Seed.h"
#include "seedplan/core/Volume.h"
#include "seedplan/dosimetry/DoseCalculator.h"
#include "seedplan/dosimetry/DosePoints.h"
#include "seedplan/dosimetry/Dvh.h"
#include "seedplan/dosimetry/DvhCalculator.h"

#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <vector>

namespace seedplan::dosimetry {

namespace detail {
class DoseHistogram;
class ExactSampleStore;
class GridDose;
} // namespace detail

/// The binned DVH of a large structure under an implant (DvhCalculator::ComputeForImplant with
/// ImplantDvhOptions::exactEverywhere false: the body, the lungs), kept for live editing (issue
/// 14). The same samples in the same fine dose bins, but kept up to date by what a change of
/// seeds changes instead of visiting millions of voxels again:
///  - the voxels near a seed (within the exact reach: split, exact TG-43 dose) are kept with their
///    samples' doses, which move by the changed seeds' contributions alone;
///  - every other voxel is one sample at the dose grid's value, kept as last binned, so that only
///    the voxels within the cutoff of a changed seed are compared with the (already updated) grid
///    and moved from their old bin to their new one;
///  - voxels within the splitter's reach of a changed seed are split again: those that enter or
///    leave the exact reach, or change their split, are taken out of the bins and sampled anew.
/// The hottest sample (Dmax) is found exactly: the exact samples are scanned, and the grid
/// samples too whenever an upper bound of theirs (kept as they change) reaches the exact ones'.
/// The result equals a fresh ComputeForImplant on the same grid to float rounding (tested).
/// Served when every split voxel is within the exact reach (Supports: the defaults); the mask, the
/// calculator and the dose grid must outlive it, and the grid must be updated before Update.
class ImplantBinnedDvhSamples {
public:
  /// Whether the options split voxels only within the exact reach (otherwise split parts would
  /// take the grid's trilinear dose, which this class does not keep).
  static bool Supports(const Mask& mask, const ImplantDvhOptions& options);

  /// Samples `mask` under `seeds` with `doseGy` (their total dose on a grid covering the mask);
  /// InvalidInput as ComputeForImplant, and for options it does not support.
  ImplantBinnedDvhSamples(const Mask& mask, std::vector<Seed> seeds,
                          const DoseCalculator& calculator, double gyPerCGyPerH,
                          const Volume<float>& doseGy, const ImplantDvhOptions& options);
  ~ImplantBinnedDvhSamples();
  ImplantBinnedDvhSamples(const ImplantBinnedDvhSamples&) = delete;
  ImplantBinnedDvhSamples& operator=(const ImplantBinnedDvhSamples&) = delete;

  /// The seeds became `seeds` (the current ones minus `removed` plus `added`; several steps may
  /// be merged) and the dose grid was updated for them. InvalidInput for an invalid added seed.
  void Update(std::vector<Seed> seeds, const std::vector<Seed>& removed,
              const std::vector<Seed>& added);

  Dvh ToDvh() const;

  /// Exact samples kept (those near seeds); of the last Update: grid voxels compared with the grid,
  /// voxels sampled anew.
  std::size_t ExactSampleCount() const;
  std::size_t LastComparedVoxels() const { return m_LastCompared; }
  std::size_t LastResampledVoxels() const { return m_LastResampled; }

private:
  struct Run {
    std::int64_t j;
    std::int64_t k;
    std::int64_t iBegin; ///< first voxel of the run (inclusive)
    std::int64_t iEnd;   ///< last voxel of the run (inclusive)
    std::size_t firstOrdinal;
  };
  struct Exact {
    std::size_t ordinal;
    std::int64_t i, j, k;
    std::size_t firstSample; ///< into the store's samples
    std::uint8_t parts[3];
  };

  float GridValue(std::int64_t i, std::int64_t j, std::int64_t k) const;
  void BinExact(std::size_t first, std::size_t count, bool add);

  std::unique_ptr<detail::ExactSampleStore> m_Store;
  double m_VoxelVolumeMm3;
  std::unique_ptr<detail::GridDose> m_Grid;
  std::unique_ptr<detail::DoseHistogram> m_Histogram;
  std::vector<Run> m_Runs;
  /// Per inside voxel (scan order): the grid dose it was binned at, NaN for an exact voxel.
  std::vector<float> m_GridValue;
  /// At least the hottest grid sample (raised as grid samples change; exact after a scan).
  mutable float m_GridMaxBound;
  std::vector<Exact> m_Exact; ///< by ordinal
  std::size_t m_LastCompared = 0;
  std::size_t m_LastResampled = 0;
};

} // namespace seedplan::dosimetry
