// Viewer figures (issue 7): a screenshot of the sample plan as a user runs it (whole process,
// budget 10 s and 1.5 GB), and changing slice in the window (budget 50 ms), with the parts of a
// slice change and the redraw after a dose change (what live seed editing needs, <= 20 ms for the
// isodoses). VTK needs an X server: run under `xvfb-run -a`.
//
//   xvfb-run -a build/bench/seedplan_bench_viewer
//
// The sample plan is the demo's: the benchmark runs `seedplan demo` once into a temporary folder
// (about a minute), or takes an existing plan from SEEDPLAN_BENCH_PLAN=path/plan.xml.

#include "seedplan/dosimetry/ImplantDose.h"
#include "seedplan/dosimetry/SourceLibrary.h"
#include "seedplan/imaging/StructureRole.h"
#include "seedplan/imaging/ThoraxPhantom.h"
#include "seedplan/viewer/InteractiveViewer.h"
#include "seedplan/viewer/SliceContent.h"
#include "seedplan/viewer/XDisplay.h"

#include <benchmark/benchmark.h>

#include <chrono>
#include <cstdlib>
#include <fcntl.h>
#include <filesystem>
#include <memory>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>

extern char** environ;

namespace {

using namespace seedplan;

struct Measured {
  bool ok = false;
  double seconds = 0.0;
  double peakMb = 0.0;
};

/// Runs `arguments` (argv[0] is the program) as a child process, its output discarded, and
/// measures its wall time and its own peak resident memory (wait4).
Measured RunMeasured(const std::vector<std::string>& arguments) {
  std::vector<char*> argv;
  for (const auto& argument : arguments) {
    argv.push_back(const_cast<char*>(argument.c_str()));
  }
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  const auto start = std::chrono::steady_clock::now();
  pid_t pid = 0;
  Measured measured;
  if (posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ) != 0) {
    posix_spawn_file_actions_destroy(&actions);
    return measured;
  }
  int status = 0;
  rusage usage{};
  wait4(pid, &status, 0, &usage);
  measured.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  measured.peakMb = double(usage.ru_maxrss) / 1024.0;
  measured.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
  posix_spawn_file_actions_destroy(&actions);
  return measured;
}

/// The sample plan: SEEDPLAN_BENCH_PLAN, or `seedplan demo` run once into a temporary folder.
std::string SamplePlan() {
  static const std::string plan = [] {
    if (const char* given = std::getenv("SEEDPLAN_BENCH_PLAN")) {
      return std::string(given);
    }
    const auto folder = std::filesystem::temp_directory_path() / "seedplan-bench-viewer";
    std::filesystem::remove_all(folder);
    std::filesystem::create_directories(folder);
    const Measured phantom =
        RunMeasured({SEEDPLAN_EXECUTABLE, "phantom", "--out", (folder / "patient").string()});
    const Measured demo =
        RunMeasured({SEEDPLAN_EXECUTABLE, "demo", "--patient", (folder / "patient").string(),
                     "--out", (folder / "demo").string()});
    return phantom.ok && demo.ok ? (folder / "demo" / "plan.xml").string() : std::string();
  }();
  return plan;
}

void Screenshot(benchmark::State& state, const std::vector<std::string>& view) {
  if (!viewer::XDisplayProblem().empty()) {
    state.SkipWithError("no X display: run under xvfb-run -a");
    return;
  }
  const std::string plan = SamplePlan();
  if (plan.empty()) {
    state.SkipWithError("the sample plan could not be made (seedplan phantom/demo failed)");
    return;
  }
  const auto out = std::filesystem::temp_directory_path() / "seedplan-bench-view.png";
  std::vector<std::string> arguments{SEEDPLAN_EXECUTABLE, "view", "--plan", plan};
  arguments.insert(arguments.end(), view.begin(), view.end());
  arguments.push_back("--screenshot");
  arguments.push_back(out.string());
  double peak = 0.0;
  for (auto _ : state) {
    const Measured run = RunMeasured(arguments);
    if (!run.ok) {
      state.SkipWithError("seedplan view failed");
      break;
    }
    state.SetIterationTime(run.seconds);
    peak = std::max(peak, run.peakMb);
  }
  state.counters["peak_rss_MB"] = peak;
}

/// `seedplan view --plan plan.xml --through GTV_Lung --screenshot out.png`: load the CT and the
/// RT Structure Set, recompute the dose of all seeds, draw, write the PNG. Budget 10 s, 1.5 GB.
void BM_ScreenshotOfTheSamplePlan(benchmark::State& state) {
  Screenshot(state, {"--through", "GTV_Lung"});
}
BENCHMARK(BM_ScreenshotOfTheSamplePlan)->Unit(benchmark::kSecond)->UseManualTime()->Iterations(3);

/// The same for the 3D view and the DVH (every structure's DVH computed first).
void BM_ScreenshotOfTheSamplePlan3d(benchmark::State& state) {
  Screenshot(state, {"--plane", "3d"});
}
BENCHMARK(BM_ScreenshotOfTheSamplePlan3d)->Unit(benchmark::kSecond)->UseManualTime()->Iterations(1);
void BM_ScreenshotOfTheSamplePlanDvh(benchmark::State& state) {
  Screenshot(state, {"--plane", "dvh"});
}
BENCHMARK(BM_ScreenshotOfTheSamplePlanDvh)
    ->Unit(benchmark::kSecond)
    ->UseManualTime()
    ->Iterations(1);

/// The sample case in memory: the phantom's CT and structures, its lung-lesion seeds and their
/// total dose on the CT grid (as in the window after `seedplan view`).
std::shared_ptr<viewer::Scene> SampleScene() {
  static const std::shared_ptr<viewer::Scene> scene = [] {
    auto built = std::make_shared<viewer::Scene>();
    imaging::PhantomCase sample = imaging::ThoraxPhantom::Generate();
    built->ct = std::move(sample.ct);
    built->patientPosition = "HFS";
    built->patientId = "SP-PHANTOM-001";
    for (auto& structure : sample.structures) {
      viewer::SceneStructure entry;
      entry.name = structure.name;
      entry.colorRgb = structure.colorRgb;
      entry.role = imaging::RoleName(structure.role);
      entry.kind = structure.role == imaging::StructureRole::Target ? viewer::StructureKind::Target
                   : structure.role == imaging::StructureRole::External
                       ? viewer::StructureKind::External
                       : viewer::StructureKind::Organ;
      entry.mask = std::move(structure.mask);
      built->structures.push_back(std::move(entry));
    }
    built->plan.label = "sample seeds (plan)";
    for (const Seed& seed : sample.sampleSeeds) {
      built->plan.seeds.push_back({seed.positionMm, seed.direction});
    }
    for (const auto& lesion : sample.lesions) {
      built->plan.prescriptions.push_back({lesion.structureName, lesion.prescriptionGy});
    }
    const dosimetry::SourceLibrary library(SEEDPLAN_SOURCES_DIR);
    viewer::SceneDose dose;
    dose.values = dosimetry::ImplantDose::Compute(built->ct.Geometry(), sample.sampleSeeds, library,
                                                  "6711", {}, dosimetry::DoseQuantity{});
    built->plan.dose = std::move(dose);
    return built;
  }();
  return scene;
}

/// One step of the mouse wheel in the on-screen window (800 x 800) on the sample case: the next
/// slice's CT, contours, dose, isodose lines, seeds, annotations, then the frame drawn. Budget
/// 50 ms. Alternates up and down through the lung lesion.
void BM_ChangeSliceInTheWindow(benchmark::State& state) {
  if (!viewer::XDisplayProblem().empty()) {
    state.SkipWithError("no X display: run under xvfb-run -a");
    return;
  }
  auto scene = SampleScene();
  viewer::ViewSettings settings;
  settings.sliceMm = viewer::MaskCentreMm(scene->Find("GTV_Lung")->mask).z();
  viewer::InteractiveViewer window(scene, settings, state.range(0) == 1);
  window.Grab(); // first frame: shaders compiled
  int step = 1;
  for (auto _ : state) {
    window.Wheel(step);
    step = -step;
  }
  state.SetLabel(state.range(0) == 1 ? "off screen" : "on screen");
}
BENCHMARK(BM_ChangeSliceInTheWindow)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

/// The slice's content alone (no VTK): CT pixels, contours of 22 structures, dose and isodoses.
void BM_SliceContent(benchmark::State& state) {
  auto scene = SampleScene();
  viewer::ViewSettings settings;
  settings.sliceMm = viewer::MaskCentreMm(scene->Find("GTV_Lung")->mask).z();
  for (auto _ : state) {
    benchmark::DoNotOptimize(viewer::SliceContent::Build(*scene, settings));
  }
}
BENCHMARK(BM_SliceContent)->Unit(benchmark::kMillisecond)->UseRealTime();

/// The isodoses of the slice in view again after the dose changed (live seed editing), without
/// and with the frame drawn.
void BM_IsodosesAfterADoseChange(benchmark::State& state) {
  auto scene = SampleScene();
  viewer::ViewSettings settings;
  settings.sliceMm = viewer::MaskCentreMm(scene->Find("GTV_Lung")->mask).z();
  auto content = viewer::SliceContent::Build(*scene, settings);
  for (auto _ : state) {
    content.UpdateDose(*scene, settings);
  }
}
BENCHMARK(BM_IsodosesAfterADoseChange)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_RedrawAfterADoseChange(benchmark::State& state) {
  if (!viewer::XDisplayProblem().empty()) {
    state.SkipWithError("no X display: run under xvfb-run -a");
    return;
  }
  auto scene = SampleScene();
  viewer::ViewSettings settings;
  settings.sliceMm = viewer::MaskCentreMm(scene->Find("GTV_Lung")->mask).z();
  viewer::InteractiveViewer window(scene, settings, false);
  window.Grab();
  for (auto _ : state) {
    window.DoseChanged();
  }
}
BENCHMARK(BM_RedrawAfterADoseChange)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
