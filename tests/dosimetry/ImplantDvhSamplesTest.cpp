// Tests of the live DVH sample sets (issue 14: ImplantDvhSamples for exact-sampled structures,
// ImplantBinnedDvhSamples for binned ones): after every step of long random edit sequences (moves
// near and far, additions, deletions, strength changes, several steps merged into one update)
// their DVH equals a fresh DvhCalculator::ComputeForImplant of the current seeds on the same dose
// grid. Masks on anisotropic, offset, slightly rotated grids; the seeds are 6711 (the project's
// library).

#include "TestModels.h"

#include "seedplan/core/Error.h"
#include "seedplan/dosimetry/DoseCalculator.h"
#include "seedplan/dosimetry/DvhCalculator.h"
#include "seedplan/dosimetry/ImplantBinnedDvhSamples.h"
#include "seedplan/dosimetry/ImplantDvhSamples.h"
#include "seedplan/dosimetry/PermanentImplantDecay.h"

#include <gtest/gtest.h>

#include <Eigen/Geometry>
#include <cmath>
#include <memory>
#include <random>

namespace seedplan::dosimetry {
namespace {

/// Exact samples: the live doses went through float additions and subtractions of single seeds'
/// contributions (~1e-7 of those each): metrics agree to 1e-5 relative (0.001 %).
constexpr double kExactTolerance = 1e-5;
/// Binned: a dose that moved by a rounding step may sit in the neighbouring bin (2^-13 = 1.2e-4
/// relative wide): dose-at-volume within two bin widths; volume and mean stay within rounding.
constexpr double kBinnedDoseTolerance = 2.5e-4;

GridGeometry Grid(const Eigen::Vector3d& sizeMm, const Eigen::Vector3d& spacing) {
  const std::array<std::int64_t, 3> size{static_cast<std::int64_t>(sizeMm.x() / spacing.x()),
                                         static_cast<std::int64_t>(sizeMm.y() / spacing.y()),
                                         static_cast<std::int64_t>(sizeMm.z() / spacing.z())};
  return GridGeometry(
      Eigen::Vector3d(-0.5 * sizeMm.x() + 0.3, -0.5 * sizeMm.y(), -0.5 * sizeMm.z() - 0.7), spacing,
      size, Eigen::AngleAxisd(0.05, Eigen::Vector3d::UnitZ()).toRotationMatrix());
}

/// An ellipsoid with semi-axes `radii` (mm) centred at `centre`.
Mask Ellipsoid(const GridGeometry& geometry, const Eigen::Vector3d& centre,
               const Eigen::Vector3d& radii) {
  Mask mask(geometry, 0);
  const auto& size = geometry.Size();
  for (std::int64_t k = 0; k < size[2]; ++k) {
    for (std::int64_t j = 0; j < size[1]; ++j) {
      for (std::int64_t i = 0; i < size[0]; ++i) {
        const Eigen::Vector3d p = geometry.IndexToPoint(double(i), double(j), double(k)) - centre;
        if (p.cwiseQuotient(radii).squaredNorm() <= 1.0) {
          mask.At(i, j, k) = 1;
        }
      }
    }
  }
  return mask;
}

Seed MakeSeed(const Eigen::Vector3d& position, double strengthU) {
  Seed seed;
  seed.positionMm = position;
  seed.strengthU = strengthU;
  seed.direction = Eigen::Vector3d::UnitZ();
  return seed;
}

void ExpectSameDvh(const Dvh& live, const Dvh& fresh, double doseTolerance, int step) {
  EXPECT_NEAR(live.VolumeMm3(), fresh.VolumeMm3(), 1e-9 * fresh.VolumeMm3()) << "step " << step;
  EXPECT_NEAR(live.MaxDoseGy(), fresh.MaxDoseGy(), kExactTolerance * fresh.MaxDoseGy())
      << "step " << step;
  EXPECT_NEAR(live.MeanDoseGy(), fresh.MeanDoseGy(), kExactTolerance * fresh.MeanDoseGy())
      << "step " << step;
  for (const double fraction : {0.02, 0.5, 0.9, 0.98}) {
    const double expected = fresh.DoseAtVolumeFraction(fraction);
    EXPECT_NEAR(live.DoseAtVolumeFraction(fraction), expected, doseTolerance * expected)
        << "step " << step << ", D" << 100 * fraction;
  }
  for (const double fraction : {0.3, 1.0, 2.0}) {
    const double dose = fraction * fresh.DoseAtVolumeFraction(0.9);
    EXPECT_NEAR(live.VolumeFractionAtLeast(dose), fresh.VolumeFractionAtLeast(dose), 2e-3)
        << "step " << step << ", V at " << dose << " Gy";
  }
}

class LiveDvhSamples : public ::testing::Test {
protected:
  LiveDvhSamples()
      : m_Geometry(Grid({120.0, 110.0, 90.0}, {1.1, 0.9, 2.5})),
        m_Calculator(test::Library().Load("6711"), DoseCalculationOptions{}),
        m_Factor(PermanentImplantDecay(test::Library().Load("6711")->HalfLifeDays())
                     .TotalDoseGyPerCGyPerH()),
        m_Lesion(Ellipsoid(m_Geometry, {2.0, -1.0, 3.0}, {14.0, 11.0, 12.0})),
        m_Body(Ellipsoid(m_Geometry, {0.0, 0.0, 0.0}, {55.0, 50.0, 40.0})) {
    for (int n = 0; n < 8; ++n) {
      m_Seeds.push_back(
          MakeSeed(Eigen::Vector3d(2.0 + 6.0 * (n % 2) - 3.0, -1.0 + 5.0 * ((n / 2) % 2) - 2.5,
                                   3.0 + 5.0 * (n / 4) - 2.5),
                   0.7));
    }
    m_Dose = m_Calculator.DoseRateGridCGyPerH(m_Geometry, m_Seeds);
    for (float& value : m_Dose.Data()) {
      value = static_cast<float>(value * m_Factor);
    }
  }

  /// One random edit of the current seeds: (removed, added).
  std::pair<std::vector<Seed>, std::vector<Seed>> RandomEdit(std::mt19937& random) {
    std::uniform_real_distribution<double> unit(-1.0, 1.0);
    std::uniform_int_distribution<int> kind(0, 9);
    std::uniform_int_distribution<std::size_t> pick(0, m_Seeds.size() - 1);
    const Eigen::Vector3d lesionCentre(2.0, -1.0, 3.0);
    std::vector<Seed> removed, added;
    const int what = kind(random);
    if (what <= 5) { // a move: mostly small (a drag), sometimes across the lesion
      const std::size_t index = pick(random);
      const double size = what <= 3 ? 0.5 : 6.0;
      Seed moved = m_Seeds[index];
      moved.positionMm += size * Eigen::Vector3d(unit(random), unit(random), unit(random));
      removed.push_back(m_Seeds[index]);
      added.push_back(moved);
      m_Seeds[index] = moved;
    } else if (what == 6 || (what == 7 && m_Seeds.size() <= 4)) { // an addition
      const Seed seed = MakeSeed(
          lesionCentre + 10.0 * Eigen::Vector3d(unit(random), unit(random), unit(random)), 0.7);
      added.push_back(seed);
      m_Seeds.push_back(seed);
    } else if (what == 7) { // a deletion
      const std::size_t index = pick(random);
      removed.push_back(m_Seeds[index]);
      m_Seeds.erase(m_Seeds.begin() + static_cast<std::ptrdiff_t>(index));
    } else { // a strength change of one seed
      const std::size_t index = pick(random);
      Seed changed = m_Seeds[index];
      changed.strengthU *= 1.0 + 0.2 * unit(random);
      removed.push_back(m_Seeds[index]);
      added.push_back(changed);
      m_Seeds[index] = changed;
    }
    // The grid as LivePlanEvaluation keeps it.
    if (!removed.empty()) {
      m_Calculator.AddDoseRate(m_Dose, removed, -m_Factor);
    }
    if (!added.empty()) {
      m_Calculator.AddDoseRate(m_Dose, added, m_Factor);
    }
    return {removed, added};
  }

  GridGeometry m_Geometry;
  DoseCalculator m_Calculator;
  double m_Factor;
  Mask m_Lesion;
  Mask m_Body;
  std::vector<Seed> m_Seeds;
  Volume<float> m_Dose;
};

TEST_F(LiveDvhSamples, ExactSamplesFollowARandomEditSequenceAsAFreshComputation) {
  ImplantDvhOptions options;
  ImplantDvhSamples live(m_Lesion, m_Seeds, m_Calculator, m_Factor, options);
  std::mt19937 random(14);
  std::vector<Seed> pendingRemoved, pendingAdded;
  std::size_t resampled = 0;
  constexpr int kSteps = 120;
  for (int step = 0; step < kSteps; ++step) {
    auto [removed, added] = RandomEdit(random);
    pendingRemoved.insert(pendingRemoved.end(), removed.begin(), removed.end());
    pendingAdded.insert(pendingAdded.end(), added.begin(), added.end());
    if (step % 4 == 1) {
      continue; // merged with the next step, as a structure not looked at for a while
    }
    live.Update(m_Seeds, pendingRemoved, pendingAdded);
    resampled += live.LastResampledVoxels();
    pendingRemoved.clear();
    pendingAdded.clear();
    const Dvh fresh = DvhCalculator::ComputeForImplant(m_Lesion, m_Seeds, m_Calculator, m_Factor,
                                                       nullptr, options);
    ASSERT_EQ(live.SampleCount(), fresh.SampleCount()) << "step " << step;
    ExpectSameDvh(live.ToDvh(), fresh, kExactTolerance, step);
  }
  EXPECT_GT(resampled, 0u); // the splits did change along the way
}

TEST_F(LiveDvhSamples, BinnedSamplesFollowARandomEditSequenceAsAFreshComputation) {
  ImplantDvhOptions options;
  options.exactEverywhere = false;
  ASSERT_TRUE(ImplantBinnedDvhSamples::Supports(m_Body, options));
  ImplantBinnedDvhSamples live(m_Body, m_Seeds, m_Calculator, m_Factor, m_Dose, options);
  std::mt19937 random(1414);
  std::vector<Seed> pendingRemoved, pendingAdded;
  constexpr int kSteps = 60;
  for (int step = 0; step < kSteps; ++step) {
    auto [removed, added] = RandomEdit(random);
    pendingRemoved.insert(pendingRemoved.end(), removed.begin(), removed.end());
    pendingAdded.insert(pendingAdded.end(), added.begin(), added.end());
    if (step % 3 == 1) {
      continue;
    }
    live.Update(m_Seeds, pendingRemoved, pendingAdded);
    pendingRemoved.clear();
    pendingAdded.clear();
    const Dvh fresh =
        DvhCalculator::ComputeForImplant(m_Body, m_Seeds, m_Calculator, m_Factor, &m_Dose, options);
    ExpectSameDvh(live.ToDvh(), fresh, kBinnedDoseTolerance, step);
  }
}

TEST_F(LiveDvhSamples, RefusesWhatItCannotKeep) {
  ImplantDvhOptions binned;
  binned.exactEverywhere = false;
  EXPECT_THROW(ImplantDvhSamples(m_Lesion, m_Seeds, m_Calculator, m_Factor, binned), InvalidInput);
  ImplantDvhOptions exact;
  EXPECT_THROW(ImplantBinnedDvhSamples(m_Body, m_Seeds, m_Calculator, m_Factor, m_Dose, exact),
               InvalidInput);
  // Split voxels beyond the exact reach would take the grid's dose: not kept.
  binned.exactReachMm = 2.0;
  EXPECT_FALSE(ImplantBinnedDvhSamples::Supports(m_Body, binned));
  ImplantDvhSamples live(m_Lesion, m_Seeds, m_Calculator, m_Factor, exact);
  Seed bad = m_Seeds.front();
  bad.strengthU = -1.0;
  const std::size_t before = live.SampleCount();
  EXPECT_THROW(live.Update(m_Seeds, {}, {bad}), InvalidInput);
  EXPECT_EQ(live.SampleCount(), before);
  EXPECT_THROW(ImplantDvhSamples(Mask(m_Geometry, 0), m_Seeds, m_Calculator, m_Factor, exact),
               InvalidInput);
}

} // namespace
} // namespace seedplan::dosimetry
