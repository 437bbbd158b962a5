// End-to-end tests of `seedplan detect-seeds` on bad and unusual input (issue 11): an expected
// count below one, a CT with dense bone but without seeds (refused unless --allow-none), a large
// metal object (excluded with a warning naming its extent), the scanner summary.

#include "RunSeedplan.h"

#include "seedplan/core/SeedsCsv.h"
#include "seedplan/core/Volume.h"
#include "seedplan/imaging/SeedRenderer.h"
#include "seedplan/imaging/VolumeIo.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <string>
#include <vector>

namespace seedplan {
namespace {

using test::ExpectRefused;
using test::Result;
using test::Seedplan;
using test::TempFolder;

/// What WriteCt draws: `seeds` by SeedRenderer on soft tissue with noise, `rods` (needles left in,
/// clips) as capsules of the same metal and the size given, and a block of dense bone (1900 HU)
/// unless `denseBone` is off. `metalCeilingHu` is the highest HU the scan shows metal at: 3071
/// on a 12-bit scale, ~1600 on a metal-artefact-reduced image.
struct Scene {
  std::vector<Seed> seeds;
  std::vector<Seed> rods;
  double rodLengthMm = 40.0;
  double rodDiameterMm = 1.2;
  bool denseBone = true;
  double metalCeilingHu = 3071.0;
};

std::filesystem::path WriteCt(const TempFolder& folder, const Scene& scene,
                              const std::string& name = "post.mha") {
  const GridGeometry geometry(Eigen::Vector3d(-40.0, -40.0, -30.0), Eigen::Vector3d(0.8, 0.8, 2.0),
                              {101, 101, 31});
  Volume<short> ct(geometry, 40);
  if (scene.denseBone) {
    for (std::int64_t k = 5; k < 25; ++k) {
      for (std::int64_t j = 70; j < 90; ++j) {
        for (std::int64_t i = 10; i < 30; ++i) {
          ct.At(i, j, k) = 1900;
        }
      }
    }
  }
  imaging::SeedRenderOptions options;
  options.randomSeed = 3;
  options.metalHu = scene.metalCeilingHu;
  imaging::SeedRenderer::Render(ct, scene.seeds, options);
  if (!scene.rods.empty()) {
    imaging::SeedRenderOptions rod = options;
    rod.seedLengthMm = scene.rodLengthMm;
    rod.seedDiameterMm = scene.rodDiameterMm;
    rod.noiseSigmaHu = 0.0;
    imaging::SeedRenderer::Render(ct, scene.rods, rod);
  }
  Volume<float> hu(geometry, 0.0F);
  for (std::size_t n = 0; n < ct.Data().size(); ++n) {
    hu.Data()[n] = ct.Data()[n];
  }
  const auto path = folder / name;
  imaging::WriteVolume(hu, path);
  return path;
}

/// A volume file (not DICOM) is loaded with one warning that it carries no series identity;
/// the refusal is the line after it.
Result WithoutLoadWarning(Result result) {
  const std::string warning = "no DICOM series identity";
  const auto at = result.err.find(warning);
  if (at != std::string::npos) {
    const auto start = result.err.rfind('\n', at);
    const auto end = result.err.find('\n', at);
    result.err.erase(start == std::string::npos ? 0 : start + 1,
                     end == std::string::npos ? std::string::npos : end - start);
  }
  return result;
}

Seed At(double x, double y, double z, const Eigen::Vector3d& axis) {
  Seed seed;
  seed.positionMm = Eigen::Vector3d(x, y, z);
  seed.direction = axis.normalized();
  return seed;
}

std::vector<Seed> FourSeeds() {
  return {At(-20.0, -20.0, -10.0, Eigen::Vector3d(1, 0.2, 0.3)),
          At(15.0, -18.0, 0.0, Eigen::Vector3d(0.1, 1, -0.4)),
          At(-18.0, 15.0, 8.0, Eigen::Vector3d(0.3, -0.2, 1)),
          At(20.0, 18.0, -4.0, Eigen::Vector3d(1, 1, 0.5))};
}

Scene FourSeedsBesideBone() {
  Scene scene;
  scene.seeds = FourSeeds();
  return scene;
}

/// A seed's centre is found within this of where it was drawn (SeedDetectionTest holds the
/// detector to 1 mm; 2 mm slices here).
constexpr double kPositionToleranceMm = 1.0;

/// Every seed of `truth` has a row of `found` within kPositionToleranceMm, and there are as many.
void ExpectSeedsFound(const std::vector<Seed>& truth, const std::vector<SeedsCsvRow>& found,
                      const std::string& label) {
  ASSERT_EQ(found.size(), truth.size()) << label;
  for (const Seed& seed : truth) {
    double nearest = 1e9;
    for (const SeedsCsvRow& row : found) {
      nearest = std::min(nearest, (row.seed.positionMm - seed.positionMm).norm());
    }
    EXPECT_LE(nearest, kPositionToleranceMm) << label << ": " << seed.positionMm.transpose();
  }
}

/// The text of the line of `text` holding `fragment` (empty if none does).
std::string LineWith(const std::string& text, const std::string& fragment) {
  const auto at = text.find(fragment);
  if (at == std::string::npos) {
    return {};
  }
  const auto start = text.rfind('\n', at);
  const auto begin = start == std::string::npos ? 0 : start + 1;
  return text.substr(begin, text.find('\n', at) - begin);
}

TEST(DetectSeedsCommand, AnExpectedCountBelowOneIsRefused) {
  TempFolder work;
  const auto ct = WriteCt(work, FourSeedsBesideBone());
  const auto out = work / "found.csv";
  for (const char* count : {"0", "-3"}) {
    ExpectRefused(Seedplan("detect-seeds --ct " + ct.string() + " --expected " + count + " --out " +
                               out.string(),
                           work),
                  {"--expected", count, "at least 1"}, out);
  }
}

TEST(DetectSeedsCommand, FindsEverySeedBesideDenseBoneAndNothingInTheBone) {
  TempFolder work;
  const auto ct = WriteCt(work, FourSeedsBesideBone());
  const auto out = work / "found.csv";
  const Result result =
      Seedplan("detect-seeds --ct " + ct.string() + " --out " + out.string(), work);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("found 4 seeds"), std::string::npos) << result.out;
  ExpectSeedsFound(FourSeeds(), SeedsCsv::Read(out), "default");
}

TEST(DetectSeedsCommand, ACtWithoutSeedsIsRefusedUnlessNoneAreAllowed) {
  TempFolder work;
  const auto ct = WriteCt(work, Scene{});
  const auto out = work / "found.csv";
  ExpectRefused(WithoutLoadWarning(
                    Seedplan("detect-seeds --ct " + ct.string() + " --out " + out.string(), work)),
                {"post.mha", "no seeds found", "--allow-none"}, out);
  const Result allowed =
      Seedplan("detect-seeds --ct " + ct.string() + " --allow-none --out " + out.string(), work);
  ASSERT_EQ(allowed.exitCode, 0) << allowed.err;
  EXPECT_NE(allowed.err.find("no seeds found"), std::string::npos) << allowed.err;
  EXPECT_NE(allowed.out.find("found 0 seeds"), std::string::npos) << allowed.out;
  // The header alone: a seeds CSV without rows (which SeedsCsv::Read refuses as a plan's seeds).
  std::ifstream written(out);
  std::string line;
  int lines = 0;
  while (std::getline(written, line)) {
    ++lines;
  }
  EXPECT_EQ(lines, 1);
}

// The summary says what was assumed about the scanner: the metal's amplitude, its spread in
// plane and across the slices, the ceiling; and that no seed is doubtful. `--method learned`
// (scripts of the release with two detectors pass it) still names the one detector.
TEST(DetectSeedsCommand, FindsTheSeedsAndSaysWhatItMeasuredOfTheScanner) {
  TempFolder work;
  const auto ct = WriteCt(work, FourSeedsBesideBone());
  const auto out = work / "found.csv";
  const Result result = Seedplan("detect-seeds --method learned --ct " + ct.string() +
                                     " --expected 4 --out " + out.string(),
                                 work);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(SeedsCsv::Read(out).size(), 4u);
  for (const char* fragment :
       {"scanner appearance measured on", "HU where a voxel is wholly seed",
        "metal clipped at 3071 HU", "in-plane blur", "slice profile", "no doubtful seed"}) {
    EXPECT_NE(result.err.find(fragment), std::string::npos) << fragment << "\n" << result.err;
  }
}

// Which seeds are doubtful: told an expected count one below the six seeds the scan shows (four
// lone seeds and a pair touching side by side), the detector reports five and names, in the
// summary, the seed(s) the count decided on (kept, merged or left out), never "no doubtful seed".
TEST(DetectSeedsCommand, SeedsTheExpectedCountDecidedOnAreNamedAsDoubtful) {
  TempFolder work;
  Scene scene = FourSeedsBesideBone();
  const Seed first = At(5.0, 5.0, 1.0, Eigen::Vector3d::UnitX());
  Seed second = first;
  second.positionMm.y() += 0.85; // axis to axis: a diameter and 0.05 mm
  scene.seeds.push_back(first);
  scene.seeds.push_back(second);
  const auto ct = WriteCt(work, scene);
  const auto out = work / "found.csv";
  const Result result =
      Seedplan("detect-seeds --expected 5 --ct " + ct.string() + " --out " + out.string(), work);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  EXPECT_EQ(SeedsCsv::Read(out).size(), 5u) << result.err;
  const std::string named = LineWith(result.err, "to reach the expected count");
  EXPECT_NE(named.find(" mm"), std::string::npos) << result.err;
  EXPECT_EQ(result.err.find("no doubtful seed"), std::string::npos) << result.err;
}

// The fixed-threshold detector was removed (issue 11): asking for it is refused in one line that
// says why and what to use, before the CT is read; nothing is written.
TEST(DetectSeedsCommand, TheRemovedThresholdMethodIsRefusedSayingWhy) {
  TempFolder work;
  const auto ct = WriteCt(work, FourSeedsBesideBone());
  const auto out = work / "found.csv";
  ExpectRefused(
      Seedplan("detect-seeds --method threshold --ct " + ct.string() + " --out " + out.string(),
               work),
      {"--method threshold", "removed", "--threshold-hu"}, out);
  ExpectRefused(
      Seedplan("detect-seeds --method fast --ct " + ct.string() + " --out " + out.string(), work),
      {"--method", "fast", "learned"}, out);
}

// --threshold-hu overrides the local-contrast candidates: seeds are sought only at maxima of at
// least that HU. On a metal-artefact-reduced image (seeds compressed to ~1600 HU; the issue: the
// old detector found none there, even with --threshold-hu 1000) the default and a 1000 HU
// override find the four seeds; a 2000 HU override, above every seed's peak, finds none and is
// refused as a scan without seeds.
TEST(DetectSeedsCommand, AThresholdOverrideSeeksSeedsOnlyAtMaximaOfAtLeastThatHu) {
  TempFolder work;
  Scene scene;
  scene.seeds = FourSeeds();
  scene.denseBone = false; // a 1600 HU seed beside 1900 HU bone is the case the issue leaves out
  scene.metalCeilingHu = 1600.0;
  const auto ct = WriteCt(work, scene);
  const auto out = work / "found.csv";
  const Result byContrast =
      Seedplan("detect-seeds --ct " + ct.string() + " --out " + out.string(), work);
  ASSERT_EQ(byContrast.exitCode, 0) << byContrast.err;
  ExpectSeedsFound(FourSeeds(), SeedsCsv::Read(out), "by contrast");
  const Result low = Seedplan(
      "detect-seeds --threshold-hu 1000 --ct " + ct.string() + " --out " + out.string(), work);
  ASSERT_EQ(low.exitCode, 0) << low.err;
  ExpectSeedsFound(FourSeeds(), SeedsCsv::Read(out), "--threshold-hu 1000");
  std::filesystem::remove(out);
  ExpectRefused(
      WithoutLoadWarning(Seedplan(
          "detect-seeds --threshold-hu 2000 --ct " + ct.string() + " --out " + out.string(), work)),
      {"post.mha", "no seeds found"}, out);
}

/// Runs detect-seeds on `scene` (FourSeeds beside an object); expects the four seeds found and
/// returns the warning line that excludes a large metal object (empty if none).
std::string ExcludedObjectLine(const TempFolder& work, const Scene& scene,
                               const std::string& label) {
  const auto ct = WriteCt(work, scene);
  const auto out = work / "found.csv";
  const Result result =
      Seedplan("detect-seeds --ct " + ct.string() + " --out " + out.string(), work);
  EXPECT_EQ(result.exitCode, 0) << result.err;
  if (result.exitCode == 0) {
    ExpectSeedsFound(FourSeeds(), SeedsCsv::Read(out), label);
  }
  const std::string line = LineWith(result.err, "excluded a large metal object");
  EXPECT_FALSE(line.empty()) << label << ": " << result.err;
  return line;
}

TEST(DetectSeedsCommand, ALargeMetalObjectIsExcludedWithAWarningNamingItsExtent) {
  TempFolder work;
  // A needle 40 mm long left in along x at y = 0, z = -2.
  Scene scene = FourSeedsBesideBone();
  scene.rods = {At(0.0, 0.0, -2.0, Eigen::Vector3d::UnitX())};
  const std::string line = ExcludedObjectLine(work, scene, "beside a needle");
  // Its extent along x covers the needle (-20 to 20 mm) within the blooming.
  EXPECT_NE(line.find("x -2"), std::string::npos) << line;
  EXPECT_NE(line.find(" mm long"), std::string::npos) << line;
  // A needle alone is refused as a scan without seeds, naming the object.
  Scene alone;
  alone.rods = scene.rods;
  const auto needle = WriteCt(work, alone, "needle.mha");
  const auto none = work / "none.csv";
  ExpectRefused(WithoutLoadWarning(Seedplan(
                    "detect-seeds --ct " + needle.string() + " --out " + none.string(), work)),
                {"no seeds found", "large metal object"}, none);
}

// The other large object: shorter than 15 mm but holding more metal than 5 seeds (a clip
// or marker 8 mm long and 4 mm thick holds the metal of ~40 seeds, of which the detector, seeing
// it clipped at 3071 HU, measures ~15; a cluster of 4 touching seeds never holds 5). It is
// excluded with a warning naming its extent; the seeds around it are found.
TEST(DetectSeedsCommand, AShortLumpHoldingMoreMetalThanFiveSeedsIsExcludedNamingItsExtent) {
  TempFolder work;
  Scene scene = FourSeedsBesideBone();
  scene.rods = {At(2.0, 0.0, -2.0, Eigen::Vector3d::UnitY())};
  scene.rodLengthMm = 8.0;
  scene.rodDiameterMm = 4.0;
  const std::string line = ExcludedObjectLine(work, scene, "beside a lump");
  // Its extent along y covers the lump (-4 to 4 mm), and its metal is that of more than 5 seeds.
  EXPECT_NE(line.find("y -4"), std::string::npos) << line;
  const auto metal = line.find("metal of about ");
  ASSERT_NE(metal, std::string::npos) << line;
  EXPECT_GT(std::stod(line.substr(metal + 15)), 5.0) << line;
}

} // namespace
} // namespace seedplan
