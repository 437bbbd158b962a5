#pragma once

#include "seedplan/imaging/RtBrachyPlan.h"

#include <cstdint>
#include <filesystem>

namespace seedplan::imaging {

/// Reads the seeds of a brachytherapy DICOM RT Plan written by any system (PS3.3 C.8.8.15).
///
/// A seed is a pair of consecutive control points of a channel at one position (within
/// kSamePositionToleranceMm) whose Cumulative Time Weight rises: the standard's "fixed (manually
/// placed) sources" example (one channel of two control points per seed, as VariSeed writes), and
/// equally a single channel holding many seeds as stepwise dwell pairs (weights 0, w, w, 2w, ...).
/// A rise between two different positions is source transit (C.8.8.15.8) and no seed. A channel
/// whose weights are all empty gives one seed per run of control points at one position, with a
/// warning. Position: Control Point 3D Position (LPS, mm); direction: Control Point Orientation
/// (normalised) where present; strength: the channel's source's Reference Air Kerma Rate (µGy/h
/// at 1 m, numerically U) at its Source Strength Reference Date and Time.
///
/// Refused with one line naming the file and the attribute: not a DICOM Part 10 file, a
/// structural fault (DicomFileCheck), another kind of object (not RT Plan Storage), an external
/// beam or ion plan (NotSupported), an HDR, PDR or MDR plan or a technique other than PERMANENT
/// or INTERSTITIAL (NotSupported), an isotope other than 125I (NotSupported: the source library
/// holds 125I models), a source without Reference Air Kerma Rate > 0 or without reference date
/// and time (InvalidInput), control points without a 3D position (InvalidInput), decreasing
/// cumulative weights, a channel referencing an unknown source, positions beyond ±10 m, no seed
/// at all (InvalidInput). Read with a warning (log::Warning): a strength outside 0.1-5 U (a unit
/// mix-up such as mCi or µGy/h at 1 cm is likely), technique INTERSTITIAL (read as permanent), a
/// Number of Control Points that disagrees with the sequence, a zero orientation (ignored).
class RtPlanReader {
public:
  static constexpr double kSamePositionToleranceMm = 0.01;
  static constexpr double kLowestPlausibleStrengthU = 0.1;
  static constexpr double kHighestPlausibleStrengthU = 5.0;
  /// A seed plan of thousands of seeds is a few MB; beyond 256 MiB it is not a seed plan.
  static constexpr std::uintmax_t kMaxFileBytes = std::uintmax_t(256) << 20;

  static RtBrachyPlan Read(const std::filesystem::path& file);
};

} // namespace seedplan::imaging
