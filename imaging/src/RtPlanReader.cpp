#include "seedplan/imaging/RtPlanReader.h"

#include "DicomFileLoader.h"
#include "DicomItemReader.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/Log.h"
#include "seedplan/core/TextParsing.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <optional>
#include <set>

namespace seedplan::imaging {

namespace {

/// Patient coordinates beyond ±10 m are not a position in a patient (a unit or parsing error).
constexpr double kMaxCoordinateMm = 10000.0;
constexpr double kMaxHalfLifeDays = 1.0e6;
constexpr double kMaxStrengthU = 1.0e6;
constexpr long kMaxNumber = 1000000;
constexpr std::size_t kMaxSeeds = 100000;
constexpr const char* kIonPlanStorage = "1.2.840.10008.5.1.4.1.1.481.8";

std::string Upper(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  return text;
}

/// "I-125", "I125", "125I", "IODINE-125", "Iodine 125" -> true.
bool IsIodine125(const std::string& isotope) {
  std::string compact;
  for (const char c : Upper(isotope)) {
    if (std::isalnum(static_cast<unsigned char>(c))) {
      compact += c;
    }
  }
  return compact == "I125" || compact == "125I" || compact == "IODINE125" || compact == "125IODINE";
}

bool IsDate(const std::string& text) {
  if (text.size() != 8 || !std::all_of(text.begin(), text.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      })) {
    return false;
  }
  const int month = std::stoi(text.substr(4, 2));
  const int day = std::stoi(text.substr(6, 2));
  return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

/// A DICOM TM (HH, HHMM, HHMMSS, HHMMSS.F..., or the old HH:MM:SS) as HHMMSS[.F]; nullopt if
/// it is not a time.
std::optional<std::string> NormalisedTime(std::string text) {
  text.erase(std::remove(text.begin(), text.end(), ':'), text.end());
  const std::size_t dot = text.find('.');
  const std::string whole = text.substr(0, dot);
  if (whole.size() < 2 || whole.size() > 6 || whole.size() % 2 != 0 ||
      !std::all_of(whole.begin(), whole.end(),
                   [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
    return std::nullopt;
  }
  std::string padded = whole + std::string(6 - whole.size(), '0');
  if (std::stoi(padded.substr(0, 2)) > 23 || std::stoi(padded.substr(2, 2)) > 59 ||
      std::stoi(padded.substr(4, 2)) > 60) {
    return std::nullopt;
  }
  if (dot != std::string::npos) {
    const std::string fraction = text.substr(dot + 1);
    if (fraction.empty() || fraction.size() > 6 ||
        !std::all_of(fraction.begin(), fraction.end(),
                     [](char c) { return std::isdigit(static_cast<unsigned char>(c)); })) {
      return std::nullopt;
    }
    padded += "." + fraction;
  }
  return padded;
}

/// One control point as read.
struct ControlPoint {
  std::optional<Eigen::Vector3d> positionMm;
  std::optional<double> weight;
  std::optional<Eigen::Vector3d> direction;
  std::string context;
};

class PlanReader {
public:
  explicit PlanReader(std::string file) : m_File(std::move(file)) {}

  RtBrachyPlan Read(DcmDataset& data) {
    const DicomItemReader root(data, m_File);
    CheckKind(root);
    RtBrachyPlan plan;
    plan.sopInstanceUid = root.String(DCM_SOPInstanceUID).value_or("");
    plan.frameOfReferenceUid = root.String(DCM_FrameOfReferenceUID).value_or("");
    plan.studyInstanceUid = root.String(DCM_StudyInstanceUID).value_or("");
    plan.patientId = root.String(DCM_PatientID).value_or("");
    plan.manufacturer = root.String(DCM_Manufacturer).value_or("");
    plan.label = root.String(DCM_RTPlanLabel).value_or("");
    plan.name = root.String(DCM_RTPlanName).value_or("");
    plan.description = root.String(DCM_RTPlanDescription).value_or("");
    plan.approvalStatus = root.String(DCM_ApprovalStatus).value_or("");
    for (const DicomItemReader& item : root.Items(DCM_ReferencedStructureSetSequence)) {
      plan.referencedStructureSetUid = item.String(DCM_ReferencedSOPInstanceUID).value_or("");
    }
    CheckTreatment(root, plan);
    ReadSources(root, plan);
    ReadDoseReferences(root, plan);
    ReadSetups(root, plan);
    return plan;
  }

private:
  void CheckKind(const DicomItemReader& root) const {
    const std::string sopClass = root.String(DCM_SOPClassUID).value_or("");
    const std::string modality = root.String(DCM_Modality).value_or("");
    if (sopClass == kIonPlanStorage) {
      throw NotSupported(m_File + ": an RT Ion Plan (SOP Class UID " + sopClass +
                         "); expected a brachytherapy RT Plan of permanent seeds");
    }
    if (sopClass != UID_RTPlanStorage) {
      throw DataFormat(m_File + ": SOP Class UID (0008,0016) is '" + sopClass + "', Modality '" +
                       modality + "'; expected an RT Plan (" + UID_RTPlanStorage + ", RTPLAN)");
    }
    if (!root.Has(DCM_ApplicationSetupSequence) && !root.Has(DCM_BrachyTreatmentType)) {
      const bool beams = root.Has(DCM_BeamSequence);
      throw NotSupported(m_File + ": " +
                         (beams ? std::string("an external-beam RT Plan (Beam Sequence (300A,00B0) "
                                              "present)")
                                : std::string("an RT Plan without RT Brachy Application Setups")) +
                         "; expected a brachytherapy plan of permanent seeds");
    }
  }

  void CheckTreatment(const DicomItemReader& root, RtBrachyPlan& plan) const {
    plan.treatmentType = Upper(root.RequireString(DCM_BrachyTreatmentType));
    plan.treatmentTechnique = Upper(root.RequireString(DCM_BrachyTreatmentTechnique));
    if (plan.treatmentType == "HDR" || plan.treatmentType == "PDR" || plan.treatmentType == "MDR") {
      throw NotSupported(m_File + ": Brachy Treatment Type (300A,0202) is " + plan.treatmentType +
                         " (a remote afterloading plan); expected LDR permanent seeds");
    }
    if (plan.treatmentType != "LDR" && plan.treatmentType != "MANUAL") {
      throw NotSupported(m_File + ": Brachy Treatment Type (300A,0202) is '" + plan.treatmentType +
                         "'; expected LDR (or MANUAL) permanent seeds");
    }
    if (plan.treatmentTechnique == "INTERSTITIAL") {
      log::Warning(m_File + ": Brachy Treatment Technique (300A,0200) is INTERSTITIAL; read as "
                            "permanent seeds (check that the implant was permanent)");
    } else if (plan.treatmentTechnique != "PERMANENT") {
      throw NotSupported(m_File + ": Brachy Treatment Technique (300A,0200) is '" +
                         plan.treatmentTechnique + "'; expected PERMANENT (or INTERSTITIAL) seeds");
    }
  }

  void ReadSources(const DicomItemReader& root, RtBrachyPlan& plan) const {
    const std::vector<DicomItemReader> items = root.Items(DCM_SourceSequence);
    if (items.empty()) {
      throw InvalidInput(m_File + ": no Source Sequence (300A,0210); expected the seeds' source "
                                  "with its strength and reference date");
    }
    std::set<int> numbers;
    for (const DicomItemReader& item : items) {
      RtSource source;
      source.number = static_cast<int>(item.RequireInteger(DCM_SourceNumber, 0, kMaxNumber));
      if (!numbers.insert(source.number).second) {
        item.Refuse(DCM_SourceNumber, "repeats " + std::to_string(source.number) +
                                          "; expected a unique Source Number");
      }
      source.modelId = item.String(DCM_SourceModelID).value_or("");
      source.manufacturer = item.String(DCM_SourceManufacturer).value_or("");
      source.sourceType = item.String(DCM_SourceType).value_or("");
      source.isotopeName = item.String(DCM_SourceIsotopeName).value_or("");
      if (!IsIodine125(source.isotopeName)) {
        throw NotSupported(m_File + ": " + item.Where(DCM_SourceIsotopeName) + " is '" +
                           source.isotopeName +
                           "'; expected I-125 (seedplan's source library holds 125I models)");
      }
      source.halfLifeDays =
          item.Number(DCM_SourceIsotopeHalfLife, 1e-3, kMaxHalfLifeDays, "a half-life in days > 0")
              .value_or(0.0);
      source.activeLengthMm =
          item.Number(DCM_ActiveSourceLength, 0.0, 1000.0, "a length in mm").value_or(0.0);
      source.strengthUnits = item.String(DCM_SourceStrengthUnits).value_or("");
      source.sourceStrength =
          item.Number(DCM_SourceStrength, 0.0, kMaxStrengthU, "a strength >= 0");
      const std::optional<double> rate = item.Number(DCM_ReferenceAirKermaRate, 0.0, kMaxStrengthU,
                                                     "a strength >= 0 (µGy/h at 1 m)");
      if (!rate || *rate <= 0.0) {
        throw InvalidInput(m_File + ": " + item.Where(DCM_ReferenceAirKermaRate) + " is " +
                           (rate ? FormatNumber(*rate) : std::string("missing")) +
                           "; expected the seed's strength in µGy/h at 1 m (U), > 0");
      }
      source.referenceAirKermaRateU = *rate;
      const std::optional<std::string> date = item.String(DCM_SourceStrengthReferenceDate);
      const std::optional<std::string> time = item.String(DCM_SourceStrengthReferenceTime);
      if (!date || !IsDate(*date)) {
        throw InvalidInput(m_File + ": " + item.Where(DCM_SourceStrengthReferenceDate) + " is " +
                           (date ? "'" + *date + "'" : std::string("missing")) +
                           "; expected the date (YYYYMMDD) the strength refers to");
      }
      const std::optional<std::string> normalisedTime = time ? NormalisedTime(*time) : std::nullopt;
      if (!normalisedTime) {
        throw InvalidInput(m_File + ": " + item.Where(DCM_SourceStrengthReferenceTime) + " is " +
                           (time ? "'" + *time + "'" : std::string("missing")) +
                           "; expected the time (HHMMSS) the strength refers to");
      }
      source.referenceDate = *date;
      source.referenceTime = *normalisedTime;
      if (source.referenceAirKermaRateU < RtPlanReader::kLowestPlausibleStrengthU ||
          source.referenceAirKermaRateU > RtPlanReader::kHighestPlausibleStrengthU) {
        log::Warning(m_File + ": " + item.Where(DCM_ReferenceAirKermaRate) + " is " +
                     FormatNumber(source.referenceAirKermaRateU) +
                     " U, outside the 0.1-5 U of 125I seeds; check the unit (µGy/h at 1 m)");
      }
      plan.sources.push_back(source);
    }
  }

  void ReadDoseReferences(const DicomItemReader& root, RtBrachyPlan& plan) const {
    for (const DicomItemReader& item : root.Items(DCM_DoseReferenceSequence)) {
      RtDoseReference reference;
      reference.number =
          static_cast<int>(item.Integer(DCM_DoseReferenceNumber, 0, kMaxNumber).value_or(0));
      reference.structureName = item.String(DCM_DoseReferenceDescription).value_or("");
      reference.roiNumber =
          static_cast<int>(item.Integer(DCM_ReferencedROINumber, 0, kMaxNumber).value_or(0));
      reference.prescriptionGy =
          item.Number(DCM_TargetPrescriptionDose, 0.0, 1.0e6, "a dose in Gy >= 0").value_or(0.0);
      reference.underdoseVolumePct =
          item.Number(DCM_TargetUnderdoseVolumeFraction, 0.0, 100.0, "a percentage").value_or(0.0);
      plan.doseReferences.push_back(reference);
    }
  }

  std::optional<Eigen::Vector3d> Position(const DicomItemReader& point) const {
    const std::vector<double> values = point.Numbers(DCM_ControlPoint3DPosition);
    if (values.empty()) {
      return std::nullopt;
    }
    if (values.size() != 3) {
      throw InvalidInput(m_File + ": " + point.Where(DCM_ControlPoint3DPosition) + " has " +
                         std::to_string(values.size()) +
                         " values; expected a 3D position x\\y\\z (mm)");
    }
    for (const double value : values) {
      if (std::abs(value) > kMaxCoordinateMm) {
        throw InvalidInput(m_File + ": " + point.Where(DCM_ControlPoint3DPosition) + " is " +
                           FormatNumber(value) + " mm; expected a position within ±10 m");
      }
    }
    return Eigen::Vector3d(values[0], values[1], values[2]);
  }

  std::optional<Eigen::Vector3d> Direction(const DicomItemReader& point) const {
    const std::vector<double> values = point.Floats(DCM_ControlPointOrientation);
    if (values.empty()) {
      return std::nullopt;
    }
    if (values.size() != 3) {
      point.Refuse(DCM_ControlPointOrientation,
                   "has " + std::to_string(values.size()) + " values; expected 3");
    }
    const Eigen::Vector3d axis(values[0], values[1], values[2]);
    if (axis.norm() < 1e-6) {
      log::Warning(m_File + ": " + point.Where(DCM_ControlPointOrientation) +
                   " is a zero vector; the seed's orientation is taken as unknown");
      return std::nullopt;
    }
    return axis.normalized();
  }

  void ReadSetups(const DicomItemReader& root, RtBrachyPlan& plan) const {
    std::size_t seedCount = 0;
    for (const DicomItemReader& setupItem : root.Items(DCM_ApplicationSetupSequence)) {
      RtApplicationSetup setup;
      setup.number = static_cast<int>(
          setupItem.Integer(DCM_ApplicationSetupNumber, 0, kMaxNumber).value_or(0));
      setup.name = setupItem.String(DCM_ApplicationSetupName).value_or("");
      for (const DicomItemReader& channel : setupItem.Items(DCM_ChannelSequence)) {
        ReadChannel(channel, plan, setup);
        if (seedCount + setup.seeds.size() > kMaxSeeds) {
          throw InvalidInput(m_File + ": more than " + std::to_string(kMaxSeeds) +
                             " seeds; expected a seed implant");
        }
      }
      seedCount += setup.seeds.size();
      plan.setups.push_back(std::move(setup));
    }
    if (seedCount == 0) {
      throw InvalidInput(m_File + ": no seeds: no channel of the Application Setup Sequence "
                                  "(300A,0230) has two control points at one position with a "
                                  "rising Cumulative Time Weight");
    }
  }

  void ReadChannel(const DicomItemReader& channel, const RtBrachyPlan& plan,
                   RtApplicationSetup& setup) const {
    const int channelNumber =
        static_cast<int>(channel.Integer(DCM_ChannelNumber, 0, kMaxNumber).value_or(0));
    const int sourceNumber =
        static_cast<int>(channel.RequireInteger(DCM_ReferencedSourceNumber, 0, kMaxNumber));
    if (plan.FindSource(sourceNumber) == nullptr) {
      channel.Refuse(DCM_ReferencedSourceNumber,
                     "is " + std::to_string(sourceNumber) +
                         ", which the Source Sequence does not have; expected one of its sources");
    }
    const std::vector<DicomItemReader> items = channel.Items(DCM_BrachyControlPointSequence);
    const std::optional<long> declared = channel.Integer(DCM_NumberOfControlPoints, 0, kMaxNumber);
    if (declared && static_cast<std::size_t>(*declared) != items.size()) {
      log::Warning(m_File + ": " + channel.Where(DCM_NumberOfControlPoints) + " is " +
                   std::to_string(*declared) + " but the sequence holds " +
                   std::to_string(items.size()) + " control points; the sequence is read");
    }
    std::vector<ControlPoint> points;
    bool anyWeight = false;
    for (const DicomItemReader& item : items) {
      ControlPoint point;
      point.positionMm = Position(item);
      point.weight = item.Number(DCM_CumulativeTimeWeight, 0.0, 1.0e12, "a weight >= 0");
      point.direction = Direction(item);
      point.context = item.Context();
      anyWeight = anyWeight || point.weight.has_value();
      points.push_back(point);
    }
    const auto makeSeed = [&](const ControlPoint& first, const ControlPoint& second) {
      RtSeed seed;
      seed.positionMm = *first.positionMm;
      seed.direction = first.direction ? first.direction : second.direction;
      seed.sourceNumber = sourceNumber;
      seed.channelNumber = channelNumber;
      setup.seeds.push_back(seed);
    };
    const auto requirePosition = [&](const ControlPoint& point) {
      if (!point.positionMm) {
        throw InvalidInput(m_File + ": Control Point 3D Position (300A,02D4) in " + point.context +
                           " is missing; expected 3D seed positions (x\\y\\z, mm)");
      }
    };
    if (!anyWeight) {
      if (!points.empty()) {
        log::Warning(m_File + ": every Cumulative Time Weight (300A,02D6) of channel " +
                     std::to_string(channelNumber) +
                     " is empty; one seed is read per run of control points at one position");
      }
      for (std::size_t n = 0; n < points.size(); ++n) {
        requirePosition(points[n]);
        if (n == 0 || (*points[n].positionMm - *points[n - 1].positionMm).norm() >
                          RtPlanReader::kSamePositionToleranceMm) {
          makeSeed(points[n], points[n]);
        }
      }
      return;
    }
    for (std::size_t n = 0; n + 1 < points.size(); ++n) {
      const ControlPoint& a = points[n];
      const ControlPoint& b = points[n + 1];
      if (!a.weight || !b.weight) {
        throw InvalidInput(m_File + ": Cumulative Time Weight (300A,02D6) in " +
                           (a.weight ? b.context : a.context) +
                           " is empty while others in its channel are not; expected a weight");
      }
      if (*b.weight < *a.weight) {
        throw DataFormat(m_File + ": Cumulative Time Weight (300A,02D6) falls from " +
                         FormatNumber(*a.weight) + " to " + FormatNumber(*b.weight) + " in " +
                         b.context + "; expected cumulative (non-decreasing) weights");
      }
      if (*b.weight == *a.weight) {
        continue;
      }
      requirePosition(a);
      requirePosition(b);
      if ((*a.positionMm - *b.positionMm).norm() <= RtPlanReader::kSamePositionToleranceMm) {
        makeSeed(a, b);
      }
    }
  }

  std::string m_File;
};

} // namespace

RtBrachyPlan RtPlanReader::Read(const std::filesystem::path& file) {
  DcmFileFormat fileFormat;
  DicomFileLoader::Load(file, fileFormat, DicomFileCheck::RtObject(kMaxFileBytes));
  PlanReader reader(file.string());
  return reader.Read(*fileFormat.getDataset());
}

} // namespace seedplan::imaging
