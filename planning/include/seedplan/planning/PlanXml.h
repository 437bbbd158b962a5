#pragma once

#include "seedplan/planning/Plan.h"

#include <filesystem>
#include <string>

namespace seedplan::planning {

/// Reads and writes a Plan as XML (TinyXML2): everything needed to recompute its dose exactly, with
/// the schema version and provenance (DESIGN.md, Planning). Layout, schema version 1:
///
///   <seedplanPlan schemaVersion="1" kind="plan|post-implant">
///     <provenance>
///       <program name="seedplan" version="0.1.0"/>          the program that wrote the file
///       <created utc="2026-02-10T09:30:00Z"/>
///       <engine sourceModel="6711" formalism="auto" cutoff_cm="10"
///               doseGridSpacing_mm="0" programVersion="0.1.0"/>   how the dose was computed
///     </provenance>
///     <patient id="..." studyId="..."/>
///     <studyLog file="/abs/study.sqlite" studyId="..." patient="...">   optional: where the
///       <lesion target="GTV_1" id="GTV_1"/> ...                         plan was logged (study
///     </studyLog>                                                       record, issue 9)
///     <handEdits>                                             optional: edited by hand
///       <edit utc="2026-02-11T10:00:00Z" user="..." from="plan.xml" summary="..."/> ...  (issue
///       14)
///     </handEdits>
///     <evaluates plan="plan.xml"/>                           post-implant plans only
///     <ct path="..." studyUid="..." seriesUid="..." frameOfReferenceUid="..."/>
///     <structures path="..."/>
///     <targets>
///       <target structure="GTV_1" site="lung" prescription_Gy="120" margin_mm="0"/>
///     </targets>
///     <organLimits>
///       <limit structure="SpinalCord" metric="Dmax" limit_Gy="45"/>
///     </organLimits>
///     <implant assayStrength_U="0.7" assayDate="2026-01-20" implantDate="2026-02-10"
///              strengthAtImplant_U="0.547" seedSpacing_mm="5"
///              activityAtImplant_mCi="0.431" strengthPerActivity_UPerMCi="1.27"/>
///     <needles>
///       <needle id="N1" target="GTV_1" depth_mm="80" passThroughLength_mm="35"
///               pleuralCrossings="1">
///         <entry x_mm="..." y_mm="..." z_mm="..."/>
///         <tip x_mm="..." y_mm="..." z_mm="..."/>
///         <direction x="..." y="..." z="..."/>
///         <tissue name="Skin"/> <tissue name="Lung_R"/> ...      in order of crossing
///       </needle>
///     </needles>
///     <seeds>
///       <seed x_mm y_mm z_mm dir_x dir_y dir_z strength_U model needle confidence/> ...
///     </seeds>
///     <metrics>
///       <structure name="GTV_1" role="target" rx_Gy="120" prescription_Gy="120" volume_cc
///                  D90_Gy D98_Gy D100_Gy Dmean_Gy Dmin_Gy Dmax_Gy V100_pct V150_pct
///                  V200_pct D2cc_Gy D1cc_Gy D0_1cc_Gy CI EI HI/> ...
///     </metrics>
///   </seedplanPlan>
///
/// Conventions: lengths in mm (LPS patient coordinates), doses in Gy, strengths S_K in U, dates
/// YYYY-MM-DD. Numbers are written as the shortest text that reads back to the same double
/// (std::to_chars), so a round trip is exact. A value that is null (an undefined metric such as
/// D2cc of a 1 cc structure, a target's rx_Gy of an organ, a seed's unknown direction or
/// confidence) is an absent attribute, never 0 and never the text "null"; an empty text field is an
/// absent attribute too. Informative values (activityAtImplant_mCi with the source model's U/mCi
/// factor, the needle <direction>, <program> and <created>) are written for readers and ignored on
/// reading: the plan's own fields are the truth. Unknown elements and attributes are ignored.
class PlanXml {
public:
  static constexpr int kSchemaVersion = 1;
  static constexpr const char* kRootElement = "seedplanPlan";

  /// Paths (<ct>, <structures>, <evaluates>): a relative path in a Plan is relative to the working
  /// directory, as the user typed it; in a plan file it is relative to the file's folder, so that
  /// the plan reads the same from any working directory and a patient folder can be moved with its
  /// plans. Write and ToXml(plan, file) convert one way, Read the other; absolute paths are kept.
  /// Read keeps a relative path as written when it names nothing beside the plan file but names
  /// something from the working directory (plans written before this rule).
  ///
  /// Writes `plan` atomically (temporary file in the same folder, then rename): a failure leaves
  /// any existing file untouched. Throws InvalidInput if the plan cannot be written faithfully
  /// (see ToXml), Io if the file cannot be written.
  static void Write(const Plan& plan, const std::filesystem::path& file);
  /// Reads a plan file; throws Io if it cannot be read, DataFormat (see FromXml) if it is not a
  /// valid plan file.
  static Plan Read(const std::filesystem::path& file);

  /// The XML text of `plan`. Throws InvalidInput naming the field if a number is not finite, a
  /// strength (assay, at implant, per seed) is not positive, a seed direction is zero, a date is
  /// not YYYY-MM-DD, the kind is not plan or post-implant, a structure name is empty, or an organ
  /// limit's metric is not Dmax, D0_1cc, D1cc or D2cc: what ToXml writes, FromXml reads.
  static std::string ToXml(const Plan& plan);
  /// The XML text of `plan` as Write writes it to `file` (its relative paths re-expressed relative
  /// to the file's folder); for callers that write the text themselves (the study log hashes it).
  static std::string ToXml(const Plan& plan, const std::filesystem::path& file);
  /// Parses plan XML; `fileName` names the source in messages. Throws DataFormat naming the file
  /// and the element for: text that is not XML, another root element (a source model file, a
  /// study record), a schemaVersion other than kSchemaVersion (a newer one says which version this
  /// program reads), a missing required element or attribute, a bad number or date, a seed whose
  /// direction is zero or partly given, a non-positive strength, a confidence outside [0, 1].
  static Plan FromXml(const std::string& text, const std::string& fileName);

  /// Now, as plans record their times (<created>, hand edits): YYYY-MM-DDTHH:MM:SSZ (UTC).
  static std::string NowUtc();
};

} // namespace seedplan::planning
