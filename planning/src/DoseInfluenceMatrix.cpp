#include "seedplan/planning/DoseInfluenceMatrix.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/MaskIndexBox.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/core/Units.h"
#include "seedplan/dosimetry/PermanentImplantDecay.h"

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <numbers>
#include <optional>
#include <set>
#include <utility>

namespace seedplan::planning {

namespace {

using Index3 = std::array<std::int64_t, 3>;

using IndexBox = MaskIndexBox;

void CheckMask(const Mask& mask, const std::string& context) {
  mask.Geometry().Validate(context);
  if (mask.NumberOfVoxels() != mask.Geometry().NumberOfVoxels()) {
    throw InvalidInput(context + " holds " + std::to_string(mask.NumberOfVoxels()) +
                       " values; expected " + std::to_string(mask.Geometry().NumberOfVoxels()) +
                       " for its geometry (" + mask.Geometry().Describe() + ")");
  }
}

bool Inside(const Mask& mask, std::int64_t i, std::int64_t j, std::int64_t k) {
  const auto& size = mask.Geometry().Size();
  return i >= 0 && j >= 0 && k >= 0 && i < size[0] && j < size[1] && k < size[2] &&
         mask.At(i, j, k) != 0;
}

bool IsInterior(const Mask& mask, std::int64_t i, std::int64_t j, std::int64_t k) {
  return Inside(mask, i - 1, j, k) && Inside(mask, i + 1, j, k) && Inside(mask, i, j - 1, k) &&
         Inside(mask, i, j + 1, k) && Inside(mask, i, j, k - 1) && Inside(mask, i, j, k + 1);
}

/// The target mask grown by `marginMm` (a voxel is inside if its centre lies within marginMm of
/// an inside voxel's centre), on the mask's grid cropped to the grown box plus one voxel.
Mask PlanningTarget(const Mask& mask, const IndexBox& box, double marginMm) {
  const GridGeometry& geometry = mask.Geometry();
  const Eigen::Vector3d& spacing = geometry.SpacingMm();
  Index3 reach{};
  Index3 size{};
  for (int axis = 0; axis < 3; ++axis) {
    reach[axis] = static_cast<std::int64_t>(std::floor(marginMm / spacing[axis] + 1e-9));
    size[axis] = box.upper[axis] - box.lower[axis] + 1 + 2 * (reach[axis] + 1);
  }
  const Index3 shift = {box.lower[0] - reach[0] - 1, box.lower[1] - reach[1] - 1,
                        box.lower[2] - reach[2] - 1};
  const GridGeometry grown(
      geometry.IndexToPoint(double(shift[0]), double(shift[1]), double(shift[2])), spacing, size,
      geometry.Direction());
  Mask result(grown, 0);
  result.MetaData() = mask.MetaData();
  std::vector<Index3> ball;
  for (std::int64_t dk = -reach[2]; dk <= reach[2]; ++dk) {
    for (std::int64_t dj = -reach[1]; dj <= reach[1]; ++dj) {
      for (std::int64_t di = -reach[0]; di <= reach[0]; ++di) {
        const Eigen::Vector3d offset(double(di) * spacing[0], double(dj) * spacing[1],
                                     double(dk) * spacing[2]);
        if (offset.norm() <= marginMm + 1e-9) {
          ball.push_back({di, dj, dk});
        }
      }
    }
  }
  for (std::int64_t k = box.lower[2]; k <= box.upper[2]; ++k) {
    for (std::int64_t j = box.lower[1]; j <= box.upper[1]; ++j) {
      for (std::int64_t i = box.lower[0]; i <= box.upper[0]; ++i) {
        if (!Inside(mask, i, j, k)) {
          continue;
        }
        const bool interior = IsInterior(mask, i, j, k);
        const Index3 at = {i - shift[0], j - shift[1], k - shift[2]};
        if (interior || ball.size() == 1) {
          result.At(at[0], at[1], at[2]) = 1;
          continue;
        }
        for (const Index3& offset : ball) {
          result.At(at[0] + offset[0], at[1] + offset[1], at[2] + offset[2]) = 1;
        }
      }
    }
  }
  return result;
}

/// Numbers of interior and border voxels of a mask.
std::pair<std::size_t, std::size_t> CountVoxels(const Mask& mask) {
  std::size_t interior = 0;
  std::size_t border = 0;
  const auto& size = mask.Geometry().Size();
  for (std::int64_t k = 0; k < size[2]; ++k) {
    for (std::int64_t j = 0; j < size[1]; ++j) {
      for (std::int64_t i = 0; i < size[0]; ++i) {
        if (mask.At(i, j, k) != 0) {
          ++(IsInterior(mask, i, j, k) ? interior : border);
        }
      }
    }
  }
  return {interior, border};
}

/// Appends the sample points of `mask` (DvhCalculator's rule with n = subdivisions) whose voxel
/// centre passes `keep`, interior voxels thinned to those whose indices are multiples of
/// `interiorStride` and weighted so that their volumes sum to the interior's; returns the sampled
/// volume (mm^3). `totalVolumeMm3` receives the volume of every inside voxel.
template <class Keep>
double SampleStructure(const Mask& mask, int subdivisions, int interiorStride, const Keep& keep,
                       std::vector<Eigen::Vector3d>& points, std::vector<double>& volumes,
                       double& totalVolumeMm3) {
  const GridGeometry& geometry = mask.Geometry();
  const double voxelVolumeMm3 = geometry.VoxelVolumeMm3();
  const double subVolumeMm3 = voxelVolumeMm3 / std::pow(double(subdivisions), 3);
  std::vector<double> offsets(static_cast<std::size_t>(subdivisions));
  for (int s = 0; s < subdivisions; ++s) {
    offsets[static_cast<std::size_t>(s)] = (s + 0.5) / subdivisions - 0.5;
  }
  double sampled = 0.0;
  totalVolumeMm3 = 0.0;
  const std::optional<IndexBox> box = MaskIndexBox::Of(mask);
  if (!box) {
    return 0.0;
  }
  std::vector<std::size_t> interiorSamples;
  std::size_t interiorVoxels = 0;
  for (std::int64_t k = box->lower[2]; k <= box->upper[2]; ++k) {
    for (std::int64_t j = box->lower[1]; j <= box->upper[1]; ++j) {
      for (std::int64_t i = box->lower[0]; i <= box->upper[0]; ++i) {
        if (!Inside(mask, i, j, k)) {
          continue;
        }
        totalVolumeMm3 += voxelVolumeMm3;
        const Eigen::Vector3d centre = geometry.IndexToPoint(double(i), double(j), double(k));
        if (!keep(centre)) {
          continue;
        }
        sampled += voxelVolumeMm3;
        const bool interior = IsInterior(mask, i, j, k);
        if (interior) {
          ++interiorVoxels;
          if (i % interiorStride == 0 && j % interiorStride == 0 && k % interiorStride == 0) {
            interiorSamples.push_back(points.size());
            points.push_back(centre);
            volumes.push_back(voxelVolumeMm3);
          }
          continue;
        }
        if (subdivisions == 1) {
          points.push_back(centre);
          volumes.push_back(voxelVolumeMm3);
          continue;
        }
        for (double dk : offsets) {
          for (double dj : offsets) {
            for (double di : offsets) {
              points.push_back(
                  geometry.IndexToPoint(double(i) + di, double(j) + dj, double(k) + dk));
              volumes.push_back(subVolumeMm3);
            }
          }
        }
      }
    }
  }
  if (!interiorSamples.empty()) {
    const double weight = double(interiorVoxels) * voxelVolumeMm3 / double(interiorSamples.size());
    for (std::size_t index : interiorSamples) {
      volumes[index] = weight;
    }
  }
  return sampled;
}

/// A seed ready for point evaluation: its kernel and the factor S_K x τ/100 that turns the
/// kernel's per-U dose rate (cGy/h/U) into a total dose (Gy).
struct PreparedSeed {
  Eigen::Vector3d positionMm;
  std::optional<Eigen::Vector3d> direction;
  const dosimetry::DoseRateKernel* kernel = nullptr;
  double gyPerKernelUnit = 0.0;
};

PreparedSeed Prepare(const Seed& seed, const dosimetry::DoseCalculator& calculator,
                     const dosimetry::SourceLibrary& library, const std::string& defaultModelId) {
  const std::string modelId = seed.model.empty() ? defaultModelId : seed.model;
  const auto model = library.Load(modelId);
  const dosimetry::PermanentImplantDecay decay(model->HalfLifeDays());
  PreparedSeed prepared;
  prepared.positionMm = seed.positionMm;
  prepared.direction = seed.direction;
  prepared.kernel = &calculator.Kernel(*model, calculator.FormalismFor(seed));
  prepared.gyPerKernelUnit = seed.strengthU * decay.TotalDoseGyPerCGyPerH();
  return prepared;
}

double TotalDoseGy(const PreparedSeed& seed, const Eigen::Vector3d& pointMm) {
  const Eigen::Vector3d v = (pointMm - seed.positionMm) / units::kMmPerCm;
  const double r = v.norm();
  double theta = std::numbers::pi / 2;
  if (seed.direction && r > 0.0) {
    const double along = v.dot(*seed.direction);
    const double away = (v - along * *seed.direction).norm();
    theta = std::atan2(away, along);
  }
  return seed.gyPerKernelUnit * seed.kernel->DoseRatePerU(r, theta);
}

} // namespace

DoseInfluenceMatrix DoseInfluenceMatrix::Compute(const Mask& targetMask,
                                                 const std::vector<OrganAtRiskMask>& organs,
                                                 const std::vector<Seed>& candidates,
                                                 const std::vector<Seed>& backgroundSeeds,
                                                 const dosimetry::SourceLibrary& library,
                                                 const DoseInfluenceOptions& options) {
  const auto start = std::chrono::steady_clock::now();
  if (!(options.strengthU > 0.0) || !std::isfinite(options.strengthU)) {
    throw InvalidInput("influence matrix: seed strength is " + FormatNumber(options.strengthU) +
                       " U; expected an air-kerma strength > 0 U");
  }
  if (!(options.targetMarginMm >= 0.0) || !std::isfinite(options.targetMarginMm)) {
    throw InvalidInput("influence matrix: target margin is " +
                       FormatNumber(options.targetMarginMm) + " mm; expected a margin >= 0 mm");
  }
  if (!(options.organRadiusMm >= 0.0) || !std::isfinite(options.organRadiusMm)) {
    throw InvalidInput("influence matrix: organ radius is " + FormatNumber(options.organRadiusMm) +
                       " mm; expected a distance >= 0 mm");
  }
  if (options.borderSubdivisions < 1) {
    throw InvalidInput("influence matrix: border subdivisions is " +
                       std::to_string(options.borderSubdivisions) + "; expected an integer >= 1");
  }
  if (candidates.empty()) {
    throw InvalidInput("influence matrix: no candidate seed position; expected at least one "
                       "position along a needle");
  }
  CheckMask(targetMask, "target mask");
  const std::optional<IndexBox> targetBox = MaskIndexBox::Of(targetMask);
  if (!targetBox) {
    throw InvalidInput("target mask is empty (no non-zero voxel in " +
                       targetMask.Geometry().Describe() + "); expected a structure with volume");
  }
  for (const OrganAtRiskMask& organ : organs) {
    if (organ.mask == nullptr) {
      throw InvalidInput("influence matrix: organ '" + organ.name + "' has no mask");
    }
    CheckMask(*organ.mask, "mask of organ '" + organ.name + "'");
  }

  DoseInfluenceMatrix matrix;
  matrix.m_Options = options;
  matrix.m_Candidates = candidates;
  for (Seed& seed : matrix.m_Candidates) {
    seed.strengthU = options.strengthU;
    seed.model = options.modelId;
  }

  // Points: the planning target, then each organ near the candidates.
  matrix.m_PlanningTargetMask = PlanningTarget(targetMask, *targetBox, options.targetMarginMm);
  auto keepAll = [](const Eigen::Vector3d&) { return true; };
  int subdivisions = options.borderSubdivisions;
  int stride = 1;
  if (options.targetPointBudget > 0) {
    const auto [interior, border] = CountVoxels(matrix.m_PlanningTargetMask);
    auto estimate = [&, interior = interior, border = border]() {
      return double(interior) / std::pow(double(stride), 3) +
             double(border) * std::pow(double(subdivisions), 3);
    };
    while (estimate() > double(options.targetPointBudget) && (subdivisions > 1 || stride < 8)) {
      if (subdivisions > 1) {
        subdivisions = 1;
      } else {
        ++stride;
      }
    }
  }
  matrix.m_TargetBorderSubdivisions = subdivisions;
  matrix.m_TargetInteriorStride = stride;
  matrix.m_Target.name = "target";
  matrix.m_Target.sampledVolumeMm3 =
      SampleStructure(matrix.m_PlanningTargetMask, subdivisions, stride, keepAll, matrix.m_PointsMm,
                      matrix.m_PointVolumesMm3, matrix.m_Target.totalVolumeMm3);
  matrix.m_Target.pointCount = matrix.m_PointsMm.size();

  Eigen::Vector3d candidateLow = matrix.m_Candidates.front().positionMm;
  Eigen::Vector3d candidateHigh = candidateLow;
  for (const Seed& seed : matrix.m_Candidates) {
    candidateLow = candidateLow.cwiseMin(seed.positionMm);
    candidateHigh = candidateHigh.cwiseMax(seed.positionMm);
  }
  const double radius = options.organRadiusMm;
  const double radius2 = radius * radius;
  auto nearCandidate = [&](const Eigen::Vector3d& point) {
    if ((point.array() < candidateLow.array() - radius).any() ||
        (point.array() > candidateHigh.array() + radius).any()) {
      return false;
    }
    for (const Seed& seed : matrix.m_Candidates) {
      if ((point - seed.positionMm).squaredNorm() <= radius2) {
        return true;
      }
    }
    return false;
  };
  for (const OrganAtRiskMask& organ : organs) {
    SampledStructure sampled;
    sampled.name = organ.name;
    sampled.firstPoint = matrix.m_PointsMm.size();
    sampled.sampledVolumeMm3 =
        SampleStructure(*organ.mask, options.borderSubdivisions, 1, nearCandidate,
                        matrix.m_PointsMm, matrix.m_PointVolumesMm3, sampled.totalVolumeMm3);
    sampled.pointCount = matrix.m_PointsMm.size() - sampled.firstPoint;
    matrix.m_Organs.push_back(sampled);
  }

  // Kernels: one calculator knows every model used.
  dosimetry::DoseCalculator calculator(library.Load(options.modelId), options.calculation);
  std::set<std::string> modelIds;
  for (const Seed& seed : backgroundSeeds) {
    if (!seed.model.empty()) {
      modelIds.insert(seed.model);
    }
  }
  for (const std::string& id : modelIds) {
    calculator.AddModel(library.Load(id));
  }
  calculator.ValidateSeeds(matrix.m_Candidates);
  calculator.ValidateSeeds(backgroundSeeds);
  std::vector<PreparedSeed> preparedCandidates;
  for (const Seed& seed : matrix.m_Candidates) {
    preparedCandidates.push_back(Prepare(seed, calculator, library, options.modelId));
  }
  std::vector<PreparedSeed> preparedBackground;
  for (const Seed& seed : backgroundSeeds) {
    preparedBackground.push_back(Prepare(seed, calculator, library, options.modelId));
  }

  const std::int64_t pointCount = static_cast<std::int64_t>(matrix.m_PointsMm.size());
  const std::int64_t candidateCount = static_cast<std::int64_t>(preparedCandidates.size());
  matrix.m_DoseGy.assign(static_cast<std::size_t>(pointCount * candidateCount), 0.0f);
#pragma omp parallel for schedule(dynamic)
  for (std::int64_t c = 0; c < candidateCount; ++c) {
    const PreparedSeed& seed = preparedCandidates[static_cast<std::size_t>(c)];
    float* column = matrix.m_DoseGy.data() + c * pointCount;
    for (std::int64_t p = 0; p < pointCount; ++p) {
      column[p] =
          static_cast<float>(TotalDoseGy(seed, matrix.m_PointsMm[static_cast<std::size_t>(p)]));
    }
  }
  matrix.m_BackgroundDoseGy.assign(static_cast<std::size_t>(pointCount), 0.0);
  if (!preparedBackground.empty()) {
#pragma omp parallel for schedule(static)
    for (std::int64_t p = 0; p < pointCount; ++p) {
      double total = 0.0;
      for (const PreparedSeed& seed : preparedBackground) {
        total += TotalDoseGy(seed, matrix.m_PointsMm[static_cast<std::size_t>(p)]);
      }
      matrix.m_BackgroundDoseGy[static_cast<std::size_t>(p)] = total;
    }
  }
  matrix.m_ComputeSeconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return matrix;
}

std::size_t DoseInfluenceMatrix::MemoryBytes() const {
  return m_DoseGy.size() * sizeof(float) + m_PointsMm.size() * sizeof(Eigen::Vector3d) +
         m_PointVolumesMm3.size() * sizeof(double) + m_BackgroundDoseGy.size() * sizeof(double) +
         static_cast<std::size_t>(m_PlanningTargetMask.NumberOfVoxels());
}

} // namespace seedplan::planning
