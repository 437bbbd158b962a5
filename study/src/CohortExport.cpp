#include "seedplan/study/CohortExport.h"

#include "SpecBuilders.h"
#include "seedplan/core/AtomicFileWriter.h"
#include "seedplan/core/Error.h"
#include "seedplan/study/IsoDate.h"
#include "seedplan/study/PatientOutcomes.h"
#include "seedplan/study/StudyVocabulary.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <memory>
#include <unistd.h>

namespace seedplan::study {

namespace {

namespace fs = std::filesystem;

template <class T> FieldValue Optional(const std::optional<T>& value) {
  if (!value) {
    return {};
  }
  if constexpr (std::is_same_v<T, int>) {
    return std::int64_t{*value};
  } else {
    return *value;
  }
}

/// The spec of `name` in a record's fields (entered column of an export table).
template <class R> FieldSpec Entered(const RecordFields<R>& fields, const std::string& name) {
  const auto* field = fields.Find(name);
  if (!field) {
    throw Error("internal: no field " + name);
  }
  return field->spec;
}

FieldValue DaysFrom(const std::optional<std::string>& start, const std::string& date) {
  if (!start) {
    return {};
  }
  return IsoDate::DaysBetween(IsoDate::Parse(*start, "start_date"), IsoDate::Parse(date, "date"));
}

/// The blood values of a follow-up (every field but the visit's own).
bool IsBloodValue(const std::string& name) {
  return name != "patient_id" && name != "date" && name != "vas" && name != "response" &&
         name != "criteria";
}

FieldSpec DaysFromStart() {
  return spec::Derived(
      spec::Integer("days_from_start", "Days from start_date (derived)", "days", -1e6, 1e6));
}

std::vector<FieldSpec> PatientColumns() {
  using namespace spec;
  const auto& p = PatientRecord::Fields();
  return {
      Entered(p, "patient_id"),
      Entered(p, "group"),
      Entered(p, "age"),
      Entered(p, "sex"),
      Entered(p, "child_pugh"),
      Entered(p, "ecog"),
      Entered(p, "afp_ng_ml"),
      Derived(
          Choice("lesion_site", "Site of the index lesion (derived)", StudyVocabulary::Sites())),
      Entered(p, "n_extrahepatic"),
      Entered(p, "pd1_agent"),
      Derived(Real("seed_activity_mci",
                   "Apparent activity per seed at implant, index lesion's first implant "
                   "(derived)",
                   "mCi", 0, 100)),
      Derived(Integer("n_seeds", "Seeds planned in the index lesion (derived)", "", 0, 10000)),
      Derived(Real("prescribed_dose_gy", "Prescribed dose of the index lesion (derived)", "Gy", 0,
                   10000)),
      Derived(Real("d90_gy", "Planned D90 of the index lesion (derived)", "Gy", 0, 1e6)),
      Derived(Real("v100_pct", "Planned V100 of the index lesion (derived)", "%", 0, 100)),
      Derived(Choice("best_response",
                     "Best overall response of all follow-ups, CR > PR > SD > PD (derived)",
                     StudyVocabulary::Responses())),
      Entered(p, "start_date"),
      Derived(Date("pfs_date", "PFS: first progression anywhere or death, else last contact "
                               "(derived)")),
      Derived(Integer("pfs_event", "PFS event: 1 progression or death, 0 censored (derived)", "", 0,
                      1)),
      Derived(Date("os_date", "OS: death, else last contact (derived)")),
      Derived(Integer("os_event", "OS event: 1 death, 0 censored (derived)", "", 0, 1)),
      Derived(Date("lpfs_date", "LPFS: first local progression of the index lesion or death, "
                                "else last contact (derived)")),
      Derived(Integer("lpfs_event",
                      "LPFS event: 1 local progression of the index lesion or "
                      "death, 0 censored (derived)",
                      "", 0, 1)),
      Derived(Real("pfs_months", "PFS time = days / 30.4375 (derived)", "months", 0, 1e5)),
      Derived(Real("os_months", "OS time = days / 30.4375 (derived)", "months", 0, 1e5)),
      Derived(Real("lpfs_months", "LPFS time = days / 30.4375 (derived)", "months", 0, 1e5)),
      Entered(p, "bclc"),
      Entered(p, "hbv"),
      Entered(p, "vas_baseline"),
      Derived(Real("vas_followup",
                   "VAS at the first follow-up after start_date that records one (derived)", "0-10",
                   0, 10)),
      Derived(Choice("local_response",
                     "Best response of the index lesion, CR > PR > SD > PD (derived)",
                     StudyVocabulary::Responses())),
      Derived(Id("index_lesion_id", "Index lesion (derived)", false)),
      Derived(Real("post_d90_gy", "Post-implant D90 of the index lesion (derived)", "Gy", 0, 1e6)),
      Derived(
          Real("post_v100_pct", "Post-implant V100 of the index lesion (derived)", "%", 0, 100)),
      Derived(Integer("n_lesions", "Lesions recorded (derived)", "", 0, 10000)),
      Derived(Integer("n_implants", "Implanted lesions recorded (derived)", "", 0, 10000)),
      Derived(Date("last_contact_date", "Last date the patient was seen alive: last-contact "
                                        "events, follow-ups, progressions (derived)")),
  };
}

std::vector<FieldSpec> LesionColumns() {
  auto columns = LesionRecord::Fields().Specs();
  columns.push_back(spec::Derived(
      spec::Integer("n_implants", "Implants of the lesion recorded (derived)", "", 0, 10000)));
  columns.push_back(spec::Derived(
      spec::Date("local_progression_date", "First local progression of the lesion (derived)")));
  return columns;
}

std::vector<FieldSpec> ImplantColumns() {
  std::vector<FieldSpec> columns;
  for (const FieldSpec& column : ImplantRecord::Fields().Specs()) {
    if (column.identifying) {
      continue;
    }
    columns.push_back(column);
    if (column.name == "post_ct_date") {
      columns.push_back(spec::Derived(
          spec::Integer("days_to_post_ct", "Days from the implant to the post-implant CT (derived)",
                        "days", -1e6, 1e6)));
    }
  }
  return columns;
}

std::vector<FieldSpec> OrganDoseColumns() {
  using namespace spec;
  return {
      Id("patient_id", "Pseudonymous study patient id"),
      Id("lesion_id", "Lesion of the implant whose plan gave the dose"),
      Date("implant_date", "Date of the implant", true),
      Text("structure", "Organ at risk", true),
      Choice("metric", "Limited metric", {"Dmax", "D0_1cc", "D1cc", "D2cc"}, true),
      Real("limit_gy", "Limit (at most)", "Gy", 0, 1e6),
      Real("planned_gy", "Planned value, total dose of all the patient's seeds", "Gy", 0, 1e6),
      Real("post_gy", "Post-implant value", "Gy", 0, 1e6),
      Derived(Flag("planned_within_limit", "Planned value within the limit (derived)")),
      Derived(Flag("post_within_limit", "Post-implant value within the limit (derived)")),
  };
}

std::vector<FieldSpec> FollowUpColumns() {
  const auto& f = FollowUpRecord::Fields();
  std::vector<FieldSpec> columns = {Entered(f, "patient_id"), Entered(f, "date"),
                                    DaysFromStart(),          Entered(f, "vas"),
                                    Entered(f, "response"),   Entered(f, "criteria")};
  columns.push_back(spec::Text("lesion_responses",
                               "Response of each assessed lesion, LESION:CR|PR|SD|PD separated "
                               "by ';'"));
  columns.push_back(
      spec::Derived(spec::Choice("index_lesion_response", "Response of the index lesion (derived)",
                                 StudyVocabulary::Responses())));
  for (const FieldSpec& column : f.Specs()) {
    if (IsBloodValue(column.name)) {
      columns.push_back(column);
    }
  }
  return columns;
}

std::vector<FieldSpec> EventColumns() {
  auto columns = StudyEventRecord::Fields().Specs();
  columns.push_back(DaysFromStart());
  return columns;
}

std::vector<FieldSpec> AdverseEventColumns() {
  auto columns = AdverseEventRecord::Fields().Specs();
  columns.push_back(DaysFromStart());
  return columns;
}

ExportTable DictionaryOf(const std::vector<ExportTable>& tables) {
  using namespace spec;
  ExportTable dictionary;
  dictionary.name = "data_dictionary";
  dictionary.columns = {Text("table", "Table (file without .csv)"),
                        Text("column", "Column"),
                        Text("label", "Meaning"),
                        Text("type", "Type"),
                        Text("unit", "Unit"),
                        Text("allowed_values", "Allowed values")};
  const auto text = [](const std::string& value) -> FieldValue {
    return value.empty() ? FieldValue() : FieldValue(value);
  };
  for (const ExportTable& table : tables) {
    for (const FieldSpec& column : table.columns) {
      dictionary.rows.push_back({table.name, column.name, text(column.label), column.TypeName(),
                                 text(column.unit), text(column.AllowedText())});
    }
  }
  return dictionary;
}

std::atomic<unsigned> g_FolderCounter{0};

} // namespace

// The columns the outcome analysis reads, in its order: one list, owned by the reader.
const std::vector<std::string>& CohortExport::CohortColumns() {
  return CohortTable::RequiredColumns();
}

ExportTable CohortExport::Patients(const StudySnapshot& snapshot) {
  ExportTable table;
  table.name = "patients";
  table.columns = PatientColumns();
  table.columns[1].allowed = snapshot.info.groups;
  table.columns[1].kind = FieldKind::Choice;
  // Group lookups by patient once: the export of 1 000 patients stays linear.
  std::map<std::string, std::vector<LesionRecord>> lesions;
  std::map<std::string, std::vector<FollowUpRecord>> followUps;
  std::map<std::string, std::vector<StudyEventRecord>> events;
  std::map<std::string, std::size_t> implantCounts;
  for (const auto& lesion : snapshot.lesions) {
    lesions[lesion.patientId].push_back(lesion);
  }
  for (const auto& followUp : snapshot.followUps) {
    followUps[followUp.patientId].push_back(followUp);
  }
  for (const auto& event : snapshot.events) {
    events[event.patientId].push_back(event);
  }
  std::map<std::string, const ImplantRecord*> indexImplants;
  std::map<std::string, std::string> indexLesions;
  for (const auto& lesion : snapshot.lesions) {
    if (lesion.isIndex) {
      indexLesions[lesion.patientId] = lesion.lesionId;
    }
  }
  for (const auto& implant : snapshot.implants) {
    ++implantCounts[implant.patientId];
    const auto index = indexLesions.find(implant.patientId);
    if (index != indexLesions.end() && index->second == implant.lesionId) {
      const ImplantRecord*& first = indexImplants[implant.patientId];
      if (!first || implant.implantDate < first->implantDate) {
        first = &implant;
      }
    }
  }

  for (const PatientRecord& patient : snapshot.patients) {
    const PatientOutcomes outcomes =
        PatientOutcomes::Derive(patient, lesions[patient.patientId], followUps[patient.patientId],
                                events[patient.patientId]);
    std::optional<std::string> site;
    for (const auto& lesion : lesions[patient.patientId]) {
      if (lesion.isIndex) {
        site = lesion.site;
      }
    }
    const auto foundImplant = indexImplants.find(patient.patientId);
    const ImplantRecord* implant =
        foundImplant == indexImplants.end() ? nullptr : foundImplant->second;
    const auto fromImplant = [&](auto member) -> FieldValue {
      return implant ? Optional(implant->*member) : FieldValue();
    };
    table.rows.push_back({
        patient.patientId,
        patient.group,
        Optional(patient.age),
        Optional(patient.sex),
        Optional(patient.childPugh),
        Optional(patient.ecog),
        Optional(patient.afpNgMl),
        Optional(site),
        Optional(patient.nExtrahepatic),
        Optional(patient.pd1Agent),
        fromImplant(&ImplantRecord::seedActivityMCi),
        fromImplant(&ImplantRecord::nSeeds),
        fromImplant(&ImplantRecord::prescribedDoseGy),
        fromImplant(&ImplantRecord::d90Gy),
        fromImplant(&ImplantRecord::v100Pct),
        Optional(outcomes.bestResponse),
        Optional(patient.startDate),
        Optional(outcomes.pfs.date),
        Optional(outcomes.pfs.event),
        Optional(outcomes.os.date),
        Optional(outcomes.os.event),
        Optional(outcomes.lpfs.date),
        Optional(outcomes.lpfs.event),
        Optional(outcomes.pfs.months),
        Optional(outcomes.os.months),
        Optional(outcomes.lpfs.months),
        Optional(patient.bclc),
        Optional(patient.hbv),
        Optional(patient.vasBaseline),
        Optional(outcomes.vasFollowup),
        Optional(outcomes.localResponse),
        Optional(outcomes.indexLesionId),
        fromImplant(&ImplantRecord::postD90Gy),
        fromImplant(&ImplantRecord::postV100Pct),
        std::int64_t(lesions[patient.patientId].size()),
        std::int64_t(implantCounts[patient.patientId]),
        Optional(outcomes.lastContactDate),
    });
  }
  return table;
}

CohortTable CohortExport::Cohort(const StudySnapshot& snapshot, const std::string& sourceName) {
  const ExportTable patients = Patients(snapshot);
  std::vector<std::string> header;
  for (const FieldSpec& column : patients.columns) {
    header.push_back(column.name);
  }
  std::vector<std::vector<std::string>> rows;
  std::vector<std::string> locations;
  for (const auto& row : patients.rows) {
    std::vector<std::string> cells;
    for (const FieldValue& value : row) {
      cells.push_back(FieldSpec::Format(value));
    }
    locations.push_back("patient " + cells.front());
    rows.push_back(std::move(cells));
  }
  return CohortTable(sourceName, std::move(header), std::move(rows), std::move(locations));
}

std::vector<ExportTable> CohortExport::Tables(const StudySnapshot& snapshot) {
  std::vector<ExportTable> tables;
  tables.push_back(Patients(snapshot));
  std::map<std::string, std::optional<std::string>> starts;
  std::map<std::string, std::string> indexLesions;
  for (const auto& patient : snapshot.patients) {
    starts[patient.patientId] = patient.startDate;
  }
  for (const auto& lesion : snapshot.lesions) {
    if (lesion.isIndex) {
      indexLesions[lesion.patientId] = lesion.lesionId;
    }
  }

  ExportTable lesions;
  lesions.name = "lesions";
  lesions.columns = LesionColumns();
  {
    std::map<std::pair<std::string, std::string>, std::int64_t> implantCounts;
    for (const auto& implant : snapshot.implants) {
      ++implantCounts[{implant.patientId, implant.lesionId}];
    }
    std::map<std::pair<std::string, std::string>, std::string> progressions;
    for (const auto& event : snapshot.events) {
      if (event.type == "local-progression" && event.lesionId) {
        auto& date = progressions[{event.patientId, *event.lesionId}];
        if (date.empty() || event.date < date) {
          date = event.date;
        }
      }
    }
    for (const auto& lesion : snapshot.lesions) {
      std::vector<FieldValue> row;
      for (const auto& field : LesionRecord::Fields().All()) {
        row.push_back(RecordFields<LesionRecord>::Get(lesion, field));
      }
      const std::pair<std::string, std::string> key{lesion.patientId, lesion.lesionId};
      row.push_back(implantCounts[key]);
      const auto progression = progressions.find(key);
      row.push_back(progression == progressions.end() ? FieldValue()
                                                      : FieldValue(progression->second));
      lesions.rows.push_back(std::move(row));
    }
  }
  tables.push_back(std::move(lesions));

  ExportTable implants;
  implants.name = "implants";
  implants.columns = ImplantColumns();
  for (const auto& implant : snapshot.implants) {
    std::vector<FieldValue> row;
    for (const auto& field : ImplantRecord::Fields().All()) {
      if (field.spec.identifying) {
        continue;
      }
      row.push_back(RecordFields<ImplantRecord>::Get(implant, field));
      if (field.spec.name == "post_ct_date") {
        row.push_back(implant.postCtDate ? FieldValue(IsoDate::DaysBetween(
                                               IsoDate::Parse(implant.implantDate, "implant_date"),
                                               IsoDate::Parse(*implant.postCtDate, "post_ct_date")))
                                         : FieldValue());
      }
    }
    implants.rows.push_back(std::move(row));
  }
  tables.push_back(std::move(implants));

  ExportTable organs;
  organs.name = "organ_doses";
  organs.columns = OrganDoseColumns();
  for (const auto& implant : snapshot.implants) {
    for (const auto& dose : implant.organDoses) {
      const auto within = [&](const std::optional<double>& value) -> FieldValue {
        if (!value || !dose.limitGy) {
          return {};
        }
        return std::int64_t{*value <= *dose.limitGy ? 1 : 0};
      };
      organs.rows.push_back({implant.patientId, implant.lesionId, implant.implantDate,
                             dose.structure, dose.metric, Optional(dose.limitGy),
                             Optional(dose.plannedGy), Optional(dose.postGy),
                             within(dose.plannedGy), within(dose.postGy)});
    }
  }
  tables.push_back(std::move(organs));

  ExportTable followUps;
  followUps.name = "followups";
  followUps.columns = FollowUpColumns();
  for (const auto& followUp : snapshot.followUps) {
    std::optional<std::string> indexResponse;
    const auto index = indexLesions.find(followUp.patientId);
    for (const auto& item : followUp.lesionResponses) {
      if (index != indexLesions.end() && item.lesionId == index->second) {
        indexResponse = item.response;
      }
    }
    const std::string responses = FollowUpRecord::FormatLesionResponses(followUp.lesionResponses);
    std::vector<FieldValue> row = {followUp.patientId,
                                   followUp.date,
                                   DaysFrom(starts[followUp.patientId], followUp.date),
                                   Optional(followUp.vas),
                                   Optional(followUp.response),
                                   Optional(followUp.criteria),
                                   responses.empty() ? FieldValue() : FieldValue(responses),
                                   Optional(indexResponse)};
    for (const auto& field : FollowUpRecord::Fields().All()) {
      if (IsBloodValue(field.spec.name)) {
        row.push_back(RecordFields<FollowUpRecord>::Get(followUp, field));
      }
    }
    followUps.rows.push_back(std::move(row));
  }
  tables.push_back(std::move(followUps));

  ExportTable events;
  events.name = "events";
  events.columns = EventColumns();
  for (const auto& event : snapshot.events) {
    events.rows.push_back({event.patientId, event.type, event.date, Optional(event.lesionId),
                           DaysFrom(starts[event.patientId], event.date)});
  }
  tables.push_back(std::move(events));

  ExportTable adverseEvents;
  adverseEvents.name = "adverse_events";
  adverseEvents.columns = AdverseEventColumns();
  for (const auto& adverseEvent : snapshot.adverseEvents) {
    adverseEvents.rows.push_back({adverseEvent.patientId, adverseEvent.term,
                                  Optional(adverseEvent.grade), adverseEvent.date,
                                  Optional(adverseEvent.attribution),
                                  DaysFrom(starts[adverseEvent.patientId], adverseEvent.date)});
  }
  tables.push_back(std::move(adverseEvents));

  tables.push_back(DictionaryOf(tables));
  return tables;
}

ExportTable CohortExport::ImportLayout(const std::string& table) {
  ExportTable layout;
  layout.name = table;
  if (table == "patients") {
    layout.columns = PatientColumns();
  } else if (table == "lesions") {
    layout.columns = LesionColumns();
  } else if (table == "followups") {
    layout.columns = FollowUpColumns();
  } else if (table == "events") {
    layout.columns = EventColumns();
  } else if (table == "adverse_events") {
    layout.columns = AdverseEventColumns();
  } else {
    throw InvalidInput("--table is '" + table +
                       "'; expected patients, lesions, followups, events or adverse_events");
  }
  return layout;
}

std::vector<fs::path> CohortExport::Write(const StudySnapshot& snapshot, const fs::path& folder) {
  const std::vector<ExportTable> tables = Tables(snapshot);
  std::error_code error;
  const bool newFolder = !fs::exists(folder, error);
  fs::path target = folder;
  if (newFolder) {
    const fs::path parent = folder.parent_path().empty() ? fs::path(".") : folder.parent_path();
    if (!fs::is_directory(parent, error)) {
      throw Io(folder.string() + ": folder '" + parent.string() +
               "' does not exist; expected an existing folder to export into");
    }
    // Built beside the target and renamed into place: the folder appears complete or not at all.
    target = parent / ("." + folder.filename().string() + ".tmp-" + std::to_string(::getpid()) +
                       "-" + std::to_string(g_FolderCounter++));
    if (!fs::create_directory(target, error)) {
      throw Io(folder.string() + ": cannot create the export folder (" + error.message() + ")");
    }
  } else if (!fs::is_directory(folder, error)) {
    throw Io(folder.string() + ": exists and is not a folder; expected a folder to export into");
  }
  std::vector<fs::path> written;
  try {
    std::vector<std::unique_ptr<AtomicFileWriter>> writers;
    for (const ExportTable& table : tables) {
      writers.push_back(std::make_unique<AtomicFileWriter>(target / (table.name + ".csv")));
      writers.back()->WriteAll(table.ToCsv());
    }
    for (auto& writer : writers) {
      writer->Commit();
      written.push_back(folder / writer->TargetPath().filename());
    }
    if (newFolder) {
      fs::rename(target, folder, error);
      if (error) {
        throw Io(folder.string() + ": cannot create the export folder (" + error.message() + ")");
      }
    }
  } catch (...) {
    if (newFolder) {
      fs::remove_all(target, error);
    }
    throw;
  }
  return written;
}

} // namespace seedplan::study
