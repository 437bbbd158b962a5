#include "seedplan/planning/LoadingOptimizer.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/dosimetry/Dvh.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <limits>
#include <sstream>
#include <utility>

namespace seedplan::planning {

namespace {

constexpr double kMm3PerCc = 1000.0;
/// Differences below this (fractions of volume, relative excesses) are ties: the doses are floats
/// summed in double, so real improvements are far larger.
constexpr double kTieTolerance = 1e-9;
/// Price of V200 growth in the greedy gain (per unit volume fraction, against coverage gain in the
/// same unit): small, so it only decides between positions of similar coverage gain.
constexpr double kGreedyV200Price = 0.1;
/// Weight of the truncated coverage next to V100 in the local search's last key: it lets swaps
/// that make the coverage more robust win among swaps of equal V100.
constexpr double kCoverageWeight = 0.25;

/// Volume (mm^3) of a cc-based metric, or a negative value for Dmax.
double MetricVolumeMm3(const std::string& metric) {
  if (metric == "Dmax") {
    return -1.0;
  }
  if (metric == "D0_1cc") {
    return 0.1 * kMm3PerCc;
  }
  if (metric == "D1cc") {
    return 1.0 * kMm3PerCc;
  }
  if (metric == "D2cc") {
    return 2.0 * kMm3PerCc;
  }
  throw InvalidInput("organ limit metric is '" + metric +
                     "'; expected one of Dmax, D0_1cc, D1cc, D2cc");
}

std::string Fixed(double value, int decimals) {
  std::ostringstream out;
  out << std::fixed << std::setprecision(decimals) << value;
  return out.str();
}

/// An organ limit ready for evaluation.
struct LimitView {
  std::size_t first = 0;
  std::size_t count = 0;
  double sampledVolumeMm3 = 0.0;
  double totalVolumeMm3 = 0.0;
  double metricVolumeMm3 = -1.0; ///< < 0: Dmax
  double limitGy = 0.0;
};

using Sample = std::pair<double, double>; ///< dose Gy, volume mm^3

/// The organ metric on the points (dosimetry::Dvh's definition), the unsampled rest of the organ
/// being one sample colder than every sampled point; nullopt if the organ has no sampled point or
/// is smaller than the metric's volume.
template <class DoseAt>
std::optional<double> OrganMetricGy(const LimitView& limit, const DoseAt& doseGy,
                                    const std::vector<double>& volumesMm3,
                                    std::vector<Sample>& scratch) {
  if (limit.count == 0) {
    return std::nullopt;
  }
  if (limit.metricVolumeMm3 < 0.0) {
    double maximum = -std::numeric_limits<double>::infinity();
    for (std::size_t p = limit.first; p < limit.first + limit.count; ++p) {
      maximum = std::max(maximum, doseGy(p));
    }
    return maximum;
  }
  if (limit.metricVolumeMm3 > limit.totalVolumeMm3 * (1.0 + 1e-9)) {
    return std::nullopt;
  }
  scratch.clear();
  double minimumVolume = std::numeric_limits<double>::infinity();
  double minimumDose = std::numeric_limits<double>::infinity();
  for (std::size_t p = limit.first; p < limit.first + limit.count; ++p) {
    const double dose = doseGy(p);
    scratch.emplace_back(dose, volumesMm3[p]);
    minimumVolume = std::min(minimumVolume, volumesMm3[p]);
    minimumDose = std::min(minimumDose, dose);
  }
  const double restMm3 = limit.totalVolumeMm3 - limit.sampledVolumeMm3;
  if (restMm3 > 1e-9 * limit.totalVolumeMm3) {
    scratch.emplace_back(minimumDose, restMm3);
  }
  auto hotterFirst = [](const Sample& a, const Sample& b) {
    return a.first != b.first ? a.first > b.first : a.second > b.second;
  };
  // Enough of the hottest samples to reach the metric's volume and one sample beyond it.
  const double needed = std::ceil(limit.metricVolumeMm3 / minimumVolume) + 3.0;
  const std::size_t keep =
      needed >= double(scratch.size()) ? scratch.size() : static_cast<std::size_t>(needed);
  if (keep < scratch.size()) {
    std::nth_element(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(keep),
                     scratch.end(), hotterFirst);
  }
  std::sort(scratch.begin(), scratch.begin() + static_cast<std::ptrdiff_t>(keep), hotterFirst);
  // dosimetry::Dvh::DoseAtVolumeFraction on the prefix: interpolation between the midpoints of
  // the samples' cumulative-volume intervals.
  const double target = std::min(limit.metricVolumeMm3, limit.totalVolumeMm3);
  double before = 0.0;
  double previousMid = 0.0;
  double previousDose = scratch.front().first;
  for (std::size_t k = 0; k < keep; ++k) {
    const double mid = before + 0.5 * scratch[k].second;
    if (target < mid) {
      if (k == 0) {
        return scratch.front().first;
      }
      const double t = std::clamp((target - previousMid) / (mid - previousMid), 0.0, 1.0);
      return previousDose + (scratch[k].first - previousDose) * t;
    }
    before += scratch[k].second;
    previousMid = mid;
    previousDose = scratch[k].first;
  }
  return scratch[keep - 1].first;
}

/// A loading's fast summary: what the optimiser compares.
struct Score {
  double v100 = 0.0; ///< fractions of the target's sampled volume
  double v150 = 0.0;
  double v200 = 0.0;
  double coverage = 0.0; ///< volume-weighted mean of min(d / Rx, 1)
  double coverageShortfall = 0.0;
  double organExcess = 0.0; ///< sum over limits of max(0, value − limit) / limit
  double soft = 0.0;        ///< V150 and V200 excess over their goals (fractions)

  std::array<double, 4> Key(bool organLimitsFirst) const {
    const double first = organLimitsFirst ? organExcess : coverageShortfall;
    const double second = organLimitsFirst ? coverageShortfall : organExcess;
    return {first, second, soft, -(v100 + kCoverageWeight * coverage)};
  }
};

/// a < b lexicographically, components within kTieTolerance being equal.
bool KeyLess(const std::array<double, 4>& a, const std::array<double, 4>& b) {
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (a[i] < b[i] - kTieTolerance) {
      return true;
    }
    if (a[i] > b[i] + kTieTolerance) {
      return false;
    }
  }
  return false;
}

/// Evaluates loadings on the matrix's points.
class ScoreEvaluator {
public:
  ScoreEvaluator(const DoseInfluenceMatrix& matrix, const LoadingGoals& goals,
                 std::vector<LimitView> limits)
      : m_Matrix(matrix), m_Goals(goals), m_Limits(std::move(limits)) {
    for (std::size_t p = 0; p < matrix.Target().pointCount; ++p) {
      m_TargetVolumeMm3 += matrix.PointVolumesMm3()[p];
    }
  }

  /// `doseGy(p)` is the loading's dose (Gy) at point p.
  template <class DoseAt> Score Evaluate(const DoseAt& doseGy, std::vector<Sample>& scratch) const {
    Score score;
    const double rx = m_Goals.prescriptionGy;
    const auto& volumes = m_Matrix.PointVolumesMm3();
    const std::size_t targetCount = m_Matrix.Target().pointCount;
    double v100 = 0.0;
    double v150 = 0.0;
    double v200 = 0.0;
    double coverage = 0.0;
    for (std::size_t p = 0; p < targetCount; ++p) {
      const double dose = doseGy(p);
      const double w = volumes[p];
      v100 += dose >= rx ? w : 0.0;
      v150 += dose >= 1.5 * rx ? w : 0.0;
      v200 += dose >= 2.0 * rx ? w : 0.0;
      coverage += w * std::min(dose / rx, 1.0);
    }
    score.v100 = v100 / m_TargetVolumeMm3;
    score.v150 = v150 / m_TargetVolumeMm3;
    score.v200 = v200 / m_TargetVolumeMm3;
    score.coverage = coverage / m_TargetVolumeMm3;
    score.coverageShortfall = std::max(0.0, m_Goals.v100GoalPct / 100.0 - score.v100);
    score.soft = std::max(0.0, score.v150 - m_Goals.v150GoalPct / 100.0) +
                 std::max(0.0, score.v200 - m_Goals.v200GoalPct / 100.0);
    for (const LimitView& limit : m_Limits) {
      const std::optional<double> value = OrganMetricGy(limit, doseGy, volumes, scratch);
      if (value && *value > limit.limitGy) {
        score.organExcess += (*value - limit.limitGy) / limit.limitGy;
      }
    }
    return score;
  }

  const std::vector<LimitView>& Limits() const { return m_Limits; }

private:
  const DoseInfluenceMatrix& m_Matrix;
  const LoadingGoals& m_Goals;
  std::vector<LimitView> m_Limits;
  double m_TargetVolumeMm3 = 0.0;
};

std::vector<LimitView> MakeLimitViews(const DoseInfluenceMatrix& matrix,
                                      const std::vector<OrganLimitSpec>& limits,
                                      const std::vector<std::size_t>& limitOrgan) {
  std::vector<LimitView> views;
  for (std::size_t l = 0; l < limits.size(); ++l) {
    const SampledStructure& organ = matrix.Organs()[limitOrgan[l]];
    LimitView view;
    view.first = organ.firstPoint;
    view.count = organ.pointCount;
    view.sampledVolumeMm3 = organ.sampledVolumeMm3;
    view.totalVolumeMm3 = organ.totalVolumeMm3;
    view.metricVolumeMm3 = MetricVolumeMm3(limits[l].metric);
    view.limitGy = limits[l].limitGy;
    views.push_back(view);
  }
  return views;
}

ConstraintStatus LowerBound(const std::string& name, double value, double goal,
                            const std::string& unit, int decimals) {
  ConstraintStatus status;
  status.name = name;
  status.value = value;
  status.goal = goal;
  status.isUpperBound = false;
  status.met = value >= goal;
  status.description = name + " " + Fixed(value, decimals) + " " + unit +
                       (status.met ? " >= " : " < ") + Fixed(goal, decimals) + " " + unit;
  if (!status.met) {
    status.description += " (short by " + Fixed(goal - value, decimals) + " " + unit + ")";
  }
  return status;
}

ConstraintStatus UpperBound(const std::string& name, std::optional<double> value, double goal,
                            const std::string& unit, int decimals, bool hard) {
  ConstraintStatus status;
  status.name = name;
  status.value = value;
  status.goal = goal;
  status.isUpperBound = true;
  status.hard = hard;
  status.met = !value || *value <= goal;
  if (!value) {
    status.description = name +
                         " undefined (organ smaller than the metric's volume or farther "
                         "than the sampling radius from every candidate) <= " +
                         Fixed(goal, decimals) + " " + unit;
    return status;
  }
  status.description = name + " " + Fixed(*value, decimals) + " " + unit +
                       (status.met ? " <= " : " > ") + Fixed(goal, decimals) + " " + unit;
  if (!status.met) {
    status.description += " (over by " + Fixed(*value - goal, decimals) + " " + unit + ")";
  }
  if (!hard) {
    status.description += " (soft goal)";
  }
  return status;
}

} // namespace

std::vector<std::string> LoadingEvaluation::Unmet() const {
  std::vector<std::string> unmet;
  for (const ConstraintStatus& status : constraints) {
    if (!status.met) {
      unmet.push_back(status.description);
    }
  }
  return unmet;
}

LoadingOptimizer::LoadingOptimizer(const DoseInfluenceMatrix& matrix, LoadingGoals goals,
                                   std::vector<OrganLimitSpec> limits)
    : m_Matrix(&matrix), m_Goals(goals), m_Limits(std::move(limits)) {
  if (!(m_Goals.prescriptionGy > 0.0) || !std::isfinite(m_Goals.prescriptionGy)) {
    throw InvalidInput("loading optimiser: prescription is " +
                       FormatNumber(m_Goals.prescriptionGy) + " Gy; expected a dose > 0 Gy");
  }
  for (const auto& [name, value] : {std::pair<const char*, double>{"V100", m_Goals.v100GoalPct},
                                    {"V150", m_Goals.v150GoalPct},
                                    {"V200", m_Goals.v200GoalPct}}) {
    if (!(value >= 0.0 && value <= 100.0)) {
      throw InvalidInput(std::string("loading optimiser: ") + name + " goal is " +
                         FormatNumber(value) + " %; expected 0-100 %");
    }
  }
  if (!(m_Goals.swapRadiusMm >= 0.0) || !std::isfinite(m_Goals.swapRadiusMm)) {
    throw InvalidInput("loading optimiser: swap radius is " + FormatNumber(m_Goals.swapRadiusMm) +
                       " mm; expected a distance >= 0 mm");
  }
  for (const OrganLimitSpec& limit : m_Limits) {
    MetricVolumeMm3(limit.metric);
    if (!(limit.limitGy > 0.0) || !std::isfinite(limit.limitGy)) {
      throw InvalidInput("organ limit " + limit.structureName + " " + limit.metric + " is " +
                         FormatNumber(limit.limitGy) + " Gy; expected a dose > 0 Gy");
    }
    const auto& organs = matrix.Organs();
    const auto found =
        std::find_if(organs.begin(), organs.end(), [&](const SampledStructure& organ) {
          return organ.name == limit.structureName;
        });
    if (found == organs.end()) {
      throw InvalidInput("organ limit on '" + limit.structureName +
                         "': the influence matrix has no organ of that name; expected one of "
                         "the organs it was computed with");
    }
    m_LimitOrgan.push_back(static_cast<std::size_t>(found - organs.begin()));
  }
}

LoadingEvaluation LoadingOptimizer::Evaluate(const std::vector<std::size_t>& chosenIn) const {
  const DoseInfluenceMatrix& matrix = *m_Matrix;
  std::vector<std::size_t> chosen = chosenIn;
  std::sort(chosen.begin(), chosen.end());
  if (std::adjacent_find(chosen.begin(), chosen.end()) != chosen.end()) {
    throw InvalidInput("loading: a candidate is chosen twice; expected whole seeds at distinct "
                       "positions");
  }
  if (!chosen.empty() && chosen.back() >= matrix.CandidateCount()) {
    throw InvalidInput("loading: candidate " + std::to_string(chosen.back()) +
                       " does not exist; "
                       "expected an index below " +
                       std::to_string(matrix.CandidateCount()));
  }
  const std::size_t pointCount = matrix.PointCount();
  std::vector<double> dose = matrix.BackgroundDoseGy();
  for (std::size_t c : chosen) {
    const float* column = matrix.Column(c);
    for (std::size_t p = 0; p < pointCount; ++p) {
      dose[p] += column[p];
    }
  }
  LoadingEvaluation evaluation;
  evaluation.chosen = chosen;
  std::vector<dosimetry::Dvh::Sample> samples;
  samples.reserve(matrix.Target().pointCount);
  for (std::size_t p = 0; p < matrix.Target().pointCount; ++p) {
    samples.push_back({dose[p], matrix.PointVolumesMm3()[p]});
  }
  const double rx = m_Goals.prescriptionGy;
  evaluation.target =
      dosimetry::DoseMetrics::Compute(dosimetry::Dvh(std::move(samples)), rx, std::nullopt);
  evaluation.constraints.push_back(
      LowerBound("V100", evaluation.target.V100Pct, m_Goals.v100GoalPct, "%", 1));
  evaluation.constraints.push_back(LowerBound("D90", evaluation.target.D90Gy, rx, "Gy", 1));
  evaluation.constraints.push_back(
      UpperBound("V150", evaluation.target.V150Pct, m_Goals.v150GoalPct, "%", 1, false));
  evaluation.constraints.push_back(
      UpperBound("V200", evaluation.target.V200Pct, m_Goals.v200GoalPct, "%", 1, false));
  const std::vector<LimitView> views = MakeLimitViews(matrix, m_Limits, m_LimitOrgan);
  std::vector<Sample> scratch;
  for (std::size_t l = 0; l < m_Limits.size(); ++l) {
    const std::optional<double> value = OrganMetricGy(
        views[l], [&dose](std::size_t p) { return dose[p]; }, matrix.PointVolumesMm3(), scratch);
    ConstraintStatus status = UpperBound(m_Limits[l].structureName + " " + m_Limits[l].metric,
                                         value, m_Limits[l].limitGy, "Gy", 1, true);
    evaluation.organs.push_back(status);
    evaluation.constraints.push_back(status);
  }
  evaluation.feasible =
      std::all_of(evaluation.constraints.begin(), evaluation.constraints.end(),
                  [](const ConstraintStatus& status) { return !status.hard || status.met; });
  return evaluation;
}

LoadingResult LoadingOptimizer::Optimize() const {
  const auto start = std::chrono::steady_clock::now();
  const DoseInfluenceMatrix& matrix = *m_Matrix;
  const ScoreEvaluator evaluator(matrix, m_Goals, MakeLimitViews(matrix, m_Limits, m_LimitOrgan));
  const std::size_t candidateCount = matrix.CandidateCount();
  const bool organFirst = m_Goals.organLimitsFirst;

  std::vector<double> dose = matrix.BackgroundDoseGy();
  std::vector<char> isChosen(candidateCount, 0);
  std::vector<std::size_t> chosen;
  std::vector<Sample> scratch;
  auto evaluateCurrent = [&] {
    return evaluator.Evaluate([&dose](std::size_t p) { return dose[p]; }, scratch);
  };
  Score current = evaluateCurrent();
  LoadingResult result;
  auto addColumn = [&](std::size_t c, double sign) {
    const float* column = matrix.Column(c);
    for (std::size_t p = 0; p < dose.size(); ++p) {
      dose[p] += sign * column[p];
    }
  };

  // 1. Greedy addition, lazily: a candidate's gain only shrinks as dose is added (the truncated
  // coverage is submodular, the hot-spot prices grow), so last round's gains bound this round's;
  // the best bound is re-evaluated until it stays the best. The first round is evaluated in
  // parallel; ties go to the lower index.
  constexpr double kBlocked = -std::numeric_limits<double>::infinity();
  auto gainOf = [&](std::size_t c, std::vector<Sample>& threadScratch) {
    const float* column = matrix.Column(c);
    const Score after = evaluator.Evaluate(
        [&](std::size_t p) { return dose[p] + double(column[p]); }, threadScratch);
    const double coverageGain = after.coverage - current.coverage;
    const double organGrowth = after.organExcess - current.organExcess;
    if (!(coverageGain > kTieTolerance) || (organFirst && organGrowth > kTieTolerance)) {
      return kBlocked;
    }
    return coverageGain - (after.soft - current.soft) -
           kGreedyV200Price * (after.v200 - current.v200) - (organFirst ? 0.0 : organGrowth);
  };
  std::vector<double> bound(candidateCount, kBlocked);
  if (current.coverageShortfall > 0.0) {
    const std::int64_t count = static_cast<std::int64_t>(candidateCount);
#pragma omp parallel
    {
      std::vector<Sample> threadScratch;
#pragma omp for schedule(dynamic)
      for (std::int64_t c = 0; c < count; ++c) {
        bound[static_cast<std::size_t>(c)] = gainOf(static_cast<std::size_t>(c), threadScratch);
      }
    }
  }
  std::vector<char> fresh(candidateCount, 1);
  while (current.coverageShortfall > 0.0 && result.iterations < m_Goals.maximumIterations) {
    std::size_t best = candidateCount;
    for (;;) {
      best = candidateCount;
      for (std::size_t c = 0; c < candidateCount; ++c) {
        if (bound[c] > kBlocked && (best == candidateCount || bound[c] > bound[best])) {
          best = c;
        }
      }
      if (best == candidateCount || fresh[best]) {
        break;
      }
      bound[best] = gainOf(best, scratch);
      fresh[best] = 1;
    }
    if (best == candidateCount) {
      break;
    }
    isChosen[best] = 1;
    bound[best] = kBlocked;
    chosen.push_back(best);
    addColumn(best, 1.0);
    current = evaluateCurrent();
    std::fill(fresh.begin(), fresh.end(), 0);
    ++result.greedyAdditions;
    ++result.iterations;
  }

  // Neighbours for swaps: candidates within the swap radius.
  std::vector<std::vector<std::size_t>> neighbours(candidateCount);
  const double radius2 = m_Goals.swapRadiusMm * m_Goals.swapRadiusMm;
  for (std::size_t a = 0; a < candidateCount; ++a) {
    for (std::size_t b = 0; b < candidateCount; ++b) {
      if (a != b &&
          (matrix.Candidates()[a].positionMm - matrix.Candidates()[b].positionMm).squaredNorm() <=
              radius2) {
        neighbours[a].push_back(b);
      }
    }
  }

  // 2. Local search: the best removal that keeps the hard constraints, else (constraints unmet)
  // the best addition that lowers the hard violation, else the best improving swap. Moves are
  // evaluated in parallel into per-move slots and reduced in index order.
  while (result.iterations < m_Goals.maximumIterations) {
    const auto currentKey = current.Key(organFirst);
    std::sort(chosen.begin(), chosen.end());
    const std::int64_t chosenCount = static_cast<std::int64_t>(chosen.size());
    std::vector<std::array<double, 4>> removalKeys(chosen.size());
#pragma omp parallel
    {
      std::vector<Sample> threadScratch;
#pragma omp for schedule(dynamic)
      for (std::int64_t s = 0; s < chosenCount; ++s) {
        const float* column = matrix.Column(chosen[static_cast<std::size_t>(s)]);
        removalKeys[static_cast<std::size_t>(s)] =
            evaluator
                .Evaluate([&](std::size_t p) { return dose[p] - double(column[p]); }, threadScratch)
                .Key(organFirst);
      }
    }
    std::size_t bestRemoval = chosen.size();
    for (std::size_t s = 0; s < chosen.size(); ++s) {
      const auto& key = removalKeys[s];
      const bool keepsHard =
          key[0] <= currentKey[0] + kTieTolerance && key[1] <= currentKey[1] + kTieTolerance;
      if (keepsHard && (bestRemoval == chosen.size() || KeyLess(key, removalKeys[bestRemoval]))) {
        bestRemoval = s;
      }
    }
    if (bestRemoval < chosen.size()) {
      const std::size_t removed = chosen[bestRemoval];
      addColumn(removed, -1.0);
      isChosen[removed] = 0;
      chosen.erase(chosen.begin() + static_cast<std::ptrdiff_t>(bestRemoval));
      current = evaluateCurrent();
      ++result.removals;
      ++result.iterations;
      continue;
    }

    // While a hard constraint is unmet, an addition that improves the key comes next (after
    // swaps have moved seeds away from an organ, a position the greedy refused may fit).
    if (currentKey[0] > 0.0 || currentKey[1] > 0.0) {
      const std::int64_t count = static_cast<std::int64_t>(candidateCount);
      std::vector<std::array<double, 4>> addKeys(candidateCount);
#pragma omp parallel
      {
        std::vector<Sample> threadScratch;
#pragma omp for schedule(dynamic)
        for (std::int64_t c = 0; c < count; ++c) {
          if (isChosen[static_cast<std::size_t>(c)]) {
            continue;
          }
          const float* column = matrix.Column(static_cast<std::size_t>(c));
          addKeys[static_cast<std::size_t>(c)] =
              evaluator
                  .Evaluate([&](std::size_t p) { return dose[p] + double(column[p]); },
                            threadScratch)
                  .Key(organFirst);
        }
      }
      std::size_t bestAdd = candidateCount;
      for (std::size_t c = 0; c < candidateCount; ++c) {
        const auto& key = addKeys[c];
        const bool improvesHard =
            KeyLess({key[0], key[1], 0.0, 0.0}, {currentKey[0], currentKey[1], 0.0, 0.0});
        if (!isChosen[c] && improvesHard &&
            (bestAdd == candidateCount || KeyLess(key, addKeys[bestAdd]))) {
          bestAdd = c;
        }
      }
      if (bestAdd < candidateCount) {
        isChosen[bestAdd] = 1;
        chosen.push_back(bestAdd);
        addColumn(bestAdd, 1.0);
        current = evaluateCurrent();
        ++result.additions;
        ++result.iterations;
        continue;
      }
    }

    std::vector<std::pair<std::size_t, std::size_t>> moves;
    for (std::size_t s : chosen) {
      for (std::size_t c : neighbours[s]) {
        if (!isChosen[c]) {
          moves.emplace_back(s, c);
        }
      }
    }
    const std::int64_t moveCount = static_cast<std::int64_t>(moves.size());
    std::vector<std::array<double, 4>> moveKeys(moves.size());
#pragma omp parallel
    {
      std::vector<Sample> threadScratch;
#pragma omp for schedule(dynamic)
      for (std::int64_t m = 0; m < moveCount; ++m) {
        const auto [out, in] = moves[static_cast<std::size_t>(m)];
        const float* outColumn = matrix.Column(out);
        const float* inColumn = matrix.Column(in);
        moveKeys[static_cast<std::size_t>(m)] =
            evaluator
                .Evaluate(
                    [&](std::size_t p) {
                      return dose[p] - double(outColumn[p]) + double(inColumn[p]);
                    },
                    threadScratch)
                .Key(organFirst);
      }
    }
    std::size_t bestMove = moves.size();
    for (std::size_t m = 0; m < moves.size(); ++m) {
      if (KeyLess(moveKeys[m], currentKey) &&
          (bestMove == moves.size() || KeyLess(moveKeys[m], moveKeys[bestMove]))) {
        bestMove = m;
      }
    }
    if (bestMove == moves.size()) {
      break;
    }
    const auto [out, in] = moves[bestMove];
    addColumn(out, -1.0);
    addColumn(in, 1.0);
    isChosen[out] = 0;
    isChosen[in] = 1;
    *std::find(chosen.begin(), chosen.end(), out) = in;
    current = evaluateCurrent();
    ++result.swaps;
    ++result.iterations;
  }

  result.predicted = Evaluate(chosen);
  for (std::size_t c : result.predicted.chosen) {
    result.seeds.push_back(matrix.Candidates()[c]);
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return result;
}

} // namespace seedplan::planning
