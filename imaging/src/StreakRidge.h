#pragma once

#include "SeedFit.h"

#include "seedplan/core/Volume.h"

#include <vector>

namespace seedplan::imaging {

/// Tells a seed from a streak artefact that a capsule was fitted to.
///
/// A seed's excess is compact: across its axis it falls from its core to the tissue within the
/// blur (the learned in-plane point spread); beyond its ends it falls within the blur too. A
/// streak (beam hardening, photon starvation, the rays a seed throws, where rays cross) is a
/// ridge that runs on through any point of it, in both directions, over a length much longer
/// than a seed (10 mm and more, in every slice the metal shows in). So in the candidate's own
/// slice(s), on a shell just beyond the blur's reach around the fitted capsule, a streak shows
/// excess on two opposite sides as a sizeable share of the candidate's own, a seed shows noise
/// (its own rays cover a few narrow sectors, bright and dark alternately; a bone edge or a
/// touching neighbour lies on one side only; a bone it lies in runs on across the slices and is
/// taken as the tissue under the shell, a streak does not).
///
/// Measured on a third generator's scans (tests/dicomrt/postimplant_ct.py, 8 000-30 000 HU,
/// 300-600 HU streaks): true seeds 0.16 at most, capsules fitted to streak rays and crossings
/// 0.2-0.8 (most above 0.25).
class StreakRidge {
public:
  /// Share of the candidate's core excess that a pair of opposite sectors of the shell must both
  /// show (their medians) for the candidate to be a ridge through the point. A bright streak of
  /// a neighbour passing through a real seed reaches 0.16 of that seed's contrast at 600 HU
  /// streaks beside 25 000 HU metal; a ridge's tiles and crossings reach 0.2-0.8.
  static constexpr double kThroughShare = 0.2;
  /// A capsule whose core stands at least this share of a typical seed's contrast
  /// (`metalContrastHu`, ScanAppearance) above the tissue around it is metal, not judged: a
  /// streak carries a fraction of the excess of the metal that throws it (300-600 HU beside seeds
  /// standing 1 500-3 000 HU above tissue), while a seed of a touching pair or cluster, flanked by
  /// its neighbours' bright blur, stands as high as any seed. The faint seeds the test is for (a
  /// seed lying in the slice of a thick scan stands ~1/8 of the typical contrast) are judged.
  static constexpr double kMetalShare = 0.5;
  /// The shell starts this many in-plane blur sigmas (pixel box and Gaussian) beyond the
  /// capsule's surface: a seed's own blurred excess there is below 1 % of its core.
  static constexpr double kShellBlurSigmas = 2.5;
  /// ... and is this thick (mm), at least kShellPixels pixels, so each sector holds voxels.
  static constexpr double kShellThicknessMm = 1.0;
  static constexpr double kShellPixels = 1.5;

  /// The share (of the capsule's core excess over the tissue around it) that the excess on the
  /// shell around `capsule` keeps on both of two opposite sides, the most over four directions
  /// in plane; 0 when it cannot be measured (no core excess, sectors without voxels) or the
  /// capsule is metal beyond doubt (kMetalShare, a core at the scale's ceiling).
  static double ThroughShare(const Volume<short>& ct, const Capsule& capsule,
                             const CapsuleModel& model, double metalContrastHu);
  /// Per capsule of one fit: whether it sits on a streak ridge (ThroughShare >= kThroughShare),
  /// each judged alone.
  static std::vector<bool> OnStreak(const Volume<short>& ct, const std::vector<Capsule>& capsules,
                                    const CapsuleModel& model, double metalContrastHu);
  /// True when any capsule of the fit sits on a streak ridge.
  static bool AnyOnStreak(const Volume<short>& ct, const std::vector<Capsule>& capsules,
                          const CapsuleModel& model, double metalContrastHu);
};

} // namespace seedplan::imaging
