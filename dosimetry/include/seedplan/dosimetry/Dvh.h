#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace seedplan::dosimetry {

/// A cumulative dose-volume histogram kept as its samples, without binning (DESIGN.md, DVH): each
/// sample is a dose (Gy, total dose of a permanent implant unless the caller says otherwise) and
/// the volume (mm^3) it stands for. Samples are sorted by dose, hottest first; sample k occupies
/// the cumulative-volume interval [V_{k-1}, V_k].
///
/// Dx (DoseAtVolumeFraction) is the minimum dose of the hottest fraction x of the volume,
/// interpolated linearly in cumulative volume between the midpoints of the samples' intervals and
/// clamped to the hottest / coldest sample beyond the first / last midpoint: D0 = Dmax and
/// D100 = Dmin. Vx (VolumeFractionAtLeast) counts the volume of the samples with dose >= x, without
/// interpolation. Volumes are reported in cc (cm^3).
class Dvh {
public:
  struct Sample {
    double doseGy;
    double volumeMm3;
  };
  struct CurvePoint {
    double doseGy;
    double volumePct; ///< % of the structure's volume receiving at least doseGy
  };

  /// Throws InvalidInput if there is no sample, a dose is not finite, a volume is negative or not
  /// finite, or the total volume is zero.
  explicit Dvh(std::vector<Sample> samples);

  /// The same DVH from the samples of a voxel mask, the form the DVH calculator produces millions
  /// of: sample k has dose doseGy[k] (Gy) and volume voxelVolumeMm3 / parts[k] (a voxel split
  /// into parts[k] sub-voxels; parts >= 1). Sorted by a radix sort on the dose (linear time)
  /// instead of a comparison sort of 16-byte samples; equal doses keep the larger volume first,
  /// as the other constructor does, and the volumes are exact. Same refusals.
  /// The arrays are taken (and freed as soon as sorted: peak memory ~20 bytes per sample).
  static Dvh FromVoxelSamples(std::vector<float> doseGy, std::vector<std::uint16_t> parts,
                              double voxelVolumeMm3);

  /// The same DVH from samples already in descending dose order, kept in that order (no sort):
  /// e.g. fine dose bins whose edges are zero-volume samples (DvhCalculator, large structures), so
  /// that Dx does not interpolate across a whole bin. InvalidInput if a dose is higher than the
  /// one before it, and the same refusals as the constructor.
  static Dvh FromDescendingSamples(const std::vector<Sample>& samples);

  std::size_t SampleCount() const { return m_DoseGy.size(); }
  double VolumeCc() const;
  double VolumeMm3() const { return m_TotalVolumeMm3; }
  double MinDoseGy() const { return m_DoseGy.back(); }
  double MaxDoseGy() const { return m_DoseGy.front(); }
  /// Volume-weighted mean dose.
  double MeanDoseGy() const { return m_MeanDoseGy; }

  /// Minimum dose of the hottest `fraction` (0..1) of the volume; InvalidInput outside [0, 1].
  double DoseAtVolumeFraction(double fraction) const;
  /// Minimum dose of the hottest `volumeCc`; nullopt if the structure is smaller than that (D2cc of
  /// a 1 cc structure is undefined, not 0). InvalidInput if volumeCc is negative or not finite.
  std::optional<double> DoseAtVolumeCc(double volumeCc) const;

  /// Fraction (0..1) of the volume receiving a dose >= doseGy.
  double VolumeFractionAtLeast(double doseGy) const;
  /// Volume (cc) receiving a dose >= doseGy.
  double VolumeCcAtLeast(double doseGy) const;

  /// `pointCount` (>= 2) points of the cumulative curve, doses evenly spaced from 0 to Dmax.
  std::vector<CurvePoint> Curve(int pointCount) const;

private:
  Dvh() = default;
  /// Fills the sorted arrays from samples already in descending dose order.
  template <class DoseAt, class VolumeAt>
  void Build(std::size_t count, DoseAt dose, VolumeAt volume);

  /// Volume of the samples with dose >= doseGy, mm^3.
  double VolumeMm3AtLeast(double doseGy) const;

  std::vector<float> m_DoseGy;               ///< descending (float: the samples' precision)
  std::vector<double> m_CumulativeVolumeMm3; ///< V_k, volume of samples 0..k
  double m_TotalVolumeMm3 = 0.0;
  double m_MeanDoseGy = 0.0;
};

} // namespace seedplan::dosimetry
