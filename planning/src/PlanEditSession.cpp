#include "seedplan/planning/PlanEditSession.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"

#include <algorithm>
#include <set>
#include <utility>

namespace seedplan::planning {

PlanEditSession::PlanEditSession(Plan plan, const GridGeometry& ctGrid,
                                 const imaging::StructureSet& structures,
                                 const dosimetry::SourceLibrary& library, EvaluationOptions options)
    : m_Editor(plan, ctGrid, structures),
      m_Live(std::move(plan), structures, ctGrid, library, std::move(options)), m_CtGrid(ctGrid) {
  m_UPerMCi = library.Load(m_Editor.Current().seedModel)->StrengthPerActivityUPerMCi();
}

std::optional<std::size_t> PlanEditSession::SeedNear(const Eigen::Vector3d& pointMm,
                                                     double radiusMm) const {
  std::optional<std::size_t> nearest;
  double best = radiusMm;
  const auto& seeds = Current().seeds;
  for (std::size_t i = 0; i < seeds.size(); ++i) {
    const double distance = (seeds[i].positionMm - pointMm).norm();
    if (distance <= best) {
      best = distance;
      nearest = i;
    }
  }
  return nearest;
}

void PlanEditSession::Select(std::optional<std::size_t> index) {
  if (index && *index >= Current().seeds.size()) {
    throw InvalidInput("seed " + std::to_string(*index) + " does not exist; the plan has " +
                       std::to_string(Current().seeds.size()) + " seeds");
  }
  m_Selected = index;
}

std::size_t PlanEditSession::RequireSelection(const std::string& what) const {
  if (!m_Selected) {
    throw InvalidInput(what + ": no seed selected; click a seed first");
  }
  return *m_Selected;
}

void PlanEditSession::Apply(const SeedChange& change) {
  m_Live.ChangeSeeds(Current().seeds, change.removed, change.added);
  const std::size_t count = Current().seeds.size();
  if (m_Selected && *m_Selected >= count) {
    m_Selected.reset();
  }
  if (m_LastEdited && *m_LastEdited >= count) {
    m_LastEdited.reset();
  }
  const std::string summary = m_Editor.Summary();
  m_Message = summary.empty() ? "no edits" : summary;
}

void PlanEditSession::MoveSelected(const Eigen::Vector3d& deltaMm) {
  const std::size_t index = RequireSelection("move");
  Apply(m_Editor.MoveSeed(index, deltaMm));
  m_LastEdited = index;
}

void PlanEditSession::MoveSelectedAlongNeedle(double distanceMm) {
  const std::size_t index = RequireSelection("move along the needle");
  Apply(m_Editor.MoveAlongNeedle(index, distanceMm));
  m_LastEdited = index;
}

void PlanEditSession::AddSeed(const Eigen::Vector3d& pointMm, const std::string& needleId) {
  SeedAddition addition;
  addition.positionMm = pointMm;
  addition.needleId = needleId;
  Apply(m_Editor.AddSeed(addition));
  m_Selected = Current().seeds.size() - 1;
  m_LastEdited = m_Selected;
}

void PlanEditSession::AddSeedOnSelectedNeedle(const Eigen::Vector3d& pointMm) {
  const std::size_t index = RequireSelection("add on the needle");
  const std::string& id = Current().seeds[index].needle;
  const auto& needles = Current().needles;
  const auto needle = std::find_if(needles.begin(), needles.end(),
                                   [&](const Needle& candidate) { return candidate.id == id; });
  if (id.empty() || needle == needles.end()) {
    throw InvalidInput("add on the needle: seed " + std::to_string(index) +
                       " is on no needle of the plan; add a free seed instead");
  }
  // The point of the needle's path (entry to tip) nearest the click.
  const Eigen::Vector3d path = needle->tipMm - needle->entryMm;
  const double length2 = path.squaredNorm();
  const double t =
      length2 > 0.0 ? std::clamp((pointMm - needle->entryMm).dot(path) / length2, 0.0, 1.0) : 0.0;
  AddSeed(needle->entryMm + t * path, id);
}

void PlanEditSession::DeleteSelected() {
  const std::size_t index = RequireSelection("delete");
  Apply(m_Editor.DeleteSeed(index));
  m_Selected.reset();
  m_LastEdited.reset();
}

void PlanEditSession::SetStrengthOfAll(double strengthU) {
  Apply(m_Editor.SetStrengthOfAll(strengthU));
}

void PlanEditSession::Undo() {
  if (!m_Editor.CanUndo()) {
    throw InvalidInput("undo: nothing to undo");
  }
  Apply(m_Editor.Undo());
}

void PlanEditSession::Redo() {
  if (!m_Editor.CanRedo()) {
    throw InvalidInput("redo: nothing to redo");
  }
  Apply(m_Editor.Redo());
}

void PlanEditSession::BeginDrag(std::size_t index) {
  Select(index);
  m_Drag = Drag{index, Current().seeds[index].positionMm};
}

void PlanEditSession::DragTo(const Eigen::Vector3d& pointMm) {
  if (!m_Drag || !m_CtGrid.ContainsPoint(pointMm)) {
    return;
  }
  // The live dose follows the drag; the editor's plan changes only when it ends.
  std::vector<Seed> seeds = m_Live.CurrentPlan().seeds;
  const Seed before = seeds[m_Drag->index];
  Seed after = before;
  after.positionMm = pointMm;
  seeds[m_Drag->index] = after;
  m_Live.ChangeSeeds(std::move(seeds), {before}, {after});
}

void PlanEditSession::EndDrag() {
  if (!m_Drag) {
    return;
  }
  const Drag drag = *m_Drag;
  m_Drag.reset();
  const Seed dragged = m_Live.CurrentPlan().seeds[drag.index];
  const Eigen::Vector3d delta = dragged.positionMm - drag.startMm;
  const Seed original = Current().seeds[drag.index];
  try {
    if (delta.norm() > 0.0) {
      m_Editor.MoveSeed(drag.index, delta);
    }
  } catch (const Error&) {
    m_Live.ChangeSeeds(Current().seeds, {dragged}, {original});
    throw;
  }
  // The live grid already holds the seed where the drag left it; the editor's seed is the same
  // one (start + delta): swap it in by its contribution, so both hold exactly the same seeds.
  const Seed moved = Current().seeds[drag.index];
  m_Live.ChangeSeeds(Current().seeds, {dragged}, {moved});
  m_LastEdited = drag.index;
  const std::string summary = m_Editor.Summary();
  m_Message = summary.empty() ? "no edits" : summary;
}

std::vector<EditWarning> PlanEditSession::Warnings() const {
  return m_Editor.Warnings(m_Editor.EditedSeeds());
}

PlanEvaluation PlanEditSession::Evaluation() {
  return m_Live.EvaluateAll();
}

std::optional<StructureMetrics> PlanEditSession::EditedLesionMetrics() {
  const std::optional<std::size_t> index = m_Selected ? m_Selected : m_LastEdited;
  if (!index) {
    return std::nullopt;
  }
  const std::string target = m_Editor.TargetOf(m_Live.CurrentPlan().seeds[*index]);
  if (target.empty()) {
    return std::nullopt;
  }
  return m_Live.Metrics(target);
}

std::size_t PlanEditSession::NeedleCount() const {
  std::set<std::string> ids;
  for (const Seed& seed : Current().seeds) {
    if (!seed.needle.empty()) {
      ids.insert(seed.needle);
    }
  }
  return ids.size();
}

double PlanEditSession::TotalStrengthU() const {
  double total = 0.0;
  for (const Seed& seed : Current().seeds) {
    total += seed.strengthU;
  }
  return total;
}

double PlanEditSession::TotalActivityMCi() const {
  return TotalStrengthU() / m_UPerMCi;
}

std::vector<EditStatusLine> PlanEditSession::StatusLines() {
  using Kind = EditStatusLine::Kind;
  std::vector<EditStatusLine> lines;
  lines.push_back({std::to_string(Current().seeds.size()) + " seeds, " +
                       std::to_string(NeedleCount()) + " needles, " +
                       FormatNumber(TotalActivityMCi(), 4) + " mCi (" +
                       FormatNumber(TotalStrengthU(), 4) + " U)",
                   Kind::Normal});
  if (m_Selected) {
    const Seed& seed = m_Live.CurrentPlan().seeds[*m_Selected]; // where a drag has it now
    lines.push_back({"seed " + std::to_string(*m_Selected) + " at (" +
                         FormatNumber(seed.positionMm.x(), 4) + ", " +
                         FormatNumber(seed.positionMm.y(), 4) + ", " +
                         FormatNumber(seed.positionMm.z(), 4) + ") mm" +
                         (seed.needle.empty() ? ", no needle" : ", needle " + seed.needle) + ", " +
                         FormatNumber(seed.strengthU, 4) + " U",
                     Kind::Normal});
  }
  const PlanEvaluation evaluation = Evaluation();
  for (const StructureMetrics& entry : evaluation.metrics) {
    if (!entry.rxGy) {
      continue;
    }
    const auto& m = entry.metrics;
    lines.push_back({entry.structureName + ": D90 " + FormatNumber(m.D90Gy, 4) + " Gy, V100 " +
                         FormatNumber(m.V100Pct, 4) + " %, V150 " + FormatNumber(m.V150Pct, 4) +
                         " %, V200 " + FormatNumber(m.V200Pct, 4) + " % (Rx " +
                         FormatNumber(*entry.rxGy, 4) + " Gy)",
                     Kind::Normal});
  }
  for (const LimitCheck& check : evaluation.limits) {
    std::string text = check.limit.structureName + " " + check.limit.metric + " ";
    text += check.valueGy ? FormatNumber(*check.valueGy, 4) + " Gy" : std::string("undefined");
    text += ", limit " + FormatNumber(check.limit.limitGy, 4) + " Gy";
    text += check.met ? ": within" : ": EXCEEDED";
    lines.push_back({std::move(text), check.met ? Kind::Normal : Kind::Alarm});
  }
  for (const EditWarning& warning : Warnings()) {
    lines.push_back({"warning: " + warning.text, Kind::Warning});
  }
  return lines;
}

Plan PlanEditSession::PlanToSave(const std::string& utc, const std::string& user,
                                 const std::string& fromPlan) {
  Plan plan = m_Editor.EditedPlan(utc, user, fromPlan);
  plan.metrics = Evaluation().metrics;
  return plan;
}

} // namespace seedplan::planning
