// `seedplan inspect PATH [--json]`: what a physicist checks before planning on a file: for a CT
// (DICOM folder or volume file) its modality, patient position, size, spacing, origin, direction,
// HU range, slices and series UID; for an RT Structure Set or a label map the structures' names,
// roles, volumes (cc) and bounding boxes (mm).

#include "Commands.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/JsonWriter.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/imaging/CtLoader.h"
#include "seedplan/imaging/DicomCtSeries.h"
#include "seedplan/imaging/StructureInventory.h"

#include <algorithm>
#include <iostream>
#include <memory>

namespace seedplan::app {

namespace {

struct InspectOptions {
  std::string path;
  std::string series;
  std::string ct;
  bool json = false;
};

std::string Triple(const Eigen::Vector3d& v) {
  return FormatNumber(v.x()) + ", " + FormatNumber(v.y()) + ", " + FormatNumber(v.z());
}

void WriteCt(JsonWriter& json, const imaging::CtImage& ct) {
  const GridGeometry& g = ct.hu.Geometry();
  const auto [low, high] = std::minmax_element(ct.hu.Data().begin(), ct.hu.Data().end());
  json.BeginObject()
      .Key("kind")
      .String("ct")
      .Key("source")
      .String(ct.source.string())
      .Key("modality")
      .String(ct.info.modality)
      .Key("patient_position")
      .String(ct.info.patientPosition)
      .Key("patient_id")
      .String(ct.info.patientId)
      .Key("series_uid")
      .String(ct.info.seriesInstanceUid)
      .Key("study_uid")
      .String(ct.info.studyInstanceUid)
      .Key("frame_of_reference_uid")
      .String(ct.info.frameOfReferenceUid)
      .Key("series_description")
      .String(ct.info.seriesDescription)
      .Key("transfer_syntax")
      .String(ct.info.transferSyntax)
      .Key("size")
      .NumberArray({double(g.Size()[0]), double(g.Size()[1]), double(g.Size()[2])})
      .Key("spacing_mm")
      .NumberArray({g.SpacingMm().x(), g.SpacingMm().y(), g.SpacingMm().z()})
      .Key("origin_mm")
      .NumberArray({g.OriginMm().x(), g.OriginMm().y(), g.OriginMm().z()})
      .Key("direction")
      .BeginArray();
  for (int c = 0; c < 3; ++c) {
    json.NumberArray({g.Direction()(0, c), g.Direction()(1, c), g.Direction()(2, c)});
  }
  json.EndArray()
      .Key("slices")
      .Integer(g.Size()[2])
      .Key("hu_min")
      .Number(ct.hu.Data().empty() ? 0.0 : double(*low))
      .Key("hu_max")
      .Number(ct.hu.Data().empty() ? 0.0 : double(*high))
      .EndObject();
}

void PrintCt(const imaging::CtImage& ct) {
  const GridGeometry& g = ct.hu.Geometry();
  const auto [low, high] = std::minmax_element(ct.hu.Data().begin(), ct.hu.Data().end());
  std::cout << "CT " << ct.source.string() << '\n'
            << "  modality           " << ct.info.modality << '\n'
            << "  patient position   "
            << (ct.info.patientPosition.empty() ? "(not recorded)" : ct.info.patientPosition)
            << '\n'
            << "  patient id         " << ct.info.patientId << '\n'
            << "  series UID         " << ct.info.seriesInstanceUid << '\n'
            << "  study UID          " << ct.info.studyInstanceUid << '\n'
            << "  frame of reference " << ct.info.frameOfReferenceUid << '\n'
            << "  description        " << ct.info.seriesDescription << '\n'
            << "  transfer syntax    " << ct.info.transferSyntax << '\n'
            << "  size               " << g.Size()[0] << " x " << g.Size()[1] << " x "
            << g.Size()[2] << " voxels (" << g.Size()[2] << " slices)\n"
            << "  spacing            " << Triple(g.SpacingMm()) << " mm\n"
            << "  origin             " << Triple(g.OriginMm()) << " mm (first voxel centre, LPS)\n"
            << "  direction (i j k)  (" << Triple(g.Direction().col(0)) << ") ("
            << Triple(g.Direction().col(1)) << ") (" << Triple(g.Direction().col(2)) << ")\n"
            << "  HU range           " << *low << " .. " << *high << '\n';
}

void WriteStructures(JsonWriter& json, const imaging::StructureInventory& inventory) {
  json.BeginObject().Key("kind").String(inventory.kind).Key("source").String(inventory.source);
  json.Key("frame_of_reference_uid").String(inventory.frameOfReferenceUid);
  json.Key("volumes").String(inventory.volumeNote);
  json.Key("structures").BeginArray();
  for (const auto& s : inventory.structures) {
    json.BeginObject()
        .Key("number")
        .Integer(s.number)
        .Key("name")
        .String(s.name)
        .Key("role")
        .String(imaging::RoleName(s.role))
        .Key("role_source")
        .String(s.roleSource)
        .Key("interpreted_type")
        .String(s.interpretedType)
        .Key("volume_cc")
        .Number(s.volumeCc)
        .Key("bounding_box_min_mm")
        .NumberArray({s.boxMinMm.x(), s.boxMinMm.y(), s.boxMinMm.z()})
        .Key("bounding_box_max_mm")
        .NumberArray({s.boxMaxMm.x(), s.boxMaxMm.y(), s.boxMaxMm.z()})
        .EndObject();
  }
  json.EndArray().EndObject();
}

void PrintStructures(const imaging::StructureInventory& inventory) {
  std::cout << inventory.kind << ' ' << inventory.source << '\n';
  if (!inventory.frameOfReferenceUid.empty()) {
    std::cout << "  frame of reference " << inventory.frameOfReferenceUid << '\n';
  }
  std::printf("  %-4s %-22s %-13s %-24s %10s  %s\n", "#", "name", "role", "role from", "volume cc",
              "bounding box (mm, LPS)");
  for (const auto& s : inventory.structures) {
    std::printf("  %-4d %-22s %-13s %-24s %10s  (%s) .. (%s)\n", s.number, s.name.c_str(),
                imaging::RoleName(s.role).c_str(), s.roleSource.c_str(),
                FormatNumber(s.volumeCc, 5).c_str(), Triple(s.boxMinMm).c_str(),
                Triple(s.boxMaxMm).c_str());
  }
  std::cout << "  volumes: " << (inventory.structures.empty() ? "" : inventory.volumeNote) << '\n';
}

void RunInspect(const InspectOptions& options) {
  const std::filesystem::path path = options.path;
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    throw Io(options.path + ": does not exist; expected a DICOM folder, a volume, an RT Structure "
                            "Set or a label map");
  }
  JsonWriter json;
  bool printed = false;
  if (std::filesystem::is_directory(path)) {
    const auto series = imaging::DicomCtSeries::Scan(path);
    if (series.size() > 1 && options.series.empty()) {
      // Several series: list them all, as the loader would ask to choose one.
      json.BeginObject().Key("kind").String("dicom folder").Key("series").BeginArray();
      std::cout << (options.json ? ""
                                 : "DICOM folder " + options.path + " holds " +
                                       std::to_string(series.size()) + " series:\n");
      for (const auto& s : series) {
        json.BeginObject()
            .Key("series_uid")
            .String(s.seriesInstanceUid)
            .Key("modality")
            .String(s.modality)
            .Key("description")
            .String(s.seriesDescription)
            .Key("files")
            .Integer(static_cast<long long>(s.fileCount))
            .EndObject();
        if (!options.json) {
          std::cout << "  " << s.seriesInstanceUid << "  " << s.modality << "  " << s.fileCount
                    << " files  " << s.seriesDescription << '\n';
        }
      }
      json.EndArray().EndObject();
      if (!options.json) {
        std::cout << "choose one with --series UID\n";
      }
      printed = !options.json;
    } else {
      const auto ct = imaging::CtLoader::Load(path, options.series);
      WriteCt(json, ct);
      if (!options.json) {
        PrintCt(ct);
        printed = true;
      }
    }
  } else if (imaging::StructureInventory::IsStructureFile(path)) {
    const auto inventory = imaging::StructureInventory::Read(path, options.ct, options.series);
    WriteStructures(json, inventory);
    if (!options.json) {
      PrintStructures(inventory);
      printed = true;
    }
  } else {
    const auto ct = imaging::CtLoader::Load(path, options.series);
    WriteCt(json, ct);
    if (!options.json) {
      PrintCt(ct);
      printed = true;
    }
  }
  if (options.json && !printed) {
    std::cout << json.Text() << '\n';
  }
}

} // namespace

void RegisterInspectCommand(CLI::App& app) {
  auto* command = app.add_subcommand(
      "inspect", "Describe a CT (DICOM folder or volume), an RT Structure Set or a label map");
  auto options = std::make_shared<InspectOptions>();
  command->add_option("path", options->path, "DICOM folder, volume, RTSTRUCT file or label map")
      ->required();
  command->add_option("--series", options->series, "SeriesInstanceUID in a folder of several");
  command->add_option("--ct", options->ct,
                      "CT the structures belong to: their masks are rasterised on it");
  command->add_flag("--json", options->json, "One JSON object instead of text");
  command->callback([options]() { RunInspect(*options); });
}

} // namespace seedplan::app
