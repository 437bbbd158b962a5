#include "DoseHistogram.h"

#include "seedplan/core/Error.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

namespace seedplan::dosimetry::detail {

namespace {

std::uint32_t BitsOf(float value) {
  std::uint32_t bits;
  std::memcpy(&bits, &value, sizeof bits);
  return bits;
}

/// The key of a positive float: its exponent and leading mantissa bits, increasing with the value.
std::uint32_t KeyOf(float value) {
  return BitsOf(value) >> (23 - DoseHistogram::kMantissaBits);
}

const std::uint32_t kLowestKey = KeyOf(std::ldexp(1.0f, DoseHistogram::kLowestExponent));
const std::uint32_t kHighestKey = KeyOf(std::ldexp(1.0f, DoseHistogram::kHighestExponent));

} // namespace

DoseHistogram::DoseHistogram()
    : m_BinCount(kHighestKey - kLowestKey + 2),
      m_Blocks((m_BinCount + kBinsPerBlock - 1) / kBinsPerBlock),
      m_MaxDoseGy(-std::numeric_limits<float>::infinity()) {}

std::size_t DoseHistogram::BinOf(float doseGy) const {
  if (!std::isfinite(doseGy)) {
    throw InvalidInput("DVH: a sample's dose is not finite; expected a finite dose in Gy");
  }
  // Bin 0: below 2^kLowestExponent Gy (zero, and negative doses if a caller has them); the last
  // bin: 2^kHighestExponent Gy and more.
  if (!(doseGy >= std::ldexp(1.0f, kLowestExponent))) {
    return 0;
  }
  const std::uint32_t key = std::min(KeyOf(doseGy), kHighestKey);
  return std::size_t{key - kLowestKey} + 1;
}

void DoseHistogram::Merge(const DoseHistogram& other) {
  for (std::size_t n = 0; n < m_Blocks.size(); ++n) {
    if (!other.m_Blocks[n]) {
      continue;
    }
    Block& mine = BlockOf(n * kBinsPerBlock);
    const Block& theirs = *other.m_Blocks[n];
    for (std::size_t b = 0; b < kBinsPerBlock; ++b) {
      mine.volumeMm3[b] += theirs.volumeMm3[b];
      mine.doseVolume[b] += theirs.doseVolume[b];
      mine.count[b] += theirs.count[b];
    }
  }
  if (other.m_MaxDoseGy > m_MaxDoseGy) {
    m_MaxDoseGy = other.m_MaxDoseGy;
    m_MaxVolumeMm3 = other.m_MaxVolumeMm3;
  } else if (other.m_MaxDoseGy == m_MaxDoseGy) {
    m_MaxVolumeMm3 += other.m_MaxVolumeMm3;
  }
}

std::vector<Dvh::Sample> DoseHistogram::Samples() const {
  return Samples(m_MaxDoseGy, m_MaxVolumeMm3);
}

std::vector<Dvh::Sample> DoseHistogram::Samples(float hottestGy, double hottestVolumeMm3) const {
  std::vector<Dvh::Sample> samples;
  if (!(hottestVolumeMm3 > 0.0)) {
    return samples; // no sample (or only empty volumes): Dvh refuses it with its own message
  }
  const std::size_t hottestBin = BinOf(hottestGy);
  samples.push_back({double(hottestGy), hottestVolumeMm3});
  for (std::size_t b = hottestBin + 1; b-- > 0;) {
    const Block* block = m_Blocks[b / kBinsPerBlock].get();
    if (block == nullptr) {
      b -= b % kBinsPerBlock; // the whole octave is empty: on to the one below
      continue;
    }
    double volume = block->volumeMm3[b % kBinsPerBlock];
    double doseVolume = block->doseVolume[b % kBinsPerBlock];
    if (b == hottestBin) {
      // The hottest dose is a sample of its own: the rest of its bin is what remains.
      volume -= hottestVolumeMm3;
      doseVolume -= double(hottestGy) * hottestVolumeMm3;
      if (!(volume > 1e-9 * hottestVolumeMm3)) {
        continue;
      }
    }
    if (!(volume > 0.0)) {
      continue;
    }
    // The mean of the bin's members lies in the bin; rounding in the sums must not move it past
    // the hottest dose or the bin before. Zero-volume samples at the bin's mean mark its two
    // edges in cumulative volume: Dvh interpolates Dx between the midpoints of neighbouring
    // samples, and without them it would interpolate across half of two whole bins (or across a
    // gap in dose, such as the cutoff's step to 0 Gy).
    const double mean = std::min(doseVolume / volume, samples.back().doseGy);
    samples.push_back({mean, 0.0});
    samples.push_back({mean, volume});
    samples.push_back({mean, 0.0});
  }
  return samples;
}

} // namespace seedplan::dosimetry::detail
