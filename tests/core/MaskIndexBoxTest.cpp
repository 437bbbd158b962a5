#include "seedplan/core/MaskIndexBox.h"

#include <gtest/gtest.h>

#include <Eigen/Core>
#include <random>

namespace {

using seedplan::GridGeometry;
using seedplan::Mask;
using seedplan::MaskIndexBox;

/// The box by the definition, voxel by voxel: the independent answer the row scan must equal.
std::optional<MaskIndexBox> BoxByDefinition(const Mask& mask) {
  const auto& size = mask.Geometry().Size();
  MaskIndexBox box;
  box.lower = size;
  box.upper = {-1, -1, -1};
  for (std::int64_t k = 0; k < size[2]; ++k) {
    for (std::int64_t j = 0; j < size[1]; ++j) {
      for (std::int64_t i = 0; i < size[0]; ++i) {
        if (mask.At(i, j, k) != 0) {
          const std::array<std::int64_t, 3> index = {i, j, k};
          for (std::size_t a = 0; a < 3; ++a) {
            box.lower[a] = std::min(box.lower[a], index[a]);
            box.upper[a] = std::max(box.upper[a], index[a]);
          }
        }
      }
    }
  }
  if (box.upper[0] < 0) {
    return std::nullopt;
  }
  return box;
}

Mask MaskOfSize(std::int64_t ni, std::int64_t nj, std::int64_t nk) {
  return Mask(GridGeometry({0, 0, 0}, {1, 1, 2}, {ni, nj, nk}, Eigen::Matrix3d::Identity()), 0);
}

TEST(MaskIndexBox, EqualsTheVoxelByVoxelBoxForSparseRandomMasksAndEdgeVoxels) {
  std::mt19937 random(14);
  for (int trial = 0; trial < 40; ++trial) {
    std::uniform_int_distribution<std::int64_t> extent(1, 17);
    Mask mask = MaskOfSize(extent(random), extent(random), extent(random));
    const auto& size = mask.Geometry().Size();
    // From empty to a few voxels to dense, some on the grid's faces.
    std::uniform_int_distribution<int> count(0, trial % 4 == 0 ? 0 : 1 + trial);
    const int voxels = count(random);
    for (int n = 0; n < voxels; ++n) {
      mask.At(std::uniform_int_distribution<std::int64_t>(0, size[0] - 1)(random),
              std::uniform_int_distribution<std::int64_t>(0, size[1] - 1)(random),
              std::uniform_int_distribution<std::int64_t>(0, size[2] - 1)(random)) =
          static_cast<std::uint8_t>(1 + n % 255);
    }
    const auto expected = BoxByDefinition(mask);
    const auto actual = MaskIndexBox::Of(mask);
    ASSERT_EQ(actual.has_value(), expected.has_value()) << "trial " << trial;
    if (expected) {
      EXPECT_EQ(actual->lower, expected->lower) << "trial " << trial;
      EXPECT_EQ(actual->upper, expected->upper) << "trial " << trial;
    }
  }
}

TEST(MaskIndexBox, FindsASingleVoxelAtEitherEndOfARow) {
  for (const std::int64_t i : {std::int64_t{0}, std::int64_t{8}}) {
    Mask mask = MaskOfSize(9, 3, 2);
    mask.At(i, 2, 1) = 1;
    const auto box = MaskIndexBox::Of(mask);
    ASSERT_TRUE(box.has_value());
    EXPECT_EQ(box->lower, (std::array<std::int64_t, 3>{i, 2, 1}));
    EXPECT_EQ(box->upper, (std::array<std::int64_t, 3>{i, 2, 1}));
  }
  EXPECT_FALSE(MaskIndexBox::Of(MaskOfSize(9, 3, 2)).has_value());
}

} // namespace
