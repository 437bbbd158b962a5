#include "seedplan/dosimetry/ImplantBinnedDvhSamples.h"

#include "DoseHistogram.h"
#include "ImplantSampling.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/GridRow.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

namespace seedplan::dosimetry {

namespace {

/// Float-rounding margin of the reaches (see ImplantDvhSamples.cpp): voxels within the splitter's
/// reach + this of a changed seed are split again, grid voxels within the cutoff + this compared.
constexpr double kReachMarginMm = 1.0;

std::size_t PartsOf(const std::uint8_t (&parts)[3]) {
  return std::size_t{parts[0]} * parts[1] * parts[2];
}

const float kExactMarker = std::numeric_limits<float>::quiet_NaN();

} // namespace

bool ImplantBinnedDvhSamples::Supports(const Mask& mask, const ImplantDvhOptions& options) {
  if (options.exactEverywhere || !(options.relativeSpacing > 0.0)) {
    return false;
  }
  // A voxel is split only where its nearest seed is closer than h/relativeSpacing + half its
  // diagonal (SeedDistanceSplitter); exact where it is within the exact reach.
  const Eigen::Vector3d& h = mask.Geometry().SpacingMm();
  return options.exactReachMm >= h.maxCoeff() / options.relativeSpacing + 0.5 * h.norm();
}

ImplantBinnedDvhSamples::ImplantBinnedDvhSamples(const Mask& mask, std::vector<Seed> seeds,
                                                 const DoseCalculator& calculator,
                                                 double gyPerCGyPerH, const Volume<float>& doseGy,
                                                 const ImplantDvhOptions& options)
    : m_Mask(mask), m_Calculator(calculator), m_Factor(gyPerCGyPerH), m_Options(options),
      m_Box(detail::PrepareImplantMask(mask, options)),
      m_VoxelVolumeMm3(mask.Geometry().VoxelVolumeMm3()), m_Seeds(std::move(seeds)),
      m_GridMaxBound(-std::numeric_limits<float>::infinity()) {
  if (!Supports(mask, options)) {
    throw InvalidInput("binned DVH samples kept for editing: voxels are split beyond the exact "
                       "reach; expected an exact reach >= the splitting reach");
  }
  if (!std::isfinite(gyPerCGyPerH)) {
    throw InvalidInput("DVH samples: dose factor is not finite; expected Gy per cGy/h");
  }
  calculator.ValidateSeeds(m_Seeds);
  const GridGeometry& geometry = mask.Geometry();
  m_StepI = geometry.IndexToPoint(1.0, 0.0, 0.0) - geometry.OriginMm();
  m_StepJ = geometry.IndexToPoint(0.0, 1.0, 0.0) - geometry.OriginMm();
  m_StepK = geometry.IndexToPoint(0.0, 0.0, 1.0) - geometry.OriginMm();
  const Eigen::Vector3d origin =
      geometry.IndexToPoint(double(m_Box.lower[0]), double(m_Box.lower[1]), double(m_Box.lower[2]));
  m_Points = DosePoints(origin);
  m_SparePoints = DosePoints(origin);
  m_Grid = std::make_unique<detail::GridDose>(doseGy, geometry);
  m_Histogram = std::make_unique<detail::DoseHistogram>();
  const detail::SeedDistanceSplitter splitter(geometry, m_Seeds, m_Options);
  const auto& size = geometry.Size();
  const std::uint8_t* voxels = mask.Data().data();
  std::size_t ordinal = 0;
  for (std::int64_t k = m_Box.lower[2]; k <= m_Box.upper[2]; ++k) {
    for (std::int64_t j = m_Box.lower[1]; j <= m_Box.upper[1]; ++j) {
      const std::uint8_t* row = voxels + static_cast<std::size_t>(size[0] * (j + size[1] * k));
      std::optional<detail::SeedDistanceSplitter::RowContext> context;
      for (std::int64_t i = m_Box.lower[0]; i <= m_Box.upper[0]; ++i) {
        if (row[i] == 0) {
          continue;
        }
        if (m_Runs.empty() || m_Runs.back().j != j || m_Runs.back().k != k ||
            m_Runs.back().iEnd != i - 1) {
          m_Runs.push_back({j, k, i, i, ordinal});
        } else {
          m_Runs.back().iEnd = i;
        }
        if (!context) {
          context.emplace(splitter.Row(j, k, m_Box.lower[0], m_Box.upper[0]));
        }
        const detail::VoxelSplit split = context->Split(i, CentreOf(i, j, k), false);
        if (split.exact) {
          Exact exact{ordinal, i, j, k, 0, {}};
          for (int a = 0; a < 3; ++a) {
            exact.parts[a] = static_cast<std::uint8_t>(split.parts[a]);
          }
          AppendSamples(exact, m_Points, m_Dose, m_Parts);
          m_Exact.push_back(exact);
          m_GridValue.push_back(kExactMarker);
        } else {
          const float value = GridValue(i, j, k);
          m_GridValue.push_back(value);
          m_Histogram->Add(value, m_VoxelVolumeMm3);
          m_GridMaxBound = std::max(m_GridMaxBound, value);
        }
        ++ordinal;
      }
    }
  }
  if (m_Grid->Outside()) {
    throw InvalidInput("DVH: the structure mask extends outside the dose grid (" +
                       geometry.Describe() + " against " + doseGy.Geometry().Describe() +
                       "); expected a dose grid that contains the whole structure");
  }
  if (!m_Points.Empty()) {
    m_Calculator.AddDoseRateAt(m_Points, m_Seeds, m_Factor, m_Dose);
    BinExact(0, m_Dose.size(), true);
  }
}

ImplantBinnedDvhSamples::~ImplantBinnedDvhSamples() = default;

Eigen::Vector3d ImplantBinnedDvhSamples::CentreOf(std::int64_t i, std::int64_t j,
                                                  std::int64_t k) const {
  // As DvhCalculator's scan computes it (the same arithmetic, the same points).
  const Eigen::Vector3d rowStart = m_Mask.Geometry().IndexToPoint(0.0, double(j), double(k));
  return rowStart + double(i) * m_StepI;
}

float ImplantBinnedDvhSamples::GridValue(std::int64_t i, std::int64_t j, std::int64_t k) const {
  if (m_Grid->Aligned()) {
    if (const std::optional<float> value = m_Grid->AlignedValue(i, j, k)) {
      return *value;
    }
  }
  return static_cast<float>((*m_Grid)(CentreOf(i, j, k), detail::Index3{i, j, k}));
}

void ImplantBinnedDvhSamples::AppendSamples(Exact& voxel, DosePoints& points,
                                            std::vector<float>& dose,
                                            std::vector<std::uint16_t>& parts) const {
  voxel.firstSample = dose.size();
  const Eigen::Vector3d centre = CentreOf(voxel.i, voxel.j, voxel.k);
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

void ImplantBinnedDvhSamples::BinExact(std::size_t first, std::size_t count, bool add) {
  for (std::size_t n = first; n < first + count; ++n) {
    const double volume = m_VoxelVolumeMm3 / m_Parts[n];
    if (add) {
      m_Histogram->Add(m_Dose[n], volume);
    } else {
      m_Histogram->Remove(m_Dose[n], volume);
    }
  }
}

void ImplantBinnedDvhSamples::Update(std::vector<Seed> seeds, const std::vector<Seed>& removed,
                                     const std::vector<Seed>& added) {
  if (!added.empty()) {
    m_Calculator.ValidateSeeds(added);
  }
  m_Seeds = std::move(seeds);
  m_LastCompared = 0;
  m_LastResampled = 0;
  if (removed.empty() && added.empty()) {
    return;
  }
  const GridGeometry& geometry = m_Mask.Geometry();
  std::vector<Eigen::Vector3d> changed;
  for (const auto* list : {&removed, &added}) {
    for (const Seed& seed : *list) {
      changed.push_back(seed.positionMm);
    }
  }

  // 1. The exact samples: their doses move by the changed seeds' contributions, and each moves
  //    from its old bin to its new one.
  if (!m_Dose.empty()) {
    m_SpareDose.assign(m_Dose.begin(), m_Dose.end());
    if (!removed.empty()) {
      m_Calculator.AddDoseRateAt(m_Points, removed, -m_Factor, m_Dose);
    }
    if (!added.empty()) {
      m_Calculator.AddDoseRateAt(m_Points, added, m_Factor, m_Dose);
    }
    for (std::size_t n = 0; n < m_Dose.size(); ++n) {
      m_Dose[n] = std::max(m_Dose[n], 0.0f);
      if (m_Dose[n] != m_SpareDose[n]) {
        const double volume = m_VoxelVolumeMm3 / m_Parts[n];
        m_Histogram->Remove(m_SpareDose[n], volume);
        m_Histogram->Add(m_Dose[n], volume);
      }
    }
  }

  // 2. The grid samples within the cutoff of a changed seed: compared with the updated grid, row
  //    by row over the hull of the changed seeds' cutoff spheres (GridRow, as the splitter:
  //    clamped to the run in floating point before becoming indices).
  const double cutoffMm = m_Calculator.Options().cutoffCm * 10.0 + kReachMarginMm;
  const Volume<float>& dose = m_Grid->Dose();
  const auto& doseSize = dose.Geometry().Size();
  const detail::Index3& alignedOffset = m_Grid->AlignedOffset();
  for (const Run& run : m_Runs) {
    const GridRow row(geometry, run.j, run.k);
    GridRow::Span hull;
    for (const Eigen::Vector3d& position : changed) {
      if (const std::optional<GridRow::Chord> chord = row.ChordOf(position, cutoffMm)) {
        hull.Include(chord->Inside());
      }
    }
    const std::optional<GridRow::Indices> span = hull.Within(run.iBegin, run.iEnd);
    if (!span) {
      continue;
    }
    const std::int64_t first = span->first;
    const std::int64_t last = span->last;
    // Aligned grids (the CT's: live editing) read the dose row directly.
    const float* doseRow = nullptr;
    if (m_Grid->Aligned()) {
      const std::int64_t jj = run.j + alignedOffset[1];
      const std::int64_t kk = run.k + alignedOffset[2];
      if (jj >= 0 && kk >= 0 && jj < doseSize[1] && kk < doseSize[2] &&
          first + alignedOffset[0] >= 0 && last + alignedOffset[0] < doseSize[0]) {
        doseRow = &dose.At(first + alignedOffset[0], jj, kk) - first;
      }
    }
    float* stored = m_GridValue.data() + run.firstOrdinal - static_cast<std::size_t>(run.iBegin);
    for (std::int64_t i = first; i <= last; ++i) {
      float& old = stored[i];
      if (std::isnan(old)) {
        continue;
      }
      ++m_LastCompared;
      const float value = doseRow != nullptr ? doseRow[i] : GridValue(i, run.j, run.k);
      if (value != old) {
        m_Histogram->Remove(old, m_VoxelVolumeMm3);
        m_Histogram->Add(value, m_VoxelVolumeMm3);
        old = value;
        m_GridMaxBound = std::max(m_GridMaxBound, value);
      }
    }
  }
  if (m_Grid->Outside()) {
    throw InvalidInput("DVH: the structure mask extends outside the dose grid; expected a dose "
                       "grid that contains the whole structure");
  }

  // 3. The splits: voxels within the splitter's reach of a changed seed (see ImplantDvhSamples).
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
  // Voxels whose sampling changes: (ordinal, i, j, k, new split); their old samples leave the
  // bins here.
  struct Change {
    std::size_t ordinal;
    std::int64_t i, j, k;
    detail::VoxelSplit split;
  };
  std::vector<Change> changes;
  std::optional<detail::SeedDistanceSplitter::RowContext> context;
  std::int64_t contextJ = -1, contextK = -1;
  auto findExact = [&](std::size_t ordinal) {
    return std::lower_bound(m_Exact.begin(), m_Exact.end(), ordinal,
                            [](const Exact& e, std::size_t o) { return e.ordinal < o; });
  };
  for (const Run& run : m_Runs) {
    const GridRow row(geometry, run.j, run.k);
    const bool rowNear = std::any_of(changed.begin(), changed.end(), [&](const auto& position) {
      return row.ChordOf(position, candidateMm).has_value();
    });
    if (!rowNear) {
      continue;
    }
    for (std::int64_t i = run.iBegin; i <= run.iEnd; ++i) {
      const Eigen::Vector3d centre = CentreOf(i, run.j, run.k);
      const bool near = std::any_of(changed.begin(), changed.end(), [&](const auto& position) {
        return (centre - position).squaredNorm() <= candidate2;
      });
      if (!near) {
        continue;
      }
      if (!context || contextJ != run.j || contextK != run.k) {
        context.emplace(splitter.Row(run.j, run.k, m_Box.lower[0], m_Box.upper[0]));
        contextJ = run.j;
        contextK = run.k;
      }
      const detail::VoxelSplit split = context->Split(i, centre, false);
      const std::size_t ordinal = run.firstOrdinal + static_cast<std::size_t>(i - run.iBegin);
      float& stored = m_GridValue[ordinal];
      const bool wasExact = std::isnan(stored);
      if (!wasExact && !split.exact) {
        continue;
      }
      if (wasExact) {
        const auto exact = findExact(ordinal);
        if (split.exact && split.parts[0] == exact->parts[0] && split.parts[1] == exact->parts[1] &&
            split.parts[2] == exact->parts[2]) {
          continue;
        }
        BinExact(exact->firstSample, PartsOf(exact->parts), false);
      } else {
        m_Histogram->Remove(stored, m_VoxelVolumeMm3);
      }
      changes.push_back({ordinal, i, run.j, run.k, split});
    }
  }
  m_LastResampled = changes.size();
  if (changes.empty()) {
    return;
  }

  // 4. The exact voxels rebuilt in ordinal order: the unchanged ones' samples copied, the changed
  //    ones sampled anew (exact: all the seeds' dose; no longer exact: the grid's value).
  m_SparePoints.Clear();
  m_SpareDose.clear();
  m_SpareParts.clear();
  std::vector<Exact> exacts;
  exacts.reserve(m_Exact.size() + changes.size());
  std::vector<std::pair<std::size_t, std::size_t>> freshRanges;
  auto old = m_Exact.begin();
  for (const Change& change : changes) {
    for (; old != m_Exact.end() && old->ordinal < change.ordinal; ++old) {
      Exact kept = *old;
      const std::size_t count = PartsOf(kept.parts);
      kept.firstSample = m_SpareDose.size();
      m_SparePoints.AppendRange(m_Points, old->firstSample, count);
      const auto begin = static_cast<std::ptrdiff_t>(old->firstSample);
      const auto end = begin + static_cast<std::ptrdiff_t>(count);
      m_SpareDose.insert(m_SpareDose.end(), m_Dose.begin() + begin, m_Dose.begin() + end);
      m_SpareParts.insert(m_SpareParts.end(), m_Parts.begin() + begin, m_Parts.begin() + end);
      exacts.push_back(kept);
    }
    if (old != m_Exact.end() && old->ordinal == change.ordinal) {
      ++old; // its samples were taken out of the bins above
    }
    float& stored = m_GridValue[change.ordinal];
    if (change.split.exact) {
      Exact fresh{change.ordinal, change.i, change.j, change.k, 0, {}};
      for (int a = 0; a < 3; ++a) {
        fresh.parts[a] = static_cast<std::uint8_t>(change.split.parts[a]);
      }
      AppendSamples(fresh, m_SparePoints, m_SpareDose, m_SpareParts);
      freshRanges.emplace_back(fresh.firstSample, PartsOf(fresh.parts));
      exacts.push_back(fresh);
      stored = kExactMarker;
    } else {
      stored = GridValue(change.i, change.j, change.k);
      m_Histogram->Add(stored, m_VoxelVolumeMm3);
      m_GridMaxBound = std::max(m_GridMaxBound, stored);
    }
  }
  for (; old != m_Exact.end(); ++old) {
    Exact kept = *old;
    const std::size_t count = PartsOf(kept.parts);
    kept.firstSample = m_SpareDose.size();
    m_SparePoints.AppendRange(m_Points, old->firstSample, count);
    const auto begin = static_cast<std::ptrdiff_t>(old->firstSample);
    const auto end = begin + static_cast<std::ptrdiff_t>(count);
    m_SpareDose.insert(m_SpareDose.end(), m_Dose.begin() + begin, m_Dose.begin() + end);
    m_SpareParts.insert(m_SpareParts.end(), m_Parts.begin() + begin, m_Parts.begin() + end);
    exacts.push_back(kept);
  }
  m_Exact = std::move(exacts);
  std::swap(m_Points, m_SparePoints);
  std::swap(m_Dose, m_SpareDose);
  std::swap(m_Parts, m_SpareParts);
  DosePoints freshPoints(m_Points.OriginMm());
  for (const auto& [first, count] : freshRanges) {
    freshPoints.AppendRange(m_Points, first, count);
  }
  std::vector<float> freshDose(freshPoints.Size(), 0.0f);
  if (!freshDose.empty()) {
    m_Calculator.AddDoseRateAt(freshPoints, m_Seeds, m_Factor, freshDose);
  }
  std::size_t n = 0;
  for (const auto& [first, count] : freshRanges) {
    std::copy_n(freshDose.begin() + static_cast<std::ptrdiff_t>(n), count,
                m_Dose.begin() + static_cast<std::ptrdiff_t>(first));
    BinExact(first, count, true);
    n += count;
  }
}

Dvh ImplantBinnedDvhSamples::ToDvh() const {
  // The hottest sample, exactly: of the exact samples, and of the grid samples whenever their
  // bound reaches it (then scanned, and the bound made exact).
  float hottest = -std::numeric_limits<float>::infinity();
  double hottestVolume = 0.0;
  auto consider = [&](float dose, double volume) {
    if (dose > hottest) {
      hottest = dose;
      hottestVolume = volume;
    } else if (dose == hottest) {
      hottestVolume += volume;
    }
  };
  for (std::size_t n = 0; n < m_Dose.size(); ++n) {
    consider(m_Dose[n], m_VoxelVolumeMm3 / m_Parts[n]);
  }
  if (!(m_GridMaxBound < hottest)) {
    float gridMax = -std::numeric_limits<float>::infinity();
    for (const float value : m_GridValue) {
      if (!std::isnan(value)) {
        consider(value, m_VoxelVolumeMm3);
        gridMax = std::max(gridMax, value);
      }
    }
    m_GridMaxBound = gridMax;
  }
  return Dvh::FromDescendingSamples(m_Histogram->Samples(hottest, hottestVolume));
}

} // namespace seedplan::dosimetry
