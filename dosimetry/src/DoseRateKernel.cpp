#include "seedplan/dosimetry/DoseRateKernel.h"

#include "KernelRow.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace seedplan::dosimetry {

namespace {
constexpr double kRadPerDeg = std::numbers::pi / 180.0;
}

DoseRateKernel::DoseRateKernel(const SourceModel& model, Formalism formalism, double cutoffCm)
    : m_Formalism(formalism), m_CutoffCm(cutoffCm), m_MinimumRadiusCm(model.MinimumRadiusCm()) {
  if (formalism == Formalism::Auto) {
    throw InvalidInput("dose-rate kernel: formalism 'auto' must be resolved to 2d, 1d-line or "
                       "1d-point");
  }
  if (!(cutoffCm >= 10.0) || !std::isfinite(cutoffCm)) {
    throw InvalidInput("dose cutoff is " + FormatNumber(cutoffCm) +
                       " cm; expected at least 10 cm (beyond it a seed gives < 0.1 % of its dose "
                       "at 1 cm)");
  }
  // Two spare rows beyond the cutoff so that the lookup never leaves the table.
  m_RadialCount = static_cast<int>(std::ceil(cutoffCm / kRadialStepCm)) + 2;
  m_AngleCount = formalism == Formalism::Line2D ? static_cast<int>(90.0 / kAngleStepDeg) + 1 : 1;
  m_Table.resize(static_cast<std::size_t>(m_RadialCount) * m_AngleCount);
#pragma omp parallel for schedule(static)
  for (int i = 0; i < m_RadialCount; ++i) {
    const double r = std::max(i * kRadialStepCm, m_MinimumRadiusCm);
    for (int j = 0; j < m_AngleCount; ++j) {
      const double theta =
          m_AngleCount == 1 ? std::numbers::pi / 2 : j * kAngleStepDeg * kRadPerDeg;
      m_Table[static_cast<std::size_t>(i) * m_AngleCount + j] =
          static_cast<float>(r * r * model.DoseRatePerU(r, theta, formalism));
    }
  }
}

double DoseRateKernel::DoseRatePerU(double rCm, double thetaRad) const {
  if (!(rCm <= m_CutoffCm)) {
    return 0.0;
  }
  const double rc = std::max(rCm, m_MinimumRadiusCm);
  const double fr = rc / kRadialStepCm;
  const int ir = std::min(static_cast<int>(fr), m_RadialCount - 2);
  const double wr = fr - ir;
  auto at = [&](int i, int j) {
    return static_cast<double>(m_Table[static_cast<std::size_t>(i) * m_AngleCount + j]);
  };
  double value;
  if (m_AngleCount == 1) {
    value = at(ir, 0) + wr * (at(ir + 1, 0) - at(ir, 0));
  } else {
    // Fold θ into [0, π/2]: the tables are symmetric about 90°.
    double theta = std::fmod(std::abs(thetaRad), 2 * std::numbers::pi);
    if (theta > std::numbers::pi) {
      theta = 2 * std::numbers::pi - theta;
    }
    if (theta > std::numbers::pi / 2) {
      theta = std::numbers::pi - theta;
    }
    const double ft = theta / (kAngleStepDeg * kRadPerDeg);
    const int it = std::min(static_cast<int>(ft), m_AngleCount - 2);
    const double wt = ft - it;
    const double k0 = at(ir, it) + wt * (at(ir, it + 1) - at(ir, it));
    const double k1 = at(ir + 1, it) + wt * (at(ir + 1, it + 1) - at(ir + 1, it));
    value = k0 + wr * (k1 - k0);
  }
  return value / (rc * rc);
}

namespace detail {

void AccumulateRowScalar(const KernelView& kernel, const RowTask& task, float* row) {
  for (std::int64_t i = task.first; i <= task.last; ++i) {
    const float fi = static_cast<float>(i);
    const float x = task.start[0] + fi * task.step[0];
    const float y = task.start[1] + fi * task.step[1];
    const float z = task.start[2] + fi * task.step[2];
    const float r2 = x * x + y * y + z * z;
    if (r2 > kernel.cutoffCm2) {
      continue;
    }
    const float rc = std::max(std::sqrt(r2), kernel.minimumRadiusCm);
    const float fr = rc * kernel.invRadialStepCm;
    const int ir = std::min(static_cast<int>(fr), kernel.radialCount - 2);
    const float wr = fr - static_cast<float>(ir);
    const float* t = kernel.table;
    float value;
    if (kernel.angleCount == 1) {
      value = t[ir] + wr * (t[ir + 1] - t[ir]);
    } else {
      const float along = std::abs(x * task.axis[0] + y * task.axis[1] + z * task.axis[2]);
      const float away = std::sqrt(std::max(r2 - along * along, 0.0f));
      const float theta = std::atan2(away, along);
      const float ft = theta * kernel.invAngleStepRad;
      const int it = std::min(static_cast<int>(ft), kernel.angleCount - 2);
      const float wt = ft - static_cast<float>(it);
      const std::size_t base = static_cast<std::size_t>(ir) * kernel.angleCount + it;
      const float k0 = t[base] + wt * (t[base + 1] - t[base]);
      const float k1 = t[base + kernel.angleCount] +
                       wt * (t[base + kernel.angleCount + 1] - t[base + kernel.angleCount]);
      value = k0 + wr * (k1 - k0);
    }
    row[i] += task.strengthU * value / (rc * rc);
  }
}

bool CpuHasAvx2Fma() {
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

} // namespace detail

} // namespace seedplan::dosimetry
