#pragma once

// The evaluation of one structure, shared by PlanEvaluator and LivePlanEvaluation so that both run
// exactly the same code (issue 12: one evaluator). Internal to the planning library.

#include "seedplan/dosimetry/DoseCalculator.h"
#include "seedplan/dosimetry/Dvh.h"
#include "seedplan/dosimetry/DvhCalculator.h"
#include "seedplan/imaging/StructureSet.h"
#include "seedplan/planning/Plan.h"
#include "seedplan/planning/PlanEvaluator.h"

#include <cstddef>
#include <cstdint>
#include <vector>

namespace seedplan::planning::detail {

/// What evaluating one structure needs.
struct StructureContext {
  const Plan& plan;
  const imaging::StructureSet& structures;
  const EvaluationOptions& options;
  const dosimetry::DoseCalculator& calculator;
  double gyPerCGyPerH;
  const Volume<float>& doseGy;
  /// The number of inside voxels of each structure's mask when the caller keeps it (a live
  /// evaluation, whose masks do not change), or null: each evaluation then counts it.
  const std::vector<std::int64_t>* insideVoxels;
};

/// The inside voxels of a mask (non-zero values).
std::int64_t InsideVoxels(const Mask& mask);

/// The engine options of the plan (formalism, cutoff).
dosimetry::DoseCalculationOptions CalculationOf(const Plan& plan);

/// Refuses targets and limits the structure set cannot serve (issue 13: refuse, do not skip).
void CheckPrescriptions(const Plan& plan, const imaging::StructureSet& structures);

/// How one structure is sampled: exact everywhere for targets and small organs, binned beyond the
/// exact reach for the others (EvaluationOptions::exactVoxelLimit).
dosimetry::ImplantDvhOptions SamplingOf(const StructureContext& context, std::size_t index);

/// The DVH of one structure: the one sampling every output takes (metrics, curves, RT Dose DVHs).
dosimetry::Dvh DvhOf(const StructureContext& context, std::size_t index);

/// The metrics and curve of one structure from its DVH `dvh` (DvhOf's, or a live sample set's).
void EvaluateStructureFrom(const StructureContext& context, std::size_t index,
                           const dosimetry::Dvh& dvh, StructureMetrics& metricsOut,
                           StructureDvhCurve& curveOut);

/// The one evaluation of one structure (both PlanEvaluator::Evaluate and LivePlanEvaluation).
void EvaluateStructure(const StructureContext& context, std::size_t index,
                       StructureMetrics& metricsOut, StructureDvhCurve& curveOut);

/// Gy of total dose (decay to infinity) per cGy/h of initial dose rate.
double TotalDoseFactor(double halfLifeDays);

} // namespace seedplan::planning::detail
