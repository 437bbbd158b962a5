#include "seedplan/dosimetry/DoseCalculator.h"

#include "KernelRow.h"
#include "ZeroedDoseGrid.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"
#include "seedplan/core/Units.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <exception>
#include <numbers>

namespace seedplan::dosimetry {

namespace {

using Index3 = std::array<std::int64_t, 3>;

/// A seed prepared for the loops: centre in cm, axis, the factor applied to its dose rate per U,
/// its kernel.
struct PreparedSeed {
  Eigen::Vector3d centreCm;
  Eigen::Vector3d axis;
  double scale = 0.0;
  const DoseRateKernel* kernel = nullptr;
  detail::KernelView view;
};

std::string SeedLabel(std::size_t index) {
  return "seed " + std::to_string(index + 1);
}

detail::KernelView ViewOf(const DoseRateKernel& kernel) {
  constexpr double kRadPerDeg = std::numbers::pi / 180.0;
  const DoseRateKernel::Table& radial = kernel.RadialDose();
  const DoseRateKernel::Table& anisotropy = kernel.Anisotropy();
  detail::KernelView view;
  view.radialTable = radial.values.data();
  view.radialPairs = radial.pairs.data();
  view.radialCount = radial.radialCount;
  view.invRadialStepCm = static_cast<float>(1.0 / radial.radialStepCm);
  view.anisotropyTable = anisotropy.values.data();
  view.anisotropyPairs = anisotropy.pairs.data();
  view.anisotropyRadialCount = anisotropy.radialCount;
  view.anisotropyAngleCount = anisotropy.angleCount;
  view.invAnisotropyRadialStepCm = static_cast<float>(1.0 / anisotropy.radialStepCm);
  view.invAngleStepRad = static_cast<float>(1.0 / (anisotropy.angleStepDeg * kRadPerDeg));
  view.minimumRadiusCm = static_cast<float>(kernel.MinimumRadiusCm());
  view.cutoffCm2 = static_cast<float>(kernel.CutoffCm() * kernel.CutoffCm());
  view.activeLengthCm = static_cast<float>(kernel.ActiveLengthCm());
  view.quarterLength2Cm2 =
      static_cast<float>(0.25 * kernel.ActiveLengthCm() * kernel.ActiveLengthCm());
  view.scale = static_cast<float>(kernel.Scale());
  view.compact = kernel.Compact();
  switch (kernel.GetFormalism()) {
  case Formalism::Line1D:
    view.kind = detail::KernelKind::Line1D;
    break;
  case Formalism::Point1D:
    view.kind = detail::KernelKind::Point1D;
    break;
  default:
    view.kind = detail::KernelKind::Line2D;
    break;
  }
  return view;
}

detail::KernelFunctions FunctionsFor(SimdPath requested) {
  switch (ResolveSimdPath(requested)) {
  case SimdPath::Avx512:
    return detail::Avx512Functions();
  case SimdPath::Avx2:
    return detail::Avx2Functions();
  default:
    return detail::ScalarFunctions();
  }
}

/// The voxels [first, last] of a row of `count` voxels, voxel i at start + i·step (cm, relative
/// to a seed), whose distance to the seed is at most cutoffCm: |start + i step|² <= cutoff² is a
/// quadratic in i. The roots are clamped to the row in floating point before they become
/// integers, so no index is formed from an unchecked double (a NaN or a root beyond the row gives
/// an empty or clamped range). False if no voxel is within the cutoff.
bool RowRange(const Eigen::Vector3d& start, const Eigen::Vector3d& step, double cutoffCm,
              std::int64_t count, std::int64_t& first, std::int64_t& last) {
  const double a = step.squaredNorm();
  const double b = start.dot(step);
  const double c = start.squaredNorm() - cutoffCm * cutoffCm;
  const double discriminant = b * b - a * c;
  if (!(a > 0.0) || !(discriminant >= 0.0)) {
    return false;
  }
  const double root = std::sqrt(discriminant);
  const double low = std::ceil((-b - root) / a);
  const double high = std::floor((-b + root) / a);
  const double lastIndex = static_cast<double>(count - 1);
  if (!(high >= 0.0) || !(low <= lastIndex) || !(low <= high)) {
    return false;
  }
  first = low <= 0.0 ? 0 : static_cast<std::int64_t>(low);
  last = high >= lastIndex ? count - 1 : static_cast<std::int64_t>(high);
  return first <= last;
}

/// The grid's geometry in the form the loops use (cm).
struct Lattice {
  Eigen::Vector3d originCm;
  Eigen::Vector3d step[3];
  Index3 size;
  Eigen::Matrix3d pointToIndex; ///< continuous index from a patient offset in cm

  explicit Lattice(const GridGeometry& geometry) {
    const Eigen::Vector3d spacingCm = geometry.SpacingMm() / units::kMmPerCm;
    originCm = geometry.OriginMm() / units::kMmPerCm;
    for (int axis = 0; axis < 3; ++axis) {
      step[axis] = geometry.Direction().col(axis) * spacingCm[axis];
      size[static_cast<std::size_t>(axis)] = geometry.Size()[static_cast<std::size_t>(axis)];
    }
    pointToIndex = spacingCm.cwiseInverse().asDiagonal() * geometry.Direction().transpose();
  }
  Eigen::Vector3d RowStart(std::int64_t j, std::int64_t k) const {
    return originCm + step[1] * double(j) + step[2] * double(k);
  }
};

/// The whole-voxel reach of the cutoff along each grid axis (the direction matrix is orthonormal,
/// so an offset of d voxels along axis a is at least |d - phase| spacing_a away).
Index3 Reach(const Lattice& lattice, double cutoffCm) {
  Index3 reach{};
  for (int axis = 0; axis < 3; ++axis) {
    reach[static_cast<std::size_t>(axis)] =
        static_cast<std::int64_t>(std::floor(cutoffCm / lattice.step[axis].norm())) + 1;
  }
  return reach;
}

/// A group of seeds sharing kernel, axis and sub-voxel phase, and the dose per U of one of them
/// on the lattice offsets the group needs.
struct Stamp {
  const PreparedSeed* reference = nullptr;
  Eigen::Vector3d phase; ///< continuous index minus nearest voxel, per axis (voxels)
  std::vector<std::size_t> members;
  std::vector<Index3> nearest;                 ///< each member's nearest voxel index
  Index3 lower{}, upper{};                     ///< offsets covered
  std::vector<float> values;                   ///< (i - lower) fastest
  std::vector<std::int32_t> rowFirst, rowLast; ///< non-zero extent of each stamp row

  std::int64_t Width(int axis) const {
    return upper[static_cast<std::size_t>(axis)] - lower[static_cast<std::size_t>(axis)] + 1;
  }
  std::int64_t VoxelCount() const { return Width(0) * Width(1) * Width(2); }
};

/// Everything one grid accumulation needs.
class GridAccumulation {
public:
  GridAccumulation(const Lattice& lattice, std::vector<PreparedSeed> seeds, double cutoffCm,
                   const detail::KernelFunctions& functions, bool useStamps)
      : m_Lattice(lattice), m_Seeds(std::move(seeds)), m_CutoffCm(cutoffCm),
        m_Functions(functions) {
    if (useStamps && m_Seeds.size() >= 2) {
      FormStamps();
    }
  }

  std::size_t StampedSeeds() const {
    std::size_t count = 0;
    for (const Stamp& stamp : m_Stamps) {
      count += stamp.members.size();
    }
    return count;
  }
  std::size_t StampCount() const { return m_Stamps.size(); }

  /// Adds every seed's dose into `data` (the grid's voxels, i fastest).
  void Run(float* data) {
    for (Stamp& stamp : m_Stamps) {
      FillStamp(stamp);
    }
    // Rows that some seed reaches: the box of the seeds' cutoff boxes.
    std::int64_t jLow = m_Lattice.size[1], jHigh = -1, kLow = m_Lattice.size[2], kHigh = -1;
    const Index3 reach = Reach(m_Lattice, m_CutoffCm);
    for (const PreparedSeed& seed : m_Seeds) {
      const Eigen::Vector3d index = m_Lattice.pointToIndex * (seed.centreCm - m_Lattice.originCm);
      jLow = std::min(jLow, ClampIndex(index.y() - double(reach[1]), m_Lattice.size[1]));
      jHigh = std::max(jHigh, ClampIndex(index.y() + double(reach[1]), m_Lattice.size[1]));
      kLow = std::min(kLow, ClampIndex(index.z() - double(reach[2]), m_Lattice.size[2]));
      kHigh = std::max(kHigh, ClampIndex(index.z() + double(reach[2]), m_Lattice.size[2]));
    }
    jLow = std::max<std::int64_t>(jLow, 0);
    kLow = std::max<std::int64_t>(kLow, 0);
    jHigh = std::min(jHigh, m_Lattice.size[1] - 1);
    kHigh = std::min(kHigh, m_Lattice.size[2] - 1);
    if (jLow > jHigh || kLow > kHigh) {
      return;
    }
    const std::int64_t rowsJ = jHigh - jLow + 1;
    const std::int64_t rows = rowsJ * (kHigh - kLow + 1);
    std::vector<bool> stamped(m_Seeds.size(), false);
    for (const Stamp& stamp : m_Stamps) {
      for (std::size_t member : stamp.members) {
        stamped[member] = true;
      }
    }
    std::vector<std::size_t> direct;
    for (std::size_t s = 0; s < m_Seeds.size(); ++s) {
      if (!stamped[s]) {
        direct.push_back(s);
      }
    }
    // Nothing inside throws; the capture keeps it so if that ever changes (no exception may
    // leave an OpenMP region).
    std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic, 4)
    for (std::int64_t row = 0; row < rows; ++row) {
      try {
        const std::int64_t j = jLow + row % rowsJ;
        const std::int64_t k = kLow + row / rowsJ;
        float* out = data + (j + m_Lattice.size[1] * k) * m_Lattice.size[0];
        for (const Stamp& stamp : m_Stamps) {
          AddStampRows(stamp, j, k, out);
        }
        const Eigen::Vector3d rowStart = m_Lattice.RowStart(j, k);
        for (std::size_t s : direct) {
          AddDirectRow(m_Seeds[s], rowStart - m_Seeds[s].centreCm, m_Lattice.size[0], out);
        }
      } catch (...) {
#pragma omp critical(seedplan_dose_failure)
        if (!failure) {
          failure = std::current_exception();
        }
      }
    }
    if (failure) {
      std::rethrow_exception(failure);
    }
  }

private:
  /// floor(value) clamped to [-1, count] in floating point, then an integer.
  static std::int64_t ClampIndex(double value, std::int64_t count) {
    const double floored = std::floor(value);
    if (!(floored >= 0.0)) {
      return floored < 0.0 ? -1 : count; // NaN counts as beyond
    }
    return floored >= double(count) ? count : static_cast<std::int64_t>(floored);
  }

  void AddDirectRow(const PreparedSeed& seed, const Eigen::Vector3d& start, std::int64_t count,
                    float* out) const {
    detail::RowTask task;
    if (!RowRange(start, m_Lattice.step[0], m_CutoffCm, count, task.first, task.last)) {
      return;
    }
    for (int axis = 0; axis < 3; ++axis) {
      task.start[axis] = static_cast<float>(start[axis]);
      task.step[axis] = static_cast<float>(m_Lattice.step[0][axis]);
      task.axis[axis] = static_cast<float>(seed.axis[axis]);
    }
    task.scale = static_cast<float>(seed.scale);
    m_Functions.row(seed.view, task, out);
  }

  /// Groups the seeds (same kernel, axis and phase) and keeps the groups whose stamp is cheaper
  /// than their direct evaluation.
  void FormStamps() {
    const Index3 reach = Reach(m_Lattice, m_CutoffCm);
    std::vector<Stamp> groups;
    for (std::size_t s = 0; s < m_Seeds.size(); ++s) {
      const PreparedSeed& seed = m_Seeds[s];
      const Eigen::Vector3d index = m_Lattice.pointToIndex * (seed.centreCm - m_Lattice.originCm);
      Index3 nearest{};
      Eigen::Vector3d phase;
      bool far = false;
      for (int axis = 0; axis < 3; ++axis) {
        // Positions are within ±10 m and spacings >= 0.01 mm: |index| < 2e6, safe to round.
        if (!(std::abs(index[axis]) < 1e9)) {
          far = true;
          break;
        }
        nearest[static_cast<std::size_t>(axis)] = std::llround(index[axis]);
        phase[axis] = index[axis] - double(nearest[static_cast<std::size_t>(axis)]);
      }
      if (far) {
        continue;
      }
      const bool oneD = seed.view.kind != detail::KernelKind::Line2D;
      Stamp* match = nullptr;
      for (Stamp& group : groups) {
        const PreparedSeed& other = *group.reference;
        if (other.kernel != seed.kernel) {
          continue;
        }
        bool same = oneD || (other.axis - seed.axis).cwiseAbs().maxCoeff() <= kAxisTolerance;
        for (int axis = 0; axis < 3 && same; ++axis) {
          const double spacingMm = m_Lattice.step[axis].norm() * units::kMmPerCm;
          same = std::abs(group.phase[axis] - phase[axis]) * spacingMm <= kPhaseToleranceMm;
        }
        if (same) {
          match = &group;
          break;
        }
      }
      if (!match && groups.size() < kMaximumGroups) {
        Stamp& group = groups.emplace_back();
        group.reference = &seed;
        group.phase = phase;
        match = &group;
      }
      if (!match) {
        continue; // too many distinct phases: this seed takes the direct loop
      }
      match->members.push_back(s);
      match->nearest.push_back(nearest);
    }
    for (Stamp& group : groups) {
      if (group.members.size() < 2) {
        continue;
      }
      // Offsets the group needs: each member's grid box relative to its voxel, within the reach.
      double pairs = 0.0;
      for (int axis = 0; axis < 3; ++axis) {
        const auto a = static_cast<std::size_t>(axis);
        group.lower[a] = reach[a];
        group.upper[a] = -reach[a];
      }
      for (const Index3& nearest : group.nearest) {
        double box = 1.0;
        for (std::size_t a = 0; a < 3; ++a) {
          const std::int64_t low = std::max(-nearest[a], -reach[a]);
          const std::int64_t high = std::min(m_Lattice.size[a] - 1 - nearest[a], reach[a]);
          group.lower[a] = std::min(group.lower[a], low);
          group.upper[a] = std::max(group.upper[a], high);
          box *= double(std::max<std::int64_t>(0, high - low + 1));
        }
        // A sphere fills ~52 % of its box.
        pairs += box * kSphereFillOfBox;
      }
      bool empty = false;
      for (std::size_t a = 0; a < 3; ++a) {
        empty = empty || group.lower[a] > group.upper[a];
      }
      if (empty) {
        continue;
      }
      const double stampVoxels = double(group.VoxelCount());
      const double stampCost = stampVoxels * kSphereFillOfBox + kAddCostPerPair * pairs;
      if (stampCost < pairs && stampVoxels * sizeof(float) <= double(kMaximumBytes)) {
        m_Stamps.push_back(std::move(group));
      }
    }
  }

  void FillStamp(Stamp& stamp) const {
    stamp.values.assign(static_cast<std::size_t>(stamp.VoxelCount()), 0.0f);
    const std::int64_t width = stamp.Width(0);
    const std::int64_t rowsJ = stamp.Width(1);
    const std::int64_t rows = rowsJ * stamp.Width(2);
    stamp.rowFirst.assign(static_cast<std::size_t>(rows), 1);
    stamp.rowLast.assign(static_cast<std::size_t>(rows), 0);
    PreparedSeed unit = *stamp.reference;
    unit.scale = 1.0;
    const Eigen::Vector3d& phase = stamp.phase;
    std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic, 8)
    for (std::int64_t row = 0; row < rows; ++row) {
      try {
        const double dj = double(stamp.lower[1] + row % rowsJ) - phase.y();
        const double dk = double(stamp.lower[2] + row / rowsJ) - phase.z();
        const Eigen::Vector3d start = m_Lattice.step[0] * (double(stamp.lower[0]) - phase.x()) +
                                      m_Lattice.step[1] * dj + m_Lattice.step[2] * dk;
        std::int64_t first = 0, last = -1;
        if (RowRange(start, m_Lattice.step[0], m_CutoffCm, width, first, last)) {
          AddDirectRow(unit, start, width, stamp.values.data() + row * width);
          stamp.rowFirst[static_cast<std::size_t>(row)] = static_cast<std::int32_t>(first);
          stamp.rowLast[static_cast<std::size_t>(row)] = static_cast<std::int32_t>(last);
        }
      } catch (...) {
#pragma omp critical(seedplan_dose_failure)
        if (!failure) {
          failure = std::current_exception();
        }
      }
    }
    if (failure) {
      std::rethrow_exception(failure);
    }
  }

  void AddStampRows(const Stamp& stamp, std::int64_t j, std::int64_t k, float* out) const {
    const std::int64_t width = stamp.Width(0);
    const std::int64_t rowsJ = stamp.Width(1);
    for (std::size_t m = 0; m < stamp.members.size(); ++m) {
      const Index3& nearest = stamp.nearest[m];
      const std::int64_t dj = j - nearest[1];
      const std::int64_t dk = k - nearest[2];
      if (dj < stamp.lower[1] || dj > stamp.upper[1] || dk < stamp.lower[2] ||
          dk > stamp.upper[2]) {
        continue;
      }
      const std::int64_t row = (dj - stamp.lower[1]) + rowsJ * (dk - stamp.lower[2]);
      const std::int64_t first = stamp.rowFirst[static_cast<std::size_t>(row)];
      const std::int64_t last = stamp.rowLast[static_cast<std::size_t>(row)];
      // Stamp column c is grid voxel i = nearest + lower + c; keep 0 <= i < size.
      const std::int64_t shift = nearest[0] + stamp.lower[0];
      const std::int64_t begin = std::max(first, -shift);
      const std::int64_t end = std::min(last, m_Lattice.size[0] - 1 - shift);
      if (begin > end) {
        continue;
      }
      const float scale = static_cast<float>(m_Seeds[stamp.members[m]].scale);
      m_Functions.addScaled(stamp.values.data() + row * width + begin, scale, end - begin + 1,
                            out + shift + begin);
    }
  }

  static constexpr double kPhaseToleranceMm = DoseCalculator::kStampPhaseToleranceMm;
  static constexpr double kAxisTolerance = DoseCalculator::kStampAxisTolerance;
  static constexpr std::int64_t kMaximumBytes = DoseCalculator::kMaximumStampBytes;
  /// Distinct (kernel, axis, phase) groups looked for; seeds beyond take the direct loop (keeps
  /// the grouping linear in the seed count for large, irregular seed sets).
  static constexpr std::size_t kMaximumGroups = 256;
  /// Volume of a sphere over that of its bounding cube, π/6.
  static constexpr double kSphereFillOfBox = std::numbers::pi / 6.0;
  /// Cost of one shift-and-add pair relative to one kernel evaluation (measured: ~0.1-0.2).
  static constexpr double kAddCostPerPair = 0.25;

  const Lattice& m_Lattice;
  std::vector<PreparedSeed> m_Seeds;
  double m_CutoffCm;
  detail::KernelFunctions m_Functions;
  std::vector<Stamp> m_Stamps;
};

} // namespace

DoseCalculator::DoseCalculator(std::shared_ptr<const SourceModel> defaultModel,
                               DoseCalculationOptions options)
    : m_DefaultModel(std::move(defaultModel)), m_Options(options) {
  if (!(m_Options.cutoffCm >= DoseRateKernel::kMinimumCutoffCm &&
        m_Options.cutoffCm <= DoseRateKernel::kMaximumCutoffCm)) {
    throw InvalidInput("dose cutoff is " + FormatNumber(m_Options.cutoffCm) +
                       " cm; expected 10 to 100 cm");
  }
  AddModel(m_DefaultModel);
}

void DoseCalculator::AddModel(std::shared_ptr<const SourceModel> model) {
  m_Models[model->Id()] = std::move(model);
}

const SourceModel& DoseCalculator::ModelFor(const Seed& seed) const {
  if (seed.model.empty()) {
    return *m_DefaultModel;
  }
  const auto found = m_Models.find(seed.model);
  if (found == m_Models.end()) {
    throw InvalidInput("seed model '" + seed.model + "' is not loaded; expected one of the " +
                       "models given to the dose calculation");
  }
  return *found->second;
}

std::shared_ptr<const SourceModel> DoseCalculator::ModelPointerFor(const SourceModel& model) const {
  for (const auto& [id, pointer] : m_Models) {
    if (pointer.get() == &model) {
      return pointer;
    }
  }
  if (m_DefaultModel.get() == &model) {
    return m_DefaultModel;
  }
  return nullptr;
}

Formalism DoseCalculator::FormalismFor(const Seed& seed) const {
  switch (m_Options.formalism) {
  case Formalism::Auto:
    return seed.direction ? Formalism::Line2D : Formalism::Line1D;
  case Formalism::Line2D:
    if (!seed.direction) {
      throw InvalidInput("formalism 2d needs every seed's direction; a seed has none (use auto "
                         "or 1d-line for seeds of unknown orientation)");
    }
    return Formalism::Line2D;
  default:
    return m_Options.formalism;
  }
}

void DoseCalculator::ValidateSeeds(const std::vector<Seed>& seeds) const {
  for (std::size_t s = 0; s < seeds.size(); ++s) {
    const Seed& seed = seeds[s];
    if (!seed.positionMm.allFinite()) {
      throw InvalidInput(SeedLabel(s) + ": position is not finite; expected x, y, z in mm");
    }
    if (!(seed.positionMm.cwiseAbs().maxCoeff() <= kMaximumPositionMm)) {
      throw InvalidInput(SeedLabel(s) + ": position (" + FormatNumber(seed.positionMm.x()) + ", " +
                         FormatNumber(seed.positionMm.y()) + ", " +
                         FormatNumber(seed.positionMm.z()) +
                         ") mm; expected coordinates within +-10000 mm (10 m)");
    }
    if (!(seed.strengthU > 0.0 && seed.strengthU <= kMaximumStrengthU)) {
      throw InvalidInput(SeedLabel(s) + ": strength is " + FormatNumber(seed.strengthU) +
                         " U; expected an air-kerma strength > 0 and <= 100 U");
    }
    if (seed.direction &&
        (!seed.direction->allFinite() || std::abs(seed.direction->norm() - 1.0) > 1e-6)) {
      throw InvalidInput(SeedLabel(s) + ": direction is not a unit vector");
    }
    try {
      ModelFor(seed);
      FormalismFor(seed);
    } catch (const InvalidInput& error) {
      throw InvalidInput(SeedLabel(s) + ": " + error.what());
    }
  }
}

void DoseCalculator::ValidateGrid(const GridGeometry& geometry, const std::string& context) {
  geometry.Validate(context);
  for (int axis = 0; axis < 3; ++axis) {
    if (!(geometry.SpacingMm()[axis] >= kMinimumSpacingMm)) {
      throw InvalidInput(context + ": spacing " + FormatNumber(geometry.SpacingMm()[axis]) +
                         " mm; expected at least " + FormatNumber(kMinimumSpacingMm) + " mm");
    }
  }
  // The product in double: three sizes of up to 2^62 overflow 64-bit integers.
  const double voxels =
      double(geometry.Size()[0]) * double(geometry.Size()[1]) * double(geometry.Size()[2]);
  if (!(voxels <= double(kMaximumGridVoxels))) {
    throw InvalidInput(context + ": " + std::to_string(geometry.Size()[0]) + " x " +
                       std::to_string(geometry.Size()[1]) + " x " +
                       std::to_string(geometry.Size()[2]) + " = " + FormatNumber(voxels, 4) +
                       " voxels would need " + FormatNumber(voxels * 4.0 / 1e9, 4) +
                       " GB of float32; expected at most " + std::to_string(kMaximumGridVoxels) +
                       " voxels (1.07 GB)");
  }
}

const DoseRateKernel& DoseCalculator::Kernel(const SourceModel& model, Formalism formalism) const {
  std::lock_guard<std::mutex> lock(m_KernelMutex);
  const auto key = std::make_pair(&model, formalism);
  auto found = m_Kernels.find(key);
  if (found == m_Kernels.end()) {
    const auto pointer = ModelPointerFor(model);
    auto kernel =
        pointer ? DoseRateKernel::Shared(pointer, formalism, m_Options.cutoffCm)
                : std::make_shared<const DoseRateKernel>(model, formalism, m_Options.cutoffCm);
    found = m_Kernels.emplace(key, std::move(kernel)).first;
  }
  return *found->second;
}

Volume<float> DoseCalculator::DoseRateGridCGyPerH(const GridGeometry& geometry,
                                                  const std::vector<Seed>& seeds) const {
  ValidateGrid(geometry, "dose grid");
  ValidateSeeds(seeds);
  Volume<float> dose = detail::ZeroedDoseGrid(geometry);
  AddDoseRate(dose, seeds, 1.0);
  dose.MetaData()["seedplan_quantity"] = "dose rate";
  dose.MetaData()["seedplan_unit"] = "cGy/h";
  dose.MetaData()["seedplan_formalism"] = FormalismName(m_Options.formalism);
  return dose;
}

void DoseCalculator::AddDoseRate(Volume<float>& grid, const std::vector<Seed>& seeds,
                                 double factor) const {
  ValidateGrid(grid.Geometry(), "dose grid");
  if (grid.NumberOfVoxels() != grid.Geometry().NumberOfVoxels()) {
    throw InvalidInput("dose grid holds " + std::to_string(grid.NumberOfVoxels()) +
                       " values; expected " + std::to_string(grid.Geometry().NumberOfVoxels()));
  }
  if (!std::isfinite(factor)) {
    throw InvalidInput("dose factor is " + FormatNumber(factor) + "; expected a finite number");
  }
  ValidateSeeds(seeds);
  const detail::KernelFunctions functions = FunctionsFor(m_Options.simd);
  std::vector<PreparedSeed> prepared;
  prepared.reserve(seeds.size());
  for (const Seed& seed : seeds) {
    PreparedSeed p;
    p.kernel = &Kernel(ModelFor(seed), FormalismFor(seed));
    p.view = ViewOf(*p.kernel);
    p.centreCm = seed.positionMm / units::kMmPerCm;
    p.axis = seed.direction ? *seed.direction : Eigen::Vector3d::UnitZ();
    p.scale = seed.strengthU * factor;
    prepared.push_back(p);
  }
  const Lattice lattice(grid.Geometry());
  GridAccumulation accumulation(lattice, std::move(prepared), m_Options.cutoffCm, functions,
                                m_Options.useStamps);
  {
    std::lock_guard<std::mutex> lock(m_StatisticsMutex);
    m_LastStatistics = {accumulation.StampedSeeds(), accumulation.StampCount()};
  }
  accumulation.Run(grid.Data().data());
}

DoseCalculator::StampStatistics DoseCalculator::LastStampStatistics() const {
  std::lock_guard<std::mutex> lock(m_StatisticsMutex);
  return m_LastStatistics;
}

void DoseCalculator::AddDoseRateAt(const DosePoints& points, const std::vector<Seed>& seeds,
                                   double factor, std::vector<float>& values) const {
  if (values.size() != points.Size()) {
    throw InvalidInput("dose at points: " + std::to_string(values.size()) + " values for " +
                       std::to_string(points.Size()) + " points; expected one value per point");
  }
  if (!std::isfinite(factor)) {
    throw InvalidInput("dose factor is " + FormatNumber(factor) + "; expected a finite number");
  }
  ValidateSeeds(seeds);
  const detail::KernelFunctions functions = FunctionsFor(m_Options.simd);
  struct PointSeed {
    float centre[3];
    float axis[3];
    float scale;
    detail::KernelView view;
  };
  std::vector<PointSeed> prepared;
  prepared.reserve(seeds.size());
  for (const Seed& seed : seeds) {
    const DoseRateKernel& kernel = Kernel(ModelFor(seed), FormalismFor(seed));
    const Eigen::Vector3d centreCm = (seed.positionMm - points.OriginMm()) / units::kMmPerCm;
    const Eigen::Vector3d axis = seed.direction ? *seed.direction : Eigen::Vector3d::UnitZ();
    PointSeed p;
    for (int a = 0; a < 3; ++a) {
      p.centre[a] = static_cast<float>(centreCm[a]);
      p.axis[a] = static_cast<float>(axis[a]);
    }
    p.scale = static_cast<float>(seed.strengthU * factor);
    p.view = ViewOf(kernel);
    prepared.push_back(p);
  }
  // Blocks of consecutive points (neighbours in a scan): a seed farther than the cutoff from a
  // block's box is skipped for the whole block.
  constexpr std::int64_t kBlock = 1024;
  const auto count = static_cast<std::int64_t>(points.Size());
  const std::int64_t blocks = (count + kBlock - 1) / kBlock;
  const float* xs = points.XCm().data();
  const float* ys = points.YCm().data();
  const float* zs = points.ZCm().data();
  const double cutoff = m_Options.cutoffCm;
  std::exception_ptr failure;
#pragma omp parallel for schedule(dynamic, 4)
  for (std::int64_t block = 0; block < blocks; ++block) {
    try {
      const std::int64_t begin = block * kBlock;
      const std::int64_t size = std::min(kBlock, count - begin);
      float low[3] = {xs[begin], ys[begin], zs[begin]};
      float high[3] = {low[0], low[1], low[2]};
      for (std::int64_t n = begin; n < begin + size; ++n) {
        const float p[3] = {xs[n], ys[n], zs[n]};
        for (int a = 0; a < 3; ++a) {
          low[a] = std::min(low[a], p[a]);
          high[a] = std::max(high[a], p[a]);
        }
      }
      detail::PointTask task;
      task.x = xs + begin;
      task.y = ys + begin;
      task.z = zs + begin;
      task.count = size;
      for (const PointSeed& seed : prepared) {
        double distance2 = 0.0;
        for (int a = 0; a < 3; ++a) {
          const double outside =
              std::max({0.0, double(low[a]) - seed.centre[a], seed.centre[a] - double(high[a])});
          distance2 += outside * outside;
        }
        if (distance2 > cutoff * cutoff * (1.0 + 1e-6)) {
          continue;
        }
        for (int a = 0; a < 3; ++a) {
          task.seed[a] = seed.centre[a];
          task.axis[a] = seed.axis[a];
        }
        task.scale = seed.scale;
        functions.points(seed.view, task, values.data() + begin);
      }
    } catch (...) {
#pragma omp critical(seedplan_dose_failure)
      if (!failure) {
        failure = std::current_exception();
      }
    }
  }
  if (failure) {
    std::rethrow_exception(failure);
  }
}

namespace {

/// Distance (cm) and angle from the axis (rad) of a point relative to a seed.
std::pair<double, double> SeedFrame(const Eigen::Vector3d& pointMm, const Seed& seed) {
  const Eigen::Vector3d v = (pointMm - seed.positionMm) / units::kMmPerCm;
  const double r = v.norm();
  if (!seed.direction || r == 0.0) {
    return {r, std::numbers::pi / 2};
  }
  const double along = v.dot(*seed.direction);
  const double away = (v - along * *seed.direction).norm();
  return {r, std::atan2(away, along)};
}

} // namespace

double DoseCalculator::DoseRateAtPointDirectCGyPerH(const Eigen::Vector3d& pointMm,
                                                    const std::vector<Seed>& seeds) const {
  double total = 0.0;
  for (const Seed& seed : seeds) {
    const auto [r, theta] = SeedFrame(pointMm, seed);
    if (r > m_Options.cutoffCm) {
      continue;
    }
    total += seed.strengthU * ModelFor(seed).DoseRatePerU(r, theta, FormalismFor(seed));
  }
  return total;
}

double DoseCalculator::DoseRateAtPointCGyPerH(const Eigen::Vector3d& pointMm,
                                              const std::vector<Seed>& seeds) const {
  double total = 0.0;
  for (const Seed& seed : seeds) {
    const auto [r, theta] = SeedFrame(pointMm, seed);
    total += seed.strengthU * Kernel(ModelFor(seed), FormalismFor(seed)).DoseRatePerU(r, theta);
  }
  return total;
}

} // namespace seedplan::dosimetry
