#pragma once

#include "seedplan/imaging/RtBrachyPlan.h"
#include "seedplan/imaging/RtInstanceHeader.h"

#include <filesystem>
#include <string>

namespace seedplan::imaging {

/// Writes a brachytherapy DICOM RT Plan (RT Plan Storage, PS3.3 A.20) for a permanent LDR seed
/// implant with DCMTK, explicit VR little endian, atomically (temporary file, then rename):
///  - Patient, General Study (copied from the CT), RT Series (RTPLAN), Frame of Reference (the
///    CT's), General Equipment and SOP Common (RtInstanceHeader);
///  - RT General Plan: label, name, description, date and time, RT Plan Geometry PATIENT and the
///    Referenced Structure Set Sequence (plan.referencedStructureSetUid);
///  - RT Prescription: one Dose Reference per target (VOLUME, TARGET, its ROI number, Target
///    Prescription Dose in Gy, Target Underdose Volume Fraction);
///  - RT Fraction Scheme: one fraction group, one fraction, no beams, every application setup;
///  - RT Brachy Application Setups: Brachy Treatment Technique PERMANENT, Treatment Type LDR, a
///    Treatment Machine item (MANUAL), the sources (isotope, half-life, model, manufacturer,
///    active length, Reference Air Kerma Rate = S_K at the reference date in µGy/h at 1 m, Source
///    Strength Units AIR_KERMA_RATE and Source Strength repeating it, reference date and time),
///    one Application Setup per target, one Channel per seed (Source Movement Type FIXED, Channel
///    Length and Transfer Tube Number present and empty, two control points at the seed's position
///    with Cumulative Time Weight 0 and 1, Control Point Orientation = the seed's axis where
///    known, in the insertion direction, PS3.3 C.8.8.15.14). A permanent seed never leaves: its
///    Channel Total Time is the mean life τ = T½/ln 2 in seconds, so that rate × time is the
///    total dose (decay to infinity), and the setup's Total Reference Air Kerma is
///    Σ S_K(reference date) × τ (µGy at 1 m);
///  - Approval: plan.approvalStatus (UNAPPROVED).
class RtPlanWriter {
public:
  /// Returns the SOP Instance UID written. Throws InvalidInput for a plan that cannot be written
  /// faithfully: no source or no seed, a strength or half-life that is not positive and finite, a
  /// reference date or time that is not YYYYMMDD / HHMMSS, a seed position that is not finite, a
  /// zero direction, a seed of an unknown source, a prescription that is not positive, a missing
  /// or invalid structure set UID; Io if the file cannot be written.
  static std::string Write(const std::filesystem::path& file, const RtBrachyPlan& plan,
                           const RtInstanceHeader& header);
};

} // namespace seedplan::imaging
