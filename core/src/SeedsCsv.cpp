#include "seedplan/core/SeedsCsv.h"

#include "seedplan/core/AtomicFileWriter.h"
#include "seedplan/core/CsvTable.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/InputFile.h"
#include "seedplan/core/InputLimits.h"
#include "seedplan/core/Log.h"
#include "seedplan/core/TextParsing.h"

#include <cmath>
#include <set>
#include <sstream>

namespace seedplan {

namespace {

const std::set<std::string> kKnownColumns = {"x_mm",       "y_mm",         "z_mm",      "dir_x",
                                             "dir_y",      "dir_z",        "model",     "needle",
                                             "strength_U", "activity_mCi", "confidence"};

} // namespace

std::vector<SeedsCsvRow> SeedsCsv::Read(const std::filesystem::path& path) {
  return Parse(InputFile::ReadAll(path, limits::kMaxSeedsCsvBytes, "seeds CSV"), path.string());
}

std::vector<SeedsCsvRow> SeedsCsv::Parse(const std::string& text, const std::string& file) {
  const CsvTable table = CsvTable::Parse(text, file);
  const std::size_t xColumn = table.RequireColumn("x_mm");
  const std::size_t yColumn = table.RequireColumn("y_mm");
  const std::size_t zColumn = table.RequireColumn("z_mm");
  const auto dirX = table.Column("dir_x");
  const auto dirY = table.Column("dir_y");
  const auto dirZ = table.Column("dir_z");
  const int directionColumns =
      int(dirX.has_value()) + int(dirY.has_value()) + int(dirZ.has_value());
  if (directionColumns != 0 && directionColumns != 3) {
    throw DataFormat(file +
                     ": header has only some of dir_x,dir_y,dir_z; expected all three or none");
  }
  const auto strengthColumn = table.Column("strength_U");
  const auto activityColumn = table.Column("activity_mCi");
  const auto modelColumn = table.Column("model");
  const auto needleColumn = table.Column("needle");
  const auto confidenceColumn = table.Column("confidence");
  for (const auto& name : table.Header()) {
    if (!kKnownColumns.count(name)) {
      log::Warning(file + ": ignoring unknown column '" + Excerpt(name) + "'");
    }
  }
  if (table.RowCount() == 0) {
    throw DataFormat(file + ": has a header but no seeds; expected at least one row");
  }

  std::vector<SeedsCsvRow> rows;
  rows.reserve(table.RowCount());
  for (std::size_t r = 0; r < table.RowCount(); ++r) {
    SeedsCsvRow row;
    row.line = table.LineOf(r);
    const std::string where = file + ": line " + std::to_string(row.line);
    row.seed.positionMm = {table.Number(r, xColumn), table.Number(r, yColumn),
                           table.Number(r, zColumn)};
    for (const std::size_t column : {xColumn, yColumn, zColumn}) {
      limits::RequireInRange(
          table.Number(r, column), -limits::kMaxCoordinateMm, limits::kMaxCoordinateMm, false,
          where + ", column " + table.Header()[column], "a position in patient coordinates", "mm");
    }
    if (directionColumns == 3) {
      const auto dx = table.OptionalNumber(r, *dirX);
      const auto dy = table.OptionalNumber(r, *dirY);
      const auto dz = table.OptionalNumber(r, *dirZ);
      const int given = int(dx.has_value()) + int(dy.has_value()) + int(dz.has_value());
      if (given == 3) {
        Eigen::Vector3d direction(*dx, *dy, *dz);
        // Scaled by its largest component first: the norm of (1e200, 0, 0) overflows to inf.
        const double largest = direction.cwiseAbs().maxCoeff();
        if (!(largest > 1e-9)) {
          throw InvalidInput(where + ", columns dir_x,dir_y,dir_z: direction is (" +
                             FormatNumber(*dx) + ", " + FormatNumber(*dy) + ", " +
                             FormatNumber(*dz) +
                             "); expected a non-zero vector, or all three empty for unknown");
        }
        direction /= largest;
        row.seed.direction = direction / direction.norm();
      } else if (given != 0) {
        throw InvalidInput(where + ", columns dir_x,dir_y,dir_z: only " + std::to_string(given) +
                           " of 3 components given; expected all three, or all empty for unknown");
      }
    }
    if (strengthColumn) {
      row.strengthU = table.OptionalNumber(r, *strengthColumn);
      if (row.strengthU) {
        limits::RequireInRange(*row.strengthU, 0.0, limits::kMaxStrengthU, true,
                               where + ", column strength_U", "an air-kerma strength", "U");
      }
    }
    if (activityColumn) {
      row.activityMCi = table.OptionalNumber(r, *activityColumn);
      if (row.activityMCi) {
        limits::RequireInRange(*row.activityMCi, 0.0, limits::kMaxActivityMCi, true,
                               where + ", column activity_mCi", "an apparent activity", "mCi");
      }
    }
    if (row.strengthU && row.activityMCi) {
      throw InvalidInput(where + ": both strength_U and activity_mCi are given; expected one");
    }
    if (modelColumn) {
      row.seed.model = table.Row(r)[*modelColumn];
    }
    if (needleColumn) {
      row.seed.needle = table.Row(r)[*needleColumn];
    }
    if (confidenceColumn) {
      row.seed.confidence = table.OptionalNumber(r, *confidenceColumn);
      if (row.seed.confidence && (*row.seed.confidence < 0.0 || *row.seed.confidence > 1.0)) {
        throw InvalidInput(where + ", column confidence: " + FormatNumber(*row.seed.confidence) +
                           "; expected a value in [0, 1]");
      }
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

std::string SeedsCsv::Format(const std::vector<Seed>& seeds, bool withStrength) {
  bool anyModel = false, anyNeedle = false, anyConfidence = false;
  for (const auto& seed : seeds) {
    anyModel |= !seed.model.empty();
    anyNeedle |= !seed.needle.empty();
    anyConfidence |= seed.confidence.has_value();
  }
  std::ostringstream out;
  out << "x_mm,y_mm,z_mm,dir_x,dir_y,dir_z";
  if (withStrength) {
    out << ",strength_U";
  }
  if (anyModel) {
    out << ",model";
  }
  if (anyNeedle) {
    out << ",needle";
  }
  if (anyConfidence) {
    out << ",confidence";
  }
  out << '\n';
  for (const auto& seed : seeds) {
    out << FormatNumber(seed.positionMm.x(), 8) << ',' << FormatNumber(seed.positionMm.y(), 8)
        << ',' << FormatNumber(seed.positionMm.z(), 8) << ',';
    if (seed.direction) {
      out << FormatNumber(seed.direction->x(), 8) << ',' << FormatNumber(seed.direction->y(), 8)
          << ',' << FormatNumber(seed.direction->z(), 8);
    } else {
      out << ",,";
    }
    if (withStrength) {
      out << ',' << FormatNumber(seed.strengthU, 8);
    }
    if (anyModel) {
      out << ',' << seed.model;
    }
    if (anyNeedle) {
      out << ',' << seed.needle;
    }
    if (anyConfidence) {
      out << ',' << (seed.confidence ? FormatNumber(*seed.confidence, 4) : std::string());
    }
    out << '\n';
  }
  return out.str();
}

void SeedsCsv::Write(const std::filesystem::path& path, const std::vector<Seed>& seeds,
                     bool withStrength) {
  AtomicFileWriter writer(path);
  writer.WriteAll(Format(seeds, withStrength));
  writer.Commit();
}

} // namespace seedplan
