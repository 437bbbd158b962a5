#include "seedplan/planning/TrajectoryCheck.h"

#include "MaskLookup.h"

#include "seedplan/core/Error.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <optional>

namespace seedplan::planning {

namespace {

using imaging::StructureRole;

/// A structure as the check sees it: its role, whether it is a lung, and its mask lookup.
struct CheckedStructure {
  std::string name;
  StructureRole role;
  bool lung;
  bool hostBone;
  MaskLookup lookup;
};

std::string Lowercase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

/// Naming rule for the pleura: a structure whose name contains "lung" (Lung_L, Lung_R, Lungs,
/// LUNG_TOTAL) is a lung unless it is a target (GTV_Lung) or the body outline.
bool IsLung(const imaging::Structure& structure) {
  return structure.role != StructureRole::Target && structure.role != StructureRole::External &&
         Lowercase(structure.name).find("lung") != std::string::npos;
}

std::string FormatMm(double valueMm) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%.1f", valueMm);
  return buffer;
}

std::string FormatPoint(const Eigen::Vector3d& pointMm) {
  char buffer[96];
  std::snprintf(buffer, sizeof(buffer), "(%.1f, %.1f, %.1f) mm", pointMm.x(), pointMm.y(),
                pointMm.z());
  return buffer;
}

void RequireNonNegative(double value, const char* field) {
  if (!(value >= 0.0) || !std::isfinite(value)) {
    throw InvalidInput(std::string("trajectory options: ") + field + " is " +
                       std::to_string(value) + "; expected a finite value >= 0");
  }
}

} // namespace

struct TrajectoryCheck::Impl {
  std::string targetName;
  TrajectoryOptions options;
  std::vector<CheckedStructure> structures; ///< all but the target and the BODY
  std::optional<MaskLookup> target;
  std::optional<MaskLookup> body;
  bool boneAccess = false;
  std::vector<std::string> hostBones;
  double stepMm = 0.5;

  TrajectoryReport Evaluate(const Eigen::Vector3d& entryMm, const Eigen::Vector3d& tipMm) const;
};

TrajectoryCheck::TrajectoryCheck(const imaging::StructureSet& structures,
                                 const std::string& targetName, const TrajectoryOptions& options)
    : m_Impl(std::make_unique<Impl>()) {
  if (!(options.maxSampleStepMm > 0.0) || !std::isfinite(options.maxSampleStepMm)) {
    throw InvalidInput("trajectory options: maxSampleStepMm is " +
                       std::to_string(options.maxSampleStepMm) + "; expected a positive value");
  }
  RequireNonNegative(options.pleuralPenaltyMm, "pleuralPenaltyMm");
  RequireNonNegative(options.organAtRiskCostFactor, "organAtRiskCostFactor");
  RequireNonNegative(options.boneCostFactor, "boneCostFactor");
  RequireNonNegative(options.depthCostPerMm, "depthCostPerMm");
  RequireNonNegative(options.maxBonePathMm, "maxBonePathMm");
  RequireNonNegative(options.hostBoneAdjacencyMm, "hostBoneAdjacencyMm");
  RequireNonNegative(options.tipToleranceMm, "tipToleranceMm");
  RequireNonNegative(options.entryToleranceMm, "entryToleranceMm");

  Impl& impl = *m_Impl;
  impl.targetName = targetName;
  impl.options = options;
  const imaging::Structure* targetStructure = structures.Find(targetName);
  if (targetStructure == nullptr) {
    throw InvalidInput("trajectory check: target '" + targetName +
                       "' is not a structure of the structure set " + structures.sourceFile);
  }
  impl.target.emplace(targetStructure->mask);
  if (impl.target->Empty()) {
    throw InvalidInput("trajectory check: target '" + targetName + "' has an empty mask");
  }
  double finestMm = impl.target->FinestSpacingMm();
  for (const auto& structure : structures.structures) {
    if (&structure == targetStructure) {
      continue;
    }
    if (structure.role == StructureRole::External) {
      if (!impl.body) {
        impl.body.emplace(structure.mask);
        finestMm = std::min(finestMm, impl.body->FinestSpacingMm());
      }
      continue;
    }
    CheckedStructure checked{structure.name, structure.role, IsLung(structure), false,
                             MaskLookup(structure.mask)};
    if (checked.lookup.Empty()) {
      continue;
    }
    finestMm = std::min(finestMm, checked.lookup.FinestSpacingMm());
    impl.structures.push_back(std::move(checked));
  }
  if (!impl.body || impl.body->Empty()) {
    throw InvalidInput("trajectory check: the structure set " + structures.sourceFile +
                       " has no External (BODY) structure with voxels; the skin entry of a "
                       "needle cannot be found or checked without it");
  }
  impl.stepMm = std::min(options.maxSampleStepMm, 0.5 * finestMm);

  impl.boneAccess =
      options.allowBoneAccessToAllTargets || options.allowBoneAccessTo.count(targetName) > 0;
  if (impl.boneAccess) {
    // The bone the target lies in or next to: any bone voxel within hostBoneAdjacencyMm of a
    // target voxel's cell (measured from the voxel centre plus half the voxel's largest side).
    const std::vector<Eigen::Vector3d> targetPoints = impl.target->InsidePoints();
    const double reachMm =
        options.hostBoneAdjacencyMm + 0.5 * targetStructure->mask.Geometry().SpacingMm().maxCoeff();
    for (auto& checked : impl.structures) {
      if (checked.role != StructureRole::Bone) {
        continue;
      }
      checked.hostBone =
          std::any_of(targetPoints.begin(), targetPoints.end(), [&](const Eigen::Vector3d& p) {
            return checked.lookup.WithinDistance(p, reachMm);
          });
      if (checked.hostBone) {
        impl.hostBones.push_back(checked.name);
      }
    }
  }
}

TrajectoryCheck::~TrajectoryCheck() = default;

TrajectoryReport TrajectoryCheck::Evaluate(const Eigen::Vector3d& entryMm,
                                           const Eigen::Vector3d& tipMm) const {
  return m_Impl->Evaluate(entryMm, tipMm);
}

TrajectoryReport TrajectoryCheck::Impl::Evaluate(const Eigen::Vector3d& entryMm,
                                                 const Eigen::Vector3d& tipMm) const {
  TrajectoryReport report;
  const Eigen::Vector3d segment = tipMm - entryMm;
  const double lengthMm = segment.norm();
  report.depthMm = lengthMm;
  auto reject = [&report](const std::string& rule, const std::string& reason) {
    report.accepted = false;
    report.rejectedBy = rule;
    report.reason = reason;
    return report;
  };
  if (!std::isfinite(lengthMm) || !(lengthMm > stepMm)) {
    return reject("degenerate", "entry " + FormatPoint(entryMm) + " and tip " + FormatPoint(tipMm) +
                                    " are " + FormatMm(lengthMm) + " mm apart: not a needle path");
  }
  const Eigen::Vector3d direction = segment / lengthMm;
  if (!target->WithinDistance(tipMm, options.tipToleranceMm)) {
    return reject("tip outside target", "tip " + FormatPoint(tipMm) + " is not inside " +
                                            targetName + " (tolerance " +
                                            FormatMm(options.tipToleranceMm) + " mm)");
  }
  if (body->Contains(entryMm)) {
    bool onSkin = false;
    for (double backMm = stepMm; backMm <= options.entryToleranceMm + 1e-9 && !onSkin;
         backMm += stepMm) {
      onSkin = !body->Contains(entryMm - backMm * direction);
    }
    if (!onSkin) {
      return reject("entry inside body", "entry " + FormatPoint(entryMm) +
                                             " lies inside the BODY, not on the skin (tolerance " +
                                             FormatMm(options.entryToleranceMm) +
                                             " mm along the needle)");
    }
  }

  // The skin must be imaged: a needle whose first point in the body lies in the first or last
  // slice of the BODY enters through the end of the scan, where the body goes on unseen.
  for (double alongMm = 0.0; alongMm <= lengthMm; alongMm += stepMm) {
    const Eigen::Vector3d point = entryMm + alongMm * direction;
    if (body->Contains(point)) {
      if (body->OnEndSlice(point)) {
        return reject("entry off scan",
                      "enters the body at " + FormatPoint(point) +
                          " through the first or last slice of the BODY: the skin there is not "
                          "on the scan");
      }
      break;
    }
  }

  // Samples at the centres of equal steps: each stands for `stepLengthMm` of the path.
  const auto sampleCount = static_cast<std::int64_t>(std::ceil(lengthMm / stepMm));
  const double stepLengthMm = lengthMm / static_cast<double>(sampleCount);
  const std::size_t structureCount = structures.size();
  std::vector<char> inside(structureCount, 0);
  std::vector<char> wasInside(structureCount, 0);
  bool wasInTarget = false;
  int previousLung = -1; // the entry lies outside the body, so outside the lungs
  double targetEntryAlongMm = -1.0;
  double firstBoneAlongMm = -1.0;
  std::string firstBoneName;
  Eigen::Vector3d firstBonePoint = Eigen::Vector3d::Zero();
  auto appendTissue = [&report](const std::string& name) {
    if (report.tissuesCrossed.empty() || report.tissuesCrossed.back() != name) {
      report.tissuesCrossed.push_back(name);
    }
  };

  for (std::int64_t sample = 0; sample < sampleCount; ++sample) {
    const double alongMm = (static_cast<double>(sample) + 0.5) * stepLengthMm;
    const Eigen::Vector3d point = entryMm + alongMm * direction;
    const bool inTarget = target->Contains(point);
    int lung = -1;
    int bone = -1;
    bool anyOrganAtRisk = false;
    bool anyPassThrough = false;
    for (std::size_t s = 0; s < structureCount; ++s) {
      const CheckedStructure& structure = structures[s];
      inside[s] = structure.lookup.Contains(point) ? 1 : 0;
      if (inside[s] == 0) {
        continue;
      }
      if (wasInside[s] == 0) {
        appendTissue(structure.name);
      }
      switch (structure.role) {
      case StructureRole::NoGo:
        return reject("no-go " + structure.name, "crosses no-go structure " + structure.name +
                                                     " at " + FormatPoint(point) + ", " +
                                                     FormatMm(alongMm) + " mm from the entry");
      case StructureRole::Bone:
        if (bone < 0 || structures[static_cast<std::size_t>(bone)].hostBone) {
          // a bone off the route wins: it is what rejects the path
          bone = static_cast<int>(s);
        }
        break;
      case StructureRole::OrganAtRisk:
        anyOrganAtRisk = true;
        break;
      case StructureRole::PassThrough:
        anyPassThrough = true;
        break;
      default:
        break;
      }
      if (structure.lung && lung < 0) {
        lung = static_cast<int>(s);
      }
    }
    if (inTarget && !wasInTarget) {
      appendTissue(targetName);
    }
    wasInside.swap(inside);
    wasInTarget = inTarget;
    if (inTarget) {
      if (targetEntryAlongMm < 0.0) {
        targetEntryAlongMm = alongMm;
      }
      continue; // the target is free; its inside does not change the lung state
    }
    if (lung != previousLung) {
      report.pleuralCrossings += (lung >= 0 && previousLung >= 0) ? 2 : 1;
      previousLung = lung;
    }
    if (bone >= 0) {
      const CheckedStructure& boneStructure = structures[static_cast<std::size_t>(bone)];
      if (!boneAccess) {
        return reject("bone " + boneStructure.name,
                      "crosses bone " + boneStructure.name + " at " + FormatPoint(point) + ", " +
                          FormatMm(alongMm) + " mm from the entry (bone access to " + targetName +
                          " is not allowed)");
      }
      if (!boneStructure.hostBone) {
        std::string hosts;
        for (const auto& host : hostBones) {
          hosts += (hosts.empty() ? "" : ", ") + host;
        }
        return reject("bone " + boneStructure.name,
                      "crosses bone " + boneStructure.name + " at " + FormatPoint(point) + ", " +
                          FormatMm(alongMm) + " mm from the entry: not the bone " + targetName +
                          " lies in (" + (hosts.empty() ? std::string("none found") : hosts) + ")");
      }
      report.boneLengthMm += stepLengthMm;
      if (firstBoneAlongMm < 0.0 && targetEntryAlongMm < 0.0) {
        firstBoneAlongMm = alongMm;
        firstBoneName = boneStructure.name;
        firstBonePoint = point;
      }
    } else if (anyOrganAtRisk) {
      report.organAtRiskLengthMm += stepLengthMm;
    } else if (anyPassThrough) {
      report.passThroughLengthMm += stepLengthMm;
    }
  }

  if (firstBoneAlongMm >= 0.0) {
    const double targetAlongMm = targetEntryAlongMm >= 0.0 ? targetEntryAlongMm : lengthMm;
    const double boneRouteMm = targetAlongMm - firstBoneAlongMm;
    if (boneRouteMm > options.maxBonePathMm) {
      return reject("bone route " + firstBoneName,
                    "enters bone " + firstBoneName + " at " + FormatPoint(firstBonePoint) + ", " +
                        FormatMm(boneRouteMm) + " mm before " + targetName +
                        " (an access route may cross at most " + FormatMm(options.maxBonePathMm) +
                        " mm of bone before the target)");
    }
  }
  report.costMm =
      report.passThroughLengthMm + options.organAtRiskCostFactor * report.organAtRiskLengthMm +
      options.boneCostFactor * report.boneLengthMm +
      options.pleuralPenaltyMm * report.pleuralCrossings + options.depthCostPerMm * report.depthMm;
  report.accepted = true;
  return report;
}

TrajectoryReport TrajectoryCheck::Check(const Eigen::Vector3d& entryMm,
                                        const Eigen::Vector3d& tipMm,
                                        const imaging::StructureSet& structures,
                                        const std::string& targetName,
                                        const TrajectoryOptions& options) {
  return TrajectoryCheck(structures, targetName, options).Evaluate(entryMm, tipMm);
}

const std::vector<std::string>& TrajectoryCheck::HostBones() const {
  return m_Impl->hostBones;
}

bool TrajectoryCheck::BoneAccessAllowed() const {
  return m_Impl->boneAccess;
}

double TrajectoryCheck::SampleStepMm() const {
  return m_Impl->stepMm;
}

bool TrajectoryCheck::InTarget(const Eigen::Vector3d& pointMm) const {
  return m_Impl->target->Contains(pointMm);
}

bool TrajectoryCheck::InBody(const Eigen::Vector3d& pointMm) const {
  return m_Impl->body->Contains(pointMm);
}

std::vector<Eigen::Vector3d> TrajectoryCheck::TargetPoints() const {
  return m_Impl->target->InsidePoints();
}

double TrajectoryCheck::BodyReachMm(const Eigen::Vector3d& pointMm) const {
  return m_Impl->body->ReachMm(pointMm);
}

const std::string& TrajectoryCheck::TargetName() const {
  return m_Impl->targetName;
}

const TrajectoryOptions& TrajectoryCheck::Options() const {
  return m_Impl->options;
}

} // namespace seedplan::planning
