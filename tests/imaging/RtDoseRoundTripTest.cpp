// Tests of RtDoseWriter and RtDoseReader: a dose grid (any orientation, either frame order) and
// its DVHs read back within the stored precision; the DVH bin width keeps DVH Data within what an
// explicit VR Decimal String may hold.

#include "RtTestSupport.h"
#include "seedplan/core/Error.h"
#include "seedplan/imaging/RtDoseReader.h"
#include "seedplan/imaging/RtDoseWriter.h"

#include <dcmtk/config/osconfig.h>
#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <gtest/gtest.h>

#include <Eigen/Geometry>

#include <cmath>

namespace seedplan::imaging {
namespace {

using rttest::SmallCt;
using rttest::SmallCtHeader;
using rttest::TempFolder;

/// Geometry is written as DS of up to 16 characters: far below a micrometre.
constexpr double kGeometryToleranceMm = 1e-6;
/// A DVH volume is written with 6 significant digits.
constexpr double kDvhRelativeTolerance = 5e-6;

/// A dose with a seed-like peak: 1000 / (r² + 1) Gy, r in mm from (2, -1, 3).
Volume<float> PeakDose(const GridGeometry& grid) {
  Volume<float> dose(grid, 0.0f);
  for (std::int64_t k = 0; k < grid.Size()[2]; ++k) {
    for (std::int64_t j = 0; j < grid.Size()[1]; ++j) {
      for (std::int64_t i = 0; i < grid.Size()[0]; ++i) {
        const Eigen::Vector3d p = grid.IndexToPoint(double(i), double(j), double(k));
        dose.At(i, j, k) =
            static_cast<float>(1000.0 / ((p - Eigen::Vector3d(2, -1, 3)).squaredNorm() + 1.0));
      }
    }
  }
  return dose;
}

RtDoseWriteOptions Options(int bits) {
  RtDoseWriteOptions options;
  options.bitsAllocated = bits;
  options.referencedPlanUid = "1.2.826.0.1.3680043.9.7777.10.20";
  options.referencedStructureSetUid = "1.2.826.0.1.3680043.9.7777.10.21";
  options.comment = "test";
  return options;
}

/// A cumulative DVH of a 10 cc structure: V(d) = 10 exp(-d / 30) cc up to the maximum dose.
RtDvhInput ExponentialDvh(int roi, double maximumGy) {
  return RtDoseWriter::BinCumulativeDvh(roi, 10.0, 0.0, maximumGy, 30.0,
                                        [](double d) { return 10.0 * std::exp(-d / 30.0); });
}

void ExpectRoundTrip(const GridGeometry& grid, int bits) {
  TempFolder folder;
  const CtImage ct = SmallCt();
  const Volume<float> dose = PeakDose(grid);
  RtDoseWriteOptions options = Options(bits);
  options.dvhs = {ExponentialDvh(3, 400.0)};
  const std::string uid =
      RtDoseWriter::Write(folder.File("rtdose.dcm"), dose, options, SmallCtHeader(ct));
  const RtDoseGrid read = RtDoseReader::Read(folder.File("rtdose.dcm"));
  EXPECT_EQ(read.sopInstanceUid, uid);
  EXPECT_EQ(read.frameOfReferenceUid, ct.info.frameOfReferenceUid);
  EXPECT_EQ(read.doseUnits, "GY");
  EXPECT_EQ(read.doseType, "PHYSICAL");
  EXPECT_EQ(read.summationType, "PLAN");
  EXPECT_EQ(read.heterogeneityCorrection, "WATER");
  EXPECT_EQ(read.referencedPlanUid, options.referencedPlanUid);
  EXPECT_EQ(read.referencedStructureSetUid, options.referencedStructureSetUid);
  EXPECT_EQ(read.bitsAllocated, bits);
  // Same voxel centres, whichever way the frames were stored (the k axis may run the other way).
  ASSERT_EQ(read.dose.Geometry().NumberOfVoxels(), grid.NumberOfVoxels());
  double worst = 0.0;
  double worstOffGridVoxels = 0.0;
  for (std::int64_t k = 0; k < grid.Size()[2]; ++k) {
    for (std::int64_t j = 0; j < grid.Size()[1]; ++j) {
      for (std::int64_t i = 0; i < grid.Size()[0]; ++i) {
        const Eigen::Vector3d p = grid.IndexToPoint(double(i), double(j), double(k));
        const Eigen::Vector3d index = read.dose.Geometry().PointToContinuousIndex(p);
        ASSERT_TRUE(read.dose.Geometry().ContainsPoint(p, 1e-6)) << p.transpose();
        worstOffGridVoxels = std::max(
            worstOffGridVoxels, (index - index.array().round().matrix()).cwiseAbs().maxCoeff());
        const float value =
            read.dose.At(std::llround(index.x()), std::llround(index.y()), std::llround(index.z()));
        worst = std::max(worst, std::abs(double(value) - double(dose.At(i, j, k))));
      }
    }
  }
  // Half a scaling step, plus float rounding of values up to 1000 Gy.
  const double tolerance = 0.5 * read.doseGridScaling + 1000.0 * 6e-8;
  std::cout << bits << " bit: scaling " << read.doseGridScaling << " Gy, worst difference " << worst
            << " Gy\n";
  EXPECT_LE(worst, tolerance);
  EXPECT_LE(worstOffGridVoxels, kGeometryToleranceMm); // spacings >= 1 mm: voxels ~ mm
  ASSERT_EQ(read.dvhs.size(), 1u);
  const RtDvh& dvh = read.dvhs[0];
  EXPECT_EQ(dvh.roiNumber, 3);
  EXPECT_EQ(dvh.type, "CUMULATIVE");
  EXPECT_EQ(dvh.volumeUnits, "CM3");
  ASSERT_FALSE(dvh.binWidths.empty());
  double start = 0.0;
  for (std::size_t n = 0; n < dvh.binWidths.size(); ++n) {
    const double expected = 10.0 * std::exp(-start / 30.0);
    EXPECT_NEAR(dvh.volumes[n], expected, kDvhRelativeTolerance * expected + 1e-12) << n;
    start += dvh.binWidths[n];
  }
  EXPECT_EQ(dvh.maximumGy, 400.0);
}

TEST(RtDose, SixteenBitsAreChosenWhenHalfAStepIsWithinTheirToleranceAndThirtyTwoOtherwise) {
  TempFolder folder;
  const CtImage ct = SmallCt();
  Volume<float> dose = PeakDose(GridGeometry({0, 0, 0}, {1, 1, 1}, {6, 5, 4}));
  RtDoseWriteOptions options = Options(0);
  dose.At(1, 1, 1) = 1300.0f; // half a 16-bit step: 0.0099 Gy
  RtDoseWriter::Write(folder.File("cool.dcm"), dose, options, SmallCtHeader(ct));
  EXPECT_EQ(RtDoseReader::Read(folder.File("cool.dcm")).bitsAllocated, 16);
  dose.At(1, 1, 1) = 1320.0f; // 0.01007 Gy
  RtDoseWriter::Write(folder.File("hot.dcm"), dose, options, SmallCtHeader(ct));
  EXPECT_EQ(RtDoseReader::Read(folder.File("hot.dcm")).bitsAllocated, 32);
}

TEST(RtDose, AxialGridReadsBackWithinHalfAScalingStepIn32And16Bits) {
  const GridGeometry grid({-10.5, -8.25, -5.0}, {0.9, 0.75, 2.5}, {24, 22, 5});
  ExpectRoundTrip(grid, 32);
  ExpectRoundTrip(grid, 16);
}

TEST(RtDose, ObliqueGridWithTheThirdAxisAgainstTheNormalReadsBackOnTheSameVoxelCentres) {
  Eigen::Matrix3d direction;
  direction = Eigen::AngleAxisd(0.3, Eigen::Vector3d(1, 2, 3).normalized()).toRotationMatrix();
  direction.col(2) = -direction.col(2); // left-handed: frames written in reverse order
  const GridGeometry grid({3.0, -4.0, 1.0}, {1.0, 1.25, 2.0}, {12, 10, 7}, direction);
  ExpectRoundTrip(grid, 32);
}

TEST(RtDose, DvhBinWidthGrowsWithTheMaximumDoseSoThatDvhDataFitsAnExplicitVrValue) {
  for (const double maximumGy : {50.0, 400.0, 3000.0, 40000.0}) {
    const RtDvhInput dvh = ExponentialDvh(1, maximumGy);
    const std::string text = RtDoseWriter::DvhData(dvh);
    const double width = dvh.binWidthGy;
    const std::size_t bins = static_cast<std::size_t>(std::floor(maximumGy / width)) + 1;
    EXPECT_EQ(dvh.volumesCc.size(), bins);
    std::cout << "maximum " << maximumGy << " Gy: bin " << width << " Gy, " << bins << " bins, "
              << text.size() << " bytes\n";
    EXPECT_LE(text.size(), RtDoseWriter::kMaxDvhDataBytes);
    EXPECT_EQ(static_cast<std::size_t>(std::count(text.begin(), text.end(), '\\')), 2 * bins - 1);
    // Not coarser than needed: the next finer width of the 1-2-5 series (2 or 2.5 times finer)
    // did not fit, so at least 65534 / (2.5 x 34 bytes per pair at most) bins are written.
    if (width > 0.01) {
      EXPECT_GE(bins, 700u);
    }
  }
}

TEST(RtDose, NegativeOrNonFiniteDoseIsRefusedAndNoFileIsLeft) {
  TempFolder folder;
  const CtImage ct = SmallCt();
  Volume<float> dose = PeakDose(GridGeometry({0, 0, 0}, {1, 1, 1}, {4, 4, 3}));
  dose.At(1, 2, 1) = -0.5f;
  EXPECT_THROW(RtDoseWriter::Write(folder.File("rtdose.dcm"), dose, Options(32), SmallCtHeader(ct)),
               InvalidInput);
  EXPECT_FALSE(std::filesystem::exists(folder.File("rtdose.dcm")));
  dose.At(1, 2, 1) = std::nanf("");
  EXPECT_THROW(RtDoseWriter::Write(folder.File("rtdose.dcm"), dose, Options(32), SmallCtHeader(ct)),
               InvalidInput);
  EXPECT_THROW(RtDoseWriter::Write(folder.File("rtdose.dcm"), PeakDose(dose.Geometry()), Options(8),
                                   SmallCtHeader(ct)),
               InvalidInput);
}

TEST(RtDose, ReaderRefusesAnotherObjectAndTruncatedPixelData) {
  TempFolder folder;
  const CtImage ct = SmallCt();
  const std::filesystem::path file = folder.File("rtdose.dcm");
  RtDoseWriter::Write(file, PeakDose(GridGeometry({0, 0, 0}, {1, 1, 1}, {20, 20, 6})), Options(32),
                      SmallCtHeader(ct));
  const auto size = std::filesystem::file_size(file);
  std::filesystem::resize_file(file, size - 100);
  try {
    RtDoseReader::Read(file);
    FAIL() << "expected DataFormat";
  } catch (const DataFormat& error) {
    std::cout << error.what() << "\n";
    EXPECT_NE(std::string(error.what()).find("(7FE0,0010)"), std::string::npos) << error.what();
  }
}

} // namespace
} // namespace seedplan::imaging
