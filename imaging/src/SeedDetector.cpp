#include "seedplan/imaging/SeedDetector.h"

#include "ClusterSplitter.h"
#include "FitWindowBuilder.h"
#include "LocalBackground.h"
#include "MetalEvidence.h"
#include "ScanAppearance.h"
#include "SeedCandidateFinder.h"
#include "SeedFit.h"
#include "StreakRidge.h"

#include "seedplan/core/Error.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <limits>
#include <memory>
#include <numbers>
#include <optional>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

namespace seedplan::imaging {
namespace {

/// Candidates of the first pass stand this far above their surroundings (a seed on a 12-bit
/// scale stands ~3000 HU above soft tissue, streak crossings a few hundred); the second pass,
/// when the measured seeds can look fainter, goes down to kMinContrastHu.
constexpr double kFirstPassContrastHu = 1000.0;
constexpr double kMinContrastHu = 250.0;
constexpr double kSecondPassMaxBackgroundHu = 1000.0;
/// The scope: seeds stand at least 500 HU above the tissue around them. Lumps whose
/// clearest stand less are not what the scanner's appearance is learned from.
constexpr double kMinSeedContrastHu = 500.0;
/// Cost (dimensionless: residuals in units of their expected misfit) a seed must save to count.
/// Schwarz's criterion asks 5/2 ln n for 5 parameters over n ~ 2000 voxels (19); measured on
/// the test scanners, a second capsule fitted to a lone seed's model misfit saves 0-15, a real
/// second seed of a touching pair hundreds.
constexpr double kPenaltyPerSeed = 25.0;
/// With an expected count, a seed is removed only while it saves less than this: beyond, the
/// scan shows it beyond doubt and the count is reported as a mismatch.
constexpr double kMaxRemovableEvidence = 10.0 * kPenaltyPerSeed;
/// ... and added when it saves at least this.
constexpr double kMinAddedEvidence = 0.2 * kPenaltyPerSeed;
/// A seed added for the count may come no closer to another (axis to axis) than this share of
/// the diameter: two solid seeds' axes are at least a diameter apart, and a fit of a lone seed
/// as two presses them against its keep-out distance (0.9 diameter, SeedFit), just inside it.
constexpr double kMinSeparationShare = 1.0;
/// ... unless the blob holds at least this many typical seeds' excess more than its seeds
/// already. The summed excess grows less than linearly with the seeds (measured on the matrix:
/// lone seeds read 0.7-1.1 seeds, side-by-side pairs on a 12-bit scale 1.2-1.4, clusters of 4
/// 2.5-3.9), so it does not decide alone; it keeps crowded fits of blobs that clearly hold more.
constexpr double kMetalSeedsMargin = 0.5;
/// The large metal object: one connected metal region longer than 15 mm or holding more
/// metal than 5 seeds (a cluster of 4 touching seeds never does).
constexpr double kLargeObjectLengthMm = 15.0;
constexpr double kLargeObjectSeeds = 5.0;
/// Seeds one fit window may hold: a cluster of 4 and one seed touching it.
constexpr int kMaxSeedsPerGroup = 6;
/// An extended blob is metal (not bone) when its peak is within this share of a seed's contrast
/// of the seeds' typical peak and stands at least half a seed's contrast above its ring.
constexpr double kMetalPeakShare = 0.15;
/// A blob is a candidate only if it stands at least this share of the faintest peak a seed can
/// show on this scanner (ScanAppearance::FaintestPeakHu) above its ring: noise and the ring's
/// median lower a real seed's contrast by a few tens of percent at most.
constexpr double kFaintestPeakShare = 0.6;
/// A blob may span this much more than the measured seeds' largest before it is cut back.
constexpr double kSpanAllowanceMm = 3.0;
/// Without a seed to compare with, an extended blob is metal when it reaches this HU (above
/// cortical bone, ~1900 HU, and its streaks).
constexpr double kMetalWithoutSeedsHu = 2600.0;
/// The level (share of the way from the surroundings to the peak) at which an extended blob's
/// metal is measured.
constexpr double kObjectLevel = 0.85;
/// Most voxels grown when measuring a large object (a 30 cm rod of 0.5 mm voxels holds fewer).
constexpr std::size_t kMaxObjectVoxels = 4000000;
/// A bright voxel of a seed's own: excess of at least this share of a seed's typical contrast
/// (and kOwnExcessSigmas noise sigmas).
constexpr double kOwnExcessShare = 0.35;
constexpr double kOwnExcessSigmas = 8.0;
/// The axis is reported when its 1-sigma uncertainty is below this (15 degrees: F(r, theta) of a
/// 6711 changes a few percent over that).
constexpr double kMaxAxisSigmaRad = 15.0 * std::numbers::pi / 180.0;
constexpr double kSplitConfidenceFactor = 0.9;
constexpr double kNoDirectionConfidenceFactor = 0.85;
constexpr double kExpectedOnlyConfidenceFactor = 0.6;
constexpr double kDoubtfulConfidence = 0.5;
/// Evidence (in penalties) at which the confidence reaches 1 - 1/e.
constexpr double kConfidenceEvidencePenalties = 3.0;

std::string Format(double value, int precision = 1) {
  std::ostringstream stream;
  stream.setf(std::ios::fixed);
  stream.precision(precision);
  stream << value;
  return stream.str();
}

std::string FormatPoint(const Eigen::Vector3d& pointMm) {
  return "(" + Format(pointMm.x()) + ", " + Format(pointMm.y()) + ", " + Format(pointMm.z()) +
         ") mm";
}

/// The unit vector with its largest component positive (a seed's axis has no sign).
Eigen::Vector3d CanonicalAxis(const Eigen::Vector3d& axis) {
  Eigen::Index largest = 0;
  axis.cwiseAbs().maxCoeff(&largest);
  return axis[largest] < 0.0 ? Eigen::Vector3d(-axis) : axis;
}

void CheckOptions(const Volume<short>& ct, const SeedDetectionOptions& options) {
  if (ct.NumberOfVoxels() == 0) {
    throw InvalidInput("seed detection: the CT volume is empty");
  }
  ct.Geometry().Validate("seed detection CT");
  if (options.thresholdHu && !std::isfinite(*options.thresholdHu)) {
    throw InvalidInput("seed detection: thresholdHu is not finite; expected a value in HU");
  }
  if (!(options.seedDiameterMm > 0.0) || !std::isfinite(options.seedDiameterMm)) {
    throw InvalidInput("seed detection: seedDiameterMm is " + Format(options.seedDiameterMm, 3) +
                       "; expected a positive length in mm");
  }
  if (!(options.seedLengthMm >= options.seedDiameterMm) || !std::isfinite(options.seedLengthMm)) {
    throw InvalidInput("seed detection: seedLengthMm is " + Format(options.seedLengthMm, 3) +
                       "; expected a length in mm of at least the diameter");
  }
  if (options.seedAttenuationHu &&
      (!std::isfinite(*options.seedAttenuationHu) || *options.seedAttenuationHu <= 0.0)) {
    throw InvalidInput("seed detection: seedAttenuationHu is " +
                       Format(*options.seedAttenuationHu, 0) + "; expected a positive HU value");
  }
  if (options.psfFwhmMm && (!(*options.psfFwhmMm > 0.0) || !std::isfinite(*options.psfFwhmMm))) {
    throw InvalidInput("seed detection: psfFwhmMm is " + Format(*options.psfFwhmMm, 3) +
                       "; expected a positive length in mm");
  }
  if (options.expectedCount && *options.expectedCount < 1) {
    throw InvalidInput("seed detection: expected seed count is " +
                       std::to_string(*options.expectedCount) +
                       "; expected the number of implanted seeds (at least 1)");
  }
}

double SpanMm(const std::array<std::int64_t, 3>& low, const std::array<std::int64_t, 3>& high,
              const Eigen::Vector3d& spacing) {
  double sum = 0.0;
  for (int axis = 0; axis < 3; ++axis) {
    const double span = static_cast<double>(high[axis] - low[axis]) * spacing[axis];
    sum += span * span;
  }
  return std::sqrt(sum);
}

/// Sum of the excess over the ring's median of a region's voxels (HU x voxels).
double ExcessSum(const Volume<short>& ct, const MetalRegion& region) {
  double sum = 0.0;
  for (std::int64_t v : region.voxels) {
    sum += std::max(0.0, ct.Data()[static_cast<std::size_t>(v)] - region.ring.medianHu);
  }
  return sum;
}

/// The box (patient mm) of some voxels.
ExcludedMetalObject ObjectOf(const GridGeometry& geometry, const MetalRegion& region,
                             double bloomMm, double seedEquivalents) {
  ExcludedMetalObject object;
  object.lowMm = Eigen::Vector3d::Constant(std::numeric_limits<double>::infinity());
  object.highMm = -object.lowMm;
  for (int corner = 0; corner < 8; ++corner) {
    const Eigen::Vector3d point =
        geometry.IndexToPoint(static_cast<double>((corner & 1) ? region.high[0] : region.low[0]),
                              static_cast<double>((corner & 2) ? region.high[1] : region.low[1]),
                              static_cast<double>((corner & 4) ? region.high[2] : region.low[2]));
    object.lowMm = object.lowMm.cwiseMin(point);
    object.highMm = object.highMm.cwiseMax(point);
  }
  object.lengthMm = std::max(0.0, SpanMm(region.low, region.high, geometry.SpacingMm()) - bloomMm);
  object.seedEquivalents = seedEquivalents;
  return object;
}

std::string Describe(const ExcludedMetalObject& object) {
  return "excluded a large metal object (prosthesis, clips or a needle?), not counted as seeds: "
         "x " +
         Format(object.lowMm.x()) + " to " + Format(object.highMm.x()) + ", y " +
         Format(object.lowMm.y()) + " to " + Format(object.highMm.y()) + ", z " +
         Format(object.lowMm.z()) + " to " + Format(object.highMm.z()) + " mm, " +
         Format(object.lengthMm) + " mm long, metal of about " + Format(object.seedEquivalents, 0) +
         " seeds";
}

/// One fit window: the regions it holds, the window, its fit and model selection.
struct Group {
  std::vector<int> regions;
  FitWindow window;
  std::unique_ptr<SeedFit> fit;
  std::unique_ptr<ClusterSplitter> splitter;
  int count = 0;
  int chosen = 0;        ///< the count model selection chose (before the expected count)
  bool excluded = false; ///< a large object after all: no seeds, not even for the count
  /// The blob's summed excess in typical seeds' (infinite when no seed was measured).
  double metalSeeds = std::numeric_limits<double>::infinity();
  /// Per count k (index k - 1): whether a capsule of the k fit sits on a streak ridge
  /// (StreakRidge), once asked.
  std::vector<std::optional<bool>> onStreak;
  /// When the chosen fit put capsules on streak ridges: the fit's other capsules (their axis
  /// uncertainties, and their cost without the ridge capsules), which are the group's seeds.
  std::optional<FitResult> offStreak;
};

/// True when a capsule of the group's k-seed fit lies on a streak ridge rather than on metal.
bool FitOnStreak(const Volume<short>& ct, Group& group, int k, const CapsuleModel& model,
                 double metalContrastHu) {
  if (k <= 0) {
    return false;
  }
  const auto slot = static_cast<std::size_t>(k - 1);
  if (group.onStreak.size() <= slot) {
    group.onStreak.resize(slot + 1);
  }
  if (!group.onStreak[slot]) {
    group.onStreak[slot] =
        StreakRidge::AnyOnStreak(ct, group.splitter->Best(k).capsules, model, metalContrastHu);
  }
  return *group.onStreak[slot];
}

/// The group's k fit without the capsules that sit on streak ridges (StreakRidge::OnStreak).
FitResult WithoutStreaks(const Volume<short>& ct, Group& group, int k, const CapsuleModel& model,
                         double metalContrastHu) {
  const FitResult& fit = group.splitter->Best(k);
  FitResult kept;
  const std::vector<bool> onStreak =
      StreakRidge::OnStreak(ct, fit.capsules, model, metalContrastHu);
  for (std::size_t s = 0; s < fit.capsules.size(); ++s) {
    if (!onStreak[s]) {
      kept.capsules.push_back(fit.capsules[s]);
      kept.axisSigmaRad.push_back(fit.axisSigmaRad[s]);
    }
  }
  kept.cost = group.fit->Cost(kept.capsules);
  return kept;
}

std::vector<std::string> Summarise(const ScannerAppearance& a) {
  std::vector<std::string> lines;
  std::string source = a.seedsMeasured > 0
                           ? "scanner appearance measured on the " +
                                 std::to_string(a.seedsMeasured) + " clearest isolated seed(s)"
                           : "no isolated seed to measure the scanner on: assumed";
  lines.push_back(source + ": metal " + (a.amplitudeIsLowerBound ? ">= " : "") +
                  Format(a.amplitudeHu, 0) + " HU where a voxel is wholly seed; in-plane blur " +
                  Format(a.inPlaneFwhmMm, 2) + " mm FWHM (Gaussian sigma " +
                  Format(a.psfSigmaMm, 2) + " mm beyond the pixel); slice profile " +
                  Format(a.sliceProfileFwhmMm, 2) + " mm FWHM (box " + Format(a.sliceBoxMm, 2) +
                  " mm, edge sigma " + Format(a.sliceSigmaMm, 2) + " mm)");
  std::string ceiling = "no ceiling (the scale does not clip the metal)";
  if (a.ceilingHu) {
    ceiling = a.ceilingSoftnessHu > 0.0
                  ? "metal compressed into a ceiling of " + Format(*a.ceilingHu, 0) + " HU over " +
                        Format(a.ceilingSoftnessHu, 0) + " HU (metal artefact reduction?)"
                  : "metal clipped at " + Format(*a.ceilingHu, 0) + " HU";
  }
  lines.push_back(ceiling + "; noise " + Format(a.noiseSigmaHu, 1) + " HU; seeds stand ~" +
                  Format(a.typicalContrastHu, 0) + " HU above their surroundings; model misfit " +
                  Format(100.0 * a.modelErrorShare, 0) + " % of a voxel's excess");
  return lines;
}

SeedDetectionReport DetectLearned(const Volume<short>& ct, const SeedDetectionOptions& options) {
  CheckOptions(ct, options);
  SeedDetectionReport report;
  const GridGeometry& geometry = ct.Geometry();
  const Eigen::Vector3d& spacing = geometry.SpacingMm();
  const Eigen::Vector3d sliceStep = geometry.Direction().col(2) * spacing[2];

  const auto tStart = std::chrono::steady_clock::now();
  const auto lap = [&](const char* what) {
    if (std::getenv("SEEDPLAN_DETECT_TIMING") != nullptr) {
      std::fprintf(
          stderr, "timing %s %.3f s\n", what,
          std::chrono::duration<double>(std::chrono::steady_clock::now() - tStart).count());
    }
  };
  // 1-2. Noise, candidate blobs and the scanner's appearance: first from blobs standing out
  // clearly (fast, and streak crossings stay out), then, when this scanner's seeds can look
  // fainter than that, again down to what they can look like.
  const double noiseSigmaHu = LocalBackground::NoiseSigma(ct);
  SeedCandidateFinder::Options finderOptions;
  finderOptions.noiseSigmaHu = noiseSigmaHu;
  finderOptions.thresholdHu = options.thresholdHu;
  finderOptions.minContrastHu = kFirstPassContrastHu;
  std::vector<MetalRegion> regions;
  std::unordered_map<std::int64_t, int> regionOf;
  const auto findRegions = [&]() {
    regions = SeedCandidateFinder::Find(ct, finderOptions);
    regionOf.clear();
    for (std::size_t r = 0; r < regions.size(); ++r) {
      if (!regions[r].extended) {
        for (std::int64_t v : regions[r].voxels) {
          regionOf[v] = static_cast<int>(r);
        }
      }
    }
  };
  findRegions();
  lap("candidates");
  // The appearance is learned only from blobs that can be a seed in absolute terms (MetalEvidence
  // says why): lung vessels stand out from the lung, and bumps of bone from the bone, as seeds do
  // from soft tissue.
  LearnedAppearance learned = ScanAppearance::Learn(ct, MetalEvidence::SeedLikeOnly(ct, regions),
                                                    regionOf, noiseSigmaHu, options);
  if (!options.thresholdHu) {
    double faintest = kMinContrastHu;
    if (learned.summary.seedsMeasured > 0) {
      faintest = std::numeric_limits<double>::infinity();
      // Over lung to soft tissue and trabecular bone; seeds in denser bone stand out against it
      // by their contrast over the bone, which the first pass looks at too.
      for (const auto& [background, peak] : learned.faintestByBackground) {
        if (background <= kSecondPassMaxBackgroundHu) {
          faintest = std::min(faintest, kFaintestPeakShare * peak);
        }
      }
    }
    const double secondPass = std::max(kMinContrastHu, faintest);
    if (secondPass < kFirstPassContrastHu) {
      std::vector<MetalRegion> firstRegions = regions;
      std::unordered_map<std::int64_t, int> firstRegionOf = regionOf;
      LearnedAppearance firstLearned = learned;
      finderOptions.minContrastHu = secondPass;
      findRegions();
      lap("candidates again");
      learned = ScanAppearance::Learn(ct, MetalEvidence::SeedLikeOnly(ct, regions), regionOf,
                                      noiseSigmaHu, options);
      // The clearest lumps the fainter pass found stand less above their surroundings than any
      // seed the detector is meant for: streak crossings or the blooming of a large object, not
      // seeds to learn the scanner from; the first pass stands.
      // Nor does a fainter pass without a single seed-like blob to learn from justify its lower
      // contrast: what it adds stands out as anatomy does (a CT without metal).
      if (learned.summary.seedsMeasured == 0 || learned.typicalContrastHu < kMinSeedContrastHu) {
        regions = std::move(firstRegions);
        regionOf = std::move(firstRegionOf);
        learned = std::move(firstLearned);
      }
    }
  }
  // Not one blob is as bright as a seed in soft tissue: the scan holds no metal (a planning CT:
  // lung and its vessels, bone), so no seed, whatever stands out from its surroundings.
  // --threshold-hu is the user's own level and overrides this.
  if (!options.thresholdHu && !MetalEvidence::AnyBrightAsSeed(regions)) {
    report.summary.push_back(
        "no metal on this scan: no blob is both as bright as a seed in soft tissue (>= " +
        Format(MetalEvidence::kMinSeedPeakHu, 0) +
        " HU: " + Format(MetalEvidence::kMinSeedContrastHu, 0) +
        " HU above fat) and as compact as one; what stands out from its surroundings is anatomy "
        "(lung vessels, bone)");
    report.notes.push_back("no seeds found");
    return report;
  }
  const CapsuleModel& model = learned.model;
  report.appearance = learned.summary;
  std::vector<double> seedExcess;
  for (int r : learned.measured) {
    seedExcess.push_back(ExcessSum(ct, regions[static_cast<std::size_t>(r)]));
  }
  std::sort(seedExcess.begin(), seedExcess.end());
  const double typicalExcess = seedExcess.empty() ? 0.0 : seedExcess[seedExcess.size() / 2];
  const double typicalContrast = learned.typicalContrastHu;

  lap("appearance");
  // 3. Large metal objects and anatomy. A blob's metal is measured at a high level (kObjectLevel
  // of the way from its surroundings to its peak): streak lines summing between seeds do not
  // reach it, a needle or a plate shows its whole length; the measured seeds, measured alike,
  // give one seed's blooming and metal.
  const auto atObjectLevel = [&](const MetalRegion& region) {
    MetalRegion object = SeedCandidateFinder::Grow(
        ct, region.peakIndex, region.ring.medianHu + kObjectLevel * region.ContrastHu(),
        std::numeric_limits<double>::infinity(), kMaxObjectVoxels,
        std::numeric_limits<double>::infinity());
    object.ring = region.ring;
    object.peaks = region.peaks;
    return object;
  };
  double objectBloomMm = 0.0;
  double objectSeedExcess = 0.0;
  {
    std::vector<double> excess;
    for (int r : learned.measured) {
      const MetalRegion seed = atObjectLevel(regions[static_cast<std::size_t>(r)]);
      objectBloomMm =
          std::max(objectBloomMm, SpanMm(seed.low, seed.high, spacing) - options.seedLengthMm);
      excess.push_back(ExcessSum(ct, seed));
    }
    std::sort(excess.begin(), excess.end());
    objectSeedExcess = excess.empty() ? 0.0 : excess[excess.size() / 2];
  }
  std::vector<bool> excluded(regions.size(), false);
  /// Short blobs holding more than kLargeObjectSeeds seeds' metal by their excess: the fit says.
  std::unordered_map<std::size_t, ExcludedMetalObject> heavy;
  std::unordered_set<std::int64_t> objectVoxels;
  for (std::size_t r = 0; r < regions.size(); ++r) {
    MetalRegion& region = regions[r];
    // As bright as the seeds; without a seed to compare with, brighter than any bone.
    const bool metalBright =
        learned.summary.seedsMeasured > 0
            ? region.peakHu >= learned.typicalPeakHu - kMetalPeakShare * typicalContrast &&
                  region.ContrastHu() >= 0.5 * typicalContrast
            : region.peakHu >= kMetalWithoutSeedsHu && region.ContrastHu() >= kFirstPassContrastHu;
    if (region.voxels.empty() && !region.extended) {
      continue;
    }
    const double regionLength = SpanMm(region.low, region.high, spacing) - learned.bloomMm;
    const double regionSeeds = typicalExcess > 0.0 ? ExcessSum(ct, region) / typicalExcess : 0.0;
    const bool suspicious =
        region.extended || regionLength > kLargeObjectLengthMm || regionSeeds > kLargeObjectSeeds;
    if (!suspicious) {
      continue;
    }
    const std::int64_t peak =
        geometry.LinearIndex(region.peakIndex[0], region.peakIndex[1], region.peakIndex[2]);
    if (!metalBright || objectVoxels.contains(peak)) {
      // Anatomy brighter than its surroundings (bone), or part of an object already named.
      excluded[r] = region.extended || objectVoxels.contains(peak);
      continue;
    }
    MetalRegion object = atObjectLevel(region);
    const double seeds = objectSeedExcess > 0.0 ? ExcessSum(ct, object) / objectSeedExcess : 0.0;
    const double length = SpanMm(object.low, object.high, spacing) - objectBloomMm;
    if (length <= kLargeObjectLengthMm && seeds > kLargeObjectSeeds && !region.extended) {
      // Short, but more metal than kLargeObjectSeeds seeds by the summed excess. That sum is
      // not linear in the metal: between touching seeds the blur of their neighbours lifts
      // partial-volume voxels above the level a lone seed's rim does not reach, so a cluster of
      // 4 in thick slices reads as 5-6 seeds. The fit counts instead: the blob is excluded when
      // model selection needs more than kLargeObjectSeeds seeds for it (step 4).
      heavy[r] = ObjectOf(geometry, object, objectBloomMm, seeds);
      continue;
    }
    if (length > kLargeObjectLengthMm || seeds > kLargeObjectSeeds) {
      excluded[r] = true;
      objectVoxels.insert(object.voxels.begin(), object.voxels.end());
      report.excludedObjects.push_back(ObjectOf(geometry, object, objectBloomMm, seeds));
      continue;
    }
    if (!region.extended) {
      continue; // seeds after all (a cluster whose blob took in streaks)
    }
    // Metal that kept growing only through the streaks or bone beside it: seeds after all,
    // fitted on the metal's own blob.
    excluded[r] = true;
    bool free = !object.voxels.empty();
    for (std::int64_t v : object.voxels) {
      free = free && !regionOf.contains(v);
    }
    if (free) {
      object.extended = false;
      for (std::int64_t v : object.voxels) {
        regionOf[v] = static_cast<int>(r);
      }
      region = std::move(object);
      excluded[r] = false;
    }
  }
  // Compact blobs inside a named object belong to it.
  for (std::size_t r = 0; r < regions.size(); ++r) {
    if (!excluded[r] && !regions[r].voxels.empty() &&
        objectVoxels.contains(regions[r].voxels.front())) {
      excluded[r] = true;
    }
  }
  for (const ExcludedMetalObject& object : report.excludedObjects) {
    report.notes.push_back(Describe(object));
  }

  // Blobs much larger than a seed's that are not clusters (they lose the extra at a higher
  // level) took in streaks or bone: cut back to their metal, so that fits start on it.
  if (learned.summary.seedsMeasured > 0) {
    const double maxSpanMm = learned.typicalSpanMm + kSpanAllowanceMm;
    for (std::size_t r = 0; r < regions.size(); ++r) {
      MetalRegion& region = regions[r];
      if (excluded[r] || region.voxels.empty() ||
          SpanMm(region.low, region.high, spacing) <= maxSpanMm) {
        continue;
      }
      MetalRegion tightened = SeedCandidateFinder::Tighten(ct, region, maxSpanMm, noiseSigmaHu);
      if (tightened.voxels.size() < region.voxels.size()) {
        for (std::int64_t v : region.voxels) {
          regionOf.erase(v);
        }
        bool free = true;
        for (std::int64_t v : tightened.voxels) {
          free = free && !regionOf.contains(v);
        }
        if (!free) {
          for (std::int64_t v : region.voxels) {
            regionOf[v] = static_cast<int>(r);
          }
          continue;
        }
        for (std::int64_t v : tightened.voxels) {
          regionOf[v] = static_cast<int>(r);
        }
        region = std::move(tightened);
      }
    }
  }
  // Blobs fainter than any seed can look on this scanner are not seeds (streak crossings, small
  // calcifications, bone texture).
  std::size_t faint = 0;
  for (std::size_t r = 0; r < regions.size(); ++r) {
    // Against the ring's median and, when it stands above them, against the ring's upper
    // quartile (bone or streaks around): a seed beside bone still stands above the bone by what a
    // seed shows on bone; a compressed seed darker than the bone beside it is judged on the
    // median only. And against the tissue the blob grew into at a lower level
    // (MetalRegion::touchesHu): at the corner of a bone, most of the ring is soft tissue, so
    // bone plus a streak stands above the ring's median and upper quartile as a seed does, but
    // above the bone it touches only by the streak.
    const RingStatistics& ring = regions[r].ring;
    if (!excluded[r] && learned.summary.seedsMeasured > 0 &&
        (regions[r].peakHu - ring.medianHu <
             kFaintestPeakShare * learned.FaintestPeakOn(ring.medianHu) ||
         (regions[r].peakHu > ring.highHu &&
          regions[r].peakHu - ring.highHu <
              kFaintestPeakShare * learned.FaintestPeakOn(ring.highHu)) ||
         (std::isfinite(regions[r].touchesHu) && regions[r].peakHu > regions[r].touchesHu &&
          regions[r].peakHu - regions[r].touchesHu <
              kFaintestPeakShare * learned.FaintestPeakOn(regions[r].touchesHu)))) {
      excluded[r] = true;
      ++faint;
    }
  }
  // 4. Fit groups: blobs within the blur's reach of each other are fitted together.
  const std::array<std::int64_t, 3> reach = FitWindowBuilder::Reach(geometry, model);
  std::vector<int> live;
  for (std::size_t r = 0; r < regions.size(); ++r) {
    if (!excluded[r] && !regions[r].voxels.empty()) {
      live.push_back(static_cast<int>(r));
    }
  }
  std::vector<int> parent(regions.size());
  for (std::size_t r = 0; r < parent.size(); ++r) {
    parent[r] = static_cast<int>(r);
  }
  const auto root = [&parent](int r) {
    while (parent[static_cast<std::size_t>(r)] != r) {
      r = parent[static_cast<std::size_t>(r)];
    }
    return r;
  };
  for (std::size_t a = 0; a < live.size(); ++a) {
    for (std::size_t b = a + 1; b < live.size(); ++b) {
      const MetalRegion& ra = regions[static_cast<std::size_t>(live[a])];
      const MetalRegion& rb = regions[static_cast<std::size_t>(live[b])];
      bool near = true;
      for (int axis = 0; axis < 3 && near; ++axis) {
        const std::int64_t gap =
            std::max<std::int64_t>({0, rb.low[axis] - ra.high[axis], ra.low[axis] - rb.high[axis]});
        near = gap <= reach[axis] + (axis < 2 ? 1 : 0);
      }
      if (near) {
        parent[static_cast<std::size_t>(root(live[a]))] = root(live[b]);
      }
    }
  }
  std::vector<Group> groups;
  {
    std::unordered_map<int, std::size_t> groupOf;
    for (int r : live) {
      const int top = root(r);
      auto found = groupOf.find(top);
      if (found == groupOf.end()) {
        found = groupOf.emplace(top, groups.size()).first;
        groups.emplace_back();
      }
      groups[found->second].regions.push_back(r);
    }
  }
  ClusterSplitter::Options splitOptions;
  splitOptions.penaltyPerSeed = kPenaltyPerSeed;
  splitOptions.ownExcessHu =
      std::max(kOwnExcessShare * typicalContrast, kOwnExcessSigmas * noiseSigmaHu);
  splitOptions.seedDiameterMm = options.seedDiameterMm;
  splitOptions.minOwnVoxels = 2;
  splitOptions.seedExcessSum = learned.typicalExcessSum;
  const auto& size = geometry.Size();
  std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic)
  for (std::size_t g = 0; g < groups.size(); ++g) {
    try {
      Group& group = groups[g];
      std::vector<const MetalRegion*> members;
      std::vector<Eigen::Vector3d> points;
      std::vector<double> weights;
      int peaks = 0;
      for (int r : group.regions) {
        const MetalRegion& region = regions[static_cast<std::size_t>(r)];
        members.push_back(&region);
        peaks += region.peaks;
        for (std::int64_t v : region.voxels) {
          const std::int64_t i = v % size[0];
          const std::int64_t j = (v / size[0]) % size[1];
          const std::int64_t k = v / (size[0] * size[1]);
          points.push_back(geometry.IndexToPoint(static_cast<double>(i), static_cast<double>(j),
                                                 static_cast<double>(k)));
          weights.push_back(
              std::max(1.0, ct.Data()[static_cast<std::size_t>(v)] - region.ring.medianHu));
        }
      }
      if (typicalExcess > 0.0) {
        double excess = 0.0;
        for (int r : group.regions) {
          excess += ExcessSum(ct, regions[static_cast<std::size_t>(r)]);
        }
        group.metalSeeds = excess / typicalExcess;
      }
      group.window = FitWindowBuilder::Build(ct, members, regionOf, group.regions, model,
                                             noiseSigmaHu, learned.weightingError);
      group.fit = std::make_unique<SeedFit>(geometry, group.window, model);
      ClusterSplitter::Options own = splitOptions;
      own.metalSeeds = group.metalSeeds;
      own.maxSeeds = std::clamp(peaks + 2, 2, kMaxSeedsPerGroup);
      for (int r : group.regions) {
        if (heavy.contains(static_cast<std::size_t>(r))) {
          // Room for one seed more than a small cluster can hold: if the fit takes it, the blob
          // is a large object.
          own.maxSeeds = std::max(own.maxSeeds, static_cast<int>(kLargeObjectSeeds) + 1);
        }
      }
      group.splitter =
          std::make_unique<ClusterSplitter>(*group.fit, points, weights, sliceStep, own);
      group.count = group.splitter->ChooseCount();
      // Capsules fitted to streak rays or their crossings explain excess that runs on beyond
      // them (StreakRidge): not seeds. The fit's other capsules stay where that fit put them
      // (a fit with fewer capsules keeps the ridge's and drops a faint seed beside it).
      if (FitOnStreak(ct, group, group.count, model, typicalContrast)) {
        group.offStreak = WithoutStreaks(ct, group, group.count, model, typicalContrast);
        group.count = static_cast<int>(group.offStreak->capsules.size());
      }
      group.chosen = group.count;
    } catch (...) {
#pragma omp critical(seedDetectionFailure)
      failure = std::current_exception();
    }
  }
  if (failure) {
    std::rethrow_exception(failure);
  }

  lap("groups");
  // Short blobs of heavy metal that the fit needs more than kLargeObjectSeeds seeds for, and
  // whose kLargeObjectSeeds-seed fit still leaves a lump of metal unexplained, are large objects
  // after all (a cluster of 4 on a clipped scale can take a fifth and sixth capsule in its
  // blooming, but its 5-seed fit leaves no metal).
  for (Group& group : groups) {
    if (group.count <= static_cast<int>(kLargeObjectSeeds) || group.offStreak) {
      continue;
    }
    ClusterSplitter& splitter = *group.splitter;
    if (!splitter.LeavesMetal(static_cast<int>(kLargeObjectSeeds))) {
      // Seeds, but more than a blob of touching seeds holds (4, and one more touching them):
      // the fewest valid seeds that leave no metal unexplained.
      for (int k = 1; k <= static_cast<int>(kLargeObjectSeeds); ++k) {
        if (splitter.Valid(k) && !splitter.LeavesMetal(k)) {
          group.count = k;
          group.chosen = k;
          break;
        }
      }
      continue;
    }
    for (int r : group.regions) {
      const auto object = heavy.find(static_cast<std::size_t>(r));
      if (object != heavy.end()) {
        ExcludedMetalObject named = object->second;
        named.seedEquivalents = std::max(named.seedEquivalents, static_cast<double>(group.count));
        report.excludedObjects.push_back(named);
        report.notes.push_back(Describe(named));
        group.count = 0;
        group.chosen = 0;
        group.excluded = true;
        break;
      }
    }
  }
  // 5. The expected count: one seed more where the next seed saves the most, one fewer where
  // the last saves the least, by the fits' own evidence.
  int total = 0;
  for (const Group& group : groups) {
    total += group.count;
  }
  const int foundByEvidence = total;
  if (options.expectedCount && total != *options.expectedCount) {
    const bool more = *options.expectedCount > total;
    if (more) {
      // The next fits of every blob, in parallel, before choosing.
#pragma omp parallel for schedule(dynamic)
      for (std::size_t g = 0; g < groups.size(); ++g) {
        try {
          Group& group = groups[g];
          if (!group.excluded && group.count < group.splitter->MaxSeeds()) {
            group.splitter->Cost(group.count + 1);
          }
        } catch (...) {
#pragma omp critical(seedDetectionFailure)
          failure = std::current_exception();
        }
      }
      if (failure) {
        std::rethrow_exception(failure);
      }
    }
    while (total != *options.expectedCount) {
      double bestEvidence = more ? kMinAddedEvidence : kMaxRemovableEvidence;
      std::size_t chosen = groups.size();
      for (std::size_t g = 0; g < groups.size(); ++g) {
        Group& group = groups[g];
        ClusterSplitter& splitter = *group.splitter;
        if (group.excluded) {
          continue;
        }
        if (more) {
          if (group.count >= splitter.MaxSeeds() || group.offStreak) {
            continue;
          }
          // The fit with one more seed whose weakest seed is worth most, every seed with a metal
          // core: a lone seed split in two has a weak half (the other covers its metal), two
          // flat seeds stacked within a slice do not.
          if (std::getenv("SEEDPLAN_DETECT_TIMING") != nullptr) {
            std::fprintf(
                stderr, "add? group %zu count %d cost %.1f next %.1f weakest %.1f cored %d\n", g,
                group.count, splitter.Cost(group.count), splitter.Cost(group.count + 1),
                splitter.WeakestEvidence(group.count + 1), int(splitter.Cored(group.count + 1)));
            std::fprintf(stderr, "     closest %.2f mm, metal of %.2f seeds\n",
                         splitter.ClosestApproachMm(group.count + 1), group.metalSeeds);
          }
          if (!(splitter.Cost(group.count) - splitter.Cost(group.count + 1) > 0.0) ||
              FitOnStreak(ct, group, group.count + 1, model, typicalContrast)) {
            continue;
          }
          // Solid seeds do not interpenetrate: a fit that must bring one seed's axis within a
          // diameter of another's to take one more, on a blob holding no more metal than its
          // seeds, splits a seed in two rather than finding one the scan shows.
          if (group.metalSeeds < group.count + kMetalSeedsMargin &&
              splitter.ClosestApproachMm(group.count + 1) <
                  kMinSeparationShare * options.seedDiameterMm) {
            continue;
          }
          const double evidence = splitter.WeakestEvidence(group.count + 1);
          if (evidence > bestEvidence && splitter.Cored(group.count + 1)) {
            bestEvidence = evidence;
            chosen = g;
          }
        } else if (group.count >= 1) {
          double evidence = std::numeric_limits<double>::infinity();
          if (group.offStreak) {
            const std::vector<Capsule>& kept = group.offStreak->capsules;
            for (std::size_t s = 0; s < kept.size(); ++s) {
              std::vector<Capsule> others = kept;
              others.erase(others.begin() + static_cast<std::ptrdiff_t>(s));
              evidence = std::min(evidence, group.fit->Cost(others) - group.offStreak->cost);
            }
          } else {
            evidence = splitter.Cost(group.count - 1) - splitter.Cost(group.count);
          }
          if (evidence < bestEvidence) {
            bestEvidence = evidence;
            chosen = g;
          }
        }
      }
      if (chosen == groups.size()) {
        break;
      }
      Group& settled = groups[chosen];
      if (!more && settled.offStreak) {
        // The kept seed that saves the least goes.
        FitResult& kept = *settled.offStreak;
        std::size_t weakest = 0;
        double least = std::numeric_limits<double>::infinity();
        for (std::size_t s = 0; s < kept.capsules.size(); ++s) {
          std::vector<Capsule> others = kept.capsules;
          others.erase(others.begin() + static_cast<std::ptrdiff_t>(s));
          const double saved = settled.fit->Cost(others) - kept.cost;
          if (saved < least) {
            least = saved;
            weakest = s;
          }
        }
        kept.capsules.erase(kept.capsules.begin() + static_cast<std::ptrdiff_t>(weakest));
        kept.axisSigmaRad.erase(kept.axisSigmaRad.begin() + static_cast<std::ptrdiff_t>(weakest));
        kept.cost = settled.fit->Cost(kept.capsules);
      }
      settled.count += more ? 1 : -1;
      total += more ? 1 : -1;
    }
    if (total != foundByEvidence) {
      report.notes.push_back("the fits' evidence gave " + std::to_string(foundByEvidence) +
                             " seeds; the expected count " +
                             std::to_string(*options.expectedCount) + " settled the closest calls");
    }
  }

  lap("expected");
  // 6. Seeds with direction and confidence.
  struct Found {
    Seed seed;
    bool doubtful = false;
    std::string why;
  };
  std::vector<Found> found;
  // Seeds of blobs the expected count emptied: not in the seeds CSV, but the scan showed them,
  // so the physicist is told where (as doubtful as a seed kept only for the count).
  std::vector<std::string> leftOut;
  for (Group& group : groups) {
    if (group.count == 0) {
      if (!group.excluded && group.chosen > 0) {
        for (const Capsule& capsule : group.splitter->Best(group.chosen).capsules) {
          leftOut.push_back("seed at " + FormatPoint(capsule.centreMm) +
                            " left out to reach the expected count (the scan shows it; check "
                            "the count)");
        }
      }
      continue;
    }
    const FitResult& fit =
        group.offStreak ? *group.offStreak : group.splitter->Reported(group.count);
    for (std::size_t s = 0; s < fit.capsules.size(); ++s) {
      std::vector<Capsule> others = fit.capsules;
      others.erase(others.begin() + static_cast<std::ptrdiff_t>(s));
      const double evidence = std::max(0.0, group.fit->Cost(others) - fit.cost);
      double confidence =
          1.0 - std::exp(-evidence / (kConfidenceEvidencePenalties * kPenaltyPerSeed));
      Found entry;
      entry.seed.positionMm = fit.capsules[s].centreMm;
      if (group.count > 1) {
        confidence *= kSplitConfidenceFactor;
      }
      if (fit.axisSigmaRad[s] <= kMaxAxisSigmaRad) {
        entry.seed.direction = CanonicalAxis(fit.capsules[s].axis);
      } else {
        confidence *= kNoDirectionConfidenceFactor;
      }
      const bool forCount = group.count > group.chosen;
      if (forCount) {
        confidence *= kExpectedOnlyConfidenceFactor;
        entry.why = "counted to reach the expected count";
      } else if (group.count < group.chosen) {
        entry.why = "merged with a neighbour to reach the expected count";
      }
      entry.seed.confidence = std::clamp(confidence, 0.0, 1.0);
      entry.doubtful = forCount || group.count < group.chosen || confidence < kDoubtfulConfidence;
      if (entry.why.empty() && entry.doubtful) {
        entry.why = "weak evidence (" + Format(evidence, 0) + ")";
      }
      found.push_back(std::move(entry));
    }
  }
  std::sort(found.begin(), found.end(), [](const Found& left, const Found& right) {
    const Eigen::Vector3d& a = left.seed.positionMm;
    const Eigen::Vector3d& b = right.seed.positionMm;
    if (a.z() != b.z()) {
      return a.z() < b.z();
    }
    if (a.y() != b.y()) {
      return a.y() < b.y();
    }
    return a.x() < b.x();
  });
  report.summary = Summarise(report.appearance);
  for (const std::string& note : learned.notes) {
    report.summary.push_back(note);
  }
  for (std::size_t s = 0; s < found.size(); ++s) {
    report.seeds.push_back(found[s].seed);
    if (found[s].doubtful) {
      report.doubtful.push_back(s);
      report.summary.push_back("doubtful seed " + std::to_string(s + 1) + " at " +
                               FormatPoint(found[s].seed.positionMm) + ": confidence " +
                               Format(*found[s].seed.confidence, 2) + ", " + found[s].why);
    }
  }
  report.summary.insert(report.summary.end(), leftOut.begin(), leftOut.end());
  if (faint > 0) {
    report.summary.push_back(std::to_string(faint) +
                             " blob(s) fainter than any seed on this scan "
                             "(below " +
                             Format(kFaintestPeakShare * learned.faintestPeakHu, 0) +
                             " HU above their surroundings) ignored");
  }
  if (report.doubtful.empty() && leftOut.empty() && !report.seeds.empty()) {
    report.summary.push_back("no doubtful seed");
  }
  if (options.expectedCount && static_cast<int>(report.seeds.size()) != *options.expectedCount) {
    report.notes.push_back("expected " + std::to_string(*options.expectedCount) + ", found " +
                           std::to_string(report.seeds.size()));
  }
  if (report.seeds.empty()) {
    report.notes.push_back("no seeds found");
  }
  return report;
}

} // namespace

SeedDetectionReport SeedDetector::Detect(const Volume<short>& ct,
                                         const SeedDetectionOptions& options) {
  return DetectLearned(ct, options);
}

} // namespace seedplan::imaging
