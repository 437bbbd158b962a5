#include "seedplan/dosimetry/ImplantDvhSamples.h"

#include "ImplantSampling.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/GridRow.h"

#include <algorithm>
#include <optional>
#include <utility>

namespace seedplan::dosimetry {

namespace {

/// Voxels within the splitter's reach + this of a changed seed are split again, and the seeds
/// within twice that of a changed seed take part: a float-rounding margin (the reach is a few cm,
/// positions are exact to ~1e-12 mm), wide so that no voxel whose nearest seed changed is missed.
constexpr double kReachMarginMm = 1.0;

std::size_t PartsOf(const std::uint8_t (&parts)[3]) {
  return std::size_t{parts[0]} * parts[1] * parts[2];
}

} // namespace

ImplantDvhSamples::ImplantDvhSamples(const Mask& mask, std::vector<Seed> seeds,
                                     const DoseCalculator& calculator, double gyPerCGyPerH,
                                     const ImplantDvhOptions& options)
    : m_Mask(mask), m_Calculator(calculator), m_Factor(gyPerCGyPerH), m_Options(options),
      m_Box(detail::PrepareImplantMask(mask, options)), m_Seeds(std::move(seeds)) {
  if (!options.exactEverywhere) {
    throw InvalidInput("DVH samples kept for editing: every sample takes the exact dose; expected "
                       "exactEverywhere sampling (binned structures are recomputed instead)");
  }
  if (!std::isfinite(gyPerCGyPerH)) {
    throw InvalidInput("DVH samples: dose factor is not finite; expected Gy per cGy/h");
  }
  calculator.ValidateSeeds(m_Seeds);
  const GridGeometry& geometry = mask.Geometry();
  m_StepI = geometry.IndexToPoint(1.0, 0.0, 0.0) - geometry.OriginMm();
  m_StepJ = geometry.IndexToPoint(0.0, 1.0, 0.0) - geometry.OriginMm();
  m_StepK = geometry.IndexToPoint(0.0, 0.0, 1.0) - geometry.OriginMm();
  // The origin ComputeForImplant gives its exact points, so that the stored float offsets (and
  // with them the doses) are the same.
  const Eigen::Vector3d origin =
      geometry.IndexToPoint(double(m_Box.lower[0]), double(m_Box.lower[1]), double(m_Box.lower[2]));
  m_Points = DosePoints(origin);
  m_SparePoints = DosePoints(origin);
  const detail::SeedDistanceSplitter splitter(geometry, m_Seeds, m_Options);
  const auto& size = geometry.Size();
  const std::uint8_t* voxels = mask.Data().data();
  for (std::int64_t k = m_Box.lower[2]; k <= m_Box.upper[2]; ++k) {
    for (std::int64_t j = m_Box.lower[1]; j <= m_Box.upper[1]; ++j) {
      const std::size_t rowOffset = static_cast<std::size_t>(size[0] * (j + size[1] * k));
      Row row{j, k, m_Voxels.size(), 0};
      std::optional<detail::SeedDistanceSplitter::RowContext> context;
      for (std::int64_t i = m_Box.lower[0]; i <= m_Box.upper[0]; ++i) {
        if (voxels[rowOffset + static_cast<std::size_t>(i)] == 0) {
          continue;
        }
        if (!context) {
          context.emplace(splitter.Row(j, k, m_Box.lower[0], m_Box.upper[0]));
        }
        const detail::VoxelSplit split = context->Split(i, CentreOf(row, i), false);
        Voxel voxel{i, 0, {}};
        for (int a = 0; a < 3; ++a) {
          voxel.parts[a] = static_cast<std::uint8_t>(split.parts[a]);
        }
        AppendSamples(row, voxel, m_Points, m_Dose, m_Parts);
        m_Voxels.push_back(voxel);
        ++row.voxelCount;
      }
      if (row.voxelCount > 0) {
        m_Rows.push_back(row);
      }
    }
  }
  m_Calculator.AddDoseRateAt(m_Points, m_Seeds, m_Factor, m_Dose);
}

Eigen::Vector3d ImplantDvhSamples::CentreOf(const Row& row, std::int64_t i) const {
  // As DvhCalculator's scan computes it (the same arithmetic, the same points).
  const Eigen::Vector3d rowStart =
      m_Mask.Geometry().IndexToPoint(0.0, double(row.j), double(row.k));
  return rowStart + double(i) * m_StepI;
}

void ImplantDvhSamples::AppendSamples(const Row& row, Voxel& voxel, DosePoints& points,
                                      std::vector<float>& dose,
                                      std::vector<std::uint16_t>& parts) const {
  voxel.firstSample = dose.size();
  const Eigen::Vector3d centre = CentreOf(row, voxel.i);
  const std::size_t count = PartsOf(voxel.parts);
  if (count == 1) {
    points.Add(centre);
  } else {
    detail::VoxelSplit split;
    for (int a = 0; a < 3; ++a) {
      split.parts[a] = voxel.parts[a];
    }
    detail::ForEachPart(centre, m_StepI, m_StepJ, m_StepK, split,
                        [&](const Eigen::Vector3d& point) { points.Add(point); });
  }
  dose.insert(dose.end(), count, 0.0f);
  parts.insert(parts.end(), count, static_cast<std::uint16_t>(count));
}

void ImplantDvhSamples::Update(std::vector<Seed> seeds, const std::vector<Seed>& removed,
                               const std::vector<Seed>& added) {
  if (!added.empty()) {
    m_Calculator.ValidateSeeds(added);
  }
  m_Seeds = std::move(seeds);
  m_LastChecked = 0;
  m_LastResampled = 0;
  if (removed.empty() && added.empty()) {
    return;
  }
  // 1. The doses: every sample moves by the changed seeds' contributions (the engine skips the
  //    blocks of samples beyond their cutoff).
  if (!removed.empty()) {
    m_Calculator.AddDoseRateAt(m_Points, removed, -m_Factor, m_Dose);
  }
  if (!added.empty()) {
    m_Calculator.AddDoseRateAt(m_Points, added, m_Factor, m_Dose);
  }
  // A sample that only removed seeds reached returns to zero up to rounding: never below.
  for (float& dose : m_Dose) {
    dose = std::max(dose, 0.0f);
  }

  // 2. The splits: only voxels within the splitter's reach of a changed seed can have another
  //    nearest seed within reach; their nearest seed is within twice that of the changed seed.
  const GridGeometry& geometry = m_Mask.Geometry();
  std::vector<Eigen::Vector3d> changed;
  for (const auto* list : {&removed, &added}) {
    for (const Seed& seed : *list) {
      changed.push_back(seed.positionMm);
    }
  }
  const double reachMm = detail::SeedDistanceSplitter(geometry, {}, m_Options).ReachMm();
  const double candidateMm = reachMm + kReachMarginMm;
  const double seedReachMm = reachMm + candidateMm + kReachMarginMm;
  std::vector<Seed> nearSeeds;
  for (const Seed& seed : m_Seeds) {
    for (const Eigen::Vector3d& position : changed) {
      if ((seed.positionMm - position).squaredNorm() <= seedReachMm * seedReachMm) {
        nearSeeds.push_back(seed);
        break;
      }
    }
  }
  const detail::SeedDistanceSplitter splitter(geometry, nearSeeds, m_Options);
  const double candidate2 = candidateMm * candidateMm;
  std::vector<std::pair<std::size_t, detail::VoxelSplit>> resplit;
  for (const Row& row : m_Rows) {
    const GridRow gridRow(geometry, row.j, row.k);
    const bool rowNear = std::any_of(changed.begin(), changed.end(), [&](const auto& position) {
      return gridRow.ChordOf(position, candidateMm).has_value();
    });
    if (!rowNear) {
      continue;
    }
    std::optional<detail::SeedDistanceSplitter::RowContext> context;
    for (std::size_t v = row.firstVoxel; v < row.firstVoxel + row.voxelCount; ++v) {
      const Voxel& voxel = m_Voxels[v];
      const Eigen::Vector3d centre = CentreOf(row, voxel.i);
      const bool near = std::any_of(changed.begin(), changed.end(), [&](const auto& position) {
        return (centre - position).squaredNorm() <= candidate2;
      });
      if (!near) {
        continue;
      }
      if (!context) {
        context.emplace(splitter.Row(row.j, row.k, m_Voxels[row.firstVoxel].i,
                                     m_Voxels[row.firstVoxel + row.voxelCount - 1].i));
      }
      ++m_LastChecked;
      const detail::VoxelSplit split = context->Split(voxel.i, centre, false);
      if (split.parts[0] != voxel.parts[0] || split.parts[1] != voxel.parts[1] ||
          split.parts[2] != voxel.parts[2]) {
        resplit.emplace_back(v, split);
      }
    }
  }
  m_LastResampled = resplit.size();
  if (resplit.empty()) {
    return;
  }

  // 3. The voxels split anew: the sample arrays are rebuilt in scan order (the others' samples
  //    copied as they are), and the new parts take the exact dose of all the seeds.
  m_SparePoints.Clear();
  m_SpareDose.clear();
  m_SpareParts.clear();
  m_SpareDose.reserve(m_Dose.size());
  m_SpareParts.reserve(m_Dose.size());
  std::vector<std::pair<std::size_t, std::size_t>> freshRanges;
  std::size_t next = 0;
  for (const Row& row : m_Rows) {
    for (std::size_t v = row.firstVoxel; v < row.firstVoxel + row.voxelCount; ++v) {
      Voxel& voxel = m_Voxels[v];
      if (next < resplit.size() && resplit[next].first == v) {
        for (int a = 0; a < 3; ++a) {
          voxel.parts[a] = static_cast<std::uint8_t>(resplit[next].second.parts[a]);
        }
        AppendSamples(row, voxel, m_SparePoints, m_SpareDose, m_SpareParts);
        freshRanges.emplace_back(voxel.firstSample, PartsOf(voxel.parts));
        ++next;
        continue;
      }
      const std::size_t first = voxel.firstSample;
      const std::size_t count = PartsOf(voxel.parts);
      voxel.firstSample = m_SpareDose.size();
      m_SparePoints.AppendRange(m_Points, first, count);
      const auto begin = static_cast<std::ptrdiff_t>(first);
      const auto end = static_cast<std::ptrdiff_t>(first + count);
      m_SpareDose.insert(m_SpareDose.end(), m_Dose.begin() + begin, m_Dose.begin() + end);
      m_SpareParts.insert(m_SpareParts.end(), m_Parts.begin() + begin, m_Parts.begin() + end);
    }
  }
  std::swap(m_Points, m_SparePoints);
  std::swap(m_Dose, m_SpareDose);
  std::swap(m_Parts, m_SpareParts);
  DosePoints freshPoints(m_Points.OriginMm());
  for (const auto& [first, count] : freshRanges) {
    freshPoints.AppendRange(m_Points, first, count);
  }
  std::vector<float> freshDose(freshPoints.Size(), 0.0f);
  m_Calculator.AddDoseRateAt(freshPoints, m_Seeds, m_Factor, freshDose);
  std::size_t n = 0;
  for (const auto& [first, count] : freshRanges) {
    std::copy_n(freshDose.begin() + static_cast<std::ptrdiff_t>(n), count,
                m_Dose.begin() + static_cast<std::ptrdiff_t>(first));
    n += count;
  }
}

Dvh ImplantDvhSamples::ToDvh() const {
  return Dvh::FromVoxelSamples(m_Dose, m_Parts, m_Mask.Geometry().VoxelVolumeMm3());
}

} // namespace seedplan::dosimetry
