#pragma once
// The plan report for the patient's chart (issue 14): one self-contained HTML page (pictures as
// data: URIs, no external files) laid out for A4 print.

#include "EvaluatedPlan.h"
#include "ReportPictureSource.h"
#include "seedplan/dosimetry/SourceLibrary.h"
#include "seedplan/dosimetry/SourceModel.h"

#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace seedplan::app {

struct PlanReportInput {
  const EvaluatedPlan* planned = nullptr;
  const EvaluatedPlan* compare = nullptr; ///< post-implant evaluation beside it, or nullptr
  const dosimetry::SourceModel* model = nullptr;
  /// Per target: its slices (axial, coronal, sagittal); empty without pictures.
  std::vector<std::pair<std::string, std::vector<ReportPicture>>> lesionPictures;
  std::optional<ReportPicture> dvh;
  std::string noPicturesReason; ///< non-empty: the report says it has no pictures, and why
  std::string generatedUtc;
};

/// Writes the report's HTML: identity (the CT's patient id and name beside the pseudonymous study
/// ids), status (unapproved, edited by hand), plan and CT identity, seed model and its TG-43 data
/// source, strength (U, apparent mCi) at assay and implant, prescriptions, the per-lesion table
/// (planned and post-implant), organ doses against their limits, every structure's doses, the
/// pictures, the seed list, the dose definition and a signature line. Every number of the
/// metric tables is the evaluation's own (`evaluate --json`), rounded for display (doses 0.1 Gy,
/// percentages 0.1 %, volumes 0.01 cc below 100 cc, indices 0.01); each such cell carries
/// data-structure, data-metric (the JSON key) and data-plan (planned or post) so that a test can
/// check it.
class PlanReport {
public:
  static std::string Html(const PlanReportInput& input);

  /// The whole job of `seedplan report` and `demo` for plans already evaluated: asks the
  /// picture source for the pictures (or notes why there are none), writes the HTML atomically
  /// to `out`, and returns a line for the user ("wrote report.html (pictures: ...)").
  static std::string Write(const EvaluatedPlan& planned, const EvaluatedPlan* compare,
                           const dosimetry::SourceLibrary& library,
                           const std::filesystem::path& out);
};

} // namespace seedplan::app
