#pragma once

#include "seedplan/core/Volume.h"
#include "seedplan/dosimetry/Dvh.h"

#include <optional>
#include <string>

namespace seedplan::dosimetry {

/// Dose metrics of one structure from its DVH (DESIGN.md, DVH), for a prescription Rx in Gy. Doses
/// are in Gy (total dose of a permanent implant, TG-43 in water, as the DVH's dose), volumes in cc.
///  - Dx: minimum dose of the hottest x % of the volume (Dvh::DoseAtVolumeFraction); Dxcc: of the
///    hottest x cc, null if the structure is smaller than x cc.
///  - Vx: % of the structure's volume receiving >= x % of Rx.
///  - CI = (V_T,ref/V_T)(V_T,ref/V_ref), EI = (V_ref - V_T,ref)/V_T, HI = (V_T,100 -
///  V_T,150)/V_T,100
///    with V_T the structure's volume, V_T,ref = V_T,100 its volume receiving >= Rx, V_T,150 >= 1.5
///    Rx, and V_ref the volume inside the prescription isodose over the whole dose grid. CI and EI
///    are null without V_ref (or with V_ref = 0), HI is null when V_T,100 = 0. They are meaningful
///    for targets; for organs at risk read Dmax and the Dxcc.
struct DoseMetrics {
  double prescriptionGy = 0.0;
  double volumeCc = 0.0;
  double D90Gy = 0.0;
  double D98Gy = 0.0;
  double D100Gy = 0.0;
  double DmeanGy = 0.0;
  double DminGy = 0.0;
  double DmaxGy = 0.0;
  double V100Pct = 0.0;
  double V150Pct = 0.0;
  double V200Pct = 0.0;
  std::optional<double> D2ccGy;
  std::optional<double> D1ccGy;
  std::optional<double> D0_1ccGy;
  std::optional<double> CI;
  std::optional<double> EI;
  std::optional<double> HI;

  /// Throws InvalidInput if rxGy is not finite or <= 0, or prescriptionIsodoseVolumeCc is given and
  /// is negative or not finite.
  static DoseMetrics Compute(const Dvh& dvh, double rxGy,
                             std::optional<double> prescriptionIsodoseVolumeCc);

  /// One JSON object with the keys volume_cc, D90_Gy, D98_Gy, D100_Gy, Dmean_Gy, Dmin_Gy, Dmax_Gy,
  /// V100_pct, V150_pct, V200_pct, D2cc_Gy, D1cc_Gy, D0_1cc_Gy, CI, EI, HI (null where undefined,
  /// numbers with 6 significant digits).
  std::string ToJson() const;

  /// A readable, aligned table, one metric per line with its unit, under a header line that names
  /// `title` and says the dose is TG-43 in water, total dose (Gy).
  std::string ToTable(const std::string& title) const;
};

/// V_ref: volume (cc) of the dose grid's voxels with dose >= rxGy, i.e. inside the prescription
/// isodose over the whole grid. At the dose grid's resolution (voxel count x voxel volume, no
/// sub-voxel sampling). Throws InvalidInput if rxGy is not finite or <= 0.
double PrescriptionIsodoseVolumeCc(const Volume<float>& doseGy, double rxGy);

/// V_ref for one lesion of several (docs/ARCHITECTURE.md): the same count restricted to the dose
/// voxels whose centres lie within `reachMm` of the structure's box (the patient-axis box of its
/// inside voxel centres), so that another lesion's prescription isodose does not count. Throws
/// InvalidInput for rxGy as above, an empty mask or a negative or non-finite reach.
double PrescriptionIsodoseVolumeCc(const Volume<float>& doseGy, double rxGy, const Mask& structure,
                                   double reachMm);

/// The default reach: the 100 % isodose of a conformal 125I implant lies within a few mm of the
/// target, and the sample patient's lesions are > 40 mm apart.
constexpr double kDefaultIsodoseReachMm = 20.0;

} // namespace seedplan::dosimetry
