#include "FitWindowBuilder.h"

#include "LocalBackground.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace seedplan::imaging {
namespace {

/// Ring pixels (in plane) kept beyond the blur's reach for the background.
constexpr std::int64_t kRingPixels = 2;
/// The blur's reach, in its sigmas, beyond which a seed adds < 1 % of its excess.
constexpr double kReachSigmas = 2.5;
/// ... plus half a pixel of partial volume and the capsule's radius.
constexpr double kReachExtraMm = 0.6;

/// The same pixel on the two slices beyond the metal's reach across gives the background under
/// a voxel when they agree within this many noise sigmas, or within kAcrossShare of how much the
/// ring around the voxel in its own slice varies: the tissue then runs across the slices under
/// the seed, and the pixel above and below says which side of a lung or bone edge the voxel lies
/// on, which the median of its own slice's ring cannot (it takes the side most ring voxels lie
/// on: at a lung edge 2 mm from a seed, soft tissue under voxels of lung, ~850 HU off).
constexpr double kEdgeSigmas = 4.0;
constexpr double kAcrossShare = 0.5;
/// ... or, disagreeing by more, when the in-plane estimate lies farther than this many times
/// their difference from each of them: the two slices then agree on the tissue under the voxel
/// and the in-plane estimate does not (a streak of another seed in one of them moves the
/// interpolation by at most their difference; an edge between them puts the in-plane estimate
/// near one of them).
constexpr double kBeyondBothShare = 2.0;
/// ... when those slices lie at most this far apart (mm): anatomy changes over longer spans.
constexpr double kMaxAcrossMm = 16.0;

} // namespace

std::array<std::int64_t, 3> FitWindowBuilder::Reach(const GridGeometry& geometry,
                                                    const CapsuleModel& model) {
  const Eigen::Vector3d& spacing = geometry.SpacingMm();
  const double box = model.sliceBoxMm > 0.0 ? model.sliceBoxMm : spacing[2];
  std::array<std::int64_t, 3> reach{};
  for (int axis = 0; axis < 2; ++axis) {
    reach[axis] = std::max<std::int64_t>(
        1, static_cast<std::int64_t>(
               std::ceil((kReachSigmas * model.psfSigmaMm + kReachExtraMm) / spacing[axis])));
  }
  const double acrossMm =
      std::max(0.0, 0.5 * (box - spacing[2])) + kReachSigmas * model.sliceSigmaMm + kReachExtraMm;
  reach[2] =
      std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(acrossMm / spacing[2] - 0.25)));
  return reach;
}

void FitWindowBuilder::AcrossSlices(const Volume<short>& ct, FitWindow& window,
                                    const std::vector<std::uint8_t>& ring,
                                    const std::unordered_map<std::int64_t, int>& regionOf,
                                    std::int64_t below, std::int64_t above, double noiseSigmaHu) {
  const GridGeometry& geometry = ct.Geometry();
  const auto& size = geometry.Size();
  if (below < 0 || above >= size[2] ||
      static_cast<double>(above - below) * geometry.SpacingMm()[2] > kMaxAcrossMm) {
    return;
  }
  const double edgeHu = kEdgeSigmas * noiseSigmaHu;
  const std::int64_t nx = window.size[0];
  const std::int64_t ny = window.size[1];
  std::size_t n = 0;
  for (std::int64_t k = 0; k < window.size[2]; ++k) {
    const double t =
        static_cast<double>(window.first[2] + k - below) / static_cast<double>(above - below);
    for (std::int64_t j = 0; j < ny; ++j) {
      for (std::int64_t i = 0; i < nx; ++i, ++n) {
        const double inPlaneSpread = window.backgroundSpreadHu[n];
        if (ring[n] != 0 || window.used[n] == 0) {
          continue;
        }
        const std::int64_t lowVoxel =
            geometry.LinearIndex(window.first[0] + i, window.first[1] + j, below);
        const std::int64_t highVoxel =
            geometry.LinearIndex(window.first[0] + i, window.first[1] + j, above);
        if (regionOf.contains(lowVoxel) || regionOf.contains(highVoxel)) {
          continue;
        }
        const double lowHu = ct.Data()[static_cast<std::size_t>(lowVoxel)];
        const double highHu = ct.Data()[static_cast<std::size_t>(highVoxel)];
        const double disagreement = 0.5 * std::abs(highHu - lowHu);
        const double acrossHu = lowHu + t * (highHu - lowHu);
        // The in-plane estimate's own error shows where it lies off both slices' values by more
        // than kBeyondBothShare times their difference: the ring voxels nearest the voxel lie
        // mostly on the other side of a bone or lung edge running across the slices, and their
        // median and its spread (a MAD, blind to a minority of ring voxels on the voxel's side)
        // miss the tissue under it by far more than a streak in one of those slices moves the
        // interpolation (a seed on a 1900 HU bone edge with another seed's streak in the slice
        // below: in-plane 71 HU, spread 22, for bone; the slices 2044 and 1903 HU).
        const double inPlaneError = std::min(std::abs(lowHu - window.backgroundHu[n]),
                                             std::abs(highHu - window.backgroundHu[n]));
        if (disagreement >= std::max(edgeHu, kAcrossShare * inPlaneSpread) &&
            inPlaneError <= kBeyondBothShare * std::abs(highHu - lowHu)) {
          continue;
        }
        // Linear between the two slices; the uncertainty stays at least the ring's spread (the
        // streaks of this seed in its own slice are in the voxel, not in those slices).
        window.backgroundHu[n] = static_cast<float>(acrossHu);
        window.backgroundSpreadHu[n] = static_cast<float>(
            std::max({disagreement, inPlaneSpread, noiseSigmaHu / std::numbers::sqrt2}));
      }
    }
  }
}

void FitWindowBuilder::SetScales(FitWindow& window, double noiseSigmaHu, double modelError) {
  window.scaleHu.resize(window.observedHu.size());
  window.noiseSigmaHu = noiseSigmaHu;
  const double noise2 = std::max(1.0, noiseSigmaHu * noiseSigmaHu);
  for (std::size_t n = 0; n < window.observedHu.size(); ++n) {
    const double excess = std::max(0.0, static_cast<double>(window.observedHu[n]) -
                                            static_cast<double>(window.backgroundHu[n]));
    const double spread = n < window.backgroundSpreadHu.size() ? window.backgroundSpreadHu[n] : 0.0;
    window.scaleHu[n] = static_cast<float>(
        std::sqrt(noise2 + modelError * modelError * excess * excess + spread * spread));
  }
}

FitWindow FitWindowBuilder::Build(const Volume<short>& ct,
                                  const std::vector<const MetalRegion*>& regions,
                                  const std::unordered_map<std::int64_t, int>& regionOf,
                                  const std::vector<int>& ids, const CapsuleModel& model,
                                  double noiseSigmaHu, double modelError) {
  const GridGeometry& geometry = ct.Geometry();
  const auto& size = geometry.Size();
  const std::array<std::int64_t, 3> reach = Reach(geometry, model);
  std::array<std::int64_t, 3> low{size[0], size[1], size[2]};
  std::array<std::int64_t, 3> high{-1, -1, -1};
  for (const MetalRegion* region : regions) {
    for (int axis = 0; axis < 3; ++axis) {
      low[axis] = std::min(low[axis], region->low[axis]);
      high[axis] = std::max(high[axis], region->high[axis]);
    }
  }
  FitWindow window;
  for (int axis = 0; axis < 3; ++axis) {
    const std::int64_t margin = reach[axis] + (axis < 2 ? kRingPixels : 0);
    window.first[axis] = std::max<std::int64_t>(0, low[axis] - margin);
    window.size[axis] =
        std::min<std::int64_t>(size[axis] - 1, high[axis] + margin) - window.first[axis] + 1;
    window.centreLow[axis] = static_cast<double>(low[axis] - window.first[axis]) - 0.5;
    window.centreHigh[axis] = static_cast<double>(high[axis] - window.first[axis]) + 0.5;
  }
  const std::int64_t nx = window.size[0];
  const std::int64_t ny = window.size[1];
  const std::int64_t nz = window.size[2];
  const auto count = static_cast<std::size_t>(nx * ny * nz);
  window.observedHu.resize(count);
  window.used.assign(count, 1);
  // Which window voxels belong to this window's regions, and which to other metal.
  std::vector<std::uint8_t> own(count, 0);
  std::vector<std::uint8_t> other(count, 0);
  std::size_t n = 0;
  for (std::int64_t k = 0; k < nz; ++k) {
    for (std::int64_t j = 0; j < ny; ++j) {
      for (std::int64_t i = 0; i < nx; ++i, ++n) {
        const std::int64_t linear =
            geometry.LinearIndex(window.first[0] + i, window.first[1] + j, window.first[2] + k);
        window.observedHu[n] = ct.Data()[static_cast<std::size_t>(linear)];
        const auto found = regionOf.find(linear);
        if (found != regionOf.end()) {
          const bool mine = std::find(ids.begin(), ids.end(), found->second) != ids.end();
          (mine ? own : other)[n] = 1;
        }
      }
    }
  }
  const auto at = [&](std::int64_t i, std::int64_t j, std::int64_t k) {
    return static_cast<std::size_t>(i + nx * (j + ny * k));
  };
  // Other metal and a pixel around it in plane take no part.
  for (std::int64_t k = 0; k < nz; ++k) {
    for (std::int64_t j = 0; j < ny; ++j) {
      for (std::int64_t i = 0; i < nx; ++i) {
        if (other[at(i, j, k)] == 0) {
          continue;
        }
        for (std::int64_t jj = std::max<std::int64_t>(0, j - 1);
             jj <= std::min<std::int64_t>(ny - 1, j + 1); ++jj) {
          for (std::int64_t ii = std::max<std::int64_t>(0, i - 1);
               ii <= std::min<std::int64_t>(nx - 1, i + 1); ++ii) {
            if (own[at(ii, jj, k)] == 0) {
              window.used[at(ii, jj, k)] = 0;
            }
          }
        }
      }
    }
  }
  // The ring: voxels farther than the blur's reach from this window's metal, in plane, from
  // every slice within the reach across.
  std::vector<std::uint8_t> nearMetal(count, 0);
  for (std::int64_t k = 0; k < nz; ++k) {
    for (std::int64_t j = 0; j < ny; ++j) {
      for (std::int64_t i = 0; i < nx; ++i) {
        if (own[at(i, j, k)] == 0) {
          continue;
        }
        for (std::int64_t kk = std::max<std::int64_t>(0, k - reach[2]);
             kk <= std::min<std::int64_t>(nz - 1, k + reach[2]); ++kk) {
          for (std::int64_t jj = std::max<std::int64_t>(0, j - reach[1]);
               jj <= std::min<std::int64_t>(ny - 1, j + reach[1]); ++jj) {
            for (std::int64_t ii = std::max<std::int64_t>(0, i - reach[0]);
                 ii <= std::min<std::int64_t>(nx - 1, i + reach[0]); ++ii) {
              nearMetal[at(ii, jj, kk)] = 1;
            }
          }
        }
      }
    }
  }
  std::vector<std::uint8_t> ring(count, 0);
  for (std::size_t m = 0; m < count; ++m) {
    ring[m] = nearMetal[m] == 0 && window.used[m] != 0 ? 1 : 0;
  }
  LocalBackground::Estimate(window, ring);
  AcrossSlices(ct, window, ring, regionOf, low[2] - reach[2] - 1, high[2] + reach[2] + 1,
               noiseSigmaHu);
  SetScales(window, noiseSigmaHu, modelError);
  return window;
}

} // namespace seedplan::imaging
