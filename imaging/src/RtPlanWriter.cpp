#include "seedplan/imaging/RtPlanWriter.h"

#include "DicomItemWriter.h"
#include "RtHeaderWriter.h"
#include "seedplan/core/AtomicFileWriter.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"

#include <dcmtk/dcmdata/dcdeftag.h>
#include <dcmtk/dcmdata/dcfilefo.h>
#include <dcmtk/dcmdata/dcuid.h>

#include <cctype>
#include <cmath>
#include <map>
#include <set>

namespace seedplan::imaging {

namespace {

constexpr double kSecondsPerDay = 86400.0;
/// RT Plan Label is a Short String: at most 16 characters.
constexpr std::size_t kMaxLabelLength = 16;
/// A direction shorter than this is no direction (a zero vector in a plan is a bug upstream).
constexpr double kMinimumDirectionNorm = 1e-9;

bool AllDigits(const std::string& text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) {
    return std::isdigit(static_cast<unsigned char>(c));
  });
}

void CheckDate(const std::string& date, const std::string& where) {
  const bool valid = date.size() == 8 && AllDigits(date) && std::stoi(date.substr(4, 2)) >= 1 &&
                     std::stoi(date.substr(4, 2)) <= 12 && std::stoi(date.substr(6, 2)) >= 1 &&
                     std::stoi(date.substr(6, 2)) <= 31;
  if (!valid) {
    throw InvalidInput(where + " is '" + date + "'; expected a date YYYYMMDD");
  }
}

void CheckTime(const std::string& time, const std::string& where) {
  const bool valid = time.size() == 6 && AllDigits(time) && std::stoi(time.substr(0, 2)) < 24 &&
                     std::stoi(time.substr(2, 2)) < 60 && std::stoi(time.substr(4, 2)) < 60;
  if (!valid) {
    throw InvalidInput(where + " is '" + time + "'; expected a time HHMMSS");
  }
}

void CheckPlan(const RtBrachyPlan& plan, const std::string& where) {
  if (plan.sources.empty()) {
    throw InvalidInput(where + ": the plan has no source; expected at least one seed type");
  }
  std::set<int> numbers;
  for (const RtSource& source : plan.sources) {
    const std::string name = where + ": source " + std::to_string(source.number);
    if (source.number < 1 || !numbers.insert(source.number).second) {
      throw InvalidInput(name + ": Source Number must be unique and >= 1");
    }
    if (!(source.referenceAirKermaRateU > 0.0) || !std::isfinite(source.referenceAirKermaRateU)) {
      throw InvalidInput(name + ": Reference Air Kerma Rate " +
                         FormatNumber(source.referenceAirKermaRateU) +
                         "; expected a positive finite strength (U)");
    }
    if (!(source.halfLifeDays > 0.0) || !std::isfinite(source.halfLifeDays)) {
      throw InvalidInput(name + ": half-life " + FormatNumber(source.halfLifeDays) +
                         " d; expected a positive finite half-life");
    }
    if (!(source.activeLengthMm >= 0.0) || !std::isfinite(source.activeLengthMm)) {
      throw InvalidInput(name + ": active length " + FormatNumber(source.activeLengthMm) +
                         " mm; expected >= 0 (0 = not given)");
    }
    CheckDate(source.referenceDate, name + ": Source Strength Reference Date");
    CheckTime(source.referenceTime, name + ": Source Strength Reference Time");
    if (source.isotopeName.empty() || source.modelId.empty()) {
      throw InvalidInput(name + ": isotope and model are required");
    }
  }
  std::size_t seeds = 0;
  for (const RtApplicationSetup& setup : plan.setups) {
    for (const RtSeed& seed : setup.seeds) {
      ++seeds;
      if (!seed.positionMm.allFinite()) {
        throw InvalidInput(where + ": a seed of '" + setup.name + "' has a non-finite position");
      }
      if (seed.direction &&
          (!seed.direction->allFinite() || seed.direction->norm() < kMinimumDirectionNorm)) {
        throw InvalidInput(where + ": a seed of '" + setup.name +
                           "' has a zero or non-finite direction");
      }
      if (plan.FindSource(seed.sourceNumber) == nullptr) {
        throw InvalidInput(where + ": a seed of '" + setup.name + "' references source " +
                           std::to_string(seed.sourceNumber) + ", which the plan does not have");
      }
    }
  }
  if (seeds == 0) {
    throw InvalidInput(where + ": the plan has no seed; expected at least one");
  }
  for (const RtDoseReference& reference : plan.doseReferences) {
    if (!(reference.prescriptionGy > 0.0) || !std::isfinite(reference.prescriptionGy)) {
      throw InvalidInput(where + ": prescription of '" + reference.structureName + "' is " +
                         FormatNumber(reference.prescriptionGy) + " Gy; expected > 0");
    }
  }
  if (!DicomItemWriter::IsValidUid(plan.referencedStructureSetUid)) {
    throw InvalidInput(where + ": referenced structure set UID '" + plan.referencedStructureSetUid +
                       "'; expected a valid UID");
  }
}

/// Mean life τ = T½ / ln 2 in seconds: the Channel Total Time of a seed that never leaves.
double MeanLifeSeconds(double halfLifeDays) {
  return halfLifeDays * kSecondsPerDay / std::log(2.0);
}

} // namespace

std::string RtPlanWriter::Write(const std::filesystem::path& file, const RtBrachyPlan& plan,
                                const RtInstanceHeader& header) {
  const std::string where = file.string();
  CheckPlan(plan, where);

  DcmFileFormat fileFormat;
  DicomItemWriter data(*fileFormat.getDataset(), where);
  std::vector<std::string> texts{plan.label, plan.name, plan.description};
  for (const RtApplicationSetup& setup : plan.setups) {
    texts.push_back(setup.name);
  }
  const RtWrittenIdentity identity =
      RtHeaderWriter::Write(data, header, "RTPLAN", UID_RTPlanStorage, true, texts);

  // RT General Plan
  data.Put(DCM_RTPlanLabel, plan.label.substr(0, kMaxLabelLength));
  if (!plan.name.empty()) {
    data.Put(DCM_RTPlanName, plan.name);
  }
  if (!plan.description.empty()) {
    data.Put(DCM_RTPlanDescription, plan.description);
  }
  data.Put(DCM_InstanceNumber, "1");
  data.Put(DCM_RTPlanDate, DicomItemWriter::Today());
  data.Put(DCM_RTPlanTime, DicomItemWriter::NowTime());
  data.Put(DCM_RTPlanGeometry, "PATIENT");
  DicomItemWriter structureSet = data.AppendItem(DCM_ReferencedStructureSetSequence);
  structureSet.Put(DCM_ReferencedSOPClassUID, UID_RTStructureSetStorage);
  structureSet.Put(DCM_ReferencedSOPInstanceUID, plan.referencedStructureSetUid);

  // RT Prescription: one Dose Reference per target.
  int doseReferenceNumber = 0;
  for (const RtDoseReference& reference : plan.doseReferences) {
    DicomItemWriter item = data.AppendItem(DCM_DoseReferenceSequence);
    item.PutInteger(DCM_DoseReferenceNumber,
                    reference.number > 0 ? reference.number : ++doseReferenceNumber);
    item.Put(DCM_DoseReferenceUID, DicomItemWriter::NewUid(SITE_INSTANCE_UID_ROOT));
    item.Put(DCM_DoseReferenceStructureType, "VOLUME");
    item.Put(DCM_DoseReferenceDescription, reference.structureName.substr(0, 64));
    item.PutInteger(DCM_ReferencedROINumber, reference.roiNumber);
    item.Put(DCM_DoseReferenceType, "TARGET");
    item.PutDecimal(DCM_TargetPrescriptionDose, reference.prescriptionGy);
    item.PutDecimal(DCM_TargetUnderdoseVolumeFraction, reference.underdoseVolumePct);
  }

  // RT Fraction Scheme: a permanent implant is one fraction.
  DicomItemWriter fractionGroup = data.AppendItem(DCM_FractionGroupSequence);
  fractionGroup.PutInteger(DCM_FractionGroupNumber, 1);
  fractionGroup.PutInteger(DCM_NumberOfFractionsPlanned, 1);
  fractionGroup.PutInteger(DCM_NumberOfBeams, 0);
  fractionGroup.PutInteger(DCM_NumberOfBrachyApplicationSetups,
                           static_cast<long>(plan.setups.size()));

  // RT Brachy Application Setups
  data.Put(DCM_BrachyTreatmentTechnique, "PERMANENT");
  data.Put(DCM_BrachyTreatmentType, "LDR");
  DicomItemWriter machine = data.AppendItem(DCM_TreatmentMachineSequence);
  machine.Put(DCM_TreatmentMachineName, "MANUAL");
  std::map<int, double> meanLifeSeconds;
  for (const RtSource& source : plan.sources) {
    DicomItemWriter item = data.AppendItem(DCM_SourceSequence);
    item.PutInteger(DCM_SourceNumber, source.number);
    item.Put(DCM_SourceType, source.sourceType);
    item.Put(DCM_SourceManufacturer, source.manufacturer.substr(0, 64));
    item.Put(DCM_SourceModelID, source.modelId.substr(0, 16));
    if (source.activeLengthMm > 0.0) {
      item.PutDecimal(DCM_ActiveSourceLength, source.activeLengthMm);
    }
    item.Put(DCM_SourceIsotopeName, source.isotopeName);
    item.PutDecimal(DCM_SourceIsotopeHalfLife, source.halfLifeDays);
    item.Put(DCM_SourceStrengthUnits, "AIR_KERMA_RATE");
    item.PutDecimal(DCM_ReferenceAirKermaRate, source.referenceAirKermaRateU);
    item.PutDecimal(DCM_SourceStrength, source.referenceAirKermaRateU);
    item.Put(DCM_SourceStrengthReferenceDate, source.referenceDate);
    item.Put(DCM_SourceStrengthReferenceTime, source.referenceTime);
    meanLifeSeconds[source.number] = MeanLifeSeconds(source.halfLifeDays);
  }
  int setupNumber = 0;
  for (const RtApplicationSetup& setup : plan.setups) {
    const int number = setup.number > 0 ? setup.number : setupNumber + 1;
    setupNumber = number;
    DicomItemWriter item = data.AppendItem(DCM_ApplicationSetupSequence);
    item.Put(DCM_ApplicationSetupType, "PERCUTANEOUS");
    item.PutInteger(DCM_ApplicationSetupNumber, number);
    if (!setup.name.empty()) {
      item.Put(DCM_ApplicationSetupName, setup.name.substr(0, 64));
    }
    double totalReferenceAirKerma = 0.0;
    int channelNumber = 0;
    for (const RtSeed& seed : setup.seeds) {
      const RtSource& source = *plan.FindSource(seed.sourceNumber);
      const double seconds = meanLifeSeconds[seed.sourceNumber];
      totalReferenceAirKerma += source.referenceAirKermaRateU * seconds / 3600.0;
      DicomItemWriter channel = item.AppendItem(DCM_ChannelSequence);
      channel.PutInteger(DCM_ChannelNumber, ++channelNumber);
      channel.Put(DCM_ChannelLength, "");
      channel.PutDecimal(DCM_ChannelTotalTime, seconds);
      channel.Put(DCM_SourceMovementType, "FIXED");
      channel.Put(DCM_TransferTubeNumber, "");
      channel.PutInteger(DCM_ReferencedSourceNumber, seed.sourceNumber);
      channel.PutInteger(DCM_NumberOfControlPoints, 2);
      channel.PutDecimal(DCM_FinalCumulativeTimeWeight, 1.0);
      for (int index = 0; index < 2; ++index) {
        DicomItemWriter point = channel.AppendItem(DCM_BrachyControlPointSequence);
        point.PutInteger(DCM_ControlPointIndex, index);
        point.PutDecimal(DCM_ControlPointRelativePosition, 0.0);
        point.PutDecimals(DCM_ControlPoint3DPosition,
                          {seed.positionMm.x(), seed.positionMm.y(), seed.positionMm.z()});
        point.PutDecimal(DCM_CumulativeTimeWeight, index);
        if (seed.direction) {
          const Eigen::Vector3d axis = seed.direction->normalized();
          point.PutFloats(DCM_ControlPointOrientation,
                          {static_cast<float>(axis.x()), static_cast<float>(axis.y()),
                           static_cast<float>(axis.z())});
        }
      }
    }
    item.PutDecimal(DCM_TotalReferenceAirKerma, totalReferenceAirKerma);
    DicomItemWriter reference =
        fractionGroup.AppendItem(DCM_ReferencedBrachyApplicationSetupSequence);
    reference.PutInteger(DCM_ReferencedBrachyApplicationSetupNumber, number);
  }

  // Approval
  data.Put(DCM_ApprovalStatus, plan.approvalStatus);

  AtomicFileWriter writer(file);
  const OFCondition status =
      fileFormat.saveFile(writer.TemporaryPath().c_str(), EXS_LittleEndianExplicit);
  if (status.bad()) {
    throw Io(where + ": cannot write the RT Plan (DCMTK: " + status.text() + ")");
  }
  writer.Commit();
  return identity.sopInstanceUid;
}

} // namespace seedplan::imaging
