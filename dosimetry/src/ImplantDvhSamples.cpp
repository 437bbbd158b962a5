#include "seedplan/dosimetry/ImplantDvhSamples.h"

#include "ExactSampleStore.h"

#include <optional>
#include <utility>

namespace seedplan::dosimetry {

using detail::ExactSampleStore;

ImplantDvhSamples::ImplantDvhSamples(const Mask& mask, std::vector<Seed> seeds,
                                     const DoseCalculator& calculator, double gyPerCGyPerH,
                                     const ImplantDvhOptions& options)
    : m_Store(std::make_unique<ExactSampleStore>(
          mask, std::move(seeds), calculator, gyPerCGyPerH, options, options.exactEverywhere,
          "DVH samples kept for editing: every sample takes the exact dose; expected "
          "exactEverywhere sampling (binned structures are recomputed instead)")) {
  m_Store->ScanInside(
      [&](std::int64_t i, std::int64_t j, std::int64_t k, const detail::VoxelSplit& split) {
        if (m_Rows.empty() || m_Rows.back().j != j || m_Rows.back().k != k) {
          m_Rows.push_back({j, k, m_Voxels.size(), 0});
        }
        Voxel voxel{i, 0, {}};
        ExactSampleStore::SetParts(voxel.parts, split);
        voxel.firstSample = m_Store->Append(i, j, k, voxel.parts);
        m_Voxels.push_back(voxel);
        ++m_Rows.back().voxelCount;
      });
  m_Store->ComputeDoses();
}

ImplantDvhSamples::~ImplantDvhSamples() = default;

std::size_t ImplantDvhSamples::SampleCount() const {
  return m_Store->Doses().size();
}

void ImplantDvhSamples::Update(std::vector<Seed> seeds, const std::vector<Seed>& removed,
                               const std::vector<Seed>& added) {
  const bool changed = m_Store->BeginUpdate(std::move(seeds), removed, added);
  m_LastChecked = 0;
  m_LastResampled = 0;
  if (!changed) {
    return;
  }
  // 1. The doses: every sample moves by the changed seeds' contributions.
  m_Store->MoveDoses(removed, added, false);

  // 2. The splits: only voxels within the splitter's reach of a changed seed.
  m_Store->PrepareResplit();
  std::vector<std::pair<std::size_t, detail::VoxelSplit>> resplit;
  for (const Row& row : m_Rows) {
    if (!m_Store->RowNear(row.j, row.k)) {
      continue;
    }
    std::optional<detail::SeedDistanceSplitter::RowContext> context;
    for (std::size_t v = row.firstVoxel; v < row.firstVoxel + row.voxelCount; ++v) {
      const Voxel& voxel = m_Voxels[v];
      const Eigen::Vector3d centre = m_Store->CentreOf(voxel.i, row.j, row.k);
      if (!m_Store->VoxelNear(centre)) {
        continue;
      }
      if (!context) {
        context.emplace(m_Store->SplitRow(row.j, row.k, m_Voxels[row.firstVoxel].i,
                                          m_Voxels[row.firstVoxel + row.voxelCount - 1].i));
      }
      ++m_LastChecked;
      const detail::VoxelSplit split = context->Split(voxel.i, centre, false);
      if (!ExactSampleStore::SameParts(split, voxel.parts)) {
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
  m_Store->BeginRebuild();
  std::size_t next = 0;
  for (const Row& row : m_Rows) {
    for (std::size_t v = row.firstVoxel; v < row.firstVoxel + row.voxelCount; ++v) {
      Voxel& voxel = m_Voxels[v];
      if (next < resplit.size() && resplit[next].first == v) {
        ExactSampleStore::SetParts(voxel.parts, resplit[next].second);
        voxel.firstSample = m_Store->AppendFresh(voxel.i, row.j, row.k, voxel.parts);
        ++next;
      } else {
        voxel.firstSample =
            m_Store->Keep(voxel.firstSample, ExactSampleStore::PartsOf(voxel.parts));
      }
    }
  }
  m_Store->FinishRebuild();
}

Dvh ImplantDvhSamples::ToDvh() const {
  return Dvh::FromVoxelSamples(m_Store->Doses(), m_Store->Parts(), m_Store->VoxelVolumeMm3());
}

} // namespace seedplan::dosimetry
