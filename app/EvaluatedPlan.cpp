#include "EvaluatedPlan.h"

#include "seedplan/core/Error.h"
#include "seedplan/planning/PlanXml.h"

namespace seedplan::app {

EvaluatedPlan EvaluatedPlan::Load(const std::string& file,
                                  const dosimetry::SourceLibrary& library) {
  EvaluatedPlan evaluated;
  evaluated.file = file;
  PlanningSession& session = evaluated.session;
  session.plan = planning::PlanXml::Read(file);
  const std::string frameOfReference = session.plan.frameOfReferenceUid;
  session.Load(session.plan.ctPath, "", session.plan.structuresPath, {});
  if (!frameOfReference.empty() && session.ct.info.frameOfReferenceUid != frameOfReference) {
    throw InvalidInput(file + ": the plan's Frame of Reference UID " + frameOfReference +
                       " is not the CT's (" + session.ct.info.frameOfReferenceUid + " at " +
                       session.plan.ctPath + ")");
  }
  session.doseGy =
      planning::PlanEvaluator::TotalDose(session.plan, session.ct.hu.Geometry(), library);
  session.Evaluate(library); // the one evaluation every command uses (issue 12)
  return evaluated;
}

} // namespace seedplan::app
