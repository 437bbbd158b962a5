#include "seedplan/planning/NeedlePlanner.h"

#include "MaskLookup.h"

#include "seedplan/core/Error.h"

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <optional>
#include <set>

namespace seedplan::planning {

namespace {

/// One layout of parallel needles and what it achieves.
struct Layout {
  NeedlePlan plan;
  double acceptedChordMm = 0.0;
  double totalChordMm = 0.0;
  double meanCostMm = 0.0;
};

/// The target as the layout needs it: its voxel centres and the point needles aim at.
struct TargetGeometry {
  std::vector<Eigen::Vector3d> points;
  Eigen::Vector3d centroidMm = Eigen::Vector3d::Zero();
  Eigen::Vector3d aimMm = Eigen::Vector3d::Zero(); ///< the centroid, or the nearest target voxel
};

TargetGeometry DescribeTarget(const TrajectoryCheck& check) {
  TargetGeometry target;
  target.points = check.TargetPoints();
  for (const auto& point : target.points) {
    target.centroidMm += point;
  }
  target.centroidMm /= static_cast<double>(target.points.size());
  target.aimMm = target.centroidMm;
  if (!check.InTarget(target.centroidMm)) {
    // A hollow or curved target: aim at its voxel nearest to the centroid.
    target.aimMm = *std::min_element(target.points.begin(), target.points.end(),
                                     [&](const Eigen::Vector3d& a, const Eigen::Vector3d& b) {
                                       return (a - target.centroidMm).squaredNorm() <
                                              (b - target.centroidMm).squaredNorm();
                                     });
  }
  return target;
}

std::string FormatDirection(const Eigen::Vector3d& direction) {
  char buffer[64];
  std::snprintf(buffer, sizeof(buffer), "(%.3f, %.3f, %.3f)", direction.x(), direction.y(),
                direction.z());
  return buffer;
}

/// Where a needle that reaches `insideMm` travelling along `direction` enters the body: the
/// first point outside the BODY met going backward from `insideMm` (within one sample step of
/// the skin).
Eigen::Vector3d SkinEntry(const TrajectoryCheck& check, const Eigen::Vector3d& insideMm,
                          const Eigen::Vector3d& direction) {
  const double stepMm = check.SampleStepMm();
  const double reachMm = check.BodyReachMm(insideMm) + stepMm;
  double backMm = stepMm;
  while (backMm < reachMm && check.InBody(insideMm - backMm * direction)) {
    backMm += stepMm;
  }
  return insideMm - backMm * direction;
}

/// Parallel needles along `direction` on a square lattice of `spacingMm` with a node on the
/// target's centroid (see NeedlePlanner).
Layout LayOut(const TrajectoryCheck& check, const TargetGeometry& target,
              const Eigen::Vector3d& direction, double spacingMm,
              const NeedleLayoutOptions& options) {
  const Eigen::Vector3d normal = direction.normalized();
  const Eigen::Vector3d u = normal.unitOrthogonal();
  const Eigen::Vector3d v = normal.cross(u);
  double aMin = 0.0;
  double aMax = 0.0;
  double bMin = 0.0;
  double bMax = 0.0;
  double tMin = 0.0;
  double tMax = 0.0;
  for (const auto& point : target.points) {
    const Eigen::Vector3d offset = point - target.centroidMm;
    aMin = std::min(aMin, offset.dot(u));
    aMax = std::max(aMax, offset.dot(u));
    bMin = std::min(bMin, offset.dot(v));
    bMax = std::max(bMax, offset.dot(v));
    tMin = std::min(tMin, offset.dot(normal));
    tMax = std::max(tMax, offset.dot(normal));
  }
  const double stepMm = check.SampleStepMm();
  const double paddingMm = 2.0; // beyond the voxel centres: the voxels' own half-width and more
  const auto iLow = static_cast<int>(std::floor((aMin - paddingMm) / spacingMm)) - 1;
  const auto iHigh = static_cast<int>(std::ceil((aMax + paddingMm) / spacingMm));
  const auto jLow = static_cast<int>(std::floor((bMin - paddingMm) / spacingMm)) - 1;
  const auto jHigh = static_cast<int>(std::ceil((bMax + paddingMm) / spacingMm));
  const auto sampleCount = static_cast<int>(std::ceil((tMax - tMin + 2.0 * paddingMm) / stepMm));

  // The chords of the lattice lines through the target, for a lattice with a node on the
  // centroid or shifted by half a spacing along u, v or both; the lattice that keeps the most
  // lines (then the most chord) wins: for a small lesion, four needles around the centre beat
  // one through it and four grazing its edge.
  struct Chord {
    Eigen::Vector3d originMm;
    double firstMm;
    double lastMm;
  };
  std::vector<Chord> chords;
  double chordSumMm = 0.0;
  for (const auto& [shiftU, shiftV] :
       {std::pair{0.0, 0.0}, std::pair{0.5, 0.0}, std::pair{0.0, 0.5}, std::pair{0.5, 0.5}}) {
    std::vector<Chord> shifted;
    double shiftedSumMm = 0.0;
    for (int j = jLow; j <= jHigh; ++j) {
      for (int i = iLow; i <= iHigh; ++i) {
        const Eigen::Vector3d lineOrigin =
            target.centroidMm + ((i + shiftU) * spacingMm) * u + ((j + shiftV) * spacingMm) * v;
        double firstMm = 0.0;
        double lastMm = 0.0;
        int insideCount = 0;
        for (int s = 0; s <= sampleCount; ++s) {
          const double alongMm = tMin - paddingMm + s * stepMm;
          if (check.InTarget(lineOrigin + alongMm * normal)) {
            if (insideCount == 0) {
              firstMm = alongMm;
            }
            lastMm = alongMm;
            ++insideCount;
          }
        }
        if (insideCount * stepMm >= options.minChordMm) {
          shifted.push_back({lineOrigin, firstMm, lastMm});
          shiftedSumMm += lastMm - firstMm + stepMm;
        }
      }
    }
    if (shifted.size() > chords.size() ||
        (shifted.size() == chords.size() && shiftedSumMm > chordSumMm + 1e-9)) {
      chords = std::move(shifted);
      chordSumMm = shiftedSumMm;
    }
  }

  Layout layout;
  layout.plan.direction = normal;
  double costSumMm = 0.0;
  int needleNumber = 0;
  for (const Chord& chord : chords) {
    const Eigen::Vector3d& lineOrigin = chord.originMm;
    const double firstMm = chord.firstMm;
    const double lastMm = chord.lastMm;
    const double chordMm = lastMm - firstMm + stepMm;
    layout.totalChordMm += chordMm;
    const double farEndMm = lastMm + 0.5 * stepMm;
    double tipAlongMm = std::max(farEndMm - options.tipInsetMm, 0.5 * (firstMm + lastMm));
    if (!check.InTarget(lineOrigin + tipAlongMm * normal)) {
      tipAlongMm = lastMm;
    }
    Needle needle;
    needle.id = check.TargetName() + "-N" + std::to_string(++needleNumber);
    needle.targetName = check.TargetName();
    needle.tipMm = lineOrigin + tipAlongMm * normal;
    needle.entryMm = SkinEntry(check, lineOrigin + firstMm * normal, normal);
    const TrajectoryReport report = check.Evaluate(needle.entryMm, needle.tipMm);
    needle.depthMm = report.depthMm;
    needle.tissuesCrossed = report.tissuesCrossed;
    needle.passThroughLengthMm = report.passThroughLengthMm;
    needle.pleuralCrossings = report.pleuralCrossings;
    if (report.accepted) {
      layout.acceptedChordMm += chordMm;
      costSumMm += report.costMm;
      layout.plan.accepted.push_back(std::move(needle));
    } else {
      layout.plan.rejected.emplace_back(std::move(needle), report.reason);
    }
  }
  layout.plan.coverage =
      layout.totalChordMm > 0.0 ? layout.acceptedChordMm / layout.totalChordMm : 0.0;
  layout.meanCostMm = layout.plan.accepted.empty()
                          ? 0.0
                          : costSumMm / static_cast<double>(layout.plan.accepted.size());
  return layout;
}

/// True if `a` is a better layout than `b`: any accepted needle beats none; then the lower mean
/// needle cost plus the weighted fraction of the target missed.
bool Better(const Layout& a, const Layout& b, double coverageWeightMm) {
  if (a.plan.accepted.empty() != b.plan.accepted.empty()) {
    return !a.plan.accepted.empty();
  }
  const auto score = [coverageWeightMm](const Layout& layout) {
    return layout.meanCostMm + coverageWeightMm * (1.0 - layout.plan.coverage);
  };
  return score(a) < score(b);
}

std::string Summarise(const Layout& layout, double centralCostMm) {
  char buffer[160];
  std::snprintf(buffer, sizeof(buffer),
                "direction %s: central path cost %.1f mm, %zu of %zu needles accepted, "
                "coverage %.0f %%, mean needle cost %.1f mm",
                FormatDirection(layout.plan.direction).c_str(), centralCostMm,
                layout.plan.accepted.size(),
                layout.plan.accepted.size() + layout.plan.rejected.size(),
                100.0 * layout.plan.coverage, layout.meanCostMm);
  return buffer;
}

void RequireSpacing(double spacingMm, const char* what) {
  if (!(spacingMm > 0.0) || !std::isfinite(spacingMm)) {
    throw InvalidInput(std::string(what) + " is " + std::to_string(spacingMm) +
                       " mm; expected a positive spacing");
  }
}

} // namespace

NeedlePlan NeedlePlanner::Template(const imaging::StructureSet& structures,
                                   const std::string& targetName,
                                   const Eigen::Vector3d& templateNormal, double needleSpacingMm,
                                   const TrajectoryOptions& options,
                                   const NeedleLayoutOptions& layout) {
  RequireSpacing(needleSpacingMm, "needle spacing");
  if (!templateNormal.allFinite() || !(templateNormal.norm() > 1e-9)) {
    throw InvalidInput("template normal is " + FormatDirection(templateNormal) +
                       "; expected a non-zero direction X,Y,Z");
  }
  const TrajectoryCheck check(structures, targetName, options);
  return LayOut(check, DescribeTarget(check), templateNormal, needleSpacingMm, layout).plan;
}

NeedlePlan NeedlePlanner::Free(const imaging::StructureSet& structures,
                               const std::string& targetName, double needleSpacingMm,
                               const TrajectoryOptions& options,
                               const NeedleLayoutOptions& layout) {
  RequireSpacing(needleSpacingMm, "needle spacing");
  if (layout.freeDirectionCount < 1 || layout.freeLayoutCandidates < 1) {
    throw InvalidInput("free needle search: " + std::to_string(layout.freeDirectionCount) +
                       " directions and " + std::to_string(layout.freeLayoutCandidates) +
                       " layouts; expected at least 1 of each");
  }
  const TrajectoryCheck check(structures, targetName, options);
  const TargetGeometry target = DescribeTarget(check);

  // Outward directions on a Fibonacci sphere; the needle travels the other way.
  const int count = layout.freeDirectionCount;
  const double goldenAngle = std::numbers::pi * (3.0 - std::sqrt(5.0));
  std::vector<Eigen::Vector3d> outward(static_cast<std::size_t>(count));
  std::vector<TrajectoryReport> reports(static_cast<std::size_t>(count));
  for (int k = 0; k < count; ++k) {
    const double z = 1.0 - (2.0 * k + 1.0) / count;
    const double r = std::sqrt(std::max(0.0, 1.0 - z * z));
    outward[static_cast<std::size_t>(k)] =
        Eigen::Vector3d(r * std::cos(goldenAngle * k), r * std::sin(goldenAngle * k), z);
  }
#pragma omp parallel for schedule(dynamic, 16)
  for (int k = 0; k < count; ++k) {
    const Eigen::Vector3d& out = outward[static_cast<std::size_t>(k)];
    const Eigen::Vector3d entry = SkinEntry(check, target.aimMm, -out);
    reports[static_cast<std::size_t>(k)] = check.Evaluate(entry, target.aimMm);
  }

  NeedlePlan result;
  result.directionsSearched = count;
  std::vector<int> acceptedDirections;
  for (int k = 0; k < count; ++k) {
    const TrajectoryReport& report = reports[static_cast<std::size_t>(k)];
    if (report.accepted) {
      acceptedDirections.push_back(k);
    } else {
      ++result.directionRejections[report.rejectedBy];
    }
  }
  result.directionsAccepted = static_cast<int>(acceptedDirections.size());
  if (acceptedDirections.empty()) {
    // No route: one central path per rule that rejected directions, as examples of why.
    std::set<std::string> rulesShown;
    for (int k = 0; k < count; ++k) {
      const TrajectoryReport& report = reports[static_cast<std::size_t>(k)];
      if (!rulesShown.insert(report.rejectedBy).second) {
        continue;
      }
      Needle needle;
      needle.id = targetName + "-D" + std::to_string(k + 1);
      needle.targetName = targetName;
      needle.tipMm = target.aimMm;
      needle.entryMm = SkinEntry(check, target.aimMm, -outward[static_cast<std::size_t>(k)]);
      needle.depthMm = report.depthMm;
      needle.tissuesCrossed = report.tissuesCrossed;
      needle.passThroughLengthMm = report.passThroughLengthMm;
      needle.pleuralCrossings = report.pleuralCrossings;
      result.rejected.emplace_back(std::move(needle), report.reason);
    }
    return result;
  }
  std::stable_sort(acceptedDirections.begin(), acceptedDirections.end(), [&](int a, int b) {
    return reports[static_cast<std::size_t>(a)].costMm <
           reports[static_cast<std::size_t>(b)].costMm;
  });

  // The cheapest directions, spread apart, laid out as templates.
  const double separationCos = std::cos(layout.freeSeparationDeg * std::numbers::pi / 180.0);
  std::vector<int> candidates;
  for (int k : acceptedDirections) {
    const Eigen::Vector3d& out = outward[static_cast<std::size_t>(k)];
    const bool separate = std::all_of(candidates.begin(), candidates.end(), [&](int c) {
      return out.dot(outward[static_cast<std::size_t>(c)]) < separationCos;
    });
    if (separate) {
      candidates.push_back(k);
      if (static_cast<int>(candidates.size()) >= layout.freeLayoutCandidates) {
        break;
      }
    }
  }
  std::vector<Layout> layouts(candidates.size());
#pragma omp parallel for schedule(dynamic, 1)
  for (int c = 0; c < static_cast<int>(candidates.size()); ++c) {
    const Eigen::Vector3d& out =
        outward[static_cast<std::size_t>(candidates[static_cast<std::size_t>(c)])];
    layouts[static_cast<std::size_t>(c)] = LayOut(check, target, -out, needleSpacingMm, layout);
  }
  std::size_t best = 0;
  for (std::size_t c = 1; c < layouts.size(); ++c) {
    if (Better(layouts[c], layouts[best], layout.freeCoverageWeightMm)) {
      best = c;
    }
  }

  // Refine the winner by small tilts (two rings of eight, a half and a quarter of the search's
  // mean spacing): the search's lattice may straddle an intercostal space or a pedicle.
  const double meanSpacingRad = std::sqrt(4.0 * std::numbers::pi / count);
  Layout refined = layouts[best];
  const Eigen::Vector3d bestDirection = layouts[best].plan.direction;
  std::vector<Eigen::Vector3d> tilts;
  const Eigen::Vector3d tu = bestDirection.unitOrthogonal();
  const Eigen::Vector3d tv = bestDirection.cross(tu);
  for (double ring : {0.5 * meanSpacingRad, 0.25 * meanSpacingRad}) {
    for (int a = 0; a < 8; ++a) {
      const double phi = a * std::numbers::pi / 4.0;
      tilts.push_back((bestDirection + std::tan(ring) * (std::cos(phi) * tu + std::sin(phi) * tv))
                          .normalized());
    }
  }
  std::vector<Layout> tilted(tilts.size());
#pragma omp parallel for schedule(dynamic, 1)
  for (int t = 0; t < static_cast<int>(tilts.size()); ++t) {
    tilted[static_cast<std::size_t>(t)] =
        LayOut(check, target, tilts[static_cast<std::size_t>(t)], needleSpacingMm, layout);
  }
  for (const auto& candidate : tilted) {
    if (Better(candidate, refined, layout.freeCoverageWeightMm)) {
      refined = candidate;
    }
  }

  NeedlePlan plan = std::move(refined.plan);
  plan.directionsSearched = result.directionsSearched;
  plan.directionsAccepted = result.directionsAccepted;
  plan.directionRejections = std::move(result.directionRejections);
  const Eigen::Vector3d centralEntry = SkinEntry(check, target.aimMm, plan.direction);
  plan.candidateSummary.push_back("chosen " +
                                  Summarise(Layout{plan, 0.0, 0.0, refined.meanCostMm},
                                            check.Evaluate(centralEntry, target.aimMm).costMm));
  for (std::size_t c = 0; c < layouts.size(); ++c) {
    plan.candidateSummary.push_back(
        Summarise(layouts[c], reports[static_cast<std::size_t>(candidates[c])].costMm));
  }
  return plan;
}

std::vector<Seed> NeedlePlanner::CandidatePositions(const std::vector<Needle>& needles,
                                                    const imaging::Structure& target,
                                                    double seedSpacingMm, double marginMm) {
  RequireSpacing(seedSpacingMm, "seed spacing");
  if (!(marginMm >= 0.0) || !std::isfinite(marginMm)) {
    throw InvalidInput("candidate positions: margin is " + std::to_string(marginMm) +
                       " mm; expected a finite margin >= 0");
  }
  const MaskLookup lookup(target.mask);
  const double stepMm = std::min(0.25, 0.25 * lookup.FinestSpacingMm());
  std::vector<Seed> seeds;
  for (const auto& needle : needles) {
    const Eigen::Vector3d segment = needle.tipMm - needle.entryMm;
    const double lengthMm = segment.norm();
    if (!(lengthMm > 0.0)) {
      continue;
    }
    const Eigen::Vector3d direction = segment / lengthMm;
    const auto sampleCount = static_cast<std::int64_t>(std::ceil(lengthMm / stepMm));
    const double sampleStepMm = lengthMm / static_cast<double>(sampleCount);
    auto placeStretch = [&](double beginMm, double endMm) {
      const double stretchMm = endMm - beginMm;
      const auto positions = static_cast<int>(std::floor(stretchMm / seedSpacingMm + 1e-9)) + 1;
      const double centreMm = 0.5 * (beginMm + endMm);
      for (int p = 0; p < positions; ++p) {
        Seed seed;
        seed.positionMm =
            needle.entryMm + (centreMm + (p - 0.5 * (positions - 1)) * seedSpacingMm) * direction;
        seed.direction = direction;
        seed.needle = needle.id;
        seeds.push_back(std::move(seed));
      }
    };
    // Stretches inside: from the first to the last sample inside (so that every position lies
    // between two samples inside).
    std::optional<double> stretchBeginMm;
    double stretchEndMm = 0.0;
    for (std::int64_t s = 0; s <= sampleCount; ++s) {
      const double alongMm = static_cast<double>(s) * sampleStepMm;
      const bool inside = lookup.WithinDistance(needle.entryMm + alongMm * direction, marginMm);
      if (inside) {
        if (!stretchBeginMm) {
          stretchBeginMm = alongMm;
        }
        stretchEndMm = alongMm;
      } else if (stretchBeginMm) {
        placeStretch(*stretchBeginMm, stretchEndMm);
        stretchBeginMm.reset();
      }
    }
    if (stretchBeginMm) {
      placeStretch(*stretchBeginMm, stretchEndMm);
    }
  }
  return seeds;
}

} // namespace seedplan::planning
