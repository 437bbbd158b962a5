#include "seedplan/study/SchemaMigrations.h"

#include "seedplan/core/Error.h"
#include "seedplan/core/Version.h"
#include "seedplan/study/SqliteDatabase.h"

namespace seedplan::study {

namespace {

// Version 1: the study record of issue 9. STRICT tables: SQLite refuses a value of the wrong type
// instead of storing it. The CHECK constraints repeat the most important rules of the FieldSpecs
// as a last line of defence for files written by other tools.
constexpr const char* kVersion1 = R"SQL(
CREATE TABLE study (
  singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
  study_id TEXT NOT NULL,
  title TEXT NOT NULL,
  created_utc TEXT NOT NULL,
  created_by TEXT NOT NULL,
  program_version TEXT NOT NULL
) STRICT;

CREATE TABLE study_groups (
  group_name TEXT PRIMARY KEY,
  position INTEGER NOT NULL UNIQUE
) STRICT;

CREATE TABLE patients (
  patient_id TEXT PRIMARY KEY,
  "group" TEXT NOT NULL REFERENCES study_groups(group_name),
  age INTEGER CHECK (age BETWEEN 0 AND 120),
  sex TEXT CHECK (sex IN ('M', 'F')),
  bclc TEXT,
  child_pugh TEXT CHECK (child_pugh IN ('A', 'B', 'C')),
  ecog INTEGER CHECK (ecog BETWEEN 0 AND 4),
  afp_ng_ml REAL CHECK (afp_ng_ml >= 0),
  hbv TEXT,
  pd1_agent TEXT,
  start_date TEXT,
  n_extrahepatic INTEGER,
  vas_baseline REAL CHECK (vas_baseline BETWEEN 0 AND 10),
  entered_utc TEXT NOT NULL
) STRICT;

CREATE TABLE lesions (
  patient_id TEXT NOT NULL REFERENCES patients(patient_id),
  lesion_id TEXT NOT NULL,
  site TEXT NOT NULL,
  diameter_mm REAL,
  volume_cc REAL,
  is_index INTEGER NOT NULL DEFAULT 0 CHECK (is_index IN (0, 1)),
  entered_utc TEXT NOT NULL,
  PRIMARY KEY (patient_id, lesion_id)
) STRICT;
CREATE UNIQUE INDEX lesions_one_index_lesion ON lesions(patient_id) WHERE is_index = 1;

CREATE TABLE implants (
  implant_no INTEGER PRIMARY KEY,
  patient_id TEXT NOT NULL,
  lesion_id TEXT NOT NULL,
  target_structure TEXT NOT NULL,
  implant_date TEXT NOT NULL,
  plan_file TEXT, plan_sha256 TEXT, ct_study_uid TEXT, ct_series_uid TEXT,
  ct_frame_of_reference_uid TEXT, program_version TEXT,
  seed_model TEXT, seed_strength_u REAL, seed_activity_mci REAL, assay_strength_u REAL,
  assay_activity_mci REAL, assay_date TEXT, strength_per_activity_u_per_mci REAL, seed_lot TEXT,
  n_seeds INTEGER, n_needles INTEGER, total_activity_mci REAL, seed_spacing_mm REAL,
  seeds_ordered INTEGER,
  prescribed_dose_gy REAL, margin_mm REAL, volume_cc REAL,
  d90_gy REAL, d98_gy REAL, d100_gy REAL, dmean_gy REAL, dmin_gy REAL, dmax_gy REAL,
  v100_pct REAL, v150_pct REAL, v200_pct REAL, ci REAL, ei REAL, hi REAL,
  post_plan_file TEXT, post_plan_sha256 TEXT, post_ct_series_uid TEXT, post_ct_date TEXT,
  seeds_implanted INTEGER, post_seeds_found INTEGER, post_n_seeds INTEGER, post_volume_cc REAL,
  post_d90_gy REAL, post_d98_gy REAL, post_d100_gy REAL, post_dmean_gy REAL, post_dmin_gy REAL,
  post_dmax_gy REAL, post_v100_pct REAL, post_v150_pct REAL, post_v200_pct REAL,
  post_ci REAL, post_ei REAL, post_hi REAL,
  logged_utc TEXT NOT NULL,
  post_logged_utc TEXT,
  FOREIGN KEY (patient_id, lesion_id) REFERENCES lesions(patient_id, lesion_id),
  UNIQUE (patient_id, lesion_id, implant_date)
) STRICT;

CREATE TABLE organ_doses (
  implant_no INTEGER NOT NULL REFERENCES implants(implant_no),
  structure TEXT NOT NULL,
  metric TEXT NOT NULL CHECK (metric IN ('Dmax', 'D0_1cc', 'D1cc', 'D2cc')),
  limit_gy REAL,
  planned_gy REAL,
  post_gy REAL,
  PRIMARY KEY (implant_no, structure, metric)
) STRICT;

CREATE TABLE followups (
  followup_no INTEGER PRIMARY KEY,
  patient_id TEXT NOT NULL REFERENCES patients(patient_id),
  date TEXT NOT NULL,
  vas REAL CHECK (vas BETWEEN 0 AND 10),
  response TEXT CHECK (response IN ('CR', 'PR', 'SD', 'PD')),
  criteria TEXT,
  wbc_1e9_l REAL, neutrophils_1e9_l REAL, platelets_1e9_l REAL, haemoglobin_g_l REAL,
  alt_u_l REAL, ast_u_l REAL, bilirubin_umol_l REAL, albumin_g_l REAL, creatinine_umol_l REAL,
  entered_utc TEXT NOT NULL,
  UNIQUE (patient_id, date)
) STRICT;

CREATE TABLE lesion_responses (
  followup_no INTEGER NOT NULL REFERENCES followups(followup_no),
  patient_id TEXT NOT NULL,
  lesion_id TEXT NOT NULL,
  response TEXT NOT NULL CHECK (response IN ('CR', 'PR', 'SD', 'PD')),
  PRIMARY KEY (followup_no, lesion_id),
  FOREIGN KEY (patient_id, lesion_id) REFERENCES lesions(patient_id, lesion_id)
) STRICT;

CREATE TABLE events (
  event_no INTEGER PRIMARY KEY,
  patient_id TEXT NOT NULL REFERENCES patients(patient_id),
  type TEXT NOT NULL
    CHECK (type IN ('progression', 'local-progression', 'death', 'last-contact')),
  date TEXT NOT NULL,
  lesion_id TEXT,
  entered_utc TEXT NOT NULL,
  FOREIGN KEY (patient_id, lesion_id) REFERENCES lesions(patient_id, lesion_id),
  CHECK ((type = 'local-progression') = (lesion_id IS NOT NULL))
) STRICT;
CREATE INDEX events_by_patient ON events(patient_id);

CREATE TABLE adverse_events (
  ae_no INTEGER PRIMARY KEY,
  patient_id TEXT NOT NULL REFERENCES patients(patient_id),
  term TEXT NOT NULL,
  grade INTEGER NOT NULL CHECK (grade BETWEEN 1 AND 5),
  date TEXT NOT NULL,
  attribution TEXT CHECK (attribution IN ('procedure', 'seeds', 'pd1', 'other')),
  entered_utc TEXT NOT NULL
) STRICT;
CREATE INDEX adverse_events_by_patient ON adverse_events(patient_id);

CREATE TABLE audit (
  audit_no INTEGER PRIMARY KEY,
  time_utc TEXT NOT NULL,
  user TEXT NOT NULL,
  command TEXT NOT NULL,
  action TEXT NOT NULL,
  table_name TEXT NOT NULL,
  patient_id TEXT,
  entry TEXT,
  field TEXT,
  old_value TEXT,
  new_value TEXT,
  reason TEXT
) STRICT;
CREATE INDEX audit_by_patient ON audit(patient_id);
CREATE TRIGGER audit_is_append_only_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
CREATE TRIGGER audit_is_append_only_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;
)SQL";

} // namespace

const std::vector<SchemaMigration>& SchemaMigrations::All() {
  static const std::vector<SchemaMigration> steps = {
      {1,
       "study, patients, lesions, implants, organ doses, follow-ups, events, adverse events, "
       "audit trail",
       kVersion1},
  };
  return steps;
}

int SchemaMigrations::LatestVersion(const std::vector<SchemaMigration>& steps) {
  return steps.empty() ? 0 : steps.back().version;
}

int SchemaMigrations::Migrate(SqliteDatabase& database, const std::vector<SchemaMigration>& steps) {
  for (std::size_t i = 0; i < steps.size(); ++i) {
    if (steps[i].version != static_cast<int>(i) + 1) {
      throw InvalidInput("schema step #" + std::to_string(i + 1) + " has version " +
                         std::to_string(steps[i].version) + "; expected " + std::to_string(i + 1));
    }
  }
  const FieldValue stored = database.QueryValue("PRAGMA user_version");
  const std::int64_t current = std::get<std::int64_t>(stored);
  const int latest = LatestVersion(steps);
  if (current > latest) {
    throw DataFormat(database.File().string() + ": study record of schema version " +
                     std::to_string(current) + "; this seedplan (" + SEEDPLAN_VERSION +
                     ") reads versions up to " + std::to_string(latest) +
                     ": the file was written by a newer seedplan");
  }
  int applied = 0;
  for (const SchemaMigration& step : steps) {
    if (step.version <= current) {
      continue;
    }
    database.Execute(step.sql);
    if (step.version == 1) {
      database.Execute("PRAGMA application_id = " + std::to_string(kApplicationId));
    }
    database.Execute("PRAGMA user_version = " + std::to_string(step.version));
    ++applied;
  }
  return applied;
}

} // namespace seedplan::study
