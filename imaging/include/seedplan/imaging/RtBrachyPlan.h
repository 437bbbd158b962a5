#pragma once

#include <Eigen/Core>
#include <optional>
#include <string>
#include <vector>

namespace seedplan::imaging {

/// One item of the Source Sequence (300A,0210) of a brachy RT Plan: a seed type at one strength.
/// Reference Air Kerma Rate (300A,022A) is in µGy h⁻¹ at 1 m, which is numerically the air-kerma
/// strength S_K in U (1 U = 1 µGy m² h⁻¹), at the Source Strength Reference Date and Time.
struct RtSource {
  int number = 0;                      ///< Source Number (300A,0212)
  std::string modelId;                 ///< Source Model ID (300A,021B); may be empty when read
  std::string manufacturer;            ///< Source Manufacturer (300A,0216)
  std::string sourceType = "LINE";     ///< Source Type (300A,0214): POINT, LINE, CYLINDER, SPHERE
  std::string isotopeName = "I-125";   ///< Source Isotope Name (300A,0226)
  double halfLifeDays = 0.0;           ///< Source Isotope Half Life (300A,0228)
  double activeLengthMm = 0.0;         ///< Active Source Length (300A,021A); 0 = not given
  double referenceAirKermaRateU = 0.0; ///< (300A,022A), µGy/h at 1 m = U
  std::string strengthUnits;           ///< Source Strength Units (300A,0229), as read; may be empty
  std::optional<double> sourceStrength; ///< Source Strength (300A,022B), as read
  std::string referenceDate;            ///< Source Strength Reference Date (300A,022C), YYYYMMDD
  std::string referenceTime;            ///< Source Strength Reference Time (300A,022E), HHMMSS[.F]
};

/// One seed: a channel's dwell (two control points at one position, cumulative weight rising).
struct RtSeed {
  Eigen::Vector3d positionMm = Eigen::Vector3d::Zero(); ///< Control Point 3D Position (LPS, mm)
  std::optional<Eigen::Vector3d> direction;             ///< Control Point Orientation, unit
  int sourceNumber = 0;  ///< Referenced Source Number (300C,000E) of its channel
  int channelNumber = 0; ///< Channel Number (300A,0282), as read (0 when writing: numbered 1..n)
};

/// One item of the Application Setup Sequence (300A,0230): seedplan writes one per target lesion.
struct RtApplicationSetup {
  int number = 0;   ///< Application Setup Number (300A,0234)
  std::string name; ///< Application Setup Name (300A,0236): the target's name
  std::vector<RtSeed> seeds;
};

/// One item of the Dose Reference Sequence (300A,0010): a target's prescription.
struct RtDoseReference {
  int number = 0;
  std::string structureName;   ///< in Dose Reference Description
  int roiNumber = 0;           ///< Referenced ROI Number (3006,0084) in the structure set
  double prescriptionGy = 0.0; ///< Target Prescription Dose (300A,0026)
  /// Target Underdose Volume Fraction (300A,0028), %: a D90 prescription lets at most 10 % of
  /// the target receive less than the prescription.
  double underdoseVolumePct = 10.0;
};

/// A brachytherapy RT Plan (PS3.3 A.20, RT Brachy Application Setups module C.8.8.15) as seedplan
/// writes it (permanent LDR seeds) and as RtPlanReader reads any system's seed plan.
struct RtBrachyPlan {
  std::string label;       ///< RT Plan Label (300A,0002), at most 16 characters
  std::string name;        ///< RT Plan Name (300A,0003)
  std::string description; ///< RT Plan Description (300A,0004)
  std::string treatmentTechnique = "PERMANENT"; ///< Brachy Treatment Technique (300A,0200)
  std::string treatmentType = "LDR";            ///< Brachy Treatment Type (300A,0202)
  std::string approvalStatus = "UNAPPROVED";    ///< Approval Status (300E,0002)
  std::vector<RtSource> sources;
  std::vector<RtApplicationSetup> setups;
  std::vector<RtDoseReference> doseReferences;
  std::string referencedStructureSetUid; ///< Referenced Structure Set Sequence (300C,0060)
  // Identity, as read (the writer takes it from RtInstanceHeader).
  std::string sopInstanceUid;
  std::string frameOfReferenceUid;
  std::string studyInstanceUid;
  std::string patientId;
  std::string manufacturer;

  /// Every seed of every setup, in order.
  std::vector<RtSeed> AllSeeds() const {
    std::vector<RtSeed> seeds;
    for (const auto& setup : setups) {
      seeds.insert(seeds.end(), setup.seeds.begin(), setup.seeds.end());
    }
    return seeds;
  }
  /// The source with `number`, or nullptr.
  const RtSource* FindSource(int number) const {
    for (const auto& source : sources) {
      if (source.number == number) {
        return &source;
      }
    }
    return nullptr;
  }
};

} // namespace seedplan::imaging
