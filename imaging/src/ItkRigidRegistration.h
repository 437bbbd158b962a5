#pragma once
// The one place where seedplan runs ITK's v4 image registration (a rigid VersorRigid3DTransform,
// mean squares, multi-resolution). RigidRegistration.cpp prepares the images (metal clamped,
// resampled, masks) and converts the result to core types.
//
// Like ItkAdapter.h this header includes no Eigen and no ITK: Debian's ITK 5.2 bundles an Eigen 3.3
// whose include guards collide with the system Eigen 3.4 (docs/ARCHITECTURE.md).

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace seedplan::imaging::detail {

/// A scalar 3D image as plain arrays: voxel (i, j, k) at origin + direction * diag(spacing) *
/// (i, j, k) in patient coordinates (LPS, mm), values i fastest. `mask`, when not empty, has one
/// value per voxel (non-zero = use the voxel).
struct RegistrationImage {
  std::array<std::size_t, 3> size{};
  std::array<double, 3> originMm{};
  std::array<double, 3> spacingMm{};
  std::array<double, 9> direction{1, 0, 0, 0, 1, 0, 0, 0, 1}; ///< row-major; columns = axes
  std::vector<float> values;
  std::vector<std::uint8_t> mask;
};

/// One resolution level: the virtual domain shrunk by `shrink` per axis, both images smoothed by a
/// Gaussian of `sigmaMm` (physical units; 0 = none), a random `samplingFraction` of the shrunk
/// voxels (those in the fixed mask) as metric samples.
struct RegistrationLevel {
  std::array<unsigned, 3> shrink{1, 1, 1};
  double sigmaMm = 0.0;
  double samplingFraction = 1.0;
};

struct RegistrationSettings {
  std::vector<RegistrationLevel> levels;
  /// The starting transform, x_moving = initialFixedToMoving * x_fixed (row-major 4x4, mm, a
  /// rotation and a translation); the centre of rotation is the centre of the fixed image.
  std::array<double, 16> initialFixedToMoving{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1};
  int maxIterationsPerLevel = 200;
  /// Largest move (mm) of any corner of the fixed image in one step at the coarsest level; halved
  /// at each finer level and on every change of direction (relaxationFactor).
  double initialStepMm = 4.0;
  /// A level has converged when its step has shrunk to this fraction of its first step.
  double minimumStepFraction = 0.01;
  double relaxationFactor = 0.5;
  int randomSeed = 20261201; ///< metric sample points (deterministic)
};

/// What ITK found: x_moving = fixedToMoving * x_fixed (row-major 4x4, mm).
struct RegistrationOutput {
  std::array<double, 16> fixedToMoving{};
  double finalMetric = 0.0;
  int iterations = 0; ///< summed over the levels
  std::vector<int> iterationsPerLevel;
  std::string stopCondition;
};

/// Registers `moving` to `fixed` rigidly. Throws InvalidInput (through seedplan::Error, rethrown
/// from ITK's exceptions) when ITK fails, e.g. when no sample point falls inside both images.
RegistrationOutput RegisterRigid(const RegistrationImage& fixed, const RegistrationImage& moving,
                                 const RegistrationSettings& settings);

} // namespace seedplan::imaging::detail
