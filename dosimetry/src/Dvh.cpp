#include "seedplan/dosimetry/Dvh.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"

#include <algorithm>
#include <cmath>

namespace seedplan::dosimetry {

namespace {

constexpr double kMm3PerCc = 1000.0;
/// Relative slack on "the structure is smaller than the requested volume": a structure of exactly
/// 1 cc made of voxels may sum to 0.999999999 cc in floating point.
constexpr double kVolumeRelativeSlack = 1e-9;

} // namespace

Dvh::Dvh(std::vector<Sample> samples) {
  if (samples.empty()) {
    throw InvalidInput("DVH: no dose sample; expected at least one sample of the structure");
  }
  for (const Sample& sample : samples) {
    if (!std::isfinite(sample.doseGy)) {
      throw InvalidInput("DVH: a sample's dose is not finite; expected a finite dose in Gy");
    }
    if (!std::isfinite(sample.volumeMm3) || sample.volumeMm3 < 0.0) {
      throw InvalidInput("DVH: a sample's volume is " + FormatNumber(sample.volumeMm3) +
                         " mm^3; expected a finite volume >= 0");
    }
  }
  // Dose descending; ties by volume so that the result does not depend on the sampling order.
  std::sort(samples.begin(), samples.end(), [](const Sample& a, const Sample& b) {
    return a.doseGy != b.doseGy ? a.doseGy > b.doseGy : a.volumeMm3 > b.volumeMm3;
  });
  m_DoseGy.reserve(samples.size());
  m_CumulativeVolumeMm3.reserve(samples.size());
  double cumulative = 0.0;
  double doseVolume = 0.0;
  for (const Sample& sample : samples) {
    cumulative += sample.volumeMm3;
    doseVolume += sample.doseGy * sample.volumeMm3;
    m_DoseGy.push_back(sample.doseGy);
    m_CumulativeVolumeMm3.push_back(cumulative);
  }
  if (!(cumulative > 0.0)) {
    throw InvalidInput("DVH: the samples' total volume is 0 mm^3; expected a positive volume");
  }
  m_TotalVolumeMm3 = cumulative;
  m_MeanDoseGy = doseVolume / cumulative;
}

double Dvh::VolumeCc() const {
  return m_TotalVolumeMm3 / kMm3PerCc;
}

double Dvh::DoseAtVolumeFraction(double fraction) const {
  if (!std::isfinite(fraction) || fraction < 0.0 || fraction > 1.0) {
    throw InvalidInput("DVH: volume fraction is " + FormatNumber(fraction) +
                       "; expected a fraction in [0, 1]");
  }
  const double target = fraction * m_TotalVolumeMm3;
  const std::size_t count = m_DoseGy.size();
  auto midpoint = [this](std::size_t k) {
    const double start = k == 0 ? 0.0 : m_CumulativeVolumeMm3[k - 1];
    return 0.5 * (start + m_CumulativeVolumeMm3[k]);
  };
  // First sample whose interval ends at or beyond the target: the target lies between the
  // midpoints of samples k-1 and k, or k and k+1.
  const auto end =
      std::lower_bound(m_CumulativeVolumeMm3.begin(), m_CumulativeVolumeMm3.end(), target);
  std::size_t k = static_cast<std::size_t>(end - m_CumulativeVolumeMm3.begin());
  k = std::min(k, count - 1);
  std::size_t lower = k;
  if (target < midpoint(k)) {
    if (k == 0) {
      return m_DoseGy.front();
    }
    lower = k - 1;
  }
  if (lower + 1 >= count) {
    return m_DoseGy.back();
  }
  const double m0 = midpoint(lower);
  const double m1 = midpoint(lower + 1);
  if (!(m1 > m0)) {
    return m_DoseGy[lower + 1];
  }
  const double t = std::clamp((target - m0) / (m1 - m0), 0.0, 1.0);
  return m_DoseGy[lower] + (m_DoseGy[lower + 1] - m_DoseGy[lower]) * t;
}

std::optional<double> Dvh::DoseAtVolumeCc(double volumeCc) const {
  if (!std::isfinite(volumeCc) || volumeCc < 0.0) {
    throw InvalidInput("DVH: volume is " + FormatNumber(volumeCc) +
                       " cc; expected a finite volume >= 0 cc");
  }
  const double volumeMm3 = volumeCc * kMm3PerCc;
  if (volumeMm3 > m_TotalVolumeMm3 * (1.0 + kVolumeRelativeSlack)) {
    return std::nullopt;
  }
  return DoseAtVolumeFraction(std::min(volumeMm3 / m_TotalVolumeMm3, 1.0));
}

double Dvh::VolumeMm3AtLeast(double doseGy) const {
  // Samples are sorted descending: the ones with dose >= doseGy are a prefix.
  const auto end = std::partition_point(m_DoseGy.begin(), m_DoseGy.end(),
                                        [doseGy](double dose) { return dose >= doseGy; });
  const std::size_t count = static_cast<std::size_t>(end - m_DoseGy.begin());
  return count == 0 ? 0.0 : m_CumulativeVolumeMm3[count - 1];
}

double Dvh::VolumeFractionAtLeast(double doseGy) const {
  return VolumeMm3AtLeast(doseGy) / m_TotalVolumeMm3;
}

double Dvh::VolumeCcAtLeast(double doseGy) const {
  return VolumeMm3AtLeast(doseGy) / kMm3PerCc;
}

std::vector<Dvh::CurvePoint> Dvh::Curve(int pointCount) const {
  if (pointCount < 2) {
    throw InvalidInput("DVH curve: " + std::to_string(pointCount) +
                       " points requested; expected at least 2");
  }
  std::vector<CurvePoint> curve;
  curve.reserve(static_cast<std::size_t>(pointCount));
  const double maxDose = std::max(MaxDoseGy(), 0.0);
  for (int i = 0; i < pointCount; ++i) {
    const double dose = maxDose * static_cast<double>(i) / static_cast<double>(pointCount - 1);
    curve.push_back({dose, 100.0 * VolumeFractionAtLeast(dose)});
  }
  return curve;
}

} // namespace seedplan::dosimetry
