// `seedplan study show --study FILE [--patient ID] [--json] [--audit]`: what the record holds,
// after a full integrity_check: the study, counts per group, incomplete patients; with --patient
// every entry of one patient (with the numbers `study correct --event/--ae` takes) and its
// outcomes as the export derives them; --audit adds the audit trail.

#include "StudyCommandSupport.h"
#include "StudyRecordCommands.h"
#include "seedplan/core/Error.h"
#include "seedplan/core/JsonWriter.h"
#include "seedplan/study/PatientOutcomes.h"

#include <iostream>
#include <map>
#include <sstream>

namespace seedplan::app {

namespace {

using study::FieldSpec;
using study::FieldValue;

struct ShowOptions {
  StudyFileOptions file;
  std::string patient;
  bool json = false;
  bool audit = false;
};

template <class R>
void JsonFields(JsonWriter& json, const R& record, const study::RecordFields<R>& fields) {
  for (const auto& field : fields.All()) {
    const FieldValue value = study::RecordFields<R>::Get(record, field);
    json.Key(field.spec.name);
    if (study::IsNull(value)) {
      json.Null();
    } else if (const auto* integer = std::get_if<std::int64_t>(&value)) {
      json.Integer(*integer);
    } else if (const auto* real = std::get_if<double>(&value)) {
      json.Number(*real, 17);
    } else {
      json.String(std::get<std::string>(value));
    }
  }
}

/// "age 61, sex F, ..." with the fields that have a value (keys left out).
template <class R>
std::string Line(const R& record, const study::RecordFields<R>& fields,
                 const std::vector<std::string>& skip) {
  std::string text;
  for (const auto& field : fields.All()) {
    if (std::find(skip.begin(), skip.end(), field.spec.name) != skip.end()) {
      continue;
    }
    const FieldValue value = study::RecordFields<R>::Get(record, field);
    if (study::IsNull(value)) {
      continue;
    }
    text += (text.empty() ? "" : ", ") + field.spec.name + " " + FieldSpec::Display(value);
  }
  return text.empty() ? "-" : text;
}

std::string Endpoint(const study::PatientOutcomes::Endpoint& endpoint) {
  if (!endpoint.date) {
    return "NA";
  }
  return FieldSpec::Display(*endpoint.months) + " months (" + *endpoint.date + ", " +
         (*endpoint.event ? "event" : "censored") + ")";
}

void PrintAudit(const std::vector<study::AuditEntry>& trail) {
  std::cout << "audit trail (" << trail.size() << " lines):\n";
  for (const auto& entry : trail) {
    std::cout << "  " << entry.timeUtc << ' ' << entry.user << " [" << entry.command << "] "
              << entry.action << ' ' << entry.table;
    if (!entry.patientId.empty()) {
      std::cout << ' ' << entry.patientId;
    }
    if (!entry.entry.empty()) {
      std::cout << ' ' << entry.entry;
    }
    if (!entry.field.empty()) {
      std::cout << ' ' << entry.field << ": " << (entry.oldValue.empty() ? "-" : entry.oldValue)
                << " -> " << (entry.newValue.empty() ? "-" : entry.newValue);
    } else if (!entry.newValue.empty()) {
      std::cout << ' ' << entry.newValue;
    } else if (!entry.oldValue.empty()) {
      std::cout << " was " << entry.oldValue;
    }
    if (!entry.reason.empty()) {
      std::cout << " (reason: " << entry.reason << ')';
    }
    std::cout << '\n';
  }
}

void ShowStudy(const study::StudySnapshot& snapshot, study::StudyRecord& record) {
  const auto& info = snapshot.info;
  std::cout << "study " << info.studyId << ": " << info.title << '\n'
            << "record " << record.File().string() << ": schema version " << info.schemaVersion
            << ", created " << info.createdUtc << " by " << info.createdBy << " (seedplan "
            << info.programVersion << "), integrity_check ok\n";
  std::map<std::string, int> perGroup;
  for (const auto& patient : snapshot.patients) {
    ++perGroup[patient.group];
  }
  std::cout << "groups:";
  for (const auto& group : info.groups) {
    std::cout << ' ' << group << " (" << perGroup[group] << " patients)";
  }
  std::cout << "\npatients " << snapshot.patients.size() << ", lesions " << snapshot.lesions.size()
            << ", implants " << snapshot.implants.size() << ", follow-ups "
            << snapshot.followUps.size() << ", events " << snapshot.events.size()
            << ", adverse events " << snapshot.adverseEvents.size() << '\n';
  for (const auto& patient : snapshot.patients) {
    std::vector<std::string> missing;
    if (!patient.startDate) {
      missing.push_back("no start_date");
    }
    bool index = false;
    for (const auto& lesion : snapshot.lesions) {
      index |= lesion.patientId == patient.patientId && lesion.isIndex;
    }
    if (!index) {
      missing.push_back("no index lesion");
    }
    if (!missing.empty()) {
      std::cout << "incomplete: " << patient.patientId << ':';
      for (const auto& item : missing) {
        std::cout << ' ' << item << (&item == &missing.back() ? "" : ",");
      }
      std::cout << '\n';
    }
  }
}

void ShowPatient(const study::StudySnapshot& snapshot) {
  const auto& patient = snapshot.patients.front();
  std::cout << "patient " << patient.patientId << " (" << patient.group << ", study "
            << snapshot.info.studyId
            << "): " << Line(patient, study::PatientRecord::Fields(), {"patient_id", "group"})
            << '\n';
  std::cout << "lesions (" << snapshot.lesions.size() << "):\n";
  for (const auto& lesion : snapshot.lesions) {
    std::cout << "  " << lesion.lesionId << ": "
              << Line(lesion, study::LesionRecord::Fields(), {"patient_id", "lesion_id"}) << '\n';
  }
  std::cout << "implants (" << snapshot.implants.size() << "):\n";
  for (const auto& implant : snapshot.implants) {
    std::cout << "  " << implant.lesionId << "@" << implant.implantDate << ": "
              << Line(implant, study::ImplantRecord::Fields(),
                      {"patient_id", "lesion_id", "implant_date", "plan_file", "plan_sha256",
                       "ct_study_uid", "ct_series_uid", "ct_frame_of_reference_uid",
                       "post_plan_file", "post_plan_sha256", "post_ct_series_uid"})
              << '\n';
    for (const auto& dose : implant.organDoses) {
      const auto gray = [](const std::optional<double>& value) {
        return value ? FieldSpec::Display(*value) + " Gy" : std::string("-");
      };
      std::cout << "    " << dose.structure << ' ' << dose.metric << ": planned "
                << gray(dose.plannedGy) << ", post " << gray(dose.postGy) << ", limit "
                << gray(dose.limitGy) << '\n';
    }
  }
  std::cout << "follow-ups (" << snapshot.followUps.size() << "):\n";
  for (const auto& followUp : snapshot.followUps) {
    std::cout << "  " << followUp.date << ": "
              << Line(followUp, study::FollowUpRecord::Fields(), {"patient_id", "date"});
    if (!followUp.lesionResponses.empty()) {
      std::cout << ", lesions "
                << study::FollowUpRecord::FormatLesionResponses(followUp.lesionResponses);
    }
    std::cout << '\n';
  }
  std::cout << "events (" << snapshot.events.size() << "):\n";
  for (const auto& event : snapshot.events) {
    std::cout << "  #" << event.eventNo << ' ' << event.type << ' ' << event.date
              << (event.lesionId ? " lesion " + *event.lesionId : std::string()) << '\n';
  }
  std::cout << "adverse events (" << snapshot.adverseEvents.size() << "):\n";
  for (const auto& adverseEvent : snapshot.adverseEvents) {
    std::cout << "  #" << adverseEvent.aeNo << ' ' << adverseEvent.term << ", grade "
              << *adverseEvent.grade << ", " << adverseEvent.date
              << (adverseEvent.attribution ? ", " + *adverseEvent.attribution : std::string())
              << '\n';
  }
  const auto outcomes = study::PatientOutcomes::Derive(patient, snapshot.lesions,
                                                       snapshot.followUps, snapshot.events);
  std::cout << "outcomes: PFS " << Endpoint(outcomes.pfs) << ", OS " << Endpoint(outcomes.os)
            << ", LPFS " << Endpoint(outcomes.lpfs) << ", best response "
            << outcomes.bestResponse.value_or("NA") << '\n';
}

void EndpointJson(JsonWriter& json, const std::string& name,
                  const study::PatientOutcomes::Endpoint& endpoint) {
  json.Key(name).BeginObject();
  json.Key("date");
  endpoint.date ? json.String(*endpoint.date) : json.Null();
  json.Key("event");
  endpoint.event ? json.Integer(*endpoint.event) : json.Null();
  json.Key("months").Number(endpoint.months, 10);
  json.EndObject();
}

std::string ToJson(const study::StudySnapshot& snapshot, bool onePatient,
                   const std::vector<study::AuditEntry>* trail) {
  JsonWriter json;
  json.BeginObject();
  const auto& info = snapshot.info;
  json.Key("study").BeginObject();
  json.Key("id").String(info.studyId);
  json.Key("title").String(info.title);
  json.Key("groups").BeginArray();
  for (const auto& group : info.groups) {
    json.String(group);
  }
  json.EndArray();
  json.Key("schema_version").Integer(info.schemaVersion);
  json.Key("created_utc").String(info.createdUtc);
  json.Key("created_by").String(info.createdBy);
  json.Key("integrity_check").String("ok");
  json.EndObject();
  json.Key("counts").BeginObject();
  json.Key("patients").Integer(static_cast<long long>(snapshot.patients.size()));
  json.Key("lesions").Integer(static_cast<long long>(snapshot.lesions.size()));
  json.Key("implants").Integer(static_cast<long long>(snapshot.implants.size()));
  json.Key("followups").Integer(static_cast<long long>(snapshot.followUps.size()));
  json.Key("events").Integer(static_cast<long long>(snapshot.events.size()));
  json.Key("adverse_events").Integer(static_cast<long long>(snapshot.adverseEvents.size()));
  json.EndObject();
  json.Key("patients").BeginArray();
  for (const auto& patient : snapshot.patients) {
    json.BeginObject();
    JsonFields(json, patient, study::PatientRecord::Fields());
    const auto outcomes = study::PatientOutcomes::Derive(patient, snapshot.lesions,
                                                         snapshot.followUps, snapshot.events);
    EndpointJson(json, "pfs", outcomes.pfs);
    EndpointJson(json, "os", outcomes.os);
    EndpointJson(json, "lpfs", outcomes.lpfs);
    json.Key("best_response");
    outcomes.bestResponse ? json.String(*outcomes.bestResponse) : json.Null();
    json.EndObject();
  }
  json.EndArray();
  if (onePatient) {
    json.Key("lesions").BeginArray();
    for (const auto& lesion : snapshot.lesions) {
      json.BeginObject();
      JsonFields(json, lesion, study::LesionRecord::Fields());
      json.EndObject();
    }
    json.EndArray();
    json.Key("implants").BeginArray();
    for (const auto& implant : snapshot.implants) {
      json.BeginObject();
      JsonFields(json, implant, study::ImplantRecord::Fields());
      json.Key("organ_doses").BeginArray();
      for (const auto& dose : implant.organDoses) {
        json.BeginObject();
        json.Key("structure").String(dose.structure);
        json.Key("metric").String(dose.metric);
        json.Key("limit_gy").Number(dose.limitGy, 17);
        json.Key("planned_gy").Number(dose.plannedGy, 17);
        json.Key("post_gy").Number(dose.postGy, 17);
        json.EndObject();
      }
      json.EndArray();
      json.EndObject();
    }
    json.EndArray();
    json.Key("followups").BeginArray();
    for (const auto& followUp : snapshot.followUps) {
      json.BeginObject();
      JsonFields(json, followUp, study::FollowUpRecord::Fields());
      json.Key("lesion_responses")
          .String(study::FollowUpRecord::FormatLesionResponses(followUp.lesionResponses));
      json.EndObject();
    }
    json.EndArray();
    json.Key("events").BeginArray();
    for (const auto& event : snapshot.events) {
      json.BeginObject();
      json.Key("number").Integer(event.eventNo);
      JsonFields(json, event, study::StudyEventRecord::Fields());
      json.EndObject();
    }
    json.EndArray();
    json.Key("adverse_events").BeginArray();
    for (const auto& adverseEvent : snapshot.adverseEvents) {
      json.BeginObject();
      json.Key("number").Integer(adverseEvent.aeNo);
      JsonFields(json, adverseEvent, study::AdverseEventRecord::Fields());
      json.EndObject();
    }
    json.EndArray();
  }
  if (trail) {
    json.Key("audit").BeginArray();
    for (const auto& entry : *trail) {
      json.BeginObject();
      json.Key("time_utc").String(entry.timeUtc);
      json.Key("user").String(entry.user);
      json.Key("command").String(entry.command);
      json.Key("action").String(entry.action);
      json.Key("table").String(entry.table);
      json.Key("patient_id").String(entry.patientId);
      json.Key("entry").String(entry.entry);
      json.Key("field").String(entry.field);
      json.Key("old_value").String(entry.oldValue);
      json.Key("new_value").String(entry.newValue);
      json.Key("reason").String(entry.reason);
      json.EndObject();
    }
    json.EndArray();
  }
  json.EndObject();
  return json.Text();
}

void RunShow(const ShowOptions& options) {
  auto record = OpenStudy(options.file, "study show", study::StudyRecord::IntegrityCheck::Full);
  if (!options.patient.empty() && !record.HasPatient(options.patient)) {
    throw InvalidInput("--patient " + options.patient + " is not a patient of " +
                       options.file.study +
                       "; expected a patient added with `seedplan study "
                       "add-patient`");
  }
  const study::StudySnapshot snapshot = record.Snapshot(options.patient);
  std::vector<study::AuditEntry> trail;
  if (options.audit) {
    trail = record.Audit(options.patient);
  }
  if (options.json) {
    std::cout << ToJson(snapshot, !options.patient.empty(), options.audit ? &trail : nullptr)
              << '\n';
    return;
  }
  if (options.patient.empty()) {
    ShowStudy(snapshot, record);
  } else {
    ShowPatient(snapshot);
  }
  if (options.audit) {
    PrintAudit(trail);
  }
}

} // namespace

void RegisterStudyShowCommand(CLI::App& study) {
  auto* command = study.add_subcommand(
      "show", "What the record holds (after a full integrity_check); --patient for one patient");
  auto options = std::make_shared<ShowOptions>();
  AddStudyFileOptions(*command, options->file);
  command->add_option("--patient", options->patient, "Show every entry of this patient");
  command->add_flag("--json", options->json, "One JSON object instead of text");
  command->add_flag("--audit", options->audit, "Add the audit trail");
  command->callback([options]() { RunShow(*options); });
}

} // namespace seedplan::app
