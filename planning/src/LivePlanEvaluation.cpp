#include "seedplan/planning/LivePlanEvaluation.h"

#include "StructureEvaluation.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/GridRow.h"
#include "seedplan/core/MaskIndexBox.h"
#include "seedplan/dosimetry/ImplantDose.h"

#include <algorithm>
#include <cmath>
#include <exception>
#include <limits>
#include <utility>

namespace seedplan::planning {

using detail::CalculationOf;
using detail::CheckPrescriptions;
using detail::EvaluateStructure;
using detail::StructureContext;
using detail::TotalDoseFactor;

LivePlanEvaluation::LivePlanEvaluation(Plan plan, const imaging::StructureSet& structures,
                                       const GridGeometry& grid,
                                       const dosimetry::SourceLibrary& library,
                                       EvaluationOptions options)
    : m_Plan(std::move(plan)), m_Structures(structures), m_Library(library),
      m_Options(std::move(options)) {
  CheckPrescriptions(m_Plan, m_Structures);
  auto engine = dosimetry::ImplantDose::MakeEngine(m_Plan.seeds, m_Library, m_Plan.seedModel,
                                                   CalculationOf(m_Plan));
  m_Calculator = std::move(engine.calculator);
  m_GyPerCGyPerH = TotalDoseFactor(engine.halfLifeDays);
  m_DoseGy = PlanEvaluator::TotalDose(m_Plan, grid, m_Library);
  m_Cache.resize(m_Structures.structures.size());
  m_Samples.resize(m_Structures.structures.size());
  // The masks do not change while editing: their boxes and inside voxels are found once, not at
  // every step (each is a scan of a whole CT-sized mask).
  m_Boxes.reserve(m_Structures.structures.size());
  m_InsideVoxels.reserve(m_Structures.structures.size());
  for (const auto& structure : m_Structures.structures) {
    m_Boxes.push_back(MaskIndexBox::Of(structure.mask));
    m_InsideVoxels.push_back(detail::InsideVoxels(structure.mask));
  }
}

LivePlanEvaluation::~LivePlanEvaluation() = default;

void LivePlanEvaluation::ReplaceSeed(std::size_t index, const Seed& seed) {
  if (index >= m_Plan.seeds.size()) {
    throw InvalidInput("seed " + std::to_string(index + 1) + " does not exist; the plan has " +
                       std::to_string(m_Plan.seeds.size()) + " seeds");
  }
  m_Calculator->ValidateSeeds({seed});
  const Seed old = m_Plan.seeds[index];
  m_Plan.seeds[index] = seed;
  Changed({old}, {seed});
}

void LivePlanEvaluation::AddSeed(const Seed& seed) {
  m_Calculator->ValidateSeeds({seed});
  m_Plan.seeds.push_back(seed);
  Changed({}, {seed});
}

void LivePlanEvaluation::RemoveSeed(std::size_t index) {
  if (index >= m_Plan.seeds.size()) {
    throw InvalidInput("seed " + std::to_string(index + 1) + " does not exist; the plan has " +
                       std::to_string(m_Plan.seeds.size()) + " seeds");
  }
  const Seed old = m_Plan.seeds[index];
  m_Plan.seeds.erase(m_Plan.seeds.begin() + static_cast<std::ptrdiff_t>(index));
  Changed({old}, {});
}

void LivePlanEvaluation::ChangeSeeds(std::vector<Seed> seeds, const std::vector<Seed>& removed,
                                     const std::vector<Seed>& added) {
  if (!added.empty()) {
    m_Calculator->ValidateSeeds(added);
  }
  m_Plan.seeds = std::move(seeds);
  Changed(removed, added);
}

std::vector<std::string> LivePlanEvaluation::StaleStructures() const {
  std::vector<std::string> names;
  for (std::size_t s = 0; s < m_Cache.size(); ++s) {
    if (!m_Cache[s]) {
      names.push_back(m_Structures.structures[s].name);
    }
  }
  return names;
}

void LivePlanEvaluation::Changed(const std::vector<Seed>& removed, const std::vector<Seed>& added) {
  // The grid: only the voxels within the cutoff of the old and new positions.
  if (!removed.empty()) {
    m_Calculator->AddDoseRate(m_DoseGy, removed, -m_GyPerCGyPerH);
  }
  if (!added.empty()) {
    m_Calculator->AddDoseRate(m_DoseGy, added, m_GyPerCGyPerH);
  }
  for (const auto* seeds : {&removed, &added}) {
    for (const Seed& seed : *seeds) {
      m_UncopiedChanges.push_back(seed.positionMm);
    }
  }
  // A structure's metrics depend on the seeds within the cutoff of it (its samples' doses), within
  // the splitting reach of it (its samples' split: ~h/relativeSpacing) and on the grid within the
  // isodose reach of it (V_ref): keep those of structures beyond all three.
  for (std::size_t s = 0; s < m_Cache.size(); ++s) {
    if (!m_Cache[s] && !m_Samples[s].Kept()) {
      continue;
    }
    const Mask& mask = m_Structures.structures[s].mask;
    const Eigen::Vector3d& spacing = mask.Geometry().SpacingMm();
    const double splitReachMm =
        spacing.maxCoeff() / m_Options.sampling.relativeSpacing + spacing.norm() + 1.0;
    const double reachMm =
        std::max(m_Plan.engine.cutoffCm * 10.0 + m_Options.isodoseReachMm, splitReachMm);
    const std::optional<MaskIndexBox>& box = m_Boxes[s];
    bool affected = !box.has_value();
    for (const auto* seeds : {&removed, &added}) {
      for (const Seed& seed : *seeds) {
        if (affected || !box) {
          break;
        }
        // Distance from the seed to the mask's box (in the mask's index frame, scaled to mm).
        const Eigen::Vector3d index = mask.Geometry().PointToContinuousIndex(seed.positionMm);
        double distance2 = 0.0;
        for (int a = 0; a < 3; ++a) {
          const double below = double(box->lower[static_cast<std::size_t>(a)]) - 0.5 - index[a];
          const double above = index[a] - double(box->upper[static_cast<std::size_t>(a)]) - 0.5;
          const double outside = std::max({0.0, below, above}) * mask.Geometry().SpacingMm()[a];
          distance2 += outside * outside;
        }
        affected = distance2 <= reachMm * reachMm;
      }
    }
    if (!affected) {
      continue;
    }
    m_Cache[s].reset();
    LiveSamples& live = m_Samples[s];
    if (!live.Kept()) {
      continue;
    }
    live.pendingRemoved.insert(live.pendingRemoved.end(), removed.begin(), removed.end());
    live.pendingAdded.insert(live.pendingAdded.end(), added.begin(), added.end());
    // Each pending seed costs one seed's dose at every sample: beyond about as many as the plan
    // has, sampling afresh is cheaper.
    if (live.pendingRemoved.size() + live.pendingAdded.size() > m_Plan.seeds.size() + 8) {
      live = LiveSamples{};
    }
  }
}

void LivePlanEvaluation::CopyDoseChangesInto(Volume<float>& copy) {
  // Beyond a few dozen changed seeds the spheres cover most of the grid: copy it whole.
  constexpr std::size_t kMostChangedSeeds = 32;
  const GridGeometry& geometry = m_DoseGy.Geometry();
  if (copy.Geometry().Size() != geometry.Size() || copy.Data().size() != m_DoseGy.Data().size() ||
      m_UncopiedChanges.size() > kMostChangedSeeds) {
    copy = m_DoseGy;
    m_UncopiedChanges.clear();
    return;
  }
  // The voxels AddDoseRate touched lie within the cutoff of a changed seed: per row the hull of
  // the spheres' chords rounded outward (GridRow: clamped to the row before becoming indices),
  // with a voxel of margin in the reach.
  const auto& size = geometry.Size();
  const double reachMm = m_Plan.engine.cutoffCm * 10.0 + geometry.SpacingMm().norm();
  double lowK = std::numeric_limits<double>::infinity(), highK = -lowK;
  double lowJ = lowK, highJ = -lowK;
  for (const Eigen::Vector3d& position : m_UncopiedChanges) {
    const Eigen::Vector3d index = geometry.PointToContinuousIndex(position);
    lowJ = std::min(lowJ, index.y() - reachMm / geometry.SpacingMm().y());
    highJ = std::max(highJ, index.y() + reachMm / geometry.SpacingMm().y());
    lowK = std::min(lowK, index.z() - reachMm / geometry.SpacingMm().z());
    highK = std::max(highK, index.z() + reachMm / geometry.SpacingMm().z());
  }
  const auto firstK = static_cast<std::int64_t>(std::clamp(std::floor(lowK), 0.0, double(size[2])));
  const auto lastK =
      static_cast<std::int64_t>(std::clamp(std::ceil(highK), -1.0, double(size[2] - 1)));
  const auto firstJ = static_cast<std::int64_t>(std::clamp(std::floor(lowJ), 0.0, double(size[1])));
  const auto lastJ =
      static_cast<std::int64_t>(std::clamp(std::ceil(highJ), -1.0, double(size[1] - 1)));
  const float* from = m_DoseGy.Data().data();
  float* to = copy.Data().data();
  for (std::int64_t k = firstK; k <= lastK; ++k) {
    for (std::int64_t j = firstJ; j <= lastJ; ++j) {
      const GridRow gridRow(geometry, j, k);
      GridRow::Span hull;
      for (const Eigen::Vector3d& position : m_UncopiedChanges) {
        if (const std::optional<GridRow::Chord> chord = gridRow.ChordOf(position, reachMm)) {
          hull.Include(chord->Enclosing());
        }
      }
      const std::optional<GridRow::Indices> span = hull.Within(0, size[0] - 1);
      if (!span) {
        continue;
      }
      const std::size_t row = static_cast<std::size_t>(size[0] * (j + size[1] * k));
      std::copy(from + row + static_cast<std::size_t>(span->first),
                from + row + static_cast<std::size_t>(span->last) + 1,
                to + row + static_cast<std::size_t>(span->first));
    }
  }
  m_UncopiedChanges.clear();
}

std::size_t LivePlanEvaluation::IndexOf(const std::string& structureName) const {
  for (std::size_t s = 0; s < m_Structures.structures.size(); ++s) {
    if (m_Structures.structures[s].name == structureName) {
      return s;
    }
  }
  throw InvalidInput("structure '" + structureName + "' is not in the structure set");
}

const LivePlanEvaluation::Cached& LivePlanEvaluation::Ensure(std::size_t structure) {
  if (!m_Cache[structure]) {
    const StructureContext context{m_Plan,         m_Structures, m_Options,      *m_Calculator,
                                   m_GyPerCGyPerH, m_DoseGy,     &m_InsideVoxels};
    Cached entry;
    const dosimetry::ImplantDvhOptions sampling = detail::SamplingOf(context, structure);
    const imaging::Structure& mask = m_Structures.structures[structure];
    const bool binned = !sampling.exactEverywhere;
    if (binned && !dosimetry::ImplantBinnedDvhSamples::Supports(mask.mask, sampling)) {
      EvaluateStructure(context, structure, entry.metrics, entry.curve);
    } else {
      LiveSamples& live = m_Samples[structure];
      try {
        if (!live.Kept()) {
          if (binned) {
            live.binned = std::make_unique<dosimetry::ImplantBinnedDvhSamples>(
                mask.mask, m_Plan.seeds, *m_Calculator, m_GyPerCGyPerH, m_DoseGy, sampling);
          } else {
            live.samples = std::make_unique<dosimetry::ImplantDvhSamples>(
                mask.mask, m_Plan.seeds, *m_Calculator, m_GyPerCGyPerH, sampling);
          }
        } else if (!live.pendingRemoved.empty() || !live.pendingAdded.empty()) {
          if (live.binned) {
            live.binned->Update(m_Plan.seeds, live.pendingRemoved, live.pendingAdded);
          } else {
            live.samples->Update(m_Plan.seeds, live.pendingRemoved, live.pendingAdded);
          }
        }
        live.pendingRemoved.clear();
        live.pendingAdded.clear();
      } catch (const InvalidInput& error) {
        live = LiveSamples{};
        throw InvalidInput("structure '" + mask.name + "': " + error.what());
      } catch (...) {
        live = LiveSamples{};
        throw;
      }
      detail::EvaluateStructureFrom(context, structure,
                                    live.binned ? live.binned->ToDvh() : live.samples->ToDvh(),
                                    entry.metrics, entry.curve);
    }
    m_Cache[structure] = std::move(entry);
  }
  return *m_Cache[structure];
}

StructureMetrics LivePlanEvaluation::Metrics(const std::string& structureName) {
  return Ensure(IndexOf(structureName)).metrics;
}

StructureDvhCurve LivePlanEvaluation::Curve(const std::string& structureName) {
  return Ensure(IndexOf(structureName)).curve;
}

PlanEvaluation LivePlanEvaluation::EvaluateAll() {
  // The stale structures are brought up to date side by side, the largest first (one thread
  // each; the engine's own parallel loops run inside as one thread): a step leaves a dozen
  // structures of very different sizes, most too small to keep two threads busy, and a parallel
  // loop per small structure costs more in joining threads than it saves (~1/3 of the CPU of an
  // every-structure step was threads waiting, issue 14). Each structure's entries are its own.
  std::vector<std::size_t> stale;
  for (std::size_t s = 0; s < m_Cache.size(); ++s) {
    if (!m_Cache[s]) {
      stale.push_back(s);
    }
  }
  std::stable_sort(stale.begin(), stale.end(), [this](std::size_t a, std::size_t b) {
    return m_InsideVoxels[a] > m_InsideVoxels[b];
  });
  std::exception_ptr failure;
  const auto count = static_cast<std::int64_t>(stale.size());
#pragma omp parallel for schedule(dynamic, 1) if (count > 1)
  for (std::int64_t n = 0; n < count; ++n) {
    try {
      Ensure(stale[static_cast<std::size_t>(n)]);
    } catch (...) {
#pragma omp critical(seedplan_live_failure)
      if (!failure) {
        failure = std::current_exception();
      }
    }
  }
  if (failure) {
    std::rethrow_exception(failure);
  }
  PlanEvaluation evaluation;
  for (std::size_t s = 0; s < m_Structures.structures.size(); ++s) {
    const Cached& entry = Ensure(s);
    evaluation.metrics.push_back(entry.metrics);
    evaluation.curves.push_back(entry.curve);
  }
  evaluation.limits = PlanEvaluator::CheckLimits(evaluation.metrics, m_Plan.limits);
  return evaluation;
}

} // namespace seedplan::planning
