#include "seedplan/imaging/PostImplantPhantom.h"

#include "seedplan/imaging/SeedRenderer.h"

#include <Eigen/Geometry>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <numbers>
#include <string>

namespace seedplan::imaging {
namespace {

// The repositioning between the two sessions (documented in the header).
constexpr double kRotationZDeg = 2.5;
constexpr double kRotationXDeg = 1.0;
const Eigen::Vector3d kShiftMm(4.0, -3.0, 6.0);

// The post-implant grid: same spacing and in-plane size as the planning CT, 72 slices, origin a
// fraction of a voxel off the planning grid's (the 20.4 mm in z skip the lowest slices: a post-
// implant scan covers the implanted region).
constexpr std::int64_t kPostSlices = 72;
const Eigen::Vector3d kOriginOffsetMm(0.37, -0.52, 20.4);

std::uint64_t SplitMix64(std::uint64_t value) {
  value += 0x9E3779B97F4A7C15ULL;
  value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ULL;
  value = (value ^ (value >> 27)) * 0x94D049BB133111EBULL;
  return value ^ (value >> 31);
}

/// Uniform in [0, 1).
double Uniform(std::uint64_t& state) {
  state = SplitMix64(state);
  return static_cast<double>(state >> 11) * (1.0 / 9007199254740992.0);
}

} // namespace

Eigen::Matrix4d PostImplantPhantom::PlanningToPost() {
  constexpr double kDeg = std::numbers::pi / 180.0;
  const Eigen::Matrix3d rotation =
      (Eigen::AngleAxisd(kRotationXDeg * kDeg, Eigen::Vector3d::UnitX()) *
       Eigen::AngleAxisd(kRotationZDeg * kDeg, Eigen::Vector3d::UnitZ()))
          .toRotationMatrix();
  Eigen::Matrix4d transform = Eigen::Matrix4d::Identity();
  transform.topLeftCorner<3, 3>() = rotation;
  transform.topRightCorner<3, 1>() = kShiftMm;
  return transform;
}

GridGeometry PostImplantPhantom::PostGeometry(const Eigen::Vector3d& spacingMm) {
  ThoraxPhantomOptions options;
  options.inPlaneSpacingMm = spacingMm.x();
  options.sliceSpacingMm = spacingMm.z();
  const GridGeometry planning = ThoraxPhantom::PlanningGeometry(options);
  auto size = planning.Size();
  size[2] = std::min<std::int64_t>(
      size[2], std::max<std::int64_t>(1, std::llround(kPostSlices * 2.5 / spacingMm.z())));
  return GridGeometry(planning.OriginMm() + kOriginOffsetMm, planning.SpacingMm(), size);
}

std::vector<Seed> PostImplantPhantom::DeviatedSeeds(const std::vector<Seed>& planned,
                                                    unsigned randomSeed) {
  std::map<std::string, Eigen::Vector3d> offsets; // by needle id
  std::uint64_t rank = 0;
  std::vector<Seed> deviated = planned;
  for (std::size_t index = 0; index < deviated.size(); ++index) {
    Seed& seed = deviated[index];
    const std::string key =
        seed.needle.empty() ? std::string("#seed").append(std::to_string(index)) : seed.needle;
    auto found = offsets.find(key);
    if (found == offsets.end()) {
      std::uint64_t state = SplitMix64(randomSeed ^ (0x9E37ULL * ++rank));
      // Direction uniform on the sphere, length uniform in [min, max].
      const double cosTheta = 2.0 * Uniform(state) - 1.0;
      const double phi = 2.0 * std::numbers::pi * Uniform(state);
      const double sinTheta = std::sqrt(1.0 - cosTheta * cosTheta);
      const double length =
          kMinNeedleDeviationMm + (kMaxNeedleDeviationMm - kMinNeedleDeviationMm) * Uniform(state);
      const Eigen::Vector3d direction(sinTheta * std::cos(phi), sinTheta * std::sin(phi), cosTheta);
      found = offsets.emplace(key, length * direction).first;
    }
    seed.positionMm += found->second;
  }
  return deviated;
}

PostImplantScan PostImplantPhantom::Generate(const PhantomCase& planning,
                                             const std::vector<Seed>& implantedSeedsPlanningFrame,
                                             const ThoraxPhantomOptions& options) {
  PostImplantScan scan;
  scan.planningToPost = PlanningToPost();
  const GridGeometry geometry = PostGeometry(planning.ct.Geometry().SpacingMm());
  const Eigen::Matrix4d postToPlanning = scan.planningToPost.inverse();
  scan.ct = ThoraxPhantom::SampleCt(geometry, postToPlanning, options.noiseSigmaHu,
                                    options.randomSeed + 1);
  scan.ct.MetaData()["Description"] = "seedplan thorax phantom, post-implant (synthetic)";

  const Eigen::Matrix3d rotation = scan.planningToPost.topLeftCorner<3, 3>();
  const Eigen::Vector3d shift = scan.planningToPost.topRightCorner<3, 1>();
  scan.seedsInPlanningFrame = implantedSeedsPlanningFrame;
  for (const Seed& seed : implantedSeedsPlanningFrame) {
    Seed moved = seed;
    moved.positionMm = rotation * seed.positionMm + shift;
    if (seed.direction) {
      moved.direction = rotation * *seed.direction;
    }
    scan.seedsInPostFrame.push_back(moved);
  }

  SeedRenderOptions render;
  render.noiseSigmaHu = 0.0; // the anatomy already carries the scanner noise
  render.randomSeed = options.randomSeed + 2;
  SeedRenderer::Render(scan.ct, scan.seedsInPostFrame, render);
  return scan;
}

} // namespace seedplan::imaging
