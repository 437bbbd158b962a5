#pragma once

#include <string>
#include <vector>

namespace seedplan::dosimetry {

/// A table of a function of radius: r in cm, ascending.
struct RadialTable {
  std::vector<double> rCm;
  std::vector<double> values;
  bool Empty() const { return rCm.empty(); }
};

/// The 2D anisotropy function F(r, θ) on a rectangular grid: values[ir * angles + iθ].
struct AnisotropyTable {
  std::vector<double> rCm;
  std::vector<double> thetaDeg;
  std::vector<double> values;
  bool Empty() const { return rCm.empty(); }
};

/// A note carried from the reference data: open points, decisions, single-source warnings.
struct SourceNote {
  std::string kind;
  std::string text;
};

/// A literature reference or a transcription of the tables.
struct SourceCitation {
  std::string key;
  std::string text;
  std::string doi;      ///< references only, may be empty
  std::string location; ///< transcriptions only
  std::string commit;   ///< transcriptions only, may be empty
};

/// What a source file holds, exactly as published (TG-43U1 quantities in its own units: cm,
/// cGy h^-1 U^-1). Nothing here is derived; SourceModel derives what is missing.
struct SourceModelData {
  std::string id;
  std::string name;
  std::string isotope;
  std::string dataStatus; ///< "consensus" or "single-source"
  double halfLifeDays = 0.0;
  double strengthPerActivityUPerMCi = 0.0;
  double doseRateConstantCGyPerHPerU = 0.0; ///< Λ
  double activeLengthCm = 0.0;              ///< L of the line-source geometry function
  std::string doseRateConstantStatus;
  std::string activeLengthStatus;
  RadialTable radialDoseLine;   ///< g_L(r), required
  RadialTable radialDosePoint;  ///< g_P(r), optional (published for 6711 and 2301)
  AnisotropyTable anisotropy;   ///< F(r, θ), required
  RadialTable anisotropyFactor; ///< φ_an(r), optional
  std::string dataset;
  std::vector<SourceCitation> references;
  std::vector<SourceCitation> transcriptions;
  std::vector<SourceNote> notes;
  std::string fileName; ///< where it was read from, for messages
};

} // namespace seedplan::dosimetry
