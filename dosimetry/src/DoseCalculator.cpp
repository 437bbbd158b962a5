#include "seedplan/dosimetry/DoseCalculator.h"

#include "KernelRow.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/core/Units.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace seedplan::dosimetry {

namespace {

constexpr double kRadPerDeg = std::numbers::pi / 180.0;

/// A seed prepared for the grid loop: centre in cm, axis, strength, kernel.
struct PreparedSeed {
  Eigen::Vector3d centreCm;
  Eigen::Vector3d axis;
  float strengthU;
  detail::KernelView kernel;
};

std::string SeedLabel(std::size_t index) {
  return "seed " + std::to_string(index + 1);
}

} // namespace

DoseCalculator::DoseCalculator(std::shared_ptr<const SourceModel> defaultModel,
                               DoseCalculationOptions options)
    : m_DefaultModel(std::move(defaultModel)), m_Options(options) {
  if (!(m_Options.cutoffCm >= 10.0) || !std::isfinite(m_Options.cutoffCm)) {
    throw InvalidInput("dose cutoff is " + FormatNumber(m_Options.cutoffCm) +
                       " cm; expected at least 10 cm");
  }
  AddModel(m_DefaultModel);
}

void DoseCalculator::AddModel(std::shared_ptr<const SourceModel> model) {
  m_Models[model->Id()] = std::move(model);
}

const SourceModel& DoseCalculator::ModelFor(const Seed& seed) const {
  if (seed.model.empty()) {
    return *m_DefaultModel;
  }
  const auto found = m_Models.find(seed.model);
  if (found == m_Models.end()) {
    throw InvalidInput("seed model '" + seed.model + "' is not loaded; expected one of the " +
                       "models given to the dose calculation");
  }
  return *found->second;
}

Formalism DoseCalculator::FormalismFor(const Seed& seed) const {
  switch (m_Options.formalism) {
  case Formalism::Auto:
    return seed.direction ? Formalism::Line2D : Formalism::Line1D;
  case Formalism::Line2D:
    if (!seed.direction) {
      throw InvalidInput("formalism 2d needs every seed's direction; a seed has none (use auto "
                         "or 1d-line for seeds of unknown orientation)");
    }
    return Formalism::Line2D;
  default:
    return m_Options.formalism;
  }
}

void DoseCalculator::ValidateSeeds(const std::vector<Seed>& seeds) const {
  for (std::size_t s = 0; s < seeds.size(); ++s) {
    const Seed& seed = seeds[s];
    if (!seed.positionMm.allFinite()) {
      throw InvalidInput(SeedLabel(s) + ": position is not finite; expected x, y, z in mm");
    }
    if (!(seed.strengthU > 0.0) || !std::isfinite(seed.strengthU)) {
      throw InvalidInput(SeedLabel(s) + ": strength is " + FormatNumber(seed.strengthU) +
                         " U; expected an air-kerma strength > 0 U");
    }
    if (seed.direction && std::abs(seed.direction->norm() - 1.0) > 1e-6) {
      throw InvalidInput(SeedLabel(s) + ": direction is not a unit vector");
    }
    try {
      ModelFor(seed);
      FormalismFor(seed);
    } catch (const InvalidInput& error) {
      throw InvalidInput(SeedLabel(s) + ": " + error.what());
    }
  }
}

const DoseRateKernel& DoseCalculator::Kernel(const SourceModel& model, Formalism formalism) const {
  std::lock_guard<std::mutex> lock(m_KernelMutex);
  auto key = std::make_pair(model.Id(), formalism);
  auto found = m_Kernels.find(key);
  if (found == m_Kernels.end()) {
    found =
        m_Kernels
            .emplace(key, std::make_unique<DoseRateKernel>(model, formalism, m_Options.cutoffCm))
            .first;
  }
  return *found->second;
}

Volume<float> DoseCalculator::DoseRateGridCGyPerH(const GridGeometry& geometry,
                                                  const std::vector<Seed>& seeds) const {
  geometry.Validate("dose grid");
  ValidateSeeds(seeds);
  Volume<float> dose(geometry, 0.0f);

  std::vector<PreparedSeed> prepared;
  prepared.reserve(seeds.size());
  for (const Seed& seed : seeds) {
    const Formalism formalism = FormalismFor(seed);
    const DoseRateKernel& kernel = Kernel(ModelFor(seed), formalism);
    PreparedSeed p;
    p.centreCm = seed.positionMm / units::kMmPerCm;
    p.axis = seed.direction ? *seed.direction : Eigen::Vector3d::UnitZ();
    p.strengthU = static_cast<float>(seed.strengthU);
    p.kernel.table = kernel.Table();
    p.kernel.radialCount = kernel.RadialCount();
    p.kernel.angleCount = kernel.AngleCount();
    p.kernel.invRadialStepCm = static_cast<float>(1.0 / DoseRateKernel::kRadialStepCm);
    p.kernel.invAngleStepRad =
        static_cast<float>(1.0 / (DoseRateKernel::kAngleStepDeg * kRadPerDeg));
    p.kernel.minimumRadiusCm = static_cast<float>(kernel.MinimumRadiusCm());
    p.kernel.cutoffCm2 = static_cast<float>(kernel.CutoffCm() * kernel.CutoffCm());
    prepared.push_back(p);
  }

  const auto& size = geometry.Size();
  const Eigen::Matrix3d& direction = geometry.Direction();
  const Eigen::Vector3d spacingCm = geometry.SpacingMm() / units::kMmPerCm;
  const Eigen::Vector3d originCm = geometry.OriginMm() / units::kMmPerCm;
  const Eigen::Vector3d stepI = direction.col(0) * spacingCm.x();
  const Eigen::Vector3d stepJ = direction.col(1) * spacingCm.y();
  const Eigen::Vector3d stepK = direction.col(2) * spacingCm.z();
  const double cutoffCm = m_Options.cutoffCm;
  const double a = stepI.squaredNorm();
  const bool simd = m_Options.useSimd && detail::CpuHasAvx2Fma();
  const std::int64_t rows = size[1] * size[2];
  float* data = dose.Data().data();

#pragma omp parallel for schedule(dynamic, 8)
  for (std::int64_t row = 0; row < rows; ++row) {
    const std::int64_t j = row % size[1];
    const std::int64_t k = row / size[1];
    const Eigen::Vector3d rowStart = originCm + stepJ * double(j) + stepK * double(k);
    float* out = data + row * size[0];
    for (const PreparedSeed& seed : prepared) {
      // Voxels i of this row with |rowStart + i stepI - centre|^2 <= cutoff^2: a quadratic in i.
      const Eigen::Vector3d start = rowStart - seed.centreCm;
      const double b = start.dot(stepI);
      const double c = start.squaredNorm() - cutoffCm * cutoffCm;
      const double discriminant = b * b - a * c;
      if (discriminant < 0.0) {
        continue;
      }
      const double root = std::sqrt(discriminant);
      const double low = std::ceil((-b - root) / a);
      const double high = std::floor((-b + root) / a);
      detail::RowTask task;
      task.first = static_cast<std::int64_t>(std::max(low, 0.0));
      task.last = static_cast<std::int64_t>(std::min(high, double(size[0] - 1)));
      if (task.first > task.last) {
        continue;
      }
      for (int axis = 0; axis < 3; ++axis) {
        task.start[axis] = static_cast<float>(start[axis]);
        task.step[axis] = static_cast<float>(stepI[axis]);
        task.axis[axis] = static_cast<float>(seed.axis[axis]);
      }
      task.strengthU = seed.strengthU;
      if (simd) {
        detail::AccumulateRowAvx2(seed.kernel, task, out);
      } else {
        detail::AccumulateRowScalar(seed.kernel, task, out);
      }
    }
  }

  dose.MetaData()["seedplan_quantity"] = "dose rate";
  dose.MetaData()["seedplan_unit"] = "cGy/h";
  dose.MetaData()["seedplan_formalism"] = FormalismName(m_Options.formalism);
  return dose;
}

namespace {

/// Distance (cm) and angle from the axis (rad) of a point relative to a seed.
std::pair<double, double> SeedFrame(const Eigen::Vector3d& pointMm, const Seed& seed) {
  const Eigen::Vector3d v = (pointMm - seed.positionMm) / units::kMmPerCm;
  const double r = v.norm();
  if (!seed.direction || r == 0.0) {
    return {r, std::numbers::pi / 2};
  }
  const double along = v.dot(*seed.direction);
  const double away = (v - along * *seed.direction).norm();
  return {r, std::atan2(away, along)};
}

} // namespace

double DoseCalculator::DoseRateAtPointDirectCGyPerH(const Eigen::Vector3d& pointMm,
                                                    const std::vector<Seed>& seeds) const {
  double total = 0.0;
  for (const Seed& seed : seeds) {
    const auto [r, theta] = SeedFrame(pointMm, seed);
    if (r > m_Options.cutoffCm) {
      continue;
    }
    total += seed.strengthU * ModelFor(seed).DoseRatePerU(r, theta, FormalismFor(seed));
  }
  return total;
}

double DoseCalculator::DoseRateAtPointCGyPerH(const Eigen::Vector3d& pointMm,
                                              const std::vector<Seed>& seeds) const {
  double total = 0.0;
  for (const Seed& seed : seeds) {
    const auto [r, theta] = SeedFrame(pointMm, seed);
    total += seed.strengthU * Kernel(ModelFor(seed), FormalismFor(seed)).DoseRatePerU(r, theta);
  }
  return total;
}

} // namespace seedplan::dosimetry
