#include "ScannerSimulator.h"

#include "seedplan/core/Error.h"

#include <Eigen/Geometry>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <random>
#include <sstream>

namespace seedplan::imaging::testing {
namespace {

/// Sampling step (mm) of a metal object's volume: 1/10 of the capsule diameter and below a
/// third of the sharpest kernel (sigma 0.3 mm), so the point-sampled convolution is smooth.
constexpr double kMetalStepMm = 0.08;
constexpr double kRodStepMm = 0.1;
/// The Gaussians are cut at this many sigma.
constexpr double kReachSigmas = 4.0;
/// Streaks: decay length (amplitude ~ r0 / (r0 + r)) and reach.
constexpr double kStreakDecayMm = 8.0;
constexpr double kStreakReachMm = 60.0;
constexpr double kDarkBandWidthMm = 0.8;
constexpr double kDarkBandReachMm = 40.0;
/// Under MAR, streaks keep this share of their amplitude.
constexpr double kMarStreakShare = 0.1;
constexpr double kReferenceMetalHu = 30000.0;

double Phi(double x) {
  return 0.5 * std::erfc(-x / std::numbers::sqrt2);
}

/// Unit vectors perpendicular to a unit axis.
void Perpendiculars(const Eigen::Vector3d& axis, Eigen::Vector3d& e1, Eigen::Vector3d& e2) {
  const Eigen::Vector3d helper =
      std::abs(axis.x()) < 0.9 ? Eigen::Vector3d::UnitX() : Eigen::Vector3d::UnitY();
  e1 = axis.cross(helper).normalized();
  e2 = axis.cross(e1);
}

double SegmentDistance(const Eigen::Vector3d& p, const Eigen::Vector3d& a,
                       const Eigen::Vector3d& b) {
  const Eigen::Vector3d ab = b - a;
  const double l2 = ab.squaredNorm();
  const double t = l2 > 0.0 ? std::clamp((p - a).dot(ab) / l2, 0.0, 1.0) : 0.0;
  return (p - (a + t * ab)).norm();
}

/// Points (and the volume each stands for) filling a capsule or cylinder between a and b of
/// radius r; rounded ends when `rounded` (a seed's capsule), flat otherwise (a rod).
std::vector<Eigen::Vector3d> FillPoints(const Eigen::Vector3d& a, const Eigen::Vector3d& b,
                                        double radius, bool rounded, double step) {
  const Eigen::Vector3d axisVector = b - a;
  const double length = axisVector.norm();
  const Eigen::Vector3d axis =
      length > 0.0 ? Eigen::Vector3d(axisVector / length) : Eigen::Vector3d::UnitZ();
  Eigen::Vector3d e1;
  Eigen::Vector3d e2;
  Perpendiculars(axis, e1, e2);
  const double tLow = rounded ? -radius : 0.0;
  const double tHigh = rounded ? length + radius : length;
  std::vector<Eigen::Vector3d> points;
  for (double t = tLow + 0.5 * step; t < tHigh; t += step) {
    for (double u = -radius + 0.5 * step; u < radius; u += step) {
      for (double v = -radius + 0.5 * step; v < radius; v += step) {
        const Eigen::Vector3d p = a + t * axis + u * e1 + v * e2;
        const bool inside =
            rounded ? SegmentDistance(p, a, b) <= radius : u * u + v * v <= radius * radius;
        if (inside) {
          points.push_back(p);
        }
      }
    }
  }
  return points;
}

/// One metal object as the scanner sees it: its blurred excess over the tissue (dense over the
/// grid) and, per slice, how much metal lies in it and where (for the streaks).
struct SliceMetal {
  double amount = 0.0; ///< sum of dV * SSP (mm^2)
  double ci = 0.0;     ///< weighted continuous index i, j
  double cj = 0.0;
};

class Imager {
public:
  Imager(const GridGeometry& geometry, const ScannerModel& scanner)
      : m_Geometry(geometry), m_Scanner(scanner) {}

  /// Adds the blurred excess of the metal points (each of volume dV) to `excess` (grid-sized);
  /// returns the metal per slice.
  std::vector<SliceMetal> AddMetal(const Scene& scene, const std::vector<Eigen::Vector3d>& points,
                                   double dV, std::vector<float>& excess) const {
    const auto& size = m_Geometry.Size();
    const Eigen::Vector3d& spacing = m_Geometry.SpacingMm();
    const double sigma = m_Scanner.inPlaneSigmaMm;
    const double thickness = m_Scanner.sliceThicknessMm;
    const double edge = m_Scanner.sliceEdgeSigmaMm;
    const double norm2d = 1.0 / (2.0 * std::numbers::pi * sigma * sigma);
    const int reachI = static_cast<int>(std::ceil(kReachSigmas * sigma / spacing[0]));
    const int reachJ = static_cast<int>(std::ceil(kReachSigmas * sigma / spacing[1]));
    const int reachK =
        static_cast<int>(std::ceil((0.5 * thickness + kReachSigmas * edge) / spacing[2])) + 1;
    std::vector<SliceMetal> slices(static_cast<std::size_t>(size[2]));
    std::vector<double> gi(static_cast<std::size_t>(2 * reachI + 1));
    std::vector<double> gj(static_cast<std::size_t>(2 * reachJ + 1));
    std::vector<double> gk(static_cast<std::size_t>(2 * reachK + 1));
    for (const Eigen::Vector3d& p : points) {
      const double weight = dV * (m_Scanner.metalHu - ScannerSimulator::TissueHu(scene, p));
      const Eigen::Vector3d c = m_Geometry.PointToContinuousIndex(p);
      const auto i0 = static_cast<std::int64_t>(std::lround(c.x()));
      const auto j0 = static_cast<std::int64_t>(std::lround(c.y()));
      const auto k0 = static_cast<std::int64_t>(std::lround(c.z()));
      for (int d = -reachI; d <= reachI; ++d) {
        const double x = (static_cast<double>(i0 + d) - c.x()) * spacing[0];
        gi[static_cast<std::size_t>(d + reachI)] = std::exp(-0.5 * x * x / (sigma * sigma));
      }
      for (int d = -reachJ; d <= reachJ; ++d) {
        const double y = (static_cast<double>(j0 + d) - c.y()) * spacing[1];
        gj[static_cast<std::size_t>(d + reachJ)] = std::exp(-0.5 * y * y / (sigma * sigma));
      }
      for (int d = -reachK; d <= reachK; ++d) {
        const double z = (static_cast<double>(k0 + d) - c.z()) * spacing[2];
        // Slice sensitivity profile: box of the thickness, edges softened (unit integral).
        double profile = 0.0;
        if (edge > 0.0) {
          profile =
              (Phi((z + 0.5 * thickness) / edge) - Phi((z - 0.5 * thickness) / edge)) / thickness;
        } else {
          profile = std::abs(z) <= 0.5 * thickness ? 1.0 / thickness : 0.0;
        }
        gk[static_cast<std::size_t>(d + reachK)] = profile;
      }
      for (int dk = -reachK; dk <= reachK; ++dk) {
        const std::int64_t k = k0 + dk;
        const double wk = gk[static_cast<std::size_t>(dk + reachK)];
        if (k < 0 || k >= size[2] || wk <= 0.0) {
          continue;
        }
        SliceMetal& slice = slices[static_cast<std::size_t>(k)];
        slice.amount += dV * wk;
        slice.ci += dV * wk * c.x();
        slice.cj += dV * wk * c.y();
        for (int dj = -reachJ; dj <= reachJ; ++dj) {
          const std::int64_t j = j0 + dj;
          if (j < 0 || j >= size[1]) {
            continue;
          }
          const double wjk = weight * norm2d * wk * gj[static_cast<std::size_t>(dj + reachJ)];
          float* row = excess.data() + m_Geometry.LinearIndex(0, j, k);
          for (int di = -reachI; di <= reachI; ++di) {
            const std::int64_t i = i0 + di;
            if (i >= 0 && i < size[0]) {
              row[i] += static_cast<float>(wjk * gi[static_cast<std::size_t>(di + reachI)]);
            }
          }
        }
      }
    }
    for (SliceMetal& slice : slices) {
      if (slice.amount > 0.0) {
        slice.ci /= slice.amount;
        slice.cj /= slice.amount;
      }
    }
    return slices;
  }

private:
  const GridGeometry& m_Geometry;
  const ScannerModel& m_Scanner;
};

/// Tissue HU of every voxel, averaged over 2 x 2 x 3 points of its footprint (partial volume at
/// bone and lung edges).
std::vector<float> TissueImage(const GridGeometry& geometry, const Scene& scene,
                               const ScannerModel& scanner) {
  const auto& size = geometry.Size();
  std::vector<float> tissue(static_cast<std::size_t>(geometry.NumberOfVoxels()));
  const double thicknessVoxels = scanner.sliceThicknessMm / geometry.SpacingMm()[2];
  for (std::int64_t k = 0; k < size[2]; ++k) {
    for (std::int64_t j = 0; j < size[1]; ++j) {
      for (std::int64_t i = 0; i < size[0]; ++i) {
        double sum = 0.0;
        for (double dk : {-thicknessVoxels / 3.0, 0.0, thicknessVoxels / 3.0}) {
          for (double dj : {-0.25, 0.25}) {
            for (double di : {-0.25, 0.25}) {
              sum += ScannerSimulator::TissueHu(scene,
                                                geometry.IndexToPoint(static_cast<double>(i) + di,
                                                                      static_cast<double>(j) + dj,
                                                                      static_cast<double>(k) + dk));
            }
          }
        }
        tissue[static_cast<std::size_t>(geometry.LinearIndex(i, j, k))] =
            static_cast<float>(sum / 12.0);
      }
    }
  }
  return tissue;
}

/// Metal excess (compressed by MAR) on the tissue, then the stored scale: the HU the loader
/// gives.
short Store(double tissueHu, double excessHu, double artefactHu, const ScannerModel& scanner) {
  double metal = excessHu;
  if (scanner.marCapHu) {
    const double room = std::max(0.0, *scanner.marCapHu - tissueHu);
    metal = room <= 0.0          ? 0.0
            : scanner.marHardCap ? std::min(metal, room)
                                 : room * std::tanh(std::max(0.0, metal) / room);
  }
  const double hu = tissueHu + metal + artefactHu;
  double lowest = 0.0;
  double highest = 0.0;
  double step = 1.0;
  ScannerSimulator::ScaleLimits(scanner.scale, lowest, highest, step);
  // Stored integers: HU = step x stored + intercept. The slope-10 scale's intercept is -1024, so
  // its values are -1024 + 10 n; with a step of 1 HU (every other scale) the intercept does not
  // change the rounding.
  constexpr double kInterceptHu = -1024.0;
  const double quantised =
      std::clamp(std::round((hu - kInterceptHu) / step) * step + kInterceptHu, lowest, highest);
  return static_cast<short>(std::clamp(quantised, -32768.0, 32767.0));
}

} // namespace

double ScannerSimulator::TissueHu(const Scene& scene, const Eigen::Vector3d& p) {
  for (const BoneBlock& bone : scene.bones) {
    if ((p.array() >= bone.lowMm.array()).all() && (p.array() <= bone.highMm.array()).all()) {
      if (bone.shellMm <= 0.0) {
        return bone.hu;
      }
      const double inset = std::min((p - bone.lowMm).minCoeff(), (bone.highMm - p).minCoeff());
      return inset < bone.shellMm ? bone.hu : bone.innerHu;
    }
  }
  const double base =
      scene.lungFromYMm && p.y() > *scene.lungFromYMm ? scene.lungHu : scene.softTissueHu;
  return base +
         scene.textureHu * std::sin(0.23 * p.x() + 0.4) * std::cos(0.19 * p.y() - 0.27 * p.z()) +
         0.5 * scene.textureHu * std::sin(0.61 * p.z() + 0.35 * p.x());
}

void ScannerSimulator::ScaleLimits(HuScale scale, double& lowestHu, double& highestHu,
                                   double& stepHu) {
  stepHu = 1.0;
  switch (scale) {
  case HuScale::TwelveBit:
    lowestHu = -1024.0;
    highestHu = 4095.0 - 1024.0;
    break;
  case HuScale::SignedIntercept1024:
    lowestHu = -32768.0 - 1024.0;
    highestHu = 32767.0 - 1024.0;
    break;
  case HuScale::UnsignedIntercept8192:
    lowestHu = -8192.0;
    highestHu = 65535.0 - 8192.0;
    break;
  case HuScale::Slope10:
    stepHu = 10.0;
    lowestHu = -32768.0 * 10.0 - 1024.0;
    highestHu = 32767.0 * 10.0 - 1024.0;
    break;
  }
}

Volume<short> ScannerSimulator::Scan(const GridGeometry& geometry, const Scene& scene,
                                     const ScannerModel& scanner) {
  if (!(scanner.inPlaneSigmaMm > 0.0) || !(scanner.sliceThicknessMm > 0.0) ||
      !(scanner.sliceEdgeSigmaMm >= 0.0)) {
    throw InvalidInput("scanner simulator: blur and slice thickness must be positive");
  }
  const auto count = static_cast<std::size_t>(geometry.NumberOfVoxels());
  const std::vector<float> tissue = TissueImage(geometry, scene, scanner);
  std::vector<float> excess(count, 0.0F);
  std::vector<float> artefact(count, 0.0F);
  const Imager imager(geometry, scanner);
  std::mt19937 random(scanner.randomSeed);
  std::uniform_real_distribution<double> unit(0.0, 1.0);

  // Metal of every object, and its metal per slice (for the streaks).
  std::vector<std::vector<SliceMetal>> metalBySlice;
  const double seedRadius = 0.5 * scene.seedDiameterMm;
  const double seedHalfAxis = 0.5 * scene.seedLengthMm - seedRadius;
  const double seedVolume = std::numbers::pi * seedRadius * seedRadius * 2.0 * seedHalfAxis +
                            4.0 / 3.0 * std::numbers::pi * std::pow(seedRadius, 3);
  for (const SimSeed& seed : scene.seeds) {
    const Eigen::Vector3d axis = seed.axis.normalized();
    const auto points =
        FillPoints(seed.positionMm - seedHalfAxis * axis, seed.positionMm + seedHalfAxis * axis,
                   seedRadius, true, kMetalStepMm);
    // Each point stands for the capsule's exact volume share (the sampled count is within ~1 %).
    const double dV = seedVolume / static_cast<double>(std::max<std::size_t>(1, points.size()));
    metalBySlice.push_back(imager.AddMetal(scene, points, dV, excess));
  }
  for (const MetalRod& rod : scene.rods) {
    const auto points = FillPoints(rod.startMm, rod.endMm, rod.radiusMm, false, kRodStepMm);
    metalBySlice.push_back(
        imager.AddMetal(scene, points, kRodStepMm * kRodStepMm * kRodStepMm, excess));
  }

  // Beam hardening: per object and slice, lines through its metal (bright or dark, random angle
  // and width), and dark bands between two objects in the same slice.
  const double scale = scanner.streaksScaleWithMetal
                           ? std::clamp(scanner.metalHu / kReferenceMetalHu, 0.3, 1.0)
                           : 1.0;
  const double streakHu = scanner.streakHu * scale * (scanner.marCapHu ? kMarStreakShare : 1.0);
  const auto& size = geometry.Size();
  const Eigen::Vector3d& spacing = geometry.SpacingMm();
  const double flatAmount = seedVolume / scanner.sliceThicknessMm;
  if (streakHu > 0.0) {
    for (std::int64_t k = 0; k < size[2]; ++k) {
      struct Source {
        double ci;
        double cj;
        double strength;
      };
      std::vector<Source> sources;
      for (const auto& slices : metalBySlice) {
        const SliceMetal& slice = slices[static_cast<std::size_t>(k)];
        const double strength = std::min(1.5, slice.amount / flatAmount);
        if (strength > 0.02) {
          sources.push_back({slice.ci, slice.cj, strength});
        }
      }
      for (const Source& source : sources) {
        const int lines = 2 + static_cast<int>(unit(random) * 5.0);
        struct Line {
          Eigen::Vector2d u;
          double width;
          double amplitude;
        };
        std::vector<Line> drawn;
        for (int l = 0; l < lines; ++l) {
          const double angle = std::numbers::pi * unit(random);
          const double sign = unit(random) < 0.6 ? 1.0 : -1.0;
          drawn.push_back({Eigen::Vector2d(std::cos(angle), std::sin(angle)),
                           0.3 + 0.7 * unit(random),
                           sign * streakHu * source.strength * (0.6 + 0.6 * unit(random))});
        }
        const int reachI = static_cast<int>(std::ceil(kStreakReachMm / spacing[0]));
        const int reachJ = static_cast<int>(std::ceil(kStreakReachMm / spacing[1]));
        const auto ci = static_cast<std::int64_t>(std::lround(source.ci));
        const auto cj = static_cast<std::int64_t>(std::lround(source.cj));
        for (std::int64_t j = std::max<std::int64_t>(0, cj - reachJ);
             j <= std::min<std::int64_t>(size[1] - 1, cj + reachJ); ++j) {
          for (std::int64_t i = std::max<std::int64_t>(0, ci - reachI);
               i <= std::min<std::int64_t>(size[0] - 1, ci + reachI); ++i) {
            const Eigen::Vector2d offset((static_cast<double>(i) - source.ci) * spacing[0],
                                         (static_cast<double>(j) - source.cj) * spacing[1]);
            const double r = offset.norm();
            if (r > kStreakReachMm) {
              continue;
            }
            double value = 0.0;
            for (const Line& line : drawn) {
              const double across = line.u.x() * offset.y() - line.u.y() * offset.x();
              value +=
                  line.amplitude * std::exp(-0.5 * across * across / (line.width * line.width));
            }
            artefact[static_cast<std::size_t>(geometry.LinearIndex(i, j, k))] +=
                static_cast<float>(value * kStreakDecayMm / (kStreakDecayMm + r));
          }
        }
      }
      // Dark bands between two sources of the same slice.
      for (std::size_t a = 0; a < sources.size(); ++a) {
        for (std::size_t b = a + 1; b < sources.size(); ++b) {
          const Eigen::Vector2d pa(sources[a].ci * spacing[0], sources[a].cj * spacing[1]);
          const Eigen::Vector2d pb(sources[b].ci * spacing[0], sources[b].cj * spacing[1]);
          const double length = (pb - pa).norm();
          if (length < 1.0 || length > kDarkBandReachMm) {
            continue;
          }
          const double depth = -0.5 * streakHu * std::min(sources[a].strength, sources[b].strength);
          const Eigen::Vector2d u = (pb - pa) / length;
          for (std::int64_t j = 0; j < size[1]; ++j) {
            for (std::int64_t i = 0; i < size[0]; ++i) {
              const Eigen::Vector2d p(static_cast<double>(i) * spacing[0],
                                      static_cast<double>(j) * spacing[1]);
              const double along = (p - pa).dot(u);
              if (along < 0.0 || along > length) {
                continue;
              }
              const double across = u.x() * (p - pa).y() - u.y() * (p - pa).x();
              if (std::abs(across) > 4.0 * kDarkBandWidthMm) {
                continue;
              }
              artefact[static_cast<std::size_t>(geometry.LinearIndex(i, j, k))] +=
                  static_cast<float>(depth * std::exp(-0.5 * across * across /
                                                      (kDarkBandWidthMm * kDarkBandWidthMm)));
            }
          }
        }
      }
    }
  }

  // Noise: white, or smoothed in plane by [1 2 1] / 4 in i and j and rescaled to its sigma.
  if (scanner.noiseSigmaHu > 0.0) {
    std::normal_distribution<double> gauss(0.0, 1.0);
    std::vector<float> white(count);
    for (float& value : white) {
      value = static_cast<float>(gauss(random));
    }
    if (scanner.correlatedNoise) {
      std::vector<float> smooth(count, 0.0F);
      for (std::int64_t k = 0; k < size[2]; ++k) {
        for (std::int64_t j = 0; j < size[1]; ++j) {
          for (std::int64_t i = 0; i < size[0]; ++i) {
            double sum = 0.0;
            for (int dj = -1; dj <= 1; ++dj) {
              for (int di = -1; di <= 1; ++di) {
                const std::int64_t ii = std::clamp<std::int64_t>(i + di, 0, size[0] - 1);
                const std::int64_t jj = std::clamp<std::int64_t>(j + dj, 0, size[1] - 1);
                sum += (di == 0 ? 2.0 : 1.0) * (dj == 0 ? 2.0 : 1.0) *
                       white[static_cast<std::size_t>(geometry.LinearIndex(ii, jj, k))];
              }
            }
            // sqrt(sum of squared weights) of ([1 2 1] / 4)^2 = 6 / 16 per axis.
            smooth[static_cast<std::size_t>(geometry.LinearIndex(i, j, k))] =
                static_cast<float>(sum / 16.0 / (6.0 / 16.0));
          }
        }
      }
      white.swap(smooth);
    }
    for (std::size_t n = 0; n < count; ++n) {
      artefact[n] += static_cast<float>(scanner.noiseSigmaHu) * white[n];
    }
  }

  Volume<short> ct(geometry, 0);
  for (std::size_t n = 0; n < count; ++n) {
    ct.Data()[n] = Store(tissue[n], excess[n], artefact[n], scanner);
  }
  return ct;
}

double ScannerSimulator::PeakContrastHu(const GridGeometry& geometry, const Scene& scene,
                                        const ScannerModel& scanner, std::size_t index) {
  const SimSeed& seed = scene.seeds.at(index);
  // A crop of the same lattice around the seed.
  const Eigen::Vector3d centre = geometry.PointToContinuousIndex(seed.positionMm);
  const Eigen::Vector3d& spacing = geometry.SpacingMm();
  std::array<std::int64_t, 3> first{};
  std::array<std::int64_t, 3> size{};
  for (int axis = 0; axis < 3; ++axis) {
    const auto reach = static_cast<std::int64_t>(std::ceil(8.0 / spacing[axis])) + 1;
    first[axis] = static_cast<std::int64_t>(std::lround(centre[axis])) - reach;
    size[axis] = 2 * reach + 1;
  }
  const GridGeometry crop(geometry.IndexToPoint(static_cast<double>(first[0]),
                                                static_cast<double>(first[1]),
                                                static_cast<double>(first[2])),
                          spacing, size, geometry.Direction());
  Scene alone = scene;
  alone.seeds = {seed};
  alone.rods.clear();
  ScannerModel quiet = scanner;
  quiet.noiseSigmaHu = 0.0;
  quiet.streakHu = 0.0;
  Scene empty = alone;
  empty.seeds.clear();
  const Volume<short> with = Scan(crop, alone, quiet);
  const Volume<short> without = Scan(crop, empty, quiet);
  double peak = 0.0;
  for (std::size_t n = 0; n < with.Data().size(); ++n) {
    peak = std::max(peak, static_cast<double>(with.Data()[n]) - without.Data()[n]);
  }
  return peak;
}

std::string ScannerSimulator::Describe(const ScannerModel& scanner) {
  std::ostringstream text;
  text.precision(3);
  const char* scales[] = {"12-bit", "int16-1024", "uint16-8192", "slope10"};
  text << "metal " << scanner.metalHu << " HU, sigma " << scanner.inPlaneSigmaMm << " mm, slice "
       << scanner.sliceThicknessMm << " mm (edge " << scanner.sliceEdgeSigmaMm << "), "
       << scales[static_cast<int>(scanner.scale)];
  if (scanner.marCapHu) {
    text << ", MAR " << *scanner.marCapHu << (scanner.marHardCap ? " hard" : " soft");
  }
  text << ", streaks " << scanner.streakHu << ", noise " << scanner.noiseSigmaHu;
  return text.str();
}

} // namespace seedplan::imaging::testing
