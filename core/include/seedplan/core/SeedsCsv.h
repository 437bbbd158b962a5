#pragma once

#include "seedplan/core/Seed.h"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace seedplan {

/// One row of a seeds CSV as read, before the strength is resolved: a row may give its strength in
/// U, its apparent activity in mCi, or neither (then the command line gives it).
struct SeedsCsvRow {
  Seed seed;                         ///< strengthU is 0 until resolved
  std::optional<double> strengthU;   ///< column strength_U
  std::optional<double> activityMCi; ///< column activity_mCi
  std::size_t line = 0;              ///< line in the file, for messages
};

/// The seeds CSV contract of DESIGN.md, shared by every command that reads or writes seeds:
/// required x_mm,y_mm,z_mm; optional dir_x,dir_y,dir_z (all empty = orientation unknown),
/// strength_U or activity_mCi, model, needle, confidence, in any order; unknown columns are
/// ignored with a warning.
class SeedsCsv {
public:
  /// Reads and validates `path`. Throws DataFormat/InvalidInput naming the file, line and column:
  /// no seeds, non-finite position, a partly given or zero direction, non-positive strength or
  /// activity, both strength and activity in one row, confidence outside [0, 1].
  /// Positions must lie within limits::kMaxCoordinateMm of the origin, strengths within
  /// (0, kMaxStrengthU] U, activities within (0, kMaxActivityMCi] mCi; the file is read with at
  /// most limits::kMaxSeedsCsvBytes bytes.
  static std::vector<SeedsCsvRow> Read(const std::filesystem::path& path);
  /// As Read, from CSV text; `file` names the source in messages.
  static std::vector<SeedsCsvRow> Parse(const std::string& text, const std::string& file);
  /// Writes seeds atomically; strength_U and model columns only when `withStrength`.
  static void Write(const std::filesystem::path& path, const std::vector<Seed>& seeds,
                    bool withStrength);
  /// The CSV text Write would produce.
  static std::string Format(const std::vector<Seed>& seeds, bool withStrength);
};

} // namespace seedplan
