#include "SeedScenes.h"

#include <Eigen/Geometry>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>

namespace seedplan::imaging::testing {
namespace {

constexpr double kSeparationMm = 9.0;
constexpr double kInsideMarginMm = 7.0;
constexpr double kSeedLengthMm = 4.5;
constexpr double kSeedDiameterMm = 0.8;

Eigen::Vector3d RandomUnit(std::mt19937& random) {
  std::normal_distribution<double> gauss(0.0, 1.0);
  return Eigen::Vector3d(gauss(random), gauss(random), gauss(random)).normalized();
}

Eigen::Vector3d AnyPerpendicular(const Eigen::Vector3d& axis, std::mt19937& random) {
  Eigen::Vector3d v = RandomUnit(random);
  v -= v.dot(axis) * axis;
  return v.normalized();
}

double SegmentSegmentDistance(const SimSeed& a, const SimSeed& b) {
  // Sampled: accurate to a few hundredths of a mm, enough to keep capsules apart.
  const double half = 0.5 * kSeedLengthMm - 0.5 * kSeedDiameterMm;
  double best = 1e9;
  for (int s = 0; s <= 20; ++s) {
    const Eigen::Vector3d p = a.positionMm + (-half + 2.0 * half * s / 20.0) * a.axis;
    const double t = std::clamp((p - b.positionMm).dot(b.axis), -half, half);
    best = std::min(best, (p - (b.positionMm + t * b.axis)).norm());
  }
  return best;
}

bool Overlaps(const std::vector<SimSeed>& seeds, const SimSeed& seed) {
  return std::any_of(seeds.begin(), seeds.end(), [&](const SimSeed& other) {
    return SegmentSegmentDistance(seed, other) < kSeedDiameterMm + 0.02 ||
           SegmentSegmentDistance(other, seed) < kSeedDiameterMm + 0.02;
  });
}

/// Four seeds touching: each new seed touches one before it at a random place and angle.
std::vector<SimSeed> ClusterOfFour(const Eigen::Vector3d& centre, std::mt19937& random) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  for (int attempt = 0; attempt < 200; ++attempt) {
    std::vector<SimSeed> cluster{{centre, RandomUnit(random)}};
    // Often bundles (parallel), sometimes crossing.
    const bool bundle = unit(random) < 0.5;
    bool failed = false;
    while (cluster.size() < 4 && !failed) {
      failed = true;
      for (int tries = 0; tries < 100; ++tries) {
        const SimSeed& base = cluster[static_cast<std::size_t>(unit(random) * cluster.size())];
        Eigen::Vector3d axis = bundle ? base.axis : RandomUnit(random);
        if (bundle && unit(random) < 0.3) {
          axis = (axis + 0.3 * RandomUnit(random)).normalized();
        }
        const Eigen::Vector3d across = AnyPerpendicular(base.axis, random);
        const double along = (unit(random) - 0.5) * 2.5;
        SimSeed seed{base.positionMm + across * (kSeedDiameterMm + 0.05 + 0.2 * unit(random)) +
                         along * base.axis,
                     axis};
        if (!Overlaps(cluster, seed)) {
          cluster.push_back(seed);
          failed = false;
          break;
        }
      }
    }
    if (!failed) {
      // Recentre.
      Eigen::Vector3d mean = Eigen::Vector3d::Zero();
      for (const SimSeed& seed : cluster) {
        mean += 0.25 * seed.positionMm;
      }
      for (SimSeed& seed : cluster) {
        seed.positionMm += centre - mean;
      }
      return cluster;
    }
  }
  return {};
}

} // namespace

double ToleranceMm(double sliceThicknessMm) {
  return sliceThicknessMm >= 3.0 - 1e-9 ? 2.0 : 1.5;
}

TestScan MakeScan(const Eigen::Vector3d& sizeMm, double pixelMm, double sliceSpacingMm,
                  const SceneRecipe& recipe, const ScannerModel& scanner, std::mt19937& random) {
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  const Eigen::Vector3d spacing(pixelMm, pixelMm, sliceSpacingMm);
  std::array<std::int64_t, 3> size{};
  for (int axis = 0; axis < 3; ++axis) {
    size[axis] = static_cast<std::int64_t>(std::ceil(sizeMm[axis] / spacing[axis])) + 1;
  }
  const Eigen::Vector3d origin(-0.5 * sizeMm.x() + unit(random) * pixelMm,
                               -0.5 * sizeMm.y() + unit(random) * pixelMm,
                               -0.5 * sizeMm.z() + unit(random) * sliceSpacingMm);
  TestScan scan{GridGeometry(origin, spacing, size), Scene{}, scanner};
  Scene& scene = scan.scene;
  scene.seedLengthMm = kSeedLengthMm;
  scene.seedDiameterMm = kSeedDiameterMm;
  if (recipe.lung) {
    scene.lungFromYMm = 0.3 * sizeMm.y() * (unit(random) - 0.5);
  }
  const Eigen::Vector3d low = origin.array() + kInsideMarginMm;
  const Eigen::Vector3d high = (origin + sizeMm).array() - kInsideMarginMm;
  std::vector<Eigen::Vector3d> taken; // structure centres
  const auto randomPoint = [&]() {
    return Eigen::Vector3d(low.x() + unit(random) * (high.x() - low.x()),
                           low.y() + unit(random) * (high.y() - low.y()),
                           low.z() + unit(random) * (high.z() - low.z()));
  };
  const auto freePoint = [&](double separation) -> std::optional<Eigen::Vector3d> {
    for (int attempt = 0; attempt < 2000; ++attempt) {
      const Eigen::Vector3d p = randomPoint();
      bool free = std::none_of(taken.begin(), taken.end(), [&](const Eigen::Vector3d& q) {
        return (p - q).norm() < separation;
      });
      for (const BoneBlock& bone : scene.bones) {
        const Eigen::Vector3d nearest = p.cwiseMax(bone.lowMm).cwiseMin(bone.highMm);
        free = free && (p - nearest).norm() > 0.5 * kSeedLengthMm + recipe.boneClearanceMm;
      }
      if (free) {
        taken.push_back(p);
        return p;
      }
    }
    return std::nullopt;
  };
  if (recipe.boneHu) {
    // A block across the scan's middle in x, 12 mm thick in y, all slices; seeds beside it.
    BoneBlock bone;
    const double y0 = origin.y() + (0.35 + 0.3 * unit(random)) * sizeMm.y();
    bone.lowMm = Eigen::Vector3d(origin.x() + 0.3 * sizeMm.x(), y0, origin.z() - 10.0);
    bone.highMm =
        Eigen::Vector3d(origin.x() + 0.7 * sizeMm.x(), y0 + 12.0, origin.z() + sizeMm.z() + 10.0);
    bone.hu = *recipe.boneHu;
    bone.shellMm = recipe.boneShell ? 1.5 : 0.0;
    bone.innerHu = 300.0 + 200.0 * unit(random);
    scene.bones.push_back(bone);
    // Three seeds along its faces, their nearest point clearance 1-3 mm from the surface.
    for (int s = 0; s < 3; ++s) {
      const double x =
          bone.lowMm.x() + (0.15 + 0.7 * unit(random)) * (bone.highMm.x() - bone.lowMm.x());
      const double z = low.z() + unit(random) * (high.z() - low.z());
      const bool below = s % 2 == 0;
      Eigen::Vector3d axis = RandomUnit(random);
      axis.y() *= 0.3; // mostly along the face
      axis.normalize();
      const double reachY = std::abs(axis.y()) * (0.5 * kSeedLengthMm - 0.4) + 0.4;
      const double clearance = recipe.boneClearanceMm + 2.0 * unit(random);
      const double y =
          below ? bone.lowMm.y() - clearance - reachY : bone.highMm.y() + clearance + reachY;
      const Eigen::Vector3d p(x, y, z);
      if (std::none_of(taken.begin(), taken.end(),
                       [&](const Eigen::Vector3d& q) { return (p - q).norm() < kSeparationMm; })) {
        taken.push_back(p);
        scene.seeds.push_back({p, axis});
      }
    }
  }
  if (recipe.rod) {
    scene.rods.push_back(*recipe.rod);
    const Eigen::Vector3d a = recipe.rod->startMm;
    const Eigen::Vector3d b = recipe.rod->endMm;
    for (int s = 0; s <= 10; ++s) {
      taken.push_back(a + (b - a) * s / 10.0);
    }
  }
  for (int c = 0; c < recipe.clustersOfFour; ++c) {
    if (const auto p = freePoint(kSeparationMm + 4.0)) {
      for (const SimSeed& seed : ClusterOfFour(*p, random)) {
        scene.seeds.push_back(seed);
      }
    }
  }
  for (int c = 0; c < recipe.sideBySidePairs; ++c) {
    if (const auto p = freePoint(kSeparationMm + 2.0)) {
      const Eigen::Vector3d axis = RandomUnit(random);
      const Eigen::Vector3d across = AnyPerpendicular(axis, random);
      const double distance =
          recipe.sideBySideMinMm + unit(random) * (recipe.sideBySideMaxMm - recipe.sideBySideMinMm);
      scene.seeds.push_back({*p - 0.5 * distance * across, axis});
      scene.seeds.push_back({*p + 0.5 * distance * across, axis});
    }
  }
  for (int c = 0; c < recipe.endToEndPairs; ++c) {
    if (const auto p = freePoint(kSeparationMm + 4.0)) {
      const Eigen::Vector3d axis = RandomUnit(random);
      const double distance = kSeedLengthMm + 0.3 * unit(random);
      scene.seeds.push_back({*p - 0.5 * distance * axis, axis});
      scene.seeds.push_back({*p + 0.5 * distance * axis, axis});
    }
  }
  for (int c = 0; c < recipe.isolatedSeeds; ++c) {
    if (const auto p = freePoint(kSeparationMm)) {
      scene.seeds.push_back({*p, RandomUnit(random)});
    }
  }
  return scan;
}

std::vector<double> Contrasts(const TestScan& scan) {
  std::vector<double> contrasts;
  for (std::size_t s = 0; s < scan.scene.seeds.size(); ++s) {
    contrasts.push_back(
        ScannerSimulator::PeakContrastHu(scan.geometry, scan.scene, scan.scanner, s));
  }
  return contrasts;
}

void Score::Add(const Score& other) {
  seeds += other.seeds;
  found += other.found;
  detections += other.detections;
  falseSeeds += other.falseSeeds;
  duplicates += other.duplicates;
  sumErrorMm += other.sumErrorMm;
  maxErrorMm = std::max(maxErrorMm, other.maxErrorMm);
  ignored += other.ignored;
}

std::string Score::Describe() const {
  char text[200];
  std::snprintf(
      text, sizeof text,
      "%4d seeds: found %6.2f %%, false %5.2f %% (%d, %d duplicates), error mean %.2f max "
      "%.2f mm%s",
      seeds, 100.0 * FoundShare(), 100.0 * FalseShare(), falseSeeds, duplicates, MeanErrorMm(),
      maxErrorMm, ignored > 0 ? (" (" + std::to_string(ignored) + " below 500 HU)").c_str() : "");
  return text;
}

Score ScoreDetection(const TestScan& scan, const std::vector<double>& contrasts,
                     const std::vector<Seed>& detected, std::vector<std::string>* misses) {
  const double tolerance = ToleranceMm(scan.scanner.sliceThicknessMm);
  const auto& truth = scan.scene.seeds;
  struct Pair {
    double distanceMm;
    std::size_t t;
    std::size_t d;
  };
  std::vector<Pair> pairs;
  for (std::size_t t = 0; t < truth.size(); ++t) {
    for (std::size_t d = 0; d < detected.size(); ++d) {
      const double distance = (truth[t].positionMm - detected[d].positionMm).norm();
      if (distance <= tolerance) {
        pairs.push_back({distance, t, d});
      }
    }
  }
  std::sort(pairs.begin(), pairs.end(),
            [](const Pair& a, const Pair& b) { return a.distanceMm < b.distanceMm; });
  std::vector<int> detectedOf(truth.size(), -1);
  std::vector<bool> used(detected.size(), false);
  Score score;
  score.detections = static_cast<int>(detected.size());
  for (const Pair& pair : pairs) {
    if (detectedOf[pair.t] >= 0 || used[pair.d]) {
      continue;
    }
    detectedOf[pair.t] = static_cast<int>(pair.d);
    used[pair.d] = true;
    if (contrasts[pair.t] >= kMinContrastHu) {
      ++score.found;
      score.sumErrorMm += pair.distanceMm;
      score.maxErrorMm = std::max(score.maxErrorMm, pair.distanceMm);
    }
  }
  for (std::size_t t = 0; t < truth.size(); ++t) {
    if (contrasts[t] >= kMinContrastHu) {
      ++score.seeds;
    } else {
      ++score.ignored;
    }
    if (misses != nullptr && contrasts[t] >= kMinContrastHu && detectedOf[t] < 0) {
      double nearest = 1e9;
      for (const Seed& seed : detected) {
        nearest = std::min(nearest, (seed.positionMm - truth[t].positionMm).norm());
      }
      char text[200];
      std::snprintf(text, sizeof text,
                    "missed seed at (%.1f, %.1f, %.1f) axis (%.2f, %.2f, %.2f), contrast %.0f HU, "
                    "nearest detection %.2f mm",
                    truth[t].positionMm.x(), truth[t].positionMm.y(), truth[t].positionMm.z(),
                    truth[t].axis.x(), truth[t].axis.y(), truth[t].axis.z(), contrasts[t], nearest);
      misses->push_back(text);
    }
  }
  for (std::size_t d = 0; d < detected.size(); ++d) {
    if (used[d]) {
      continue;
    }
    // A detection near a seed below 500 HU is neither found nor false.
    bool nearIgnored = false;
    for (std::size_t t = 0; t < truth.size(); ++t) {
      nearIgnored = nearIgnored || (contrasts[t] < kMinContrastHu &&
                                    (truth[t].positionMm - detected[d].positionMm).norm() < 3.0);
    }
    if (!nearIgnored) {
      ++score.falseSeeds;
      for (std::size_t t = 0; t < truth.size(); ++t) {
        if (detectedOf[t] >= 0 &&
            (truth[t].positionMm - detected[d].positionMm).norm() <= tolerance) {
          ++score.duplicates;
          break;
        }
      }
      if (misses != nullptr) {
        char text[160];
        std::snprintf(text, sizeof text, "false seed at (%.1f, %.1f, %.1f), confidence %.2f",
                      detected[d].positionMm.x(), detected[d].positionMm.y(),
                      detected[d].positionMm.z(), detected[d].confidence.value_or(-1.0));
        misses->push_back(text);
      }
    }
  }
  return score;
}

} // namespace seedplan::imaging::testing
