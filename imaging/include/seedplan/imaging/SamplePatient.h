#pragma once

#include "seedplan/imaging/ThoraxPhantom.h"

#include <filesystem>
#include <vector>

namespace seedplan::imaging {

/// The files of the sample patient, as `seedplan phantom --out DIR` writes them.
struct SamplePatientFiles {
  std::filesystem::path folder;
  std::filesystem::path Ct() const { return folder / "ct"; }
  std::filesystem::path RtStruct() const { return folder / "rtstruct.dcm"; }
  std::filesystem::path PostCt() const { return folder / "post_ct"; }
  std::filesystem::path SampleSeeds() const { return folder / "sample_seeds.csv"; }
  std::filesystem::path ImplantedSeeds() const {
    return folder / "implanted_seeds_planning_ct.csv";
  }
  std::filesystem::path PostCtTrueSeeds() const { return folder / "post_ct_true_seeds.csv"; }
  std::filesystem::path PlanningToPost() const { return folder / "post_ct_transform.csv"; }
  std::filesystem::path Prescriptions() const { return folder / "prescriptions.csv"; }
  std::filesystem::path OrganLimits() const { return folder / "organ_limits.csv"; }
  std::filesystem::path Readme() const { return folder / "README.txt"; }
  /// "seedplan sample patient generator N": which generator wrote the folder (none before 2).
  std::filesystem::path GeneratorStamp() const { return folder / "generator_version.txt"; }
  /// True when every file above exists.
  bool Complete() const;
  /// The generator version in GeneratorStamp(); 0 when the stamp is missing or unreadable (a
  /// sample patient of generator 1 had none).
  int GeneratorVersion() const;
  /// Complete and written by the current generator (SamplePatient::kGeneratorVersion).
  bool IsCurrent() const;
};

/// Writes the sample patient of issue 3 with the project's own deterministic generator: the
/// planning CT (ThoraxPhantom) as a DICOM CT series, its structures as a DICOM RT Structure Set
/// (contours traced from the phantom's masks, with RT ROI Interpreted Types), the post-implant CT
/// of the same patient (PostImplantPhantom: a known rigid shift and rotation, seeds drawn with
/// metal artefacts) as a second DICOM series with its own frame of reference, the seeds (the fixed
/// sample arrangement, the implanted ones in both frames) as seeds CSV, and the case's
/// prescriptions and organ limits (illustrative values) as CSV. The folder is built under a
/// temporary name and renamed when complete, so a crash leaves no half sample patient.
///
/// Generator versions (GeneratorStamp): 1, issue 3, no stamp; 2, issue 10: the CT slices carry
/// Body Part Examined and the structure set Operators' Name and the CT's patient and study
/// attributes, so that dciodvfy finds no error in them.
class SamplePatient {
public:
  static constexpr int kGeneratorVersion = 2;

  /// Throws Io if `folder` exists and is not empty.
  static SamplePatientFiles Write(const std::filesystem::path& folder);

  /// The sample patient in `folder`, written there if the folder is missing or empty, and
  /// rewritten if it holds a sample patient that is incomplete or from an older generator (it is
  /// recognised by its README.txt; the new one is built beside it and swapped in, so a failure
  /// leaves the old one). Throws Io if the folder holds something else.
  static SamplePatientFiles EnsureCurrent(const std::filesystem::path& folder);

  /// prescriptions.csv: structure,site,rx_Gy
  static std::vector<PhantomLesion> ReadPrescriptions(const std::filesystem::path& file);
  /// organ_limits.csv: structure,metric,limit_Gy
  static std::vector<OrganLimit> ReadOrganLimits(const std::filesystem::path& file);
};

} // namespace seedplan::imaging
