#include "seedplan/imaging/LabelMapReader.h"

#include "seedplan/core/CsvTable.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/InputLimits.h"
#include "seedplan/core/Log.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/imaging/VolumeIo.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <sstream>

namespace seedplan::imaging {

namespace {

struct LabelInfo {
  std::string name;
  std::optional<StructureRole> role;
  std::optional<std::array<std::uint8_t, 3>> color;
};

/// "r g b" or "r,g,b"; each in [0, scale] is mapped to 0-255.
std::array<std::uint8_t, 3> ParseColor(const std::string& text, double scale,
                                       const std::string& context) {
  std::string spaced = text;
  std::replace(spaced.begin(), spaced.end(), ',', ' ');
  std::istringstream stream(spaced);
  std::array<std::uint8_t, 3> color{};
  for (auto& component : color) {
    std::string part;
    if (!(stream >> part)) {
      throw DataFormat(context + " is '" + Excerpt(text) + "'; expected three numbers \"r g b\"");
    }
    const double value = ParseFiniteNumber(part, context);
    if (value < 0.0 || value > scale) {
      throw DataFormat(context + " is '" + Excerpt(text) + "'; expected components from 0 to " +
                       FormatNumber(scale));
    }
    component = static_cast<std::uint8_t>(std::lround(value / scale * 255.0));
  }
  return color;
}

std::optional<int> LabelNumber(const std::string& text) {
  if (text.empty() || text.size() > 9 ||
      !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  return std::stoi(text);
}

std::map<int, LabelInfo> FromSidecar(const std::filesystem::path& sidecar) {
  const CsvTable table = CsvTable::Read(sidecar, limits::kMaxLabelTableBytes, "label table");
  const std::size_t valueColumn = table.RequireColumn("value");
  const std::size_t nameColumn = table.RequireColumn("name");
  const std::optional<std::size_t> roleColumn = table.Column("role");
  const std::optional<std::size_t> colorColumn = table.Column("color");
  std::map<int, LabelInfo> labels;
  for (std::size_t row = 0; row < table.RowCount(); ++row) {
    const std::string context = sidecar.string() + " line " + std::to_string(table.LineOf(row));
    const double value = table.Number(row, valueColumn);
    if (value < 1.0 || value != std::floor(value) || value > 1e9) {
      throw DataFormat(context + ": value is '" + Excerpt(table.Row(row)[valueColumn]) +
                       "'; expected a positive integer label value");
    }
    LabelInfo& info = labels[static_cast<int>(value)];
    info.name = table.Row(row)[nameColumn];
    if (roleColumn && !table.Row(row)[*roleColumn].empty()) {
      info.role = ParseRole(table.Row(row)[*roleColumn], context + ": role");
    }
    if (colorColumn && !table.Row(row)[*colorColumn].empty()) {
      info.color = ParseColor(table.Row(row)[*colorColumn], 255.0, context + ": color");
    }
  }
  return labels;
}

std::map<int, LabelInfo> FromHeader(const std::map<std::string, std::string>& metaData,
                                    const std::string& where) {
  std::map<int, LabelInfo> labels;
  // Slicer: Segment<i>_LabelValue gives the label of segment i.
  std::map<std::string, int> slicerLabel;
  for (const auto& [key, value] : metaData) {
    const std::string suffix = "_LabelValue";
    if (key.rfind("Segment", 0) == 0 && key.size() > suffix.size() &&
        key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0) {
      const std::optional<int> number = LabelNumber(value);
      if (number) {
        slicerLabel[key.substr(0, key.size() - suffix.size())] = *number;
      }
    }
  }
  for (const auto& [segment, number] : slicerLabel) {
    LabelInfo& info = labels[number];
    if (auto name = metaData.find(segment + "_Name"); name != metaData.end()) {
      info.name = name->second;
    }
    if (auto color = metaData.find(segment + "_Color"); color != metaData.end()) {
      info.color = ParseColor(color->second, 1.0, where + ": " + segment + "_Color");
    }
  }
  for (const auto& [key, value] : metaData) {
    if (key.rfind("label_", 0) != 0) {
      continue;
    }
    const std::string rest = key.substr(6);
    const std::size_t underscore = rest.find('_');
    const std::optional<int> number = LabelNumber(rest.substr(0, underscore));
    if (!number || *number < 1) {
      continue;
    }
    const std::string field = underscore == std::string::npos ? "" : rest.substr(underscore + 1);
    LabelInfo& info = labels[*number];
    if (field.empty()) {
      info.name = value;
    } else if (field == "role") {
      info.role = ParseRole(value, where + ": " + key);
    } else if (field == "color") {
      info.color = ParseColor(value, 255.0, where + ": " + key);
    }
  }
  return labels;
}

} // namespace

StructureSet LabelMapReader::Read(const std::filesystem::path& file,
                                  const GridGeometry* expectedGrid) {
  const std::string where = file.string();
  const Volume<float> labels = ReadVolumeFloat(file);
  const GridGeometry& grid = labels.Geometry();
  if (expectedGrid != nullptr && !grid.SameAs(*expectedGrid, kGeometryToleranceMm)) {
    throw InvalidInput(where + ": the label map's grid (" + grid.Describe() +
                       ") differs from the CT's (" + expectedGrid->Describe() +
                       "); expected a label map drawn on this CT");
  }

  struct Box {
    std::array<std::int64_t, 3> low{};
    std::array<std::int64_t, 3> high{};
  };
  std::map<int, Box> boxes;
  const auto& size = grid.Size();
  std::size_t n = 0;
  for (std::int64_t k = 0; k < size[2]; ++k) {
    for (std::int64_t j = 0; j < size[1]; ++j) {
      for (std::int64_t i = 0; i < size[0]; ++i, ++n) {
        const float value = labels.Data()[n];
        if (value == 0.0f) {
          continue;
        }
        if (!(value > 0.0f) || value != std::floor(value) || value > 1e9f) {
          throw DataFormat(where + ": voxel (" + std::to_string(i) + ", " + std::to_string(j) +
                           ", " + std::to_string(k) + ") has value " +
                           FormatNumber(static_cast<double>(value)) +
                           "; expected a label map of non-negative integers");
        }
        const int label = static_cast<int>(value);
        auto [entry, inserted] = boxes.try_emplace(label, Box{{i, j, k}, {i, j, k}});
        if (!inserted) {
          const std::array<std::int64_t, 3> index{i, j, k};
          for (std::size_t a = 0; a < 3; ++a) {
            entry->second.low[a] = std::min(entry->second.low[a], index[a]);
            entry->second.high[a] = std::max(entry->second.high[a], index[a]);
          }
        }
      }
    }
  }
  if (boxes.empty()) {
    throw DataFormat(where + ": the label map contains no label (every voxel is 0); expected "
                             "structures as values 1, 2, ...");
  }

  std::filesystem::path sidecar = file;
  sidecar += ".labels.csv";
  std::error_code error;
  const bool hasSidecar = std::filesystem::is_regular_file(sidecar, error);
  const std::map<int, LabelInfo> names =
      hasSidecar ? FromSidecar(sidecar) : FromHeader(labels.MetaData(), where);
  for (const auto& [label, info] : names) {
    if (boxes.count(label) == 0) {
      log::Warning(where + ": label " + std::to_string(label) + " '" + info.name + "' (" +
                   (hasSidecar ? sidecar.string() : std::string("header")) +
                   ") has no voxel in the label map");
    }
  }

  static const std::array<std::array<std::uint8_t, 3>, 6> kPalette{
      {{255, 0, 0}, {0, 200, 0}, {0, 128, 255}, {255, 200, 0}, {200, 0, 200}, {0, 200, 200}}};
  StructureSet set;
  set.sourceFile = where;
  std::size_t index = 0;
  for (const auto& [label, box] : boxes) {
    Structure structure;
    structure.number = label;
    structure.colorRgb = kPalette[index++ % kPalette.size()];
    structure.roleSource = "none";
    const auto info = names.find(label);
    if (info != names.end() && !info->second.name.empty()) {
      structure.name = info->second.name;
      if (info->second.role) {
        structure.role = *info->second.role;
        structure.roleSource = "label map";
      }
      if (info->second.color) {
        structure.colorRgb = *info->second.color;
      }
    } else {
      structure.name = "label_" + std::to_string(label);
      log::Warning(where + ": label " + std::to_string(label) + " has no name (" +
                   (hasSidecar ? "not in " + sidecar.string()
                               : std::string("no label_<n> header field or sidecar CSV")) +
                   "); called '" + structure.name + "'");
    }
    std::array<std::int64_t, 3> low{}, count{};
    for (std::size_t a = 0; a < 3; ++a) {
      low[a] = std::max<std::int64_t>(0, box.low[a] - 1);
      count[a] = std::min<std::int64_t>(size[a] - 1, box.high[a] + 1) - low[a] + 1;
    }
    const GridGeometry crop(grid.IndexToPoint(static_cast<double>(low[0]),
                                              static_cast<double>(low[1]),
                                              static_cast<double>(low[2])),
                            grid.SpacingMm(), count, grid.Direction());
    structure.mask = Mask(crop, 0);
    for (std::int64_t k = 0; k < count[2]; ++k) {
      for (std::int64_t j = 0; j < count[1]; ++j) {
        for (std::int64_t i = 0; i < count[0]; ++i) {
          if (labels.At(low[0] + i, low[1] + j, low[2] + k) == static_cast<float>(label)) {
            structure.mask.At(i, j, k) = 1;
          }
        }
      }
    }
    set.structures.push_back(std::move(structure));
  }
  return set;
}

} // namespace seedplan::imaging
