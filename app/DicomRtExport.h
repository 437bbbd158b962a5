#pragma once
// DICOM RT export shared by `seedplan export` and `seedplan demo`: the plan unpacked into
// imaging's plain types (seeds, needles, targets with Rx, structures, dose grid, DVHs) and written
// as rtplan.dcm, rtdose.dcm and rtstruct.dcm.

#include "seedplan/core/Volume.h"
#include "seedplan/dosimetry/SourceLibrary.h"
#include "seedplan/imaging/CtImage.h"
#include "seedplan/imaging/RtDoseWriter.h"
#include "seedplan/imaging/StructureSet.h"
#include "seedplan/planning/Plan.h"

#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace seedplan::app {

/// The files and UIDs an export wrote.
struct DicomRtExportResult {
  std::filesystem::path rtPlan;
  std::filesystem::path rtDose;
  std::filesystem::path rtStruct;
  std::string planUid;
  std::string doseUid;
  std::string structureSetUid;
  std::size_t seeds = 0;
  std::size_t setups = 0;
  std::size_t needles = 0;
};

/// The names of the files an export writes into its folder.
inline constexpr const char* kRtPlanFile = "rtplan.dcm";
inline constexpr const char* kRtDoseFile = "rtdose.dcm";
inline constexpr const char* kRtStructFile = "rtstruct.dcm";

/// Refuses, before any work, an output folder that is a file or holds one of the three files
/// (unless `force`), naming the file and saying to give --force.
void CheckExportFolder(const std::filesystem::path& folder, bool force);

/// Refuses a plan that cannot be exported onto `ct`: a plan made on a volume CT (no DICOM frame
/// of reference), or a CT series that is not the one the plan was made on (Series Instance UID or
/// Frame of Reference UID differ). `planFile` names the plan in messages.
void CheckPlanMatchesCt(const planning::Plan& plan, const imaging::CtImage& ct,
                        const std::string& planFile);

/// The cumulative DVH of every structure under the plan's seeds, from the evaluator's own samples
/// and exact dose (planning::PlanEvaluator::StructureDvh: the DVH its metrics and curves come
/// from, so the RT Dose's DVHs and the plan's metrics agree exactly), binned for the RT Dose
/// (imaging::RtDoseWriter::BinCumulativeDvh; ROI numbers left 0 for the caller). `doseGy` is the
/// plan's total dose on the CT grid.
std::vector<imaging::RtDvhInput> StructureDvhs(const planning::Plan& plan,
                                               const Volume<float>& doseGy,
                                               const imaging::StructureSet& structures,
                                               const dosimetry::SourceLibrary& library);

/// Writes the plan's RT Plan, RT Dose (doseGy: the plan's total dose from
/// planning::PlanEvaluator::TotalDose on the CT grid, with StructureDvhs) and RT Structure Set
/// (the structures' contours copied, each needle an open polyline) into `folder` (created): built
/// in a hidden staging folder inside it, then each file renamed into place, so that an error leaves
/// no new file. Throws what CheckExportFolder and CheckPlanMatchesCt throw, and the writers'
/// errors.
DicomRtExportResult
ExportDicomRt(const planning::Plan& plan, const std::string& planFile, const imaging::CtImage& ct,
              const imaging::StructureSet& structures, const Volume<float>& doseGy,
              const dosimetry::SourceLibrary& library, const std::filesystem::path& folder,
              bool force, const std::function<void(const std::string&)>& progress = {});

} // namespace seedplan::app
