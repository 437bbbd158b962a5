// End-to-end tests of the commands that read CTs and structures (issue 3), on the sample patient
// that `seedplan phantom` writes (generated once for the whole suite: ~2 s).

#include "SamplePatientFixture.h"
#include "seedplan/core/CsvTable.h"
#include "seedplan/core/SeedsCsv.h"
#include "seedplan/imaging/VolumeIo.h"

#include <gtest/gtest.h>

#include <cmath>
#include <memory>

namespace seedplan {
namespace {

using test::ExpectRefused;
using test::Result;
using test::Seedplan;
using test::TempFolder;
using test::Write;

class SamplePatientCommands : public test::SamplePatientFixture {};

TEST_F(SamplePatientCommands, PhantomWritesEveryFileAndRefusesAnExistingFolder) {
  for (const char* name :
       {"ct", "rtstruct.dcm", "post_ct", "sample_seeds.csv", "implanted_seeds_planning_ct.csv",
        "post_ct_true_seeds.csv", "post_ct_transform.csv", "prescriptions.csv", "organ_limits.csv",
        "README.txt"}) {
    EXPECT_TRUE(std::filesystem::exists(Patient() / name)) << name;
  }
  ExpectRefused(Seedplan("phantom --out " + Patient().string(), m_Work), {"already exists"},
                m_Work / "none");
}

TEST_F(SamplePatientCommands, InspectShowsWhatAPhysicistChecksOfTheCt) {
  const Result text = Seedplan("inspect " + Path("ct"), m_Work);
  ASSERT_EQ(text.exitCode, 0) << text.err;
  for (const char* fragment :
       {"modality           CT", "patient position   HFS", "384 x 288 x 80 voxels",
        "spacing            0.9, 0.9, 2.5 mm", "HU range"}) {
    EXPECT_NE(text.out.find(fragment), std::string::npos) << fragment << "\n" << text.out;
  }
  const Result json = Seedplan("inspect --json " + Path("ct"), m_Work);
  ASSERT_EQ(json.exitCode, 0) << json.err;
  EXPECT_NE(json.out.find("\"size\": [384, 288, 80]"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"patient_position\": \"HFS\""), std::string::npos);
}

TEST_F(SamplePatientCommands, InspectListsStructuresWithRolesVolumesAndBoxes) {
  const Result alone = Seedplan("inspect " + Path("rtstruct.dcm"), m_Work);
  ASSERT_EQ(alone.exitCode, 0) << alone.err;
  EXPECT_NE(alone.out.find("GTV_Lung               target"), std::string::npos) << alone.out;
  EXPECT_NE(alone.out.find("SpinalCord             no-go"), std::string::npos);
  EXPECT_NE(alone.out.find("Lung_R                 pass-through"), std::string::npos);
  const Result onCt =
      Seedplan("inspect --json " + Path("rtstruct.dcm") + " --ct " + Path("ct"), m_Work);
  ASSERT_EQ(onCt.exitCode, 0) << onCt.err;
  // GTV_Lung is a ~3 cm lesion: 14.2 cc within the 1 % the rasterisation promises.
  const auto at = onCt.out.find("\"name\": \"GTV_Lung\"");
  ASSERT_NE(at, std::string::npos);
  const auto volumeAt = onCt.out.find("\"volume_cc\": ", at);
  const double volume = std::stod(onCt.out.substr(volumeAt + 13));
  EXPECT_NEAR(volume, 14.19, 14.19 * 0.01) << onCt.out.substr(at, 300);
}

TEST_F(SamplePatientCommands, DoseTakesItsGridFromTheCtOrACoarserGridOverItsBox) {
  const auto out = m_Work / "dose.mha";
  const Result full = Seedplan("dose --seeds " + Path("sample_seeds.csv") + " --ct " + Path("ct") +
                                   " --out " + out.string(),
                               m_Work);
  ASSERT_EQ(full.exitCode, 0) << full.err;
  const Volume<float> dose = imaging::ReadVolumeFloat(out);
  EXPECT_EQ(dose.Geometry().Size(), (std::array<std::int64_t, 3>{384, 288, 80}));
  const auto coarse = m_Work / "coarse.mha";
  const Result two = Seedplan("dose --seeds " + Path("sample_seeds.csv") + " --ct " + Path("ct") +
                                  " --grid-spacing 2,2,2.5 --out " + coarse.string(),
                              m_Work);
  ASSERT_EQ(two.exitCode, 0) << two.err;
  const Volume<float> coarseDose = imaging::ReadVolumeFloat(coarse);
  // 383 × 0.9 mm = 344.7 mm of voxel centres: ceil(344.7 / 2) + 1 = 174 voxels at 2 mm cover
  // them; 287 × 0.9 = 258.3 mm: 131; 79 × 2.5 mm at 2.5 mm: 80.
  EXPECT_EQ(coarseDose.Geometry().Size(), (std::array<std::int64_t, 3>{174, 131, 80}));
  EXPECT_TRUE(coarseDose.Geometry().OriginMm().isApprox(dose.Geometry().OriginMm()));
  ExpectRefused(Seedplan("dose --seeds " + Path("sample_seeds.csv") + " --ct " + Path("ct") +
                             " --grid-size 10,10,10 --out " + (m_Work / "x.mha").string(),
                         m_Work),
                {"--grid-size"}, m_Work / "x.mha");
}

TEST_F(SamplePatientCommands, DvhTakesItsMaskFromTheStructureSetOnTheCt) {
  const auto out = m_Work / "dose.mha";
  ASSERT_EQ(Seedplan("dose --seeds " + Path("sample_seeds.csv") + " --ct " + Path("ct") +
                         " --out " + out.string(),
                     m_Work)
                .exitCode,
            0);
  const Result result =
      Seedplan("dvh --dose " + out.string() + " --ct " + Path("ct") + " --structures " +
                   Path("rtstruct.dcm") + " --structure GTV_Lung --rx 120 --json",
               m_Work);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const auto at = result.out.find("\"D90_Gy\": ");
  ASSERT_NE(at, std::string::npos) << result.out;
  // The sample arrangement was designed for D90 ≈ Rx (120 Gy): a wide band, this checks wiring.
  const double d90 = std::stod(result.out.substr(at + 10));
  EXPECT_GT(d90, 100.0);
  EXPECT_LT(d90, 160.0);
  ExpectRefused(Seedplan("dvh --dose " + out.string() + " --ct " + Path("ct") + " --structures " +
                             Path("rtstruct.dcm") + " --structure GTV_Liver --rx 120",
                         m_Work),
                {"no structure named 'GTV_Liver'", "GTV_Lung"}, m_Work / "none");
}

// The bad input "a scan with no metal": the sample's planning CT (lung with vessels,
// ribs, vertebrae, soft tissue; no metal) is refused as a scan without seeds, in one line, and no
// seeds CSV is written.
TEST_F(SamplePatientCommands, DetectSeedsOnThePlanningCtWhichHoldsNoMetalFindsNone) {
  const auto out = m_Work / "none.csv";
  ExpectRefused(Seedplan("detect-seeds --ct " + Path("ct") + " --out " + out.string(), m_Work),
                {"no seeds found", "--allow-none"}, out);
}

TEST_F(SamplePatientCommands, AStructureSetOfAnotherCtIsRefused) {
  // The post-implant CT is another scanning session with its own frame of reference.
  ExpectRefused(Seedplan("inspect " + Path("rtstruct.dcm") + " --ct " + Path("post_ct"), m_Work),
                {"rtstruct.dcm", "Frame of Reference"}, m_Work / "none");
}

TEST_F(SamplePatientCommands, DetectSeedsFindsTheImplantedSeedsOnThePostImplantCt) {
  const auto out = m_Work / "found.csv";
  const auto truth = SeedsCsv::Read(Patient() / "post_ct_true_seeds.csv");
  const Result result = Seedplan("detect-seeds --ct " + Path("post_ct") + " --activity-mci 0.55" +
                                     " --out " + out.string(),
                                 m_Work);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const auto found = SeedsCsv::Read(out);
  // Every seed found once within issue 11's acceptance tolerance (1.5 mm in slices under 3 mm),
  // no false seed. The first detection issue asked 1 mm of the threshold detector; the learned
  // one puts one flat seed at the lesion's lung edge 1.37 mm off (the background it assumes under
  // an oblique lung edge in the slice above; traced, see README).
  constexpr double kPositionToleranceMm = 1.5;
  EXPECT_EQ(found.size(), truth.size());
  double worst = 0.0;
  for (const auto& seed : truth) {
    double nearest = 1e9;
    for (const auto& candidate : found) {
      nearest = std::min(nearest, (candidate.seed.positionMm - seed.seed.positionMm).norm());
    }
    worst = std::max(worst, nearest);
    EXPECT_LE(nearest, kPositionToleranceMm);
  }
  std::cout << "[ figures  ] sample post-implant CT: " << found.size() << " of " << truth.size()
            << " seeds found, worst distance to truth " << worst << " mm\n";
  ASSERT_FALSE(found.empty());
  EXPECT_NEAR(*found.front().strengthU, 0.55 * 1.270, 1e-9);
}

// The same scan with the implanted count, as postplan gives it: every seed within the issue's
// 1.5 mm. The sample's seeds lie flat in one 2.5 mm slice at the lesion's lung edge beside
// streaks of +-900 HU, where the ring's median put soft tissue under seeds in lung and the
// clipped core test refused two of them (17 of 19 before).
TEST_F(SamplePatientCommands, TheLearnedDetectorFindsEveryImplantedSeedWithTheExpectedCount) {
  const auto out = m_Work / "learned.csv";
  const auto truth = SeedsCsv::Read(Patient() / "post_ct_true_seeds.csv");
  const Result result = Seedplan(
      "detect-seeds --expected 19 --ct " + Path("post_ct") + " --out " + out.string(), m_Work);
  ASSERT_EQ(result.exitCode, 0) << result.err;
  const auto found = SeedsCsv::Read(out);
  // The acceptance tolerance for slices under 3 mm.
  constexpr double kPositionToleranceMm = 1.5;
  ASSERT_EQ(truth.size(), 19u);
  EXPECT_EQ(found.size(), truth.size()) << result.err;
  // One detection per seed: each true seed takes its nearest detection not yet taken.
  std::vector<bool> taken(found.size(), false);
  double worst = 0.0;
  for (const auto& seed : truth) {
    double nearest = 1e9;
    std::size_t chosen = found.size();
    for (std::size_t d = 0; d < found.size(); ++d) {
      const double distance = (found[d].seed.positionMm - seed.seed.positionMm).norm();
      if (!taken[d] && distance < nearest) {
        nearest = distance;
        chosen = d;
      }
    }
    if (chosen < found.size()) {
      taken[chosen] = true;
    }
    worst = std::max(worst, nearest);
    EXPECT_LE(nearest, kPositionToleranceMm) << result.err;
  }
  std::cout << "[ figures  ] sample post-implant CT, --expected 19: " << found.size()
            << " found, worst distance to truth " << worst << " mm\n";
}

TEST(CtFolder, WithItsStructureSetBesideTheSlicesLoadsTheOnlyCtSeries) {
  TempFolder work;
  ASSERT_EQ(Seedplan("phantom --out " + (work / "p").string(), work).exitCode, 0);
  std::filesystem::copy_file(work / "p" / "rtstruct.dcm", work / "p" / "ct" / "RS.dcm");
  const Result result = Seedplan("inspect " + (work / "p" / "ct").string(), work);
  EXPECT_EQ(result.exitCode, 0) << result.err;
  EXPECT_NE(result.out.find("holds 2 series"), std::string::npos) << result.out;
  const Result dose =
      Seedplan("dose --seeds " + (work / "p" / "sample_seeds.csv").string() + " --ct " +
                   (work / "p" / "ct").string() + " --out " + (work / "d.mha").string(),
               work);
  EXPECT_EQ(dose.exitCode, 0) << dose.err;
}

} // namespace
} // namespace seedplan
