#include "seedplan/dosimetry/DoseRatePointsCsv.h"

#include "seedplan/core/CsvTable.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/InputFile.h"
#include "seedplan/core/InputLimits.h"

namespace seedplan::dosimetry {

std::vector<DoseRatePoint> DoseRatePointsCsv::Read(const std::filesystem::path& path) {
  return Parse(InputFile::ReadAll(path, limits::kMaxPointsCsvBytes, "points CSV"), path.string());
}

std::vector<DoseRatePoint> DoseRatePointsCsv::Parse(const std::string& text,
                                                    const std::string& file) {
  const CsvTable table = CsvTable::Parse(text, file);
  const std::size_t yColumn = table.RequireColumn("y_cm");
  const std::size_t zColumn = table.RequireColumn("z_cm");
  if (table.RowCount() == 0) {
    throw DataFormat(file + ": has a header but no points; expected at least one row");
  }
  std::vector<DoseRatePoint> points;
  points.reserve(table.RowCount());
  for (std::size_t row = 0; row < table.RowCount(); ++row) {
    DoseRatePoint point;
    point.yCm = table.Number(row, yColumn);
    point.zCm = table.Number(row, zColumn);
    const std::string where = file + ": line " + std::to_string(table.LineOf(row)) + ", column ";
    limits::RequireInRange(point.yCm, -limits::kMaxPointDistanceCm, limits::kMaxPointDistanceCm,
                           false, where + "y_cm", "a distance from the seed's centre", "cm");
    limits::RequireInRange(point.zCm, -limits::kMaxPointDistanceCm, limits::kMaxPointDistanceCm,
                           false, where + "z_cm", "a distance from the seed's centre", "cm");
    point.yText = table.Row(row)[yColumn];
    point.zText = table.Row(row)[zColumn];
    points.push_back(std::move(point));
  }
  return points;
}

} // namespace seedplan::dosimetry
