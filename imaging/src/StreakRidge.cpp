#include "StreakRidge.h"

#include "LocalBackground.h"
#include "SeedCandidateFinder.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <numbers>

namespace seedplan::imaging {
namespace {

/// Opposite sectors of the shell (in plane, around the capsule's centre): eight of 45 degrees.
constexpr int kSectors = 8;
/// A sector is judged only with at least this many voxels (a median of fewer is noise).
constexpr std::size_t kMinSectorVoxels = 3;
/// Slices whose centre lies within this share of the slice spacing of the capsule's centre are
/// the capsule's own (one, or two when it lies between them).
constexpr double kOwnSliceShare = 0.75;
/// Two slices beyond the reach show the same tissue when they agree within this share of a
/// seed's typical contrast (noise and texture, not an edge or another seed's streak).
constexpr double kAcrossAgreementShare = 0.1;
/// A clipped voxel lies within this of the learned ceiling (its quantisation and estimate).
constexpr double kCeilingToleranceHu = 10.0;

/// In-plane distance (mm) of the point (u, v) to the capsule's axis segment projected on the
/// slice plane (centre at the origin, half extent (au, av) mm).
double SegmentDistance(double u, double v, double au, double av) {
  const double length2 = au * au + av * av;
  double t = 0.0;
  if (length2 > 1e-12) {
    t = std::clamp((u * au + v * av) / length2, -1.0, 1.0);
  }
  return std::hypot(u - t * au, v - t * av);
}

double Median(std::vector<double>& values) {
  const auto middle = values.begin() + static_cast<std::ptrdiff_t>(values.size() / 2);
  std::nth_element(values.begin(), middle, values.end());
  return *middle;
}

} // namespace

double StreakRidge::ThroughShare(const Volume<short>& ct, const Capsule& capsule,
                                 const CapsuleModel& model, double metalContrastHu) {
  const GridGeometry& geometry = ct.Geometry();
  const Eigen::Vector3d& spacing = geometry.SpacingMm();
  const auto& size = geometry.Size();
  const Eigen::Vector3d q = geometry.PointToContinuousIndex(capsule.centreMm);
  if (!q.allFinite()) {
    return 0.0;
  }
  const Eigen::Vector3d uAxis = geometry.Direction().col(0);
  const Eigen::Vector3d vAxis = geometry.Direction().col(1);
  const double pixelMm = std::max(spacing[0], spacing[1]);
  const double radiusMm = 0.5 * model.diameterMm;
  // The in-plane blur: the Gaussian beyond the pixel and the pixel box (variance spacing^2/12).
  const double blurSigmaMm =
      std::sqrt(model.psfSigmaMm * model.psfSigmaMm + pixelMm * pixelMm / 12.0);
  const double innerMm = radiusMm + kShellBlurSigmas * blurSigmaMm;
  const double outerMm = innerMm + std::max(kShellThicknessMm, kShellPixels * pixelMm);
  const double coreMm = radiusMm + 0.5 * pixelMm;
  const double halfLengthMm = 0.5 * model.lengthMm - radiusMm;
  const auto halfExtent = [&](const Capsule& c) {
    return std::array<double, 2>{halfLengthMm * c.axis.dot(uAxis),
                                 halfLengthMm * c.axis.dot(vAxis)};
  };
  const std::array<double, 2> own = halfExtent(capsule);
  const double reachMm = halfLengthMm + outerMm;

  // The tissue around: the ring a candidate's contrast is measured against.
  const double lowK = std::ceil(q.z() - kOwnSliceShare);
  const double highK = std::floor(q.z() + kOwnSliceShare);
  const double centreK = std::clamp(std::round(q.z()), 0.0, static_cast<double>(size[2] - 1));
  const double centreI = std::clamp(std::round(q.x()), 0.0, static_cast<double>(size[0] - 1));
  const double centreJ = std::clamp(std::round(q.y()), 0.0, static_cast<double>(size[1] - 1));
  const RingStatistics ring = LocalBackground::Ring(
      ct, static_cast<std::int64_t>(centreI), static_cast<std::int64_t>(centreJ),
      static_cast<std::int64_t>(centreK), SeedCandidateFinder::kRingRadiusMm);
  const double ringHu = ring.medianHu;
  // Anatomy (a bone the seed lies in or beside) runs on across the slices; a streak shows only
  // in the slices the metal shows in. Where the same pixel on slices beyond the seed's and its
  // streaks' reach, above and below, agree, their mean is the tissue under the voxel.
  const double farMm = 0.5 * model.lengthMm +
                       2.0 * (std::max(model.sliceBoxMm, spacing[2]) + 2.0 * model.sliceSigmaMm);
  // Clamped in floating point before it becomes an index (fmax turns a NaN into the bound; a
  // learned profile is finite, but no index is formed from an unchecked double).
  const auto farSlices = static_cast<std::int64_t>(
      std::fmin(std::fmax(std::ceil(farMm / spacing[2]), 0.0), static_cast<double>(size[2])));
  const auto kBelow = static_cast<std::int64_t>(centreK) - farSlices;
  const auto kAbove = static_cast<std::int64_t>(centreK) + farSlices;
  const bool across = kBelow >= 0 && kAbove < size[2];
  const auto backgroundAt = [&](std::int64_t i, std::int64_t j) {
    if (!across) {
      return ringHu;
    }
    const double below = ct.Data()[static_cast<std::size_t>(geometry.LinearIndex(i, j, kBelow))];
    const double above = ct.Data()[static_cast<std::size_t>(geometry.LinearIndex(i, j, kAbove))];
    return std::abs(above - below) <= kAcrossAgreementShare * metalContrastHu
               ? 0.5 * (above + below)
               : ringHu;
  };

  const double reachI = std::ceil(reachMm / spacing[0]);
  const double reachJ = std::ceil(reachMm / spacing[1]);
  const auto first = [](double value, std::int64_t count) {
    return static_cast<std::int64_t>(std::clamp(value, 0.0, static_cast<double>(count - 1)));
  };
  const std::int64_t i0 = first(std::floor(q.x() - reachI), size[0]);
  const std::int64_t i1 = first(std::ceil(q.x() + reachI), size[0]);
  const std::int64_t j0 = first(std::floor(q.y() - reachJ), size[1]);
  const std::int64_t j1 = first(std::ceil(q.y() + reachJ), size[1]);
  const std::int64_t k0 = first(lowK, size[2]);
  const std::int64_t k1 = first(highK, size[2]);

  double coreExcess = 0.0;
  double coreHu = -std::numeric_limits<double>::infinity();
  std::array<std::vector<double>, kSectors> sectors;
  for (std::int64_t k = k0; k <= k1; ++k) {
    if (std::abs(static_cast<double>(k) - q.z()) >= kOwnSliceShare) {
      continue;
    }
    for (std::int64_t j = j0; j <= j1; ++j) {
      for (std::int64_t i = i0; i <= i1; ++i) {
        const Eigen::Vector3d offset =
            geometry.IndexToPoint(static_cast<double>(i), static_cast<double>(j),
                                  static_cast<double>(k)) -
            capsule.centreMm;
        const double u = offset.dot(uAxis);
        const double v = offset.dot(vAxis);
        const double distance = SegmentDistance(u, v, own[0], own[1]);
        const double excess =
            ct.Data()[static_cast<std::size_t>(geometry.LinearIndex(i, j, k))] - backgroundAt(i, j);
        if (distance <= coreMm) {
          coreExcess = std::max(coreExcess, excess);
          coreHu = std::max(
              coreHu, static_cast<double>(
                          ct.Data()[static_cast<std::size_t>(geometry.LinearIndex(i, j, k))]));
          continue;
        }
        if (distance < innerMm || distance >= outerMm) {
          continue;
        }
        const double angle = std::atan2(v, u) + std::numbers::pi;
        const int sector =
            static_cast<int>(std::fmin(std::fmax(angle / (2.0 * std::numbers::pi / kSectors), 0.0),
                                       static_cast<double>(kSectors - 1)));
        sectors[static_cast<std::size_t>(sector)].push_back(excess);
      }
    }
  }
  // As bright as metal: a streak carries a fraction of the excess of the metal that throws it.
  // A core at the scale's ceiling holds metal: tissue and streaks stay below it (cortical bone
  // of 1 900 HU with a 600 HU streak is ~2 500 HU, a 12-bit scale clips at 3 071), while a seed
  // in dense bone, standing little above it, may have its own streak through it.
  const bool atCeiling = std::isfinite(model.ceilingHu) &&
                         coreHu >= model.ceilingHu - model.ceilingSoftnessHu - kCeilingToleranceHu;
  if (!(coreExcess > 0.0) || coreExcess >= kMetalShare * metalContrastHu || atCeiling) {
    return 0.0;
  }
  double through = 0.0;
  for (int s = 0; s < kSectors / 2; ++s) {
    auto& one = sectors[static_cast<std::size_t>(s)];
    auto& opposite = sectors[static_cast<std::size_t>(s + kSectors / 2)];
    if (one.size() < kMinSectorVoxels || opposite.size() < kMinSectorVoxels) {
      continue;
    }
    through = std::max(through, std::min(Median(one), Median(opposite)));
  }
  return through / coreExcess;
}

std::vector<bool> StreakRidge::OnStreak(const Volume<short>& ct,
                                        const std::vector<Capsule>& capsules,
                                        const CapsuleModel& model, double metalContrastHu) {
  // Each capsule alone, its neighbours in place: a faint seed of a touching pair or at the end
  // of a row has its neighbour on one side only and passes; seeds flanked on both sides (a
  // cluster) stand as bright as metal and are not judged. Leaving the other capsules'
  // neighbourhood out would let one tile of a ridge clear the next.
  std::vector<bool> onStreak(capsules.size(), false);
  for (std::size_t s = 0; s < capsules.size(); ++s) {
    onStreak[s] = ThroughShare(ct, capsules[s], model, metalContrastHu) >= kThroughShare;
  }
  return onStreak;
}

bool StreakRidge::AnyOnStreak(const Volume<short>& ct, const std::vector<Capsule>& capsules,
                              const CapsuleModel& model, double metalContrastHu) {
  const std::vector<bool> onStreak = OnStreak(ct, capsules, model, metalContrastHu);
  return std::find(onStreak.begin(), onStreak.end(), true) != onStreak.end();
}

} // namespace seedplan::imaging
