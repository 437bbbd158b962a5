#include "DicomRtExport.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/core/Version.h"
#include "seedplan/dosimetry/DvhCalculator.h"
#include "seedplan/imaging/DicomStudyContext.h"
#include "seedplan/imaging/RtPlanWriter.h"
#include "seedplan/imaging/RtStructureSetWriter.h"
#include "seedplan/planning/PlanEvaluator.h"

#include <cmath>
#include <exception>
#include <map>
#include <optional>
#include <set>
#include <unistd.h>

namespace seedplan::app {

namespace {

namespace fs = std::filesystem;

/// Plans record the assay day, not its hour. The Source Strength Reference Time (type 1) is noon
/// of that day: the worst-case error of the strength, ±12 h of decay, is then 0.58 % for 125I
/// (2^(12 h / 59.4 d) - 1), half of what midnight would allow.
constexpr const char* kReferenceTime = "120000";
/// Seeds whose strengths at the reference date differ by less than this (U) share a source.
constexpr double kSameStrengthU = 1e-9;
/// Series Number is type 2, but a DICOMDIR (and dciodvfy) want one: the export's three series.
constexpr int kStructureSeriesNumber = 101;
constexpr int kPlanSeriesNumber = 102;
constexpr int kDoseSeriesNumber = 103;

std::string DicomDate(const std::string& isoDate) {
  std::string date;
  for (const char c : isoDate) {
    if (c != '-') {
      date += c;
    }
  }
  return date;
}

/// The source library's model name without its isotope remark: "Amersham / Oncura / GE
/// Healthcare OncoSeed model 6711".
std::string Manufacturer(const std::string& modelName) {
  const std::size_t bracket = modelName.rfind(" (");
  return (bracket == std::string::npos ? modelName : modelName.substr(0, bracket)).substr(0, 64);
}

/// Removes a staging folder unless all went well (then it is empty and removed anyway).
class StagingFolder {
public:
  explicit StagingFolder(fs::path path) : m_Path(std::move(path)) {
    std::error_code error;
    fs::remove_all(m_Path, error);
    fs::create_directories(m_Path, error);
    if (error) {
      throw Io(m_Path.string() + ": cannot create the staging folder (" + error.message() + ")");
    }
  }
  ~StagingFolder() {
    std::error_code ignored;
    fs::remove_all(m_Path, ignored);
  }
  StagingFolder(const StagingFolder&) = delete;
  StagingFolder& operator=(const StagingFolder&) = delete;
  fs::path operator/(const char* name) const { return m_Path / name; }

private:
  fs::path m_Path;
};

bool InsideMask(const Mask& mask, const Eigen::Vector3d& pointMm) {
  const GridGeometry& grid = mask.Geometry();
  if (mask.NumberOfVoxels() == 0 || !grid.ContainsPoint(pointMm, 0.5)) {
    return false;
  }
  const Eigen::Vector3d index = grid.PointToContinuousIndex(pointMm);
  const auto clampIndex = [&](double value, int axis) {
    return static_cast<std::int64_t>(
        std::clamp(std::round(value), 0.0, static_cast<double>(grid.Size()[axis] - 1)));
  };
  return mask.At(clampIndex(index.x(), 0), clampIndex(index.y(), 1), clampIndex(index.z(), 2)) != 0;
}

} // namespace

void CheckExportFolder(const fs::path& folder, bool force) {
  std::error_code error;
  if (fs::exists(folder, error) && !fs::is_directory(folder, error)) {
    throw Io("--out " + folder.string() + ": exists and is not a folder; expected a folder");
  }
  if (force) {
    return;
  }
  for (const char* name : {kRtPlanFile, kRtDoseFile, kRtStructFile}) {
    if (fs::exists(folder / name, error)) {
      throw InvalidInput("--out " + folder.string() + ": " + name +
                         " exists; expected a folder without RT files, or --force to overwrite");
    }
  }
}

void CheckPlanMatchesCt(const planning::Plan& plan, const imaging::CtImage& ct,
                        const std::string& planFile) {
  if (plan.frameOfReferenceUid.empty() || ct.info.frameOfReferenceUid.empty()) {
    throw InvalidInput(planFile + ": the plan was made on a CT without DICOM identity (" +
                       plan.ctPath +
                       "): no DICOM frame of reference to export to; expected a plan made on a "
                       "DICOM CT series");
  }
  if (ct.info.seriesInstanceUid != plan.ctSeriesUid ||
      ct.info.frameOfReferenceUid != plan.frameOfReferenceUid) {
    throw InvalidInput(planFile + ": the CT series at " + plan.ctPath +
                       " changed since planning: Series Instance UID " + ct.info.seriesInstanceUid +
                       " and Frame of Reference UID " + ct.info.frameOfReferenceUid +
                       "; the plan was made on " + plan.ctSeriesUid + " and " +
                       plan.frameOfReferenceUid);
  }
}

std::vector<imaging::RtDvhInput> StructureDvhs(const planning::Plan& plan,
                                               const Volume<float>& doseGy,
                                               const imaging::StructureSet& structures,
                                               const dosimetry::SourceLibrary& library) {
  const auto& list = structures.structures;
  std::vector<imaging::RtDvhInput> binned(list.size());
  // One structure after the other: the evaluator samples each in parallel inside, and frees its
  // samples before the next.
  for (std::size_t s = 0; s < list.size(); ++s) {
    const dosimetry::Dvh dvh =
        planning::PlanEvaluator::StructureDvh(plan, doseGy, structures, s, library);
    binned[s] = imaging::RtDoseWriter::BinCumulativeDvh(
        0, dvh.VolumeCc(), dvh.MinDoseGy(), dvh.MaxDoseGy(), dvh.MeanDoseGy(),
        [&dvh](double doseAtLeastGy) { return dvh.VolumeCcAtLeast(doseAtLeastGy); });
  }
  return binned;
}

DicomRtExportResult
ExportDicomRt(const planning::Plan& plan, const std::string& planFile, const imaging::CtImage& ct,
              const imaging::StructureSet& structures, const Volume<float>& doseGy,
              const dosimetry::SourceLibrary& library, const fs::path& folder, bool force,
              const std::function<void(const std::string&)>& progress) {
  CheckExportFolder(folder, force);
  CheckPlanMatchesCt(plan, ct, planFile);
  if (plan.seeds.empty()) {
    throw InvalidInput(planFile + ": the plan has no seeds; expected a plan to export");
  }
  if (!(plan.assayStrengthU > 0.0) || !(plan.strengthAtImplantU > 0.0)) {
    throw InvalidInput(planFile + ": the plan has no assay strength; expected one to write the "
                                  "Reference Air Kerma Rate");
  }
  if (!doseGy.Geometry().SameAs(ct.hu.Geometry())) {
    throw InvalidInput(planFile + ": the dose grid (" + doseGy.Geometry().Describe() +
                       ") is not the CT's (" + ct.hu.Geometry().Describe() + ")");
  }
  imaging::RtInstanceHeader common;
  common.study = imaging::DicomStudyContext::ReadFromCt(ct);
  common.softwareVersion = SEEDPLAN_VERSION;

  std::error_code error;
  fs::create_directories(folder, error);
  if (error || !fs::is_directory(folder)) {
    throw Io("--out " + folder.string() + ": cannot create the folder (" + error.message() + ")");
  }
  const StagingFolder staging(folder / (".seedplan-export-" + std::to_string(::getpid())));

  // RT Structure Set: the input contours copied, each needle an open polyline.
  std::set<std::string> names;
  for (const auto& structure : structures.structures) {
    names.insert(structure.name);
  }
  imaging::RtStructureSetWriteOptions structureOptions;
  structureOptions.structureSetLabel = "SEEDPLAN";
  structureOptions.header = common;
  structureOptions.header.seriesDescription = "seedplan structures and needles";
  structureOptions.header.seriesNumber = kStructureSeriesNumber;
  structureOptions.interpretedTypeFromRole = true;
  for (const planning::Needle& needle : plan.needles) {
    imaging::RtOpenPolyline polyline;
    polyline.name = "Needle_" + needle.id;
    while (!names.insert(polyline.name).second) {
      polyline.name += "_";
    }
    polyline.pointsMm = {needle.entryMm, needle.tipMm};
    structureOptions.openPolylines.push_back(polyline);
  }
  const imaging::RtStructureSetWritten structureSet = imaging::RtStructureSetWriter::Write(
      staging / kRtStructFile, structures, ct, structureOptions);

  // RT Plan: one source per model and strength, one application setup per target.
  imaging::RtBrachyPlan rtPlan;
  rtPlan.label = plan.studyId.empty() ? "SEEDPLAN" : plan.studyId.substr(0, 16);
  rtPlan.name = fs::path(planFile).filename().string().substr(0, 64);
  rtPlan.description =
      std::string("Permanent 125I seed implant planned by seedplan ") + SEEDPLAN_VERSION +
      ". Reference Air Kerma Rate = air-kerma strength S_K (U) at the assay date " +
      plan.assayDate + " 12:00 (Source Strength Reference Date and Time); implant date " +
      plan.implantDate + ". Dose: AAPM TG-43U1 in water, formalism " + plan.engine.formalism +
      ", total dose of the permanent implant (decay to infinity).";
  rtPlan.referencedStructureSetUid = structureSet.sopInstanceUid;
  const double toReferenceDate = plan.assayStrengthU / plan.strengthAtImplantU;
  std::map<std::pair<std::string, long long>, int> sourceOf;
  const auto sourceFor = [&](const Seed& seed) {
    const std::string modelId = seed.model.empty() ? plan.seedModel : seed.model;
    const double strengthU = seed.strengthU * toReferenceDate;
    const auto key = std::pair{modelId, std::llround(strengthU / kSameStrengthU)};
    const auto found = sourceOf.find(key);
    if (found != sourceOf.end()) {
      return found->second;
    }
    const auto model = library.Load(modelId);
    imaging::RtSource source;
    source.number = static_cast<int>(rtPlan.sources.size()) + 1;
    source.modelId = model->Id();
    source.manufacturer = Manufacturer(model->Name());
    source.isotopeName = "I-125";
    source.halfLifeDays = model->HalfLifeDays();
    source.activeLengthMm = model->ActiveLengthCm() * 10.0;
    source.referenceAirKermaRateU = strengthU;
    source.referenceDate = DicomDate(plan.assayDate);
    source.referenceTime = kReferenceTime;
    rtPlan.sources.push_back(source);
    sourceOf[key] = source.number;
    return source.number;
  };
  std::map<std::string, std::string> targetOfNeedle;
  for (const planning::Needle& needle : plan.needles) {
    targetOfNeedle[needle.id] = needle.targetName;
  }
  std::map<std::string, std::size_t> setupOf;
  for (const planning::TargetPrescription& target : plan.targets) {
    setupOf[target.structureName] = rtPlan.setups.size();
    imaging::RtApplicationSetup setup;
    setup.number = static_cast<int>(rtPlan.setups.size()) + 1;
    setup.name = target.structureName;
    rtPlan.setups.push_back(setup);
    imaging::RtDoseReference reference;
    reference.number = setup.number;
    reference.structureName = target.structureName;
    reference.roiNumber = structureSet.RoiNumber(target.structureName);
    reference.prescriptionGy = target.prescriptionGy;
    if (reference.roiNumber == 0) {
      throw InvalidInput(planFile + ": target '" + target.structureName +
                         "' is not in the structure set " + plan.structuresPath);
    }
    rtPlan.doseReferences.push_back(reference);
  }
  for (const Seed& seed : plan.seeds) {
    std::optional<std::size_t> setup;
    const auto needle = targetOfNeedle.find(seed.needle);
    if (needle != targetOfNeedle.end() && setupOf.count(needle->second) != 0) {
      setup = setupOf[needle->second];
    }
    for (std::size_t t = 0; !setup && t < plan.targets.size(); ++t) {
      const imaging::Structure* target = structures.Find(plan.targets[t].structureName);
      if (target != nullptr && InsideMask(target->mask, seed.positionMm)) {
        setup = setupOf[plan.targets[t].structureName];
      }
    }
    if (!setup) {
      // A seed neither on a target's needle nor inside a target: its own setup, still exported.
      if (setupOf.count("") == 0) {
        setupOf[""] = rtPlan.setups.size();
        imaging::RtApplicationSetup other;
        other.number = static_cast<int>(rtPlan.setups.size()) + 1;
        other.name = "other seeds";
        rtPlan.setups.push_back(other);
      }
      setup = setupOf[""];
    }
    imaging::RtSeed rtSeed;
    rtSeed.positionMm = seed.positionMm;
    rtSeed.direction = seed.direction;
    rtSeed.sourceNumber = sourceFor(seed);
    rtPlan.setups[*setup].seeds.push_back(rtSeed);
  }
  std::vector<imaging::RtApplicationSetup> nonEmpty;
  for (auto& setup : rtPlan.setups) {
    if (!setup.seeds.empty()) {
      nonEmpty.push_back(std::move(setup));
    }
  }
  rtPlan.setups = std::move(nonEmpty);
  imaging::RtInstanceHeader planHeader = common;
  planHeader.seriesDescription = "seedplan plan";
  planHeader.seriesNumber = kPlanSeriesNumber;
  const std::string planUid =
      imaging::RtPlanWriter::Write(staging / kRtPlanFile, rtPlan, planHeader);

  // RT Dose: the evaluator's total dose on the CT grid and every structure's DVH.
  if (progress) {
    progress("DVH of every structure");
  }
  std::vector<imaging::RtDvhInput> dvhs = StructureDvhs(plan, doseGy, structures, library);
  if (progress) {
    progress("writing the RT Dose");
  }
  imaging::RtDoseWriteOptions doseOptions;
  doseOptions.referencedPlanUid = planUid;
  doseOptions.referencedStructureSetUid = structureSet.sopInstanceUid;
  doseOptions.comment =
      "TG-43U1 water, total dose, " + plan.seedModel + ", " + plan.engine.formalism;
  for (std::size_t s = 0; s < structures.structures.size(); ++s) {
    dvhs[s].roiNumber = structureSet.RoiNumber(structures.structures[s].name);
  }
  doseOptions.dvhs = std::move(dvhs);
  imaging::RtInstanceHeader doseHeader = common;
  doseHeader.seriesDescription = "seedplan total dose";
  doseHeader.seriesNumber = kDoseSeriesNumber;
  const std::string doseUid =
      imaging::RtDoseWriter::Write(staging / kRtDoseFile, doseGy, doseOptions, doseHeader);

  DicomRtExportResult result;
  for (const char* name : {kRtStructFile, kRtPlanFile, kRtDoseFile}) {
    fs::rename(staging / name, folder / name, error);
    if (error) {
      throw Io(folder.string() + ": cannot move " + name + " into place (" + error.message() + ")");
    }
  }
  result.rtPlan = folder / kRtPlanFile;
  result.rtDose = folder / kRtDoseFile;
  result.rtStruct = folder / kRtStructFile;
  result.planUid = planUid;
  result.doseUid = doseUid;
  result.structureSetUid = structureSet.sopInstanceUid;
  result.seeds = plan.seeds.size();
  result.setups = rtPlan.setups.size();
  result.needles = plan.needles.size();
  return result;
}

} // namespace seedplan::app
