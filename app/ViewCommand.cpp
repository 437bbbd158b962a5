// `seedplan view --plan plan.xml [--ct DIR] [--structures FILE] [--dose FILE] [--compare PLAN2]
// [--screenshot OUT.png] [--plane axial|coronal|sagittal|3d|dvh] [--slice MM | --through NAME]
// [--size WxH] [--levels-pct LIST | --levels-gy LIST] [--rx-of NAME] [--edit [--out FILE]
// [--user NAME] [--no-study-log]]`: the plan over its CT with isodoses, contours, seeds and
// needles, its 3D view or its DVH, in a window or as a PNG drawn off screen; with --edit the
// window edits the plan's seeds by hand (issue 14: app/ViewEditSession, planning::PlanEditSession)
// and saves the edited plan as `seedplan edit` does. Bad input is refused with one line before
// anything is drawn or written.

#include "CommandLine.h"
#include "Commands.h"
#include "HandEditedPlan.h"
#include "StudyCommandSupport.h"
#include "StudyPlanLog.h"
#include "ViewEditSession.h"
#include "ViewScene.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/Log.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/dosimetry/SourceLibrary.h"
#include "seedplan/imaging/CtLoader.h"
#include "seedplan/imaging/StructureLoader.h"
#include "seedplan/imaging/VolumeIo.h"
#include "seedplan/planning/PlanEditSession.h"
#include "seedplan/planning/PlanEvaluator.h"
#include "seedplan/planning/PlanXml.h"
#include "seedplan/viewer/InteractiveViewer.h"
#include "seedplan/viewer/Pictures.h"
#include "seedplan/viewer/SliceContent.h"
#include "seedplan/viewer/SliceSampling.h"
#include "seedplan/viewer/XDisplay.h"

#include <algorithm>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>

namespace seedplan::app {

namespace {

struct ViewOptions {
  std::string plan;
  std::string ct;
  std::string structures;
  std::string dose;
  std::string compare;
  std::string screenshot;
  std::string plane = "axial";
  std::string slice;
  std::string through;
  std::string size = "800x800";
  std::string levelsPct;
  std::string levelsGy;
  std::string rxOf;
  bool edit = false;
  std::string out;
  std::string user;
  bool noStudyLog = false;
};

/// Where `view --edit` saves by default: beside the plan, "<name>.edited.xml".
std::string DefaultEditedPath(const std::string& planFile) {
  std::filesystem::path path(planFile);
  std::string stem = path.stem().string();
  return (path.parent_path() / (stem + ".edited.xml")).string();
}

/// "WxH" in pixels.
std::pair<int, int> ParseSize(const std::string& text) {
  const auto x = text.find('x');
  const std::string expected = "; expected WIDTHxHEIGHT in pixels, e.g. 800x800, each " +
                               std::to_string(viewer::kMinPictureSidePx) + " to " +
                               std::to_string(viewer::kMaxPictureSidePx);
  if (x == std::string::npos) {
    throw InvalidInput("--size is '" + text + "'" + expected);
  }
  int sides[2] = {0, 0};
  const std::string parts[2] = {text.substr(0, x), text.substr(x + 1)};
  for (int i = 0; i < 2; ++i) {
    const std::string& part = parts[i];
    if (part.empty() || part.size() > 5 ||
        part.find_first_not_of("0123456789") != std::string::npos) {
      throw InvalidInput("--size is '" + text + "'" + expected);
    }
    sides[i] = std::stoi(part);
    if (sides[i] < viewer::kMinPictureSidePx || sides[i] > viewer::kMaxPictureSidePx) {
      throw InvalidInput("--size is '" + text + "'" + expected);
    }
  }
  return {sides[0], sides[1]};
}

/// "50,80,100": positive finite numbers, at most the number of level colours, none twice.
std::vector<double> ParseLevels(const std::string& text, const std::string& option) {
  std::vector<double> levels;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = text.find(',', start);
    const std::string item =
        text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
    double value = 0.0;
    try {
      value = ParseFiniteNumber(item, option + " item '" + item + "'");
    } catch (const Error&) {
      throw InvalidInput(option + " is '" + text + "': '" + item +
                         "' is not a number; expected a comma-separated list such as 50,100,150");
    }
    if (!(value > 0.0)) {
      throw InvalidInput(option + " is '" + text + "': level " + item + "; expected levels > 0");
    }
    levels.push_back(value);
    if (comma == std::string::npos) {
      break;
    }
    start = comma + 1;
  }
  if (int(levels.size()) > viewer::MaxLevelCount()) {
    throw InvalidInput(option + " is '" + text + "': " + std::to_string(levels.size()) +
                       " levels; expected at most " + std::to_string(viewer::MaxLevelCount()));
  }
  std::vector<double> sorted = levels;
  std::sort(sorted.begin(), sorted.end());
  if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
    throw InvalidInput(option + " is '" + text + "': a level is given twice");
  }
  return levels;
}

std::string Names(const imaging::StructureSet& structures) {
  std::string names;
  for (const auto& structure : structures.structures) {
    names += (names.empty() ? "" : ", ") + structure.name;
  }
  return names;
}

/// The CT of a plan (or --ct), refused when its UIDs are not the plan's.
imaging::CtImage LoadPlanCt(const planning::Plan& plan, const std::string& planFile,
                            const std::string& override) {
  const std::string path = override.empty() ? plan.ctPath : override;
  if (path.empty()) {
    throw InvalidInput(planFile + ": the plan names no CT; give --ct DIR");
  }
  if (!std::filesystem::exists(path)) {
    throw Io(path + ": the plan's CT is missing (" + planFile +
             (override.empty() ? " names it" : ", --ct") + ")");
  }
  imaging::CtImage ct = imaging::CtLoader::Load(path);
  if (!plan.ctSeriesUid.empty() && ct.info.seriesInstanceUid != plan.ctSeriesUid) {
    throw InvalidInput(path + ": CT series UID " + ct.info.seriesInstanceUid +
                       " is not the plan's (" + plan.ctSeriesUid + " in " + planFile + ")");
  }
  if (!plan.frameOfReferenceUid.empty() &&
      ct.info.frameOfReferenceUid != plan.frameOfReferenceUid) {
    throw InvalidInput(path + ": Frame of Reference UID " + ct.info.frameOfReferenceUid +
                       " is not the plan's (" + plan.frameOfReferenceUid + " in " + planFile + ")");
  }
  return ct;
}

imaging::StructureSet LoadPlanStructures(const planning::Plan& plan, const std::string& planFile,
                                         const std::string& override, const imaging::CtImage& ct) {
  const std::string path = override.empty() ? plan.structuresPath : override;
  if (path.empty()) {
    throw InvalidInput(planFile + ": the plan names no structures; give --structures FILE");
  }
  imaging::StructureSet set = imaging::StructureLoader::Load(path, ct);
  if (!set.frameOfReferenceUid.empty() && !plan.frameOfReferenceUid.empty() &&
      set.frameOfReferenceUid != plan.frameOfReferenceUid) {
    throw InvalidInput(path + ": Frame of Reference UID " + set.frameOfReferenceUid +
                       " is not the plan's (" + plan.frameOfReferenceUid + " in " + planFile + ")");
  }
  return set;
}

/// The region the view shows must lie inside the dose grid: the slice for slice views, the whole
/// CT for the 3D view. Named by the dose file.
void CheckDoseCovers(const viewer::Scene& scene, const viewer::ViewSettings& settings,
                     const std::string& doseFile) {
  const GridGeometry& dose = scene.plan.dose->values.Geometry();
  std::string uncovered;
  std::string region;
  if (settings.plane == viewer::ViewPlane::ThreeD) {
    uncovered = viewer::UncoveredBox(dose, scene.ct.Geometry());
    region = "the CT";
  } else if (settings.plane != viewer::ViewPlane::Dvh) {
    const double position = viewer::ResolveSlicePosition(scene, settings);
    const auto frame = viewer::SliceFrame::Make(settings.plane, scene.patientPosition, position);
    uncovered = viewer::UncoveredPart(dose, frame, scene.ct.Geometry());
    region = "the " + viewer::PlaneName(settings.plane) + " slice at " + FormatNumber(position, 6) +
             " mm of the CT";
  }
  if (!uncovered.empty()) {
    throw InvalidInput(doseFile + ": the dose grid does not cover " + region + ": " + uncovered +
                       " is outside it (dose grid " + dose.Describe() + ")");
  }
}

void RunView(const ViewOptions& options) {
  // Everything the command line says is checked first.
  viewer::ViewSettings settings;
  settings.plane = viewer::ParsePlane(options.plane, "--plane");
  const auto [width, height] = ParseSize(options.size);
  settings.widthPx = width;
  settings.heightPx = height;
  const bool slicePlane =
      settings.plane != viewer::ViewPlane::ThreeD && settings.plane != viewer::ViewPlane::Dvh;
  if (!options.slice.empty() && !options.through.empty()) {
    throw InvalidInput("--slice and --through both given; expected one of them");
  }
  if (!slicePlane && (!options.slice.empty() || !options.through.empty())) {
    throw InvalidInput(std::string(options.slice.empty() ? "--through" : "--slice") +
                       " applies to axial, coronal and sagittal views, not --plane " +
                       options.plane);
  }
  if (!options.slice.empty()) {
    settings.sliceMm = ParseFiniteNumber(options.slice, "--slice");
  }
  if (!options.levelsPct.empty() && !options.levelsGy.empty()) {
    throw InvalidInput("--levels-pct and --levels-gy both given; expected one of them");
  }
  if (!options.levelsPct.empty()) {
    settings.levels.values = ParseLevels(options.levelsPct, "--levels-pct");
  } else if (!options.levelsGy.empty()) {
    settings.levels.absolute = true;
    settings.levels.values = ParseLevels(options.levelsGy, "--levels-gy");
  }
  settings.referenceStructure = options.rxOf;
  if (!options.screenshot.empty()) {
    CheckOutputPath(options.screenshot, {".png"}, "--screenshot");
  }
  if (!options.edit && (!options.out.empty() || !options.user.empty() || options.noStudyLog)) {
    throw InvalidInput("--out, --user and --no-study-log apply to --edit; give --edit");
  }
  std::string editedOut;
  if (options.edit) {
    if (!options.screenshot.empty()) {
      throw InvalidInput("--edit opens the window to edit in; it cannot be combined with "
                         "--screenshot (scripted edits: `seedplan edit`)");
    }
    if (!options.dose.empty()) {
      throw InvalidInput("--edit recomputes the dose as the seeds move; it cannot show --dose " +
                         options.dose);
    }
    editedOut = options.out.empty() ? DefaultEditedPath(options.plan) : options.out;
    CheckOutputPath(editedOut, {".xml"}, "--out");
  }
  // VTK aborts the process without an X display, even off screen: refuse before touching it.
  if (const std::string problem = viewer::XDisplayProblem(); !problem.empty()) {
    if (options.screenshot.empty()) {
      throw InvalidInput("view: no X display (" + problem +
                         "): the window needs one; draw a picture with --screenshot OUT.png "
                         "under xvfb-run -a");
    }
    throw InvalidInput("view --screenshot: no X display (" + problem +
                       "); VTK draws through X even off screen: run under xvfb-run -a");
  }

  const planning::Plan plan = planning::PlanXml::Read(options.plan);
  if (options.edit && plan.kind != "plan") {
    throw InvalidInput(options.plan + ": is a " + plan.kind +
                       " evaluation; expected a plan (kind plan) to edit");
  }
  if (!options.rxOf.empty() &&
      std::none_of(plan.targets.begin(), plan.targets.end(),
                   [&](const auto& target) { return target.structureName == options.rxOf; })) {
    std::string names;
    for (const auto& target : plan.targets) {
      names += (names.empty() ? "" : ", ") + target.structureName;
    }
    throw InvalidInput("--rx-of " + options.rxOf + ": no prescription for it in " + options.plan +
                       "; the targets with one are: " + (names.empty() ? "none" : names));
  }
  imaging::CtImage ct = LoadPlanCt(plan, options.plan, options.ct);
  const imaging::StructureSet structures =
      LoadPlanStructures(plan, options.plan, options.structures, ct);
  if (!options.through.empty()) {
    if (!structures.Find(options.through)) {
      throw InvalidInput("--through " + options.through +
                         ": no such structure; the structures are: " + Names(structures));
    }
    settings.throughStructure = options.through;
    settings.sliceMm =
        viewer::SliceFrame::Make(settings.plane, ct.info.patientPosition, 0.0)
            .normal.dot(viewer::MaskCentreMm(structures.Find(options.through)->mask));
  }

  auto scene = std::make_shared<viewer::Scene>();
  scene->patientPosition = ct.info.patientPosition;
  scene->patientId = plan.patientId.empty() ? ct.info.patientId : plan.patientId;
  scene->structures = SceneStructuresOf(structures, plan);
  scene->plan = ScenePlanOf(plan, PlanLabel(options.plan, plan));
  const GridGeometry ctGrid = ct.hu.Geometry();
  scene->ct = std::move(ct.hu);
  if (slicePlane) {
    viewer::ResolveSlicePosition(*scene, settings); // --slice outside the scan: say its range
  }

  const dosimetry::SourceLibrary library;
  std::unique_ptr<planning::PlanEditSession> editSession;
  if (options.edit) {
    // The session computes the plan's dose once and keeps it live; the scene shows it.
    editSession = std::make_unique<planning::PlanEditSession>(plan, ctGrid, structures, library);
    scene->plan.dose = SceneDoseOf(Volume<float>(editSession->DoseGy()));
  } else if (!options.dose.empty()) {
    viewer::SceneDose dose = SceneDoseOf(imaging::ReadVolumeFloat(options.dose));
    if (dose.values.MetaData().count("seedplan_unit") == 0) {
      log::Warning(options.dose +
                   ": no seedplan_unit in the header; drawing it as total dose in Gy");
    }
    if (dose.isDoseRate && !options.levelsPct.empty()) {
      throw InvalidInput("--levels-pct with " + options.dose +
                         ", a dose-rate file (cGy/h): its levels are drawn in cGy/h; give "
                         "--levels-gy or a total-dose file");
    }
    if (dose.isDoseRate && settings.plane == viewer::ViewPlane::Dvh) {
      throw InvalidInput(options.dose + " is a dose-rate file (cGy/h); the DVH needs total dose "
                                        "in Gy");
    }
    scene->plan.dose = std::move(dose);
    CheckDoseCovers(*scene, settings, options.dose);
  } else {
    scene->plan.dose = SceneDoseOf(planning::PlanEvaluator::TotalDose(plan, ctGrid, library));
  }

  // The second plan's DVH curves, on its own structures: computed with the DVH view (they take
  // seconds), at once for a --plane dvh picture, when the window first shows the DVH otherwise.
  std::function<void()> compareDvh;
  if (!options.compare.empty()) {
    auto other = std::make_shared<planning::Plan>(planning::PlanXml::Read(options.compare));
    viewer::ScenePlan compare = ScenePlanOf(*other, PlanLabel(options.compare, *other));
    scene->compareSharesFrame = !other->frameOfReferenceUid.empty() &&
                                other->frameOfReferenceUid == plan.frameOfReferenceUid;
    const bool sameCt = !other->ctSeriesUid.empty() && other->ctSeriesUid == plan.ctSeriesUid;
    if (sameCt) {
      compare.dose = SceneDoseOf(planning::PlanEvaluator::TotalDose(*other, ctGrid, library));
    } else {
      const imaging::CtImage otherCt = LoadPlanCt(*other, options.compare, "");
      compare.dose =
          SceneDoseOf(planning::PlanEvaluator::TotalDose(*other, otherCt.hu.Geometry(), library));
    }
    scene->compare = std::move(compare);
    // On the same CT the plan's own structures (not a copy: their masks are the command's largest
    // data, and they outlive the window); on another CT its structures, read only when the DVH is
    // shown (a slice view does not need them).
    compareDvh = [scene, other, sameCt, &structures, &library, file = options.compare]() {
      if (!scene->compare->dvh.empty()) {
        return;
      }
      if (sameCt) {
        scene->compare->dvh =
            DvhCurvesOf(planning::PlanEvaluator::Evaluate(*other, scene->compare->dose->values,
                                                          structures, library)
                            .curves,
                        structures, *other);
        return;
      }
      const imaging::CtImage otherCt = LoadPlanCt(*other, file, "");
      const imaging::StructureSet otherStructures = LoadPlanStructures(*other, file, "", otherCt);
      scene->compare->dvh =
          DvhCurvesOf(planning::PlanEvaluator::Evaluate(*other, scene->compare->dose->values,
                                                        otherStructures, library)
                          .curves,
                      otherStructures, *other);
    };
  }
  if (settings.plane == viewer::ViewPlane::Dvh && compareDvh) {
    compareDvh();
  }
  // The plan's DVH: the evaluator's curves (the same samples and exact dose as `evaluate`'s
  // metrics); a dose file given with --dose has no seeds to evaluate: its grid's DVH.
  const auto planCurves = [&structures, &plan, &library, &options,
                           scene]() -> std::vector<viewer::DvhCurve> {
    if (!options.dose.empty()) {
      return DvhCurvesOf(scene->plan.dose->values, structures, plan);
    }
    return DvhCurvesOf(
        planning::PlanEvaluator::Evaluate(plan, scene->plan.dose->values, structures, library)
            .curves,
        structures, plan);
  };
  if (settings.plane == viewer::ViewPlane::Dvh && !options.edit) {
    scene->plan.dvh = planCurves();
  }

  if (!options.screenshot.empty()) {
    viewer::PictureRenderer renderer;
    const auto png = renderer.RenderPng(*scene, settings);
    viewer::WritePngFile(options.screenshot, png);
    std::cout << "wrote " << options.screenshot << " (" << settings.widthPx << "x"
              << settings.heightPx << ", " << viewer::PlaneName(settings.plane) << ")\n";
    return;
  }
  viewer::InteractiveViewer window(scene, settings);
  std::shared_ptr<ViewEditSession> editing;
  if (editSession) {
    const std::string ctPatientId = scene->patientId;
    auto save = [&options, &plan, editedOut, ctPatientId](planning::PlanEditSession& session) {
      if (!session.Edited()) {
        throw InvalidInput("save: nothing edited yet; " + editedOut + " not written");
      }
      // As `seedplan edit` saves: the plan records the hand edit, and a plan logged to a study
      // record logs the edited plan to the same record.
      StudyLogOptions logOptions;
      logOptions.user = options.user;
      logOptions.noStudy = options.noStudyLog;
      StudyPlanLog studyLog(logOptions, StudyPlanLog::Mode::Plan, "view --edit");
      studyLog.UseRecordedStudy(plan);
      studyLog.Prepare(plan.targets);
      planning::Plan edited =
          session.PlanToSave(planning::PlanXml::NowUtc(), StudyUser(options.user), options.plan);
      studyLog.WriteAndLog(edited, editedOut, ctPatientId, HandEditFacts(session.Editor()));
      return "wrote " + editedOut + " (" + edited.handEdits.back().summary + ")";
    };
    editing = std::make_shared<ViewEditSession>(scene, std::move(editSession), structures, save);
    window.SetEditHandler(editing);
  }
  window.SetDvhSource([planCurves, compareDvh]() {
    if (compareDvh) {
      // In the window a second plan whose structures cannot be read loses only its curves.
      try {
        compareDvh();
      } catch (const Error& error) {
        log::Warning(std::string(error.what()) + "; the second plan's DVH is not drawn");
      }
    }
    return planCurves();
  });
  std::cout << viewer::InteractiveViewer::KeyHelp() << (editing ? editing->KeyHelp() : "")
            << std::flush;
  window.Run();
}

} // namespace

void RegisterViewCommand(CLI::App& app) {
  auto* command = app.add_subcommand(
      "view",
      "The plan over its CT (isodoses, contours, seeds, needles), 3D or DVH; window or PNG");
  auto options = std::make_shared<ViewOptions>();
  command->add_option("--plan", options->plan, "Plan file (.xml)")->required();
  command->add_option("--ct", options->ct, "CT (DICOM folder or volume) instead of the plan's");
  command->add_option("--structures", options->structures,
                      "Structures (RT Structure Set or label map) instead of the plan's");
  command->add_option("--dose", options->dose,
                      "Dose grid (.mha/.nrrd from `seedplan dose`) instead of recomputing it");
  command->add_option(
      "--compare", options->compare,
      "A second plan (e.g. post-implant): its DVH dashed, its 100 % isodose dashed");
  command->add_option("--screenshot", options->screenshot,
                      "Write the view as a PNG (drawn off screen) instead of opening a window");
  command->add_option("--plane", options->plane, "axial, coronal, sagittal, 3d or dvh (axial)");
  command->add_option("--slice", options->slice,
                      "Slice position in mm (LPS: z axial, y coronal, x sagittal)");
  command->add_option("--through", options->through,
                      "The slice nearest the centre of this structure");
  command->add_option("--size", options->size, "Picture size WxH in pixels (800x800)");
  command->add_option("--levels-pct", options->levelsPct,
                      "Isodose levels in % of the reference prescription (50,80,90,100,150,200)");
  command->add_option("--levels-gy", options->levelsGy, "Isodose levels in Gy (total dose)");
  command->add_option("--rx-of", options->rxOf, "Target whose prescription the % levels refer to");
  command->add_flag("--edit", options->edit,
                    "Edit the plan's seeds in the window (click, drag, keys; undo/redo; S saves)");
  command->add_option("--out", options->out,
                      "With --edit: where S saves the edited plan (default: PLAN.edited.xml)");
  command->add_option("--user", options->user,
                      "With --edit: who edits, for the plan and the study record (default: $USER)");
  command->add_flag("--no-study-log", options->noStudyLog,
                    "With --edit: do not log the edited plan to the plan's study record");
  command->callback([options]() { RunView(*options); });
}

} // namespace seedplan::app
