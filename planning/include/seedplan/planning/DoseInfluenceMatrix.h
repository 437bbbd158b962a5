#pragma once

#include "seedplan/core/Seed.h"
#include "seedplan/core/Volume.h"
#include "seedplan/dosimetry/DoseCalculator.h"
#include "seedplan/dosimetry/SourceLibrary.h"

#include <Eigen/Core>
#include <cstddef>
#include <string>
#include <vector>

namespace seedplan::planning {

/// An organ at risk given to the influence matrix: its name and its mask (any geometry: the CT's,
/// cropped to the organ's box, or finer). The mask is only read during
/// DoseInfluenceMatrix::Compute.
struct OrganAtRiskMask {
  std::string name;
  const Mask* mask = nullptr;
};

/// How the influence matrix is sampled and computed.
struct DoseInfluenceOptions {
  double strengthU = 0.0; ///< S_K of every seed at the implant (U), > 0
  std::string modelId = dosimetry::SourceLibrary::kDefaultModelId;
  dosimetry::DoseCalculationOptions calculation; ///< formalism and cutoff (as the dose engine)
  /// Border voxels of the target and organs are split into n x n x n sub-voxels (DvhCalculator's
  /// rule; it uses 4): 2 keeps the predicted D90 within 1 % of the exact DVH for lesions of a few
  /// cc at 1 mm voxels with an eighth of the points.
  int borderSubdivisions = 2;
  /// Most target points wanted: when the sampling above would give more (large lesions), border
  /// voxels are sampled at their centre (n = 1), then interior voxels are thinned to one voxel in
  /// s x s x s blocks (s = 2, 3, ...), each sample weighted by its share of the interior volume, so
  /// that the volume stays exact. 0 = no limit. For lesions above ~15 cc the border is a small part
  /// of the volume and the interior dose is smooth between seeds, so D90 and V100 keep their
  /// accuracy (the exact check tells).
  std::size_t targetPointBudget = 60000;
  /// Margin (mm) grown around the target mask: the planning target is the mask dilated by this
  /// distance (Euclidean, on the mask's grid, extended to hold it). 0 = the mask itself.
  double targetMarginMm = 0.0;
  /// Organ voxels farther than this (mm) from every candidate are not sampled: they get less than
  /// about 10 % of Rx from this lesion. cc-based metrics still use the organ's whole volume, the
  /// unsampled rest counted as colder than every sampled point (see LoadingOptimizer).
  double organRadiusMm = 30.0;
};

/// One sampled structure: its points are [firstPoint, firstPoint + pointCount) of the matrix.
struct SampledStructure {
  std::string name;
  std::size_t firstPoint = 0;
  std::size_t pointCount = 0;
  double sampledVolumeMm3 = 0.0; ///< sum of the sampled points' volumes
  double totalVolumeMm3 = 0.0;   ///< the whole structure's volume (mask voxels x voxel volume)
};

/// DoseInfluenceMatrix: the total dose (Gy, permanent implant, TG-43 in water) that one seed of
/// the plan's strength at each candidate position gives at each sample point of the target and of
/// the organs at risk, plus the background dose (Gy) at each point from seeds already placed (other
/// lesions of the patient). The seed-loading optimiser (LoadingOptimizer) works on it: the dose of
/// a loading is background + the sum of its columns, and every dose-volume metric is a weighted
/// count or quantile over the points.
///
/// Points: the planning target's voxel centres, border voxels (a face neighbour outside) split into
/// n^3 sub-voxels as DvhCalculator does, each point weighted by the volume (mm^3) it stands for, so
/// that the target's DVH from the matrix is the DvhCalculator's DVH at a coarser border sampling;
/// then, per organ, the same sampling restricted to voxels within organRadiusMm of a candidate.
/// Every mask is read on its own GridGeometry. Dose: per-U dose rate of the tabulated TG-43 kernel
/// (DoseRateKernel, as DoseCalculator's grids) x S_K x τ/100 (PermanentImplantDecay), computed in
/// parallel over candidates (OpenMP; the result does not depend on the thread count).
///
/// Memory: dense float, candidate-major: 4 bytes x points x candidates, plus 40 bytes per point
/// (position, volume, background). A 3 cm lesion at 1 mm voxels has about 14 000 voxels, 2 800 on
/// the border: 30 000 points with n = 2; with 40 candidates (10 mm needles, 5 mm spacing) that is
/// 5 MB, with 150 candidates 18 MB. A 6 cm lesion sampled fully would have ~180 000 points, x 233
/// candidates = 165 MB; the default point budget (60 000) samples it with n = 1 and one interior
/// voxel in 8: ~24 000 points, ~22 MB. Without a budget, memory grows with the lesion's volume
/// squared (points x candidates both scale with it): ~1.3 GB for a 10 cm lesion.
class DoseInfluenceMatrix {
public:
  /// Samples the target (grown by the margin) and the organs, and computes the dose of every
  /// candidate at every point. `candidates` give the positions (mm), directions (along the needle;
  /// absent = 1D formalism) and needle ids; their strength and model are set from `options`.
  /// `backgroundSeeds` are complete seeds (own strength and model; empty model = options.modelId).
  /// Throws InvalidInput for an empty or invalid target mask, no candidate, a strength <= 0, an
  /// organ without a mask, or a margin or radius that is negative or not finite.
  static DoseInfluenceMatrix
  Compute(const Mask& targetMask, const std::vector<OrganAtRiskMask>& organs,
          const std::vector<Seed>& candidates, const std::vector<Seed>& backgroundSeeds,
          const dosimetry::SourceLibrary& library, const DoseInfluenceOptions& options);

  std::size_t PointCount() const { return m_PointsMm.size(); }
  std::size_t CandidateCount() const { return m_Candidates.size(); }

  /// The candidates as seeds of the plan's strength and model.
  const std::vector<Seed>& Candidates() const { return m_Candidates; }
  const std::vector<Eigen::Vector3d>& PointsMm() const { return m_PointsMm; }
  const std::vector<double>& PointVolumesMm3() const { return m_PointVolumesMm3; }
  /// Dose (Gy) of candidate c at every point: PointCount() values.
  const float* Column(std::size_t candidate) const {
    return m_DoseGy.data() + candidate * m_PointsMm.size();
  }
  double DoseGy(std::size_t point, std::size_t candidate) const {
    return m_DoseGy[candidate * m_PointsMm.size() + point];
  }
  /// Background dose (Gy) at every point from `backgroundSeeds`.
  const std::vector<double>& BackgroundDoseGy() const { return m_BackgroundDoseGy; }

  /// The planning target's points are [0, Target().pointCount).
  const SampledStructure& Target() const { return m_Target; }
  /// Border subdivisions and interior stride the target was sampled with (see the point budget).
  int TargetBorderSubdivisions() const { return m_TargetBorderSubdivisions; }
  int TargetInteriorStride() const { return m_TargetInteriorStride; }
  /// Organs in the order given (an organ may have no point near the candidates).
  const std::vector<SampledStructure>& Organs() const { return m_Organs; }
  /// The planning target's mask (grown by the margin, cropped to its box plus one voxel), for the
  /// exact check's DVH.
  const Mask& PlanningTargetMask() const { return m_PlanningTargetMask; }
  const DoseInfluenceOptions& Options() const { return m_Options; }

  /// Bytes held by the dose matrix, points and background.
  std::size_t MemoryBytes() const;
  /// Wall time of Compute (s).
  double ComputeSeconds() const { return m_ComputeSeconds; }

private:
  DoseInfluenceOptions m_Options;
  std::vector<Seed> m_Candidates;
  std::vector<Eigen::Vector3d> m_PointsMm;
  std::vector<double> m_PointVolumesMm3;
  std::vector<float> m_DoseGy;
  std::vector<double> m_BackgroundDoseGy;
  SampledStructure m_Target;
  std::vector<SampledStructure> m_Organs;
  Mask m_PlanningTargetMask;
  int m_TargetBorderSubdivisions = 1;
  int m_TargetInteriorStride = 1;
  double m_ComputeSeconds = 0.0;
};

} // namespace seedplan::planning
