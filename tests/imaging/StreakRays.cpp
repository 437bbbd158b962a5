#include "StreakRays.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <vector>

namespace seedplan::imaging::testing {

void StreakRays::AddTo(Volume<short>& ct, const Scene& scene, double sliceThicknessMm,
                       std::mt19937& random) const {
  const GridGeometry& geometry = ct.Geometry();
  const auto& size = geometry.Size();
  std::uniform_real_distribution<double> unit(0.0, 1.0);
  std::vector<float> added(ct.Data().size(), 0.0F);
  // FWHM to Gaussian sigma.
  const double fwhmToSigma = 1.0 / (2.0 * std::sqrt(2.0 * std::log(2.0)));
  for (const SimSeed& seed : scene.seeds) {
    // How far the seed reaches across the slices: its half extent along z plus a slice.
    const double reachZ = 0.5 * scene.seedLengthMm * std::abs(seed.axis.z()) +
                          0.5 * scene.seedDiameterMm + sliceThicknessMm;
    const double phase = unit(random) * std::numbers::pi;
    for (std::int64_t k = 0; k < size[2]; ++k) {
      const double z = geometry.IndexToPoint(0.0, 0.0, static_cast<double>(k)).z();
      const double dz = std::abs(z - seed.positionMm.z());
      if (dz > reachZ) {
        continue;
      }
      const double weight = std::min(1.0, (reachZ - dz) / sliceThicknessMm);
      for (std::int64_t j = 0; j < size[1]; ++j) {
        for (std::int64_t i = 0; i < size[0]; ++i) {
          const Eigen::Vector3d p = geometry.IndexToPoint(
              static_cast<double>(i), static_cast<double>(j), static_cast<double>(k));
          const double dx = p.x() - seed.positionMm.x();
          const double dy = p.y() - seed.positionMm.y();
          const double r = std::hypot(dx, dy);
          if (r < startMm) {
            continue;
          }
          double value = 0.0;
          for (int ray = 0; ray < 2 * raysPerSeed; ++ray) {
            const double angle = phase + std::numbers::pi * ray / raysPerSeed;
            const double along = dx * std::cos(angle) + dy * std::sin(angle);
            if (along <= 0.0) {
              continue;
            }
            const double across = -dx * std::sin(angle) + dy * std::cos(angle);
            const double sigma = (widthMm + widening * (r - startMm)) * fwhmToSigma;
            const double sign = ray % 2 == 0 ? 1.0 : -1.0;
            value += sign * amplitudeHu * std::exp(-r / fadeMm) *
                     std::exp(-0.5 * across * across / (sigma * sigma));
          }
          added[static_cast<std::size_t>(geometry.LinearIndex(i, j, k))] +=
              static_cast<float>(weight * value);
        }
      }
    }
  }
  std::vector<short>& data = ct.Data();
  for (std::size_t n = 0; n < data.size(); ++n) {
    const double hu = std::round(data[n] + static_cast<double>(added[n]));
    data[n] =
        static_cast<short>(std::clamp(hu, static_cast<double>(std::numeric_limits<short>::min()),
                                      static_cast<double>(std::numeric_limits<short>::max())));
  }
}

} // namespace seedplan::imaging::testing
