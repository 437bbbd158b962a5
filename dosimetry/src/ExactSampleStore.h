#pragma once

// The exact-dose samples of a live DVH sample set (ImplantDvhSamples, ImplantBinnedDvhSamples):
// what the two keep alike. Internal to the dosimetry library.

#include "ImplantSampling.h"

#include "seedplan/core/GridGeometry.h"
#include "seedplan/core/MaskIndexBox.h"
#include "seedplan/core/Seed.h"
#include "seedplan/core/Volume.h"
#include "seedplan/dosimetry/DoseCalculator.h"
#include "seedplan/dosimetry/DosePoints.h"
#include "seedplan/dosimetry/DvhCalculator.h"

#include <Eigen/Core>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

namespace seedplan::dosimetry::detail {

/// The samples of a structure's voxels that take the exact TG-43 dose (ImplantDvhOptions' split
/// of each voxel by the distance to its nearest seed, each part at the exact dose of all the
/// seeds), stored with their doses in scan order, and the steps a change of seeds takes on them:
///  - the seeds are replaced (BeginUpdate) and every sample's dose moves by the changed seeds'
///    contributions alone (MoveDoses: a removed seed's subtracted, an added seed's added);
///  - only voxels within the splitter's reach of a changed seed can change their split
///    (PrepareResplit, RowNear, VoxelNear, SplitRow: the splitter over the seeds near them);
///  - the arrays are rebuilt in scan order, the unchanged voxels' samples copied bit for bit
///    (Keep) and the voxels split anew sampled at the exact dose of all the seeds (AppendFresh,
///    FinishRebuild).
/// The owner keeps its voxels' indices, parts and first samples. Mask and calculator must outlive
/// it; not thread-safe.
class ExactSampleStore {
public:
  /// Voxels within the splitter's reach + this of a changed seed are split again, and the seeds
  /// within twice that of a changed seed take part (ImplantBinnedDvhSamples also compares the grid
  /// voxels within the cutoff + this): a float-rounding margin (the reach is a few cm, positions
  /// are exact to ~1e-12 mm), wide so that no voxel whose nearest seed changed is missed.
  static constexpr double kReachMarginMm = 1.0;

  /// Checks as ComputeForImplant (InvalidInput for an invalid or empty mask or options out of
  /// range), then `supported` (else InvalidInput(unsupportedMessage)), a finite factor and the
  /// seeds; the samples' points take ComputeForImplant's origin, so that their stored float
  /// offsets (and with them the doses) are the same.
  ExactSampleStore(const Mask& mask, std::vector<Seed> seeds, const DoseCalculator& calculator,
                   double gyPerCGyPerH, const ImplantDvhOptions& options, bool supported,
                   const char* unsupportedMessage);

  static std::size_t PartsOf(const std::uint8_t (&parts)[3]) {
    return std::size_t{parts[0]} * parts[1] * parts[2];
  }
  static void SetParts(std::uint8_t (&parts)[3], const VoxelSplit& split) {
    for (int a = 0; a < 3; ++a) {
      parts[a] = static_cast<std::uint8_t>(split.parts[a]);
    }
  }
  static bool SameParts(const VoxelSplit& split, const std::uint8_t (&parts)[3]) {
    return split.parts[0] == parts[0] && split.parts[1] == parts[1] && split.parts[2] == parts[2];
  }

  const Mask& MaskOf() const { return m_Mask; }
  /// The box of the mask's inside voxels.
  const MaskIndexBox& Box() const { return m_Box; }
  const DoseCalculator& Calculator() const { return m_Calculator; }
  double VoxelVolumeMm3() const { return m_Mask.Geometry().VoxelVolumeMm3(); }
  /// The doses (Gy) and, per sample, the number of parts of its voxel.
  const std::vector<float>& Doses() const { return m_Dose; }
  const std::vector<std::uint16_t>& Parts() const { return m_Parts; }

  /// The centre of voxel (i, j, k), as DvhCalculator's scan computes it (the same arithmetic,
  /// the same points).
  Eigen::Vector3d CentreOf(std::int64_t i, std::int64_t j, std::int64_t k) const;

  /// Calls visit(i, j, k, split) for every inside voxel of the mask in scan order (i fastest),
  /// with its split under the current seeds.
  template <class Visit> void ScanInside(Visit&& visit) const {
    const SeedDistanceSplitter splitter(m_Mask.Geometry(), m_Seeds, m_Options);
    const auto& size = m_Mask.Geometry().Size();
    const std::uint8_t* voxels = m_Mask.Data().data();
    for (std::int64_t k = m_Box.lower[2]; k <= m_Box.upper[2]; ++k) {
      for (std::int64_t j = m_Box.lower[1]; j <= m_Box.upper[1]; ++j) {
        const std::uint8_t* row = voxels + static_cast<std::size_t>(size[0] * (j + size[1] * k));
        std::optional<SeedDistanceSplitter::RowContext> context;
        for (std::int64_t i = m_Box.lower[0]; i <= m_Box.upper[0]; ++i) {
          if (row[i] == 0) {
            continue;
          }
          if (!context) {
            context.emplace(splitter.Row(j, k, m_Box.lower[0], m_Box.upper[0]));
          }
          visit(i, j, k, context->Split(i, CentreOf(i, j, k), false));
        }
      }
    }
  }

  /// Appends the parts of voxel (i, j, k) split into `parts` (zero doses until ComputeDoses);
  /// returns its first sample.
  std::size_t Append(std::int64_t i, std::int64_t j, std::int64_t k,
                     const std::uint8_t (&parts)[3]);
  /// The exact dose of all the seeds at every sample appended since construction.
  void ComputeDoses();

  /// The seeds become `seeds`, which differ from the current ones by `removed` and `added`
  /// (InvalidInput for an invalid added seed, nothing changed then). False when both are empty.
  bool BeginUpdate(std::vector<Seed> seeds, const std::vector<Seed>& removed,
                   const std::vector<Seed>& added);
  /// The positions of the removed and added seeds of the last BeginUpdate.
  const std::vector<Eigen::Vector3d>& Changed() const { return m_Changed; }
  /// Moves every sample's dose by the changed seeds' contributions (the engine skips the blocks
  /// of samples beyond their cutoff); a sample that only removed seeds reached returns to zero up
  /// to rounding: never below. With `keepPrevious`, PreviousDoses holds the doses before.
  void MoveDoses(const std::vector<Seed>& removed, const std::vector<Seed>& added,
                 bool keepPrevious);
  const std::vector<float>& PreviousDoses() const { return m_SpareDose; }

  /// Sets up the split check of the last BeginUpdate: only voxels within the splitter's reach of
  /// a changed seed can have another nearest seed within reach, and their nearest seed is within
  /// twice that of the changed seed.
  void PrepareResplit();
  /// Whether row (j, k) / the voxel centred at `centreMm` is within that reach of a changed seed.
  bool RowNear(std::int64_t j, std::int64_t k) const;
  bool VoxelNear(const Eigen::Vector3d& centreMm) const;
  /// The splits of voxels first..last of row (j, k) under the seeds near the changed ones.
  SeedDistanceSplitter::RowContext SplitRow(std::int64_t j, std::int64_t k, std::int64_t first,
                                            std::int64_t last) const;

  /// Starts rebuilding the arrays in scan order.
  void BeginRebuild();
  /// Copies the `count` samples from `firstSample` of an unchanged voxel as they are; returns
  /// their new first sample.
  std::size_t Keep(std::size_t firstSample, std::size_t count);
  /// Appends the parts of a voxel split anew; returns its first sample.
  std::size_t AppendFresh(std::int64_t i, std::int64_t j, std::int64_t k,
                          const std::uint8_t (&parts)[3]);
  /// Ends the rebuild: the new arrays replace the old ones and the fresh samples take the exact
  /// dose of all the seeds. Returns the fresh samples' ranges (first sample, count).
  const std::vector<std::pair<std::size_t, std::size_t>>& FinishRebuild();

private:
  std::size_t AppendTo(std::int64_t i, std::int64_t j, std::int64_t k,
                       const std::uint8_t (&parts)[3], DosePoints& points, std::vector<float>& dose,
                       std::vector<std::uint16_t>& partCounts) const;

  const Mask& m_Mask;
  const DoseCalculator& m_Calculator;
  double m_Factor;
  ImplantDvhOptions m_Options;
  MaskIndexBox m_Box;
  std::vector<Seed> m_Seeds;
  Eigen::Vector3d m_StepI, m_StepJ, m_StepK;
  DosePoints m_Points;
  std::vector<float> m_Dose;
  std::vector<std::uint16_t> m_Parts;
  // The arrays of a rebuild (and the doses before a move), kept between updates so that their
  // memory is reused.
  DosePoints m_SparePoints;
  std::vector<float> m_SpareDose;
  std::vector<std::uint16_t> m_SpareParts;
  std::vector<std::pair<std::size_t, std::size_t>> m_FreshRanges;
  // The split check of the last update.
  std::vector<Eigen::Vector3d> m_Changed;
  double m_CandidateMm = 0.0;
  std::optional<SeedDistanceSplitter> m_Splitter;
};

} // namespace seedplan::dosimetry::detail
