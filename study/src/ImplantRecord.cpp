#include "seedplan/study/ImplantRecord.h"

#include "SpecBuilders.h"

namespace seedplan::study {

namespace {

// Bounds that only catch a corrupted or mistyped value: a dose next to a seed reaches thousands
// of Gy, so doses are bounded at 10^6 Gy; CI and EI come from two volumes computed at different
// resolutions (the DVH's sub-voxel sampling and the dose grid's voxels), so CI can exceed 1 and EI
// be slightly negative for a tiny lesion.
constexpr double kMaxDoseGy = 1e6;

} // namespace

const RecordFields<ImplantRecord>& ImplantRecord::Fields() {
  using R = ImplantRecord;
  using spec::Identifying;
  using spec::Real;
  static const RecordFields<R> fields({
      {spec::Id("patient_id", "Pseudonymous study patient id"), &R::patientId},
      {spec::Id("lesion_id", "Lesion implanted"), &R::lesionId},
      {spec::Text("target_structure", "Target structure of the lesion in the plan", true),
       &R::targetStructure},
      {spec::Date("implant_date", "Date of the implant", true), &R::implantDate},
      {Identifying(spec::Text("plan_file", "Plan file logged")), &R::planFile},
      {spec::Text("plan_sha256", "SHA-256 of the plan file logged"), &R::planSha256},
      {Identifying(spec::Text("ct_study_uid", "Planning CT Study Instance UID")), &R::ctStudyUid},
      {Identifying(spec::Text("ct_series_uid", "Planning CT Series Instance UID")),
       &R::ctSeriesUid},
      {Identifying(spec::Text("ct_frame_of_reference_uid", "Planning CT Frame of Reference UID")),
       &R::ctFrameOfReferenceUid},
      {spec::Text("program_version", "seedplan version that made the plan"), &R::programVersion},
      {spec::Text("seed_model", "Seed model (TG-43 data set)"), &R::seedModel},
      {Real("seed_strength_u", "Air-kerma strength per seed at implant", "U", 0.001, 100),
       &R::seedStrengthU},
      {Real("seed_activity_mci", "Apparent activity per seed at implant", "mCi", 0.001, 100),
       &R::seedActivityMCi},
      {Real("assay_strength_u", "Air-kerma strength per seed at the assay date", "U", 0.001, 100),
       &R::assayStrengthU},
      {Real("assay_activity_mci", "Apparent activity per seed at the assay date", "mCi", 0.001,
            100),
       &R::assayActivityMCi},
      {spec::Date("assay_date", "Assay (reference) date of the seed strength"), &R::assayDate},
      {Real("strength_per_activity_u_per_mci", "Model's U per mCi", "U/mCi", 0.1, 10),
       &R::strengthPerActivityUPerMCi},
      {spec::Text("seed_lot", "Seed lot or certificate"), &R::seedLot},
      {spec::Integer("n_seeds", "Seeds planned in the lesion", "", 0, 10000), &R::nSeeds},
      {spec::Integer("n_needles", "Needles planned for the lesion", "", 0, 10000), &R::nNeedles},
      {Real("total_activity_mci", "Total apparent activity of the lesion's seeds at implant", "mCi",
            0, 1e5),
       &R::totalActivityMCi},
      {Real("seed_spacing_mm", "Seed spacing along needles", "mm", 0, 100), &R::seedSpacingMm},
      {spec::Integer("seeds_ordered", "Seeds ordered for the procedure", "", 0, 10000),
       &R::seedsOrdered},
      {Real("prescribed_dose_gy", "Prescribed dose (D90 goal), total dose", "Gy", 0.001, 10000),
       &R::prescribedDoseGy},
      {Real("margin_mm", "Planning margin around the lesion", "mm", 0, 100), &R::marginMm},
      {Real("volume_cc", "Lesion volume (planning)", "cc", 0, 1e5), &R::volumeCc},
      {Real("d90_gy", "Planned D90", "Gy", 0, kMaxDoseGy), &R::d90Gy},
      {Real("d98_gy", "Planned D98", "Gy", 0, kMaxDoseGy), &R::d98Gy},
      {Real("d100_gy", "Planned D100", "Gy", 0, kMaxDoseGy), &R::d100Gy},
      {Real("dmean_gy", "Planned mean dose", "Gy", 0, kMaxDoseGy), &R::dmeanGy},
      {Real("dmin_gy", "Planned minimum dose", "Gy", 0, kMaxDoseGy), &R::dminGy},
      {Real("dmax_gy", "Planned maximum dose", "Gy", 0, kMaxDoseGy), &R::dmaxGy},
      {Real("v100_pct", "Planned V100 (% of the lesion)", "%", 0, 100), &R::v100Pct},
      {Real("v150_pct", "Planned V150 (% of the lesion)", "%", 0, 100), &R::v150Pct},
      {Real("v200_pct", "Planned V200 (% of the lesion)", "%", 0, 100), &R::v200Pct},
      {Real("ci", "Planned conformity index", "", 0, 100), &R::ci},
      {Real("ei", "Planned external volume index", "", -100, 1e5), &R::ei},
      {Real("hi", "Planned homogeneity index", "", 0, 1), &R::hi},
      {Identifying(spec::Text("post_plan_file", "Post-implant plan file logged")),
       &R::postPlanFile},
      {spec::Text("post_plan_sha256", "SHA-256 of the post-implant plan file"), &R::postPlanSha256},
      {Identifying(spec::Text("post_ct_series_uid", "Post-implant CT Series Instance UID")),
       &R::postCtSeriesUid},
      {spec::Date("post_ct_date", "Date of the post-implant CT"), &R::postCtDate},
      {spec::Integer("seeds_implanted", "Seeds implanted in the procedure", "", 0, 10000),
       &R::seedsImplanted},
      {spec::Integer("post_seeds_found", "Seeds found on the post-implant CT (procedure)", "", 0,
                     10000),
       &R::postSeedsFound},
      {spec::Integer("post_n_seeds", "Seeds found matched to this lesion's planned seeds", "", 0,
                     10000),
       &R::postNSeeds},
      {Real("post_volume_cc", "Lesion volume (post-implant)", "cc", 0, 1e5), &R::postVolumeCc},
      {Real("post_d90_gy", "Post-implant D90", "Gy", 0, kMaxDoseGy), &R::postD90Gy},
      {Real("post_d98_gy", "Post-implant D98", "Gy", 0, kMaxDoseGy), &R::postD98Gy},
      {Real("post_d100_gy", "Post-implant D100", "Gy", 0, kMaxDoseGy), &R::postD100Gy},
      {Real("post_dmean_gy", "Post-implant mean dose", "Gy", 0, kMaxDoseGy), &R::postDmeanGy},
      {Real("post_dmin_gy", "Post-implant minimum dose", "Gy", 0, kMaxDoseGy), &R::postDminGy},
      {Real("post_dmax_gy", "Post-implant maximum dose", "Gy", 0, kMaxDoseGy), &R::postDmaxGy},
      {Real("post_v100_pct", "Post-implant V100 (% of the lesion)", "%", 0, 100), &R::postV100Pct},
      {Real("post_v150_pct", "Post-implant V150 (% of the lesion)", "%", 0, 100), &R::postV150Pct},
      {Real("post_v200_pct", "Post-implant V200 (% of the lesion)", "%", 0, 100), &R::postV200Pct},
      {Real("post_ci", "Post-implant conformity index", "", 0, 100), &R::postCi},
      {Real("post_ei", "Post-implant external volume index", "", -100, 1e5), &R::postEi},
      {Real("post_hi", "Post-implant homogeneity index", "", 0, 1), &R::postHi},
  });
  return fields;
}

bool ImplantRecord::IsPostImplantField(const std::string& name) {
  return name.rfind("post_", 0) == 0 || name == "seeds_implanted";
}

bool ImplantRecord::IsEnteredField(const std::string& name) {
  return name == "seed_lot" || name == "seeds_ordered" || name == "seeds_implanted" ||
         name == "post_ct_date";
}

} // namespace seedplan::study
