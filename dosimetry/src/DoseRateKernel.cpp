#include "seedplan/dosimetry/DoseRateKernel.h"

#include "CompactTables.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"

#include <algorithm>
#include <cmath>
#include <mutex>
#include <numbers>
#include <numeric>
#include <tuple>

namespace seedplan::dosimetry {

namespace {

constexpr double kRadPerDeg = std::numbers::pi / 180.0;
/// A table radius or angle counts as a multiple of the quantum within this fraction of it.
constexpr double kAlignmentTolerance = 1e-6;

/// The largest common step of `values` in multiples of `quantum` (1 quantum if some value is not
/// a multiple of it).
double CommonStep(const std::vector<double>& values, double quantum) {
  std::int64_t common = 0;
  for (double value : values) {
    const double units = value / quantum;
    const double rounded = std::round(units);
    if (!(std::abs(units - rounded) <= kAlignmentTolerance * std::max(1.0, units)) ||
        rounded > 1e9) {
      return quantum;
    }
    common = std::gcd(common, static_cast<std::int64_t>(rounded));
  }
  return common > 0 ? static_cast<double>(common) * quantum : quantum;
}

/// Fills a table of `rows` x `angles` nodes with value(r, θ°), replacing values the model clamped
/// to zero beyond `lastRadiusCm` by the linear continuation through `continuationFrom` and
/// `lastRadiusCm` (the published extrapolation before its clamp), so that the lookup's own clamp
/// reproduces the zero crossing exactly.
template <class Value>
DoseRateKernel::Table Tabulate(double radialStepCm, double angleStepDeg, int angles,
                               double cutoffCm, double continuationFrom, double lastRadiusCm,
                               const Value& value) {
  DoseRateKernel::Table table;
  table.radialStepCm = radialStepCm;
  table.angleStepDeg = angleStepDeg;
  table.angleCount = angles;
  // Two spare rows beyond the cutoff so that the lookup never leaves the table.
  table.radialCount = static_cast<int>(std::ceil(cutoffCm / radialStepCm - 1e-9)) + 2;
  table.values.resize(static_cast<std::size_t>(table.radialCount) *
                      static_cast<std::size_t>(angles));
  for (int i = 0; i < table.radialCount; ++i) {
    const double r = i * radialStepCm;
    for (int j = 0; j < angles; ++j) {
      const double theta = j * angleStepDeg;
      double v = value(r, theta);
      if (v <= 0.0 && r > lastRadiusCm && lastRadiusCm > continuationFrom) {
        const double v0 = value(continuationFrom, theta);
        const double v1 = value(lastRadiusCm, theta);
        v = v0 + (r - continuationFrom) / (lastRadiusCm - continuationFrom) * (v1 - v0);
      }
      table.values[static_cast<std::size_t>(i) * static_cast<std::size_t>(angles) +
                   static_cast<std::size_t>(j)] = static_cast<float>(v);
    }
  }
  table.pairs.resize(2 * table.values.size());
  for (std::size_t n = 0; n < table.values.size(); ++n) {
    table.pairs[2 * n] = table.values[n];
    table.pairs[2 * n + 1] = table.values[std::min(n + 1, table.values.size() - 1)];
  }
  return table;
}

/// The last two nodes of a radial table (the linear extrapolation runs through them).
std::pair<double, double> LastTwo(const std::vector<double>& radii) {
  return {radii[radii.size() - 2], radii.back()};
}

} // namespace

DoseRateKernel::DoseRateKernel(const SourceModel& model, Formalism formalism, double cutoffCm)
    : m_Formalism(formalism), m_CutoffCm(cutoffCm), m_MinimumRadiusCm(model.MinimumRadiusCm()),
      m_ActiveLengthCm(model.ActiveLengthCm()) {
  if (formalism == Formalism::Auto) {
    throw InvalidInput("dose-rate kernel: formalism 'auto' must be resolved to 2d, 1d-line or "
                       "1d-point");
  }
  if (!(cutoffCm >= kMinimumCutoffCm && cutoffCm <= kMaximumCutoffCm)) {
    throw InvalidInput("dose cutoff is " + FormatNumber(cutoffCm) +
                       " cm; expected 10 to 100 cm (at 10 cm a seed gives < 0.1 % of its dose "
                       "at 1 cm; beyond 100 cm there is no patient)");
  }
  const double lambda = model.DoseRateConstant();
  m_Scale = formalism == Formalism::Point1D
                ? lambda * SourceModel::kReferenceRadiusCm * SourceModel::kReferenceRadiusCm
                : lambda / model.GeometryLineReference();

  const RadialTable& radial =
      formalism == Formalism::Point1D ? model.RadialDosePointTable() : model.Data().radialDoseLine;
  const auto [radialFrom, radialLast] = LastTwo(radial.rCm);
  m_RadialDose = Tabulate(CommonStep(radial.rCm, kRadialQuantumCm), 90.0, 1, cutoffCm, radialFrom,
                          radialLast, [&](double r, double) {
                            return formalism == Formalism::Point1D ? model.RadialDosePoint(r)
                                                                   : model.RadialDoseLine(r);
                          });

  if (formalism == Formalism::Line2D) {
    const AnisotropyTable& f = model.Data().anisotropy;
    const auto [from, last] = LastTwo(f.rCm);
    const double angleStep = CommonStep(f.thetaDeg, kAngleQuantumDeg);
    const int angles = static_cast<int>(std::llround(90.0 / angleStep)) + 1;
    m_Anisotropy =
        Tabulate(CommonStep(f.rCm, kRadialQuantumCm), angleStep, angles, cutoffCm, from, last,
                 [&](double r, double theta) { return model.Anisotropy2D(r, theta); });
  } else {
    // φ_an: nearest value outside its table, no extrapolation to continue.
    const RadialTable& phi = model.AnisotropyFactorTable();
    m_Anisotropy = Tabulate(CommonStep(phi.rCm, kRadialQuantumCm), 90.0, 1, cutoffCm, 0.0, 0.0,
                            [&](double r, double) { return model.Anisotropy1D(r); });
  }
  m_Compact = detail::BuildCompactTables(model, formalism, m_MinimumRadiusCm, cutoffCm);
}

std::shared_ptr<const DoseRateKernel>
DoseRateKernel::Shared(const std::shared_ptr<const SourceModel>& model, Formalism formalism,
                       double cutoffCm) {
  struct Entry {
    std::weak_ptr<const SourceModel> model;
    const SourceModel* address;
    Formalism formalism;
    double cutoffCm;
    std::shared_ptr<const DoseRateKernel> kernel;
  };
  static std::mutex mutex;
  static std::vector<Entry> cache;
  std::lock_guard<std::mutex> lock(mutex);
  std::erase_if(cache, [](const Entry& entry) { return entry.model.expired(); });
  for (const Entry& entry : cache) {
    if (entry.address == model.get() && entry.formalism == formalism &&
        entry.cutoffCm == cutoffCm && entry.model.lock() == model) {
      return entry.kernel;
    }
  }
  auto kernel = std::make_shared<const DoseRateKernel>(*model, formalism, cutoffCm);
  cache.push_back({model, model.get(), formalism, cutoffCm, kernel});
  return kernel;
}

double DoseRateKernel::Geometry(double rCm, double thetaRad) const {
  if (m_Formalism == Formalism::Point1D) {
    return 1.0 / (rCm * rCm);
  }
  // G_L (TG-43U1 Eq. 4) as SourceModel::GeometryLine, at a radius beyond L/2.
  const double y = m_Formalism == Formalism::Line2D ? std::abs(rCm * std::sin(thetaRad)) : rCm;
  const double denominator = rCm * rCm - 0.25 * m_ActiveLengthCm * m_ActiveLengthCm;
  if (y < 1e-12 * rCm) {
    return 1.0 / denominator;
  }
  return std::atan2(m_ActiveLengthCm * y, denominator) / (m_ActiveLengthCm * y);
}

namespace {

/// Linear (angleCount 1) or bilinear lookup, clamped at zero like the published extrapolation.
double Lookup(const DoseRateKernel::Table& table, double rCm, double thetaDeg) {
  const double fr = rCm / table.radialStepCm;
  const int ir = std::min(static_cast<int>(fr), table.radialCount - 2);
  const double wr = fr - ir;
  auto at = [&](int i, int j) {
    return static_cast<double>(
        table.values[static_cast<std::size_t>(i) * static_cast<std::size_t>(table.angleCount) +
                     static_cast<std::size_t>(j)]);
  };
  if (table.angleCount == 1) {
    return std::max(0.0, at(ir, 0) + wr * (at(ir + 1, 0) - at(ir, 0)));
  }
  const double ft = thetaDeg / table.angleStepDeg;
  const int it = std::min(static_cast<int>(ft), table.angleCount - 2);
  const double wt = ft - it;
  const double k0 = at(ir, it) + wt * (at(ir, it + 1) - at(ir, it));
  const double k1 = at(ir + 1, it) + wt * (at(ir + 1, it + 1) - at(ir + 1, it));
  return std::max(0.0, k0 + wr * (k1 - k0));
}

} // namespace

double DoseRateKernel::DoseRatePerU(double rCm, double thetaRad) const {
  if (!(rCm <= m_CutoffCm)) {
    return 0.0;
  }
  const double rc = std::max(rCm, m_MinimumRadiusCm);
  // Fold θ into [0, π/2]: the tables are symmetric about 90°.
  double theta = std::fmod(std::abs(thetaRad), 2 * std::numbers::pi);
  if (theta > std::numbers::pi) {
    theta = 2 * std::numbers::pi - theta;
  }
  if (theta > std::numbers::pi / 2) {
    theta = std::numbers::pi - theta;
  }
  return m_Scale * Geometry(rc, theta) * Lookup(m_RadialDose, rc, 0.0) *
         Lookup(m_Anisotropy, rc, theta / kRadPerDeg);
}

} // namespace seedplan::dosimetry
