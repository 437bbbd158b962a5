#include "seedplan/dosimetry/ImplantBinnedDvhSamples.h"

#include "DoseHistogram.h"
#include "ExactSampleStore.h"
#include "ImplantSampling.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/GridRow.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <utility>

namespace seedplan::dosimetry {

using detail::ExactSampleStore;

namespace {

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
    : m_Store(std::make_unique<ExactSampleStore>(
          mask, std::move(seeds), calculator, gyPerCGyPerH, options, Supports(mask, options),
          "binned DVH samples kept for editing: voxels are split beyond the exact reach; expected "
          "an exact reach >= the splitting reach")),
      m_VoxelVolumeMm3(mask.Geometry().VoxelVolumeMm3()),
      m_GridMaxBound(-std::numeric_limits<float>::infinity()) {
  const GridGeometry& geometry = mask.Geometry();
  m_Grid = std::make_unique<detail::GridDose>(doseGy, geometry);
  m_Histogram = std::make_unique<detail::DoseHistogram>();
  std::size_t ordinal = 0;
  m_Store->ScanInside(
      [&](std::int64_t i, std::int64_t j, std::int64_t k, const detail::VoxelSplit& split) {
        if (m_Runs.empty() || m_Runs.back().j != j || m_Runs.back().k != k ||
            m_Runs.back().iEnd != i - 1) {
          m_Runs.push_back({j, k, i, i, ordinal});
        } else {
          m_Runs.back().iEnd = i;
        }
        if (split.exact) {
          Exact exact{ordinal, i, j, k, 0, {}};
          ExactSampleStore::SetParts(exact.parts, split);
          exact.firstSample = m_Store->Append(i, j, k, exact.parts);
          m_Exact.push_back(exact);
          m_GridValue.push_back(kExactMarker);
        } else {
          const float value = GridValue(i, j, k);
          m_GridValue.push_back(value);
          m_Histogram->Add(value, m_VoxelVolumeMm3);
          m_GridMaxBound = std::max(m_GridMaxBound, value);
        }
        ++ordinal;
      });
  if (m_Grid->Outside()) {
    throw InvalidInput("DVH: the structure mask extends outside the dose grid (" +
                       geometry.Describe() + " against " + doseGy.Geometry().Describe() +
                       "); expected a dose grid that contains the whole structure");
  }
  m_Store->ComputeDoses();
  BinExact(0, m_Store->Doses().size(), true);
}

ImplantBinnedDvhSamples::~ImplantBinnedDvhSamples() = default;

std::size_t ImplantBinnedDvhSamples::ExactSampleCount() const {
  return m_Store->Doses().size();
}

float ImplantBinnedDvhSamples::GridValue(std::int64_t i, std::int64_t j, std::int64_t k) const {
  if (m_Grid->Aligned()) {
    if (const std::optional<float> value = m_Grid->AlignedValue(i, j, k)) {
      return *value;
    }
  }
  return static_cast<float>((*m_Grid)(m_Store->CentreOf(i, j, k), detail::Index3{i, j, k}));
}

void ImplantBinnedDvhSamples::BinExact(std::size_t first, std::size_t count, bool add) {
  for (std::size_t n = first; n < first + count; ++n) {
    const double volume = m_VoxelVolumeMm3 / m_Store->Parts()[n];
    if (add) {
      m_Histogram->Add(m_Store->Doses()[n], volume);
    } else {
      m_Histogram->Remove(m_Store->Doses()[n], volume);
    }
  }
}

void ImplantBinnedDvhSamples::Update(std::vector<Seed> seeds, const std::vector<Seed>& removed,
                                     const std::vector<Seed>& added) {
  const bool changed = m_Store->BeginUpdate(std::move(seeds), removed, added);
  m_LastCompared = 0;
  m_LastResampled = 0;
  if (!changed) {
    return;
  }
  const GridGeometry& geometry = m_Store->MaskOf().Geometry();

  // 1. The exact samples: their doses move by the changed seeds' contributions, and each moves
  //    from its old bin to its new one.
  m_Store->MoveDoses(removed, added, true);
  const std::vector<float>& doses = m_Store->Doses();
  const std::vector<float>& previous = m_Store->PreviousDoses();
  for (std::size_t n = 0; n < doses.size(); ++n) {
    if (doses[n] != previous[n]) {
      const double volume = m_VoxelVolumeMm3 / m_Store->Parts()[n];
      m_Histogram->Remove(previous[n], volume);
      m_Histogram->Add(doses[n], volume);
    }
  }

  // 2. The grid samples within the cutoff of a changed seed: compared with the updated grid, row
  //    by row over the hull of the changed seeds' cutoff spheres (GridRow, as the splitter:
  //    clamped to the run in floating point before becoming indices).
  const double cutoffMm =
      m_Store->Calculator().Options().cutoffCm * 10.0 + ExactSampleStore::kReachMarginMm;
  const Volume<float>& dose = m_Grid->Dose();
  const auto& doseSize = dose.Geometry().Size();
  const detail::Index3& alignedOffset = m_Grid->AlignedOffset();
  for (const Run& run : m_Runs) {
    const GridRow row(geometry, run.j, run.k);
    GridRow::Span hull;
    for (const Eigen::Vector3d& position : m_Store->Changed()) {
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
  m_Store->PrepareResplit();
  const MaskIndexBox& box = m_Store->Box();
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
    if (!m_Store->RowNear(run.j, run.k)) {
      continue;
    }
    for (std::int64_t i = run.iBegin; i <= run.iEnd; ++i) {
      const Eigen::Vector3d centre = m_Store->CentreOf(i, run.j, run.k);
      if (!m_Store->VoxelNear(centre)) {
        continue;
      }
      if (!context || contextJ != run.j || contextK != run.k) {
        context.emplace(m_Store->SplitRow(run.j, run.k, box.lower[0], box.upper[0]));
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
        if (split.exact && ExactSampleStore::SameParts(split, exact->parts)) {
          continue;
        }
        BinExact(exact->firstSample, ExactSampleStore::PartsOf(exact->parts), false);
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
  m_Store->BeginRebuild();
  std::vector<Exact> exacts;
  exacts.reserve(m_Exact.size() + changes.size());
  auto old = m_Exact.begin();
  auto keepUpTo = [&](std::size_t ordinal) {
    for (; old != m_Exact.end() && old->ordinal < ordinal; ++old) {
      Exact kept = *old;
      kept.firstSample = m_Store->Keep(old->firstSample, ExactSampleStore::PartsOf(old->parts));
      exacts.push_back(kept);
    }
  };
  for (const Change& change : changes) {
    keepUpTo(change.ordinal);
    if (old != m_Exact.end() && old->ordinal == change.ordinal) {
      ++old; // its samples were taken out of the bins above
    }
    float& stored = m_GridValue[change.ordinal];
    if (change.split.exact) {
      Exact fresh{change.ordinal, change.i, change.j, change.k, 0, {}};
      ExactSampleStore::SetParts(fresh.parts, change.split);
      fresh.firstSample = m_Store->AppendFresh(change.i, change.j, change.k, fresh.parts);
      exacts.push_back(fresh);
      stored = kExactMarker;
    } else {
      stored = GridValue(change.i, change.j, change.k);
      m_Histogram->Add(stored, m_VoxelVolumeMm3);
      m_GridMaxBound = std::max(m_GridMaxBound, stored);
    }
  }
  keepUpTo(std::numeric_limits<std::size_t>::max());
  m_Exact = std::move(exacts);
  for (const auto& [first, count] : m_Store->FinishRebuild()) {
    BinExact(first, count, true);
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
  const std::vector<float>& doses = m_Store->Doses();
  for (std::size_t n = 0; n < doses.size(); ++n) {
    consider(doses[n], m_VoxelVolumeMm3 / m_Store->Parts()[n]);
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
