// `seedplan compare-dose --rtdose FILE --plan plan.xml [--json]`: another system's RT Dose of a
// plan against seedplan's dose of the same plan on the RT Dose's grid: dose differences, the
// gamma index (2 %/2 mm) and each target's DVH metrics.
//
// Reference: the RT Dose (the other system's answer, e.g. the clinical planning system's);
// evaluated: seedplan's total dose (planning::PlanEvaluator::TotalDose) on the RT Dose's grid.
// Points compared (differences and gamma): voxels of the RT Dose grid with a reference dose of at
// least 10 % of the highest prescription and farther than r_min (the source model's minimum
// radius, inside which TG-43 defines no dose) from every seed. The dose difference of the gamma
// is normalised to the highest prescription (global 2 %), the distance criterion is 2 mm.

#include "CommandLine.h"
#include "Commands.h"
#include "DicomRtExport.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/JsonWriter.h"
#include "seedplan/core/MaskIndexBox.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/dosimetry/GammaIndex.h"
#include "seedplan/dosimetry/GridDoseSampler.h"
#include "seedplan/imaging/CtLoader.h"
#include "seedplan/imaging/RtDoseReader.h"
#include "seedplan/imaging/StructureLoader.h"
#include "seedplan/planning/PlanEvaluator.h"
#include "seedplan/planning/PlanXml.h"

#include <cmath>
#include <cstdio>
#include <iostream>
#include <memory>
#include <set>

namespace seedplan::app {

namespace {

/// The comparison's criteria (the issue's: 2 %/2 mm, global, 10 % threshold).
constexpr double kDoseDifferenceFraction = 0.02;
constexpr double kDistanceToAgreementMm = 2.0;
constexpr double kLowDoseThresholdFraction = 0.10;

struct CompareOptions {
  std::string rtDose;
  std::string plan;
  bool json = false;
};

struct DoseDifference {
  std::int64_t points = 0;
  double maxAbsoluteGy = 0.0;
  Eigen::Vector3d maxAtMm = Eigen::Vector3d::Zero();
  double meanGy = 0.0;
  double meanAbsoluteGy = 0.0;
};

struct TargetComparison {
  std::string name;
  double rxGy = 0.0;
  std::optional<dosimetry::DoseMetrics> reference;
  std::optional<dosimetry::DoseMetrics> evaluated;
};

/// True if every voxel of the mask lies inside the dose grid's voxels.
bool Covered(const Mask& mask, const Volume<float>& dose) {
  const std::optional<MaskIndexBox> box = MaskIndexBox::Of(mask);
  if (!box) {
    return false;
  }
  const dosimetry::GridDoseSampler sampler(dose);
  for (int corner = 0; corner < 8; ++corner) {
    const double i = (corner & 1) ? double(box->upper[0]) + 0.5 : double(box->lower[0]) - 0.5;
    const double j = (corner & 2) ? double(box->upper[1]) + 0.5 : double(box->lower[1]) - 0.5;
    const double k = (corner & 4) ? double(box->upper[2]) + 0.5 : double(box->lower[2]) - 0.5;
    if (!sampler.Covers(mask.Geometry().IndexToPoint(i, j, k))) {
      return false;
    }
  }
  return true;
}

DoseDifference Differences(const Volume<float>& reference, const Volume<float>& evaluated,
                           double thresholdGy, const std::vector<Eigen::Vector3d>& seeds,
                           double radiusMm) {
  DoseDifference result;
  const GridGeometry& grid = reference.Geometry();
  double sum = 0.0;
  double sumAbsolute = 0.0;
  for (std::int64_t k = 0; k < grid.Size()[2]; ++k) {
    for (std::int64_t j = 0; j < grid.Size()[1]; ++j) {
      for (std::int64_t i = 0; i < grid.Size()[0]; ++i) {
        const double referenceGy = reference.At(i, j, k);
        if (referenceGy < thresholdGy) {
          continue;
        }
        const Eigen::Vector3d point = grid.IndexToPoint(double(i), double(j), double(k));
        bool nearSeed = false;
        for (const auto& seed : seeds) {
          if ((seed - point).squaredNorm() <= radiusMm * radiusMm) {
            nearSeed = true;
            break;
          }
        }
        if (nearSeed) {
          continue;
        }
        const double difference = evaluated.At(i, j, k) - referenceGy;
        ++result.points;
        sum += difference;
        sumAbsolute += std::abs(difference);
        if (std::abs(difference) > result.maxAbsoluteGy) {
          result.maxAbsoluteGy = std::abs(difference);
          result.maxAtMm = point;
        }
      }
    }
  }
  if (result.points > 0) {
    result.meanGy = sum / double(result.points);
    result.meanAbsoluteGy = sumAbsolute / double(result.points);
  }
  return result;
}

std::optional<double> Difference(const std::optional<dosimetry::DoseMetrics>& a,
                                 const std::optional<dosimetry::DoseMetrics>& b,
                                 double dosimetry::DoseMetrics::*metric) {
  if (!a || !b) {
    return std::nullopt;
  }
  return (*b).*metric - (*a).*metric;
}

void RunCompare(const CompareOptions& options) {
  const planning::Plan plan = planning::PlanXml::Read(options.plan);
  if (plan.targets.empty()) {
    throw InvalidInput(options.plan + ": the plan has no target; expected a prescription to "
                                      "normalise the dose difference to");
  }
  const imaging::RtDoseGrid foreign = imaging::RtDoseReader::Read(options.rtDose);
  if (foreign.doseUnits != "GY") {
    throw InvalidInput(options.rtDose + ": Dose Units (3004,0002) is " + foreign.doseUnits +
                       "; expected GY (an absolute dose to compare)");
  }
  if (foreign.doseType != "PHYSICAL") {
    throw InvalidInput(options.rtDose + ": Dose Type (3004,0004) is " + foreign.doseType +
                       "; expected PHYSICAL (seedplan computes physical dose)");
  }
  if (foreign.summationType != "PLAN" && foreign.summationType != "MULTI_PLAN" &&
      foreign.summationType != "BRACHY") {
    throw InvalidInput(options.rtDose + ": Dose Summation Type (3004,000A) is " +
                       foreign.summationType +
                       "; expected PLAN (the total dose of the implant), MULTI_PLAN or BRACHY");
  }
  if (foreign.frameOfReferenceUid.empty() || plan.frameOfReferenceUid.empty() ||
      foreign.frameOfReferenceUid != plan.frameOfReferenceUid) {
    throw InvalidInput(options.rtDose + ": Frame of Reference UID (0020,0052) '" +
                       foreign.frameOfReferenceUid + "' is not the plan's ('" +
                       plan.frameOfReferenceUid + "' in " + options.plan +
                       "); expected a dose of the same patient position");
  }
  // The CT first: a series changed since planning is refused before the structures are read.
  const imaging::CtImage ct = imaging::CtLoader::Load(plan.ctPath);
  CheckPlanMatchesCt(plan, ct, options.plan);
  const imaging::StructureSet structures = imaging::StructureLoader::Load(plan.structuresPath, ct);

  const dosimetry::SourceLibrary library;
  const Volume<float> seedplanGy =
      planning::PlanEvaluator::TotalDose(plan, foreign.dose.Geometry(), library);

  double normalisationGy = 0.0;
  for (const auto& target : plan.targets) {
    normalisationGy = std::max(normalisationGy, target.prescriptionGy);
  }
  double radiusMm = 0.0;
  std::set<std::string> models{plan.seedModel};
  std::vector<Eigen::Vector3d> seedPoints;
  for (const Seed& seed : plan.seeds) {
    models.insert(seed.model.empty() ? plan.seedModel : seed.model);
    seedPoints.push_back(seed.positionMm);
  }
  for (const auto& model : models) {
    radiusMm = std::max(radiusMm, library.Load(model)->MinimumRadiusCm() * 10.0);
  }
  const double thresholdGy = kLowDoseThresholdFraction * normalisationGy;
  const DoseDifference difference =
      Differences(foreign.dose, seedplanGy, thresholdGy, seedPoints, radiusMm);
  dosimetry::GammaOptions gammaOptions;
  gammaOptions.doseDifferenceFraction = kDoseDifferenceFraction;
  gammaOptions.distanceToAgreementMm = kDistanceToAgreementMm;
  gammaOptions.normalisationDoseGy = normalisationGy;
  gammaOptions.lowDoseThresholdFraction = kLowDoseThresholdFraction;
  gammaOptions.excludedCentresMm = seedPoints;
  gammaOptions.excludedRadiusMm = radiusMm;
  const dosimetry::GammaResult gamma =
      dosimetry::GammaIndex::Compute(foreign.dose, seedplanGy, gammaOptions);

  std::vector<TargetComparison> targets;
  for (const auto& target : plan.targets) {
    TargetComparison comparison;
    comparison.name = target.structureName;
    comparison.rxGy = target.prescriptionGy;
    const imaging::Structure* structure = structures.Find(target.structureName);
    if (structure == nullptr) {
      throw InvalidInput(options.plan + ": target '" + target.structureName +
                         "' is not in the structure set " + plan.structuresPath);
    }
    if (Covered(structure->mask, foreign.dose)) {
      imaging::StructureSet one;
      one.structures.push_back(*structure);
      comparison.reference =
          planning::PlanEvaluator::Evaluate(foreign.dose, one, {target}).front().metrics;
      comparison.evaluated =
          planning::PlanEvaluator::Evaluate(seedplanGy, one, {target}).front().metrics;
    }
    targets.push_back(comparison);
  }

  const GridGeometry& grid = foreign.dose.Geometry();
  if (options.json) {
    JsonWriter json;
    json.BeginObject();
    json.Key("rtdose").String(options.rtDose).Key("plan").String(options.plan);
    json.Key("reference").String("rtdose").Key("evaluated").String("seedplan");
    json.Key("grid").String(grid.Describe());
    json.Key("normalisation_Gy").Number(normalisationGy);
    json.Key("threshold_Gy").Number(thresholdGy).Key("excluded_radius_mm").Number(radiusMm);
    json.Key("points").Integer(difference.points);
    json.Key("max_abs_difference_Gy").Number(difference.maxAbsoluteGy);
    json.Key("max_abs_difference_pct").Number(100.0 * difference.maxAbsoluteGy / normalisationGy);
    json.Key("max_abs_difference_at_mm")
        .NumberArray({difference.maxAtMm.x(), difference.maxAtMm.y(), difference.maxAtMm.z()});
    json.Key("mean_difference_Gy").Number(difference.meanGy);
    json.Key("mean_abs_difference_Gy").Number(difference.meanAbsoluteGy);
    json.Key("gamma").BeginObject();
    json.Key("dose_pct").Number(100.0 * kDoseDifferenceFraction);
    json.Key("distance_mm").Number(kDistanceToAgreementMm);
    json.Key("points").Integer(gamma.evaluatedPoints);
    json.Key("pass_rate_pct")
        .Number(gamma.evaluatedPoints > 0 ? std::optional(gamma.passRatePct) : std::nullopt);
    json.Key("mean").Number(gamma.meanGamma).Key("max").Number(gamma.maxGamma);
    json.EndObject();
    json.Key("targets").BeginArray();
    using M = dosimetry::DoseMetrics;
    for (const auto& target : targets) {
      json.BeginObject().Key("name").String(target.name).Key("rx_Gy").Number(target.rxGy);
      json.Key("covered").Bool(target.reference.has_value());
      for (const auto& [key, metric] :
           {std::pair{"D90_Gy", &M::D90Gy}, std::pair{"D100_Gy", &M::D100Gy},
            std::pair{"Dmean_Gy", &M::DmeanGy}, std::pair{"V100_pct", &M::V100Pct},
            std::pair{"V150_pct", &M::V150Pct}, std::pair{"V200_pct", &M::V200Pct}}) {
        json.Key(key).BeginObject();
        json.Key("rtdose").Number(target.reference ? std::optional((*target.reference).*metric)
                                                   : std::nullopt);
        json.Key("seedplan")
            .Number(target.evaluated ? std::optional((*target.evaluated).*metric) : std::nullopt);
        json.Key("difference").Number(Difference(target.reference, target.evaluated, metric));
        json.EndObject();
      }
      json.EndObject();
    }
    json.EndArray();
    json.EndObject();
    std::cout << json.Text() << '\n';
    return;
  }
  std::cout << "compare-dose: " << options.rtDose << " (reference) against seedplan's dose of "
            << options.plan << " (evaluated), TG-43U1 total dose in Gy, on the RT Dose's grid ("
            << grid.Describe() << ")\n";
  std::cout << "points compared: " << difference.points
            << " (RT Dose >= " << FormatNumber(100.0 * kLowDoseThresholdFraction, 3) << " % of "
            << FormatNumber(normalisationGy, 4) << " Gy = " << FormatNumber(thresholdGy, 4)
            << " Gy, farther than " << FormatNumber(radiusMm, 3) << " mm from every seed)\n";
  std::cout << "difference seedplan - RT Dose: max |d| "
            << FormatNumber(difference.maxAbsoluteGy, 4) << " Gy ("
            << FormatNumber(100.0 * difference.maxAbsoluteGy / normalisationGy, 3) << " % of "
            << FormatNumber(normalisationGy, 4) << " Gy) at ("
            << FormatNumber(difference.maxAtMm.x(), 5) << ", "
            << FormatNumber(difference.maxAtMm.y(), 5) << ", "
            << FormatNumber(difference.maxAtMm.z(), 5) << ") mm; mean "
            << FormatNumber(difference.meanGy, 4) << " Gy; mean |d| "
            << FormatNumber(difference.meanAbsoluteGy, 4) << " Gy\n";
  std::cout << "gamma " << FormatNumber(100.0 * kDoseDifferenceFraction, 2) << " %/"
            << FormatNumber(kDistanceToAgreementMm, 2) << " mm (global, "
            << FormatNumber(kDoseDifferenceFraction * normalisationGy, 4) << " Gy): pass rate "
            << (gamma.evaluatedPoints > 0 ? FormatNumber(gamma.passRatePct, 4) + " %"
                                          : std::string("- (no point)"))
            << " of " << gamma.evaluatedPoints << " points, mean "
            << FormatNumber(gamma.meanGamma, 3) << ", max " << FormatNumber(gamma.maxGamma, 3)
            << (gamma.maxGamma >= gammaOptions.maxGamma ? " (search limit)" : "") << "\n";
  std::printf("%-14s %-9s %10s %10s %10s\n", "target", "metric", "RT Dose", "seedplan",
              "difference");
  using M = dosimetry::DoseMetrics;
  for (const auto& target : targets) {
    if (!target.reference) {
      std::printf("%-14s not inside the RT Dose grid: no DVH metrics\n", target.name.c_str());
      continue;
    }
    for (const auto& [label, metric] :
         {std::pair{"D90 Gy", &M::D90Gy}, std::pair{"D100 Gy", &M::D100Gy},
          std::pair{"Dmean Gy", &M::DmeanGy}, std::pair{"V100 %", &M::V100Pct},
          std::pair{"V150 %", &M::V150Pct}, std::pair{"V200 %", &M::V200Pct}}) {
      std::printf("%-14s %-9s %10s %10s %10s\n", target.name.c_str(), label,
                  FormatNumber((*target.reference).*metric, 4).c_str(),
                  FormatNumber((*target.evaluated).*metric, 4).c_str(),
                  FormatNumber(*Difference(target.reference, target.evaluated, metric), 3).c_str());
    }
  }
}

} // namespace

void RegisterCompareDoseCommand(CLI::App& app) {
  auto* command = app.add_subcommand(
      "compare-dose", "Another system's RT Dose against seedplan's dose of the same plan");
  auto options = std::make_shared<CompareOptions>();
  command->add_option("--rtdose", options->rtDose, "RT Dose file (.dcm)")->required();
  command->add_option("--plan", options->plan, "Plan file (.xml)")->required();
  command->add_flag("--json", options->json, "One JSON object instead of the text report");
  command->callback([options]() { RunCompare(*options); });
}

} // namespace seedplan::app
