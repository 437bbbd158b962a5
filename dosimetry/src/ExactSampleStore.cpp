#include "ExactSampleStore.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/GridRow.h"

#include <algorithm>
#include <cmath>

namespace seedplan::dosimetry::detail {

ExactSampleStore::ExactSampleStore(const Mask& mask, std::vector<Seed> seeds,
                                   const DoseCalculator& calculator, double gyPerCGyPerH,
                                   const ImplantDvhOptions& options, bool supported,
                                   const char* unsupportedMessage)
    : m_Mask(mask), m_Calculator(calculator), m_Factor(gyPerCGyPerH), m_Options(options),
      m_Box(PrepareImplantMask(mask, options)), m_Seeds(std::move(seeds)) {
  if (!supported) {
    throw InvalidInput(unsupportedMessage);
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
}

Eigen::Vector3d ExactSampleStore::CentreOf(std::int64_t i, std::int64_t j, std::int64_t k) const {
  const Eigen::Vector3d rowStart = m_Mask.Geometry().IndexToPoint(0.0, double(j), double(k));
  return rowStart + double(i) * m_StepI;
}

std::size_t ExactSampleStore::AppendTo(std::int64_t i, std::int64_t j, std::int64_t k,
                                       const std::uint8_t (&parts)[3], DosePoints& points,
                                       std::vector<float>& dose,
                                       std::vector<std::uint16_t>& partCounts) const {
  const std::size_t first = dose.size();
  const Eigen::Vector3d centre = CentreOf(i, j, k);
  const std::size_t count = PartsOf(parts);
  if (count == 1) {
    points.Add(centre);
  } else {
    VoxelSplit split;
    for (int a = 0; a < 3; ++a) {
      split.parts[a] = parts[a];
    }
    ForEachPart(centre, m_StepI, m_StepJ, m_StepK, split,
                [&](const Eigen::Vector3d& point) { points.Add(point); });
  }
  dose.insert(dose.end(), count, 0.0f);
  partCounts.insert(partCounts.end(), count, static_cast<std::uint16_t>(count));
  return first;
}

std::size_t ExactSampleStore::Append(std::int64_t i, std::int64_t j, std::int64_t k,
                                     const std::uint8_t (&parts)[3]) {
  return AppendTo(i, j, k, parts, m_Points, m_Dose, m_Parts);
}

void ExactSampleStore::ComputeDoses() {
  if (!m_Points.Empty()) {
    m_Calculator.AddDoseRateAt(m_Points, m_Seeds, m_Factor, m_Dose);
  }
}

bool ExactSampleStore::BeginUpdate(std::vector<Seed> seeds, const std::vector<Seed>& removed,
                                   const std::vector<Seed>& added) {
  if (!added.empty()) {
    m_Calculator.ValidateSeeds(added);
  }
  m_Seeds = std::move(seeds);
  m_Changed.clear();
  for (const auto* list : {&removed, &added}) {
    for (const Seed& seed : *list) {
      m_Changed.push_back(seed.positionMm);
    }
  }
  return !m_Changed.empty();
}

void ExactSampleStore::MoveDoses(const std::vector<Seed>& removed, const std::vector<Seed>& added,
                                 bool keepPrevious) {
  if (m_Dose.empty()) {
    return;
  }
  if (keepPrevious) {
    m_SpareDose.assign(m_Dose.begin(), m_Dose.end());
  }
  if (!removed.empty()) {
    m_Calculator.AddDoseRateAt(m_Points, removed, -m_Factor, m_Dose);
  }
  if (!added.empty()) {
    m_Calculator.AddDoseRateAt(m_Points, added, m_Factor, m_Dose);
  }
  for (float& dose : m_Dose) {
    dose = std::max(dose, 0.0f);
  }
}

void ExactSampleStore::PrepareResplit() {
  const GridGeometry& geometry = m_Mask.Geometry();
  const double reachMm = SeedDistanceSplitter(geometry, {}, m_Options).ReachMm();
  m_CandidateMm = reachMm + kReachMarginMm;
  const double seedReachMm = reachMm + m_CandidateMm + kReachMarginMm;
  std::vector<Seed> nearSeeds;
  for (const Seed& seed : m_Seeds) {
    for (const Eigen::Vector3d& position : m_Changed) {
      if ((seed.positionMm - position).squaredNorm() <= seedReachMm * seedReachMm) {
        nearSeeds.push_back(seed);
        break;
      }
    }
  }
  m_Splitter.emplace(geometry, nearSeeds, m_Options);
}

bool ExactSampleStore::RowNear(std::int64_t j, std::int64_t k) const {
  const GridRow row(m_Mask.Geometry(), j, k);
  return std::any_of(m_Changed.begin(), m_Changed.end(), [&](const Eigen::Vector3d& position) {
    return row.ChordOf(position, m_CandidateMm).has_value();
  });
}

bool ExactSampleStore::VoxelNear(const Eigen::Vector3d& centreMm) const {
  const double candidate2 = m_CandidateMm * m_CandidateMm;
  return std::any_of(m_Changed.begin(), m_Changed.end(), [&](const Eigen::Vector3d& position) {
    return (centreMm - position).squaredNorm() <= candidate2;
  });
}

SeedDistanceSplitter::RowContext ExactSampleStore::SplitRow(std::int64_t j, std::int64_t k,
                                                            std::int64_t first,
                                                            std::int64_t last) const {
  return m_Splitter->Row(j, k, first, last);
}

void ExactSampleStore::BeginRebuild() {
  m_SparePoints.Clear();
  m_SpareDose.clear();
  m_SpareParts.clear();
  m_SpareDose.reserve(m_Dose.size());
  m_SpareParts.reserve(m_Dose.size());
  m_FreshRanges.clear();
}

std::size_t ExactSampleStore::Keep(std::size_t firstSample, std::size_t count) {
  const std::size_t kept = m_SpareDose.size();
  m_SparePoints.AppendRange(m_Points, firstSample, count);
  const auto begin = static_cast<std::ptrdiff_t>(firstSample);
  const auto end = begin + static_cast<std::ptrdiff_t>(count);
  m_SpareDose.insert(m_SpareDose.end(), m_Dose.begin() + begin, m_Dose.begin() + end);
  m_SpareParts.insert(m_SpareParts.end(), m_Parts.begin() + begin, m_Parts.begin() + end);
  return kept;
}

std::size_t ExactSampleStore::AppendFresh(std::int64_t i, std::int64_t j, std::int64_t k,
                                          const std::uint8_t (&parts)[3]) {
  const std::size_t first = AppendTo(i, j, k, parts, m_SparePoints, m_SpareDose, m_SpareParts);
  m_FreshRanges.emplace_back(first, PartsOf(parts));
  return first;
}

const std::vector<std::pair<std::size_t, std::size_t>>& ExactSampleStore::FinishRebuild() {
  std::swap(m_Points, m_SparePoints);
  std::swap(m_Dose, m_SpareDose);
  std::swap(m_Parts, m_SpareParts);
  DosePoints freshPoints(m_Points.OriginMm());
  for (const auto& [first, count] : m_FreshRanges) {
    freshPoints.AppendRange(m_Points, first, count);
  }
  std::vector<float> freshDose(freshPoints.Size(), 0.0f);
  if (!freshDose.empty()) {
    m_Calculator.AddDoseRateAt(freshPoints, m_Seeds, m_Factor, freshDose);
  }
  std::size_t n = 0;
  for (const auto& [first, count] : m_FreshRanges) {
    std::copy_n(freshDose.begin() + static_cast<std::ptrdiff_t>(n), count,
                m_Dose.begin() + static_cast<std::ptrdiff_t>(first));
    n += count;
  }
  return m_FreshRanges;
}

} // namespace seedplan::dosimetry::detail
