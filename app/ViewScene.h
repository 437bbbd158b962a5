#pragma once
// Unpacking a Plan, its CT, its structures and its dose into the viewer's plain Scene (the viewer
// knows no planning or imaging types), and the DVH curves the DVH view draws.

#include "seedplan/core/Volume.h"
#include "seedplan/imaging/CtImage.h"
#include "seedplan/imaging/StructureSet.h"
#include "seedplan/planning/Plan.h"
#include "seedplan/planning/PlanEvaluator.h"
#include "seedplan/viewer/Scene.h"

#include <filesystem>
#include <string>
#include <vector>

namespace seedplan::app {

/// "plan.xml (plan)", "post.xml (post-implant)".
std::string PlanLabel(const std::filesystem::path& planFile, const planning::Plan& plan);

/// The plan's seeds, needles, prescriptions and label (no dose, no DVH).
viewer::ScenePlan ScenePlanOf(const planning::Plan& plan, const std::string& label);

/// The structures with their colours, kinds (targets: role target or a prescription of the plan),
/// contours and masks.
std::vector<viewer::SceneStructure> SceneStructuresOf(const imaging::StructureSet& structures,
                                                      const planning::Plan& plan);

/// A dose grid as the viewer draws it: a total dose in Gy (the plan's recomputed dose, or a dose
/// file whose header says so), or an initial dose rate in cGy/h (header seedplan_unit cGy/h),
/// with the quantity, the dose model and the mean life from the header (125I when absent).
viewer::SceneDose SceneDoseOf(Volume<float> values);

/// The cumulative DVH curve of every structure under a total dose in Gy, each from dose 0 to its
/// Dmax, sampled densely enough to draw (800 points, plus 400 up to three times the largest
/// prescription where the target curves fall).
/// This is the one place the viewer's DVH comes from: it uses dosimetry::DvhCalculator with the
/// sampling PlanEvaluator::Evaluate uses, and is to call PlanEvaluator's DVH curves once the
/// evaluator returns them (issue 12), so that the chart and `evaluate` never differ.
std::vector<viewer::DvhCurve> DvhCurvesOf(const Volume<float>& doseGy,
                                          const imaging::StructureSet& structures,
                                          const planning::Plan& plan);

/// The DVH curves the viewer draws, taken from the evaluator's (PlanEvaluation::curves,
/// LivePlanEvaluation::Curve: the samples and exact dose of the metrics), so that the chart and
/// `evaluate` never differ (issue 12's one evaluator). `curves` in any order; every curve must
/// name a structure of `structures` (InvalidInput otherwise).
std::vector<viewer::DvhCurve> DvhCurvesOf(const std::vector<planning::StructureDvhCurve>& curves,
                                          const imaging::StructureSet& structures,
                                          const planning::Plan& plan);

} // namespace seedplan::app
