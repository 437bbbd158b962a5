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
  /// True when every file above exists.
  bool Complete() const;
};

/// Writes the sample patient of issue 3 with the project's own deterministic generator: the
/// planning CT (ThoraxPhantom) as a DICOM CT series, its structures as a DICOM RT Structure Set
/// (contours traced from the phantom's masks, with RT ROI Interpreted Types), the post-implant CT
/// of the same patient (PostImplantPhantom: a known rigid shift and rotation, seeds drawn with
/// metal artefacts) as a second DICOM series with its own frame of reference, the seeds (the fixed
/// sample arrangement, the implanted ones in both frames) as seeds CSV, and the case's
/// prescriptions and organ limits (illustrative values) as CSV. The folder is built under a
/// temporary name and renamed when complete, so a crash leaves no half sample patient.
class SamplePatient {
public:
  /// Throws Io if `folder` exists and is not empty.
  static SamplePatientFiles Write(const std::filesystem::path& folder);

  /// prescriptions.csv: structure,site,rx_Gy
  static std::vector<PhantomLesion> ReadPrescriptions(const std::filesystem::path& file);
  /// organ_limits.csv: structure,metric,limit_Gy
  static std::vector<OrganLimit> ReadOrganLimits(const std::filesystem::path& file);
};

} // namespace seedplan::imaging
