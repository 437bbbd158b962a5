#include "seedplan/dosimetry/SourceModel.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace seedplan::dosimetry {

namespace {

constexpr double kDegPerRad = 180.0 / std::numbers::pi;

/// Index of the interval [x[i], x[i+1]] holding `value` (x ascending, at least two nodes), clamped
/// to the first and last interval.
std::size_t IntervalOf(const std::vector<double>& x, double value) {
  const auto upper = std::upper_bound(x.begin(), x.end(), value);
  const std::ptrdiff_t index = (upper - x.begin()) - 1;
  return static_cast<std::size_t>(
      std::clamp<std::ptrdiff_t>(index, 0, std::ptrdiff_t(x.size()) - 2));
}

/// g_L and g_P rule: linear inside, first value below, linear from the last two beyond, >= 0.
double InterpolateRadialDose(const RadialTable& table, double rCm) {
  if (rCm <= table.rCm.front()) {
    return table.values.front();
  }
  const std::size_t i = IntervalOf(table.rCm, rCm);
  const double t = (rCm - table.rCm[i]) / (table.rCm[i + 1] - table.rCm[i]);
  return std::max(0.0, table.values[i] + t * (table.values[i + 1] - table.values[i]));
}

/// φ_an rule: linear inside, nearest value outside.
double InterpolateNearestOutside(const RadialTable& table, double rCm) {
  if (rCm <= table.rCm.front()) {
    return table.values.front();
  }
  if (rCm >= table.rCm.back()) {
    return table.values.back();
  }
  const std::size_t i = IntervalOf(table.rCm, rCm);
  const double t = (rCm - table.rCm[i]) / (table.rCm[i + 1] - table.rCm[i]);
  return table.values[i] + t * (table.values[i + 1] - table.values[i]);
}

void CheckRadialTable(const RadialTable& table, const std::string& file, const std::string& element,
                      bool required) {
  if (table.Empty()) {
    if (required) {
      throw DataFormat(file + ": element <" + element + "> is missing; expected a table");
    }
    return;
  }
  if (table.rCm.size() != table.values.size() || table.rCm.size() < 2) {
    throw DataFormat(file + ": element <" + element + "> has " + std::to_string(table.rCm.size()) +
                     " radii; expected at least 2 values, one per radius");
  }
  for (std::size_t i = 0; i < table.rCm.size(); ++i) {
    if (!(table.rCm[i] > 0.0) || !std::isfinite(table.rCm[i])) {
      throw DataFormat(file + ": element <" + element + ">: radius " + FormatNumber(table.rCm[i]) +
                       " cm; expected a positive finite radius");
    }
    if (i > 0 && !(table.rCm[i] > table.rCm[i - 1])) {
      throw DataFormat(file + ": element <" + element + ">: radius " + FormatNumber(table.rCm[i]) +
                       " cm follows " + FormatNumber(table.rCm[i - 1]) +
                       " cm; expected strictly increasing radii");
    }
    if (!(table.values[i] > 0.0) || !std::isfinite(table.values[i])) {
      throw DataFormat(file + ": element <" + element +
                       ">: value at r = " + FormatNumber(table.rCm[i]) + " cm is " +
                       FormatNumber(table.values[i]) + "; expected a positive finite value");
    }
  }
}

void CheckPositive(double value, const std::string& file, const std::string& element,
                   const std::string& unit) {
  if (!(value > 0.0) || !std::isfinite(value)) {
    throw DataFormat(file + ": element <" + element + "> is " + FormatNumber(value) +
                     "; expected a positive finite value in " + unit);
  }
}

} // namespace

SourceModel::SourceModel(SourceModelData data) : m_Data(std::move(data)) {
  Validate();
  const double halfLength = 0.5 * m_Data.activeLengthCm;
  m_GeometryReference = 2.0 * std::atan(halfLength / kReferenceRadiusCm) /
                        (m_Data.activeLengthCm * kReferenceRadiusCm);
  // Clamp radius: 0.5 mm beyond the end of the active length, on a 0.01 cm node so that the
  // tabulated kernel (0.0025 cm steps) has a node exactly there.
  const double minimum = std::ceil((halfLength + 0.05) / 0.01 - 1e-9) * 0.01;
  m_MinimumRadiusCm = std::max(minimum, m_Data.radialDoseLine.rCm.front());
  Derive();
}

void SourceModel::Validate() const {
  const std::string& file = m_Data.fileName;
  if (m_Data.id.empty()) {
    throw DataFormat(file + ": element <id> is empty; expected the model id");
  }
  CheckPositive(m_Data.halfLifeDays, file, "halfLifeDays", "days");
  CheckPositive(m_Data.strengthPerActivityUPerMCi, file, "strengthPerActivity", "U/mCi");
  CheckPositive(m_Data.doseRateConstantCGyPerHPerU, file, "doseRateConstant", "cGy/(h U)");
  CheckPositive(m_Data.activeLengthCm, file, "activeLength", "cm");
  if (m_Data.activeLengthCm >= 1.0) {
    throw DataFormat(file + ": element <activeLength> is " + FormatNumber(m_Data.activeLengthCm) +
                     " cm; expected the active length of a seed (< 1 cm)");
  }
  CheckRadialTable(m_Data.radialDoseLine, file, "radialDoseFunction geometry=\"line\"", true);
  CheckRadialTable(m_Data.radialDosePoint, file, "radialDoseFunction geometry=\"point\"", false);
  CheckRadialTable(m_Data.anisotropyFactor, file, "anisotropyFactor", false);

  const AnisotropyTable& f = m_Data.anisotropy;
  const std::string element = "anisotropyFunction";
  if (f.rCm.size() < 2 || f.thetaDeg.size() < 2) {
    throw DataFormat(file + ": element <" + element + "> has " + std::to_string(f.rCm.size()) +
                     " rows and " + std::to_string(f.thetaDeg.size()) +
                     " angles; expected at least 2 of each");
  }
  if (f.values.size() != f.rCm.size() * f.thetaDeg.size()) {
    throw DataFormat(file + ": element <" + element + "> has " + std::to_string(f.values.size()) +
                     " values; expected " + std::to_string(f.rCm.size() * f.thetaDeg.size()) +
                     " (a complete rectangular table)");
  }
  for (std::size_t i = 0; i < f.thetaDeg.size(); ++i) {
    const double theta = f.thetaDeg[i];
    if (!(theta >= 0.0 && theta <= 90.0)) {
      throw DataFormat(file + ": element <" + element + "><angles>: " + FormatNumber(theta) +
                       " deg; expected angles in [0, 90] deg");
    }
    if (i > 0 && !(theta > f.thetaDeg[i - 1])) {
      throw DataFormat(file + ": element <" + element + "><angles>: " + FormatNumber(theta) +
                       " deg follows " + FormatNumber(f.thetaDeg[i - 1]) +
                       " deg; expected strictly increasing angles");
    }
  }
  if (f.thetaDeg.back() != 90.0) {
    throw DataFormat(file + ": element <" + element + "><angles> ends at " +
                     FormatNumber(f.thetaDeg.back()) + " deg; expected the table to reach 90 deg");
  }
  for (std::size_t i = 0; i < f.rCm.size(); ++i) {
    if (!(f.rCm[i] > 0.5 * m_Data.activeLengthCm) || !std::isfinite(f.rCm[i]) ||
        (i > 0 && !(f.rCm[i] > f.rCm[i - 1]))) {
      throw DataFormat(file + ": element <" + element + "><row r_cm=\"" + FormatNumber(f.rCm[i]) +
                       "\">: expected strictly increasing radii beyond L/2");
    }
    for (std::size_t j = 0; j < f.thetaDeg.size(); ++j) {
      const double value = f.values[i * f.thetaDeg.size() + j];
      if (!(value > 0.0) || !std::isfinite(value)) {
        throw DataFormat(file + ": element <" + element + "><row r_cm=\"" + FormatNumber(f.rCm[i]) +
                         "\">: value at " + FormatNumber(f.thetaDeg[j]) + " deg is " +
                         FormatNumber(value) + "; expected a positive finite value");
      }
    }
  }
}

void SourceModel::Derive() {
  if (m_Data.radialDosePoint.Empty()) {
    // g_P(r) = g_L(r) [G_L(r,θ0)/G_L(r0,θ0)] r^2 / r0^2 (TG-43U1 Eq. 5 and 11 made consistent).
    m_RadialDosePoint.rCm = m_Data.radialDoseLine.rCm;
    for (std::size_t i = 0; i < m_RadialDosePoint.rCm.size(); ++i) {
      const double r = m_RadialDosePoint.rCm[i];
      m_RadialDosePoint.values.push_back(m_Data.radialDoseLine.values[i] *
                                         GeometryLine(r, std::numbers::pi / 2) /
                                         m_GeometryReference * r * r);
    }
  } else {
    m_RadialDosePoint = m_Data.radialDosePoint;
  }
  if (m_Data.anisotropyFactor.Empty()) {
    m_AnisotropyFactor.rCm = m_Data.anisotropy.rCm;
    for (double r : m_AnisotropyFactor.rCm) {
      m_AnisotropyFactor.values.push_back(SolidAngleAveragedAnisotropy(r));
    }
  } else {
    m_AnisotropyFactor = m_Data.anisotropyFactor;
  }
}

double SourceModel::GeometryLine(double rCm, double thetaRad) const {
  const double length = m_Data.activeLengthCm;
  const double y = std::abs(rCm * std::sin(thetaRad));
  const double denominator = rCm * rCm - 0.25 * length * length;
  // Below ~1e-12 cm off the axis β/(L y) has lost its digits: use the on-axis limit.
  if (y < 1e-12 * std::max(rCm, 1e-300)) {
    if (!(denominator > 0.0)) {
      throw InvalidInput("G_L(r, 0) of model " + m_Data.id + " at r = " + FormatNumber(rCm) +
                         " cm: undefined inside the active length (r <= L/2 = " +
                         FormatNumber(0.5 * length) + " cm)");
    }
    return 1.0 / denominator;
  }
  // β is the angle subtended by the active length: the angle between the vectors from the point
  // to the two ends, atan2(|u x v|, u . v) = atan2(L y, r^2 - L^2/4), free of cancellation.
  const double beta = std::atan2(length * y, denominator);
  return beta / (length * y);
}

double SourceModel::RadialDoseLine(double rCm) const {
  return InterpolateRadialDose(m_Data.radialDoseLine, rCm);
}

double SourceModel::RadialDosePoint(double rCm) const {
  return InterpolateRadialDose(m_RadialDosePoint, rCm);
}

double SourceModel::Anisotropy1D(double rCm) const {
  return InterpolateNearestOutside(m_AnisotropyFactor, rCm);
}

double SourceModel::Anisotropy2D(double rCm, double thetaDeg) const {
  const AnisotropyTable& f = m_Data.anisotropy;
  double theta = std::fmod(std::abs(thetaDeg), 360.0);
  if (theta > 180.0) {
    theta = 360.0 - theta;
  }
  if (theta > 90.0) {
    theta = 180.0 - theta;
  }
  theta = std::clamp(theta, f.thetaDeg.front(), f.thetaDeg.back());
  const std::size_t nTheta = f.thetaDeg.size();
  const std::size_t j = IntervalOf(f.thetaDeg, theta);
  const double u = (theta - f.thetaDeg[j]) / (f.thetaDeg[j + 1] - f.thetaDeg[j]);
  auto row = [&](std::size_t i) {
    return f.values[i * nTheta + j] + u * (f.values[i * nTheta + j + 1] - f.values[i * nTheta + j]);
  };
  if (rCm <= f.rCm.front()) {
    return row(0);
  }
  // Inside: linear in r between rows; beyond the last radius the same formula extrapolates
  // linearly from the last two rows (t > 1).
  const std::size_t i = IntervalOf(f.rCm, rCm);
  const double t = (rCm - f.rCm[i]) / (f.rCm[i + 1] - f.rCm[i]);
  return std::max(0.0, row(i) + t * (row(i + 1) - row(i)));
}

double SourceModel::SolidAngleAveragedAnisotropy(double rCm) const {
  if (!(rCm > 0.5 * m_Data.activeLengthCm)) {
    throw InvalidInput("phi_an of model " + m_Data.id + " at r = " + FormatNumber(rCm) +
                       " cm: undefined inside the active length");
  }
  // φ_an(r) = ∫_0^π Ḋ(r,θ) sinθ dθ / (2 Ḋ(r,θ0)); the integrand is symmetric about 90°, so the
  // integral over [0, π/2] is taken. Composite Simpson on 0.01° steps: every F node (multiples of
  // 0.5°) is a panel boundary, so the bilinear kinks of F cost no accuracy.
  const int panels = 9000;
  const double step = (std::numbers::pi / 2) / panels;
  auto integrand = [&](double theta) {
    return GeometryLine(rCm, theta) * Anisotropy2D(rCm, theta * kDegPerRad) * std::sin(theta);
  };
  double sum = integrand(0.0) + integrand(std::numbers::pi / 2);
  for (int k = 1; k < panels; ++k) {
    sum += (k % 2 == 1 ? 4.0 : 2.0) * integrand(k * step);
  }
  const double integral = sum * step / 3.0;
  const double atReference = GeometryLine(rCm, std::numbers::pi / 2) * Anisotropy2D(rCm, 90.0);
  return integral / atReference;
}

double SourceModel::DoseRatePerU(double rCm, double thetaRad, Formalism formalism) const {
  const double r = std::max(rCm, m_MinimumRadiusCm);
  const double lambda = m_Data.doseRateConstantCGyPerHPerU;
  switch (formalism) {
  case Formalism::Line2D:
    return lambda * GeometryLine(r, thetaRad) / m_GeometryReference * RadialDoseLine(r) *
           Anisotropy2D(r, thetaRad * kDegPerRad);
  case Formalism::Line1D:
    return lambda * GeometryLine(r, std::numbers::pi / 2) / m_GeometryReference *
           RadialDoseLine(r) * Anisotropy1D(r);
  case Formalism::Point1D:
    // G_P(r)/G_P(r0) = (r0/r)^2 with r0 = 1 cm.
    return lambda / (r * r) * RadialDosePoint(r) * Anisotropy1D(r);
  case Formalism::Auto:
    break;
  }
  throw InvalidInput("dose rate of model " + m_Data.id +
                     ": formalism 'auto' must be resolved per seed before evaluation");
}

} // namespace seedplan::dosimetry
