#pragma once

#include "seedplan/core/GridGeometry.h"
#include "seedplan/core/Seed.h"
#include "seedplan/core/Volume.h"
#include "seedplan/imaging/Structure.h"

#include <Eigen/Core>
#include <cstdint>
#include <string>
#include <vector>

namespace seedplan::imaging {

/// How the sample patient's planning CT is sampled. The anatomy itself is fixed (analytic, in
/// patient mm); these only choose the grid and the scanner noise.
struct ThoraxPhantomOptions {
  double inPlaneSpacingMm = 0.9;
  double sliceSpacingMm = 2.5;
  double noiseSigmaHu = 10.0;     ///< white Gaussian noise added to every voxel (0 = none)
  unsigned randomSeed = 20261128; ///< seeds the noise (the anatomy does not depend on it)
};

/// One target lesion of the sample case with its prescription (ILLUSTRATIVE, see ThoraxPhantom).
struct PhantomLesion {
  std::string structureName; ///< "GTV_Lung", ...
  std::string site;          ///< "lung", "bone", "lymph node" or "adrenal"
  double prescriptionGy = 0; ///< total dose of the permanent implant (D90 >= Rx)
  Eigen::Vector3d centreMm = Eigen::Vector3d::Zero();
  double approximateDiameterMm = 0;
};

/// A dose limit "at most limitGy" on an organ's metric (ILLUSTRATIVE, see ThoraxPhantom).
struct OrganLimit {
  std::string structureName;
  std::string metric; ///< "Dmax", "D0_1cc", "D1cc" or "D2cc"
  double limitGy = 0;
};

/// The region of the analytic anatomy a point belongs to: the structure it is drawn in (with its
/// side) plus the tissues that have no structure (fat, muscle, bowel, disc, CSF, ...).
enum class PhantomRegion : std::uint8_t {
  Outside,
  Skin,
  SubcutaneousFat,
  Muscle,
  Fat,
  Bowel,
  Diaphragm,
  Oesophagus,
  LungLeft,
  LungRight,
  Heart,
  Aorta,
  Ivc,
  Liver,
  Spleen,
  Stomach,
  KidneyLeft,
  KidneyRight,
  AdrenalLeft,
  AdrenalRight,
  Vertebra,
  Disc,
  SpinalCanal,
  SpinalCord,
  Rib,
  Sternum,
  GtvLung,
  GtvBone,
  GtvNode,
  GtvAdrenal,
  Count
};

/// The sample patient as core types: the planning CT, the structures with roles, the lesions with
/// their prescriptions, the organ limits and a fixed seed arrangement in the lung lesion.
struct PhantomCase {
  Volume<short> ct;                  ///< HU on the planning grid (LPS, HFS, identity direction)
  std::vector<Structure> structures; ///< masks on the CT grid
  std::vector<PhantomLesion> lesions;
  std::vector<OrganLimit> limits;
  /// Parallel needles from the right lateral skin into GTV_Lung, 125I model 6711, direction along
  /// the needle (+x), needle ids "L1".."L9"; its D90 is close to the lung prescription.
  std::vector<Seed> sampleSeeds;
};

/// ThoraxPhantom: the deterministic sample patient of seedplan (issue 3, "The sample patient"): a
/// lower thorax and upper abdomen defined analytically in patient coordinates (LPS, mm; +x patient
/// left, +y posterior, +z superior; head first supine), so that the same anatomy can be sampled on
/// any grid — the planning CT, or a post-implant CT in which the patient lies slightly differently
/// (PostImplantPhantom). Body outline with skin and subcutaneous fat, muscle, lungs with vessels,
/// ribs and sternum, vertebrae (body, pedicles, arch, transverse and spinous processes, discs),
/// spinal canal and cord, a non-contrast heart, aorta and IVC (blood ~ +40 HU: CT-guided implants
/// are usually planned on non-contrast CT; fat planes separate the vessels from the lesions),
/// diaphragm, liver, spleen, stomach (with a gas cap), kidneys and adrenals; four targets (lung,
/// vertebral body, left para-aortic node, right adrenal). Prescriptions and organ limits are
/// ILLUSTRATIVE values chosen inside the clinical ranges so that a good plan can meet them (the
/// reasoning is next to the numbers in ThoraxPhantom.cpp); they are not clinical advice.
class ThoraxPhantom {
public:
  /// The whole case on the planning grid (about 1 s on one core for the default grid).
  static PhantomCase Generate(const ThoraxPhantomOptions& options = {});

  /// The planning CT grid: 384 x 288 voxels in plane, 80 slices at the default spacings, over
  /// about 346 x 259 x 200 mm centred on x = 0, y = 0, z = 0; other spacings keep that box.
  static GridGeometry PlanningGeometry(const ThoraxPhantomOptions& options = {});

  /// The anatomy at a point of the planning frame (mm), without noise or blur.
  static PhantomRegion RegionAt(const Eigen::Vector3d& pointMm);
  static short HuAt(const Eigen::Vector3d& pointMm);

  /// HU on `geometry` of the anatomy seen through `gridToPlanning` (a rigid map, homogeneous, mm:
  /// x_planning = gridToPlanning * x_grid): noise-free values smoothed in plane by a [1 2 1]/4
  /// kernel (a CT reconstruction kernel's blur: soft partial-volume edges), then white noise of
  /// `noiseSigmaHu` seeded by `randomSeed`. Deterministic and independent of the thread count.
  /// `regions`, if given, receives the region of every voxel centre.
  static Volume<short> SampleCt(const GridGeometry& geometry, const Eigen::Matrix4d& gridToPlanning,
                                double noiseSigmaHu, unsigned randomSeed,
                                Volume<std::uint8_t>* regions = nullptr);

  /// The structures (name, colour, interpreted type, role, mask) from a region volume.
  static std::vector<Structure> MakeStructures(const Volume<std::uint8_t>& regions);

  static std::vector<PhantomLesion> Lesions();
  static std::vector<OrganLimit> Limits();
  static std::vector<Seed> SampleSeeds();

  /// Sample seeds' strength: 0.55 mCi apparent activity, 6711 (1.270 U/mCi).
  static constexpr double kSampleSeedActivityMCi = 0.55;
  static constexpr double kUPerMCi = 1.270;
  static constexpr const char* kSampleSeedModel = "6711";
  /// Direction of the sample needles (tip minus entry): from the right lateral skin toward +x.
  static Eigen::Vector3d SampleNeedleDirection() { return Eigen::Vector3d::UnitX(); }
};

} // namespace seedplan::imaging
