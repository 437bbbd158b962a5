#pragma once

#include "seedplan/core/Seed.h"
#include "seedplan/imaging/StructureSet.h"
#include "seedplan/planning/Plan.h"
#include "seedplan/planning/TrajectoryCheck.h"

#include <Eigen/Core>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace seedplan::planning {

/// How needles are laid out through a target (lengths in mm).
struct NeedleLayoutOptions {
  /// A lattice line is kept if its chord through the target is at least one seed long (a 6711
  /// seed is 4.5 mm): a shorter chord could not hold a seed.
  double minChordMm = 5.0;
  /// The tip stops this far before the far end of the chord (but never before its middle), so
  /// that it lies inside the target by more than a voxel's uncertainty.
  double tipInsetMm = 1.5;
  /// Free mode: directions searched, evenly spread over the sphere (Fibonacci lattice; 2000 give
  /// a mean spacing of 4.5°, about 8 mm at 10 cm depth, less than an intercostal space).
  int freeDirectionCount = 2000;
  /// Free mode: how many of the cheapest directions (at least `freeSeparationDeg` apart) are laid
  /// out as parallel needles and compared by the target they cover.
  int freeLayoutCandidates = 8;
  double freeSeparationDeg = 8.0;
  /// Free mode: layouts are compared by their mean needle cost (TrajectoryReport::costMm) plus
  /// this weight times the fraction of the target they miss (1 − coverage). 100 mm: a layout
  /// that reaches 10 % less of the target must save more than 10 mm per needle (half a pleural
  /// crossing) to win; an anterior route through liver and both pleurae does not beat a
  /// posterior one that misses a fifth of a vertebral lesion.
  double freeCoverageWeightMm = 100.0;
};

/// The needles planned for one target: accepted ones (with what they cross) and rejected ones
/// with the reason, along one direction (unit, from entry to tip).
struct NeedlePlan {
  std::vector<Needle> accepted;
  std::vector<std::pair<Needle, std::string>> rejected;
  Eigen::Vector3d direction = Eigen::Vector3d::Zero();
  /// Sum of the accepted needles' chords through the target over that of all lattice lines that
  /// meet the target: with parallel needles on a square lattice, the fraction of the target's
  /// volume the needles reach.
  double coverage = 0.0;
  /// Free mode: how many directions were searched, how many gave an acceptable central path, and
  /// how many were rejected by each rule ("no-go Aorta", "bone Ribs", ...).
  int directionsSearched = 0;
  int directionsAccepted = 0;
  std::map<std::string, int> directionRejections;
  /// Free mode: one line per direction laid out (the chosen one first): direction, central path
  /// cost, needles accepted, coverage.
  std::vector<std::string> candidateSummary;
};

/// NeedlePlanner: places needles through a target (patient coordinates, LPS, mm) and the
/// candidate seed positions along them (DESIGN.md, Planning: needles; issue 4, "Needles").
/// Template mode: parallel needles along a template normal, on a square lattice of the needle
/// spacing in the plane perpendicular to it, with a node on the target's centroid or shifted by
/// half a spacing (whichever keeps the most lines through the target: four needles around the
/// centre of a small lesion rather than one through it); each
/// lattice line that meets the target over at least one seed's length becomes a needle from the
/// skin (where the line leaves the BODY behind the target) to the far end of its chord; each is
/// judged by TrajectoryCheck. Free mode: the straight paths from the target's centroid to the
/// skin in evenly spread directions are judged by TrajectoryCheck, the cheapest few acceptable
/// directions are laid out as templates, the best (mean needle cost and target missed, see
/// NeedleLayoutOptions::freeCoverageWeightMm) is refined by small tilts, and its needles are
/// returned: free mode is the best-angled template. Needle ids are "<target>-N<k>", k = 1, 2, ...
/// over the lattice lines kept.
class NeedlePlanner {
public:
  /// Throws InvalidInput for a zero or non-finite normal, a spacing that is not positive, or an
  /// unknown target (see TrajectoryCheck).
  static NeedlePlan Template(const imaging::StructureSet& structures, const std::string& targetName,
                             const Eigen::Vector3d& templateNormal, double needleSpacingMm,
                             const TrajectoryOptions& options,
                             const NeedleLayoutOptions& layout = {});

  /// The best-angled template (see the class comment). If no direction reaches the target,
  /// `direction` is zero, `accepted` empty, and `rejected` holds one central path (from the skin
  /// to the target's centre, id "<target>-D<k>", k = the direction's number) for each rule that
  /// rejected directions, with its reason.
  static NeedlePlan Free(const imaging::StructureSet& structures, const std::string& targetName,
                         double needleSpacingMm, const TrajectoryOptions& options,
                         const NeedleLayoutOptions& layout = {});

  /// Candidate seed positions: along each needle (between its entry and tip), every
  /// `seedSpacingMm` inside the target grown by `marginMm` (a point is inside if it lies within
  /// `marginMm` of a target voxel's cell), centred on each stretch of the needle inside
  /// (symmetric: the outer positions are equally far from the stretch's ends). Direction along
  /// the needle, the needle's id, strength 0 (the optimiser sets it), model empty.
  static std::vector<Seed> CandidatePositions(const std::vector<Needle>& needles,
                                              const imaging::Structure& target,
                                              double seedSpacingMm, double marginMm);
};

} // namespace seedplan::planning
