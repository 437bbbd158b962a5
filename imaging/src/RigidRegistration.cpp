#include "seedplan/imaging/RigidRegistration.h"

#include "ItkRigidRegistration.h"

#include "seedplan/core/Error.h"

#include <Eigen/Geometry>
#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <limits>
#include <sstream>
#include <vector>

namespace seedplan::imaging {
namespace {

/// HU are handed to ITK shifted by +1000 (air ~ 0), so that the moments start sees no negative
/// mass; mean squares does not care about the shift.
constexpr double kHuOffset = 1000.0;
constexpr double kLowestHu = -1000.0;

/// A CT averaged over blocks of voxels, cropped, with the voxels to compare.
struct PreparedImage {
  GridGeometry geometry;
  std::vector<float> values;          ///< HU + kHuOffset, metal replaced
  std::vector<std::uint8_t> metal;    ///< non-zero: metal within the margin
  std::vector<std::uint8_t> compared; ///< non-zero: voxel used by the metric
};

/// Averages `ct` over blocks of `factor` voxels (metal replaced first) and marks the blocks that
/// hold metal.
PreparedImage BlockAverage(const Volume<short>& ct, const std::array<std::int64_t, 3>& factor,
                           const RigidRegistrationOptions& options) {
  const GridGeometry& source = ct.Geometry();
  std::array<std::int64_t, 3> size{};
  Eigen::Vector3d spacing;
  Eigen::Vector3d firstCentreIndex;
  for (int axis = 0; axis < 3; ++axis) {
    size[axis] = std::max<std::int64_t>(1, source.Size()[axis] / factor[axis]);
    spacing[axis] = source.SpacingMm()[axis] * static_cast<double>(factor[axis]);
    firstCentreIndex[axis] = 0.5 * static_cast<double>(factor[axis] - 1);
  }
  const Eigen::Vector3d origin =
      source.IndexToPoint(firstCentreIndex.x(), firstCentreIndex.y(), firstCentreIndex.z());
  PreparedImage image;
  image.geometry = GridGeometry(origin, spacing, size, source.Direction());
  const auto count = static_cast<std::size_t>(image.geometry.NumberOfVoxels());
  image.values.assign(count, 0.0f);
  image.metal.assign(count, 0);
  const double blockVoxels = static_cast<double>(factor[0] * factor[1] * factor[2]);
  for (std::int64_t k = 0; k < size[2]; ++k) {
    for (std::int64_t j = 0; j < size[1]; ++j) {
      for (std::int64_t i = 0; i < size[0]; ++i) {
        double sum = 0.0;
        bool metal = false;
        for (std::int64_t dk = 0; dk < factor[2]; ++dk) {
          for (std::int64_t dj = 0; dj < factor[1]; ++dj) {
            for (std::int64_t di = 0; di < factor[0]; ++di) {
              double hu = ct.At(i * factor[0] + di, j * factor[1] + dj, k * factor[2] + dk);
              if (hu > options.metalThresholdHu) {
                metal = true;
                hu = options.metalReplacementHu;
              }
              sum += std::max(hu, kLowestHu);
            }
          }
        }
        const auto index = static_cast<std::size_t>(image.geometry.LinearIndex(i, j, k));
        image.values[index] = static_cast<float>(sum / blockVoxels + kHuOffset);
        image.metal[index] = metal ? 1 : 0;
      }
    }
  }
  return image;
}

/// Grows the metal marks by `marginMm` (a box, separable).
void DilateMetal(PreparedImage& image, double marginMm) {
  const auto& size = image.geometry.Size();
  for (int axis = 0; axis < 3; ++axis) {
    const auto radius =
        static_cast<std::int64_t>(std::ceil(marginMm / image.geometry.SpacingMm()[axis] - 1e-9));
    if (radius <= 0) {
      continue;
    }
    std::array<std::int64_t, 3> stride{1, size[0], size[0] * size[1]};
    std::vector<std::uint8_t> grown = image.metal;
    for (std::int64_t k = 0; k < size[2]; ++k) {
      for (std::int64_t j = 0; j < size[1]; ++j) {
        for (std::int64_t i = 0; i < size[0]; ++i) {
          const std::int64_t linear = image.geometry.LinearIndex(i, j, k);
          if (image.metal[static_cast<std::size_t>(linear)] == 0) {
            continue;
          }
          const std::array<std::int64_t, 3> index{i, j, k};
          const std::int64_t first = std::max<std::int64_t>(0, index[axis] - radius);
          const std::int64_t last = std::min<std::int64_t>(size[axis] - 1, index[axis] + radius);
          for (std::int64_t n = first; n <= last; ++n) {
            grown[static_cast<std::size_t>(linear + (n - index[axis]) * stride[axis])] = 1;
          }
        }
      }
    }
    image.metal = std::move(grown);
  }
}

/// Keeps the voxels of `image` inside `box` (the smallest index box containing it).
void Crop(PreparedImage& image, const RegionOfInterestMm& box) {
  const GridGeometry& geometry = image.geometry;
  Eigen::Vector3d lowest = Eigen::Vector3d::Constant(std::numeric_limits<double>::infinity());
  Eigen::Vector3d highest = -lowest;
  for (int corner = 0; corner < 8; ++corner) {
    const Eigen::Vector3d point((corner & 1) ? box.maximumMm.x() : box.minimumMm.x(),
                                (corner & 2) ? box.maximumMm.y() : box.minimumMm.y(),
                                (corner & 4) ? box.maximumMm.z() : box.minimumMm.z());
    const Eigen::Vector3d index = geometry.PointToContinuousIndex(point);
    lowest = lowest.cwiseMin(index);
    highest = highest.cwiseMax(index);
  }
  std::array<std::int64_t, 3> first{};
  std::array<std::int64_t, 3> size{};
  for (int axis = 0; axis < 3; ++axis) {
    first[axis] = std::max<std::int64_t>(0, static_cast<std::int64_t>(std::ceil(lowest[axis])));
    const std::int64_t last = std::min<std::int64_t>(
        geometry.Size()[axis] - 1, static_cast<std::int64_t>(std::floor(highest[axis])));
    // At least 4 voxels per axis so that every level has something to shrink.
    if (last - first[axis] + 1 < 4) {
      std::ostringstream message;
      message << "rigid registration: the region of interest (" << box.minimumMm.transpose()
              << ") - (" << box.maximumMm.transpose()
              << ") mm does not cover at least 4 voxels of the fixed CT (" << geometry.Describe()
              << "); expected a box inside the fixed CT";
      throw InvalidInput(message.str());
    }
    size[axis] = last - first[axis] + 1;
  }
  PreparedImage cropped;
  cropped.geometry = GridGeometry(geometry.IndexToPoint(static_cast<double>(first[0]),
                                                        static_cast<double>(first[1]),
                                                        static_cast<double>(first[2])),
                                  geometry.SpacingMm(), size, geometry.Direction());
  const auto count = static_cast<std::size_t>(cropped.geometry.NumberOfVoxels());
  cropped.values.resize(count);
  cropped.metal.resize(count);
  for (std::int64_t k = 0; k < size[2]; ++k) {
    for (std::int64_t j = 0; j < size[1]; ++j) {
      for (std::int64_t i = 0; i < size[0]; ++i) {
        const auto from = static_cast<std::size_t>(
            geometry.LinearIndex(i + first[0], j + first[1], k + first[2]));
        const auto to = static_cast<std::size_t>(cropped.geometry.LinearIndex(i, j, k));
        cropped.values[to] = image.values[from];
        cropped.metal[to] = image.metal[from];
      }
    }
  }
  image = std::move(cropped);
}

detail::RegistrationImage ToRegistrationImage(const PreparedImage& image) {
  detail::RegistrationImage result;
  const GridGeometry& geometry = image.geometry;
  for (int axis = 0; axis < 3; ++axis) {
    result.size[static_cast<std::size_t>(axis)] =
        static_cast<std::size_t>(geometry.Size()[static_cast<std::size_t>(axis)]);
    result.originMm[static_cast<std::size_t>(axis)] = geometry.OriginMm()[axis];
    result.spacingMm[static_cast<std::size_t>(axis)] = geometry.SpacingMm()[axis];
    for (int column = 0; column < 3; ++column) {
      result.direction[static_cast<std::size_t>(3 * axis + column)] =
          geometry.Direction()(axis, column);
    }
  }
  result.values = image.values;
  result.mask = image.compared;
  return result;
}

Eigen::Matrix4d ToMatrix(const std::array<double, 16>& rowMajor) {
  Eigen::Matrix4d matrix;
  for (int row = 0; row < 4; ++row) {
    for (int column = 0; column < 4; ++column) {
      matrix(row, column) = rowMajor[static_cast<std::size_t>(4 * row + column)];
    }
  }
  return matrix;
}

std::array<double, 16> ToRowMajor(const Eigen::Matrix4d& matrix) {
  std::array<double, 16> rowMajor{};
  for (int row = 0; row < 4; ++row) {
    for (int column = 0; column < 4; ++column) {
      rowMajor[static_cast<std::size_t>(4 * row + column)] = matrix(row, column);
    }
  }
  return rowMajor;
}

/// The centre of a grid's voxel centres and the centre of mass of its values (HU + 1000), mm.
struct CentreOfImage {
  Eigen::Vector3d geometricMm = Eigen::Vector3d::Zero();
  Eigen::Vector3d massMm = Eigen::Vector3d::Zero();
};

CentreOfImage Centres(const PreparedImage& image) {
  const GridGeometry& geometry = image.geometry;
  const auto& size = geometry.Size();
  CentreOfImage centres;
  centres.geometricMm = geometry.IndexToPoint(0.5 * static_cast<double>(size[0] - 1),
                                              0.5 * static_cast<double>(size[1] - 1),
                                              0.5 * static_cast<double>(size[2] - 1));
  Eigen::Vector3d weightedIndex = Eigen::Vector3d::Zero();
  double mass = 0.0;
  for (std::int64_t k = 0; k < size[2]; ++k) {
    for (std::int64_t j = 0; j < size[1]; ++j) {
      for (std::int64_t i = 0; i < size[0]; ++i) {
        const double value =
            std::max(0.0f, image.values[static_cast<std::size_t>(geometry.LinearIndex(i, j, k))]);
        weightedIndex += value * Eigen::Vector3d(static_cast<double>(i), static_cast<double>(j),
                                                 static_cast<double>(k));
        mass += value;
      }
    }
  }
  centres.massMm = mass > 0.0
                       ? geometry.IndexToPoint(weightedIndex.x() / mass, weightedIndex.y() / mass,
                                               weightedIndex.z() / mass)
                       : centres.geometricMm;
  return centres;
}

/// The start, x_moving = start * x_fixed: a translation (or none).
Eigen::Matrix4d InitialFixedToMoving(const CentreOfImage& fixed, const CentreOfImage& moving,
                                     RigidInitialisation initialisation) {
  Eigen::Matrix4d start = Eigen::Matrix4d::Identity();
  switch (initialisation) {
  case RigidInitialisation::Geometry:
    start.topRightCorner<3, 1>() = moving.geometricMm - fixed.geometricMm;
    break;
  case RigidInitialisation::Moments:
    start.topRightCorner<3, 1>() = moving.massMm - fixed.massMm;
    break;
  case RigidInitialisation::Identity:
    break;
  }
  return start;
}

/// The inverse of a rigid transform, exact up to rounding.
Eigen::Matrix4d InvertRigid(const Eigen::Matrix4d& transform) {
  Eigen::Matrix4d inverse = Eigen::Matrix4d::Identity();
  const Eigen::Matrix3d rotation = transform.topLeftCorner<3, 3>();
  inverse.topLeftCorner<3, 3>() = rotation.transpose();
  inverse.topRightCorner<3, 1>() = -rotation.transpose() * transform.topRightCorner<3, 1>();
  return inverse;
}

/// Trilinear value of `image` at a point (mm); false outside its voxel centres or next to metal.
bool Sample(const PreparedImage& image, const Eigen::Vector3d& pointMm, double& value) {
  const Eigen::Vector3d index = image.geometry.PointToContinuousIndex(pointMm);
  const auto& size = image.geometry.Size();
  std::array<std::int64_t, 3> base{};
  std::array<double, 3> fraction{};
  for (int axis = 0; axis < 3; ++axis) {
    if (!(index[axis] >= 0.0) || index[axis] > static_cast<double>(size[axis] - 1)) {
      return false;
    }
    base[axis] = std::min<std::int64_t>(static_cast<std::int64_t>(index[axis]),
                                        std::max<std::int64_t>(0, size[axis] - 2));
    fraction[axis] = index[axis] - static_cast<double>(base[axis]);
  }
  value = 0.0;
  for (int corner = 0; corner < 8; ++corner) {
    std::array<std::int64_t, 3> at{};
    double weight = 1.0;
    for (int axis = 0; axis < 3; ++axis) {
      const bool upper = ((corner >> axis) & 1) != 0;
      at[axis] = std::min<std::int64_t>(base[axis] + (upper ? 1 : 0), size[axis] - 1);
      weight *= upper ? fraction[axis] : 1.0 - fraction[axis];
    }
    const auto linear = static_cast<std::size_t>(image.geometry.LinearIndex(at[0], at[1], at[2]));
    if (weight > 0.0 && image.metal[linear] != 0) {
      return false;
    }
    value += weight * image.values[linear];
  }
  return true;
}

/// Centres of every `stride`-th compared voxel of `fixed` (patient mm).
std::vector<Eigen::Vector3d> ComparedPoints(const PreparedImage& fixed, std::int64_t stride) {
  std::vector<Eigen::Vector3d> points;
  const auto& size = fixed.geometry.Size();
  for (std::int64_t k = 0; k < size[2]; k += stride) {
    for (std::int64_t j = 0; j < size[1]; j += stride) {
      for (std::int64_t i = 0; i < size[0]; i += stride) {
        if (fixed.compared[static_cast<std::size_t>(fixed.geometry.LinearIndex(i, j, k))] != 0) {
          points.push_back(fixed.geometry.IndexToPoint(
              static_cast<double>(i), static_cast<double>(j), static_cast<double>(k)));
        }
      }
    }
  }
  return points;
}

void CheckInputs(const Volume<short>& fixedCt, const Volume<short>& movingCt,
                 const RigidRegistrationOptions& options) {
  fixedCt.Geometry().Validate("rigid registration: fixed CT");
  movingCt.Geometry().Validate("rigid registration: moving CT");
  if (fixedCt.NumberOfVoxels() != fixedCt.Geometry().NumberOfVoxels() ||
      movingCt.NumberOfVoxels() != movingCt.Geometry().NumberOfVoxels()) {
    throw InvalidInput("rigid registration: a CT has fewer voxels than its grid; expected one HU "
                       "value per voxel");
  }
  auto require = [](bool good, const std::string& what) {
    if (!good) {
      throw InvalidInput("rigid registration: " + what);
    }
  };
  require(options.levels >= 1 && options.levels <= 5,
          "levels = " + std::to_string(options.levels) + "; expected 1 to 5");
  require(std::isfinite(options.finestSpacingMm) && options.finestSpacingMm > 0.0,
          "finest spacing " + std::to_string(options.finestSpacingMm) + " mm; expected > 0");
  require(options.samplesPerLevel >= 1000,
          "samples per level = " + std::to_string(options.samplesPerLevel) +
              "; expected at least 1000");
  require(options.maxIterationsPerLevel >= 1,
          "iterations per level = " + std::to_string(options.maxIterationsPerLevel) +
              "; expected at least 1");
  require(std::isfinite(options.metalMarginMm) && options.metalMarginMm >= 0.0,
          "metal margin " + std::to_string(options.metalMarginMm) + " mm; expected >= 0");
  require(options.metalThresholdHu > options.airThresholdHu,
          "metal threshold " + std::to_string(options.metalThresholdHu) +
              " HU not above the air threshold " + std::to_string(options.airThresholdHu) + " HU");
  if (options.regionOfInterest) {
    const RegionOfInterestMm& box = *options.regionOfInterest;
    require(box.minimumMm.allFinite() && box.maximumMm.allFinite() &&
                (box.maximumMm.array() > box.minimumMm.array()).all(),
            "the region of interest's maximum corner must exceed its minimum corner on every axis");
  }
}

std::array<std::int64_t, 3> BlockFactor(const GridGeometry& geometry, double finestSpacingMm) {
  std::array<std::int64_t, 3> factor{};
  for (int axis = 0; axis < 3; ++axis) {
    factor[axis] = std::clamp<std::int64_t>(
        std::llround(finestSpacingMm / geometry.SpacingMm()[axis]), 1, geometry.Size()[axis]);
  }
  return factor;
}

} // namespace

RigidRegistrationResult RigidRegistration::Register(const Volume<short>& fixedCt,
                                                    const Volume<short>& movingCt,
                                                    const RigidRegistrationOptions& options) {
  CheckInputs(fixedCt, movingCt, options);

  // Both CTs on blocks of about the finest level's voxel size, metal replaced and marked.
  PreparedImage fixed =
      BlockAverage(fixedCt, BlockFactor(fixedCt.Geometry(), options.finestSpacingMm), options);
  PreparedImage moving =
      BlockAverage(movingCt, BlockFactor(movingCt.Geometry(), options.finestSpacingMm), options);
  DilateMetal(fixed, options.metalMarginMm);
  DilateMetal(moving, options.metalMarginMm);
  // The start is chosen on the whole CTs, before the fixed one is cropped to the region of
  // interest.
  const CentreOfImage fixedStart = Centres(fixed);
  const CentreOfImage movingStart = Centres(moving);
  if (options.regionOfInterest) {
    Crop(fixed, *options.regionOfInterest);
  }

  // Fixed voxels compared: in the body, away from metal. Moving voxels: away from metal.
  fixed.compared.assign(fixed.values.size(), 0);
  std::size_t comparedCount = 0;
  const auto airLevel = static_cast<float>(options.airThresholdHu + kHuOffset);
  for (std::size_t n = 0; n < fixed.values.size(); ++n) {
    if (fixed.values[n] >= airLevel && fixed.metal[n] == 0) {
      fixed.compared[n] = 1;
      ++comparedCount;
    }
  }
  if (comparedCount < 1000) {
    throw InvalidInput("rigid registration: only " + std::to_string(comparedCount) +
                       " voxels of the fixed CT (" + fixed.geometry.Describe() + ") are above " +
                       std::to_string(options.airThresholdHu) +
                       " HU and away from metal; expected a CT of the body");
  }
  moving.compared.resize(moving.metal.size());
  for (std::size_t n = 0; n < moving.metal.size(); ++n) {
    moving.compared[n] = moving.metal[n] == 0 ? 1 : 0;
  }

  // Levels: voxel size finestSpacing * 2^(levels - 1 - level), Gaussian of half that (none at the
  // finest level: the block average has smoothed it), samplesPerLevel points in the body.
  detail::RegistrationSettings settings;
  settings.maxIterationsPerLevel = options.maxIterationsPerLevel;
  settings.randomSeed = options.randomSeed;
  settings.initialFixedToMoving =
      ToRowMajor(InitialFixedToMoving(fixedStart, movingStart, options.initialisation));
  std::ostringstream levelsText;
  for (int level = 0; level < options.levels; ++level) {
    const double levelSpacingMm =
        options.finestSpacingMm * std::ldexp(1.0, options.levels - 1 - level);
    detail::RegistrationLevel settingsOfLevel;
    double shrinkVoxels = 1.0;
    for (int axis = 0; axis < 3; ++axis) {
      const auto shrink = static_cast<unsigned>(
          std::clamp<long long>(std::llround(levelSpacingMm / fixed.geometry.SpacingMm()[axis]), 1,
                                std::max<std::int64_t>(1, fixed.geometry.Size()[axis] / 2)));
      settingsOfLevel.shrink[static_cast<std::size_t>(axis)] = shrink;
      shrinkVoxels *= shrink;
    }
    settingsOfLevel.sigmaMm = level + 1 == options.levels ? 0.0 : 0.5 * levelSpacingMm;
    // ITK draws samples over the whole shrunk grid and keeps those in the mask.
    const double shrunkVoxels = static_cast<double>(fixed.values.size()) / shrinkVoxels;
    const double comparedShare =
        static_cast<double>(comparedCount) / static_cast<double>(fixed.values.size());
    settingsOfLevel.samplingFraction =
        std::min(1.0, options.samplesPerLevel / (shrunkVoxels * comparedShare));
    settings.levels.push_back(settingsOfLevel);
    levelsText << (level == 0 ? "" : ", ") << std::setprecision(3) << levelSpacingMm << " mm ("
               << settingsOfLevel.shrink[0] << "x" << settingsOfLevel.shrink[1] << "x"
               << settingsOfLevel.shrink[2] << ", sigma " << settingsOfLevel.sigmaMm << " mm)";
  }

  const detail::RegistrationImage fixedImage = ToRegistrationImage(fixed);
  const detail::RegistrationImage movingImage = ToRegistrationImage(moving);
  const detail::RegistrationOutput output =
      detail::RegisterRigid(fixedImage, movingImage, settings);
  const Eigen::Matrix4d fixedToMoving = ToMatrix(output.fixedToMoving);

  RigidRegistrationResult result;
  result.movingToFixed = InvertRigid(fixedToMoving);
  result.finalMetric = output.finalMetric;
  result.iterations = output.iterations;

  const std::vector<Eigen::Vector3d> points = ComparedPoints(fixed, 2);
  result.residualMm = std::numeric_limits<double>::quiet_NaN();
  if (options.estimateResidual) {
    detail::RegistrationSettings refinement = settings;
    refinement.levels = {settings.levels.back()};
    refinement.initialFixedToMoving = output.fixedToMoving;
    refinement.initialStepMm = 0.5;
    refinement.randomSeed = settings.randomSeed + 7919;
    const detail::RegistrationOutput refined =
        detail::RegisterRigid(fixedImage, movingImage, refinement);
    const Eigen::Matrix4d refinedFixedToMoving = ToMatrix(refined.fixedToMoving);
    double sumSquares = 0.0;
    for (const Eigen::Vector3d& point : points) {
      const Eigen::Vector4d homogeneous = point.homogeneous();
      sumSquares += ((fixedToMoving - refinedFixedToMoving) * homogeneous).squaredNorm();
    }
    result.residualMm =
        points.empty() ? 0.0 : std::sqrt(sumSquares / static_cast<double>(points.size()));
  }

  double sumAbsolute = 0.0;
  std::size_t compared = 0;
  for (const Eigen::Vector3d& point : points) {
    double movingValue = 0.0;
    const Eigen::Vector3d mapped = (fixedToMoving * point.homogeneous()).head<3>();
    if (!Sample(moving, mapped, movingValue)) {
      continue;
    }
    double fixedValue = 0.0;
    Sample(fixed, point, fixedValue);
    sumAbsolute += std::abs(movingValue - fixedValue);
    ++compared;
  }
  result.meanAbsoluteHuDifference = compared == 0 ? std::numeric_limits<double>::quiet_NaN()
                                                  : sumAbsolute / static_cast<double>(compared);

  const Eigen::AngleAxisd rotation(Eigen::Matrix3d(result.movingToFixed.topLeftCorner<3, 3>()));
  std::ostringstream description;
  description << std::fixed << std::setprecision(2)
              << "ITK v4 rigid registration (VersorRigid3DTransform, mean squares on HU, regular "
                 "step gradient descent); levels "
              << levelsText.str() << "; " << options.samplesPerLevel
              << " sample points per level in the body (> " << options.airThresholdHu
              << " HU), metal > " << options.metalThresholdHu << " HU replaced by "
              << options.metalReplacementHu << " HU and excluded with a " << options.metalMarginMm
              << " mm margin";
  if (options.regionOfInterest) {
    description << "; region of interest (" << options.regionOfInterest->minimumMm.transpose()
                << ") - (" << options.regionOfInterest->maximumMm.transpose() << ") mm";
  }
  description << "; start "
              << (options.initialisation == RigidInitialisation::Geometry  ? "geometry"
                  : options.initialisation == RigidInitialisation::Moments ? "moments"
                                                                           : "identity")
              << "; iterations";
  for (const int iterations : output.iterationsPerLevel) {
    description << " " << iterations;
  }
  description << " (" << output.stopCondition << "); result: rotation "
              << rotation.angle() * 180.0 / 3.14159265358979323846 << " deg, translation ("
              << result.movingToFixed.topRightCorner<3, 1>().transpose() << ") mm; residual "
              << result.residualMm << " mm (finest level rerun with other samples), mean |HU "
              << "difference| " << result.meanAbsoluteHuDifference << " HU";
  result.description = description.str();
  return result;
}

} // namespace seedplan::imaging
