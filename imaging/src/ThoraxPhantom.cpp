#include "seedplan/imaging/ThoraxPhantom.h"

#include "seedplan/core/Error.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <optional>
#include <utility>

namespace seedplan::imaging {
namespace {

using Eigen::Vector2d;
using Eigen::Vector3d;

constexpr double kPi = std::numbers::pi;

double Sq(double value) {
  return value * value;
}
double Clamp01(double value) {
  return std::clamp(value, 0.0, 1.0);
}

// ---------------------------------------------------------------------------------------------
// Hounsfield units of the tissues (non-contrast CT, typical adult values).
constexpr double kHuAir = -1000;
constexpr double kHuSkin = 40;
constexpr double kHuSubcutaneousFat = -100;
constexpr double kHuFat = -90; // mediastinal, pericardial and retroperitoneal fat
constexpr double kHuMuscle = 50;
constexpr double kHuLung = -850;
constexpr double kHuLungTextureAmplitude = 25;
constexpr double kHuLungVessel = 30;
constexpr double kHuCorticalBone = 700;
constexpr double kHuMarrow = 250;
constexpr double kHuDisc = 80;
constexpr double kHuCsf = 15;
constexpr double kHuCord = 35;
constexpr double kHuBlood = 40; // heart, aorta, IVC without contrast
constexpr double kHuOesophagus = 40;
constexpr double kHuDiaphragm = 50;
constexpr double kHuLiver = 60;
constexpr double kHuSpleen = 48;
constexpr double kHuStomach = 15;
constexpr double kHuGas = -950;
constexpr double kHuKidney = 32;
constexpr double kHuAdrenal = 20;
constexpr double kHuBowel = 30;
// Lesions: a little different from their host, as on a real non-contrast CT.
constexpr double kHuLungLesion = 30;
constexpr double kHuBoneLesion = 150; // lytic: below the +250 of cancellous bone
constexpr double kHuNodeLesion = 45;
constexpr double kHuAdrenalLesion = 40;

// ---------------------------------------------------------------------------------------------
// Deterministic pseudo-random numbers that depend only on their arguments (so that any point,
// voxel or thread gives the same value): SplitMix64 (Steele, Lea, Flood 2014).
std::uint64_t SplitMix64(std::uint64_t value) {
  value += 0x9E3779B97F4A7C15ULL;
  value = (value ^ (value >> 30)) * 0xBF58476D1CE4E5B9ULL;
  value = (value ^ (value >> 27)) * 0x94D049BB133111EBULL;
  return value ^ (value >> 31);
}

/// Uniform in (0, 1], from a 64-bit hash.
double UnitFromHash(std::uint64_t hash) {
  return (static_cast<double>(hash >> 11) + 1.0) * (1.0 / 9007199254740992.0);
}

double LatticeValue(std::int64_t i, std::int64_t j, std::int64_t k, std::uint64_t salt) {
  std::uint64_t hash = SplitMix64(salt ^ static_cast<std::uint64_t>(i));
  hash = SplitMix64(hash ^ static_cast<std::uint64_t>(j));
  hash = SplitMix64(hash ^ static_cast<std::uint64_t>(k));
  return 2.0 * UnitFromHash(hash) - 1.0;
}

/// Smooth value noise in [-1, 1] with features of about `cellMm`: the texture of lung parenchyma
/// and bowel, and (two of them crossing zero together) a network of tubes for the lung vessels.
double ValueNoise(const Vector3d& pointMm, double cellMm, std::uint64_t salt) {
  const Vector3d scaled = pointMm / cellMm;
  const Vector3d base = scaled.array().floor();
  const Vector3d fraction = scaled - base;
  const Vector3d weight = fraction.array().square() * (3.0 - 2.0 * fraction.array());
  const auto i0 = static_cast<std::int64_t>(base.x());
  const auto j0 = static_cast<std::int64_t>(base.y());
  const auto k0 = static_cast<std::int64_t>(base.z());
  double result = 0;
  for (int corner = 0; corner < 8; ++corner) {
    const int di = corner & 1;
    const int dj = (corner >> 1) & 1;
    const int dk = (corner >> 2) & 1;
    const double w = (di ? weight.x() : 1 - weight.x()) * (dj ? weight.y() : 1 - weight.y()) *
                     (dk ? weight.z() : 1 - weight.z());
    result += w * LatticeValue(i0 + di, j0 + dj, k0 + dk, salt);
  }
  return result;
}

/// White Gaussian noise (Box-Muller) for voxel `index`.
double GaussianNoise(std::uint64_t seed, std::uint64_t index) {
  const std::uint64_t stream = SplitMix64(seed * 0xD1B54A32D192ED03ULL + 0x5EED);
  const double u1 = UnitFromHash(SplitMix64(stream ^ (2 * index)));
  const double u2 = UnitFromHash(SplitMix64(stream ^ (2 * index + 1)));
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * kPi * u2);
}

// ---------------------------------------------------------------------------------------------
// Geometric primitives.

/// <= 1 inside the axis-aligned ellipsoid.
double EllipsoidLevel(const Vector3d& p, const Vector3d& centre, const Vector3d& semiAxes) {
  return ((p - centre).array() / semiAxes.array()).square().sum();
}

double EllipseLevel(double x, double y, double cx, double cy, double ax, double ay) {
  return Sq((x - cx) / ax) + Sq((y - cy) / ay);
}

/// Distance from p to the segment ab.
template <class V> double SegmentDistance(const V& p, const V& a, const V& b) {
  const V ab = b - a;
  const double t = Clamp01((p - a).dot(ab) / ab.squaredNorm());
  return (p - (a + t * ab)).norm();
}

/// A sphere of radius `radiusMm` made irregular by a zero-mean modulation of its radius (about
/// +-10 %): metastases are roughly round but not spheres, and a sphere would make the DVH tests
/// too easy. The volume stays within a few per cent of the sphere's.
bool InLobulatedSphere(const Vector3d& p, const Vector3d& centre, double radiusMm) {
  const Vector3d d = p - centre;
  const double distance2 = d.squaredNorm();
  const double outer = radiusMm * 1.15;
  if (distance2 > outer * outer) {
    return false;
  }
  if (distance2 < 1e-12) {
    return true;
  }
  const Vector3d u = d / std::sqrt(distance2);
  const double modulation =
      0.10 * u.x() * u.y() + 0.09 * (u.z() * u.z() - 1.0 / 3.0) + 0.08 * u.y() * u.z();
  return distance2 <= Sq(radiusMm * (1.0 + modulation));
}

// ---------------------------------------------------------------------------------------------
// The layout of the patient (mm, LPS). z = 0 is about the tenth thoracic vertebra.

// Body: an ellipse flattened at the back where the patient lies on the couch.
constexpr double kBodyHalfWidthMm = 162;
constexpr double kBodyHalfDepthMm = 122;
constexpr double kBodyCentreYMm = -2;
constexpr double kBodyBackYMm = 106;
constexpr double kSkinMm = 2.5;
constexpr double kSubcutaneousFatMm = 15;
constexpr double kBackFatMm = 12.5;

// Thoracic and abdominal cavity: one ellipse per side plus a central one (mediastinum in front
// of the spine, and the midline abdomen below the diaphragm).
constexpr double kSideCavityCentreXMm = 60;
constexpr double kSideCavityCentreYMm = -4;
constexpr double kSideCavityHalfWidthMm = 64;
constexpr double kSideCavityHalfDepthMm = 82;
constexpr double kCentralCavityCentreYMm = -30;
constexpr double kCentralCavityHalfWidthMm = 60;
constexpr double kCentralCavityHalfDepthMm = 72;

// Spine: a vertebra every 27 mm (22 mm body + 5 mm disc); level 0 (z = 10 mm) holds the lesion.
constexpr double kVertebraPitchMm = 27;
constexpr double kVertebraLevelZeroMm = 10;
constexpr double kVertebralBodyHalfHeightMm = 11;
constexpr double kVertebralBodyBackYMm = 55;
constexpr double kCorticalMm = 1.2;
constexpr double kCanalCentreYMm = 64;
constexpr double kCanalHalfWidthMm = 9.5;
constexpr double kCanalHalfDepthMm = 8;
constexpr double kCordCentreYMm = 63;
constexpr double kCordHalfWidthMm = 5;
constexpr double kCordHalfDepthMm = 4;

// Ribs: heads at the disc levels, descending toward the front by 0.27 mm per mm of arc for the
// highest rib, 0.015 more for each lower one (lower ribs are more oblique, so the intercostal
// spaces widen toward the side: ~18 mm between ribs at the lateral chest wall).
constexpr double kRibHeadAngleRad = 120.0 * kPi / 180.0;
constexpr double kRibMeanRadiusMm = 71;
constexpr double kRibDropPerMm = 0.27;
constexpr double kRibDropIncreasePerRib = 0.015;
constexpr double kRibOffsetMm = 5.5; // rib centre outside the cavity (pleura + half a rib)
constexpr double kRibHalfThicknessMm = 3.5;
constexpr double kRibHalfHeightMm = 5.0;

// Lesions.
const Vector3d kLungLesionCentre(-85, 15, 49.5);
constexpr double kLungLesionRadiusMm = 15;
const Vector3d kBoneLesionCentre(-2, 36, 10);
const Vector3d kBoneLesionSemiAxes(11, 9, 8.5);
const Vector3d kNodeCentre(38, -4, -55);
const Vector3d kNodeSemiAxes(11, 9.5, 10);
const Vector3d kAdrenalLesionCentre(-44, 28, -38);
constexpr double kAdrenalLesionRadiusMm = 12.5;

// Heart: an ellipsoid whose long axis points left and forward (25 degrees), sitting on the
// diaphragm.
const Vector3d kHeartCentre(20, -45, 54);
const Vector3d kHeartSemiAxes(58, 40, 46);
constexpr double kHeartAngleRad = -25.0 * kPi / 180.0;
constexpr double kPericardialFatMm = 5;

struct Sample {
  PhantomRegion region;
  double hu;
};

/// Height of the diaphragm (mm) over (x, y): two domes, the right one higher (the liver below it),
/// falling toward the sides and most toward the back (the posterior costophrenic recesses).
double DiaphragmZ(double x, double y) {
  const double peak = 23.0 - 5.0 * std::tanh(x / 30.0);
  const double spread = Sq((std::abs(x) - 55.0) / 70.0) + Sq((y + 5.0) / 85.0);
  return peak - 40.0 * spread - 20.0 * Sq(std::max(0.0, y) / 85.0);
}

Vector2d AortaCentre(double z) {
  return {18.0 + 0.08 * z, 8.0 + 0.04 * z};
}
double AortaRadius(double z) {
  return 12.0 - 1.5 * Clamp01((-20.0 - z) / 60.0);
}

double HeartLevel(const Vector3d& p, double growMm) {
  const double dx = p.x() - kHeartCentre.x();
  const double dy = p.y() - kHeartCentre.y();
  const double c = std::cos(kHeartAngleRad);
  const double s = std::sin(kHeartAngleRad);
  const double lx = c * dx + s * dy;
  const double ly = -s * dx + c * dy;
  return Sq(lx / (kHeartSemiAxes.x() + growMm)) + Sq(ly / (kHeartSemiAxes.y() + growMm)) +
         Sq((p.z() - kHeartCentre.z()) / (kHeartSemiAxes.z() + growMm));
}

/// Kidneys: ellipsoids whose upper pole leans toward the spine.
double KidneyLevel(const Vector3d& p, double side) {
  const double centreZ = side > 0 ? -75.0 : -92.0;
  const double centreX = side * (side > 0 ? 74.0 : 72.0) - side * 0.15 * (p.z() - centreZ);
  return Sq((p.x() - centreX) / 27.0) + Sq((p.y() - (side > 0 ? 52.0 : 55.0)) / 20.0) +
         Sq((p.z() - centreZ) / 55.0);
}

/// Adrenal glands: two thin limbs (an inverted V seen from the side) above and in front of the
/// kidney's upper pole.
bool InAdrenal(const Vector3d& p, double side) {
  const Vector3d limb1(side * 36.0, 20.0, side > 0 ? -28.0 : -26.0);
  const Vector3d limb2(side * 45.0, 30.0, side > 0 ? -30.0 : -28.0);
  return EllipsoidLevel(p, limb1, Vector3d(3.5, 12, 12)) <= 1.0 ||
         EllipsoidLevel(p, limb2, Vector3d(9.5, 3.5, 11)) <= 1.0;
}

/// Bone HU: cortical near the surface, cancellous (marrow) inside.
double BoneHu(bool inner) {
  return inner ? kHuMarrow : kHuCorticalBone;
}

/// The spine at p, or nothing. Levels are checked near z: pedicles, laminae and transverse
/// processes stay within their own level, the thoracic spinous process slopes down over the next.
std::optional<Sample> SpineAt(const Vector3d& p) {
  const double x = p.x();
  const double y = p.y();
  const double z = p.z();
  // Canal and cord run through every level.
  if (EllipseLevel(x, y, 0, kCanalCentreYMm, kCanalHalfWidthMm, kCanalHalfDepthMm) <= 1.0) {
    if (EllipseLevel(x, y, 0, kCordCentreYMm, kCordHalfWidthMm, kCordHalfDepthMm) <= 1.0) {
      return Sample{PhantomRegion::SpinalCord, kHuCord};
    }
    return Sample{PhantomRegion::SpinalCanal, kHuCsf};
  }
  const double levelPosition = (z - kVertebraLevelZeroMm) / kVertebraPitchMm;
  const auto nearest = static_cast<int>(std::floor(levelPosition + 0.5));
  for (int level = nearest; level <= nearest + 1; ++level) {
    const double zk = kVertebraLevelZeroMm + level * kVertebraPitchMm;
    const double dz = z - zk;
    // Thoracic (t = 0) to lumbar (t = 1): larger bodies, longer transverse processes, flatter
    // spinous processes.
    const double t = Clamp01((kVertebraLevelZeroMm - zk) / 80.0);
    const double ax = 19.0 + 4.0 * t;
    const double ay = 15.0 + 2.0 * t;
    if (level == nearest) {
      // Vertebral body (ellipse cut flat at the back) and the disc below/above it.
      const double bodyCentreY = kVertebralBodyBackYMm - ay + 3.0;
      const double bodyLevel = EllipseLevel(x, y, 0, bodyCentreY, ax, ay + 3.0);
      if (bodyLevel <= 1.0 && y <= kVertebralBodyBackYMm) {
        if (std::abs(dz) <= kVertebralBodyHalfHeightMm) {
          const bool inner =
              EllipseLevel(x, y, 0, bodyCentreY, ax - kCorticalMm, ay + 3.0 - kCorticalMm) <= 1 &&
              y <= kVertebralBodyBackYMm - kCorticalMm &&
              std::abs(dz) <= kVertebralBodyHalfHeightMm - kCorticalMm;
          return Sample{PhantomRegion::Vertebra, BoneHu(inner)};
        }
        return Sample{PhantomRegion::Disc, kHuDisc};
      }
      const double side = x >= 0 ? 1.0 : -1.0;
      const Vector2d q(x, y);
      // Pedicles: from the back of the body to the arch, beside the canal.
      if (dz >= -5.0 && dz <= 9.0) {
        const double d = SegmentDistance(q, Vector2d(side * 11.5, 52), Vector2d(side * 14.5, 66));
        if (d <= 4.5) {
          return Sample{PhantomRegion::Vertebra, BoneHu(d <= 4.5 - kCorticalMm)};
        }
      }
      // Laminae: the arch behind the canal.
      if (std::abs(dz - 1.0) <= 10.0 && y >= 62.0 &&
          EllipseLevel(x, y, 0, kCanalCentreYMm, 15.0, 14.0) <= 1.0) {
        const bool inner = EllipseLevel(x, y, 0, kCanalCentreYMm, 13.8, 12.8) <= 1.0 &&
                           EllipseLevel(x, y, 0, kCanalCentreYMm, kCanalHalfWidthMm + kCorticalMm,
                                        kCanalHalfDepthMm + kCorticalMm) > 1.0;
        return Sample{PhantomRegion::Vertebra, BoneHu(inner)};
      }
      // Transverse processes.
      if (dz >= -3.0 && dz <= 7.0) {
        const double d =
            SegmentDistance(q, Vector2d(side * 14.0, 67), Vector2d(side * (30.0 + 12.0 * t), 72));
        if (d <= 4.0) {
          return Sample{PhantomRegion::Vertebra, BoneHu(d <= 4.0 - kCorticalMm)};
        }
      }
    }
    // Spinous process (of this level or of the one above, which slopes down over this one).
    const double d =
        SegmentDistance(p, Vector3d(0, 74, zk + 2.0), Vector3d(0, 88, zk - 14.0 * (1.0 - t)));
    if (d <= 4.0) {
      return Sample{PhantomRegion::Vertebra, BoneHu(d <= 4.0 - kCorticalMm)};
    }
  }
  return std::nullopt;
}

/// Rib heads (z, mm) and how far forward each rib reaches (elliptic angle of its front end): the
/// 11th and 12th ribs are short (floating).
struct RibSpec {
  double headZMm;
  double endAngleRad;
};
constexpr std::array<RibSpec, 8> kRibs{{
    {158.0, -115.0 * kPi / 180.0},
    {131.0, -115.0 * kPi / 180.0},
    {104.0, -115.0 * kPi / 180.0},
    {77.0, -115.0 * kPi / 180.0},
    {50.0, -110.0 * kPi / 180.0},
    {23.0, -100.0 * kPi / 180.0},
    {-4.0, -20.0 * kPi / 180.0},
    {-31.0, 40.0 * kPi / 180.0},
}};

/// A rib at p (p outside the cavity), or nothing. Each rib follows its side's cavity ellipse
/// `kRibOffsetMm` outside it, from its head beside the spine round the side to the front, its
/// height falling with arc length; its cross-section is an ellipse (3.5 x 5 mm half-axes) with
/// a cortical ring.
std::optional<Sample> RibAt(const Vector3d& p) {
  const double side = p.x() >= 0 ? 1.0 : -1.0;
  const double u = side * p.x() - kSideCavityCentreXMm; // lateral positive
  const double v = p.y() - kSideCavityCentreYMm;
  const double rho = std::sqrt(Sq(u / kSideCavityHalfWidthMm) + Sq(v / kSideCavityHalfDepthMm));
  const double radius = std::hypot(u, v);
  const double outside = radius * (1.0 - 1.0 / rho); // radial distance outside the ellipse
  const double radial = outside - kRibOffsetMm;
  if (std::abs(radial) > kRibHalfThicknessMm) {
    return std::nullopt;
  }
  const double angle = std::atan2(v / kSideCavityHalfDepthMm, u / kSideCavityHalfWidthMm);
  if (angle > kRibHeadAngleRad) {
    return std::nullopt;
  }
  const double arcMm = (kRibHeadAngleRad - angle) * kRibMeanRadiusMm;
  for (std::size_t index = 0; index < kRibs.size(); ++index) {
    const RibSpec& rib = kRibs[index];
    if (angle < rib.endAngleRad) {
      continue;
    }
    const double dropPerMm = kRibDropPerMm + kRibDropIncreasePerRib * static_cast<double>(index);
    const double dz = p.z() - (rib.headZMm - dropPerMm * arcMm);
    if (Sq(radial / kRibHalfThicknessMm) + Sq(dz / kRibHalfHeightMm) <= 1.0) {
      const bool inner =
          Sq(radial / (kRibHalfThicknessMm - 1.5)) + Sq(dz / (kRibHalfHeightMm - 1.5)) <= 1.0;
      return Sample{PhantomRegion::Rib, BoneHu(inner)};
    }
  }
  return std::nullopt;
}

std::optional<Sample> SternumAt(const Vector3d& p) {
  if (p.z() <= 0.0) {
    return std::nullopt;
  }
  const bool body = p.z() > 25.0; // the xiphoid process below
  const double halfWidth = body ? 13.0 : 7.0;
  const double halfDepth = body ? 5.5 : 3.5;
  const double centreY = body ? -94.0 : -92.0;
  if (EllipseLevel(p.x(), p.y(), 0, centreY, halfWidth, halfDepth) > 1.0) {
    return std::nullopt;
  }
  const bool inner = EllipseLevel(p.x(), p.y(), 0, centreY, halfWidth - kCorticalMm,
                                  halfDepth - kCorticalMm) <= 1.0;
  return Sample{PhantomRegion::Sternum, BoneHu(inner)};
}

Sample LungTissue(const Vector3d& p, PhantomRegion lung) {
  // Vessels: where two independent smooth fields both cross zero (a curve), 2-3 mm thick.
  constexpr double kVesselBand = 0.09;
  if (std::abs(ValueNoise(p, 16.0, 101)) < kVesselBand &&
      std::abs(ValueNoise(p, 16.0, 202)) < kVesselBand) {
    return {lung, kHuLungVessel};
  }
  return {lung, kHuLung + kHuLungTextureAmplitude * ValueNoise(p, 4.0, 303)};
}

Sample Evaluate(const Vector3d& p) {
  const double x = p.x();
  const double y = p.y();
  const double z = p.z();

  // Body outline, skin.
  const double bodyY = y - kBodyCentreYMm;
  if (y > kBodyBackYMm || EllipseLevel(x, bodyY, 0, 0, kBodyHalfWidthMm, kBodyHalfDepthMm) > 1.0) {
    return {PhantomRegion::Outside, kHuAir};
  }
  if (y > kBodyBackYMm - kSkinMm ||
      EllipseLevel(x, bodyY, 0, 0, kBodyHalfWidthMm - kSkinMm, kBodyHalfDepthMm - kSkinMm) > 1.0) {
    return {PhantomRegion::Skin, kHuSkin};
  }

  // Lesions override their host tissue.
  if (InLobulatedSphere(p, kLungLesionCentre, kLungLesionRadiusMm)) {
    return {PhantomRegion::GtvLung, kHuLungLesion};
  }
  if (EllipsoidLevel(p, kBoneLesionCentre, kBoneLesionSemiAxes) <= 1.0) {
    return {PhantomRegion::GtvBone, kHuBoneLesion};
  }
  if (EllipsoidLevel(p, kNodeCentre, kNodeSemiAxes) <= 1.0) {
    return {PhantomRegion::GtvNode, kHuNodeLesion};
  }
  if (InLobulatedSphere(p, kAdrenalLesionCentre, kAdrenalLesionRadiusMm)) {
    return {PhantomRegion::GtvAdrenal, kHuAdrenalLesion};
  }

  // Spine (bounding box first: it is small).
  if (std::abs(x) < 46.0 && y > 15.0 && y < 101.0) {
    if (auto spine = SpineAt(p)) {
      return *spine;
    }
  }

  const bool inSubcutaneousFat =
      y > kBodyBackYMm - kSkinMm - kBackFatMm ||
      EllipseLevel(x, bodyY, 0, 0, kBodyHalfWidthMm - kSkinMm - kSubcutaneousFatMm,
                   kBodyHalfDepthMm - kSkinMm - kSubcutaneousFatMm) > 1.0;

  const double side = x >= 0 ? 1.0 : -1.0;
  const double sideLevel = EllipseLevel(side * x, y, kSideCavityCentreXMm, kSideCavityCentreYMm,
                                        kSideCavityHalfWidthMm, kSideCavityHalfDepthMm);
  const double centralLevel = EllipseLevel(x, y, 0, kCentralCavityCentreYMm,
                                           kCentralCavityHalfWidthMm, kCentralCavityHalfDepthMm);
  const bool inCavity = sideLevel <= 1.0 || centralLevel <= 1.0;

  if (!inCavity) {
    if (auto rib = RibAt(p)) {
      return *rib;
    }
    if (inSubcutaneousFat) {
      return {PhantomRegion::SubcutaneousFat, kHuSubcutaneousFat};
    }
    return {PhantomRegion::Muscle, kHuMuscle}; // chest and abdominal wall, erector spinae
  }
  if (auto sternum = SternumAt(p)) {
    return *sternum;
  }

  // Great vessels cross the diaphragm.
  const Vector2d aorta = AortaCentre(z);
  if (Sq(x - aorta.x()) + Sq(y - aorta.y()) <= Sq(AortaRadius(z))) {
    return {PhantomRegion::Aorta, kHuBlood};
  }
  const double diaphragmZ = DiaphragmZ(x, y);
  if (z <= diaphragmZ + 6.0 && EllipseLevel(x, y, -24, 0, 11, 9) <= 1.0) {
    return {PhantomRegion::Ivc, kHuBlood};
  }

  if (z > diaphragmZ) {
    // Thorax.
    if (EllipseLevel(x, y, -6, 16, 7, 7) <= 1.0) {
      return {PhantomRegion::Oesophagus, kHuOesophagus};
    }
    if (HeartLevel(p, 0.0) <= 1.0) {
      return {PhantomRegion::Heart, kHuBlood};
    }
    const bool inMediastinum = HeartLevel(p, kPericardialFatMm) <= 1.0 ||
                               EllipseLevel(x, y, 6, 24, 30, 34) <= 1.0 ||
                               EllipseLevel(x, y, 6, -70, 22, 35) <= 1.0;
    // The lung stays 1.5 mm inside its side's cavity (parietal pleura and endothoracic fascia).
    constexpr double kPleuraLevel = (1.0 - 1.5 / 70.0) * (1.0 - 1.5 / 70.0);
    if (!inMediastinum && sideLevel <= kPleuraLevel) {
      return LungTissue(p, side > 0 ? PhantomRegion::LungLeft : PhantomRegion::LungRight);
    }
    return {PhantomRegion::Fat, kHuFat};
  }
  if (z > diaphragmZ - 4.0) {
    return {PhantomRegion::Diaphragm, kHuDiaphragm};
  }

  // Upper abdomen.
  if (KidneyLevel(p, 1.0) <= 1.0) {
    return {PhantomRegion::KidneyLeft, kHuKidney};
  }
  if (KidneyLevel(p, -1.0) <= 1.0) {
    return {PhantomRegion::KidneyRight, kHuKidney};
  }
  if (InAdrenal(p, 1.0)) {
    return {PhantomRegion::AdrenalLeft, kHuAdrenal};
  }
  if (InAdrenal(p, -1.0)) {
    return {PhantomRegion::AdrenalRight, kHuAdrenal};
  }
  // Psoas muscles appear below the last ribs and grow downward.
  if (z < -40.0) {
    const double radius = 4.0 + 10.0 * Clamp01((-40.0 - z) / 60.0);
    if (EllipseLevel(std::abs(x), y, 21.0 + radius, 38.0, radius, radius) <= 1.0) {
      return {PhantomRegion::Muscle, kHuMuscle};
    }
  }
  if (EllipsoidLevel(p, Vector3d(98, 28, -28), Vector3d(20, 40, 35)) <= 1.0) {
    return {PhantomRegion::Spleen, kHuSpleen};
  }
  // Liver: under the right dome, its left lobe reaching across in front, its lower edge rising
  // from the right to the left; not behind the IVC next to the spine.
  const double liverBottomZ = -85.0 + 0.55 * (x + 110.0) + 0.15 * y;
  const double liverLeftX = 10.0 + 50.0 * Clamp01((-y - 10.0) / 40.0);
  if (z > liverBottomZ && x < liverLeftX && !(x > -32.0 && y > 12.0)) {
    return {PhantomRegion::Liver, kHuLiver};
  }
  if (EllipsoidLevel(p, Vector3d(60, -35, -15), Vector3d(35, 30, 35)) <= 1.0) {
    // Supine: the gas rises to the front of the stomach.
    return {PhantomRegion::Stomach, y < -52.0 ? kHuGas : kHuStomach};
  }
  // In front: bowel with mesenteric fat; behind (retroperitoneum): fat.
  const double peritonealY = -20.0 + 30.0 * Clamp01((std::abs(x) - 40.0) / 40.0);
  if (y < peritonealY) {
    if (ValueNoise(p, 9.0, 404) > 0.35) {
      return {PhantomRegion::Bowel, kHuFat};
    }
    return {PhantomRegion::Bowel, kHuBowel + 35.0 * ValueNoise(p, 6.0, 505)};
  }
  return {PhantomRegion::Fat, kHuFat};
}

short ToShort(double hu) {
  return static_cast<short>(std::lround(std::clamp(hu, -32768.0, 32767.0)));
}

// ---------------------------------------------------------------------------------------------
// The structures: what a clinic would draw, with RT ROI Interpreted Types and roles.
struct StructureSpec {
  const char* name;
  std::vector<PhantomRegion> regions; ///< empty: every region but Outside (BODY)
  std::array<std::uint8_t, 3> colorRgb;
  const char* interpretedType;
  StructureRole role;
};

std::vector<StructureSpec> StructureSpecs() {
  using R = PhantomRegion;
  using Role = StructureRole;
  return {
      {"BODY", {}, {0, 200, 0}, "EXTERNAL", Role::External},
      {"Skin", {R::Skin}, {255, 205, 160}, "ORGAN", Role::PassThrough},
      {"Lung_L", {R::LungLeft}, {0, 160, 255}, "ORGAN", Role::PassThrough},
      {"Lung_R", {R::LungRight}, {0, 210, 255}, "ORGAN", Role::PassThrough},
      {"Liver", {R::Liver}, {160, 90, 40}, "ORGAN", Role::PassThrough},
      {"Heart", {R::Heart}, {200, 0, 90}, "AVOIDANCE", Role::NoGo},
      {"Aorta", {R::Aorta}, {255, 60, 60}, "AVOIDANCE", Role::NoGo},
      {"IVC", {R::Ivc}, {70, 70, 255}, "AVOIDANCE", Role::NoGo},
      {"SpinalCord", {R::SpinalCord}, {255, 255, 0}, "AVOIDANCE", Role::NoGo},
      {"Vertebrae", {R::Vertebra}, {235, 235, 200}, "ORGAN", Role::Bone},
      {"Ribs", {R::Rib}, {205, 205, 170}, "ORGAN", Role::Bone},
      {"Sternum", {R::Sternum}, {220, 220, 185}, "ORGAN", Role::Bone},
      {"Kidney_L", {R::KidneyLeft}, {255, 140, 0}, "ORGAN", Role::OrganAtRisk},
      {"Kidney_R", {R::KidneyRight}, {255, 170, 60}, "ORGAN", Role::OrganAtRisk},
      {"Adrenal_L", {R::AdrenalLeft}, {190, 120, 255}, "ORGAN", Role::OrganAtRisk},
      {"Adrenal_R", {R::AdrenalRight}, {160, 90, 230}, "ORGAN", Role::OrganAtRisk},
      {"Spleen", {R::Spleen}, {120, 60, 160}, "ORGAN", Role::OrganAtRisk},
      {"Stomach", {R::Stomach}, {230, 200, 90}, "ORGAN", Role::OrganAtRisk},
      {"GTV_Lung", {R::GtvLung}, {255, 0, 0}, "GTV", Role::Target},
      {"GTV_Bone", {R::GtvBone}, {255, 40, 120}, "GTV", Role::Target},
      {"GTV_Node", {R::GtvNode}, {255, 90, 0}, "GTV", Role::Target},
      {"GTV_Adrenal", {R::GtvAdrenal}, {230, 0, 200}, "GTV", Role::Target},
  };
}

} // namespace

GridGeometry ThoraxPhantom::PlanningGeometry(const ThoraxPhantomOptions& options) {
  if (!(options.inPlaneSpacingMm > 0.1) || !(options.sliceSpacingMm > 0.1) ||
      !std::isfinite(options.inPlaneSpacingMm) || !std::isfinite(options.sliceSpacingMm)) {
    throw InvalidInput("phantom spacing is " + std::to_string(options.inPlaneSpacingMm) + " x " +
                       std::to_string(options.sliceSpacingMm) +
                       " mm; expected finite spacings above 0.1 mm");
  }
  // The box of the default grid: 384 x 288 x 80 voxels of 0.9 x 0.9 x 2.5 mm.
  constexpr double kBoxWidthMm = 384 * 0.9;
  constexpr double kBoxDepthMm = 288 * 0.9;
  constexpr double kBoxHeightMm = 80 * 2.5;
  const std::array<std::int64_t, 3> size{
      std::max<std::int64_t>(1, std::llround(kBoxWidthMm / options.inPlaneSpacingMm)),
      std::max<std::int64_t>(1, std::llround(kBoxDepthMm / options.inPlaneSpacingMm)),
      std::max<std::int64_t>(1, std::llround(kBoxHeightMm / options.sliceSpacingMm))};
  const Vector3d spacing(options.inPlaneSpacingMm, options.inPlaneSpacingMm,
                         options.sliceSpacingMm);
  const Vector3d origin(-0.5 * static_cast<double>(size[0] - 1) * spacing.x(),
                        -0.5 * static_cast<double>(size[1] - 1) * spacing.y(),
                        -0.5 * static_cast<double>(size[2] - 1) * spacing.z());
  return GridGeometry(origin, spacing, size);
}

PhantomRegion ThoraxPhantom::RegionAt(const Eigen::Vector3d& pointMm) {
  return Evaluate(pointMm).region;
}

short ThoraxPhantom::HuAt(const Eigen::Vector3d& pointMm) {
  return ToShort(Evaluate(pointMm).hu);
}

Volume<short> ThoraxPhantom::SampleCt(const GridGeometry& geometry,
                                      const Eigen::Matrix4d& gridToPlanning, double noiseSigmaHu,
                                      unsigned randomSeed, Volume<std::uint8_t>* regions) {
  geometry.Validate("phantom CT grid");
  if (!(noiseSigmaHu >= 0.0) || !std::isfinite(noiseSigmaHu)) {
    throw InvalidInput("phantom noise is " + std::to_string(noiseSigmaHu) +
                       " HU; expected a finite value >= 0");
  }
  const auto& size = geometry.Size();
  const std::int64_t nx = size[0];
  const std::int64_t ny = size[1];
  const std::int64_t nz = size[2];
  const Eigen::Matrix3d rotation = gridToPlanning.topLeftCorner<3, 3>();
  const Vector3d translation = gridToPlanning.topRightCorner<3, 1>();
  const Eigen::Matrix3d step = rotation * geometry.Direction() * geometry.SpacingMm().asDiagonal();
  const Vector3d start = rotation * geometry.OriginMm() + translation;

  std::vector<float> hu(static_cast<std::size_t>(geometry.NumberOfVoxels()));
  if (regions != nullptr) {
    *regions = Volume<std::uint8_t>(geometry, 0);
  }
  std::uint8_t* regionData = regions != nullptr ? regions->Data().data() : nullptr;

#pragma omp parallel for schedule(dynamic, 1)
  for (std::int64_t row = 0; row < ny * nz; ++row) {
    const std::int64_t j = row % ny;
    const std::int64_t k = row / ny;
    const Vector3d rowStart =
        start + step.col(1) * static_cast<double>(j) + step.col(2) * static_cast<double>(k);
    for (std::int64_t i = 0; i < nx; ++i) {
      const Sample sample = Evaluate(rowStart + step.col(0) * static_cast<double>(i));
      const auto index = static_cast<std::size_t>(geometry.LinearIndex(i, j, k));
      hu[index] = static_cast<float>(sample.hu);
      if (regionData != nullptr) {
        regionData[index] = static_cast<std::uint8_t>(sample.region);
      }
    }
  }

  // In-plane [1 2 1]/4 blur, then noise: the soft edges and grain of a reconstructed CT.
  Volume<short> ct(geometry, 0);
  short* out = ct.Data().data();
#pragma omp parallel for schedule(static)
  for (std::int64_t k = 0; k < nz; ++k) {
    std::vector<float> rowBlurred(static_cast<std::size_t>(nx * ny));
    const float* slice = hu.data() + k * nx * ny;
    for (std::int64_t j = 0; j < ny; ++j) {
      for (std::int64_t i = 0; i < nx; ++i) {
        const float left = slice[j * nx + std::max<std::int64_t>(i - 1, 0)];
        const float right = slice[j * nx + std::min<std::int64_t>(i + 1, nx - 1)];
        rowBlurred[static_cast<std::size_t>(j * nx + i)] =
            0.25F * left + 0.5F * slice[j * nx + i] + 0.25F * right;
      }
    }
    for (std::int64_t j = 0; j < ny; ++j) {
      const std::int64_t up = std::max<std::int64_t>(j - 1, 0);
      const std::int64_t down = std::min<std::int64_t>(j + 1, ny - 1);
      for (std::int64_t i = 0; i < nx; ++i) {
        const double blurred = 0.25 * rowBlurred[static_cast<std::size_t>(up * nx + i)] +
                               0.5 * rowBlurred[static_cast<std::size_t>(j * nx + i)] +
                               0.25 * rowBlurred[static_cast<std::size_t>(down * nx + i)];
        const std::int64_t index = geometry.LinearIndex(i, j, k);
        const double noise =
            noiseSigmaHu > 0.0
                ? noiseSigmaHu * GaussianNoise(randomSeed, static_cast<std::uint64_t>(index))
                : 0.0;
        out[index] = ToShort(std::max(kHuAir - 24.0, blurred + noise));
      }
    }
  }
  ct.MetaData()["Modality"] = "CT";
  ct.MetaData()["PatientPosition"] = "HFS";
  ct.MetaData()["Description"] = "seedplan thorax phantom (synthetic)";
  return ct;
}

std::vector<Structure> ThoraxPhantom::MakeStructures(const Volume<std::uint8_t>& regions) {
  std::vector<Structure> structures;
  int number = 1;
  for (const StructureSpec& spec : StructureSpecs()) {
    std::array<bool, static_cast<std::size_t>(PhantomRegion::Count)> member{};
    if (spec.regions.empty()) {
      member.fill(true);
      member[static_cast<std::size_t>(PhantomRegion::Outside)] = false;
    }
    for (PhantomRegion region : spec.regions) {
      member[static_cast<std::size_t>(region)] = true;
    }
    Structure structure;
    structure.number = number++;
    structure.name = spec.name;
    structure.colorRgb = spec.colorRgb;
    structure.interpretedType = spec.interpretedType;
    structure.role = spec.role;
    // Pass-through and bone have no Interpreted Type of their own (they are ORGAN): their role
    // comes from the name, as it would on reading the structure set back.
    const bool typeGivesRole =
        spec.role != StructureRole::PassThrough && spec.role != StructureRole::Bone;
    structure.roleSource = typeGivesRole ? "RT ROI Interpreted Type" : "naming rule";
    structure.mask = Mask(regions.Geometry(), 0);
    const std::uint8_t* in = regions.Data().data();
    std::uint8_t* out = structure.mask.Data().data();
    const std::int64_t count = regions.NumberOfVoxels();
#pragma omp parallel for schedule(static)
    for (std::int64_t index = 0; index < count; ++index) {
      out[index] = member[in[index]] ? 1 : 0;
    }
    structures.push_back(std::move(structure));
  }
  return structures;
}

// Prescriptions (ILLUSTRATIVE, inside the ranges of issue 4 and the clinical literature on
// CT-guided 125I implants of metastases: lung 110-140 Gy, bone 90-130 Gy, nodes and adrenals
// 110-130 Gy). The bone lesion gets the lower 100 Gy because it lies closest to the cord.
std::vector<PhantomLesion> ThoraxPhantom::Lesions() {
  return {
      {"GTV_Lung", "lung", 120.0, kLungLesionCentre, 2.0 * kLungLesionRadiusMm},
      {"GTV_Bone", "bone", 100.0, kBoneLesionCentre, 2.0 * kBoneLesionSemiAxes.mean()},
      {"GTV_Node", "lymph node", 120.0, kNodeCentre, 2.0 * kNodeSemiAxes.mean()},
      {"GTV_Adrenal", "adrenal", 120.0, kAdrenalLesionCentre, 2.0 * kAdrenalLesionRadiusMm},
  };
}

// Organ limits (ILLUSTRATIVE: total dose of the permanent implant, all seeds of all lesions; not
// clinical advice). Set from the distances built into the anatomy and the fall-off of 125I around
// a small target planned to D90 = Rx: measured here (TG-43 6711, seeds on a 6-9 mm lattice at
// least 2.5 mm inside each lesion, strengths scaled to D90 = Rx, all four lesions together) about
// 35 % of Rx 5 mm outside the target and 10-12 % at 15 mm. That rough plan gives SpinalCord
// D0.1cc 11 Gy, Aorta D2cc 17 Gy (Dmax 43 Gy), IVC D2cc 11 Gy, Kidney_R D2cc 11 Gy, Kidney_L D2cc
// 2 Gy, Heart D1cc 2 Gy. Each limit is 2-3 times that, so that a good plan meets it with room
// for peripheral loading (V100 >= 95 % puts seeds near the edge), while seeds placed carelessly
// near the organ break it:
// - SpinalCord D0_1cc <= 30 Gy: the cord is 15 mm behind the vertebral lesion (Rx 100 Gy).
// - Aorta D2cc <= 40 Gy: the node (Rx 120 Gy) lies 5 mm beside it, with a fat plane between.
// - IVC D2cc <= 40 Gy: 13 mm from the adrenal lesion (Rx 120 Gy).
// - Heart D1cc <= 15 Gy: 50 mm from the lung lesion.
// - Kidney_R D2cc <= 25 Gy (12 mm below the adrenal lesion), Kidney_L D2cc <= 15 Gy (35 mm from
//   the node).
std::vector<OrganLimit> ThoraxPhantom::Limits() {
  return {
      {"SpinalCord", "D0_1cc", 30.0}, {"Aorta", "D2cc", 40.0},    {"Heart", "D1cc", 15.0},
      {"IVC", "D2cc", 40.0},          {"Kidney_R", "D2cc", 25.0}, {"Kidney_L", "D2cc", 15.0},
  };
}

// The sample arrangement in GTV_Lung: parallel needles along +x from the right lateral chest
// wall, on a 3 x 3 lattice 10 mm apart in y and 7.5 mm apart in z whose rows follow the slope of
// the ribs at the entry point (z rises 0.26 mm per mm toward the back), so that every needle
// passes through the same intercostal space, 2 mm or more from the ribs. Seeds 8 mm apart along
// each needle, centred on the lesion's chord, the outer ones at least 3.5 mm inside the lesion's
// (spherical) surface: 19 seeds of 0.55 mCi (10.5 mCi). With the 6711 data (TG-43 2D) this gives
// D90 ~ 124 Gy, V100 ~ 95 % for the 120 Gy prescription: about what a physicist gets by hand
// before optimising, and a fixed dose for the demo until the planner exists.
std::vector<Seed> ThoraxPhantom::SampleSeeds() {
  constexpr double kNeedleSpacingYMm = 10.0;
  constexpr double kNeedleSpacingZMm = 7.5;
  constexpr double kRibSlope = 0.26;
  constexpr double kSeedSpacingMm = 8.0;
  constexpr double kSeedInsetMm = 3.5;
  const double strengthU = kSampleSeedActivityMCi * kUPerMCi;
  std::vector<Seed> seeds;
  int needle = 0;
  for (int row = -1; row <= 1; ++row) {
    for (int column = -1; column <= 1; ++column) {
      ++needle;
      const double dy = column * kNeedleSpacingYMm;
      const double dz = row * kNeedleSpacingZMm + kRibSlope * dy;
      const double halfChord = std::sqrt(Sq(kLungLesionRadiusMm) - dy * dy - dz * dz);
      if (halfChord < kSeedInsetMm) {
        continue;
      }
      const int count =
          1 + static_cast<int>(std::floor((2.0 * (halfChord - kSeedInsetMm)) / kSeedSpacingMm));
      for (int s = 0; s < count; ++s) {
        Seed seed;
        seed.positionMm =
            kLungLesionCentre + Vector3d((s - 0.5 * (count - 1)) * kSeedSpacingMm, dy, dz);
        seed.direction = SampleNeedleDirection();
        seed.strengthU = strengthU;
        seed.model = kSampleSeedModel;
        // Appended rather than "L" + ...: GCC 12 warns falsely (-Wrestrict) on the latter.
        seed.needle = std::string("L").append(std::to_string(needle));
        seeds.push_back(seed);
      }
    }
  }
  return seeds;
}

PhantomCase ThoraxPhantom::Generate(const ThoraxPhantomOptions& options) {
  PhantomCase phantomCase;
  Volume<std::uint8_t> regions;
  phantomCase.ct = SampleCt(PlanningGeometry(options), Eigen::Matrix4d::Identity(),
                            options.noiseSigmaHu, options.randomSeed, &regions);
  phantomCase.structures = MakeStructures(regions);
  phantomCase.lesions = Lesions();
  phantomCase.limits = Limits();
  phantomCase.sampleSeeds = SampleSeeds();
  return phantomCase;
}

} // namespace seedplan::imaging
