// Live seed editing figures (issue 14) on the sample plan (the sample patient written by the
// project's generator, its committed 19-seed implant): one editing step = move one seed by 0.5 mm
// (alternately there and back), as the window does it without the rendering itself:
//  - BM_MoveSeedDoseIsodosesLesion: the dose grid updated over the cutoff region of the old and
//    new positions, its changed voxels copied into the scene (as the window does), the isodose
//    lines of the axial slice in view recomputed, and the edited lesion's metrics (issue 14's
//    target: <= 20 ms);
//  - BM_MoveSeedEveryStructure: the same step and every structure's metrics and DVH curves
//    (those the step reached recomputed; target: <= 100 ms).
// Run: OMP_NUM_THREADS=2 build/bench/seedplan_bench_edit (no display needed). `seedplan view`
// runs with OMP_WAIT_POLICY=PASSIVE (set by the launcher, app/Launcher.cpp): measure what the
// window does with OMP_WAIT_POLICY=passive as well (on a loaded machine libgomp's default
// spin-waiting made the lesion step 1.5 times as long).

#include "../tests/planning/SampleImplant.h"
#include "seedplan/planning/PlanEditSession.h"
#include "seedplan/viewer/SliceContent.h"

#include <benchmark/benchmark.h>

namespace {

using namespace seedplan;

constexpr double kStepMm = 0.5;

/// The sample patient and implant, written and loaded once (the tests' SampleImplant).
test::SampleImplant& Sample() {
  static test::SampleImplant sample;
  return sample;
}

/// The window's state for the sample plan: an edit session with seed 0 selected, every structure
/// evaluated once, and the axial slice through seed 0 with its isodoses.
struct EditingWindow {
  planning::PlanEditSession session;
  viewer::Scene scene;
  viewer::ViewSettings settings;
  viewer::SliceContent content;
  double direction = 1.0;

  EditingWindow()
      : session(Sample().plan, Sample().ct.hu.Geometry(), Sample().structures, Sample().library) {
    session.Select(0);
    session.Evaluation();
    scene.ct = Sample().ct.hu;
    scene.patientPosition = Sample().ct.info.patientPosition;
    viewer::SceneDose dose;
    dose.values = session.DoseGy();
    scene.plan.dose = std::move(dose);
    scene.plan.prescriptions.push_back({Sample().plan.targets.front().structureName,
                                        Sample().plan.targets.front().prescriptionGy});
    settings.sliceMm = Sample().plan.seeds.front().positionMm.z();
    content = viewer::SliceContent::Build(scene, settings);
  }

  /// One step: move seed 0 (there and back), the dose into the scene, the slice's isodoses.
  void Step() {
    session.MoveSelected(Eigen::Vector3d(direction * kStepMm, 0.0, 0.0));
    direction = -direction;
    session.CopyDoseChangesInto(scene.plan.dose->values);
    content.UpdateDose(scene, settings);
  }
};

void BM_MoveSeedDoseIsodosesLesion(benchmark::State& state) {
  EditingWindow window;
  for (auto _ : state) {
    window.Step();
    auto metrics = window.session.EditedLesionMetrics();
    benchmark::DoNotOptimize(metrics);
  }
}
BENCHMARK(BM_MoveSeedDoseIsodosesLesion)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_MoveSeedEveryStructure(benchmark::State& state) {
  EditingWindow window;
  for (auto _ : state) {
    window.Step();
    auto evaluation = window.session.Evaluation();
    benchmark::DoNotOptimize(evaluation);
  }
}
BENCHMARK(BM_MoveSeedEveryStructure)->Unit(benchmark::kMillisecond)->UseRealTime();

// The parts of the step, to see where its time goes: the plan and dose grid alone (PlanEditor
// step + LivePlanEvaluation's incremental grid update), and the copy into the scene with the
// slice's isodose lines alone.
void BM_MoveSeedDoseOnly(benchmark::State& state) {
  EditingWindow window;
  for (auto _ : state) {
    window.session.MoveSelected(Eigen::Vector3d(window.direction * kStepMm, 0.0, 0.0));
    window.direction = -window.direction;
  }
}
BENCHMARK(BM_MoveSeedDoseOnly)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_SliceIsodosesOnly(benchmark::State& state) {
  EditingWindow window;
  for (auto _ : state) {
    window.session.CopyDoseChangesInto(window.scene.plan.dose->values);
    window.content.UpdateDose(window.scene, window.settings);
  }
}
BENCHMARK(BM_SliceIsodosesOnly)->Unit(benchmark::kMillisecond)->UseRealTime();

} // namespace

BENCHMARK_MAIN();
