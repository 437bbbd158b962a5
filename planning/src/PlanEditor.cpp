#include "seedplan/planning/PlanEditor.h"

#include "MaskLookup.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <set>

namespace seedplan::planning {

namespace {

std::string DescribeVector(const Eigen::Vector3d& v) {
  std::string text = "(";
  text += FormatNumber(v.x(), 4);
  text += ", ";
  text += FormatNumber(v.y(), 4);
  text += ", ";
  text += FormatNumber(v.z(), 4);
  text += ")";
  return text;
}

} // namespace

PlanEditor::PlanEditor(Plan plan, const GridGeometry& ctGrid,
                       const imaging::StructureSet& structures)
    : m_Plan(std::move(plan)), m_CtGrid(ctGrid), m_Structures(structures),
      m_Edited(m_Plan.seeds.size(), false) {
  std::set<std::string> targetNames;
  for (const auto& target : m_Plan.targets) {
    targetNames.insert(target.structureName);
  }
  for (const auto& structure : m_Structures.structures) {
    if (targetNames.count(structure.name)) {
      m_Targets.emplace_back(&structure, std::make_shared<MaskLookup>(structure.mask));
    } else if (structure.role == imaging::StructureRole::NoGo) {
      m_NoGo.emplace_back(&structure, std::make_shared<MaskLookup>(structure.mask));
    }
  }
}

void PlanEditor::CheckIndex(std::size_t index, const std::string& what) const {
  SeedEditBatch batch;
  batch.deletions.push_back(index);
  try {
    CheckIndices(batch, m_Plan.seeds.size());
  } catch (const InvalidInput& error) {
    const std::string text = error.what();
    throw InvalidInput(what + text.substr(text.find(':')));
  }
}

void PlanEditor::CheckInsideCt(const Eigen::Vector3d& pointMm, const std::string& what) const {
  // Half a voxel beyond the outer voxel centres is still inside the scanned volume.
  if (!pointMm.allFinite() || !m_CtGrid.ContainsPoint(pointMm, 0.5)) {
    const Eigen::Vector3d first = m_CtGrid.IndexToPoint(0, 0, 0);
    const auto& size = m_CtGrid.Size();
    const Eigen::Vector3d last =
        m_CtGrid.IndexToPoint(double(size[0] - 1), double(size[1] - 1), double(size[2] - 1));
    throw InvalidInput(what + " puts the seed at " + DescribeVector(pointMm) +
                       " mm, outside the CT; expected a point within the scan (voxel centres " +
                       DescribeVector(first) + " to " + DescribeVector(last) + " mm)");
  }
}

const Needle* PlanEditor::FindNeedle(const std::string& id) const {
  for (const auto& needle : m_Plan.needles) {
    if (needle.id == id) {
      return &needle;
    }
  }
  return nullptr;
}

Seed PlanEditor::NewSeed(const SeedAddition& addition, const std::string& what) const {
  CheckInsideCt(addition.positionMm, what);
  Seed seed;
  seed.positionMm = addition.positionMm;
  seed.model = m_Plan.seedModel;
  if (!addition.needleId.empty()) {
    const Needle* needle = FindNeedle(addition.needleId);
    if (!needle) {
      std::string known;
      for (const auto& n : m_Plan.needles) {
        known += (known.empty() ? "" : ", ") + n.id;
      }
      throw InvalidInput(what + ": the plan has no needle '" + addition.needleId +
                         "'; expected one of " + (known.empty() ? std::string("(none)") : known) +
                         " or no needle");
    }
    const Eigen::Vector3d axis = needle->tipMm - needle->entryMm;
    if (axis.norm() > 0.0) {
      seed.direction = axis.normalized();
    }
    seed.needle = needle->id;
  }
  if (addition.strengthU) {
    if (!(*addition.strengthU > 0.0) || !std::isfinite(*addition.strengthU)) {
      throw InvalidInput(what + ": strength " + FormatNumber(*addition.strengthU) +
                         " U; expected a positive air-kerma strength");
    }
    seed.strengthU = *addition.strengthU;
  } else if (m_Plan.strengthAtImplantU > 0.0) {
    seed.strengthU = m_Plan.strengthAtImplantU;
  } else {
    throw InvalidInput(what + ": no strength is known for the added seed (the plan records no "
                              "strength at implant); expected --strength-u or --activity-mci");
  }
  return seed;
}

SeedChange PlanEditor::Commit(std::vector<Seed> seeds, std::vector<bool> edited, double strengthU,
                              double assayU, std::string summary, SeedChange change) {
  Step step;
  step.before = m_Plan.seeds;
  step.after = std::move(seeds);
  step.strengthBeforeU = m_Plan.strengthAtImplantU;
  step.strengthAfterU = strengthU;
  step.assayBeforeU = m_Plan.assayStrengthU;
  step.assayAfterU = assayU;
  step.editedBefore = m_Edited;
  step.editedAfter = std::move(edited);
  step.summary = std::move(summary);
  step.change = std::move(change);
  m_Steps.resize(m_Done); // a new step discards what could have been redone
  m_Steps.push_back(std::move(step));
  return Redo();
}

SeedChange PlanEditor::MoveSeed(std::size_t index, const Eigen::Vector3d& deltaMm) {
  SeedEditBatch batch;
  batch.moves.emplace_back(index, deltaMm);
  return Apply(batch);
}

SeedChange PlanEditor::MoveAlongNeedle(std::size_t index, double distanceMm) {
  CheckIndex(index, "move along the needle");
  const Seed& seed = m_Plan.seeds[index];
  std::optional<Eigen::Vector3d> axis = seed.direction;
  if (const Needle* needle = FindNeedle(seed.needle)) {
    const Eigen::Vector3d direction = needle->tipMm - needle->entryMm;
    if (direction.norm() > 0.0) {
      axis = direction.normalized();
    }
  }
  if (!axis) {
    throw InvalidInput("move along the needle: seed " + std::to_string(index) +
                       " has no needle and no known axis; expected a move in the plane");
  }
  return MoveSeed(index, *axis * distanceMm);
}

SeedChange PlanEditor::AddSeed(const SeedAddition& addition) {
  SeedEditBatch batch;
  batch.additions.push_back(addition);
  return Apply(batch);
}

SeedChange PlanEditor::DeleteSeed(std::size_t index) {
  SeedEditBatch batch;
  batch.deletions.push_back(index);
  return Apply(batch);
}

SeedChange PlanEditor::SetStrengthOfAll(double strengthU) {
  if (!(strengthU > 0.0) || !std::isfinite(strengthU)) {
    throw InvalidInput("strength of all seeds: " + FormatNumber(strengthU) +
                       " U; expected a positive air-kerma strength");
  }
  SeedChange change;
  std::vector<Seed> seeds = m_Plan.seeds;
  for (Seed& seed : seeds) {
    change.removed.push_back(seed);
    seed.strengthU = strengthU;
    change.added.push_back(seed);
  }
  const double assayU = m_Plan.strengthAtImplantU > 0.0
                            ? m_Plan.assayStrengthU * strengthU / m_Plan.strengthAtImplantU
                            : m_Plan.assayStrengthU;
  return Commit(std::move(seeds), m_Edited, strengthU, assayU,
                "strength of every seed set to " + FormatNumber(strengthU, 4) + " U at implant",
                std::move(change));
}

void PlanEditor::CheckIndices(const SeedEditBatch& batch, std::size_t seedCount) {
  const auto checkRange = [seedCount](std::size_t index, const std::string& what) {
    if (index >= seedCount) {
      throw InvalidInput(what + ": seed index " + std::to_string(index) +
                         " is out of range; the plan has " + std::to_string(seedCount) +
                         " seeds, expected 0 to " +
                         std::to_string(seedCount == 0 ? 0 : seedCount - 1));
    }
  };
  std::set<std::size_t> moved, deleted;
  for (const auto& [index, delta] : batch.moves) {
    const std::string what = "--move " + std::to_string(index);
    checkRange(index, what);
    if (!moved.insert(index).second) {
      throw InvalidInput(what + ": seed " + std::to_string(index) +
                         " is moved twice; expected one move per seed");
    }
    if (!delta.allFinite()) {
      throw InvalidInput(what + ": the displacement is not finite; expected DX,DY,DZ in mm");
    }
  }
  for (std::size_t index : batch.deletions) {
    const std::string what = "--delete " + std::to_string(index);
    checkRange(index, what);
    if (moved.count(index)) {
      throw InvalidInput(what + ": seed " + std::to_string(index) +
                         " is also moved; expected a seed to be moved or deleted, not both");
    }
    if (!deleted.insert(index).second) {
      throw InvalidInput(what + ": seed " + std::to_string(index) +
                         " is deleted twice; expected each index once");
    }
  }
}

SeedChange PlanEditor::Apply(const SeedEditBatch& batch) {
  // Check everything against the plan before the step, then apply.
  CheckIndices(batch, m_Plan.seeds.size());
  std::set<std::size_t> deleted(batch.deletions.begin(), batch.deletions.end());
  for (const auto& [index, delta] : batch.moves) {
    CheckInsideCt(m_Plan.seeds[index].positionMm + delta,
                  "--move " + std::to_string(index) + ":" + FormatNumber(delta.x()) + "," +
                      FormatNumber(delta.y()) + "," + FormatNumber(delta.z()));
  }
  std::vector<Seed> added;
  for (const auto& addition : batch.additions) {
    added.push_back(
        NewSeed(addition, "--add " + FormatNumber(addition.positionMm.x()) + "," +
                              FormatNumber(addition.positionMm.y()) + "," +
                              FormatNumber(addition.positionMm.z()) +
                              (addition.needleId.empty() ? "" : ":" + addition.needleId)));
  }

  SeedChange change;
  std::vector<Seed> seeds;
  std::vector<bool> edited;
  std::string summary;
  const auto append = [&summary](const std::string& text) {
    summary += (summary.empty() ? "" : "; ") + text;
  };
  for (std::size_t i = 0; i < m_Plan.seeds.size(); ++i) {
    const Seed& seed = m_Plan.seeds[i];
    if (deleted.count(i)) {
      change.removed.push_back(seed);
      append("deleted seed " + std::to_string(i));
      continue;
    }
    Seed copy = seed;
    bool touched = m_Edited[i];
    for (const auto& [index, delta] : batch.moves) {
      if (index == i) {
        change.removed.push_back(seed);
        copy.positionMm += delta;
        change.added.push_back(copy);
        touched = true;
        append("moved seed " + std::to_string(i) + " by " + DescribeVector(delta) + " mm");
      }
    }
    seeds.push_back(std::move(copy));
    edited.push_back(touched);
  }
  for (Seed& seed : added) {
    append("added a seed at " + DescribeVector(seed.positionMm) + " mm" +
           (seed.needle.empty() ? std::string(" (no needle)") : " on needle " + seed.needle));
    change.added.push_back(seed);
    seeds.push_back(std::move(seed));
    edited.push_back(true);
  }
  if (change.Empty()) {
    return change;
  }
  return Commit(std::move(seeds), std::move(edited), m_Plan.strengthAtImplantU,
                m_Plan.assayStrengthU, std::move(summary), std::move(change));
}

SeedChange PlanEditor::Undo() {
  if (!CanUndo()) {
    throw InvalidInput("undo: nothing to undo");
  }
  const Step& step = m_Steps[--m_Done];
  m_Plan.seeds = step.before;
  m_Plan.strengthAtImplantU = step.strengthBeforeU;
  m_Plan.assayStrengthU = step.assayBeforeU;
  m_Edited = step.editedBefore;
  return SeedChange{step.change.added, step.change.removed};
}

SeedChange PlanEditor::Redo() {
  if (!CanRedo()) {
    throw InvalidInput("redo: nothing to redo");
  }
  const Step& step = m_Steps[m_Done++];
  m_Plan.seeds = step.after;
  m_Plan.strengthAtImplantU = step.strengthAfterU;
  m_Plan.assayStrengthU = step.assayAfterU;
  m_Edited = step.editedAfter;
  return step.change;
}

std::vector<std::size_t> PlanEditor::EditedSeeds() const {
  std::vector<std::size_t> indices;
  for (std::size_t i = 0; i < m_Edited.size(); ++i) {
    if (m_Edited[i]) {
      indices.push_back(i);
    }
  }
  return indices;
}

std::vector<EditWarning> PlanEditor::Warnings(const std::vector<std::size_t>& indices) const {
  std::vector<EditWarning> warnings;
  const auto& seeds = m_Plan.seeds;
  for (std::size_t index : indices) {
    CheckIndex(index, "warnings");
    const Seed& seed = seeds[index];
    const std::string name = "seed " + std::to_string(index);
    if (const Needle* needle = FindNeedle(seed.needle)) {
      const Eigen::Vector3d axis = needle->tipMm - needle->entryMm;
      const double length = axis.norm();
      if (length > 0.0) {
        const Eigen::Vector3d unit = axis / length;
        const Eigen::Vector3d offset = seed.positionMm - needle->entryMm;
        const double along = offset.dot(unit);
        const double off = (offset - along * unit).norm();
        if (off > kNeedlePathToleranceMm) {
          warnings.push_back({index, name + " is " + FormatNumber(off, 3) +
                                         " mm off the path of its needle " + needle->id});
        } else if (along > length + kNeedlePathToleranceMm) {
          warnings.push_back({index, name + " lies " + FormatNumber(along - length, 3) +
                                         " mm beyond the tip of its needle " + needle->id});
        } else if (along < -kNeedlePathToleranceMm) {
          warnings.push_back({index, name + " lies " + FormatNumber(-along, 3) +
                                         " mm outside the entry of its needle " + needle->id});
        }
      }
    }
    for (const auto& [structure, lookup] : m_NoGo) {
      if (lookup->Contains(seed.positionMm)) {
        warnings.push_back({index, name + " lies in the no-go structure " + structure->name});
      }
    }
    for (std::size_t other = 0; other < seeds.size(); ++other) {
      if (other == index) {
        continue;
      }
      const double distance = (seeds[other].positionMm - seed.positionMm).norm();
      if (distance < kMinSeedDistanceMm) {
        warnings.push_back({index, name + " is " + FormatNumber(distance, 3) + " mm from seed " +
                                       std::to_string(other) + " (closer than " +
                                       FormatNumber(kMinSeedDistanceMm) + " mm)"});
      }
    }
  }
  return warnings;
}

std::vector<EditWarning> PlanEditor::AllWarnings() const {
  std::vector<std::size_t> all(m_Plan.seeds.size());
  for (std::size_t i = 0; i < all.size(); ++i) {
    all[i] = i;
  }
  return Warnings(all);
}

std::string PlanEditor::TargetOf(const Seed& seed) const {
  if (const Needle* needle = FindNeedle(seed.needle)) {
    return needle->targetName;
  }
  std::string nearest;
  double best = std::numeric_limits<double>::infinity();
  for (const auto& [structure, lookup] : m_Targets) {
    if (lookup->Contains(seed.positionMm)) {
      return structure->name;
    }
    // The smallest reach in whole mm: fine enough to tell lesions > 20 mm apart.
    for (double reach = 1.0; reach <= kTargetReachMm && reach < best; reach += 1.0) {
      if (lookup->WithinDistance(seed.positionMm, reach)) {
        best = reach;
        nearest = structure->name;
        break;
      }
    }
  }
  return nearest;
}

std::string PlanEditor::Summary() const {
  std::string summary;
  for (std::size_t i = 0; i < m_Done; ++i) {
    summary += (summary.empty() ? "" : "; ") + m_Steps[i].summary;
  }
  return summary;
}

Plan PlanEditor::EditedPlan(const std::string& utc, const std::string& user,
                            const std::string& fromPlan) const {
  Plan plan = m_Plan;
  HandEdit edit;
  edit.utc = utc;
  edit.user = user;
  edit.fromPlan = fromPlan;
  edit.summary = Summary();
  plan.handEdits.push_back(std::move(edit));
  return plan;
}

} // namespace seedplan::planning
