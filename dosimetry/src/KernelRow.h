#pragma once
// Internal: the inner loop of the dose grid, one row of voxels for one seed, in a scalar and an
// AVX2 version. Everything in cm, relative to the seed centre.

#include <cstdint>

namespace seedplan::dosimetry::detail {

struct KernelView {
  const float* table = nullptr;
  int radialCount = 0;
  int angleCount = 1; ///< 1 for the 1D formalisms
  float invRadialStepCm = 0.0f;
  float invAngleStepRad = 0.0f;
  float minimumRadiusCm = 0.0f;
  float cutoffCm2 = 0.0f;
};

struct RowTask {
  float start[3]; ///< voxel i = 0 minus the seed centre (cm)
  float step[3];  ///< from voxel i to i + 1 (cm)
  float axis[3];  ///< seed long axis (unit), unused by 1D kernels
  float strengthU;
  std::int64_t first; ///< first voxel index within the cutoff
  std::int64_t last;  ///< last voxel index within the cutoff (inclusive)
};

void AccumulateRowScalar(const KernelView& kernel, const RowTask& task, float* row);
void AccumulateRowAvx2(const KernelView& kernel, const RowTask& task, float* row);
bool CpuHasAvx2Fma();

} // namespace seedplan::dosimetry::detail
