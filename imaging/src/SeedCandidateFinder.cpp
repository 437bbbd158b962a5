#include "SeedCandidateFinder.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <limits>
#include <numbers>
#include <unordered_map>
#include <unordered_set>

namespace seedplan::imaging {
namespace {

/// Levels (share of the way from the ring's median to the peak) at which a blob is grown, the
/// lowest first: at half the peak's excess a seed's blob holds its whole partial-volume core;
/// the higher levels cut it off bone or streak lines it touches (a 2500 HU compressed seed on
/// 1900 HU bone separates at 0.85, a 12-bit seed on bone with 600 HU streaks at 0.85).
constexpr std::array<double, 4> kLevels{0.5, 0.7, 0.85, 0.93};
/// A seed's own streaks can reach half its excess (a faint seed's, with noise, run beyond a
/// seed's size at the lowest level): what a blob still grows into above this share is anatomy
/// or other metal, and counts as the tissue it touches (MetalRegion::touchesHu).
constexpr double kOwnArtefactShare = 0.5;
/// A blob may include voxels up to this much above its own peak (noise, another slice's
/// maximum of the same seed), in noise sigmas and as a share of the peak's contrast; brighter
/// tissue is not its metal.
constexpr double kAbovePeakSigmas = 6.0;
constexpr double kAbovePeakShare = 0.25;
/// A peak passes the quick ring test when at least this many of 8 ring samples in its slice lie
/// below it by the contrast: a median-like test before the full ring statistics.
constexpr int kQuickRingDirections = 8;
constexpr int kQuickRingMinBelow = 4;
/// Most voxels one grown blob may hold (a 22 mm box of 0.5 mm voxels holds fewer).
constexpr std::size_t kMaxBlobVoxels = 60000;

std::atomic<long> gRingCalls{0};
struct Peak {
  std::int64_t linear = 0;
  std::array<std::int64_t, 3> index{};
  double hu = 0.0;
  RingStatistics ring;
};

double ExtentMm(const std::array<std::int64_t, 3>& low, const std::array<std::int64_t, 3>& high,
                const Eigen::Vector3d& spacing) {
  double sum = 0.0;
  for (int axis = 0; axis < 3; ++axis) {
    const double span = static_cast<double>(high[axis] - low[axis]) * spacing[axis];
    sum += span * span;
  }
  return std::sqrt(sum);
}

} // namespace

MetalRegion SeedCandidateFinder::Grow(const Volume<short>& ct,
                                      const std::array<std::int64_t, 3>& peak, double levelHu,
                                      double upperHu, std::size_t maxVoxels, double maxExtentMm) {
  const GridGeometry& geometry = ct.Geometry();
  const auto& size = geometry.Size();
  const Eigen::Vector3d& spacing = geometry.SpacingMm();
  const std::vector<short>& data = ct.Data();
  MetalRegion region;
  region.peakIndex = peak;
  region.peakHu = data[static_cast<std::size_t>(geometry.LinearIndex(peak[0], peak[1], peak[2]))];
  region.levelHu = levelHu;
  region.low = peak;
  region.high = peak;
  // Visited flags: a dense box around the peak when the extent is bounded, a hash set otherwise.
  std::array<std::int64_t, 3> boxFirst{};
  std::array<std::int64_t, 3> boxSize{};
  const bool bounded = std::isfinite(maxExtentMm);
  // The dense box is kept between calls (per thread) and only the flags set are cleared after:
  // most blobs are a few hundred voxels in a box of a hundred thousand.
  thread_local std::vector<std::uint8_t> box;
  thread_local std::vector<std::size_t> marked;
  std::unordered_set<std::int64_t> visitedSet;
  if (bounded) {
    for (int axis = 0; axis < 3; ++axis) {
      const auto reach = static_cast<std::int64_t>(std::ceil(maxExtentMm / spacing[axis])) + 1;
      boxFirst[axis] = peak[axis] - reach;
      boxSize[axis] = 2 * reach + 1;
    }
    const auto needed = static_cast<std::size_t>(boxSize[0] * boxSize[1] * boxSize[2]);
    if (box.size() < needed) {
      box.assign(needed, 0);
    }
    marked.clear();
  }
  struct ClearMarks {
    bool active;
    ~ClearMarks() {
      if (active) {
        for (std::size_t n : marked) {
          box[n] = 0;
        }
        marked.clear();
      }
    }
  } clearMarks{bounded};
  const auto visit = [&](std::int64_t i, std::int64_t j, std::int64_t k) {
    if (bounded) {
      const std::int64_t bi = i - boxFirst[0];
      const std::int64_t bj = j - boxFirst[1];
      const std::int64_t bk = k - boxFirst[2];
      if (bi < 0 || bj < 0 || bk < 0 || bi >= boxSize[0] || bj >= boxSize[1] || bk >= boxSize[2]) {
        return false;
      }
      const auto n = static_cast<std::size_t>(bi + boxSize[0] * (bj + boxSize[1] * bk));
      if (box[n] != 0) {
        return false;
      }
      box[n] = 1;
      marked.push_back(n);
      return true;
    }
    return visitedSet.insert(geometry.LinearIndex(i, j, k)).second;
  };
  std::deque<std::array<std::int64_t, 3>> queue{peak};
  visit(peak[0], peak[1], peak[2]);
  while (!queue.empty()) {
    const auto current = queue.front();
    queue.pop_front();
    region.voxels.push_back(geometry.LinearIndex(current[0], current[1], current[2]));
    for (int axis = 0; axis < 3; ++axis) {
      region.low[axis] = std::min(region.low[axis], current[axis]);
      region.high[axis] = std::max(region.high[axis], current[axis]);
    }
    if (region.voxels.size() >= maxVoxels ||
        (bounded && ExtentMm(region.low, region.high, spacing) > maxExtentMm)) {
      region.extended = true;
      return region;
    }
    for (int dk = -1; dk <= 1; ++dk) {
      for (int dj = -1; dj <= 1; ++dj) {
        for (int di = -1; di <= 1; ++di) {
          const std::int64_t i = current[0] + di;
          const std::int64_t j = current[1] + dj;
          const std::int64_t k = current[2] + dk;
          if (i < 0 || j < 0 || k < 0 || i >= size[0] || j >= size[1] || k >= size[2]) {
            continue;
          }
          const double hu = data[static_cast<std::size_t>(geometry.LinearIndex(i, j, k))];
          if (hu < levelHu || hu > upperHu || !visit(i, j, k)) {
            continue;
          }
          queue.push_back({i, j, k});
        }
      }
    }
  }
  return region;
}

MetalRegion SeedCandidateFinder::Tighten(const Volume<short>& ct, const MetalRegion& region,
                                         double maxSpanMm, double noiseSigmaHu) {
  const double contrast = std::max(1.0, region.peakHu - region.ring.medianHu);
  const double tolerance = std::max(kAbovePeakSigmas * noiseSigmaHu, kAbovePeakShare * contrast);
  MetalRegion tightened = region;
  for (double level : kLevels) {
    const double levelHu = region.ring.medianHu + level * contrast;
    if (levelHu <= region.levelHu) {
      continue;
    }
    tightened = Grow(ct, region.peakIndex, levelHu, region.peakHu + tolerance, kMaxBlobVoxels,
                     kMaxRegionExtentMm);
    tightened.ring = region.ring;
    tightened.peaks = region.peaks;
    // Voxels the cut leaves out that still reach the level are not the fainter streaks or bone
    // the blob took in but metal as bright as the peak's, apart from it at this level: the next
    // seed of an end-to-end pair or a cluster (on a clipped scale both saturate). Such a blob is
    // not cut back (a cut would lose that seed: its voxels would belong to no blob).
    const std::unordered_set<std::int64_t> kept(tightened.voxels.begin(), tightened.voxels.end());
    const bool dropsMetal =
        std::any_of(region.voxels.begin(), region.voxels.end(), [&](std::int64_t v) {
          return !kept.contains(v) && ct.Data()[static_cast<std::size_t>(v)] >= levelHu;
        });
    if (dropsMetal) {
      // Higher levels would only lose more of that other lump (a fainter seed beside a brighter
      // one in lung, whose blur joins them at the lowest level, drops below the highest).
      return region;
    }
    if (!tightened.extended &&
        ExtentMm(tightened.low, tightened.high, ct.Geometry().SpacingMm()) <= maxSpanMm) {
      return tightened;
    }
  }
  return tightened.extended || tightened.voxels.empty() ? region : tightened;
}

std::vector<MetalRegion> SeedCandidateFinder::Find(const Volume<short>& ct,
                                                   const Options& options) {
  const GridGeometry& geometry = ct.Geometry();
  const auto& size = geometry.Size();
  const Eigen::Vector3d& spacing = geometry.SpacingMm();
  const std::vector<short>& data = ct.Data();
  const double minContrast =
      std::max(options.minContrastHu, options.minContrastSigmas * options.noiseSigmaHu);

  // 1. Local maxima in plane that stand above their ring (the only full pass over the CT).
  std::array<std::int64_t, kQuickRingDirections> quickOffsets{};
  std::array<std::array<std::int64_t, 2>, kQuickRingDirections> quickSteps{};
  for (int d = 0; d < kQuickRingDirections; ++d) {
    const double angle = 2.0 * std::numbers::pi * d / kQuickRingDirections;
    const auto d2 = static_cast<std::size_t>(d);
    quickSteps[d2] = {std::lround(kRingRadiusMm * std::cos(angle) / spacing[0]),
                      std::lround(kRingRadiusMm * std::sin(angle) / spacing[1])};
    quickOffsets[d2] = quickSteps[d2][0] + size[0] * quickSteps[d2][1];
  }
  const std::int64_t reachI = std::lround(kRingRadiusMm / spacing[0]);
  const std::int64_t reachJ = std::lround(kRingRadiusMm / spacing[1]);
  std::vector<std::vector<Peak>> bySlice(static_cast<std::size_t>(size[2]));
#pragma omp parallel for schedule(dynamic)
  for (std::int64_t k = 0; k < size[2]; ++k) {
    std::vector<Peak>& found = bySlice[static_cast<std::size_t>(k)];
    for (std::int64_t j = 1; j + 1 < size[1]; ++j) {
      const std::int64_t row = geometry.LinearIndex(0, j, k);
      for (std::int64_t i = 1; i + 1 < size[0]; ++i) {
        const std::int64_t n = row + i;
        const double hu = data[static_cast<std::size_t>(n)];
        if (options.thresholdHu && hu < *options.thresholdHu) {
          continue;
        }
        const short* centre = data.data() + n;
        const std::int64_t nx = size[0];
        if (centre[-1] > hu || centre[1] > hu || centre[-nx] > hu || centre[nx] > hu ||
            centre[-nx - 1] > hu || centre[-nx + 1] > hu || centre[nx - 1] > hu ||
            centre[nx + 1] > hu) {
          continue;
        }
        const bool ringInside =
            i >= reachI && j >= reachJ && i + reachI < size[0] && j + reachJ < size[1];
        if (!options.thresholdHu) {
          int below = 0;
          int tried = 0;
          int inside = 0;
          for (std::size_t d = 0; d < quickOffsets.size(); ++d) {
            const std::int64_t ii = i + quickSteps[d][0];
            const std::int64_t jj = j + quickSteps[d][1];
            ++tried;
            if (ringInside || (ii >= 0 && jj >= 0 && ii < size[0] && jj < size[1])) {
              ++inside;
              below += centre[quickOffsets[d]] <= hu - minContrast ? 1 : 0;
            }
            if (ringInside && below + (kQuickRingDirections - tried) < kQuickRingMinBelow) {
              break;
            }
          }
          // At the border, half of the samples that fall inside.
          if (2 * below < std::max(1, inside) || (ringInside && below < kQuickRingMinBelow)) {
            continue;
          }
        }
        Peak peak;
        peak.linear = n;
        peak.index = {i, j, k};
        peak.hu = hu;
        ++gRingCalls;
        peak.ring = LocalBackground::Ring(ct, i, j, k, kRingRadiusMm);
        if (!options.thresholdHu && hu - peak.ring.medianHu < minContrast) {
          continue;
        }
        found.push_back(peak);
      }
    }
  }
  std::vector<Peak> peaks;
  if (std::getenv("SEEDPLAN_DETECT_TIMING") != nullptr) {
    std::size_t total = 0;
    for (auto& slice : bySlice)
      total += slice.size();
    std::fprintf(stderr, "peaks %zu ring calls %ld\n", total, gRingCalls.load());
  }
  for (auto& slice : bySlice) {
    peaks.insert(peaks.end(), slice.begin(), slice.end());
  }
  std::sort(peaks.begin(), peaks.end(), [](const Peak& left, const Peak& right) {
    if (left.hu != right.hu) {
      return left.hu > right.hu;
    }
    return left.linear < right.linear;
  });

  // 2. Blobs, brightest peak first; a peak inside a blob already grown belongs to it.
  std::vector<MetalRegion> regions;
  std::vector<int> mergedInto; // union-find parent per region
  std::unordered_map<std::int64_t, int> regionOf;
  std::unordered_map<std::int64_t, double> extendedPeakOf;
  const auto root = [&mergedInto](int r) {
    while (mergedInto[static_cast<std::size_t>(r)] != r) {
      r = mergedInto[static_cast<std::size_t>(r)];
    }
    return r;
  };
  for (const Peak& peak : peaks) {
    const auto inRegion = regionOf.find(peak.linear);
    if (inRegion != regionOf.end()) {
      ++regions[static_cast<std::size_t>(root(inRegion->second))].peaks;
      continue;
    }
    const double contrast = std::max(1.0, peak.hu - peak.ring.medianHu);
    const double tolerance =
        std::max(kAbovePeakSigmas * options.noiseSigmaHu, kAbovePeakShare * contrast);
    const auto inExtended = extendedPeakOf.find(peak.linear);
    if (inExtended != extendedPeakOf.end() && peak.hu <= inExtended->second + tolerance) {
      continue;
    }
    MetalRegion region;
    double touchesHu = -std::numeric_limits<double>::infinity();
    for (double level : kLevels) {
      region = Grow(ct, peak.index, peak.ring.medianHu + level * contrast, peak.hu + tolerance,
                    kMaxBlobVoxels, kMaxRegionExtentMm);
      if (!region.extended) {
        region.touchesHu = touchesHu;
        break;
      }
      if (level > kOwnArtefactShare) {
        touchesHu = peak.ring.medianHu + level * contrast;
      }
    }
    region.ring = peak.ring;
    region.peaks = 1;
    if (region.extended) {
      for (std::int64_t v : region.voxels) {
        double& brightest = extendedPeakOf[v];
        brightest = std::max(brightest, peak.hu);
      }
      region.voxels.clear();
      regions.push_back(std::move(region));
      mergedInto.push_back(static_cast<int>(mergedInto.size()));
      continue;
    }
    // Merge with the blobs it shares voxels with (touching seeds, grown from either).
    const int id = static_cast<int>(regions.size());
    regions.push_back(std::move(region));
    mergedInto.push_back(id);
    MetalRegion& grown = regions.back();
    std::vector<std::int64_t> own;
    own.reserve(grown.voxels.size());
    for (std::int64_t v : grown.voxels) {
      const auto found = regionOf.find(v);
      if (found == regionOf.end()) {
        own.push_back(v);
        continue;
      }
      const int other = root(found->second);
      if (other != id) {
        mergedInto[static_cast<std::size_t>(other)] = id;
        MetalRegion& absorbed = regions[static_cast<std::size_t>(other)];
        for (int axis = 0; axis < 3; ++axis) {
          grown.low[axis] = std::min(grown.low[axis], absorbed.low[axis]);
          grown.high[axis] = std::max(grown.high[axis], absorbed.high[axis]);
        }
        grown.peaks += absorbed.peaks;
        if (absorbed.peakHu > grown.peakHu) {
          grown.peakHu = absorbed.peakHu;
          grown.peakIndex = absorbed.peakIndex;
          grown.ring = absorbed.ring;
        }
        grown.levelHu = std::min(grown.levelHu, absorbed.levelHu);
        grown.touchesHu = std::min(grown.touchesHu, absorbed.touchesHu);
        for (std::int64_t w : absorbed.voxels) {
          regionOf[w] = id;
          own.push_back(w);
        }
        absorbed.voxels.clear();
      }
    }
    grown.voxels = std::move(own);
    for (std::int64_t v : grown.voxels) {
      regionOf[v] = id;
    }
    if (ExtentMm(grown.low, grown.high, spacing) > kMaxRegionExtentMm) {
      grown.extended = true;
    }
  }
  std::vector<MetalRegion> result;
  for (std::size_t r = 0; r < regions.size(); ++r) {
    if (mergedInto[r] == static_cast<int>(r)) {
      result.push_back(std::move(regions[r]));
    }
  }
  return result;
}

} // namespace seedplan::imaging
