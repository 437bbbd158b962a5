#pragma once
// The pictures of the plan report (issue 14): axial, coronal and sagittal slices through each
// lesion's centre with the isodoses, and the DVH. The report asks this interface for them so that
// VTK stays in viewer/ (DESIGN.md): the viewer's implementation draws them; without an X display
// the report is written with its tables, without pictures, saying why.

#include "seedplan/core/Volume.h"
#include "seedplan/imaging/CtImage.h"
#include "seedplan/imaging/StructureSet.h"
#include "seedplan/planning/Plan.h"
#include "seedplan/planning/PlanEvaluator.h"

#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace seedplan::app {

/// One picture: a caption and the bytes of an 8-bit RGB(A) PNG.
struct ReportPicture {
  std::string caption;
  std::string png;
};

/// What the pictures show: the plan with its CT, structures and total dose (Gy), and optionally
/// a second plan (post-implant) on the same Frame of Reference.
struct ReportScene {
  const planning::Plan* plan = nullptr;
  const imaging::CtImage* ct = nullptr;
  const imaging::StructureSet* structures = nullptr;
  const Volume<float>* doseGy = nullptr;
  const planning::Plan* comparePlan = nullptr;
  const Volume<float>* compareDoseGy = nullptr;
  /// The evaluator's DVH curves of the plan and of the compared plan (PlanEvaluation::curves):
  /// the DVH picture draws these, so that it shows the curves of the tables' numbers.
  const std::vector<planning::StructureDvhCurve>* curves = nullptr;
  const std::vector<planning::StructureDvhCurve>* compareCurves = nullptr;
};

class ReportPictureSource {
public:
  virtual ~ReportPictureSource() = default;
  /// Empty when this source draws pictures; otherwise the reason it cannot (for the report).
  virtual std::string Unavailable() const = 0;
  /// Axial, coronal and sagittal slices through the centre of `target` with the isodoses.
  virtual std::vector<ReportPicture> LesionSlices(const ReportScene& scene,
                                                  const std::string& target) = 0;
  /// The cumulative DVH of every structure of the plan.
  virtual std::optional<ReportPicture> Dvh(const ReportScene& scene) = 0;

  /// The viewer's source (app/ReportPictureSource.cpp): draws when an X display opens, otherwise
  /// Unavailable() says why and nothing is drawn.
  static std::unique_ptr<ReportPictureSource> Make();
};

} // namespace seedplan::app
