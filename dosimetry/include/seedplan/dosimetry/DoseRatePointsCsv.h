#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace seedplan::dosimetry {

/// One point of `seedplan dose-rate` in TG-43's own frame (cm; z along the seed's axis, y away
/// from it, the seed's centre at the origin), with the text it was given as (echoed in the output).
struct DoseRatePoint {
  double yCm = 0.0;
  double zCm = 0.0;
  std::string yText;
  std::string zText;
};

/// The points CSV of `seedplan dose-rate`: header with y_cm and z_cm (other columns ignored), one
/// point per row, each coordinate a finite number within limits::kMaxPointDistanceCm of the seed.
/// Read with at most limits::kMaxPointsCsvBytes bytes. Refusals (DataFormat, InvalidInput, Io)
/// name the file, the line and the column.
class DoseRatePointsCsv {
public:
  static std::vector<DoseRatePoint> Read(const std::filesystem::path& path);
  /// As Read, from CSV text; `file` names the source in messages.
  static std::vector<DoseRatePoint> Parse(const std::string& text, const std::string& file);
};

} // namespace seedplan::dosimetry
