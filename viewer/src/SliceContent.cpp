#include "seedplan/viewer/SliceContent.h"

#include "seedplan/viewer/Isolines.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/MaskIndexBox.h"
#include "seedplan/core/TextParsing.h"

#include <algorithm>
#include <cmath>

namespace seedplan::viewer {

namespace {

const char* AxisName(ViewPlane plane) {
  switch (plane) {
  case ViewPlane::Coronal:
    return "y";
  case ViewPlane::Sagittal:
    return "x";
  default:
    return "z";
  }
}

/// Contour planes of an RT Structure Set lie on the CT's slices; a polygon belongs to the slice
/// when its plane is the nearest one within half a slice. Millimetre thousandths: positions are
/// written with a few decimals.
constexpr double kSamePlaneMm = 1e-3;

std::vector<Polyline2> PolygonsOnSlice(const SceneStructure& structure, const SliceFrame& frame,
                                       double halfSlabMm) {
  double nearest = 1e300;
  for (const auto& polygon : structure.contoursMm) {
    if (!polygon.empty()) {
      nearest = std::min(nearest, std::abs(frame.DistanceMm(polygon.front())));
    }
  }
  std::vector<Polyline2> lines;
  if (nearest > halfSlabMm + kSamePlaneMm) {
    return lines;
  }
  for (const auto& polygon : structure.contoursMm) {
    if (polygon.size() < 2 ||
        std::abs(std::abs(frame.DistanceMm(polygon.front())) - nearest) > kSamePlaneMm) {
      continue;
    }
    Polyline2 line;
    line.closed = true;
    for (const auto& point : polygon) {
      line.points.push_back(frame.ToPlane(point));
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

std::vector<SeedGlyph> SeedsNear(const std::vector<SceneSeed>& seeds, const SliceFrame& frame,
                                 double halfSlabMm) {
  std::vector<SeedGlyph> glyphs;
  for (std::size_t index = 0; index < seeds.size(); ++index) {
    const SceneSeed& seed = seeds[index];
    const double distance = frame.DistanceMm(seed.positionMm);
    if (std::abs(distance) > halfSlabMm) {
      continue;
    }
    SeedGlyph glyph;
    glyph.centreMm = frame.ToPlane(seed.positionMm);
    glyph.distanceMm = distance;
    glyph.index = index;
    if (seed.direction && seed.direction->norm() > 0.0) {
      const Eigen::Vector3d axis = seed.direction->normalized() * (0.5 * kSeedLengthMm);
      glyph.halfAxisMm = {frame.right.dot(axis), frame.up.dot(axis)};
      glyph.knownAxis = true;
    }
    glyphs.push_back(glyph);
  }
  return glyphs;
}

} // namespace

Eigen::Vector3d MaskCentreMm(const Mask& mask) {
  const auto box = MaskIndexBox::Of(mask);
  if (!box) {
    throw InvalidInput("the structure's mask is empty; it has no centre");
  }
  Eigen::Vector3d sum = Eigen::Vector3d::Zero();
  double count = 0.0;
  for (std::int64_t k = box->lower[2]; k <= box->upper[2]; ++k) {
    for (std::int64_t j = box->lower[1]; j <= box->upper[1]; ++j) {
      for (std::int64_t i = box->lower[0]; i <= box->upper[0]; ++i) {
        if (mask.At(i, j, k)) {
          sum += Eigen::Vector3d(double(i), double(j), double(k));
          count += 1.0;
        }
      }
    }
  }
  const Eigen::Vector3d index = sum / count;
  return mask.Geometry().IndexToPoint(index.x(), index.y(), index.z());
}

double ResolveSlicePosition(const Scene& scene, const ViewSettings& settings) {
  const SliceRange range = ScanRange(scene.ct.Geometry(), settings.plane);
  if (!settings.sliceMm) {
    return range.PositionOf(range.count / 2);
  }
  if (!range.Contains(*settings.sliceMm)) {
    throw InvalidInput("--slice " + FormatNumber(*settings.sliceMm) + " mm is outside the scan: " +
                       PlaneName(settings.plane) + " slices run from " + AxisName(settings.plane) +
                       " = " + FormatNumber(range.firstMm, 6) + " to " +
                       FormatNumber(range.LastMm(), 6) + " mm");
  }
  return range.Snap(*settings.sliceMm);
}

SliceContent SliceContent::Build(const Scene& scene, const ViewSettings& settings) {
  SliceContent content;
  content.Update(scene, settings);
  return content;
}

void SliceContent::Update(const Scene& scene, const ViewSettings& settings) {
  const double position = ResolveSlicePosition(scene, settings);
  frame = SliceFrame::Make(settings.plane, scene.patientPosition, position);
  range = ScanRange(scene.ct.Geometry(), settings.plane);
  sliceIndex = range.NearestIndex(position);
  ctGrid = VolumeSliceGrid(scene.ct.Geometry(), frame);
  SampleCtInto(scene.ct, frame, ctGrid, ct);
  const double halfSlab = 0.5 * range.stepMm;
  contours.clear();
  // One buffer for every structure's cut (a full-grid body mask's is 0.4 MB).
  thread_local SliceImage<float> cut;
  for (const auto& structure : scene.structures) {
    ContourOverlay overlay;
    overlay.name = structure.name;
    overlay.colorRgb = structure.colorRgb;
    overlay.isTarget = structure.kind == StructureKind::Target;
    if (settings.plane == ViewPlane::Axial && !structure.contoursMm.empty()) {
      overlay.lines = PolygonsOnSlice(structure, frame, halfSlab);
    } else if (SampleMaskInto(structure.mask, frame, cut)) {
      overlay.lines = ExtractIsolines(cut, 0.5);
    }
    if (!overlay.lines.empty()) {
      contours.push_back(std::move(overlay));
    }
  }
  UpdateDose(scene, settings);
  UpdateSeeds(scene);
}

void SliceContent::UpdateDose(const Scene& scene, const ViewSettings& settings) {
  isodoses.clear();
  compareIsodose.reset();
  compareNote.clear();
  reference = ChooseReference(scene, settings, &frame);
  if (!scene.plan.dose) {
    dose.reset();
    return;
  }
  const SceneDose& planDose = *scene.plan.dose;
  const std::string uncovered =
      UncoveredPart(planDose.values.Geometry(), frame, scene.ct.Geometry());
  if (!uncovered.empty()) {
    throw InvalidInput("the dose grid does not cover the " + PlaneName(frame.plane) + " slice " +
                       AxisName(frame.plane) + " = " + FormatNumber(frame.positionMm, 6) +
                       " mm of the CT: " + uncovered + " is outside it (dose grid " +
                       planDose.values.Geometry().Describe() + ")");
  }
  const SliceGrid doseGrid = ResampledGrid(ctGrid, planDose.values.Geometry(), frame);
  if (!dose) {
    dose.emplace();
  }
  SampleDoseInto(planDose.values, frame, doseGrid, *dose);
  // A scan turned against the picture leaves the picture's corners outside it: the isodoses are
  // kept to the scan (KeepInside). An axis-aligned scan fills its slice grid.
  const GridGeometry& ctGeometry = scene.ct.Geometry();
  constexpr double kAlignedCosine = 1.0 - 1e-9;
  const bool turned =
      (ctGeometry.Direction().cwiseAbs().colwise().maxCoeff().array() < kAlignedCosine).any();
  const auto inScan = [&](const Eigen::Vector2d& point) {
    return ctGeometry.ContainsPoint(frame.ToPatient(point), 0.5);
  };
  const auto levels = ResolveLevels(settings.levels, reference, planDose);
  for (std::size_t i = 0; i < levels.size(); ++i) {
    IsodoseOverlay overlay;
    overlay.level = levels[i];
    const bool hidden = i < settings.levelHidden.size() && settings.levelHidden[i];
    if (!hidden) {
      overlay.lines = ExtractIsolines(*dose, levels[i].value);
      if (turned) {
        overlay.lines = KeepInside(overlay.lines, inScan);
      }
    }
    isodoses.push_back(std::move(overlay));
  }

  if (!scene.compare || !scene.compare->dose) {
    return;
  }
  if (!scene.compareSharesFrame) {
    compareNote = scene.compare->label +
                  ": another Frame of Reference than the plan's CT; its dose is not drawn here";
    return;
  }
  if (!reference) {
    compareNote = scene.compare->label + ": no prescription to draw its 100 % isodose at";
    return;
  }
  const SceneDose& otherDose = *scene.compare->dose;
  const std::string otherUncovered =
      UncoveredPart(otherDose.values.Geometry(), frame, scene.ct.Geometry());
  if (!otherUncovered.empty()) {
    compareNote = scene.compare->label + ": its dose grid does not cover this slice (" +
                  otherUncovered + "); not drawn";
    return;
  }
  const double rxGy =
      scene.compare->PrescriptionOf(reference->structureName).value_or(reference->doseGy);
  IsodoseOverlay overlay;
  overlay.level.doseGy = rxGy;
  overlay.level.percent = 100.0;
  overlay.level.hasPercent = true;
  overlay.level.colorRgb = StandardLevelColor(100.0, 0);
  overlay.level.value = otherDose.isDoseRate ? rxGy * 100.0 / otherDose.meanLifeHours : rxGy;
  overlay.level.label = "100 %  " + FormatNumber(rxGy, 4) + " Gy, " + scene.compare->label;
  thread_local SliceImage<float> other;
  SampleDoseInto(otherDose.values, frame, ResampledGrid(ctGrid, otherDose.values.Geometry(), frame),
                 other);
  overlay.lines = ExtractIsolines(other, overlay.level.value);
  if (turned) {
    overlay.lines = KeepInside(overlay.lines, inScan);
  }
  compareIsodose = std::move(overlay);
}

void SliceContent::UpdateSeeds(const Scene& scene) {
  const double halfSlab = 0.5 * range.stepMm;
  seeds = SeedsNear(scene.plan.seeds, frame, halfSlab);
  compareSeeds.clear();
  if (scene.compare && scene.compareSharesFrame) {
    compareSeeds = SeedsNear(scene.compare->seeds, frame, halfSlab);
  }
  needles.clear();
  for (const auto& needle : scene.plan.needles) {
    const double d0 = frame.DistanceMm(needle.entryMm);
    const double d1 = frame.DistanceMm(needle.tipMm);
    double t0 = 0.0, t1 = 1.0;
    if (std::abs(d1 - d0) < 1e-12) {
      if (std::abs(d0) > halfSlab) {
        continue;
      }
    } else {
      // |d0 + t (d1 - d0)| <= halfSlab.
      double a = (-halfSlab - d0) / (d1 - d0);
      double b = (halfSlab - d0) / (d1 - d0);
      if (a > b) {
        std::swap(a, b);
      }
      t0 = std::max(0.0, a);
      t1 = std::min(1.0, b);
      if (t0 > t1) {
        continue;
      }
    }
    NeedleTrace trace;
    trace.id = needle.id;
    const Eigen::Vector3d along = needle.tipMm - needle.entryMm;
    trace.fromMm = frame.ToPlane(needle.entryMm + t0 * along);
    trace.toMm = frame.ToPlane(needle.entryMm + t1 * along);
    if (std::abs(d1 - d0) >= 1e-12) {
      const double t = -d0 / (d1 - d0);
      if (t >= 0.0 && t <= 1.0) {
        trace.crossingMm = frame.ToPlane(needle.entryMm + t * along);
      }
    }
    needles.push_back(trace);
  }
}

} // namespace seedplan::viewer
