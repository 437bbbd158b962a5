#include "seedplan/dosimetry/DoseMetrics.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/TextParsing.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <limits>
#include <sstream>
#include <vector>

namespace seedplan::dosimetry {

namespace {

constexpr double kMm3PerCc = 1000.0;
constexpr int kSignificantDigits = 6;

void ValidatePrescription(double rxGy) {
  if (!std::isfinite(rxGy) || rxGy <= 0.0) {
    throw InvalidInput("prescription is " + FormatNumber(rxGy) + " Gy; expected > 0 Gy");
  }
}

std::string JsonNumber(const std::optional<double>& value) {
  return value ? FormatNumber(*value, kSignificantDigits) : "null";
}

} // namespace

DoseMetrics DoseMetrics::Compute(const Dvh& dvh, double rxGy,
                                 std::optional<double> prescriptionIsodoseVolumeCc) {
  ValidatePrescription(rxGy);
  if (prescriptionIsodoseVolumeCc &&
      (!std::isfinite(*prescriptionIsodoseVolumeCc) || *prescriptionIsodoseVolumeCc < 0.0)) {
    throw InvalidInput("prescription isodose volume is " +
                       FormatNumber(*prescriptionIsodoseVolumeCc) + " cc; expected >= 0 cc");
  }
  DoseMetrics metrics;
  metrics.prescriptionGy = rxGy;
  metrics.volumeCc = dvh.VolumeCc();
  metrics.D90Gy = dvh.DoseAtVolumeFraction(0.90);
  metrics.D98Gy = dvh.DoseAtVolumeFraction(0.98);
  metrics.D100Gy = dvh.DoseAtVolumeFraction(1.0);
  metrics.DmeanGy = dvh.MeanDoseGy();
  metrics.DminGy = dvh.MinDoseGy();
  metrics.DmaxGy = dvh.MaxDoseGy();
  metrics.V100Pct = 100.0 * dvh.VolumeFractionAtLeast(rxGy);
  metrics.V150Pct = 100.0 * dvh.VolumeFractionAtLeast(1.5 * rxGy);
  metrics.V200Pct = 100.0 * dvh.VolumeFractionAtLeast(2.0 * rxGy);
  metrics.D2ccGy = dvh.DoseAtVolumeCc(2.0);
  metrics.D1ccGy = dvh.DoseAtVolumeCc(1.0);
  metrics.D0_1ccGy = dvh.DoseAtVolumeCc(0.1);

  const double targetCc = dvh.VolumeCc();
  const double target100Cc = dvh.VolumeCcAtLeast(rxGy);
  const double target150Cc = dvh.VolumeCcAtLeast(1.5 * rxGy);
  if (prescriptionIsodoseVolumeCc && *prescriptionIsodoseVolumeCc > 0.0) {
    const double referenceCc = *prescriptionIsodoseVolumeCc;
    metrics.CI = (target100Cc / targetCc) * (target100Cc / referenceCc);
    metrics.EI = (referenceCc - target100Cc) / targetCc;
  }
  if (target100Cc > 0.0) {
    metrics.HI = (target100Cc - target150Cc) / target100Cc;
  }
  return metrics;
}

std::string DoseMetrics::ToJson() const {
  const std::vector<std::pair<const char*, std::optional<double>>> fields = {
      {"volume_cc", volumeCc},
      {"D90_Gy", D90Gy},
      {"D98_Gy", D98Gy},
      {"D100_Gy", D100Gy},
      {"Dmean_Gy", DmeanGy},
      {"Dmin_Gy", DminGy},
      {"Dmax_Gy", DmaxGy},
      {"V100_pct", V100Pct},
      {"V150_pct", V150Pct},
      {"V200_pct", V200Pct},
      {"D2cc_Gy", D2ccGy},
      {"D1cc_Gy", D1ccGy},
      {"D0_1cc_Gy", D0_1ccGy},
      {"CI", CI},
      {"EI", EI},
      {"HI", HI}};
  std::string json = "{";
  for (std::size_t n = 0; n < fields.size(); ++n) {
    json +=
        (n ? ", \"" : "\"") + std::string(fields[n].first) + "\": " + JsonNumber(fields[n].second);
  }
  return json + "}";
}

std::string DoseMetrics::ToTable(const std::string& title) const {
  struct Row {
    std::string name;
    std::optional<double> value;
    std::string unit;
  };
  const std::string rx = FormatNumber(prescriptionGy, kSignificantDigits) + " Gy";
  const std::vector<Row> rows = {
      {"Volume", volumeCc, "cc"},
      {"D90", D90Gy, "Gy"},
      {"D98", D98Gy, "Gy"},
      {"D100", D100Gy, "Gy"},
      {"Dmean", DmeanGy, "Gy"},
      {"Dmin", DminGy, "Gy"},
      {"Dmax", DmaxGy, "Gy"},
      {"V100", V100Pct, "% of volume >= 100 % of Rx"},
      {"V150", V150Pct, "% of volume >= 150 % of Rx"},
      {"V200", V200Pct, "% of volume >= 200 % of Rx"},
      {"D2cc", D2ccGy, "Gy"},
      {"D1cc", D1ccGy, "Gy"},
      {"D0.1cc", D0_1ccGy, "Gy"},
      {"CI", CI, "(conformity index)"},
      {"EI", EI, "(external volume index)"},
      {"HI", HI, "(homogeneity index)"},
  };
  std::ostringstream out;
  out << title << " -- dose: TG-43, water; total dose (Gy); Rx " << rx << "\n";
  constexpr int kNameWidth = 8;
  constexpr int kValueWidth = 12;
  for (const Row& row : rows) {
    std::string name = row.name;
    name.resize(kNameWidth, ' ');
    std::string value = row.value ? FormatNumber(*row.value, kSignificantDigits) : "n/a";
    if (value.size() < kValueWidth) {
      value.insert(0, kValueWidth - value.size(), ' ');
    }
    out << "  " << name << value << "  " << row.unit << "\n";
  }
  return out.str();
}

double PrescriptionIsodoseVolumeCc(const Volume<float>& doseGy, double rxGy) {
  ValidatePrescription(rxGy);
  std::int64_t count = 0;
  for (const float dose : doseGy.Data()) {
    if (dose >= rxGy) {
      ++count;
    }
  }
  return static_cast<double>(count) * doseGy.Geometry().VoxelVolumeMm3() / kMm3PerCc;
}

double PrescriptionIsodoseVolumeCc(const Volume<float>& doseGy, double rxGy, const Mask& structure,
                                   double reachMm) {
  ValidatePrescription(rxGy);
  if (!(reachMm >= 0.0) || !std::isfinite(reachMm)) {
    throw InvalidInput("isodose reach is " + FormatNumber(reachMm) +
                       " mm; expected a distance >= 0 mm");
  }
  // The patient-axis box of the inside voxel centres: per row, its first and last inside voxel.
  const GridGeometry& maskGrid = structure.Geometry();
  const auto& size = maskGrid.Size();
  Eigen::Vector3d low = Eigen::Vector3d::Constant(std::numeric_limits<double>::infinity());
  Eigen::Vector3d high = -low;
  for (std::int64_t k = 0; k < size[2]; ++k) {
    for (std::int64_t j = 0; j < size[1]; ++j) {
      const std::uint8_t* row = structure.Data().data() + maskGrid.LinearIndex(0, j, k);
      std::int64_t first = -1, last = -1;
      for (std::int64_t i = 0; i < size[0]; ++i) {
        if (row[i] != 0) {
          first = first < 0 ? i : first;
          last = i;
        }
      }
      if (first < 0) {
        continue;
      }
      for (std::int64_t i : {first, last}) {
        const Eigen::Vector3d p = maskGrid.IndexToPoint(double(i), double(j), double(k));
        low = low.cwiseMin(p);
        high = high.cwiseMax(p);
      }
    }
  }
  if (!low.allFinite()) {
    throw InvalidInput("isodose volume near a structure: its mask is empty; expected a structure "
                       "with volume");
  }
  low.array() -= reachMm;
  high.array() += reachMm;
  // The dose voxels whose centres can lie in the box: the index box of its corners.
  const GridGeometry& grid = doseGy.Geometry();
  std::array<std::int64_t, 3> first{}, last{};
  {
    Eigen::Vector3d indexLow = Eigen::Vector3d::Constant(std::numeric_limits<double>::infinity());
    Eigen::Vector3d indexHigh = -indexLow;
    for (int corner = 0; corner < 8; ++corner) {
      const Eigen::Vector3d p((corner & 1) ? high.x() : low.x(), (corner & 2) ? high.y() : low.y(),
                              (corner & 4) ? high.z() : low.z());
      const Eigen::Vector3d index = grid.PointToContinuousIndex(p);
      indexLow = indexLow.cwiseMin(index);
      indexHigh = indexHigh.cwiseMax(index);
    }
    for (int a = 0; a < 3; ++a) {
      const auto n = static_cast<double>(grid.Size()[static_cast<std::size_t>(a)]);
      first[static_cast<std::size_t>(a)] =
          static_cast<std::int64_t>(std::clamp(std::ceil(indexLow[a] - 1e-9), 0.0, n));
      last[static_cast<std::size_t>(a)] =
          static_cast<std::int64_t>(std::clamp(std::floor(indexHigh[a] + 1e-9), -1.0, n - 1.0));
    }
  }
  std::int64_t count = 0;
  for (std::int64_t k = first[2]; k <= last[2]; ++k) {
    for (std::int64_t j = first[1]; j <= last[1]; ++j) {
      for (std::int64_t i = first[0]; i <= last[0]; ++i) {
        if (!(doseGy.At(i, j, k) >= rxGy)) {
          continue;
        }
        const Eigen::Vector3d p = grid.IndexToPoint(double(i), double(j), double(k));
        if ((p.array() >= low.array()).all() && (p.array() <= high.array()).all()) {
          ++count;
        }
      }
    }
  }
  return static_cast<double>(count) * grid.VoxelVolumeMm3() / kMm3PerCc;
}

} // namespace seedplan::dosimetry
