#include "seedplan/dosimetry/Dvh.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <memory>

namespace seedplan::dosimetry {

namespace {

constexpr double kMm3PerCc = 1000.0;
/// Relative slack on "the structure is smaller than the requested volume": a structure of exactly
/// 1 cc made of voxels may sum to 0.999999999 cc in floating point.
constexpr double kVolumeRelativeSlack = 1e-9;

} // namespace

namespace {

void CheckSample(double doseGy, double volumeMm3) {
  if (!std::isfinite(doseGy)) {
    throw InvalidInput("DVH: a sample's dose is not finite; expected a finite dose in Gy");
  }
  if (!std::isfinite(volumeMm3) || volumeMm3 < 0.0) {
    throw InvalidInput("DVH: a sample's volume is " + FormatNumber(volumeMm3) +
                       " mm^3; expected a finite volume >= 0");
  }
}

/// A float's bits as an unsigned key in the float's order (negatives flipped).
std::uint32_t OrderedKey(float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return (bits & 0x80000000u) ? ~bits : (bits | 0x80000000u);
}

} // namespace

template <class DoseAt, class VolumeAt>
void Dvh::Build(std::size_t count, DoseAt dose, VolumeAt volume) {
  if (count == 0) {
    throw InvalidInput("DVH: no dose sample; expected at least one sample of the structure");
  }
  // Reserved, not resized: no pass of zeros over millions of samples.
  m_DoseGy.reserve(count);
  m_CumulativeVolumeMm3.reserve(count);
  double cumulative = 0.0;
  double doseVolume = 0.0;
  for (std::size_t k = 0; k < count; ++k) {
    const double d = dose(k);
    const double v = volume(k);
    cumulative += v;
    doseVolume += d * v;
    m_DoseGy.push_back(static_cast<float>(d));
    m_CumulativeVolumeMm3.push_back(cumulative);
  }
  if (!(cumulative > 0.0)) {
    throw InvalidInput("DVH: the samples' total volume is 0 mm^3; expected a positive volume");
  }
  m_TotalVolumeMm3 = cumulative;
  m_MeanDoseGy = doseVolume / cumulative;
}

Dvh::Dvh(std::vector<Sample> samples) {
  for (const Sample& sample : samples) {
    CheckSample(sample.doseGy, sample.volumeMm3);
  }
  // Dose descending; ties by volume so that the result does not depend on the sampling order.
  std::sort(samples.begin(), samples.end(), [](const Sample& a, const Sample& b) {
    return a.doseGy != b.doseGy ? a.doseGy > b.doseGy : a.volumeMm3 > b.volumeMm3;
  });
  Build(
      samples.size(), [&](std::size_t k) { return samples[k].doseGy; },
      [&](std::size_t k) { return samples[k].volumeMm3; });
}

Dvh Dvh::FromDescendingSamples(const std::vector<Sample>& samples) {
  for (std::size_t k = 0; k < samples.size(); ++k) {
    CheckSample(samples[k].doseGy, samples[k].volumeMm3);
    if (k > 0 && samples[k].doseGy > samples[k - 1].doseGy) {
      throw InvalidInput("DVH: sample " + std::to_string(k) + " has dose " +
                         FormatNumber(samples[k].doseGy) + " Gy after " +
                         FormatNumber(samples[k - 1].doseGy) +
                         " Gy; expected the samples in descending dose order");
    }
  }
  Dvh dvh;
  dvh.Build(
      samples.size(), [&](std::size_t k) { return samples[k].doseGy; },
      [&](std::size_t k) { return samples[k].volumeMm3; });
  return dvh;
}

Dvh Dvh::FromVoxelSamples(std::vector<float> doseGy, std::vector<std::uint16_t> parts,
                          double voxelVolumeMm3) {
  if (doseGy.size() != parts.size()) {
    throw InvalidInput("DVH: " + std::to_string(doseGy.size()) + " doses and " +
                       std::to_string(parts.size()) + " sample sizes; expected one per sample");
  }
  CheckSample(0.0, voxelVolumeMm3);
  const std::size_t count = doseGy.size();
  for (std::size_t k = 0; k < count; ++k) {
    CheckSample(doseGy[k], voxelVolumeMm3);
    if (parts[k] == 0) {
      throw InvalidInput("DVH: a sample is 1/0 of a voxel; expected parts >= 1");
    }
  }
  // LSD radix sort on the dose's 32-bit key (descending order), 11 bits per pass, stable; the
  // records carry the parts count in their low 16 bits. All three histograms come from one read; a
  // pass whose digit is the same for every record is skipped.
  constexpr int kBits = 11;
  constexpr int kPasses = 3;
  constexpr std::uint64_t kBuckets = std::uint64_t{1} << kBits;
  // Default-initialised buffers: every element is written before it is read.
  std::unique_ptr<std::uint64_t[]> records(new std::uint64_t[count]);
  std::unique_ptr<std::uint64_t[]> scratch(new std::uint64_t[count]);
  std::vector<std::size_t> start(kPasses * (kBuckets + 1), 0);
  for (std::size_t k = 0; k < count; ++k) {
    const std::uint32_t key = ~OrderedKey(doseGy[k]);
    records[k] = (std::uint64_t{key} << 16) | parts[k];
    for (int pass = 0; pass < kPasses; ++pass) {
      ++start[pass * (kBuckets + 1) + ((key >> (pass * kBits)) & (kBuckets - 1)) + 1];
    }
  }
  doseGy = {};
  parts = {};
  for (int pass = 0; pass < kPasses; ++pass) {
    std::size_t* offsets = start.data() + pass * (kBuckets + 1);
    bool trivial = false;
    for (std::uint64_t b = 0; b < kBuckets; ++b) {
      trivial = trivial || offsets[b + 1] == count;
      offsets[b + 1] += offsets[b];
    }
    if (trivial) {
      continue; // every record has the same digit: the pass would not move anything
    }
    const int shift = 16 + pass * kBits;
    for (std::size_t k = 0; k < count; ++k) {
      const std::uint64_t record = records[k];
      scratch[offsets[(record >> shift) & (kBuckets - 1)]++] = record;
    }
    records.swap(scratch);
  }
  scratch.reset();
  // Equal doses: the larger volume (fewer parts) first, as the comparison sort orders them.
  for (std::size_t k = 0; k < count;) {
    std::size_t end = k + 1;
    while (end < count && (records[end] >> 16) == (records[k] >> 16)) {
      ++end;
    }
    if (end - k > 1) {
      std::sort(records.get() + k, records.get() + end);
    }
    k = end;
  }
  auto decode = [](std::uint32_t key) {
    const std::uint32_t ordered = ~key;
    const std::uint32_t bits = (ordered & 0x80000000u) ? (ordered & 0x7FFFFFFFu) : ~ordered;
    float value;
    std::memcpy(&value, &bits, sizeof value);
    return static_cast<double>(value);
  };
  Dvh dvh;
  dvh.Build(
      count, [&](std::size_t k) { return decode(static_cast<std::uint32_t>(records[k] >> 16)); },
      [&](std::size_t k) { return voxelVolumeMm3 / static_cast<double>(records[k] & 0xFFFFu); });
  return dvh;
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
