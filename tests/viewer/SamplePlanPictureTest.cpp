// Pictures of the sample plan (the sample patient's CT and structures with its fixed seed
// arrangement in the lung lesion) against references stored in tests/viewer/references.
//
// Comparison: the pictures are reduced to the means of 8 x 8 pixel blocks (100 x 100 blocks for
// 800 x 800; the references are those block means, small files) and compared block by block,
// leaving out the blocks that touch text (the layout says where text was drawn). On this machine
// llvmpipe renders identically run after run (difference 0). Elsewhere text rasterises
// differently with another FreeType (hence text is left out; the legends are checked pixel by
// pixel in SlicePictureTest), and another OpenGL driver may put a line's edge one pixel off,
// which moves a block's mean by at most 255 x 8 / 64 = 32 levels: a block counts as changed
// beyond kBlockToleranceLevels = 40 in any channel. At most kChangedBlocks = 5 changed blocks
// and a mean difference of kMeanToleranceLevels = 1 level are allowed: a missing or moved
// isodose line, contour or curve changes 30 blocks or more. SEEDPLAN_UPDATE_VIEWER_REFERENCES=1
// rewrites the references (review them by eye).

#include "PixelChecks.h"

#include "seedplan/dosimetry/DvhCalculator.h"
#include "seedplan/dosimetry/ImplantDose.h"
#include "seedplan/dosimetry/SourceLibrary.h"
#include "seedplan/imaging/StructureRole.h"
#include "seedplan/imaging/ThoraxPhantom.h"
#include "seedplan/viewer/Pictures.h"
#include "seedplan/viewer/SliceContent.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <memory>

namespace seedplan::test {
namespace {

constexpr int kBlockPx = 8;
constexpr int kBlockToleranceLevels = 40;
constexpr int kChangedBlocks = 5;
constexpr double kMeanToleranceLevels = 1.0;
/// Text may cover at most this share of the blocks, or the comparison would say little.
constexpr double kMaxTextBlockFraction = 0.3;

viewer::RgbImage BlockMeans(const viewer::RgbImage& image) {
  viewer::RgbImage blocks;
  blocks.width = image.width / kBlockPx;
  blocks.height = image.height / kBlockPx;
  blocks.rgb.resize(3 * std::size_t(blocks.width) * blocks.height);
  for (int by = 0; by < blocks.height; ++by) {
    for (int bx = 0; bx < blocks.width; ++bx) {
      for (int c = 0; c < 3; ++c) {
        int sum = 0;
        for (int y = 0; y < kBlockPx; ++y) {
          for (int x = 0; x < kBlockPx; ++x) {
            sum += image.At(bx * kBlockPx + x, by * kBlockPx + y)[std::size_t(c)];
          }
        }
        blocks.rgb[3 * (std::size_t(by) * blocks.width + bx) + std::size_t(c)] =
            std::uint8_t((sum + kBlockPx * kBlockPx / 2) / (kBlockPx * kBlockPx));
      }
    }
  }
  return blocks;
}

/// The sample case built once: CT, structures, the lung lesion's seeds and their total dose.
const viewer::Scene& SampleScene() {
  static const std::unique_ptr<viewer::Scene> scene = [] {
    auto built = std::make_unique<viewer::Scene>();
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
    dose.quantity = "total dose";
    built->plan.dose = std::move(dose);
    // The DVH of the lesion and of the organs near it (the body's would take seconds).
    for (const char* name : {"GTV_Lung", "Lung_R", "Liver", "Heart", "SpinalCord"}) {
      const viewer::SceneStructure* structure = built->Find(name);
      const auto dvh = dosimetry::DvhCalculator::Compute(structure->mask, built->plan.dose->values);
      viewer::DvhCurve curve;
      curve.structureName = name;
      curve.colorRgb = structure->colorRgb;
      curve.isTarget = structure->kind == viewer::StructureKind::Target;
      curve.maxDoseGy = dvh.MaxDoseGy();
      for (int i = 0; i <= 600; ++i) {
        const double doseGy = curve.maxDoseGy * i / 600.0;
        curve.points.push_back({doseGy, 100.0 * dvh.VolumeFractionAtLeast(doseGy)});
      }
      built->plan.dvh.push_back(curve);
    }
    return built;
  }();
  return *scene;
}

void CompareWithReference(const viewer::Picture& picture, const std::string& name) {
  const viewer::RgbImage blocks = BlockMeans(picture.image);
  const auto reference = std::filesystem::path(SEEDPLAN_VIEWER_REFERENCE_DIR) / (name + ".png");
  const char* update = std::getenv("SEEDPLAN_UPDATE_VIEWER_REFERENCES");
  if (update && std::string(update) == "1") {
    viewer::WritePngFile(reference, viewer::EncodePng(blocks));
    std::cout << "rewrote " << reference << " (review it)\n";
    return;
  }
  KeepForInspection(picture.image, name);
  ASSERT_TRUE(std::filesystem::exists(reference))
      << reference << " is missing: run with SEEDPLAN_UPDATE_VIEWER_REFERENCES=1";
  const viewer::RgbImage expected = viewer::ReadPng(reference);
  ASSERT_EQ(expected.width, blocks.width);
  ASSERT_EQ(expected.height, blocks.height);
  // Blocks that touch text are left out.
  std::vector<bool> text(std::size_t(blocks.width) * blocks.height, false);
  for (const auto& box : picture.layout.textBoxes) {
    for (int by = std::max(0, box.y0 / kBlockPx);
         by <= std::min(blocks.height - 1, box.y1 / kBlockPx); ++by) {
      for (int bx = std::max(0, box.x0 / kBlockPx);
           bx <= std::min(blocks.width - 1, box.x1 / kBlockPx); ++bx) {
        text[std::size_t(by) * blocks.width + bx] = true;
      }
    }
  }
  int changed = 0;
  int compared = 0;
  double sum = 0.0;
  for (std::size_t block = 0; block < text.size(); ++block) {
    if (text[block]) {
      continue;
    }
    ++compared;
    int worst = 0;
    for (std::size_t c = 0; c < 3; ++c) {
      const int difference =
          std::abs(int(blocks.rgb[3 * block + c]) - int(expected.rgb[3 * block + c]));
      worst = std::max(worst, difference);
      sum += difference;
    }
    changed += worst > kBlockToleranceLevels ? 1 : 0;
  }
  const double blockCount = double(text.size());
  EXPECT_GT(compared, (1.0 - kMaxTextBlockFraction) * blockCount);
  const double mean = sum / (3.0 * compared);
  if (changed > kChangedBlocks || mean > kMeanToleranceLevels) {
    const auto kept = std::filesystem::temp_directory_path() / (name + "-actual.png");
    viewer::WritePngFile(kept, viewer::EncodePng(picture.image));
    ADD_FAILURE() << name << ": " << changed << " of " << compared
                  << " blocks (text left out) differ by more than " << kBlockToleranceLevels
                  << " levels, mean difference " << mean << "; the picture is in " << kept;
  }
  std::cout << name << ": " << changed << " blocks beyond tolerance, mean difference " << mean
            << " levels\n";
}

TEST(SamplePlanPicture, AxialThroughTheLungLesionMatchesItsReference) {
  SEEDPLAN_REQUIRE_DISPLAY();
  const viewer::Scene& scene = SampleScene();
  viewer::ViewSettings settings;
  settings.throughStructure = "GTV_Lung";
  settings.sliceMm = viewer::MaskCentreMm(scene.Find("GTV_Lung")->mask).z();
  static viewer::PictureRenderer renderer;
  const viewer::Picture picture = renderer.Render(scene, settings);
  CompareWithReference(picture, "sample_axial_gtv_lung");
  // What the reference shows, checked directly too: the lesion's prescription isodose around it.
  EXPECT_EQ(picture.layout.isodoseLegend.size(), 6u);
  EXPECT_EQ(CountColor(picture.image, {255, 0, 0},
                       [&](int x, int y) {
                         return picture.layout.imageBox.Contains(x, y) &&
                                !picture.layout.legendBox.Contains(x, y);
                       }) > 100,
            true);
}

TEST(SamplePlanPicture, DvhMatchesItsReference) {
  SEEDPLAN_REQUIRE_DISPLAY();
  const viewer::Scene& scene = SampleScene();
  viewer::ViewSettings settings;
  settings.plane = viewer::ViewPlane::Dvh;
  static viewer::PictureRenderer renderer;
  CompareWithReference(renderer.Render(scene, settings), "sample_dvh");
}

} // namespace
} // namespace seedplan::test
